//! Linux and the other Unix-likes that follow the freedesktop conventions.

use std::path::{Path, PathBuf};

pub use super::unix::check_protected as check_policy_protected;

pub fn policy_path() -> PathBuf {
    PathBuf::from("/etc/kepil/policy.toml")
}

/// The freedesktop origin attribute file managers and browsers read.
const ORIGIN_ATTRIBUTE: &str = "user.xdg.origin.url";

pub fn mark_origin(path: &Path, origin: &str) -> bool {
    xattr::set(path, ORIGIN_ATTRIBUTE, origin.as_bytes()).is_ok()
}

pub fn read_origin(path: &Path) -> Option<String> {
    xattr::get(path, ORIGIN_ATTRIBUTE)
        .ok()
        .flatten()
        .and_then(|v| String::from_utf8(v).ok())
}
