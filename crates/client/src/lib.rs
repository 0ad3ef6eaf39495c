//! Kepil's client: everything a sender or a recipient does against a Kepil store, for both faces
//! of Kepil (the `kepil` CLI and the desktop app). Nothing a user can do may live only in a face.
//!
//! - [`send`]: check, derive, encrypt and upload one transfer (pipelined, resumable), and resume
//!   an upload after the process died ([`send::resume`]).
//! - [`receive`]: prove the password, look at the manifest, save the files; or fetch the raw
//!   ciphertext and export the age identity for any age tool.
//! - [`manage`]: status and revoke for the sender.
//! - [`signin`]: sign-in with the agency's OpenID provider (browser, device code or a pasted
//!   address), the store session it leads to, its renewal and sign-out.
//! - [`bearer`]: which credential a sender's requests carry (machine token or session).
//! - [`account`]: who am I, my transfers from any computer, revoke by id; the administrator's
//!   search, revoke, disable and enable.
//! - [`api`]: the store's HTTP API, one method per route.
//! - [`settings`]: directories, the config file, store URL / token / language resolution.
//! - [`system_policy`]: what agency IT locks on a managed desktop (`/etc/kepil/policy.toml`).
//! - [`secrets`]: the OS keyring with a 0600-file fallback (uploader token, owner tokens).
//! - [`history`]: the sender's local list of transfers (ids, labels, what was handed over; no
//!   secrets).
//! - [`handover`]: the links and passwords still to hand over, in the keyring until given.
//! - [`recipients`]: the recipient addresses and SMS phone numbers both faces accept.
//! - [`error`]: one error enum per operation, each implementing [`kepil_core::message::Coded`].

#![forbid(unsafe_code)]

pub mod account;
pub mod api;
pub mod bearer;
pub mod duration;
pub mod error;
pub mod handover;
pub mod history;
pub mod manage;
pub mod origin;
mod pipe;
pub mod platform;
pub mod progress;
pub mod receive;
pub mod recipients;
pub mod retry;
pub mod scan;
pub mod secrets;
pub mod send;
pub mod settings;
pub mod signin;
pub mod store_trust;
pub mod system_policy;

pub use error::{
    AccountError, ConfigError, HandoverError, ManageError, NetError, ReceiveError, ReceiveWarning,
    SendError, SessionError, SignInError,
};
pub use progress::{Cancel, Phase, ProgressEvent, ProgressFn};

/// Tokens, passwords and links with their secret: core's zeroizing, `<redacted>`-printing
/// string, so the CLI and the app handle every secret through one type.
pub use kepil_core::secret::SecretString;

/// Restricts a file the process is about to write secrets or ciphertext into to its owner.
pub(crate) fn owner_only(options: &mut std::fs::OpenOptions) -> &mut std::fs::OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// Creates a directory (and parents) that only the owner may enter.
pub(crate) fn private_dir(path: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically (temporary file, fsync, rename) with owner-only access.
pub(crate) fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    private_dir(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("kepil"),
        std::process::id()
    ));
    {
        let mut file = owner_only(
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true),
        )
        .open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}
