//! Turning untrusted file names from a package manifest into safe names on the recipient's
//! disk, and telling the recipient which of them are dangerous to open.
//!
//! The manifest is written by the sender, who may be careless or hostile, and the recipient
//! may be on Windows, Linux or macOS. So a name must never escape the target directory, hit a
//! device name, hide its real extension behind bidirectional-text tricks
//! (`invoice\u{202E}fdp.exe` shows as `invoiceexe.pdf`) or invisible characters, or be too
//! long for the file system.
//!
//! [`sanitize`], in order:
//! 1. removes every character [`crate::text::is_hidden`] lists: controls, bidi controls
//!    (U+202A–202E, U+2066–2069, U+200E, U+200F, U+061C) and invisible or blank-looking
//!    characters (zero-width spaces and joiners U+200B–200F, U+2060–2064, U+FEFF, U+180E,
//!    the Hangul fillers U+3164, U+115F, U+1160, U+FFA0, the Braille blank U+2800, tag
//!    characters U+E0000–E007F, U+2028, U+2029 and a few more format characters);
//! 2. NFC-normalises (macOS writes NFD; comparing and de-duplicating needs one form);
//! 3. keeps only the last path component, splitting on both `/` and `\`;
//! 4. drops a drive prefix (`C:`) and replaces the characters Windows forbids
//!    (`< > : " | ? *`) with `_`;
//! 5. trims spaces and strips trailing dots and spaces (Windows drops them silently, so
//!    `evil.exe.` would become `evil.exe`);
//! 6. caps the name at [`MAX_NAME_BYTES`] bytes, keeping the extension;
//! 7. falls back to [`FALLBACK_NAME`] if nothing is left (e.g. `..`, `/`, `"   "`);
//! 8. prefixes Windows device names (CON, PRN, AUX, NUL, CONIN$, CONOUT$, COM0–9, LPT0–9,
//!    also with an extension and in any case) with `_`. This comes last so that no earlier
//!    step (removing an invisible character, cutting a long name) can leave one behind.
//!
//! [`unique_in`] then picks a name that neither exists in the target directory nor was already
//! chosen for another file of the same package, as `name (2).ext`, `name (3).ext`, … in time
//! linear in the number of files, however many share a name.
//!
//! [`danger`] says whether a name's type runs code when opened ([`PROGRAM_EXTENSIONS`],
//! [`MACRO_EXTENSIONS`], [`DISK_IMAGE_EXTENSIONS`]), so the recipient is warned before saving.

use std::collections::{HashMap, HashSet};
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
/// Room kept for a de-duplication suffix: " (4294967295)", the largest `u32`. Reserving the
/// largest one means a name's shortened stem does not depend on the number, which is what
/// lets [`unique_in`] remember where each name's numbering stopped.
const SUFFIX_ROOM: usize = 13;

/// Extensions that run code when opened (double-clicked) on a desktop Kepil serves, or that
/// install, load or point to something that does: Windows programs, libraries, installers,
/// control-panel and help files, shortcuts and scripts; Java; Unix shell scripts, launchers
/// and packages; macOS applications, installers and scripts. Lower case, without the dot.
#[rustfmt::skip]
pub const PROGRAM_EXTENSIONS: &[&str] = &[
    // Windows programs, libraries and what loads them.
    "exe", "com", "scr", "pif", "cpl", "dll", "sys", "drv", "ocx", "xll", "msc", "hta", "chm",
    // Windows installers and packages.
    "msi", "msp", "mst", "msix", "msixbundle", "appx", "appxbundle", "appinstaller",
    "application", "gadget", "reg", "inf",
    // Windows shortcuts (they open whatever they point to, local or on a share).
    "lnk", "url", "scf", "library-ms", "settingcontent-ms",
    // Windows scripts.
    "bat", "cmd", "ps1", "psm1", "psd1", "ps1xml", "psc1", "vb", "vbs", "vbe", "js", "jse",
    "wsf", "wsh", "wsc", "ws", "sct",
    // Java, Python.
    "jar", "jnlp", "py", "pyw", "pyz",
    // Unix scripts, launchers and packages.
    "sh", "bash", "zsh", "csh", "ksh", "run", "bin", "appimage", "desktop", "deb", "rpm",
    // macOS applications, installers and scripts.
    "app", "command", "tool", "pkg", "mpkg", "scpt", "applescript", "workflow",
];

/// Document formats that carry macros or embedded programs that can run when opened: Word,
/// Excel and PowerPoint macro-enabled documents, templates and add-ins, Access databases,
/// OneNote notebooks.
#[rustfmt::skip]
pub const MACRO_EXTENSIONS: &[&str] = &[
    "docm", "dotm", "xlsm", "xltm", "xlsb", "xlam", "xla", "pptm", "potm", "ppsm", "ppam",
    "sldm", "mdb", "accdb", "accde", "mde", "one", "onepkg",
];

/// Disk images: opening one mounts it, and the files inside lose the "downloaded from the
/// internet" mark that makes Windows and macOS warn before running them.
#[rustfmt::skip]
pub const DISK_IMAGE_EXTENSIONS: &[&str] = &["iso", "img", "vhd", "vhdx", "dmg"];

/// Why a file's type deserves a warning before it is saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Danger {
    /// A program, script, installer or shortcut ([`PROGRAM_EXTENSIONS`]).
    Program,
    /// A document that can carry macros ([`MACRO_EXTENSIONS`]).
    Macro,
    /// A disk image ([`DISK_IMAGE_EXTENSIONS`]).
    DiskImage,
}

impl Danger {
    /// A stable name for the kind, for messages and JSON: `program`, `macro`, `disk_image`.
    pub fn kind(self) -> &'static str {
        match self {
            Danger::Program => "program",
            Danger::Macro => "macro",
            Danger::DiskImage => "disk_image",
        }
    }
}

/// What opening a file called `name` can do, judged by the extension it will be saved with
/// (the sanitised name's last one, in any case), or `None` for the ordinary types. Only the
/// last extension counts because it is the one the system opens the file by:
/// `report.pdf.exe` is a program, `tool.exe.pdf` is a PDF.
///
/// A file without an extension is `None` even though a Unix program may have none: saved
/// files are not executable (0600 on Unix), so it would have to be made so on purpose.
pub fn danger(name: &str) -> Option<Danger> {
    let name = sanitize(name);
    let (_, ext) = name.rsplit_once('.')?;
    let ext = ext.to_lowercase();
    let ext = ext.as_str();
    if PROGRAM_EXTENSIONS.contains(&ext) {
        Some(Danger::Program)
    } else if MACRO_EXTENSIONS.contains(&ext) {
        Some(Danger::Macro)
    } else if DISK_IMAGE_EXTENSIONS.contains(&ext) {
        Some(Danger::DiskImage)
    } else {
        None
    }
}

/// A safe single-component file name for `name` (see the module documentation).
pub fn sanitize(name: &str) -> String {
    // Hidden characters go before NFC: one between a letter and its accent would otherwise
    // keep the pair from composing, and the name would not be NFC once it is gone.
    let visible: String = name
        .chars()
        .filter(|c| !crate::text::is_hidden(*c))
        .collect();
    let normalized: String = visible.nfc().collect();

    let last = normalized.rsplit(['/', '\\']).next().unwrap_or_default();

    let without_drive = match last.as_bytes() {
        [letter, b':', ..] if letter.is_ascii_alphabetic() => &last[2..],
        _ => last,
    };

    let replaced: String = without_drive
        .chars()
        .map(|c| if "<>:\"|?*".contains(c) { '_' } else { c })
        .collect();

    let mut out = truncate_keeping_extension(trim_name(&replaced), MAX_NAME_BYTES);
    if out.is_empty() {
        out = FALLBACK_NAME.to_owned();
    }
    if is_windows_reserved(&out) {
        // Shortening keeps the start of a name, so the prefix survives it.
        out = truncate_keeping_extension(&format!("_{out}"), MAX_NAME_BYTES);
    }
    out
}

/// The names already picked for one package (see [`unique_in`]).
#[derive(Debug, Default, Clone)]
pub struct ChosenNames {
    /// Every name picked so far, case-folded.
    taken: HashSet<String>,
    /// Per name that needed numbering (its shortened stem and extension, case-folded): the
    /// next number to try. Starting there rather than at 2 again is what keeps a package of
    /// ten thousand files called `a.txt` from trying 50 million names.
    next: HashMap<String, u32>,
}

impl ChosenNames {
    pub fn new() -> ChosenNames {
        ChosenNames::default()
    }

    /// How many names were picked.
    pub fn len(&self) -> usize {
        self.taken.len()
    }

    pub fn is_empty(&self) -> bool {
        self.taken.is_empty()
    }
}

/// Chooses where to save a file called `name` in `dir`: the sanitised name, or
/// `stem (N).ext` if that name exists in `dir` or is already in `chosen` (names picked for
/// earlier files of the same package, compared case-insensitively because Windows and macOS
/// file systems are). Adds the result to `chosen`.
///
/// The numbering of each name resumes where it stopped for the previous file of that name, so
/// a whole package is named in time linear in its number of files (plus the files already in
/// `dir` it has to step over).
///
/// This checks the directory, so it is only a good guess: the caller must still create the
/// file without overwriting (`create_new`, or a no-replace rename) and pick again on conflict.
pub fn unique_in(dir: &Path, name: &str, chosen: &mut ChosenNames) -> PathBuf {
    let name = sanitize(name);
    let key = fold_case(&name);
    if !chosen.taken.contains(&key) && is_free(dir, &name) {
        chosen.taken.insert(key);
        return dir.join(name);
    }
    let (stem, ext) = split_extension(&name);
    let room = MAX_NAME_BYTES - SUFFIX_ROOM - ext.len();
    let stem = match trim_name(floor_char_boundary(stem, room)) {
        "" => FALLBACK_NAME,
        stem => stem,
    };
    let family = format!("{}\0{}", fold_case(stem), fold_case(ext));
    let mut n = chosen.next.get(&family).copied().unwrap_or(2);
    loop {
        let candidate = format!("{stem} ({n}){ext}");
        let key = fold_case(&candidate);
        if !chosen.taken.contains(&key) && is_free(dir, &candidate) {
            chosen.taken.insert(key);
            chosen.next.insert(family, n.saturating_add(1));
            return dir.join(candidate);
        }
        n = n.saturating_add(1);
    }
}

/// symlink_metadata: a dangling symlink is still a name we must not write through.
fn is_free(dir: &Path, name: &str) -> bool {
    std::fs::symlink_metadata(dir.join(name)).is_err()
}

fn fold_case(name: &str) -> String {
    name.nfc().flat_map(char::to_lowercase).collect()
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
    // COM0 and LPT0 are on Microsoft's current list of reserved names too.
    let stem = name.split('.').next().unwrap_or_default().trim_end();
    let upper = stem.to_uppercase();
    matches!(
        upper.as_str(),
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$"
    ) || ["COM", "LPT"].iter().any(|prefix| {
        upper.strip_prefix(prefix).is_some_and(|digit| {
            matches!(
                digit,
                "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "¹" | "²" | "³"
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
    fn removes_blank_looking_and_invisible_characters() {
        for hidden in [
            '\u{3164}',
            '\u{115F}',
            '\u{1160}',
            '\u{2800}',
            '\u{FFA0}',
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{200E}',
            '\u{200F}',
            '\u{2060}',
            '\u{2061}',
            '\u{2062}',
            '\u{2063}',
            '\u{2064}',
            '\u{FEFF}',
            '\u{180E}',
            '\u{E0000}',
            '\u{E0041}',
            '\u{E007F}',
            '\u{00AD}',
        ] {
            assert_eq!(
                sanitize(&format!("a{hidden}b.txt")),
                "ab.txt",
                "U+{:04X}",
                hidden as u32
            );
        }
        // A name made only of fillers is no name.
        assert_eq!(sanitize("\u{3164}\u{3164}.\u{2800}"), FALLBACK_NAME);
        // Tag characters can spell a whole hidden word.
        let tagged: String = "exe"
            .chars()
            .map(|c| char::from_u32(0xE0000 + c as u32).unwrap())
            .collect();
        assert_eq!(sanitize(&format!("report.pdf{tagged}")), "report.pdf");
        // A hidden character between a letter and its accent: still NFC afterwards.
        assert_eq!(sanitize("Cafe\u{200B}\u{301}.txt"), "Caf\u{e9}.txt");
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
            "COM0",
            "lpt0.txt",
        ] {
            let out = sanitize(name);
            assert!(out.starts_with('_'), "{name} -> {out}");
            assert_eq!(&out[1..], name.trim_end_matches('.'));
        }
        for name in ["CONSOLE.txt", "com10", "LPT", "nullable.txt", "auxiliary"] {
            assert_eq!(sanitize(name), name);
        }
    }

    #[test]
    fn no_device_name_survives_invisible_characters_or_shortening() {
        // Invisible characters removed: "C\u{200B}ON" is CON to Windows' eyes after cleaning.
        assert_eq!(sanitize("C\u{200B}ON.txt"), "_CON.txt");
        assert_eq!(sanitize("N\u{3164}UL"), "_NUL");
        // Shortening keeps the extension and trims the stem: "nul" + spaces + "x" cut to
        // "nul" would be NUL.txt.
        let long = format!("nul{}x.txt", " ".repeat(300));
        let out = sanitize(&long);
        assert_eq!(out, "_nul.txt");
        let long = format!("AUX.{}", "b".repeat(400));
        let out = sanitize(&long);
        assert!(out.starts_with("_AUX."), "{out}");
        assert!(out.len() <= MAX_NAME_BYTES);
        // Reserved even with a long extension chain that is cut.
        let long = format!("com1{}", ".abc".repeat(80));
        let out = sanitize(&long);
        assert!(out.starts_with("_com1."), "{out}");
        assert!(out.len() <= MAX_NAME_BYTES);
        for out in [sanitize("CON"), sanitize("x/lpt9.log"), sanitize("  prn  ")] {
            assert!(out.starts_with('_'), "{out}");
        }
    }

    #[test]
    fn dangerous_types_are_recognised_by_the_extension_they_are_saved_with() {
        for name in [
            "setup.exe",
            "Setup.EXE",
            "run.bat",
            "x.cmd",
            "a.ps1",
            "b.vbs",
            "c.js",
            "d.jse",
            "e.wsf",
            "f.msi",
            "g.scr",
            "h.lnk",
            "i.desktop",
            "j.sh",
            "k.jar",
            "l.app",
            "m.com",
            "report.pdf.exe",
            "invoice\u{202E}fdp.exe",
            "evil.exe. . ",
            "x.hta",
            "y.url",
        ] {
            assert_eq!(danger(name), Some(Danger::Program), "{name}");
        }
        for name in [
            "Bajet.xlsm",
            "minit.docm",
            "slaid.pptm",
            "t.dotm",
            "a.xlam",
            "n.one",
        ] {
            assert_eq!(danger(name), Some(Danger::Macro), "{name}");
        }
        for name in ["disk.iso", "disk.IMG", "a.vhdx", "b.dmg"] {
            assert_eq!(danger(name), Some(Danger::DiskImage), "{name}");
        }
        for name in [
            "Laporan.pdf",
            "minit.docx",
            "bajet.xlsx",
            "slaid.pptx",
            "gambar.png",
            "nota.txt",
            "arkib.zip",
            "tool.exe.pdf",
            "exe",
            ".exe",
            "noextension",
            "x.exe_",
        ] {
            assert_eq!(danger(name), None, "{name}");
        }
        assert_eq!(Danger::DiskImage.kind(), "disk_image");
    }

    #[test]
    fn the_extension_lists_are_lower_case_and_disjoint() {
        let all: Vec<&str> = PROGRAM_EXTENSIONS
            .iter()
            .chain(MACRO_EXTENSIONS)
            .chain(DISK_IMAGE_EXTENSIONS)
            .copied()
            .collect();
        let unique: HashSet<&str> = all.iter().copied().collect();
        assert_eq!(unique.len(), all.len(), "an extension is listed twice");
        for ext in all {
            assert_eq!(ext, ext.to_lowercase());
            assert!(!ext.starts_with('.') && !ext.is_empty());
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
        let mut chosen = ChosenNames::new();

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
        let mut fresh = ChosenNames::new();
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
        let mut chosen = ChosenNames::new();
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
        let mut chosen = ChosenNames::new();
        let long = format!("{}.pdf", "z".repeat(400));
        let a = unique_in(dir.path(), &long, &mut chosen);
        let b = unique_in(dir.path(), &long, &mut chosen);
        assert_ne!(a, b);
        let b_name = b.file_name().unwrap().to_str().unwrap();
        assert!(b_name.len() <= MAX_NAME_BYTES, "{}", b_name.len());
        assert!(b_name.ends_with(" (2).pdf"));
    }

    #[test]
    fn ten_thousand_files_of_one_name_get_ten_thousand_names() {
        let dir = tempfile::tempdir().unwrap();
        let mut chosen = ChosenNames::new();
        let mut seen = HashSet::new();
        for i in 1..=10_000u32 {
            let path = unique_in(dir.path(), "a.txt", &mut chosen);
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            let want = if i == 1 {
                "a.txt".to_owned()
            } else {
                format!("a ({i}).txt")
            };
            assert_eq!(name, want);
            assert!(seen.insert(name));
        }
        assert_eq!(chosen.len(), 10_000);
    }

    #[test]
    fn numbering_skips_names_taken_explicitly_and_long_names_that_share_a_stem() {
        let dir = tempfile::tempdir().unwrap();
        let mut chosen = ChosenNames::new();
        assert_eq!(
            unique_in(dir.path(), "a (2).txt", &mut chosen),
            dir.path().join("a (2).txt")
        );
        assert_eq!(
            unique_in(dir.path(), "a.txt", &mut chosen),
            dir.path().join("a.txt")
        );
        assert_eq!(
            unique_in(dir.path(), "a.txt", &mut chosen),
            dir.path().join("a (3).txt")
        );
        assert_eq!(
            unique_in(dir.path(), "A.TXT", &mut chosen),
            dir.path().join("A (4).TXT")
        );

        // Two long names that differ only past the point where a numbered name is cut share
        // their numbered names; they must still never collide.
        let base = "s".repeat(190);
        let mut names = HashSet::new();
        for _ in 0..3 {
            for tail in ["x.pdf", "y.pdf"] {
                let path = unique_in(dir.path(), &format!("{base}{tail}"), &mut chosen);
                let name = path.file_name().unwrap().to_str().unwrap().to_owned();
                assert!(name.len() <= MAX_NAME_BYTES, "{}", name.len());
                assert!(names.insert(name.to_lowercase()), "{name}");
            }
        }
    }

    #[cfg(unix)]
    #[test]
    fn unique_in_treats_dangling_symlinks_as_taken() {
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("/nonexistent/target", dir.path().join("link.txt")).unwrap();
        let mut chosen = ChosenNames::new();
        assert_eq!(
            unique_in(dir.path(), "link.txt", &mut chosen),
            dir.path().join("link (2).txt")
        );
    }
}
