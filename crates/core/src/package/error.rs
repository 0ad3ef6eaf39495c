//! Errors of the two package operations, each with a stable code and BM/EN messages.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::classification::ClassificationError;
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
    /// Writing the encrypted output failed (disk, network).
    Write { source: io::Error },
    /// The user cancelled.
    Cancelled,
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
    /// The authenticated payload ends before the files the manifest lists.
    ManifestMismatch,
    /// A file's SHA-256 does not match the one the sender computed.
    FileHashMismatch { name: String },
    /// There is data after the end of the package.
    TrailingData,
    /// The user cancelled.
    Cancelled,
    /// Reading the encrypted input failed (disk, network).
    Read { source: io::Error },
    /// The destination folder is missing, read-only or not ours to write.
    DestinationNotWritable { path: PathBuf, source: io::Error },
    /// The destination disk is full.
    DiskFull { path: PathBuf },
    /// Writing, syncing or renaming a file in the destination failed.
    Io { path: PathBuf, source: io::Error },
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
            EncryptError::Write { .. } => "package_write_failed",
            EncryptError::Cancelled => "cancelled",
            EncryptError::Internal { .. } => "package_internal_error",
        }
    }

    fn message(&self, lang: Lang) -> String {
        use EncryptError as E;
        match (self, lang) {
            (E::NoRecipients, Lang::Ms) => {
                "Tiada penerima. Tambah sekurang-kurangnya seorang penerima.".into()
            }
            (E::NoRecipients, Lang::En) => "No recipient. Add at least one recipient.".into(),
            (E::TooManyRecipients { count, max }, Lang::Ms) => format!(
                "Terlalu ramai penerima ({count}); had satu penghantaran ialah {max}. \
                 Bahagikan penerima kepada beberapa penghantaran."
            ),
            (E::TooManyRecipients { count, max }, Lang::En) => format!(
                "Too many recipients ({count}); one transfer allows at most {max}. \
                 Split the recipients over several transfers."
            ),
            (E::Classification(e), lang) => e.message(lang),
            (E::InvalidDetails { reason }, Lang::Ms) => format!(
                "Butiran penghantaran tidak sah ({reason}). Semak tarikh luput dan cuba lagi."
            ),
            (E::InvalidDetails { reason }, Lang::En) => format!(
                "The transfer details are not valid ({reason}). Check the expiry date and try again."
            ),
            (E::NotAFile { path }, Lang::Ms) => format!(
                "\"{}\" bukan fail biasa (mungkin folder). Pilih fail sahaja; mampatkan folder \
                 menjadi fail ZIP dahulu jika perlu.",
                shown(path)
            ),
            (E::NotAFile { path }, Lang::En) => format!(
                "\"{}\" is not a regular file (perhaps a folder). Select files only; compress a \
                 folder into a ZIP file first if needed.",
                shown(path)
            ),
            (E::Io { path, source }, Lang::Ms) => format!(
                "Fail \"{}\" tidak dapat dibaca ({source}). Pastikan fail itu wujud dan anda \
                 mempunyai kebenaran membacanya, kemudian cuba lagi.",
                shown(path)
            ),
            (E::Io { path, source }, Lang::En) => format!(
                "File \"{}\" could not be read ({source}). Check that it exists and that you may \
                 read it, then try again.",
                shown(path)
            ),
            (
                E::FileChanged {
                    path,
                    expected,
                    found,
                },
                Lang::Ms,
            ) => format!(
                "Saiz fail \"{}\" berubah semasa disulitkan ({expected} bait dijangka, {found} \
                 ditemui). Tunggu sehingga fail itu selesai disimpan atau disalin, kemudian \
                 hantar semula.",
                shown(path)
            ),
            (
                E::FileChanged {
                    path,
                    expected,
                    found,
                },
                Lang::En,
            ) => format!(
                "File \"{}\" changed size while it was being encrypted ({expected} bytes \
                 expected, {found} found). Wait until it has finished saving or copying, then \
                 send again.",
                shown(path)
            ),
            (E::ManifestTooLarge { len, max }, Lang::Ms) => format!(
                "Senarai fail, subjek dan mesej terlalu panjang ({len} bait; had {max}). \
                 Pendekkan mesej atau kurangkan bilangan fail (mampatkan ke dalam ZIP)."
            ),
            (E::ManifestTooLarge { len, max }, Lang::En) => format!(
                "The file list, subject and message are too long ({len} bytes; limit {max}). \
                 Shorten the message or send fewer files (put them in a ZIP)."
            ),
            (E::Write { source }, Lang::Ms) => format!(
                "Pakej tersulit tidak dapat ditulis ({source}). Semak ruang cakera atau \
                 sambungan rangkaian dan cuba lagi."
            ),
            (E::Write { source }, Lang::En) => format!(
                "The encrypted package could not be written ({source}). Check the disk space or \
                 the network connection and try again."
            ),
            (E::Cancelled, Lang::Ms) => "Dibatalkan.".into(),
            (E::Cancelled, Lang::En) => "Cancelled.".into(),
            (E::Internal { detail }, Lang::Ms) => format!(
                "Ralat dalaman semasa menyulitkan ({detail}). Cuba lagi; jika berulang, \
                 laporkan kepada pentadbir IT."
            ),
            (E::Internal { detail }, Lang::En) => format!(
                "Internal error while encrypting ({detail}). Try again; if it happens again, \
                 report it to IT."
            ),
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
            E::NotAFile { path } | E::Io { path, .. } => vec![("path", shown(path))],
            E::FileChanged {
                path,
                expected,
                found,
            } => vec![
                ("path", shown(path)),
                ("expected", expected.to_string()),
                ("found", found.to_string()),
            ],
            E::ManifestTooLarge { len, max } => {
                vec![("len", len.to_string()), ("max", max.to_string())]
            }
            _ => vec![],
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
            D::ManifestMismatch => "package_manifest_mismatch",
            D::FileHashMismatch { .. } => "package_file_hash_mismatch",
            D::TrailingData => "package_trailing_data",
            D::Cancelled => "cancelled",
            D::Read { .. } => "package_read_failed",
            D::DestinationNotWritable { .. } => "destination_not_writable",
            D::DiskFull { .. } => "disk_full",
            D::Io { .. } => "file_write_failed",
        }
    }

    fn message(&self, lang: Lang) -> String {
        use DecryptError as D;
        // Every integrity failure ends the same way: nothing was saved, do not trust any copy,
        // ask for the file again.
        const NOTHING_MS: &str = "Tiada fail disimpan.";
        const NOTHING_EN: &str = "No file was saved.";
        match (self, lang) {
            (D::NotAnAgeFile, Lang::Ms) => format!(
                "Ini bukan pakej Kepil (bukan fail age). Pastikan anda membuka pautan atau fail \
                 yang betul. {NOTHING_MS}"
            ),
            (D::NotAnAgeFile, Lang::En) => format!(
                "This is not a Kepil package (not an age file). Make sure you opened the right \
                 link or file. {NOTHING_EN}"
            ),
            (D::Armored, Lang::Ms) => format!(
                "Ini fail age berperisai teks (\"-----BEGIN AGE ENCRYPTED FILE-----\"); Kepil \
                 hanya menerima fail age binari. Nyahperisai dengan `age -d` atau minta pengirim \
                 menghantar melalui Kepil. {NOTHING_MS}"
            ),
            (D::Armored, Lang::En) => format!(
                "This is an ASCII-armored age file (\"-----BEGIN AGE ENCRYPTED FILE-----\"); \
                 Kepil accepts binary age files only. Decrypt it with `age -d`, or ask the sender \
                 to send it through Kepil. {NOTHING_EN}"
            ),
            (D::HeaderCorrupt, Lang::Ms) => format!(
                "Pengepala pakej rosak atau telah diubah. Muat turun semula; jika berulang, minta \
                 pengirim menghantar semula. {NOTHING_MS}"
            ),
            (D::HeaderCorrupt, Lang::En) => format!(
                "The package header is damaged or was altered. Download it again; if this \
                 happens again, ask the sender to send it again. {NOTHING_EN}"
            ),
            (D::UnsupportedFormatVersion { version }, Lang::Ms) => format!(
                "Pakej ini dibuat dengan format yang lebih baharu ({version}). Kemas kini Kepil \
                 dan cuba lagi. {NOTHING_MS}"
            ),
            (D::UnsupportedFormatVersion { version }, Lang::En) => format!(
                "This package uses a newer format ({version}). Update Kepil and try again. \
                 {NOTHING_EN}"
            ),
            (D::WrongKey, Lang::Ms) => format!(
                "Pakej ini tidak dapat dibuka dengan pautan dan kata laluan ini. Setiap penerima \
                 mempunyai pautan dan kata laluan sendiri: pastikan kedua-duanya milik anda dan \
                 untuk penghantaran ini. {NOTHING_MS}"
            ),
            (D::WrongKey, Lang::En) => format!(
                "This package cannot be opened with this link and password. Each recipient has \
                 their own link and password: make sure both are yours and for this transfer. \
                 {NOTHING_EN}"
            ),
            (D::Tampered, Lang::Ms) => format!(
                "Pengesahan pengepala pakej gagal: pakej telah diubah selepas dihantar. Jangan \
                 gunakannya; minta pengirim menghantar semula dan maklumkan Pegawai Keselamatan \
                 ICT. {NOTHING_MS}"
            ),
            (D::Tampered, Lang::En) => format!(
                "The package header failed authentication: it was altered after it was sent. Do \
                 not use it; ask the sender to send it again and inform your ICT Security \
                 Officer. {NOTHING_EN}"
            ),
            (D::Corrupt, Lang::Ms) => format!(
                "Kandungan pakej gagal pengesahan: ia rosak atau telah diubah. Muat turun semula; \
                 jika berulang, minta pengirim menghantar semula. {NOTHING_MS}"
            ),
            (D::Corrupt, Lang::En) => format!(
                "The package contents failed authentication: they are damaged or were altered. \
                 Download it again; if this happens again, ask the sender to send it again. \
                 {NOTHING_EN}"
            ),
            (D::Truncated, Lang::Ms) => format!(
                "Pakej tidak lengkap (muat turun terputus). Muat turun semula. {NOTHING_MS}"
            ),
            (D::Truncated, Lang::En) => format!(
                "The package is incomplete (the download was cut short). Download it again. \
                 {NOTHING_EN}"
            ),
            (D::NotAKepilPackage, Lang::Ms) => format!(
                "Fail age ini dibuka dengan kunci anda tetapi ia bukan pakej Kepil. Buka dengan \
                 alat age biasa atau minta pengirim menghantar melalui Kepil. {NOTHING_MS}"
            ),
            (D::NotAKepilPackage, Lang::En) => format!(
                "This age file opens with your key but is not a Kepil package. Open it with a \
                 plain age tool, or ask the sender to send it through Kepil. {NOTHING_EN}"
            ),
            (D::ManifestTooLarge { len, max }, Lang::Ms) => format!(
                "Senarai kandungan pakej terlalu besar ({len} bait; had {max}) dan ditolak. \
                 Minta pengirim menghantar semula menggunakan Kepil. {NOTHING_MS}"
            ),
            (D::ManifestTooLarge { len, max }, Lang::En) => format!(
                "The package's table of contents is too large ({len} bytes; limit {max}) and was \
                 rejected. Ask the sender to send it again with Kepil. {NOTHING_EN}"
            ),
            (D::ManifestInvalid { reason }, Lang::Ms) => format!(
                "Senarai kandungan pakej tidak sah ({reason}). Minta pengirim menghantar semula \
                 menggunakan Kepil versi terkini. {NOTHING_MS}"
            ),
            (D::ManifestInvalid { reason }, Lang::En) => format!(
                "The package's table of contents is not valid ({reason}). Ask the sender to send \
                 it again with a current version of Kepil. {NOTHING_EN}"
            ),
            (D::ManifestMismatch, Lang::Ms) => format!(
                "Kandungan pakej tidak sepadan dengan senarai failnya. Minta pengirim menghantar \
                 semula. {NOTHING_MS}"
            ),
            (D::ManifestMismatch, Lang::En) => format!(
                "The package contents do not match its list of files. Ask the sender to send it \
                 again. {NOTHING_EN}"
            ),
            (D::FileHashMismatch { name }, Lang::Ms) => format!(
                "Semakan SHA-256 fail \"{}\" gagal: fail itu tidak sama dengan yang dihantar. \
                 Minta pengirim menghantar semula. {NOTHING_MS}",
                shown_name(name)
            ),
            (D::FileHashMismatch { name }, Lang::En) => format!(
                "The SHA-256 check of file \"{}\" failed: it is not the file that was sent. Ask \
                 the sender to send it again. {NOTHING_EN}",
                shown_name(name)
            ),
            (D::TrailingData, Lang::Ms) => format!(
                "Terdapat data tambahan selepas penghujung pakej; ia mungkin telah diubah. Muat \
                 turun semula atau minta pengirim menghantar semula. {NOTHING_MS}"
            ),
            (D::TrailingData, Lang::En) => format!(
                "There is extra data after the end of the package; it may have been altered. \
                 Download it again or ask the sender to send it again. {NOTHING_EN}"
            ),
            (D::Cancelled, Lang::Ms) => format!("Dibatalkan. {NOTHING_MS}"),
            (D::Cancelled, Lang::En) => format!("Cancelled. {NOTHING_EN}"),
            (D::Read { source }, Lang::Ms) => format!(
                "Pakej tidak dapat dibaca ({source}). Semak sambungan atau fail dan cuba lagi. \
                 {NOTHING_MS}"
            ),
            (D::Read { source }, Lang::En) => format!(
                "The package could not be read ({source}). Check the connection or the file and \
                 try again. {NOTHING_EN}"
            ),
            (D::DestinationNotWritable { path, source }, Lang::Ms) => format!(
                "Folder \"{}\" tidak boleh ditulis ({source}). Pilih folder lain yang anda \
                 boleh simpan fail. {NOTHING_MS}",
                shown(path)
            ),
            (D::DestinationNotWritable { path, source }, Lang::En) => format!(
                "Folder \"{}\" cannot be written to ({source}). Choose another folder where you \
                 can save files. {NOTHING_EN}",
                shown(path)
            ),
            (D::DiskFull { path }, Lang::Ms) => format!(
                "Cakera penuh semasa menulis ke \"{}\". Kosongkan ruang atau pilih folder lain, \
                 kemudian cuba lagi. {NOTHING_MS}",
                shown(path)
            ),
            (D::DiskFull { path }, Lang::En) => format!(
                "The disk is full while writing to \"{}\". Free some space or choose another \
                 folder, then try again. {NOTHING_EN}",
                shown(path)
            ),
            (D::Io { path, source }, Lang::Ms) => format!(
                "Gagal menulis \"{}\" ({source}). Semak folder destinasi dan cuba lagi. \
                 {NOTHING_MS}",
                shown(path)
            ),
            (D::Io { path, source }, Lang::En) => format!(
                "Could not write \"{}\" ({source}). Check the destination folder and try again. \
                 {NOTHING_EN}",
                shown(path)
            ),
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        use DecryptError as D;
        match self {
            D::UnsupportedFormatVersion { version } => vec![("version", version.clone())],
            D::ManifestTooLarge { len, max } => {
                vec![("len", len.to_string()), ("max", max.to_string())]
            }
            D::ManifestInvalid { reason } => vec![("reason", reason.clone())],
            D::FileHashMismatch { name } => vec![("name", shown_name(name))],
            D::DestinationNotWritable { path, .. } | D::DiskFull { path } | D::Io { path, .. } => {
                vec![("path", shown(path))]
            }
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
