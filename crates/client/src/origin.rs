//! Saved files carry where they came from, so the desktop treats them as downloaded from the
//! network: on Linux the `user.xdg.origin.url` extended attribute (freedesktop's convention,
//! which file managers and browsers use), on Windows the Mark of the Web (`Zone.Identifier`
//! stream, zone 3 Internet) so SmartScreen and Office Protected View apply.
//!
//! The origin is the link without its `#` secret: the store and the grant, which the email
//! carried in the clear anyway, never what opens the package.
//!
//! Marking is best effort by nature: a file system without extended attributes (FAT, some
//! network shares) or alternate streams keeps the file unmarked, and the file is still saved
//! (it was scanned and verified; the mark only adds the desktop's own caution). The Windows
//! part is written against the standard library only and is not built or tested on the Linux
//! machines this project runs on.

use std::path::Path;

/// Marks `path` as downloaded from `origin`. Returns whether the mark was set.
pub fn mark(path: &Path, origin: &url::Url) -> bool {
    let mut origin = origin.clone();
    origin.set_fragment(None);
    origin.set_query(None);
    platform::mark(path, origin.as_str())
}

/// The origin `path` is marked with, if any.
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
pub fn read(path: &Path) -> Option<String> {
    platform::read(path)
}

#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
mod platform {
    use std::path::Path;

    const ATTRIBUTE: &str = "user.xdg.origin.url";

    pub fn mark(path: &Path, origin: &str) -> bool {
        xattr::set(path, ATTRIBUTE, origin.as_bytes()).is_ok()
    }

    pub fn read(path: &Path) -> Option<String> {
        xattr::get(path, ATTRIBUTE)
            .ok()
            .flatten()
            .and_then(|v| String::from_utf8(v).ok())
    }
}

#[cfg(windows)]
mod platform {
    use std::path::Path;

    /// An NTFS alternate data stream, written as `<file>:Zone.Identifier`.
    pub fn mark(path: &Path, origin: &str) -> bool {
        let mut stream = path.as_os_str().to_owned();
        stream.push(":Zone.Identifier");
        let text = format!("[ZoneTransfer]\r\nZoneId=3\r\nHostUrl={origin}\r\n");
        std::fs::write(stream, text).is_ok()
    }
}

#[cfg(not(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "macos",
    windows
)))]
mod platform {
    use std::path::Path;

    pub fn mark(_path: &Path, _origin: &str) -> bool {
        false
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn the_mark_is_the_link_without_its_secret() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("surat.pdf");
        std::fs::write(&file, b"x").unwrap();
        let link = url::Url::parse("https://kepil.agensi.gov.my/t/GRANT123#SECRETPART").unwrap();
        assert!(mark(&file, &link), "ext4/tmpfs take user xattrs");
        let shown = read(&file).unwrap();
        assert_eq!(shown, "https://kepil.agensi.gov.my/t/GRANT123");
        assert!(!shown.contains("SECRETPART"));
    }
}
