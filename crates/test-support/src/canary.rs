//! Canary checks: a secret a test planted must not be in any file a component wrote.
//! Every file under a directory is read, SQLite's `-wal` and `-shm` beside the database
//! included, because a value can sit in the write-ahead log long after the main file was
//! checkpointed without it.

use std::path::{Path, PathBuf};

/// Every regular file under `dir` with its bytes (recursively).
pub fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = e.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                out.push((path, bytes));
            }
        }
    }
    out
}

/// The files under `dir` that hold `needle` anywhere.
pub fn files_holding(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    assert!(!needle.is_empty(), "an empty canary is in every file");
    files_under(dir)
        .into_iter()
        .filter(|(_, bytes)| bytes.windows(needle.len()).any(|w| w == needle))
        .map(|(path, _)| path)
        .collect()
}
