//! Progress reporting and cancellation shared by every long operation.

use std::sync::Arc;

pub use kepil_core::package::Cancel;

/// Which step a long operation is in; a face shows one bar per phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Argon2id for every recipient (sender) or for this recipient.
    Deriving,
    /// Plaintext bytes read and encrypted (of the payload length).
    Encrypting,
    /// Files the malware scanner has answered for (of the package's files). The scanner is
    /// fed as the files are encrypted or decrypted; this counts its verdicts, each given at a
    /// file's end.
    Scanning,
    /// Ciphertext bytes sent to the store (of the blob length); after a cut it goes back to
    /// what the store has.
    Uploading,
    /// Ciphertext bytes received (of the blob length).
    Downloading,
    /// Plaintext bytes written (of the payload length).
    Saving,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgressEvent {
    pub phase: Phase,
    pub done: u64,
    pub total: u64,
}

/// Called from any thread, often; must be cheap.
pub type ProgressFn = Arc<dyn Fn(ProgressEvent) + Send + Sync>;

/// A progress sink that ignores everything.
pub fn silent() -> ProgressFn {
    Arc::new(|_| {})
}
