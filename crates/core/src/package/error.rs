//! Errors of the two package operations, each with a stable code and the params its
//! catalogue message (i18n/<lang>/core.ftl) names.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::classification::{Classification, ClassificationError};
use crate::message::{Coded, Lang, clip};

/// Why building a plan or encrypting a package failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum EncryptError {
    /// `encrypt` was called with no recipient.
    NoRecipients,
    /// More recipients than one package supports ([`super::MAX_RECIPIENTS`]).
    TooManyRecipients { count: usize, max: usize },
    /// RAHSIA / RAHSIA BESAR: refused before any file is read.
    Classification(ClassificationError),
    /// Details that cannot go into a manifest (e.g. an expiry before creation).
    InvalidDetails { reason: &'static str },
    /// A selected path is a folder or something else that is not a regular file.
    NotAFile { path: PathBuf },
    /// A selected file could not be opened or read.
    Io { path: PathBuf, source: io::Error },
    /// A file's size changed between planning and reading it (someone is still writing it),
    /// so the announced upload length would be wrong.
    FileChanged {
        path: PathBuf,
        expected: u64,
        found: u64,
    },
    /// The manifest (names, subject, message) is over [`super::MAX_MANIFEST_LEN`].
    ManifestTooLarge { len: u64, max: u64 },
    /// More files than one package may hold ([`super::MAX_FILES`]).
    TooManyFiles { count: usize, max: usize },
    /// Writing the encrypted output failed (disk, network).
    Write { source: io::Error },
    /// The user cancelled.
    Cancelled,
    /// The [`super::Inspector`] stopped it (a malware scanner's detection or failure); the
    /// inspector knows and tells why.
    Stopped,
    /// A bug or an unexpected change in the age library (e.g. the output length differs
    /// from the announced one). Never caused by user input.
    Internal { detail: String },
}

/// Why opening or extracting a package failed. On every error, nothing is left in the
/// destination folder.
#[derive(Debug)]
#[non_exhaustive]
pub enum DecryptError {
    /// The input does not start like an age file at all.
    NotAnAgeFile,
    /// An ASCII-armored ("-----BEGIN AGE ENCRYPTED FILE-----") age file; Kepil packages are
    /// always binary, so armor is not accepted.
    Armored,
    /// The age header is malformed (a damaged or forged file).
    HeaderCorrupt,
    /// A newer age or Kepil format than this version understands.
    UnsupportedFormatVersion { version: String },
    /// None of the recipient stanzas opens with this key: the link and password do not
    /// belong to this package.
    WrongKey,
    /// The header authentication (HMAC) failed: the header was altered.
    Tampered,
    /// An encrypted chunk failed authentication or the stream is malformed: the data was
    /// altered or damaged.
    Corrupt,
    /// The input ended before the end of the encrypted stream (an incomplete download).
    Truncated,
    /// A valid age file that this key opens, but not a Kepil package.
    NotAKepilPackage,
    /// The manifest length prefix is over [`super::MAX_MANIFEST_LEN`]; rejected before
    /// anything was allocated.
    ManifestTooLarge { len: u64, max: u64 },
    /// The manifest is not valid (JSON, fields, sizes).
    ManifestInvalid { reason: String },
    /// The sender sealed the package as RAHSIA or RAHSIA BESAR, which Kepil never opens
    /// (guideline 1.4.1 l iii, 3.2 A ii 6): to be reported, not saved.
    ClassificationRefused { classification: Classification },
    /// The manifest lists more files than one package may hold ([`super::MAX_FILES`]).
    TooManyFiles { count: usize, max: usize },
    /// The authenticated payload ends before the files the manifest lists.
    ManifestMismatch,
    /// A file's hash (BLAKE3 in format 2, SHA-256 in format 1) does not match the one the
    /// sender computed.
    FileHashMismatch { name: String },
    /// There is data after the end of the package.
    TrailingData,
    /// The user cancelled.
    Cancelled,
    /// The [`super::Inspector`] stopped it before anything was saved; it knows why.
    Stopped,
    /// Reading the encrypted input failed (disk, network).
    Read { source: io::Error },
    /// The destination folder is missing, read-only or not ours to write.
    DestinationNotWritable { path: PathBuf, source: io::Error },
    /// The destination disk is full.
    DiskFull { path: PathBuf },
    /// Writing, syncing or renaming a file in the destination failed.
    Io { path: PathBuf, source: io::Error },
}

/// An I/O error as a message shows it: the OS's short text, without control characters.
fn reason(e: &io::Error) -> String {
    clip(&e.to_string(), 200)
}

fn shown(p: &Path) -> String {
    clip(&p.display().to_string(), 200)
}

/// A manifest name is the sender's text: shown only sanitised (no bidi tricks) and short.
fn shown_name(name: &str) -> String {
    clip(&crate::filename::sanitize(name), 80)
}

impl EncryptError {
    pub(crate) fn io(path: &Path, source: io::Error) -> EncryptError {
        EncryptError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

impl DecryptError {
    /// Maps an error writing into the destination to the most useful variant.
    pub(crate) fn dest(path: &Path, source: io::Error) -> DecryptError {
        match source.kind() {
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => DecryptError::DiskFull {
                path: path.to_owned(),
            },
            _ => DecryptError::Io {
                path: path.to_owned(),
                source,
            },
        }
    }

    /// Maps an error creating a file in the destination folder.
    pub(crate) fn dest_create(dir: &Path, source: io::Error) -> DecryptError {
        match source.kind() {
            io::ErrorKind::PermissionDenied
            | io::ErrorKind::ReadOnlyFilesystem
            | io::ErrorKind::NotFound
            | io::ErrorKind::NotADirectory => DecryptError::DestinationNotWritable {
                path: dir.to_owned(),
                source,
            },
            _ => DecryptError::dest(dir, source),
        }
    }
}

impl Coded for EncryptError {
    fn code(&self) -> &'static str {
        match self {
            EncryptError::NoRecipients => "package_no_recipients",
            EncryptError::TooManyRecipients { .. } => "package_too_many_recipients",
            EncryptError::Classification(e) => e.code(),
            EncryptError::InvalidDetails { .. } => "package_details_invalid",
            EncryptError::NotAFile { .. } => "package_not_a_file",
            EncryptError::Io { .. } => "package_file_unreadable",
            EncryptError::FileChanged { .. } => "package_file_changed",
            EncryptError::ManifestTooLarge { .. } => "package_manifest_too_large",
            EncryptError::TooManyFiles { .. } => "package_too_many_files",
            EncryptError::Write { .. } => "package_write_failed",
            EncryptError::Cancelled => "cancelled",
            EncryptError::Stopped => "package_inspection_stopped",
            EncryptError::Internal { .. } => "package_internal_error",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        use EncryptError as E;
        match self {
            E::TooManyRecipients { count, max } => {
                vec![("count", count.to_string()), ("max", max.to_string())]
            }
            E::Classification(e) => e.params(),
            E::InvalidDetails { reason } => vec![("reason", (*reason).to_owned())],
            E::NotAFile { path } => vec![("path", shown(path))],
            E::Io { path, source } => vec![("path", shown(path)), ("reason", reason(source))],
            E::FileChanged {
                path,
                expected,
                found,
            } => vec![
                ("path", shown(path)),
                ("expected", expected.to_string()),
                ("found", found.to_string()),
            ],
            E::ManifestTooLarge { len, max } => vec![
                ("len", len.to_string()),
                ("max", max.to_string()),
                ("direction", "send".to_owned()),
            ],
            E::TooManyFiles { count, max } => vec![
                ("count", count.to_string()),
                ("max", max.to_string()),
                ("direction", "send".to_owned()),
            ],
            E::Write { source } => vec![("reason", reason(source))],
            E::Cancelled => vec![("direction", "send".to_owned())],
            E::Stopped => vec![("direction", "send".to_owned())],
            E::Internal { detail } => vec![("detail", clip(detail, 200))],
            E::NoRecipients => vec![],
        }
    }
}

impl Coded for DecryptError {
    fn code(&self) -> &'static str {
        use DecryptError as D;
        match self {
            D::NotAnAgeFile => "package_not_age",
            D::Armored => "package_armored",
            D::HeaderCorrupt => "package_header_corrupt",
            D::UnsupportedFormatVersion { .. } => "package_version_unsupported",
            D::WrongKey => "package_wrong_key",
            D::Tampered => "package_tampered",
            D::Corrupt => "package_corrupt",
            D::Truncated => "package_truncated",
            D::NotAKepilPackage => "package_not_kepil",
            D::ManifestTooLarge { .. } => "package_manifest_too_large",
            D::ManifestInvalid { .. } => "package_manifest_invalid",
            D::ClassificationRefused { .. } => "package_classification_refused",
            D::TooManyFiles { .. } => "package_too_many_files",
            D::ManifestMismatch => "package_manifest_mismatch",
            D::FileHashMismatch { .. } => "package_file_hash_mismatch",
            D::TrailingData => "package_trailing_data",
            D::Cancelled => "cancelled",
            D::Stopped => "package_inspection_stopped",
            D::Read { .. } => "package_read_failed",
            D::DestinationNotWritable { .. } => "destination_not_writable",
            D::DiskFull { .. } => "disk_full",
            D::Io { .. } => "file_write_failed",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        use DecryptError as D;
        match self {
            D::UnsupportedFormatVersion { version } => vec![("version", version.clone())],
            D::ManifestTooLarge { len, max } => vec![
                ("len", len.to_string()),
                ("max", max.to_string()),
                ("direction", "receive".to_owned()),
            ],
            D::ManifestInvalid { reason } => vec![("reason", clip(reason, 200))],
            D::ClassificationRefused { classification } => vec![
                ("classification", classification.as_str().to_owned()),
                (
                    "classification_en",
                    classification.english_name().to_owned(),
                ),
            ],
            D::TooManyFiles { count, max } => vec![
                ("count", count.to_string()),
                ("max", max.to_string()),
                ("direction", "receive".to_owned()),
            ],
            D::FileHashMismatch { name } => vec![("name", shown_name(name))],
            D::Cancelled | D::Stopped => vec![("direction", "receive".to_owned())],
            D::Read { source } => vec![("reason", reason(source))],
            D::DestinationNotWritable { path, source } | D::Io { path, source } => {
                vec![("path", shown(path)), ("reason", reason(source))]
            }
            D::DiskFull { path } => vec![("path", shown(path))],
            _ => vec![],
        }
    }
}

impl fmt::Display for EncryptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl fmt::Display for DecryptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for EncryptError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EncryptError::Io { source, .. } | EncryptError::Write { source } => Some(source),
            EncryptError::Classification(e) => Some(e),
            _ => None,
        }
    }
}

impl std::error::Error for DecryptError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DecryptError::Read { source }
            | DecryptError::DestinationNotWritable { source, .. }
            | DecryptError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<ClassificationError> for EncryptError {
    fn from(e: ClassificationError) -> Self {
        EncryptError::Classification(e)
    }
}
