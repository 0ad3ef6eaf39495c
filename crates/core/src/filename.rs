//! Turning untrusted file names from a package manifest into safe names on the recipient's
//! disk.
//!
//! The manifest is written by the sender, who may be careless or hostile, and the recipient
//! may be on Windows, Linux or macOS. So a name must never escape the target directory, hit a
//! device name, hide its real extension behind bidirectional-text tricks
//! (`invoice\u{202E}fdp.exe` shows as `invoiceexe.pdf`), or be too long for the file system.
//!
//! [`sanitize`], in order:
//! 1. NFC-normalises (macOS writes NFD; comparing and de-duplicating needs one form);
//! 2. removes control characters, bidi embedding/override/isolate/mark characters
//!    (U+202A–202E, U+2066–2069, U+200E, U+200F, U+061C) and other invisible format
//!    characters that can disguise a name (U+2028, U+2029, U+FEFF);
//! 3. keeps only the last path component, splitting on both `/` and `\`;
//! 4. drops a drive prefix (`C:`) and replaces the characters Windows forbids
//!    (`< > : " | ? *`) with `_`;
//! 5. trims spaces and strips trailing dots and spaces (Windows drops them silently, so
//!    `evil.exe.` would become `evil.exe`);
//! 6. prefixes Windows device names (CON, PRN, AUX, NUL, COM1–9, LPT1–9, also with an
//!    extension and in any case) with `_`;
//! 7. caps the name at [`MAX_NAME_BYTES`] bytes, keeping the extension;
//! 8. falls back to [`FALLBACK_NAME`] if nothing is left (e.g. `..`, `/`, `"   "`).
//!
//! [`unique_in`] then picks a name that neither exists in the target directory nor was already
//! chosen for another file of the same package, as `name (2).ext`, `name (3).ext`, …

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use unicode_normalization::UnicodeNormalization as _;

/// Longest name produced, in UTF-8 bytes: under the 255-byte limit of common file systems,
/// with room for a ` (NNN)` de-duplication suffix and a temporary-file prefix.
pub const MAX_NAME_BYTES: usize = 200;
/// The name used when nothing usable is left. English "file" and Malay "fail" differ; the
/// English word is kept because it reads as a file name to every user.
pub const FALLBACK_NAME: &str = "file";
/// An extension longer than this is treated as part of the name when shortening.
const MAX_EXTENSION_BYTES: usize = 16;

/// A safe single-component file name for `name` (see the module documentation).
pub fn sanitize(name: &str) -> String {
    let normalized: String = name.nfc().filter(|c| !is_forbidden_char(*c)).collect();

    let last = normalized.rsplit(['/', '\\']).next().unwrap_or_default();

    let without_drive = match last.as_bytes() {
        [letter, b':', ..] if letter.is_ascii_alphabetic() => &last[2..],
        _ => last,
    };

    let replaced: String = without_drive
        .chars()
        .map(|c| if "<>:\"|?*".contains(c) { '_' } else { c })
        .collect();

    let mut out = trim_name(&replaced).to_owned();
    if is_windows_reserved(&out) {
        out.insert(0, '_');
    }
    out = truncate_keeping_extension(&out, MAX_NAME_BYTES);
    if out.is_empty() {
        return FALLBACK_NAME.to_owned();
    }
    out
}

/// Chooses where to save a file called `name` in `dir`: the sanitised name, or
/// `stem (N).ext` if that name exists in `dir` or is already in `chosen` (names picked for
/// earlier files of the same package, compared case-insensitively because Windows and macOS
/// file systems are). Adds the result to `chosen`.
///
/// This checks the directory, so it is only a good guess: the caller must still create the
/// file without overwriting (`create_new`, or a no-replace rename) and pick again on conflict.
pub fn unique_in(dir: &Path, name: &str, chosen: &mut HashSet<String>) -> PathBuf {
    let name = sanitize(name);
    let (stem, ext) = split_extension(&name);
    let mut n = 1u32;
    loop {
        let candidate = if n == 1 {
            name.clone()
        } else {
            let suffix = format!(" ({n}){ext}");
            let room = MAX_NAME_BYTES.saturating_sub(suffix.len());
            let stem = trim_name(floor_char_boundary(stem, room));
            format!("{stem}{suffix}")
        };
        let key = fold_case(&candidate);
        let path = dir.join(&candidate);
        // symlink_metadata: a dangling symlink is still a name we must not write through.
        if !chosen.contains(&key) && std::fs::symlink_metadata(&path).is_err() {
            chosen.insert(key);
            return path;
        }
        n += 1;
    }
}

fn fold_case(name: &str) -> String {
    name.nfc().flat_map(char::to_lowercase).collect()
}

fn is_forbidden_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{061C}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{FEFF}'
        )
}

/// Leading/trailing whitespace and trailing dots removed.
/// Leading dots go too: a manifest naming `.bashrc` or `.profile` must not be able to plant a
/// hidden start-up file when someone saves into their home folder.
fn trim_name(name: &str) -> &str {
    name.trim_start_matches(|c: char| c == '.' || c.is_whitespace())
        .trim_end_matches(|c: char| c == '.' || c.is_whitespace())
}

fn is_windows_reserved(name: &str) -> bool {
    // Windows ignores the extension and trailing spaces before it: "con .txt" is CON.
    let stem = name.split('.').next().unwrap_or_default().trim_end();
    let upper = stem.to_uppercase();
    matches!(
        upper.as_str(),
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$"
    ) || ["COM", "LPT"].iter().any(|prefix| {
        upper.strip_prefix(prefix).is_some_and(|digit| {
            matches!(
                digit,
                "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "¹" | "²" | "³"
            )
        })
    })
}

/// `("report", ".pdf")`; a leading dot (`.env`) is part of the stem, and an implausibly long
/// "extension" is too.
fn split_extension(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(dot) if dot > 0 && name.len() - dot <= MAX_EXTENSION_BYTES => {
            (&name[..dot], &name[dot..])
        }
        _ => (name, ""),
    }
}

fn truncate_keeping_extension(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_owned();
    }
    let (stem, ext) = split_extension(name);
    let stem = trim_name(floor_char_boundary(stem, max.saturating_sub(ext.len())));
    if stem.is_empty() {
        return trim_name(floor_char_boundary(name, max)).to_owned();
    }
    format!("{stem}{ext}")
}

fn floor_char_boundary(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_ordinary_names() {
        for name in [
            "Laporan Suku Tahun 2024.pdf",
            "minit_mesyuarat-v2.docx",
            "jadual (1).xlsx",
            "نظام.pdf",
            "报告.txt",
            "a..b.txt",
            "archive.tar.gz",
        ] {
            assert_eq!(sanitize(name), name);
        }
    }

    #[test]
    fn strips_path_components_both_ways() {
        assert_eq!(sanitize("../../etc/passwd"), "passwd");
        assert_eq!(sanitize("..\\..\\Windows\\System32\\evil.dll"), "evil.dll");
        assert_eq!(sanitize("/absolute/path/report.pdf"), "report.pdf");
        assert_eq!(sanitize("\\\\server\\share\\doc.txt"), "doc.txt");
        assert_eq!(sanitize("C:\\Users\\x\\doc.txt"), "doc.txt");
        assert_eq!(sanitize("dir/sub/"), FALLBACK_NAME);
        assert_eq!(sanitize("a/b\\c/d.txt"), "d.txt");
    }

    #[test]
    fn dot_names_and_empty_names_fall_back() {
        for name in [
            "", " ", "..", ".", "...", "../..", "/", "\\", "\u{202E}", "\0", " . ",
        ] {
            assert_eq!(sanitize(name), FALLBACK_NAME, "{name:?}");
        }
    }

    #[test]
    fn drops_drive_letters_and_windows_forbidden_characters() {
        assert_eq!(sanitize("C:evil.exe"), "evil.exe");
        assert_eq!(sanitize("d:report.pdf"), "report.pdf");
        assert_eq!(sanitize("file.txt:hidden_stream"), "file.txt_hidden_stream");
        assert_eq!(sanitize("what?.txt"), "what_.txt");
        assert_eq!(sanitize("a<b>c|d*e\"f.txt"), "a_b_c_d_e_f.txt");
    }

    #[test]
    fn removes_control_and_bidi_characters() {
        // Shows as "invoiceexe.pdf" in many file managers; really an .exe.
        assert_eq!(sanitize("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        for bidi in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
        ] {
            assert_eq!(
                sanitize(&format!("a{bidi}b.txt")),
                "ab.txt",
                "U+{:04X}",
                bidi as u32
            );
        }
        assert_eq!(sanitize("a\nb\r\tc\u{7f}\u{1b}d.txt"), "abcd.txt");
        assert_eq!(sanitize("x\u{85}y.txt"), "xy.txt");
    }

    #[test]
    fn nfc_normalises() {
        let nfd = "Cafe\u{301}.txt";
        let nfc = "Caf\u{e9}.txt";
        assert_eq!(sanitize(nfd), nfc);
        assert_eq!(sanitize(nfc), nfc);
    }

    #[test]
    fn windows_reserved_names_are_prefixed() {
        for name in [
            "CON",
            "con",
            "Con.txt",
            "PRN.pdf",
            "aux",
            "NUL.tar.gz",
            "com1",
            "COM9.log",
            "lpt1",
            "LPT9.x",
            "con .txt",
            "CONIN$",
            "COM¹",
            "lpt³.txt",
        ] {
            let out = sanitize(name);
            assert!(out.starts_with('_'), "{name} -> {out}");
            assert_eq!(&out[1..], name.trim_end_matches('.'));
        }
        for name in [
            "CONSOLE.txt",
            "com10",
            "COM0",
            "LPT",
            "nullable.txt",
            "auxiliary",
        ] {
            assert_eq!(sanitize(name), name);
        }
    }

    #[test]
    fn strips_trailing_dots_and_spaces() {
        assert_eq!(sanitize("evil.exe."), "evil.exe");
        assert_eq!(sanitize("evil.exe . . "), "evil.exe");
        assert_eq!(sanitize("  report.pdf  "), "report.pdf");
        assert_eq!(sanitize("NUL. "), "_NUL");
    }

    #[test]
    fn caps_length_keeping_the_extension() {
        let long = format!("{}.pdf", "a".repeat(500));
        let out = sanitize(&long);
        assert_eq!(out.len(), MAX_NAME_BYTES);
        assert!(out.ends_with(".pdf"));

        // Multi-byte characters are never cut in half.
        let long = format!("{}.docx", "é".repeat(300));
        let out = sanitize(&long);
        assert!(out.len() <= MAX_NAME_BYTES);
        assert!(out.ends_with(".docx"));
        assert!(out.chars().all(|c| c == 'é' || ".docx".contains(c)));

        // No plausible extension: simply cut.
        let out = sanitize(&"b".repeat(300));
        assert_eq!(out, "b".repeat(MAX_NAME_BYTES));

        // The truncation point must not leave a trailing dot or space.
        let tricky = format!("{}  .{}", "c".repeat(190), "x".repeat(30));
        let out = sanitize(&tricky);
        assert!(out.len() <= MAX_NAME_BYTES);
        assert!(!out.ends_with(['.', ' ']));
    }

    #[test]
    fn sanitize_never_yields_a_hidden_file() {
        assert_eq!(sanitize(".bashrc"), "bashrc");
        assert_eq!(sanitize(" ..profile"), "profile");
        assert_eq!(sanitize("dir/.ssh"), "ssh");
        assert_eq!(sanitize("..."), FALLBACK_NAME);
        assert_eq!(sanitize("report.v2.pdf"), "report.v2.pdf");
    }

    #[test]
    fn sanitize_is_idempotent() {
        for name in [
            "../x/CON.txt. ",
            "a\u{202E}b",
            &"é".repeat(300),
            "C:\\a\\..",
            "file.txt:stream",
        ] {
            let once = sanitize(name);
            assert_eq!(sanitize(&once), once, "{name:?}");
        }
    }

    #[test]
    fn unique_in_renames_against_disk_and_chosen_names() {
        let dir = tempfile::tempdir().unwrap();
        let mut chosen = HashSet::new();

        let first = unique_in(dir.path(), "report.pdf", &mut chosen);
        assert_eq!(first, dir.path().join("report.pdf"));
        // Same name again in the same package, not yet written.
        let second = unique_in(dir.path(), "report.pdf", &mut chosen);
        assert_eq!(second, dir.path().join("report (2).pdf"));
        // Case-insensitive within the package.
        let third = unique_in(dir.path(), "REPORT.PDF", &mut chosen);
        assert_eq!(third, dir.path().join("REPORT (3).PDF"));

        std::fs::write(dir.path().join("notes.txt"), b"x").unwrap();
        std::fs::write(dir.path().join("notes (2).txt"), b"x").unwrap();
        let mut fresh = HashSet::new();
        assert_eq!(
            unique_in(dir.path(), "notes.txt", &mut fresh),
            dir.path().join("notes (3).txt")
        );
        assert_eq!(
            unique_in(dir.path(), ".env", &mut fresh),
            dir.path().join("env")
        );
        assert_eq!(
            unique_in(dir.path(), ".env", &mut fresh),
            dir.path().join("env (2)")
        );
        assert_eq!(
            unique_in(dir.path(), "noext", &mut fresh),
            dir.path().join("noext")
        );
        assert_eq!(
            unique_in(dir.path(), "noext", &mut fresh),
            dir.path().join("noext (2)")
        );
    }

    #[test]
    fn unique_in_sanitises_and_stays_in_dir() {
        let dir = tempfile::tempdir().unwrap();
        let mut chosen = HashSet::new();
        for hostile in [
            "../../escape.txt",
            "/etc/passwd",
            "..",
            "C:\\x\\CON",
            "a\u{202E}b",
        ] {
            let path = unique_in(dir.path(), hostile, &mut chosen);
            assert_eq!(path.parent(), Some(dir.path()), "{hostile}");
        }
    }

    #[test]
    fn unique_in_respects_the_length_cap_with_suffix() {
        let dir = tempfile::tempdir().unwrap();
        let mut chosen = HashSet::new();
        let long = format!("{}.pdf", "z".repeat(400));
        let a = unique_in(dir.path(), &long, &mut chosen);
        let b = unique_in(dir.path(), &long, &mut chosen);
        assert_ne!(a, b);
        let b_name = b.file_name().unwrap().to_str().unwrap();
        assert!(b_name.len() <= MAX_NAME_BYTES, "{}", b_name.len());
        assert!(b_name.ends_with(" (2).pdf"));
    }

    #[cfg(unix)]
    #[test]
    fn unique_in_treats_dangling_symlinks_as_taken() {
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("/nonexistent/target", dir.path().join("link.txt")).unwrap();
        let mut chosen = HashSet::new();
        assert_eq!(
            unique_in(dir.path(), "link.txt", &mut chosen),
            dir.path().join("link (2).txt")
        );
    }
}
