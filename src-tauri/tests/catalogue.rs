//! The message catalogue (i18n/<lang>/*.ftl) against every error code Kepil can show: one
//! value of every variant of every error enum of kepil-core and kepil-client, every store
//! error code, and the app's own codes (`kepil_app::error::APP_CODES`). Fails when
//! - a code has no message in a language, or a part of it uses a param the error does not
//!   give (and has no `.bare` wording that does without it);
//! - a message uses a param no variant of its code gives;
//! - a catalogue key belongs to no code (dead text), or the two languages have different keys;
//! - a wrapper does not forward the code and params of what it wraps.
//!
//! The UI checks its own side (ui/src/test/i18n.test.ts) with @fluent/bundle on the same files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use kepil_client::error::{
    AccountError, ConfigError, HandoverError, ManageError, NetError, ReceiveError, ReceiveWarning,
    ScanError, SendError, SessionError, SignInError,
};
use kepil_client::recipients::RecipientError;
use kepil_client::secrets::SecretStoreError;
use kepil_client::system_policy::PolicyError;
use kepil_core::catalogue;
use kepil_core::classification::{Classification, ClassificationError};
use kepil_core::kdf::{AuthKeyError, KdfError};
use kepil_core::link::LinkError;
use kepil_core::message::{Coded, Lang, LangError};
use kepil_core::package::{DecryptError, EncryptError};
use kepil_core::password::PasswordError;
use kepil_protocol::{ApiError, ErrorCode};

/// Codes only the catalogue itself uses: the generic message for an unknown code, and the
/// UI's own failure of a Tauri command.
const CATALOGUE_CODES: [&str; 2] = ["unknown", "ipc_error"];

/// The `kepil` command's own codes (`Failure::coded` in crates/cli/src) and their params;
/// `the_cli_and_the_app_list_every_code_they_raise` keeps this list complete.
const CLI_CODES: [(&str, &[&str]); 4] = [
    ("bad_duration", &["input"]),
    ("no_terminal", &["flag"]),
    ("stdin", &["reason"]),
    ("empty_token", &[]),
];

fn io() -> std::io::Error {
    std::io::Error::other("disk says no")
}

fn path() -> PathBuf {
    PathBuf::from("/home/user/Surat Rasmi.pdf")
}

fn api(code: ErrorCode) -> ApiError {
    ApiError {
        code,
        message: "refused".into(),
        tries_left: None,
        limit: None,
        retry_after_secs: None,
    }
}

fn transport() -> reqwest::Error {
    reqwest::Client::new()
        .get("not a url")
        .build()
        .expect_err("not a URL")
}

fn every_store_code() -> Vec<ErrorCode> {
    use ErrorCode::*;
    let all = vec![
        BadRequest,
        Unauthorized,
        Unavailable,
        ClassificationRefused,
        ExpiryTooLong,
        TooManyDownloads,
        TooLarge,
        QuotaExceeded,
        KdfRejected,
        OffsetMismatch,
        ChecksumMismatch,
        BlobHashMismatch,
        UploadComplete,
        NotReady,
        ChallengeExpired,
        WrongPassword,
        Locked,
        Expired,
        Revoked,
        UsedUp,
        RateLimited,
        Conflict,
        Unsupported,
        PayloadTooLarge,
        Internal,
        IdTokenInvalid,
        IdTokenExpired,
        EmailUnverified,
        DomainNotAllowed,
        GroupRequired,
        IdentityDisabled,
        TokenExpired,
        Forbidden,
        ProviderUnavailable,
        SignInRequired,
    ];
    for c in &all {
        // Does not compile when a code is added without being listed above.
        match c {
            BadRequest
            | Unauthorized
            | Unavailable
            | ClassificationRefused
            | ExpiryTooLong
            | TooManyDownloads
            | TooLarge
            | QuotaExceeded
            | KdfRejected
            | OffsetMismatch
            | ChecksumMismatch
            | BlobHashMismatch
            | UploadComplete
            | NotReady
            | ChallengeExpired
            | WrongPassword
            | Locked
            | Expired
            | Revoked
            | UsedUp
            | RateLimited
            | Conflict
            | Unsupported
            | PayloadTooLarge
            | Internal
            | IdTokenInvalid
            | IdTokenExpired
            | EmailUnverified
            | DomainNotAllowed
            | GroupRequired
            | IdentityDisabled
            | TokenExpired
            | Forbidden
            | ProviderUnavailable
            | SignInRequired => {}
        }
    }
    all
}

fn encrypt_errors() -> Vec<EncryptError> {
    let all = vec![
        EncryptError::NoRecipients,
        EncryptError::TooManyRecipients { count: 60, max: 50 },
        EncryptError::Classification(ClassificationError::Refused {
            classification: Classification::Rahsia,
        }),
        EncryptError::InvalidDetails {
            reason: "expiry before creation",
        },
        EncryptError::NotAFile { path: path() },
        EncryptError::Io {
            path: path(),
            source: io(),
        },
        EncryptError::FileChanged {
            path: path(),
            expected: 10,
            found: 12,
        },
        EncryptError::TooManyFiles {
            count: 10_001,
            max: 10_000,
        },
        EncryptError::ManifestTooLarge {
            len: 70_000,
            max: 65_536,
        },
        EncryptError::Write { source: io() },
        EncryptError::Cancelled,
        EncryptError::Stopped,
        EncryptError::Internal {
            detail: "length differs".into(),
        },
    ];
    for e in &all {
        match e {
            EncryptError::NoRecipients
            | EncryptError::TooManyRecipients { .. }
            | EncryptError::Classification(_)
            | EncryptError::InvalidDetails { .. }
            | EncryptError::NotAFile { .. }
            | EncryptError::Io { .. }
            | EncryptError::FileChanged { .. }
            | EncryptError::ManifestTooLarge { .. }
            | EncryptError::TooManyFiles { .. }
            | EncryptError::Write { .. }
            | EncryptError::Cancelled
            | EncryptError::Stopped
            | EncryptError::Internal { .. } => {}
            _ => panic!("an EncryptError variant is not listed: {e:?}"),
        }
    }
    all
}

fn decrypt_errors() -> Vec<DecryptError> {
    let all = vec![
        DecryptError::NotAnAgeFile,
        DecryptError::Armored,
        DecryptError::HeaderCorrupt,
        DecryptError::UnsupportedFormatVersion {
            version: "3".into(),
        },
        DecryptError::WrongKey,
        DecryptError::Tampered,
        DecryptError::Corrupt,
        DecryptError::Truncated,
        DecryptError::NotAKepilPackage,
        DecryptError::ManifestTooLarge {
            len: 70_000,
            max: 65_536,
        },
        DecryptError::ManifestInvalid {
            reason: "no files".into(),
        },
        DecryptError::ClassificationRefused {
            classification: Classification::RahsiaBesar,
        },
        DecryptError::TooManyFiles {
            count: 10_001,
            max: 10_000,
        },
        DecryptError::ManifestMismatch,
        DecryptError::FileHashMismatch {
            name: "Surat.pdf".into(),
        },
        DecryptError::TrailingData,
        DecryptError::Cancelled,
        DecryptError::Stopped,
        DecryptError::Read { source: io() },
        DecryptError::DestinationNotWritable {
            path: path(),
            source: io(),
        },
        DecryptError::DiskFull { path: path() },
        DecryptError::Io {
            path: path(),
            source: io(),
        },
    ];
    for e in &all {
        match e {
            DecryptError::NotAnAgeFile
            | DecryptError::Armored
            | DecryptError::HeaderCorrupt
            | DecryptError::UnsupportedFormatVersion { .. }
            | DecryptError::WrongKey
            | DecryptError::Tampered
            | DecryptError::Corrupt
            | DecryptError::Truncated
            | DecryptError::NotAKepilPackage
            | DecryptError::ManifestTooLarge { .. }
            | DecryptError::ManifestInvalid { .. }
            | DecryptError::ClassificationRefused { .. }
            | DecryptError::TooManyFiles { .. }
            | DecryptError::ManifestMismatch
            | DecryptError::FileHashMismatch { .. }
            | DecryptError::TrailingData
            | DecryptError::Cancelled
            | DecryptError::Stopped
            | DecryptError::Read { .. }
            | DecryptError::DestinationNotWritable { .. }
            | DecryptError::DiskFull { .. }
            | DecryptError::Io { .. } => {}
            _ => panic!("a DecryptError variant is not listed: {e:?}"),
        }
    }
    all
}

fn core_errors() -> Vec<Box<dyn Coded>> {
    let mut all: Vec<Box<dyn Coded>> = vec![Box::new(LangError::Unknown { input: "fr".into() })];
    for e in [
        ClassificationError::Unknown {
            input: "SULITT".into(),
        },
        ClassificationError::Refused {
            classification: Classification::RahsiaBesar,
        },
    ] {
        match &e {
            ClassificationError::Unknown { .. } | ClassificationError::Refused { .. } => {}
        }
        all.push(Box::new(e));
    }
    for e in [
        PasswordError::Empty,
        PasswordError::WrongLength { found: 15 },
        PasswordError::BadCharacter {
            character: '#',
            position: 7,
        },
        PasswordError::LetterU { position: 3 },
    ] {
        match &e {
            PasswordError::Empty
            | PasswordError::WrongLength { .. }
            | PasswordError::BadCharacter { .. }
            | PasswordError::LetterU { .. } => {}
        }
        all.push(Box::new(e));
    }
    for e in [
        KdfError::UnsupportedVersion {
            found: 2,
            supported: 1,
        },
        KdfError::MemoryTooLow {
            m_kib: 1024,
            min: 65536,
        },
        KdfError::MemoryTooHigh {
            m_kib: 2_000_000,
            max: 1_048_576,
        },
        KdfError::TimeTooLow { t: 1, min: 3 },
        KdfError::TimeTooHigh { t: 99, max: 10 },
        KdfError::ParallelismTooLow { p: 0, min: 1 },
        KdfError::ParallelismTooHigh { p: 64, max: 8 },
        KdfError::BadTransferId { len: 0 },
        KdfError::Argon2 {
            reason: "out of memory".into(),
        },
        KdfError::IdentityEncoding,
    ] {
        match &e {
            KdfError::UnsupportedVersion { .. }
            | KdfError::MemoryTooLow { .. }
            | KdfError::MemoryTooHigh { .. }
            | KdfError::TimeTooLow { .. }
            | KdfError::TimeTooHigh { .. }
            | KdfError::ParallelismTooLow { .. }
            | KdfError::ParallelismTooHigh { .. }
            | KdfError::BadTransferId { .. }
            | KdfError::Argon2 { .. }
            | KdfError::IdentityEncoding => {}
        }
        all.push(Box::new(e));
    }
    for e in [
        AuthKeyError::NotBase64url,
        AuthKeyError::WrongLength { found: 31 },
    ] {
        match &e {
            AuthKeyError::NotBase64url | AuthKeyError::WrongLength { .. } => {}
        }
        all.push(Box::new(e));
    }
    for e in [
        LinkError::NoLinkFound,
        LinkError::NotKepilLink,
        LinkError::MissingSecret,
        LinkError::BadSecretLength { found: 21 },
        LinkError::BadSecret,
        LinkError::BadGrantId,
        LinkError::InsecureHttp {
            host: "kepil.example".into(),
        },
        LinkError::HasCredentials,
        LinkError::BadStoreAddress,
        LinkError::WrapperUnreadable,
    ] {
        match &e {
            LinkError::NoLinkFound
            | LinkError::NotKepilLink
            | LinkError::MissingSecret
            | LinkError::BadSecretLength { .. }
            | LinkError::BadSecret
            | LinkError::BadGrantId
            | LinkError::InsecureHttp { .. }
            | LinkError::HasCredentials
            | LinkError::BadStoreAddress
            | LinkError::WrapperUnreadable => {}
        }
        all.push(Box::new(e));
    }
    for e in encrypt_errors() {
        all.push(Box::new(e));
    }
    for e in decrypt_errors() {
        all.push(Box::new(e));
    }
    all
}

fn net_errors() -> Vec<NetError> {
    let mut all = vec![
        NetError::Transport(transport()),
        NetError::UntrustedCertificate {
            host: "kepil.agensi.gov.my".into(),
            reason: "UnknownIssuer".into(),
        },
        NetError::Http { status: 502 },
        NetError::Protocol("no Location header".into()),
        NetError::AnswerTooLarge { limit: 1 << 20 },
        NetError::BadUrl("htp:/x".into()),
        NetError::BadCertificate("not PEM".into()),
    ];
    for code in every_store_code() {
        all.push(NetError::Api {
            status: code.http_status(),
            error: api(code),
        });
    }
    all.push(NetError::Api {
        status: 403,
        error: ApiError {
            tries_left: Some(2),
            ..api(ErrorCode::WrongPassword)
        },
    });
    all.push(NetError::Api {
        status: 429,
        error: ApiError {
            retry_after_secs: Some(30),
            ..api(ErrorCode::RateLimited)
        },
    });
    for e in &all {
        match e {
            NetError::Transport(_)
            | NetError::Api { .. }
            | NetError::Http { .. }
            | NetError::Protocol(_)
            | NetError::AnswerTooLarge { .. }
            | NetError::BadUrl(_)
            | NetError::BadCertificate(_)
            | NetError::UntrustedCertificate { .. } => {}
        }
    }
    all
}

fn config_errors() -> Vec<ConfigError> {
    let all = vec![
        ConfigError::NoHomeDirectory,
        ConfigError::BadConfigFile {
            path: path(),
            reason: "expected `=`".into(),
        },
        ConfigError::Io {
            path: path(),
            source: io(),
        },
        ConfigError::BadStoreUrl {
            url: "ftp://x".into(),
        },
        ConfigError::NoStore,
        ConfigError::NoToken {
            store: "https://kepil.example".into(),
        },
        ConfigError::NotSignedIn {
            store: "https://kepil.agensi.gov.my/".into(),
        },
        ConfigError::TokenNotAllowed,
        ConfigError::StoreLocked {
            store: "https://kepil.agensi.gov.my/".into(),
            wanted: "https://kepil.example/".into(),
        },
        ConfigError::Secrets(SecretStoreError::Keyring("locked".into())),
    ];
    for e in &all {
        match e {
            ConfigError::NoHomeDirectory
            | ConfigError::BadConfigFile { .. }
            | ConfigError::Io { .. }
            | ConfigError::BadStoreUrl { .. }
            | ConfigError::NoStore
            | ConfigError::NoToken { .. }
            | ConfigError::NotSignedIn { .. }
            | ConfigError::TokenNotAllowed
            | ConfigError::StoreLocked { .. }
            | ConfigError::Secrets(_) => {}
        }
    }
    all
}

fn scan_errors() -> Vec<ScanError> {
    let address = "unix:/run/clamav/clamd.ctl".to_string();
    let all = vec![
        ScanError::BadAddress {
            address: "clamd".into(),
        },
        ScanError::Unreachable {
            address: address.clone(),
            reason: "No such file or directory (os error 2)".into(),
        },
        ScanError::Failed {
            address,
            reason: "Broken pipe (os error 32)".into(),
        },
        ScanError::TooLarge {
            name: "Rakaman.mp4".into(),
        },
        ScanError::Engine {
            reason: "Can't allocate memory ERROR".into(),
        },
        ScanError::Protocol {
            answer: "HTTP/1.1 400 Bad Request".into(),
        },
        ScanError::NotConfigured,
        ScanError::SignaturesUndated {
            engine: "ClamAV 1.0.9".into(),
            max_hours: 48,
        },
        ScanError::SignaturesTooOld {
            date: time::OffsetDateTime::UNIX_EPOCH,
            age_hours: 500,
            max_hours: 48,
        },
    ];
    for e in &all {
        match e {
            ScanError::BadAddress { .. }
            | ScanError::Unreachable { .. }
            | ScanError::Failed { .. }
            | ScanError::TooLarge { .. }
            | ScanError::Engine { .. }
            | ScanError::Protocol { .. }
            | ScanError::NotConfigured
            | ScanError::SignaturesUndated { .. }
            | ScanError::SignaturesTooOld { .. } => {}
        }
    }
    all
}

fn client_errors() -> Vec<Box<dyn Coded>> {
    let mut all: Vec<Box<dyn Coded>> = vec![];
    for e in scan_errors() {
        all.push(Box::new(e));
    }
    for e in net_errors() {
        all.push(Box::new(e));
    }
    for e in config_errors() {
        all.push(Box::new(e));
    }
    for e in [
        PolicyError::Unreadable {
            path: "/etc/kepil/policy.toml".into(),
            reason: "permission denied".into(),
        },
        PolicyError::Invalid {
            path: "/etc/kepil/policy.toml".into(),
            reason: "unknown field".into(),
        },
        PolicyError::Unprotected {
            path: "/etc/kepil/policy.toml".into(),
            reason: "mode 666".into(),
        },
    ] {
        match &e {
            PolicyError::Unreadable { .. }
            | PolicyError::Invalid { .. }
            | PolicyError::Unprotected { .. } => {}
        }
        all.push(Box::new(e));
    }
    // The store's answers as a recipient and a sender meet them.
    for e in net_errors() {
        all.push(Box::new(ReceiveError::from_net(e)));
    }
    for e in net_errors() {
        all.push(Box::new(ManageError::from_net(e)));
    }
    for e in [
        RecipientError::NoRecipients,
        RecipientError::Invalid {
            recipient: "a@x".into(),
        },
        RecipientError::Duplicate {
            recipient: "a@agency.gov.my".into(),
        },
        RecipientError::PhoneInvalid {
            phone: "012".into(),
        },
    ] {
        // Every variant listed, so a new one fails to compile here until it is added above.
        match &e {
            RecipientError::NoRecipients
            | RecipientError::Invalid { .. }
            | RecipientError::Duplicate { .. }
            | RecipientError::PhoneInvalid { .. } => {}
        }
        all.push(Box::new(e));
    }
    let mut send = vec![
        SendError::Classification(ClassificationError::Refused {
            classification: Classification::Rahsia,
        }),
        SendError::NoFiles,
        SendError::NoRecipients,
        SendError::DuplicateRecipient("a@agency.gov.my".into()),
        SendError::ClassificationNotAccepted {
            classification: "SULIT".into(),
        },
        SendError::ExpiryTooLong {
            requested_secs: 1_209_600,
            limit_secs: 604_800,
        },
        SendError::TooManyDownloads {
            requested: 9,
            limit: 5,
        },
        SendError::TooLarge {
            size: 3_000,
            limit: 2_000,
        },
        SendError::QuotaExceeded { limit: Some(10) },
        SendError::QuotaExceeded { limit: None },
        SendError::Unauthorized,
        SendError::Kdf(KdfError::TimeTooLow { t: 1, min: 3 }),
        SendError::Spool {
            path: path(),
            source: io(),
        },
        SendError::Secrets(SecretStoreError::Keyring("locked".into())),
        SendError::Interrupted {
            transfer_id: "T123".into(),
            source: NetError::Transport(transport()),
        },
        SendError::Interrupted {
            transfer_id: "T123".into(),
            source: NetError::Api {
                status: 500,
                error: api(ErrorCode::Internal),
            },
        },
        SendError::Store(NetError::Http { status: 502 }),
        SendError::Cancelled,
        SendError::NothingToResume,
        SendError::ResumeAmbiguous {
            ids: vec!["T1".into(), "T2".into()],
        },
        SendError::ResumeImpossible {
            transfer_id: "T123".into(),
            reason: "the spool is gone".into(),
        },
        SendError::FilesChanged {
            transfer_id: "T123".into(),
            path: path(),
        },
        SendError::SignInRequired,
        SendError::SenderMismatch {
            given: "bob@agency.gov.my".into(),
            signed_in: "alice@agency.gov.my".into(),
        },
        SendError::Infected {
            name: "lampiran.com".into(),
            signature: "Win.Test.EICAR_HDB-1".into(),
        },
    ];
    for e in scan_errors() {
        send.push(SendError::Scan(e));
    }
    for e in session_errors() {
        send.push(SendError::Session(e));
    }
    for e in encrypt_errors() {
        send.push(SendError::Files(e));
    }
    for e in encrypt_errors() {
        send.push(SendError::Encrypt(e));
    }
    for e in config_errors() {
        send.push(SendError::Config(e));
    }
    for e in &send {
        match e {
            SendError::Classification(_)
            | SendError::NoFiles
            | SendError::NoRecipients
            | SendError::DuplicateRecipient(_)
            | SendError::Files(_)
            | SendError::ClassificationNotAccepted { .. }
            | SendError::ExpiryTooLong { .. }
            | SendError::TooManyDownloads { .. }
            | SendError::TooLarge { .. }
            | SendError::QuotaExceeded { .. }
            | SendError::Unauthorized
            | SendError::Session(_)
            | SendError::SignInRequired
            | SendError::SenderMismatch { .. }
            | SendError::Config(_)
            | SendError::Kdf(_)
            | SendError::Encrypt(_)
            | SendError::Spool { .. }
            | SendError::Secrets(_)
            | SendError::Interrupted { .. }
            | SendError::Store(_)
            | SendError::Cancelled
            | SendError::NothingToResume
            | SendError::ResumeAmbiguous { .. }
            | SendError::ResumeImpossible { .. }
            | SendError::FilesChanged { .. }
            | SendError::Infected { .. }
            | SendError::Scan(_) => {}
        }
    }
    for e in send {
        all.push(Box::new(e));
    }
    let mut receive = vec![
        ReceiveError::Link(LinkError::InsecureHttp {
            host: "kepil.example".into(),
        }),
        ReceiveError::Password(PasswordError::LetterU { position: 3 }),
        ReceiveError::PasswordRequired,
        ReceiveError::Kdf(KdfError::MemoryTooLow {
            m_kib: 1024,
            min: 65536,
        }),
        ReceiveError::WrongPassword {
            tries_left: Some(3),
        },
        ReceiveError::WrongPassword { tries_left: None },
        ReceiveError::Locked,
        ReceiveError::Expired,
        ReceiveError::Revoked,
        ReceiveError::UsedUp,
        ReceiveError::Unavailable,
        ReceiveError::NotReady,
        ReceiveError::RateLimited {
            retry_after_secs: Some(90),
        },
        ReceiveError::RateLimited {
            retry_after_secs: None,
        },
        ReceiveError::Io {
            path: path(),
            source: io(),
        },
        ReceiveError::OutputExists { path: path() },
        ReceiveError::Network(NetError::Transport(transport())),
        ReceiveError::Store(NetError::Protocol("bad JSON".into())),
        ReceiveError::Cancelled,
        ReceiveError::Declined,
        ReceiveError::ClassificationRefused {
            classification: Classification::Rahsia,
        },
        ReceiveError::Infected {
            name: "invois.pdf".into(),
            signature: "Win.Test.EICAR_HDB-1".into(),
            transfer_id: "T123".into(),
            sender: "a@agency.gov.my".into(),
            sender_verified: true,
            store: "kepil.agency.gov.my".into(),
        },
        ReceiveError::Infected {
            name: "invois.pdf".into(),
            signature: "Win.Test.EICAR_HDB-1".into(),
            transfer_id: "T123".into(),
            sender: "ketua@agency.gov.my".into(),
            sender_verified: false,
            store: "kepil.agency.gov.my".into(),
        },
    ];
    for e in scan_errors() {
        receive.push(ReceiveError::Scan(e));
    }
    for idn in [false, true] {
        receive.push(ReceiveError::StoreUnconfirmed {
            host: "xn--kepl-9cd.agensi.gov.my".into(),
            idn,
        });
    }
    receive.push(ReceiveError::StoreRefused {
        host: "kepil.lain.example".into(),
        idn: false,
    });
    for e in decrypt_errors() {
        receive.push(ReceiveError::Decrypt(e));
    }
    for e in &receive {
        match e {
            ReceiveError::Link(_)
            | ReceiveError::Password(_)
            | ReceiveError::PasswordRequired
            | ReceiveError::Kdf(_)
            | ReceiveError::WrongPassword { .. }
            | ReceiveError::Locked
            | ReceiveError::Expired
            | ReceiveError::Revoked
            | ReceiveError::UsedUp
            | ReceiveError::Unavailable
            | ReceiveError::NotReady
            | ReceiveError::RateLimited { .. }
            | ReceiveError::Decrypt(_)
            | ReceiveError::Io { .. }
            | ReceiveError::OutputExists { .. }
            | ReceiveError::Network(_)
            | ReceiveError::Store(_)
            | ReceiveError::Cancelled
            | ReceiveError::Declined
            | ReceiveError::ClassificationRefused { .. }
            | ReceiveError::Infected { .. }
            | ReceiveError::Scan(_)
            | ReceiveError::StoreUnconfirmed { .. }
            | ReceiveError::StoreRefused { .. } => {}
        }
    }
    for e in receive {
        all.push(Box::new(e));
    }
    // Not errors, but worded by the catalogue the same way.
    let warnings = vec![
        ReceiveWarning::SenderDiffers {
            sealed: "ketua@agency.gov.my".into(),
            verified: "a@agency.gov.my".into(),
            store: "kepil.agency.gov.my".into(),
        },
        ReceiveWarning::SenderUnverified {
            sealed: "a@agency.gov.my".into(),
            store: "kepil.agency.gov.my".into(),
        },
        ReceiveWarning::ClassificationDiffers {
            sealed: Classification::Sulit,
            declared: Classification::Terbuka,
        },
        ReceiveWarning::ClassificationDiffers {
            sealed: Classification::Terhad,
            declared: Classification::Sulit,
        },
        ReceiveWarning::DangerousFile {
            name: "setup.exe".into(),
            danger: kepil_core::filename::Danger::Program,
        },
        ReceiveWarning::DangerousFile {
            name: "Bajet.xlsm".into(),
            danger: kepil_core::filename::Danger::Macro,
        },
        ReceiveWarning::DangerousFile {
            name: "disk.iso".into(),
            danger: kepil_core::filename::Danger::DiskImage,
        },
    ];
    for w in &warnings {
        match w {
            ReceiveWarning::SenderDiffers { .. }
            | ReceiveWarning::SenderUnverified { .. }
            | ReceiveWarning::ClassificationDiffers { .. }
            | ReceiveWarning::DangerousFile { .. } => {}
        }
    }
    for w in warnings {
        all.push(Box::new(w));
    }
    let manage = vec![
        ManageError::UnknownTransfer { id: "T9".into() },
        ManageError::NoOwnerToken {
            transfer_id: "T9".into(),
        },
        ManageError::UnknownRecipient {
            transfer_id: "T9".into(),
            recipient: "b@agency.gov.my".into(),
        },
        ManageError::RecipientNeeded {
            transfer_id: "T9".into(),
        },
        ManageError::Unauthorized,
        ManageError::Unavailable,
        ManageError::Config(ConfigError::NoStore),
        ManageError::Secrets(SecretStoreError::Keyring("locked".into())),
        ManageError::Store(NetError::Http { status: 500 }),
    ];
    for e in &manage {
        match e {
            ManageError::UnknownTransfer { .. }
            | ManageError::NoOwnerToken { .. }
            | ManageError::UnknownRecipient { .. }
            | ManageError::RecipientNeeded { .. }
            | ManageError::Unauthorized
            | ManageError::Unavailable
            | ManageError::Config(_)
            | ManageError::Secrets(_)
            | ManageError::Store(_) => {}
        }
    }
    for e in manage {
        all.push(Box::new(e));
    }
    let handover = vec![
        HandoverError::Gone {
            transfer_id: "T9".into(),
        },
        HandoverError::Damaged {
            transfer_id: "T9".into(),
        },
        HandoverError::UnknownRecipient {
            transfer_id: "T9".into(),
            recipient: "G1".into(),
        },
        HandoverError::Config(ConfigError::NoStore),
        HandoverError::Secrets(SecretStoreError::NotInKeyring {
            why: "this computer has no system keyring",
        }),
        HandoverError::Secrets(SecretStoreError::Keyring("locked".into())),
    ];
    for e in &handover {
        match e {
            HandoverError::Gone { .. }
            | HandoverError::Damaged { .. }
            | HandoverError::UnknownRecipient { .. }
            | HandoverError::Config(_)
            | HandoverError::Secrets(_) => {}
        }
    }
    for e in handover {
        all.push(Box::new(e));
    }
    for e in sign_in_errors() {
        all.push(Box::new(e));
    }
    for e in session_errors() {
        all.push(Box::new(e));
    }
    for e in account_errors() {
        all.push(Box::new(e));
    }
    all
}

fn sign_in_errors() -> Vec<SignInError> {
    let mut all = vec![
        SignInError::NoProvider {
            store: "https://kepil.example".into(),
        },
        SignInError::UnknownProvider {
            provider: "okta".into(),
            known: vec!["mygovuc".into(), "entra".into()],
        },
        SignInError::ChooseProvider {
            known: vec!["mygovuc".into(), "entra".into()],
        },
        SignInError::ProviderLocked {
            provider: "mygovuc".into(),
            wanted: "entra".into(),
        },
        SignInError::InsecureIssuer {
            issuer: "http://idp.example".into(),
        },
        SignInError::Discovery {
            issuer: "https://idp.example".into(),
            reason: "404".into(),
        },
        SignInError::Listener {
            reason: "address in use".into(),
        },
        SignInError::Timeout { secs: 300 },
        SignInError::ProviderUnreachable {
            provider: "MyGovUC".into(),
            reason: "connection refused".into(),
        },
        SignInError::Cancelled,
        SignInError::Denied,
        SignInError::ProviderRefused {
            error: "invalid_scope".into(),
            description: "offline_access".into(),
        },
        SignInError::StateMismatch,
        SignInError::BadRedirect {
            reason: "no code".into(),
        },
        SignInError::NoIdToken,
        SignInError::IdTokenRejected {
            reason: "signature".into(),
        },
        SignInError::NoEmail,
        SignInError::DeviceFlowUnsupported,
        SignInError::DeviceCodeExpired,
        SignInError::Secrets(SecretStoreError::Keyring("locked".into())),
    ];
    for e in net_errors() {
        all.push(SignInError::Store(e));
    }
    for e in &all {
        match e {
            SignInError::NoProvider { .. }
            | SignInError::UnknownProvider { .. }
            | SignInError::ChooseProvider { .. }
            | SignInError::ProviderLocked { .. }
            | SignInError::InsecureIssuer { .. }
            | SignInError::Discovery { .. }
            | SignInError::Listener { .. }
            | SignInError::Timeout { .. }
            | SignInError::ProviderUnreachable { .. }
            | SignInError::Cancelled
            | SignInError::Denied
            | SignInError::ProviderRefused { .. }
            | SignInError::StateMismatch
            | SignInError::BadRedirect { .. }
            | SignInError::NoIdToken
            | SignInError::IdTokenRejected { .. }
            | SignInError::NoEmail
            | SignInError::DeviceFlowUnsupported
            | SignInError::DeviceCodeExpired
            | SignInError::Store(_)
            | SignInError::Secrets(_) => {}
        }
    }
    all
}

fn session_errors() -> Vec<SessionError> {
    let all = vec![
        SessionError::NotSignedIn {
            store: "https://kepil.example".into(),
        },
        SessionError::SignInEnded {
            provider: "MyGovUC".into(),
        },
        SessionError::Provider {
            provider: "MyGovUC".into(),
            reason: "connection refused".into(),
        },
        SessionError::NoIdToken,
        SessionError::IdTokenRejected {
            reason: "signature".into(),
        },
        SessionError::Store(NetError::Api {
            status: 403,
            error: api(ErrorCode::IdentityDisabled),
        }),
        SessionError::Secrets(SecretStoreError::Keyring("locked".into())),
    ];
    for e in &all {
        match e {
            SessionError::NotSignedIn { .. }
            | SessionError::SignInEnded { .. }
            | SessionError::Provider { .. }
            | SessionError::NoIdToken
            | SessionError::IdTokenRejected { .. }
            | SessionError::Store(_)
            | SessionError::Secrets(_) => {}
        }
    }
    all
}

fn account_errors() -> Vec<AccountError> {
    let mut all = vec![
        AccountError::Forbidden,
        AccountError::Unavailable {
            transfer_id: "T9".into(),
        },
        AccountError::BadTransferId { id: "../x".into() },
        AccountError::Config(ConfigError::NoStore),
        AccountError::Store(NetError::Http { status: 502 }),
    ];
    for e in session_errors() {
        all.push(AccountError::Session(e));
    }
    for e in net_errors() {
        all.push(AccountError::from_net(e, Some("T9")));
    }
    for e in &all {
        match e {
            AccountError::Session(_)
            | AccountError::Config(_)
            | AccountError::Forbidden
            | AccountError::Unavailable { .. }
            | AccountError::BadTransferId { .. }
            | AccountError::Store(_) => {}
        }
    }
    all
}

/// Every (code, params) Kepil can show, with the param names each code may give.
/// One shown error: its code and params.
type Case = (String, Vec<(&'static str, String)>);
/// Per code, every param name some variant gives.
type Given = BTreeMap<String, BTreeSet<String>>;

fn every_code() -> (Vec<Case>, Given) {
    let mut cases = vec![];
    for e in core_errors().into_iter().chain(client_errors()) {
        cases.push((e.code().to_owned(), e.params()));
    }
    for (code, params) in kepil_app::error::APP_CODES.iter().chain(CLI_CODES.iter()) {
        // The app gives its params at some call sites and not at others: both must read well.
        cases.push((code.to_string(), vec![]));
        cases.push((
            code.to_string(),
            params.iter().map(|p| (*p, "x".to_owned())).collect(),
        ));
    }
    let mut given: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (code, params) in &cases {
        let names = given.entry(code.clone()).or_default();
        for (name, _) in params {
            names.insert(name.to_string());
        }
    }
    for code in CATALOGUE_CODES {
        given.entry(code.to_owned()).or_default();
    }
    given.get_mut("unknown").map(|s| s.insert("code".into()));
    given
        .get_mut("ipc_error")
        .map(|s| s.insert("message".into()));
    (cases, given)
}

#[test]
fn every_code_has_a_message_in_both_languages_with_the_params_it_gives() {
    let (cases, _) = every_code();
    assert!(cases.len() > 150, "{}", cases.len());
    let mut problems = vec![];
    for (code, params) in &cases {
        for lang in Lang::ALL {
            problems.extend(catalogue::problems(lang, code, params));
        }
    }
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn messages_use_only_params_their_code_gives() {
    let (_, given) = every_code();
    let mut problems = vec![];
    for lang in Lang::ALL {
        for (file, key) in catalogue::keys(lang) {
            let code = catalogue::code_of(&key);
            let Some(names) = given.get(code) else {
                continue;
            };
            for var in catalogue::variables(lang, &key) {
                if !names.contains(&var) {
                    problems.push(format!(
                        "i18n/{lang}/{file}: {key} uses ${var}, which {code} never gives"
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_catalogue_key_is_a_code_and_both_languages_have_the_same_keys() {
    let (_, given) = every_code();
    let mut problems = vec![];
    let mut per_lang = vec![];
    for lang in Lang::ALL {
        let keys: BTreeSet<String> = catalogue::keys(lang)
            .into_iter()
            .map(|(file, key)| {
                if !given.contains_key(catalogue::code_of(&key)) {
                    problems.push(format!(
                        "i18n/{lang}/{file}: {key} is no code's message (dead text)"
                    ));
                }
                key
            })
            .collect();
        per_lang.push(keys);
    }
    for key in per_lang[0].symmetric_difference(&per_lang[1]) {
        problems.push(format!("{key} is in one language only"));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn wrappers_forward_the_code_and_params_of_what_they_wrap() {
    for inner in encrypt_errors() {
        let (code, params) = (inner.code(), inner.params());
        let outer = SendError::Files(inner);
        assert_eq!((outer.code(), outer.params()), (code, params));
    }
    for inner in decrypt_errors() {
        let (code, params) = (inner.code(), inner.params());
        let outer = ReceiveError::Decrypt(inner);
        assert_eq!((outer.code(), outer.params()), (code, params));
    }
    let inner = LinkError::InsecureHttp {
        host: "kepil.example".into(),
    };
    let outer = ReceiveError::Link(inner.clone());
    assert_eq!(
        (outer.code(), outer.params()),
        (inner.code(), inner.params())
    );
    for inner in session_errors() {
        let (code, params) = (inner.code(), inner.params());
        let outer = SendError::Session(inner);
        assert_eq!((outer.code(), outer.params()), (code, params));
    }
    for inner in net_errors() {
        let (code, params) = (inner.code(), inner.params());
        let outer = SignInError::Store(inner);
        assert_eq!((outer.code(), outer.params()), (code, params));
    }
    // A wrapped file's name reaches the message, in both languages.
    let e = SendError::Files(EncryptError::NotAFile { path: path() });
    for lang in Lang::ALL {
        assert!(
            e.message(lang).contains("Surat Rasmi.pdf"),
            "{}",
            e.message(lang)
        );
    }
    // An interrupted upload says what stopped it.
    let e = SendError::Interrupted {
        transfer_id: "T123".into(),
        source: NetError::Http { status: 502 },
    };
    assert!(
        e.message(Lang::En).contains("HTTP 502)."),
        "{}",
        e.message(Lang::En)
    );
    assert!(
        e.message(Lang::Ms).contains("kepil send --resume T123"),
        "{}",
        e.message(Lang::Ms)
    );
}

/// Every `.rs` file under `dir`, at any depth (commands live in `src/commands/`).
fn rust_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = vec![];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

#[test]
fn the_cli_and_the_app_list_every_code_they_raise() {
    // `UiError::new("code")` in src-tauri/src and `Failure::coded("code"` in crates/cli/src
    // must be a library code or listed in APP_CODES / CLI_CODES.
    let (_, given) = every_code();
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut missing = vec![];
    let mut seen = 0;
    for (dir, marker) in [
        (here.join("src"), "UiError::new(\""),
        (here.join("../crates/cli/src"), "Failure::coded(\""),
    ] {
        for path in rust_files(&dir) {
            let text = std::fs::read_to_string(&path).unwrap();
            for piece in text.split(marker).skip(1) {
                seen += 1;
                let code = piece.split('"').next().unwrap();
                if !given.contains_key(code) {
                    missing.push(format!("{}: {code}", path.display()));
                }
            }
        }
    }
    assert!(seen > 30, "{seen}");
    assert!(
        missing.is_empty(),
        "add to APP_CODES or CLI_CODES: {missing:?}"
    );
}
