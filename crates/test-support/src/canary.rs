//! Canary checks: a secret a test planted must not be in any file a component wrote, nor in
//! any text it emitted (events, logs), in any form Kepil could have written it. Every file
//! under a directory is read, SQLite's `-wal` and `-shm` and keyring files included, because a
//! value can sit in a write-ahead log long after the main file was checkpointed without it.

use std::path::{Path, PathBuf};

/// One way a secret could have been written down; `ignore_case` for text forms, since a
/// leak in lower case is still a leak.
#[derive(Debug, Clone)]
pub struct Canary {
    pub label: String,
    pub bytes: Vec<u8>,
    pub ignore_case: bool,
}

impl Canary {
    /// `text` exactly as given.
    pub fn text(label: &str, text: &str) -> Canary {
        Canary::bytes(label, text.as_bytes())
    }

    pub fn bytes(label: &str, bytes: &[u8]) -> Canary {
        Canary {
            label: label.to_string(),
            bytes: bytes.to_vec(),
            ignore_case: false,
        }
    }

    /// Whether `haystack` holds this canary.
    pub fn is_in(&self, haystack: &[u8]) -> bool {
        let needle = &self.bytes;
        !needle.is_empty()
            && haystack.windows(needle.len()).any(|w| {
                if self.ignore_case {
                    w.eq_ignore_ascii_case(needle)
                } else {
                    w == needle.as_slice()
                }
            })
    }
}

/// A password as shown (`XXXX-XXXX-XXXX-XXXX`), as its 16 canonical symbols, and spaced as
/// dictated.
pub fn password_canaries(password: &str) -> Vec<Canary> {
    let grouped = kepil_core::password::Password::parse(password)
        .unwrap_or_else(|e| panic!("not a password {password:?}: {e}"))
        .expose()
        .to_string();
    let canonical = grouped.replace('-', "");
    assert_eq!(canonical.len(), 16, "{grouped}");
    let spaced = grouped.replace('-', " ");
    [
        ("grouped", grouped),
        ("canonical", canonical),
        ("spaced", spaced),
    ]
    .into_iter()
    .map(|(form, text)| Canary {
        label: format!("password {form} {text}"),
        bytes: text.into_bytes(),
        ignore_case: true,
    })
    .collect()
}

/// A link's secret (its fragment) as base64url text, as raw bytes and as hex.
pub fn link_secret_canaries(link: &str) -> Vec<Canary> {
    let parsed =
        kepil_core::link::Link::parse(link).unwrap_or_else(|e| panic!("not a link {link:?}: {e}"));
    let raw = parsed.secret.expose_bytes().to_vec();
    let text = kepil_protocol::b64_encode(&raw);
    assert!(link.contains(&text), "{link} does not carry {text}");
    let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    vec![
        Canary {
            label: format!("link secret {text}"),
            bytes: text.into_bytes(),
            ignore_case: false,
        },
        Canary {
            label: format!("link secret as hex {hex}"),
            bytes: hex.into_bytes(),
            ignore_case: true,
        },
        Canary {
            label: "link secret as raw bytes".into(),
            bytes: raw,
            ignore_case: false,
        },
    ]
}

/// The labels of the canaries `text` holds.
pub fn canaries_in(text: &[u8], canaries: &[Canary]) -> Vec<String> {
    canaries
        .iter()
        .filter(|c| c.is_in(text))
        .map(|c| c.label.clone())
        .collect()
}

/// Every regular file under `dir`, recursively; nothing when `dir` does not exist.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Every regular file under `dir` with its bytes.
pub fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    walk(dir)
        .into_iter()
        // A file that vanished between the listing and the read cannot hold anything.
        .filter_map(|p| std::fs::read(&p).ok().map(|bytes| (p, bytes)))
        .collect()
}

/// The files under `dir` that hold `needle` anywhere.
pub fn files_holding(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    assert!(!needle.is_empty(), "an empty canary is in every file");
    let canary = Canary::bytes("needle", needle);
    files_under(dir)
        .into_iter()
        .filter(|(_, bytes)| canary.is_in(bytes))
        .map(|(path, _)| path)
        .collect()
}

/// Every "canary in file" pair under `root`.
pub fn canaries_found(root: &Path, canaries: &[Canary]) -> Vec<String> {
    assert!(!canaries.is_empty(), "no canary to look for");
    let mut found = vec![];
    for (file, bytes) in files_under(root) {
        for label in canaries_in(&bytes, canaries) {
            found.push(format!("{label} in {}", file.display()));
        }
    }
    found
}

/// Fails when any canary is in any file under `root`, or when `root` holds no file at all
/// (a check of an empty directory proves nothing).
pub fn assert_no_canary(root: &Path, canaries: &[Canary], when: &str) {
    assert!(
        !walk(root).is_empty(),
        "{when}: nothing under {}",
        root.display()
    );
    let found = canaries_found(root, canaries);
    assert!(found.is_empty(), "{when}: secrets left on disk: {found:#?}");
}
