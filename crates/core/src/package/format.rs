//! The payload layout, the manifest, and the exact length arithmetic of the age file.

use serde::{Deserialize, Serialize};
use time::{OffsetDateTime, UtcOffset};

use crate::classification::Classification;

/// The first bytes of every Kepil payload (inside the age encryption).
pub const MAGIC: &[u8; 9] = b"KEPIL\0PKG";
/// The payload format this code writes. It is also the manifest's `format_version`.
///
/// - 1: each file is followed by its SHA-256.
/// - 2: each file is followed by its BLAKE3 hash. The layout is otherwise unchanged; the hash
///   changed because it runs over every byte on both ends (about 5 GB/s per core here against
///   SHA-256's 1.4 GB/s with SHA-NI), which made it the largest cost of a send and a receive.
///
/// Both are read, so a package sent by an older Kepil still opens.
pub const FORMAT_VERSION: u8 = 2;

/// The per-file hash a payload format uses, or `None` for a format this code cannot read.
pub(crate) fn file_hash_of(version: u64) -> Option<FileHash> {
    match version {
        1 => Some(FileHash::Sha256),
        2 => Some(FileHash::Blake3),
        _ => None,
    }
}

/// The hash that follows each file in the payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FileHash {
    Sha256,
    Blake3,
}

impl FileHash {
    /// The hash of [`FORMAT_VERSION`].
    pub(crate) const CURRENT: FileHash = FileHash::Blake3;

    pub(crate) fn hasher(self) -> FileHasher {
        match self {
            FileHash::Sha256 => FileHasher::Sha256(Box::default()),
            FileHash::Blake3 => FileHasher::Blake3(Box::default()),
        }
    }
}

/// A running per-file hash (both produce [`HASH_LEN`] bytes).
pub(crate) enum FileHasher {
    Sha256(Box<sha2::Sha256>),
    Blake3(Box<blake3::Hasher>),
}

impl FileHasher {
    pub(crate) fn update(&mut self, data: &[u8]) {
        match self {
            FileHasher::Sha256(h) => sha2::Digest::update(h.as_mut(), data),
            FileHasher::Blake3(h) => {
                h.update(data);
            }
        }
    }

    pub(crate) fn finalize(self) -> [u8; HASH_LEN as usize] {
        match self {
            FileHasher::Sha256(h) => sha2::Digest::finalize(*h).into(),
            FileHasher::Blake3(h) => h.finalize().into(),
        }
    }
}
/// The largest manifest accepted, checked on the length prefix before anything is
/// allocated or parsed, so a hostile sender cannot make the recipient allocate gigabytes.
pub const MAX_MANIFEST_LEN: u32 = 1 << 20;
/// The most files one package may hold. Ten thousand is far beyond what anyone attaches (a
/// folder of that size goes in an archive), and it bounds what a hostile manifest can make the
/// recipient do: its names are shown, sanitised and de-duplicated, and a file is created, synced
/// and renamed for each. The sender's side refuses to build a larger package, so the limit is
/// met on both ends. (The 1 MiB manifest alone would allow some 45 000 empty files.)
pub const MAX_FILES: usize = 10_000;
/// The most recipients (grants) one package may have. It keeps the age header well below
/// [`MAX_HEADER_LEN`], which the reader enforces before age parses anything.
pub const MAX_RECIPIENTS: usize = 256;
/// The largest age header (and nonce) the reader accepts. age's header parser keeps the whole
/// header in memory and re-parses it per line, so it must be bounded; 256 X25519 stanzas
/// take 25 158 bytes.
pub const MAX_HEADER_LEN: u64 = 32 * 1024;

pub(crate) const HASH_LEN: u64 = 32;
/// magic + version byte + u32 manifest length.
pub(crate) const PREFIX_LEN: u64 = MAGIC.len() as u64 + 1 + 4;

// age v1 constants (c2sp.org/age); the encrypt path checks the real output against these.
const AGE_CHUNK: u64 = 64 * 1024;
const AGE_TAG: u64 = 16;
const AGE_NONCE: u64 = 16;
/// "age-encryption.org/v1\n"
const AGE_VERSION_LINE: u64 = 22;
/// "-> X25519 " + 43 base64 characters of the ephemeral share + "\n", then the 32-byte
/// wrapped file key as 43 base64 characters + "\n" (one short line, so no extra empty line).
const AGE_X25519_STANZA: u64 = 3 + 6 + 1 + 43 + 1 + 43 + 1;
/// "--- " + 43 base64 characters of the HMAC + "\n"
const AGE_MAC_LINE: u64 = 4 + 43 + 1;

/// Length of the age header with `recipients` X25519 stanzas, without the payload nonce.
pub(crate) fn age_header_len(recipients: usize) -> u64 {
    AGE_VERSION_LINE + AGE_X25519_STANZA * recipients as u64 + AGE_MAC_LINE
}

/// Length of the STREAM-encrypted payload (after the nonce): every 64 KiB chunk gets a
/// 16-byte tag, and there is always at least one (possibly empty) chunk. A payload that is
/// an exact multiple of 64 KiB ends with a full chunk, not an empty one.
pub(crate) fn age_stream_len(payload_len: u64) -> u64 {
    let chunks = payload_len.div_ceil(AGE_CHUNK).max(1);
    payload_len + chunks * AGE_TAG
}

/// The exact length in bytes of an age file holding `payload_len` bytes of plaintext,
/// encrypted to `recipients` X25519 recipients.
pub fn age_encrypted_len(payload_len: u64, recipients: usize) -> u64 {
    age_header_len(recipients) + AGE_NONCE + age_stream_len(payload_len)
}

/// What the sender fills in about a transfer; [`crate::package::Plan::new`] adds the files.
#[derive(Clone, Debug)]
pub struct Details {
    pub classification: Classification,
    /// Who sends it, as the recipient should see it (normally the sender's email address).
    pub sender: String,
    /// Subject or file reference ("Rujukan").
    pub subject: String,
    /// A short note to the recipient.
    pub message: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    /// The malware scan the sender's Kepil runs over every file as it is packaged, if any.
    pub scan: Option<SenderScan>,
}

/// The sender's malware scan, sealed in the manifest (MyGovUC guideline 3.2 A ii 7): the
/// engine and signatures that scanned every file as it was read for encryption. Kepil
/// completes a package only when every file's verdict was clean (each file's hash is written
/// after its verdict), so a package that opens and carries this record was scanned clean by
/// the sender's Kepil. It is the sender's word, like the rest of the manifest: the recipient's
/// own scan does not rely on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SenderScan {
    /// `ClamAV 1.4.6`.
    pub engine: String,
    /// The signature database's version, when the engine reports one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signatures: Option<u64>,
    /// When that database was built, when the engine reports it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub signatures_date: Option<OffsetDateTime>,
    /// When the scan of this package started.
    #[serde(with = "time::serde::rfc3339")]
    pub scanned_at: OffsetDateTime,
}

/// The manifest: what the recipient sees before any file is written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format_version: u32,
    pub classification: Classification,
    pub sender: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub subject: String,
    pub message: String,
    pub files: Vec<FileEntry>,
    /// Absent when the sender's Kepil did not scan (none configured, or an older Kepil).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan: Option<SenderScan>,
}

/// One file in the manifest. `name` is the sender's base name, untrusted on the receiving
/// side: it is sanitised before it is used as a path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub name: String,
    pub size: u64,
}

impl Manifest {
    /// Sum of the file sizes, or `None` if a hostile manifest overflows `u64`.
    pub fn total_file_bytes(&self) -> Option<u64> {
        self.files
            .iter()
            .try_fold(0u64, |acc, f| acc.checked_add(f.size))
    }

    /// The exact plaintext payload length this manifest implies when its JSON takes
    /// `manifest_len` bytes, or `None` on overflow.
    pub(crate) fn payload_len(&self, manifest_len: u64) -> Option<u64> {
        self.files
            .iter()
            .try_fold(PREFIX_LEN + manifest_len, |acc, f| {
                acc.checked_add(f.size)?.checked_add(HASH_LEN)
            })
    }
}

/// Timestamps are stored in UTC with whole seconds so the manifest's length (and therefore
/// the age file's length, announced before encryption) does not depend on the clock's
/// sub-second digits or the local offset.
pub(crate) fn normalize_time(t: OffsetDateTime) -> OffsetDateTime {
    t.to_offset(UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(t)
}

/// The fixed-size prefix of the payload.
pub(crate) fn payload_prefix(version: u8, manifest_len: u32) -> [u8; PREFIX_LEN as usize] {
    let mut p = [0u8; PREFIX_LEN as usize];
    p[..MAGIC.len()].copy_from_slice(MAGIC);
    p[MAGIC.len()] = version;
    p[MAGIC.len() + 1..].copy_from_slice(&manifest_len.to_be_bytes());
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_len_counts_a_tag_per_chunk_and_at_least_one_chunk() {
        assert_eq!(age_stream_len(0), 16);
        assert_eq!(age_stream_len(1), 17);
        assert_eq!(age_stream_len(65536), 65536 + 16);
        assert_eq!(age_stream_len(65537), 65537 + 32);
        assert_eq!(age_header_len(1), 168);
    }

    #[test]
    fn the_current_format_uses_the_current_hash() {
        assert_eq!(
            file_hash_of(u64::from(FORMAT_VERSION)),
            Some(FileHash::CURRENT)
        );
    }

    #[test]
    fn prefix_layout() {
        let p = payload_prefix(2, 0x0102_0304);
        assert_eq!(&p[..9], b"KEPIL\0PKG");
        assert_eq!(p[9], 2);
        assert_eq!(&p[10..], &[1, 2, 3, 4]);
    }
}
