//! One error enum per operation. Each implements [`Coded`]: a stable code and the params its
//! message names; the messages (BM and EN, what happened and what to do) are in the
//! catalogue, i18n/<lang>/client.ftl. A wrapper gives the code and the params of what it wraps.
//! No variant holds a secret, so `Debug` and `Display` are safe to log.

use std::path::PathBuf;

use kepil_core::message::Coded;
use kepil_protocol::{ApiError, ErrorCode};
use thiserror::Error;

use crate::duration;
use crate::secrets::SecretStoreError;

/// Text from outside (an OS error, a URL, the store's English) as a param: short, and with
/// control, bidi and invisible characters shown as `<U+XXXX>` (a store's message may carry
/// terminal escapes meant for the recipient's screen).
fn clip(text: &str) -> String {
    kepil_core::text::visible_clipped(text, 200)
}

fn shown(path: &std::path::Path) -> String {
    clip(&path.display().to_string())
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
    /// The store's answer is longer than any answer of the API can be
    /// ([`crate::api::MAX_JSON_BODY`]); it was not read to the end.
    #[error("the store's answer is over {limit} bytes")]
    AnswerTooLarge { limit: u64 },
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
            NetError::Protocol(_)
            | NetError::AnswerTooLarge { .. }
            | NetError::BadUrl(_)
            | NetError::BadCertificate(_) => false,
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
            NetError::AnswerTooLarge { .. } => "answer_too_large",
            NetError::BadUrl(_) => "bad_url",
            NetError::BadCertificate(_) => "bad_certificate",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            NetError::Transport(e) => vec![("reason", clip(&e.to_string()))],
            NetError::Api { status, error } => {
                let mut out = vec![
                    ("status", status.to_string()),
                    ("detail", clip(&error.message)),
                ];
                if let Some(n) = error.tries_left {
                    out.push(("tries_left", n.to_string()));
                }
                if let Some(n) = error.limit {
                    out.push(("limit", n.to_string()));
                }
                if let Some(n) = error.retry_after_secs {
                    out.push(("retry_after_secs", n.to_string()));
                }
                out
            }
            NetError::Http { status } => vec![("status", status.to_string())],
            NetError::Protocol(what) => vec![("reason", clip(what))],
            NetError::AnswerTooLarge { limit } => vec![("limit", limit.to_string())],
            NetError::BadUrl(url) => vec![("url", clip(url))],
            NetError::BadCertificate(why) => vec![("reason", clip(why))],
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

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            ConfigError::NoHomeDirectory | ConfigError::NoStore => vec![],
            ConfigError::BadConfigFile { path, reason } => {
                vec![("path", shown(path)), ("reason", clip(reason))]
            }
            ConfigError::Io { path, source } => {
                vec![("path", shown(path)), ("reason", clip(&source.to_string()))]
            }
            ConfigError::BadStoreUrl { url } => vec![("url", clip(url))],
            ConfigError::NoToken { store } => vec![("store", clip(store))],
            ConfigError::Secrets(e) => vec![("reason", clip(&e.to_string()))],
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

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            SendError::Classification(e) => e.params(),
            SendError::Files(e) | SendError::Encrypt(e) => e.params(),
            SendError::Config(e) => e.params(),
            SendError::Kdf(e) => e.params(),
            SendError::Store(e) => e.params(),
            SendError::NoFiles | SendError::NoRecipients | SendError::NothingToResume => vec![],
            SendError::DuplicateRecipient(r) => vec![("recipient", clip(r))],
            SendError::ClassificationNotAccepted { classification } => {
                vec![("classification", clip(classification))]
            }
            SendError::ExpiryTooLong {
                requested_secs,
                limit_secs,
            } => vec![
                ("requested_secs", requested_secs.to_string()),
                ("limit_secs", limit_secs.to_string()),
                ("requested", duration::format(*requested_secs)),
                ("limit", duration::format(*limit_secs)),
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
            SendError::QuotaExceeded { limit } => limit
                .map(|l| vec![("limit", l.to_string())])
                .unwrap_or_default(),
            SendError::Unauthorized => vec![("role", "uploader".to_owned())],
            SendError::Spool { path, source } => {
                vec![("path", shown(path)), ("reason", clip(&source.to_string()))]
            }
            SendError::Secrets(e) => vec![("reason", clip(&e.to_string()))],
            SendError::Interrupted {
                transfer_id,
                source,
            } => {
                // The wrapped error names what stopped the upload: its code and its params.
                let mut out = vec![
                    ("transfer_id", transfer_id.clone()),
                    ("cause", source.code().to_owned()),
                ];
                out.extend(source.params());
                out
            }
            SendError::Cancelled => vec![("direction", "send".to_owned())],
            SendError::ResumeAmbiguous { ids } => vec![("ids", clip(&ids.join(", ")))],
            SendError::ResumeImpossible {
                transfer_id,
                reason,
            } => vec![
                ("transfer_id", transfer_id.clone()),
                ("reason", clip(reason)),
            ],
            SendError::FilesChanged { transfer_id, path } => {
                vec![("transfer_id", transfer_id.clone()), ("path", shown(path))]
            }
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
    /// The store lists the transfer as RAHSIA or RAHSIA BESAR; a package sealed so is
    /// [`kepil_core::package::DecryptError::ClassificationRefused`], with the same code.
    #[error("the transfer is marked {classification}")]
    ClassificationRefused {
        classification: kepil_core::classification::Classification,
    },
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
            ReceiveError::ClassificationRefused { .. } => "package_classification_refused",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            ReceiveError::Link(e) => e.params(),
            ReceiveError::Password(e) => e.params(),
            ReceiveError::Kdf(e) => e.params(),
            ReceiveError::Decrypt(e) => e.params(),
            ReceiveError::Store(e) => e.params(),
            ReceiveError::Network(e) => {
                let mut out = e.params();
                out.push(("direction", "receive".to_owned()));
                out
            }
            ReceiveError::WrongPassword {
                tries_left: Some(n),
            } => vec![("tries_left", n.to_string())],
            ReceiveError::RateLimited {
                retry_after_secs: Some(s),
            } => vec![("retry_after_secs", s.to_string())],
            ReceiveError::Unavailable => vec![("role", "recipient".to_owned())],
            ReceiveError::Io { path, source } => {
                vec![("path", shown(path)), ("reason", clip(&source.to_string()))]
            }
            ReceiveError::OutputExists { path } => vec![("path", shown(path))],
            ReceiveError::Cancelled => vec![("direction", "receive".to_owned())],
            ReceiveError::ClassificationRefused { classification } => vec![
                ("classification", classification.as_str().to_owned()),
                (
                    "classification_en",
                    classification.english_name().to_owned(),
                ),
            ],
            ReceiveError::PasswordRequired
            | ReceiveError::WrongPassword { tries_left: None }
            | ReceiveError::Locked
            | ReceiveError::Expired
            | ReceiveError::Revoked
            | ReceiveError::UsedUp
            | ReceiveError::NotReady
            | ReceiveError::RateLimited {
                retry_after_secs: None,
            }
            | ReceiveError::Declined => vec![],
        }
    }
}

/// What a recipient should know before saving a package: not errors (nothing stops), but
/// each is shown before the question, in the catalogue's words (i18n/<lang>/client.ftl).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiveWarning {
    /// The store vouches for an uploader other than the sender the package names.
    SenderDiffers {
        sealed: String,
        verified: String,
        store: String,
    },
    /// The store did not say who uploaded: the sender shown is the sender's own claim.
    SenderUnverified { sealed: String, store: String },
    /// The package's own classification and the store's differ; the files are treated as the
    /// higher one.
    ClassificationDiffers {
        sealed: kepil_core::classification::Classification,
        declared: kepil_core::classification::Classification,
    },
    /// A file whose type runs code when opened (`name` is the name it is saved under).
    DangerousFile {
        name: String,
        danger: kepil_core::filename::Danger,
    },
}

/// A sender's or a store's text in a warning: visible (no escapes, bidi or invisible
/// characters) and short.
fn untrusted(text: &str, max_chars: usize) -> String {
    kepil_core::text::visible_clipped(text, max_chars)
}

impl Coded for ReceiveWarning {
    fn code(&self) -> &'static str {
        match self {
            ReceiveWarning::SenderDiffers { .. } => "sender_differs",
            ReceiveWarning::SenderUnverified { .. } => "sender_unverified",
            ReceiveWarning::ClassificationDiffers { .. } => "classification_differs",
            ReceiveWarning::DangerousFile { .. } => "dangerous_file",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            ReceiveWarning::SenderDiffers {
                sealed,
                verified,
                store,
            } => vec![
                ("sealed", untrusted(sealed, 120)),
                ("verified", untrusted(verified, 120)),
                ("store", untrusted(store, 120)),
            ],
            ReceiveWarning::SenderUnverified { sealed, store } => vec![
                ("sealed", untrusted(sealed, 120)),
                ("store", untrusted(store, 120)),
            ],
            ReceiveWarning::ClassificationDiffers { sealed, declared } => {
                use kepil_core::classification::Classification;
                // Declared TERBUKA means the store let the link open without a password,
                // which TERHAD and SULIT must never do (3.2 A iii 2).
                let unprotected =
                    *declared == Classification::Terbuka && sealed.requires_password();
                vec![
                    ("sealed", sealed.as_str().to_owned()),
                    ("declared", declared.as_str().to_owned()),
                    ("shown", (*sealed).max(*declared).as_str().to_owned()),
                    (
                        "unprotected",
                        if unprotected { "yes" } else { "no" }.to_owned(),
                    ),
                ]
            }
            ReceiveWarning::DangerousFile { name, danger } => vec![
                ("name", untrusted(name, 80)),
                ("kind", danger.as_str().to_owned()),
            ],
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

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            ManageError::UnknownTransfer { id } => vec![("id", clip(id))],
            ManageError::NoOwnerToken { transfer_id } => {
                vec![("transfer_id", transfer_id.clone())]
            }
            ManageError::UnknownRecipient {
                transfer_id,
                recipient,
            } => vec![
                ("transfer_id", transfer_id.clone()),
                ("recipient", clip(recipient)),
            ],
            ManageError::Unauthorized | ManageError::Unavailable => {
                vec![("role", "owner".to_owned())]
            }
            ManageError::Config(e) => e.params(),
            ManageError::Secrets(e) => vec![("reason", clip(&e.to_string()))],
            ManageError::Store(e) => e.params(),
        }
    }
}
