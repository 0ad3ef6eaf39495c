//! One error enum per operation. Each implements [`Coded`]: a stable code, a BM and an EN
//! message that says what happened and what to do, and the values a UI interpolates.
//! No variant holds a secret, so `Debug` and `Display` are safe to log.

use std::path::PathBuf;

use kepil_core::message::{Coded, Lang};
use kepil_protocol::{ApiError, ErrorCode};
use thiserror::Error;

use crate::duration;
use crate::secrets::SecretStoreError;

fn say(lang: Lang, ms: String, en: String) -> String {
    match lang {
        Lang::Ms => ms,
        Lang::En => en,
    }
}

/// A failed exchange with the store.
#[derive(Debug, Error)]
pub enum NetError {
    /// Could not connect, the connection dropped, or it timed out.
    #[error("network error: {0}")]
    Transport(#[from] reqwest::Error),
    /// The store answered with one of its JSON errors.
    #[error("the store answered {status}: {error}")]
    Api { status: u16, error: ApiError },
    /// Something answered that is not the store's API (a proxy page, say).
    #[error("unexpected HTTP status {status}")]
    Http { status: u16 },
    /// The store's answer did not follow the protocol.
    #[error("protocol error: {0}")]
    Protocol(String),
    #[error("bad URL: {0}")]
    BadUrl(String),
    /// A CA certificate to trust (a managed desktop's policy) could not be read as PEM.
    #[error("bad CA certificate: {0}")]
    BadCertificate(String),
}

impl NetError {
    /// Worth retrying after a pause: dropped connections, timeouts, gateways, overload.
    pub fn is_transient(&self) -> bool {
        match self {
            NetError::Transport(e) => !e.is_builder() && !e.is_redirect(),
            NetError::Http { status } => matches!(status, 408 | 429 | 500 | 502 | 503 | 504),
            NetError::Api { error, .. } => {
                matches!(error.code, ErrorCode::RateLimited | ErrorCode::Internal)
            }
            NetError::Protocol(_) | NetError::BadUrl(_) | NetError::BadCertificate(_) => false,
        }
    }

    pub fn api_code(&self) -> Option<ErrorCode> {
        match self {
            NetError::Api { error, .. } => Some(error.code),
            _ => None,
        }
    }

    pub fn api(&self) -> Option<&ApiError> {
        match self {
            NetError::Api { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl Coded for NetError {
    fn code(&self) -> &'static str {
        match self {
            NetError::Transport(_) => "network",
            NetError::Api { error, .. } => error.code.as_str(),
            NetError::Http { .. } => "http_error",
            NetError::Protocol(_) => "protocol_error",
            NetError::BadUrl(_) => "bad_url",
            NetError::BadCertificate(_) => "bad_certificate",
        }
    }

    fn message(&self, lang: Lang) -> String {
        match self {
            NetError::Transport(e) => say(
                lang,
                format!("Tidak dapat berhubung dengan stor Kepil ({e}). Semak sambungan rangkaian dan cuba lagi."),
                format!("Could not reach the Kepil store ({e}). Check the network connection and try again."),
            ),
            NetError::Api { error, .. } => match error.code {
                ErrorCode::Unauthorized => say(
                    lang,
                    "Stor menolak token anda. Log masuk semula dengan `kepil login` atau minta token baharu daripada pentadbir.".into(),
                    "The store refused your token. Log in again with `kepil login` or ask the administrator for a new token.".into(),
                ),
                ErrorCode::RateLimited => say(
                    lang,
                    format!("Terlalu banyak permintaan. Tunggu {} saat dan cuba lagi.", error.retry_after_secs.unwrap_or(60)),
                    format!("Too many requests. Wait {} seconds and try again.", error.retry_after_secs.unwrap_or(60)),
                ),
                _ => say(
                    lang,
                    format!("Stor Kepil menolak permintaan ({}): {}", error.code, error.message),
                    format!("The Kepil store refused the request ({}): {}", error.code, error.message),
                ),
            },
            NetError::Http { status } => say(
                lang,
                format!("Stor Kepil memberi jawapan HTTP {status} yang tidak dijangka. Semak alamat stor atau cuba sebentar lagi."),
                format!("The Kepil store answered with an unexpected HTTP {status}. Check the store address or try again later."),
            ),
            NetError::Protocol(what) => say(
                lang,
                format!("Jawapan stor tidak mengikut protokol Kepil ({what}). Semak alamat stor; laporkan kepada pentadbir jika berulang."),
                format!("The store's answer does not follow the Kepil protocol ({what}). Check the store address; report it to the administrator if it persists."),
            ),
            NetError::BadUrl(url) => say(
                lang,
                format!("Alamat tidak sah: {url}"),
                format!("Invalid address: {url}"),
            ),
            NetError::BadCertificate(why) => say(
                lang,
                format!("Sijil CA agensi tidak dapat dibaca ({why}). Minta pentadbir ICT membetulkan fail sijil dalam polisi Kepil."),
                format!("The agency CA certificate cannot be read ({why}). Ask ICT to fix the certificate file named in the Kepil policy."),
            ),
        }
    }
}

/// Settings, directories and credentials.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("no home directory to keep settings in")]
    NoHomeDirectory,
    #[error("the config file {path} is malformed: {reason}")]
    BadConfigFile { path: PathBuf, reason: String },
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("not a valid store address: {url}")]
    BadStoreUrl { url: String },
    #[error("no store configured")]
    NoStore,
    #[error("no uploader token for {store}")]
    NoToken { store: String },
    #[error(transparent)]
    Secrets(#[from] SecretStoreError),
}

impl Coded for ConfigError {
    fn code(&self) -> &'static str {
        match self {
            ConfigError::NoHomeDirectory => "no_home_directory",
            ConfigError::BadConfigFile { .. } => "bad_config_file",
            ConfigError::Io { .. } => "config_io",
            ConfigError::BadStoreUrl { .. } => "bad_store_url",
            ConfigError::NoStore => "no_store",
            ConfigError::NoToken { .. } => "no_token",
            ConfigError::Secrets(_) => "credentials_unavailable",
        }
    }

    fn message(&self, lang: Lang) -> String {
        match self {
            ConfigError::NoHomeDirectory => say(
                lang,
                "Tiada direktori rumah untuk menyimpan tetapan. Tetapkan KEPIL_CONFIG_DIR.".into(),
                "There is no home directory to keep settings in. Set KEPIL_CONFIG_DIR.".into(),
            ),
            ConfigError::BadConfigFile { path, reason } => say(
                lang,
                format!("Fail tetapan {} rosak ({reason}). Betulkan atau padamkannya.", path.display()),
                format!("The config file {} is malformed ({reason}). Fix or remove it.", path.display()),
            ),
            ConfigError::Io { path, source } => say(
                lang,
                format!("Tidak dapat membaca atau menulis {} ({source}).", path.display()),
                format!("Cannot read or write {} ({source}).", path.display()),
            ),
            ConfigError::BadStoreUrl { url } => say(
                lang,
                format!("Alamat stor tidak sah: {url}. Gunakan https://... (http hanya untuk 127.0.0.1/localhost)."),
                format!("Invalid store address: {url}. Use https://... (http only for 127.0.0.1/localhost)."),
            ),
            ConfigError::NoStore => say(
                lang,
                "Tiada stor Kepil ditetapkan. Gunakan --store URL, KEPIL_STORE atau `store` dalam config.toml.".into(),
                "No Kepil store is configured. Use --store URL, KEPIL_STORE or `store` in config.toml.".into(),
            ),
            ConfigError::NoToken { store } => say(
                lang,
                format!("Tiada token pemuat naik untuk {store}. Jalankan `kepil login` atau tetapkan KEPIL_TOKEN."),
                format!("No uploader token for {store}. Run `kepil login` or set KEPIL_TOKEN."),
            ),
            ConfigError::Secrets(e) => say(
                lang,
                format!("Storan kelayakan tidak dapat digunakan ({e})."),
                format!("The credential store cannot be used ({e})."),
            ),
        }
    }
}

/// Sending (and resuming a send).
#[derive(Debug, Error)]
pub enum SendError {
    #[error(transparent)]
    Classification(#[from] kepil_core::classification::ClassificationError),
    #[error("no files to send")]
    NoFiles,
    #[error("no recipients")]
    NoRecipients,
    #[error("recipient {0:?} is named twice")]
    DuplicateRecipient(String),
    #[error("cannot read the files to send: {0}")]
    Files(kepil_core::package::EncryptError),
    #[error("the store does not accept {classification}")]
    ClassificationNotAccepted { classification: String },
    #[error("expiry {requested_secs}s is above the store's maximum {limit_secs}s")]
    ExpiryTooLong {
        requested_secs: u64,
        limit_secs: u64,
    },
    #[error("{requested} downloads is above the store's maximum {limit}")]
    TooManyDownloads { requested: u32, limit: u32 },
    #[error("{size} bytes is above the store's maximum {limit}")]
    TooLarge { size: u64, limit: u64 },
    #[error("the uploader quota would be exceeded")]
    QuotaExceeded { limit: Option<u64> },
    #[error("the store refused the uploader token")]
    Unauthorized,
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Kdf(#[from] kepil_core::kdf::KdfError),
    #[error("encryption failed: {0}")]
    Encrypt(kepil_core::package::EncryptError),
    #[error("cannot use the upload spool {path}: {source}")]
    Spool {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Secrets(#[from] SecretStoreError),
    #[error("the upload of {transfer_id} stopped: {source}")]
    Interrupted {
        transfer_id: String,
        source: NetError,
    },
    #[error(transparent)]
    Store(NetError),
    #[error("cancelled")]
    Cancelled,
    #[error("no interrupted upload to resume")]
    NothingToResume,
    #[error("several interrupted uploads: {ids:?}")]
    ResumeAmbiguous { ids: Vec<String> },
    #[error("the upload of {transfer_id} cannot be resumed: {reason}")]
    ResumeImpossible { transfer_id: String, reason: String },
    #[error("{path} changed after the upload of {transfer_id} started")]
    FilesChanged { transfer_id: String, path: PathBuf },
}

impl Coded for SendError {
    fn code(&self) -> &'static str {
        match self {
            SendError::Classification(e) => e.code(),
            SendError::NoFiles => "no_files",
            SendError::NoRecipients => "no_recipients",
            SendError::DuplicateRecipient(_) => "duplicate_recipient",
            SendError::Files(e) => e.code(),
            SendError::ClassificationNotAccepted { .. } => "classification_not_accepted",
            SendError::ExpiryTooLong { .. } => "expiry_too_long",
            SendError::TooManyDownloads { .. } => "too_many_downloads",
            SendError::TooLarge { .. } => "too_large",
            SendError::QuotaExceeded { .. } => "quota_exceeded",
            SendError::Unauthorized => "unauthorized",
            SendError::Config(e) => e.code(),
            SendError::Kdf(e) => e.code(),
            SendError::Encrypt(e) => e.code(),
            SendError::Spool { .. } => "spool_io",
            SendError::Secrets(_) => "credentials_unavailable",
            SendError::Interrupted { .. } => "upload_interrupted",
            SendError::Store(e) => e.code(),
            SendError::Cancelled => "cancelled",
            SendError::NothingToResume => "nothing_to_resume",
            SendError::ResumeAmbiguous { .. } => "resume_ambiguous",
            SendError::ResumeImpossible { .. } => "resume_impossible",
            SendError::FilesChanged { .. } => "files_changed",
        }
    }

    fn message(&self, lang: Lang) -> String {
        match self {
            SendError::Classification(e) => e.message(lang),
            SendError::NoFiles => say(lang, "Tiada fail untuk dihantar. Namakan sekurang-kurangnya satu fail.".into(), "No files to send. Name at least one file.".into()),
            SendError::NoRecipients => say(lang, "Tiada penerima. Gunakan --to sekurang-kurangnya sekali.".into(), "No recipients. Use --to at least once.".into()),
            SendError::DuplicateRecipient(r) => say(lang, format!("Penerima {r} dinamakan dua kali. Setiap penerima hanya sekali."), format!("Recipient {r} is named twice. Name each recipient once.")),
            SendError::Files(e) => e.message(lang),
            SendError::ClassificationNotAccepted { classification } => say(
                lang,
                format!("Stor ini tidak menerima fail {classification}. Hubungi pentadbir stor."),
                format!("This store does not accept {classification} files. Contact the store's administrator."),
            ),
            SendError::ExpiryTooLong { requested_secs, limit_secs } => say(
                lang,
                format!("Tempoh luput {} melebihi had stor ({}) bagi klasifikasi ini. Pilih --expires {} atau kurang; tiada apa-apa dimuat naik.", duration::format(*requested_secs), duration::format(*limit_secs), duration::format(*limit_secs)),
                format!("Expiry {} is above the store's maximum ({}) for this classification. Choose --expires {} or less; nothing was uploaded.", duration::format(*requested_secs), duration::format(*limit_secs), duration::format(*limit_secs)),
            ),
            SendError::TooManyDownloads { requested, limit } => say(
                lang,
                format!("{requested} muat turun melebihi had stor ({limit}) bagi setiap penerima. Pilih --max-downloads {limit} atau kurang; tiada apa-apa dimuat naik."),
                format!("{requested} downloads is above the store's maximum ({limit}) per recipient. Choose --max-downloads {limit} or less; nothing was uploaded."),
            ),
            SendError::TooLarge { size, limit } => say(
                lang,
                format!("Pakej tersulit ({size} bait) melebihi had stor ({limit} bait). Hantar fail yang lebih kecil atau bahagikannya."),
                format!("The encrypted package ({size} bytes) is above the store's maximum ({limit} bytes). Send smaller files or split them."),
            ),
            SendError::QuotaExceeded { .. } => say(
                lang,
                "Kuota muat naik anda di stor telah penuh. Batalkan pemindahan lama dengan `kepil revoke` atau hubungi pentadbir.".into(),
                "Your upload quota on the store is full. Revoke old transfers with `kepil revoke` or contact the administrator.".into(),
            ),
            SendError::Unauthorized => say(
                lang,
                "Stor menolak token pemuat naik anda. Jalankan `kepil login` dengan token yang sah.".into(),
                "The store refused your uploader token. Run `kepil login` with a valid token.".into(),
            ),
            SendError::Config(e) => e.message(lang),
            SendError::Kdf(e) => e.message(lang),
            SendError::Encrypt(e) => e.message(lang),
            SendError::Spool { path, source } => say(
                lang,
                format!("Tidak dapat menggunakan fail spool {} ({source}). Semak ruang cakera.", path.display()),
                format!("Cannot use the spool file {} ({source}). Check the free disk space.", path.display()),
            ),
            SendError::Secrets(e) => say(lang, format!("Storan kelayakan tidak dapat digunakan ({e})."), format!("The credential store cannot be used ({e}).")),
            SendError::Interrupted { transfer_id, source } => say(
                lang,
                format!("Muat naik terhenti ({}). Sambung semula dengan `kepil send --resume {transfer_id}`.", source.message(lang)),
                format!("The upload stopped ({}). Resume it with `kepil send --resume {transfer_id}`.", source.message(lang)),
            ),
            SendError::Store(e) => e.message(lang),
            SendError::Cancelled => say(lang, "Dibatalkan.".into(), "Cancelled.".into()),
            SendError::NothingToResume => say(lang, "Tiada muat naik tergendala untuk disambung.".into(), "There is no interrupted upload to resume.".into()),
            SendError::ResumeAmbiguous { ids } => say(
                lang,
                format!("Beberapa muat naik tergendala: {}. Namakan satu: `kepil send --resume ID`.", ids.join(", ")),
                format!("Several interrupted uploads: {}. Name one: `kepil send --resume ID`.", ids.join(", ")),
            ),
            SendError::ResumeImpossible { transfer_id, reason } => say(
                lang,
                format!("Muat naik {transfer_id} tidak dapat disambung ({reason}). Batalkannya dengan `kepil revoke {transfer_id}` dan hantar semula."),
                format!("The upload of {transfer_id} cannot be resumed ({reason}). Revoke it with `kepil revoke {transfer_id}` and send again."),
            ),
            SendError::FilesChanged { transfer_id, path } => say(
                lang,
                format!("Fail {} berubah selepas muat naik {transfer_id} bermula, jadi muat naik itu tidak dapat disiapkan. Pemindahan itu telah dibatalkan: hantar fail semula.", path.display()),
                format!("The file {} changed after the upload of {transfer_id} started, so that upload cannot be completed. The transfer was cancelled: send the files again.", path.display()),
            ),
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            SendError::ExpiryTooLong {
                requested_secs,
                limit_secs,
            } => vec![
                ("requested_secs", requested_secs.to_string()),
                ("limit_secs", limit_secs.to_string()),
            ],
            SendError::TooManyDownloads { requested, limit } => {
                vec![
                    ("requested", requested.to_string()),
                    ("limit", limit.to_string()),
                ]
            }
            SendError::TooLarge { size, limit } => {
                vec![("size", size.to_string()), ("limit", limit.to_string())]
            }
            SendError::Interrupted { transfer_id, .. }
            | SendError::ResumeImpossible { transfer_id, .. }
            | SendError::FilesChanged { transfer_id, .. } => {
                vec![("transfer_id", transfer_id.clone())]
            }
            SendError::Classification(e) => e.params(),
            _ => vec![],
        }
    }
}

/// Receiving, fetching the raw blob, exporting the identity.
#[derive(Debug, Error)]
pub enum ReceiveError {
    #[error(transparent)]
    Link(#[from] kepil_core::link::LinkError),
    #[error(transparent)]
    Password(#[from] kepil_core::password::PasswordError),
    #[error("this transfer needs a password")]
    PasswordRequired,
    #[error(transparent)]
    Kdf(#[from] kepil_core::kdf::KdfError),
    #[error("wrong password, {tries_left:?} tries left")]
    WrongPassword { tries_left: Option<u32> },
    #[error("locked after too many wrong passwords")]
    Locked,
    #[error("expired")]
    Expired,
    #[error("revoked by the sender")]
    Revoked,
    #[error("no downloads left")]
    UsedUp,
    #[error("unknown, expired, revoked or used up")]
    Unavailable,
    #[error("the sender's upload has not finished")]
    NotReady,
    #[error("rate limited")]
    RateLimited { retry_after_secs: Option<u64> },
    #[error("decryption failed: {0}")]
    Decrypt(kepil_core::package::DecryptError),
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} already exists")]
    OutputExists { path: PathBuf },
    #[error("download stopped: {0}")]
    Network(NetError),
    #[error(transparent)]
    Store(NetError),
    #[error("cancelled")]
    Cancelled,
    #[error("declined")]
    Declined,
}

impl ReceiveError {
    /// Maps the store's answer to a recipient's request onto the clear variants.
    pub fn from_net(error: NetError) -> ReceiveError {
        let Some(api) = error.api() else {
            return if matches!(error, NetError::Transport(_)) {
                ReceiveError::Network(error)
            } else {
                ReceiveError::Store(error)
            };
        };
        match api.code {
            ErrorCode::WrongPassword => ReceiveError::WrongPassword {
                tries_left: api.tries_left,
            },
            ErrorCode::Locked => ReceiveError::Locked,
            ErrorCode::Expired => ReceiveError::Expired,
            ErrorCode::Revoked => ReceiveError::Revoked,
            ErrorCode::UsedUp => ReceiveError::UsedUp,
            ErrorCode::Unavailable => ReceiveError::Unavailable,
            ErrorCode::NotReady => ReceiveError::NotReady,
            ErrorCode::RateLimited => ReceiveError::RateLimited {
                retry_after_secs: api.retry_after_secs,
            },
            _ => ReceiveError::Store(error),
        }
    }
}

impl Coded for ReceiveError {
    fn code(&self) -> &'static str {
        match self {
            ReceiveError::Link(e) => e.code(),
            ReceiveError::Password(e) => e.code(),
            ReceiveError::PasswordRequired => "password_required",
            ReceiveError::Kdf(e) => e.code(),
            ReceiveError::WrongPassword { .. } => "wrong_password",
            ReceiveError::Locked => "locked",
            ReceiveError::Expired => "expired",
            ReceiveError::Revoked => "revoked",
            ReceiveError::UsedUp => "used_up",
            ReceiveError::Unavailable => "unavailable",
            ReceiveError::NotReady => "not_ready",
            ReceiveError::RateLimited { .. } => "rate_limited",
            ReceiveError::Decrypt(e) => e.code(),
            ReceiveError::Io { .. } => "output_io",
            ReceiveError::OutputExists { .. } => "output_exists",
            ReceiveError::Network(_) => "network",
            ReceiveError::Store(e) => e.code(),
            ReceiveError::Cancelled => "cancelled",
            ReceiveError::Declined => "declined",
        }
    }

    fn message(&self, lang: Lang) -> String {
        match self {
            ReceiveError::Link(e) => e.message(lang),
            ReceiveError::Password(e) => e.message(lang),
            ReceiveError::PasswordRequired => say(lang, "Pemindahan ini memerlukan kata laluan yang dihantar kepada anda melalui saluran lain (SMS atau telefon).".into(), "This transfer needs the password sent to you by another channel (SMS or phone).".into()),
            ReceiveError::Kdf(e) => e.message(lang),
            ReceiveError::WrongPassword { tries_left: Some(n) } => say(
                lang,
                format!("Kata laluan salah. Tinggal {n} cubaan lagi sebelum pautan dikunci. Semak kata laluan dengan penghantar."),
                format!("Wrong password. {n} tries left before the link locks. Check the password with the sender."),
            ),
            ReceiveError::WrongPassword { tries_left: None } => say(
                lang,
                "Kata laluan salah. Semak kata laluan dengan penghantar.".into(),
                "Wrong password. Check the password with the sender.".into(),
            ),
            ReceiveError::Locked => say(
                lang,
                "Pautan ini dikunci selepas terlalu banyak kata laluan salah. Minta penghantar menghantar semula (pautan dan kata laluan baharu).".into(),
                "This link is locked after too many wrong passwords. Ask the sender to re-issue it (a new link and password).".into(),
            ),
            ReceiveError::Expired => say(lang, "Pemindahan ini telah luput. Minta penghantar menghantar semula.".into(), "This transfer has expired. Ask the sender to send it again.".into()),
            ReceiveError::Revoked => say(lang, "Penghantar telah membatalkan pautan ini. Hubungi penghantar jika anda masih memerlukan fail.".into(), "The sender revoked this link. Contact the sender if you still need the files.".into()),
            ReceiveError::UsedUp => say(lang, "Pautan ini telah digunakan sebanyak yang dibenarkan. Minta penghantar menghantar semula jika perlu.".into(), "This link has been used as many times as allowed. Ask the sender to send it again if needed.".into()),
            ReceiveError::Unavailable => say(
                lang,
                "Pautan ini tidak wujud atau tidak lagi tersedia (luput, dibatalkan atau telah digunakan). Semak pautan, atau minta penghantar menghantar semula.".into(),
                "This link does not exist or is no longer available (expired, revoked or used up). Check the link, or ask the sender to send again.".into(),
            ),
            ReceiveError::NotReady => say(lang, "Penghantar belum selesai memuat naik. Cuba lagi sebentar.".into(), "The sender has not finished uploading. Try again shortly.".into()),
            ReceiveError::RateLimited { retry_after_secs } => say(
                lang,
                format!("Terlalu banyak cubaan dari alamat ini. Tunggu {} saat dan cuba lagi.", retry_after_secs.unwrap_or(60)),
                format!("Too many attempts from this address. Wait {} seconds and try again.", retry_after_secs.unwrap_or(60)),
            ),
            ReceiveError::Decrypt(e) => e.message(lang),
            ReceiveError::Io { path, source } => say(lang, format!("Tidak dapat menulis {} ({source}).", path.display()), format!("Cannot write {} ({source}).", path.display())),
            ReceiveError::OutputExists { path } => say(lang, format!("{} sudah wujud. Pilih nama lain.", path.display()), format!("{} already exists. Choose another name.", path.display())),
            ReceiveError::Network(e) => say(
                lang,
                format!("Muat turun terhenti ({}). Cuba lagi; pautan yang sama boleh digunakan jika masih ada baki muat turun.", e.message(lang)),
                format!("The download stopped ({}). Try again; the same link works while downloads remain.", e.message(lang)),
            ),
            ReceiveError::Store(e) => e.message(lang),
            ReceiveError::Cancelled => say(lang, "Dibatalkan. Tiada fail disimpan.".into(), "Cancelled. No file was saved.".into()),
            ReceiveError::Declined => say(lang, "Tidak disimpan.".into(), "Not saved.".into()),
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            ReceiveError::WrongPassword {
                tries_left: Some(n),
            } => vec![("tries_left", n.to_string())],
            ReceiveError::RateLimited {
                retry_after_secs: Some(s),
            } => vec![("retry_after_secs", s.to_string())],
            _ => vec![],
        }
    }
}

/// Status and revoke.
#[derive(Debug, Error)]
pub enum ManageError {
    #[error("unknown transfer {id}")]
    UnknownTransfer { id: String },
    #[error("no owner token for {transfer_id}")]
    NoOwnerToken { transfer_id: String },
    #[error("no recipient {recipient} in {transfer_id}")]
    UnknownRecipient {
        transfer_id: String,
        recipient: String,
    },
    #[error("the store refused the owner token")]
    Unauthorized,
    #[error("the transfer is no longer on the store")]
    Unavailable,
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Secrets(#[from] SecretStoreError),
    #[error(transparent)]
    Store(NetError),
}

impl ManageError {
    pub fn from_net(error: NetError) -> ManageError {
        match error.api_code() {
            Some(ErrorCode::Unauthorized) => ManageError::Unauthorized,
            Some(ErrorCode::Unavailable) => ManageError::Unavailable,
            _ => ManageError::Store(error),
        }
    }
}

impl Coded for ManageError {
    fn code(&self) -> &'static str {
        match self {
            ManageError::UnknownTransfer { .. } => "unknown_transfer",
            ManageError::NoOwnerToken { .. } => "no_owner_token",
            ManageError::UnknownRecipient { .. } => "unknown_recipient",
            ManageError::Unauthorized => "unauthorized",
            ManageError::Unavailable => "unavailable",
            ManageError::Config(e) => e.code(),
            ManageError::Secrets(_) => "credentials_unavailable",
            ManageError::Store(e) => e.code(),
        }
    }

    fn message(&self, lang: Lang) -> String {
        match self {
            ManageError::UnknownTransfer { id } => say(
                lang,
                format!(
                    "Tiada pemindahan {id} dalam sejarah penghantaran komputer ini. Gunakan ID pemindahan atau pautan yang anda hantar dari komputer ini."
                ),
                format!(
                    "No transfer {id} in this computer's send history. Use a transfer ID or a link you sent from this computer."
                ),
            ),
            ManageError::NoOwnerToken { transfer_id } => say(
                lang,
                format!(
                    "Token pemilik bagi {transfer_id} tiada dalam storan kelayakan; status dan pembatalan hanya boleh dibuat dari komputer yang menghantarnya."
                ),
                format!(
                    "The owner token for {transfer_id} is not in the credential store; status and revoke work only from the computer that sent it."
                ),
            ),
            ManageError::UnknownRecipient {
                transfer_id,
                recipient,
            } => say(
                lang,
                format!(
                    "Tiada penerima {recipient} dalam pemindahan {transfer_id}. Semak `kepil status {transfer_id}`."
                ),
                format!(
                    "No recipient {recipient} in transfer {transfer_id}. Check `kepil status {transfer_id}`."
                ),
            ),
            ManageError::Unauthorized => say(
                lang,
                "Stor menolak token pemilik.".into(),
                "The store refused the owner token.".into(),
            ),
            ManageError::Unavailable => say(
                lang,
                "Pemindahan ini tiada lagi di stor (luput, dibatalkan atau dibuang).".into(),
                "This transfer is no longer on the store (expired, revoked or purged).".into(),
            ),
            ManageError::Config(e) => e.message(lang),
            ManageError::Secrets(e) => say(
                lang,
                format!("Storan kelayakan tidak dapat digunakan ({e})."),
                format!("The credential store cannot be used ({e})."),
            ),
            ManageError::Store(e) => e.message(lang),
        }
    }
}
