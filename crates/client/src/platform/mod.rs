//! What differs between the operating systems Kepil runs on, one small module each: where the
//! system policy lives and who may have written it, and how a saved file is marked as
//! downloaded. Everything else (the keyring through `keyring`, TLS roots through
//! rustls-native-certs, folders through `dirs`) is already portable in the crates used.
//!
//! Only `linux` (and the other Unix-likes) is built and tested on this project's machines; the
//! `windows` and `macos` modules are written for a runner that has them (docs/platforms.md).

#[cfg(unix)]
mod unix;

#[cfg(all(unix, not(target_os = "macos")))]
mod linux;
#[cfg(all(unix, not(target_os = "macos")))]
pub use linux::*;

#[cfg(target_os = "macos")]
mod macos;
#[cfg(target_os = "macos")]
pub use macos::*;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use windows::*;

/// The policy Group Policy wrote under `HKLM\Software\Policies\Kepil`, as the TOML table a
/// policy file would hold; only Windows has one.
#[cfg(not(windows))]
pub fn managed_policy() -> Result<Option<toml::Table>, String> {
    Ok(None)
}
