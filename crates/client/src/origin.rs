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
//! (it was scanned and verified; the mark only adds the desktop's own caution). The marks
//! themselves are in [`crate::platform`], one module per operating system.

use std::path::Path;

/// Marks `path` as downloaded from `origin`. Returns whether the mark was set.
pub fn mark(path: &Path, origin: &url::Url) -> bool {
    let mut origin = origin.clone();
    origin.set_fragment(None);
    origin.set_query(None);
    crate::platform::mark_origin(path, origin.as_str())
}

/// The origin `path` is marked with, if any.
#[cfg(unix)]
pub fn read(path: &Path) -> Option<String> {
    crate::platform::read_origin(path)
}
