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

// Every Unix test build compiles it too, so its property-list code is tested here.
#[cfg(any(target_os = "macos", all(test, unix)))]
#[cfg_attr(not(target_os = "macos"), allow(dead_code, unused_imports))]
mod macos;
#[cfg(target_os = "macos")]
pub use macos::*;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use windows::*;

// Plain data and text, so every test build compiles and tests them; only Windows uses them.
#[cfg(any(windows, test))]
#[cfg_attr(not(windows), allow(dead_code))]
mod group_policy;
#[cfg(any(windows, test))]
#[cfg_attr(not(windows), allow(dead_code))]
mod sddl;

/// The policy Group Policy wrote under `HKLM\Software\Policies\Kepil`, as the TOML table a
/// policy file would hold; only Windows has one.
#[cfg(not(windows))]
pub fn managed_policy() -> Result<Option<toml::Table>, String> {
    Ok(None)
}
