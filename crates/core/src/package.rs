//! The encrypted package: one standard age file per transfer, streamed both ways.
//!
//! The age file has one X25519 stanza per grant (recipient), so any age tool can open it with
//! the derived identity. Its payload is Kepil's own small container:
//!
//! ```text
//! "KEPIL\0PKG"  u8 format version (2; 1 is still read)
//! u32 big-endian manifest length (<= 1 MiB, checked before anything is allocated), manifest JSON
//! for each file in manifest order: its bytes (exactly `size`), then its 32-byte hash
//!   (BLAKE3 in format 2, SHA-256 in format 1)
//! end of payload (anything after is an error)
//! ```
//!
//! Each file's hash follows its bytes (rather than sitting in the manifest) so that the sender
//! reads every file exactly once, streaming, and the recipient can still show the manifest
//! ("3 files, SULIT, from ...") before a single byte of a file is written.
//!
//! - [`Plan`] stats the files, builds the manifest and knows the exact length of the age
//!   file before it is written (the tus `Upload-Length`).
//! - [`encrypt`] streams the plan into any [`std::io::Write`] in constant memory.
//! - [`PackageReader`] decrypts the header and the manifest, then [`PackageReader::extract_to`]
//!   writes the files to hidden temporary files and renames them into place only once the whole
//!   age stream has been authenticated; any failure leaves nothing behind.
//! - [`open_age`] is the age-decryption layer both the package reader and the age test-vector
//!   suite go through, so the error mapping tested against the vectors is the one users see.
//!
//! Decryption is age's own (`age::Decryptor`). Encryption writes the same age v1 format with a
//! small writer of our own (`age_write`), because age's `Encryptor` adds a random-length
//! "grease" stanza that makes the output length unpredictable; see that module.

mod age_io;
mod age_write;
mod encrypt;
mod error;
mod extract;
mod format;
mod inspect;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub use age_io::{AgeReader, open_age};
pub use age_write::{StreamKeys, StreamKeysError};
pub use encrypt::{Plan, encrypt, encrypt_inspected, encrypt_with, stream_keys};
pub use error::{DecryptError, EncryptError};
pub use extract::{PackageReader, SavedFile};
pub use format::{
    Details, FORMAT_VERSION, FileEntry, MAGIC, MAX_FILES, MAX_HEADER_LEN, MAX_MANIFEST_LEN,
    MAX_RECIPIENTS, Manifest, SenderScan, age_encrypted_len,
};
pub use inspect::{Inspector, NoInspection, Stop};

/// How far an operation has got, in bytes of plaintext payload (manifest, file contents and
/// hashes): `done` reaches `total` when the operation is complete.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
}

/// A cancel flag shared between the UI and a running encrypt or extract. Cloning is cheap
/// and every clone sees the same flag. The operation checks it between chunks, so it stops
/// within about one buffer (1 MiB) of work.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Asks every operation holding a clone of this flag to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}
