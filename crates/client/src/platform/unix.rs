//! Who may have written the system policy, on every Unix: IT's file is trusted only when
//! nobody but the administrator could have changed it, because a policy a user can edit is a
//! policy the user chooses (a weaker classification list, another store, no scanning).

use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// `Ok` when `path` and the folder holding it belong to root (or, in a test build whose policy
/// file was named by `KEPIL_POLICY_FILE`, to the user running the test) and neither can be
/// written by the group or by others. The `Err` is the reason, for IT's log.
pub fn check_protected(path: &Path, test_override: bool) -> Result<(), String> {
    let me = rustix::process::geteuid().as_raw();
    let owner_ok = |uid: u32| uid == 0 || (test_override && uid == me);
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    for (what, p) in [("file", path), ("folder", folder)] {
        let meta = std::fs::metadata(p).map_err(|e| format!("{what} {}: {e}", p.display()))?;
        if !owner_ok(meta.uid()) {
            return Err(format!(
                "the {what} {} belongs to user id {}, not to root",
                p.display(),
                meta.uid()
            ));
        }
        if meta.mode() & 0o022 != 0 {
            return Err(format!(
                "the {what} {} can be written by its group or by others (mode {:o})",
                p.display(),
                meta.mode() & 0o7777
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn chmod(p: &Path, mode: u32) {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn only_files_nobody_else_can_write_are_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("policy.toml");
        std::fs::write(&file, "").unwrap();
        chmod(dir.path(), 0o755);
        chmod(&file, 0o644);
        let me = rustix::process::geteuid().as_raw();
        // As the test's own user the file is trusted only under the test override (unless
        // the tests run as root, where root owns it).
        assert!(check_protected(&file, true).is_ok());
        assert_eq!(check_protected(&file, false).is_ok(), me == 0);

        chmod(&file, 0o664);
        let e = check_protected(&file, true).unwrap_err();
        assert!(e.contains("file") && e.contains("664"), "{e}");
        chmod(&file, 0o646);
        assert!(check_protected(&file, true).is_err());
        chmod(&file, 0o644);
        chmod(dir.path(), 0o777);
        let e = check_protected(&file, true).unwrap_err();
        assert!(e.contains("folder"), "{e}");
        chmod(dir.path(), 0o755);
        assert!(check_protected(&file, true).is_ok());
    }
}
