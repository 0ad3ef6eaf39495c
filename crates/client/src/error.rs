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
    Transport(reqwest::Error),
    /// TLS refused the server's certificate: no authority this computer trusts signed it (or
    /// it is expired, or for another name). Never retried: waiting does not fix it.
    #[error("the certificate of {host} is not trusted: {reason}")]
    UntrustedCertificate { host: String, reason: String },
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

impl From<reqwest::Error> for NetError {
    fn from(e: reqwest::Error) -> NetError {
        match certificate_verdict(&e) {
            Some(reason) => NetError::UntrustedCertificate {
                host: e
                    .url()
                    .and_then(|u| u.host_str())
                    .unwrap_or_default()
                    .to_string(),
                reason,
            },
            None => NetError::Transport(e),
        }
    }
}

/// rustls's verdict on the peer's certificate, where that is why a request failed. It sits
/// inside `io::Error`s in the chain, whose `source` skips what they wrap, so each one is
/// opened instead.
fn certificate_verdict(e: &reqwest::Error) -> Option<String> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        if let Some(rustls::Error::InvalidCertificate(why)) = err.downcast_ref::<rustls::Error>() {
            use rustls::CertificateError as C;
            return Some(match why {
                C::UnknownIssuer => "unknown issuer".to_string(),
                C::Expired | C::ExpiredContext { .. } => "expired".to_string(),
                C::NotValidForName | C::NotValidForNameContext { .. } => {
                    "issued for another name".to_string()
                }
                C::Revoked => "revoked".to_string(),
                other => format!("{other:?}"),
            });
        }
        next = match err.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    None
}

impl NetError {
    /// Worth retrying after a pause: dropped connections, timeouts, gateways, overload.
    pub fn is_transient(&self) -> bool {
        match self {
            NetError::Transport(e) => !e.is_builder() && !e.is_redirect(),
            NetError::Http { status } => crate::retry::transient_status(*status),
            NetError::Api { error, .. } => {
                matches!(error.code, ErrorCode::RateLimited | ErrorCode::Internal)
            }
            NetError::Protocol(_)
            | NetError::AnswerTooLarge { .. }
            | NetError::BadUrl(_)
            | NetError::BadCertificate(_)
            | NetError::UntrustedCertificate { .. } => false,
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
            NetError::UntrustedCertificate { .. } => "certificate_untrusted",
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
            NetError::UntrustedCertificate { host, reason } => {
                vec![("host", clip(host)), ("reason", clip(reason))]
            }
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
    /// The system policy requires sign-in here and nobody signed in to the store.
    #[error("not signed in to {store}")]
    NotSignedIn { store: String },
    /// The system policy requires sign-in here: a machine token may be neither saved nor used.
    #[error("this computer's system policy requires signing in; machine tokens are not accepted")]
    TokenNotAllowed,
    /// The system policy names this desktop's store and another one was asked for.
    #[error("the system policy locks the store to {store}; {wanted} was asked for")]
    StoreLocked { store: String, wanted: String },
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
            ConfigError::NotSignedIn { .. } => "not_signed_in",
            ConfigError::TokenNotAllowed => "token_not_allowed",
            ConfigError::StoreLocked { .. } => "store_locked",
            ConfigError::Secrets(_) => "credentials_unavailable",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            ConfigError::NoHomeDirectory | ConfigError::NoStore | ConfigError::TokenNotAllowed => {
                vec![]
            }
            ConfigError::BadConfigFile { path, reason } => {
                vec![("path", shown(path)), ("reason", clip(reason))]
            }
            ConfigError::Io { path, source } => {
                vec![("path", shown(path)), ("reason", clip(&source.to_string()))]
            }
            ConfigError::BadStoreUrl { url } => vec![("url", clip(url))],
            ConfigError::NoToken { store } | ConfigError::NotSignedIn { store } => {
                vec![("store", clip(store))]
            }
            ConfigError::StoreLocked { store, wanted } => {
                vec![("store", clip(store)), ("wanted", clip(wanted))]
            }
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
    /// The signed-in session could not be had or renewed.
    #[error(transparent)]
    Session(SessionError),
    /// The store takes uploads from signed-in people only.
    #[error("this store accepts uploads only from signed-in people")]
    SignInRequired,
    /// A sender address other than the signed-in one.
    #[error("signed in as {signed_in}, not {given}")]
    SenderMismatch { given: String, signed_in: String },
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
    #[error("{name} contains malware ({signature}); nothing was sent")]
    Infected { name: String, signature: String },
    #[error("malware scan: {0}")]
    Scan(ScanError),
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
            SendError::Session(e) => e.code(),
            SendError::SignInRequired => "sign_in_required",
            SendError::SenderMismatch { .. } => "sender_mismatch",
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
            SendError::Infected { .. } => "infected_send",
            SendError::Scan(e) => e.code(),
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            SendError::Classification(e) => e.params(),
            SendError::Files(e) | SendError::Encrypt(e) => e.params(),
            SendError::Config(e) => e.params(),
            SendError::Kdf(e) => e.params(),
            SendError::Store(e) => e.params(),
            SendError::Session(e) => e.params(),
            SendError::SenderMismatch { given, signed_in } => {
                vec![("given", clip(given)), ("signed_in", clip(signed_in))]
            }
            SendError::NoFiles
            | SendError::NoRecipients
            | SendError::NothingToResume
            | SendError::SignInRequired => vec![],
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
            SendError::Infected { name, signature } => {
                vec![("name", clip(name)), ("signature", clip(signature))]
            }
            SendError::Scan(e) => e.params(),
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
    /// The recipient's scan found malware in a decrypted file; nothing was saved. Carries
    /// what the recipient reports (to the sender's agency, to ICT security).
    #[error("{name} contains malware ({signature}); nothing was saved")]
    Infected {
        name: String,
        signature: String,
        transfer_id: String,
        /// The uploader the store vouched for, else the sender sealed in the package.
        sender: String,
        /// Whether `sender` is the store's word (`true`) or only the package's.
        sender_verified: bool,
        /// The store the package came from.
        store: String,
    },
    #[error("malware scan: {0}")]
    Scan(ScanError),
    /// The link's store is not one this computer trusts, and the person has not confirmed it:
    /// nothing was contacted.
    #[error("the store {host} is not one this computer trusts; confirm it first")]
    StoreUnconfirmed { host: String, idn: bool },
    /// The link's store is not one this computer trusts, and the policy refuses others.
    #[error("the store {host} is not one this computer trusts")]
    StoreRefused { host: String, idn: bool },
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
            ReceiveError::Infected { .. } => "infected_receive",
            ReceiveError::StoreUnconfirmed { .. } => "store_unconfirmed",
            ReceiveError::StoreRefused { .. } => "store_refused",
            ReceiveError::Scan(e) => e.code(),
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
            ReceiveError::Infected {
                name,
                signature,
                transfer_id,
                sender,
                sender_verified,
                store,
            } => vec![
                ("name", clip(name)),
                ("signature", clip(signature)),
                ("transfer_id", transfer_id.clone()),
                ("sender", clip(sender)),
                (
                    "sender_status",
                    if *sender_verified {
                        "verified"
                    } else {
                        "unverified"
                    }
                    .to_owned(),
                ),
                ("store", clip(store)),
            ],
            ReceiveError::Scan(e) => e.params(),
            ReceiveError::StoreUnconfirmed { host, idn }
            | ReceiveError::StoreRefused { host, idn } => {
                vec![
                    ("host", clip(host)),
                    ("idn", if *idn { "yes" } else { "no" }.to_owned()),
                ]
            }
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
                ("kind", danger.kind().to_owned()),
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
    /// Unlock names one recipient; a transfer with several needs to be told which.
    #[error("transfer {transfer_id} has several recipients")]
    RecipientNeeded { transfer_id: String },
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
            ManageError::RecipientNeeded { .. } => "recipient_needed",
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
            ManageError::NoOwnerToken { transfer_id }
            | ManageError::RecipientNeeded { transfer_id } => {
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

/// Keeping, showing and forgetting the links and passwords a sender still has to hand over
/// ([`crate::handover`]).
#[derive(Debug, Error)]
pub enum HandoverError {
    /// Handed over, revoked, expired, or never kept (no keyring when it was sent).
    #[error("the links and passwords of {transfer_id} are no longer kept on this computer")]
    Gone { transfer_id: String },
    #[error("the keyring entry of {transfer_id} is damaged")]
    Damaged { transfer_id: String },
    #[error("no recipient {recipient} in {transfer_id}")]
    UnknownRecipient {
        transfer_id: String,
        recipient: String,
    },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Secrets(#[from] SecretStoreError),
}

impl Coded for HandoverError {
    fn code(&self) -> &'static str {
        match self {
            HandoverError::Gone { .. } => "handover_gone",
            HandoverError::Damaged { .. } => "handover_damaged",
            HandoverError::UnknownRecipient { .. } => "unknown_recipient",
            HandoverError::Config(e) => e.code(),
            HandoverError::Secrets(SecretStoreError::NotInKeyring { .. }) => "handover_not_kept",
            HandoverError::Secrets(_) => "credentials_unavailable",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            HandoverError::Gone { transfer_id } | HandoverError::Damaged { transfer_id } => {
                vec![("transfer_id", transfer_id.clone())]
            }
            HandoverError::UnknownRecipient {
                transfer_id,
                recipient,
            } => vec![
                ("transfer_id", transfer_id.clone()),
                ("recipient", clip(recipient)),
            ],
            HandoverError::Config(e) => e.params(),
            HandoverError::Secrets(SecretStoreError::NotInKeyring { why }) => {
                vec![("reason", (*why).to_string())]
            }
            HandoverError::Secrets(e) => vec![("reason", clip(&e.to_string()))],
        }
    }
}

/// Signing in at the agency's identity provider and exchanging the result for a store session
/// (`kepil login`, the app's sign-in button).
#[derive(Debug, Error)]
pub enum SignInError {
    #[error("the store {store} offers no sign-in")]
    NoProvider { store: String },
    #[error("the store has no identity provider {provider}")]
    UnknownProvider {
        provider: String,
        known: Vec<String>,
    },
    #[error("the store offers several identity providers: {known:?}")]
    ChooseProvider { known: Vec<String> },
    /// The system policy names the provider of this desktop, and another was asked for.
    #[error("this computer's system policy signs in with {provider}, not {wanted}")]
    ProviderLocked { provider: String, wanted: String },
    #[error("the identity provider {issuer} is not served over https")]
    InsecureIssuer { issuer: String },
    #[error("cannot read the identity provider's configuration at {issuer}: {reason}")]
    Discovery { issuer: String, reason: String },
    #[error("cannot listen for the browser on the loopback interface: {reason}")]
    Listener { reason: String },
    #[error("the sign-in was not completed within {secs} s")]
    Timeout { secs: u64 },
    #[error("cannot reach the identity provider {provider}: {reason}")]
    ProviderUnreachable { provider: String, reason: String },
    #[error("the sign-in was cancelled")]
    Cancelled,
    #[error("the sign-in was denied at the identity provider")]
    Denied,
    #[error("the identity provider refused the sign-in: {error}: {description}")]
    ProviderRefused { error: String, description: String },
    #[error("the answer from the browser does not belong to this sign-in")]
    StateMismatch,
    #[error("not the address the sign-in ended on: {reason}")]
    BadRedirect { reason: String },
    #[error("the identity provider answered without an ID token")]
    NoIdToken,
    #[error("the ID token failed the client's checks: {reason}")]
    IdTokenRejected { reason: String },
    #[error("the ID token carries no e-mail address")]
    NoEmail,
    #[error("the identity provider offers no device sign-in")]
    DeviceFlowUnsupported,
    #[error("the device code expired before it was entered")]
    DeviceCodeExpired,
    /// The store refused the ID token (`id_token_invalid`, `domain_not_allowed`, …).
    #[error(transparent)]
    Store(NetError),
    #[error(transparent)]
    Secrets(#[from] SecretStoreError),
}

impl Coded for SignInError {
    fn code(&self) -> &'static str {
        match self {
            SignInError::NoProvider { .. } => "sign_in_unavailable",
            SignInError::UnknownProvider { .. } => "provider_unknown",
            SignInError::ChooseProvider { .. } => "provider_choice",
            SignInError::ProviderLocked { .. } => "provider_locked",
            SignInError::InsecureIssuer { .. } => "provider_insecure",
            SignInError::Discovery { .. } => "provider_discovery",
            SignInError::Listener { .. } => "sign_in_listener",
            SignInError::Timeout { .. } => "sign_in_timeout",
            SignInError::ProviderUnreachable { .. } => "provider_unreachable",
            SignInError::Cancelled => "sign_in_cancelled",
            SignInError::Denied => "sign_in_denied",
            SignInError::ProviderRefused { .. } => "sign_in_refused",
            SignInError::StateMismatch => "sign_in_state_mismatch",
            SignInError::BadRedirect { .. } => "sign_in_bad_redirect",
            SignInError::NoIdToken => "id_token_missing",
            SignInError::IdTokenRejected { .. } => "id_token_rejected",
            SignInError::NoEmail => "id_token_no_email",
            SignInError::DeviceFlowUnsupported => "device_flow_unsupported",
            SignInError::DeviceCodeExpired => "device_code_expired",
            SignInError::Store(e) => e.code(),
            SignInError::Secrets(_) => "credentials_unavailable",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            SignInError::NoProvider { store } => vec![("store", clip(store))],
            SignInError::UnknownProvider { provider, known } => vec![
                ("provider", clip(provider)),
                ("known", clip(&known.join(", "))),
            ],
            SignInError::ChooseProvider { known } => vec![("known", clip(&known.join(", ")))],
            SignInError::ProviderLocked { provider, wanted } => {
                vec![("provider", clip(provider)), ("wanted", clip(wanted))]
            }
            SignInError::InsecureIssuer { issuer } => vec![("issuer", clip(issuer))],
            SignInError::Discovery { issuer, reason } => {
                vec![("issuer", clip(issuer)), ("reason", clip(reason))]
            }
            SignInError::Listener { reason } => vec![("reason", clip(reason))],
            SignInError::Timeout { secs } => vec![("waited", duration::format(*secs))],
            SignInError::ProviderUnreachable { provider, reason } => {
                vec![("provider", clip(provider)), ("reason", clip(reason))]
            }
            SignInError::ProviderRefused { error, description } => {
                vec![("error", clip(error)), ("description", clip(description))]
            }
            SignInError::BadRedirect { reason } => vec![("reason", clip(reason))],
            SignInError::IdTokenRejected { reason } => vec![("reason", clip(reason))],
            SignInError::Store(e) => e.params(),
            SignInError::Secrets(e) => vec![("reason", clip(&e.to_string()))],
            SignInError::Cancelled
            | SignInError::Denied
            | SignInError::StateMismatch
            | SignInError::NoIdToken
            | SignInError::NoEmail
            | SignInError::DeviceFlowUnsupported
            | SignInError::DeviceCodeExpired => vec![],
        }
    }
}

/// Using a sign-in after it was made: the session kept in the keyring, renewed with the
/// refresh token when it runs out, and ended by signing out.
#[derive(Debug, Error)]
pub enum SessionError {
    #[error("not signed in to {store}")]
    NotSignedIn { store: String },
    /// The provider no longer honours the refresh token (signed out there, expired, the
    /// account disabled), or there is none: only a new sign-in helps.
    #[error("the sign-in at {provider} has ended")]
    SignInEnded { provider: String },
    #[error("cannot reach the identity provider {provider}: {reason}")]
    Provider { provider: String, reason: String },
    #[error("the identity provider answered the renewal without an ID token")]
    NoIdToken,
    #[error("the renewed ID token failed the client's checks: {reason}")]
    IdTokenRejected { reason: String },
    /// The store refused the renewed ID token or the session (`identity_disabled`, …).
    #[error(transparent)]
    Store(NetError),
    #[error(transparent)]
    Secrets(#[from] SecretStoreError),
}

impl Coded for SessionError {
    fn code(&self) -> &'static str {
        match self {
            SessionError::NotSignedIn { .. } => "not_signed_in",
            SessionError::SignInEnded { .. } => "sign_in_ended",
            SessionError::Provider { .. } => "provider_unreachable",
            SessionError::NoIdToken => "id_token_missing",
            SessionError::IdTokenRejected { .. } => "id_token_rejected",
            SessionError::Store(e) => e.code(),
            SessionError::Secrets(_) => "credentials_unavailable",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            SessionError::NotSignedIn { store } => vec![("store", clip(store))],
            SessionError::SignInEnded { provider } => vec![("provider", clip(provider))],
            SessionError::Provider { provider, reason } => {
                vec![("provider", clip(provider)), ("reason", clip(reason))]
            }
            SessionError::NoIdToken => vec![],
            SessionError::IdTokenRejected { reason } => vec![("reason", clip(reason))],
            SessionError::Store(e) => e.params(),
            SessionError::Secrets(e) => vec![("reason", clip(&e.to_string()))],
        }
    }
}

/// What a signed-in sender (or an administrator) asks the store about transfers and
/// identities: who am I, my transfers from any computer, revoke without the owner token, and
/// the administrator's search, revoke, disable and enable.
#[derive(Debug, Error)]
pub enum AccountError {
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("only administrators may do this")]
    Forbidden,
    #[error("the transfer {transfer_id} is not live on the store")]
    Unavailable { transfer_id: String },
    #[error("{id:?} is not a transfer ID")]
    BadTransferId { id: String },
    #[error(transparent)]
    Store(NetError),
}

impl AccountError {
    /// The store's answer to a call made with the session (after the one renewal).
    pub fn from_net(error: NetError, transfer_id: Option<&str>) -> AccountError {
        match (error.api_code(), transfer_id) {
            (Some(ErrorCode::Forbidden), _) => AccountError::Forbidden,
            (Some(ErrorCode::Unavailable), Some(id)) => AccountError::Unavailable {
                transfer_id: id.to_string(),
            },
            _ => AccountError::Store(error),
        }
    }
}

impl Coded for AccountError {
    fn code(&self) -> &'static str {
        match self {
            AccountError::Session(e) => e.code(),
            AccountError::Config(e) => e.code(),
            AccountError::Forbidden => "forbidden",
            AccountError::Unavailable { .. } => "unavailable",
            AccountError::BadTransferId { .. } => "transfer_id_invalid",
            AccountError::Store(e) => e.code(),
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            AccountError::Session(e) => e.params(),
            AccountError::Config(e) => e.params(),
            AccountError::Forbidden => vec![],
            AccountError::Unavailable { .. } => vec![("role", "owner".to_owned())],
            AccountError::BadTransferId { id } => vec![("id", clip(id))],
            AccountError::Store(e) => e.params(),
        }
    }
}

/// Talking to the malware scanner (`scan`). A detection is not an error of the scanner: it is
/// the verdict the sending or receiving operation acts on.
#[derive(Debug, Error)]
pub enum ScanError {
    #[error("not a scanner address: {address}")]
    BadAddress { address: String },
    #[error("cannot reach the scanner at {address}: {reason}")]
    Unreachable { address: String, reason: String },
    #[error("the scan at {address} broke off: {reason}")]
    Failed { address: String, reason: String },
    #[error("{name} is larger than the scanner accepts")]
    TooLarge { name: String },
    #[error("the scanner reported an error: {reason}")]
    Engine { reason: String },
    #[error("the scanner's answer is not understood: {answer}")]
    Protocol { answer: String },
    #[error("scanning is required here but no scanner is configured")]
    NotConfigured,
    #[error(
        "the scanner's signatures ({engine}) carry no date; at most {max_hours} hours are allowed"
    )]
    SignaturesUndated { engine: String, max_hours: u64 },
    #[error("the scanner's signatures are {age_hours} hours old; at most {max_hours} are allowed")]
    SignaturesTooOld {
        date: time::OffsetDateTime,
        age_hours: u64,
        max_hours: u64,
    },
}

impl Coded for ScanError {
    fn code(&self) -> &'static str {
        match self {
            ScanError::BadAddress { .. } => "scanner_address_invalid",
            ScanError::Unreachable { .. } => "scanner_unreachable",
            ScanError::Failed { .. } => "scanner_failed",
            ScanError::TooLarge { .. } => "scan_too_large",
            ScanError::Engine { .. } => "scanner_error",
            ScanError::Protocol { .. } => "scanner_protocol",
            ScanError::NotConfigured => "scanner_not_configured",
            ScanError::SignaturesUndated { .. } => "scanner_signatures_undated",
            ScanError::SignaturesTooOld { .. } => "scanner_signatures_old",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            ScanError::BadAddress { address } => vec![("address", clip(address))],
            ScanError::Unreachable { address, reason } | ScanError::Failed { address, reason } => {
                vec![("address", clip(address)), ("reason", clip(reason))]
            }
            ScanError::TooLarge { name } => vec![("name", clip(name))],
            ScanError::Engine { reason } => vec![("reason", clip(reason))],
            ScanError::Protocol { answer } => vec![("answer", clip(answer))],
            ScanError::NotConfigured => vec![],
            ScanError::SignaturesUndated { engine, max_hours } => {
                vec![
                    ("engine", clip(engine)),
                    ("max_hours", max_hours.to_string()),
                ]
            }
            ScanError::SignaturesTooOld {
                date,
                age_hours,
                max_hours,
            } => vec![
                ("date", date.date().to_string()),
                ("age_hours", age_hours.to_string()),
                ("max_hours", max_hours.to_string()),
            ],
        }
    }
}
