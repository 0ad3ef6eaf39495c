//! The Kepil store's HTTP API as types: what the store accepts and answers, shared by the store
//! (`kepil-store`) and its clients (`kepil-client`, the CLI and the desktop app).
//!
//! Binary values (auth keys, nonces, MACs, hashes) travel as unpadded base64url strings.
//! Secrets travel only in JSON bodies and `Authorization: Bearer` headers, never in a path or a
//! query string, because paths and queries end up in proxy and access logs.

#![forbid(unsafe_code)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub use kepil_core::classification::Classification;
pub use kepil_core::kdf::KdfParams;

pub mod identity;

/// The API version prefix every route below lives under.
pub const API_PREFIX: &str = "/api/v1";

/// Route paths, so the store's router and the client cannot disagree.
pub mod paths {
    pub const POLICY: &str = "/api/v1/policy";
    pub const TRANSFERS: &str = "/api/v1/transfers";
    pub const UPLOADS: &str = "/api/v1/uploads";
    /// `POST`: an ID token for a session.
    pub const SESSIONS: &str = "/api/v1/sessions";
    /// `GET`: who the bearer is; `DELETE`: end this session (sign out).
    pub const SESSION: &str = "/api/v1/session";
    /// `GET`: the signed-in sender's live transfers, from any computer.
    pub const MY_TRANSFERS: &str = "/api/v1/me/transfers";
    pub const ADMIN_SEARCH: &str = "/api/v1/admin/transfers/search";
    pub const ADMIN_REVOKE: &str = "/api/v1/admin/transfers/revoke";
    pub const ADMIN_DISABLE: &str = "/api/v1/admin/identities/disable";
    pub const ADMIN_ENABLE: &str = "/api/v1/admin/identities/enable";

    /// `DELETE`: the signed-in sender revokes one of their transfers without its owner token.
    pub fn my_transfer(transfer_id: &str) -> String {
        format!("/api/v1/me/transfers/{transfer_id}")
    }

    pub fn transfer(transfer_id: &str) -> String {
        format!("/api/v1/transfers/{transfer_id}")
    }
    pub fn transfer_grant(transfer_id: &str, grant_id: &str) -> String {
        format!("/api/v1/transfers/{transfer_id}/grants/{grant_id}")
    }
    /// `POST`: the owner gives a locked grant its tries back.
    pub fn grant_unlock(transfer_id: &str, grant_id: &str) -> String {
        format!("/api/v1/transfers/{transfer_id}/grants/{grant_id}/unlock")
    }
    pub fn upload(transfer_id: &str) -> String {
        format!("/api/v1/uploads/{transfer_id}")
    }
    pub fn grant(grant_id: &str) -> String {
        format!("/api/v1/grants/{grant_id}")
    }
    pub fn challenge(grant_id: &str) -> String {
        format!("/api/v1/grants/{grant_id}/challenge")
    }
    pub fn open(grant_id: &str) -> String {
        format!("/api/v1/grants/{grant_id}/open")
    }
    pub fn proof(grant_id: &str) -> String {
        format!("/api/v1/grants/{grant_id}/proof")
    }
    pub fn blob(grant_id: &str) -> String {
        format!("/api/v1/grants/{grant_id}/blob")
    }
    /// The landing page a browser reaches from `https://STORE/t/ID#SECRET`.
    pub fn landing(grant_id: &str) -> String {
        format!("/t/{grant_id}")
    }
}

/// tus 1.0 header names and the values this store speaks.
pub mod tus {
    pub const VERSION: &str = "1.0.0";
    pub const EXTENSIONS: &str = "creation,checksum,termination,expiration";
    pub const CHECKSUM_ALGORITHMS: &str = "sha256";
    pub const TUS_RESUMABLE: &str = "Tus-Resumable";
    pub const TUS_VERSION: &str = "Tus-Version";
    pub const TUS_EXTENSION: &str = "Tus-Extension";
    pub const TUS_MAX_SIZE: &str = "Tus-Max-Size";
    pub const TUS_CHECKSUM_ALGORITHM: &str = "Tus-Checksum-Algorithm";
    pub const UPLOAD_OFFSET: &str = "Upload-Offset";
    pub const UPLOAD_LENGTH: &str = "Upload-Length";
    pub const UPLOAD_METADATA: &str = "Upload-Metadata";
    pub const UPLOAD_CHECKSUM: &str = "Upload-Checksum";
    pub const UPLOAD_EXPIRES: &str = "Upload-Expires";
    pub const OFFSET_CONTENT_TYPE: &str = "application/offset+octet-stream";
    /// Kepil's addition: the whole blob's [`BlobChecksum`], sent with the final PATCH (or as
    /// the `crc64nvme` creation metadata). The store marks an upload complete only when its
    /// own checksum of everything it stored matches.
    pub const KEPIL_BLOB_CRC64: &str = "Kepil-Blob-Crc64nvme";
    /// The headers earlier builds sent (SHA-256, then BLAKE3 of the whole blob), refused with
    /// a request to update rather than ignored.
    pub const KEPIL_BLOB_RETIRED: [&str; 2] = ["Kepil-Blob-Sha256", "Kepil-Blob-Blake3"];
    /// Metadata key naming the transfer a tus creation request uploads for.
    pub const META_TRANSFER: &str = "transfer";
    /// Metadata key carrying the whole blob's [`BlobChecksum`] at creation.
    pub const META_CRC64: &str = "crc64nvme";
    /// The metadata keys earlier builds sent, refused like [`KEPIL_BLOB_RETIRED`].
    pub const META_RETIRED: [&str; 2] = ["sha256", "blake3"];
}

/// The whole-blob upload check: CRC-64/NVME (the full-object checksum S3 uses), on the wire as
/// unpadded base64url of its 8 bytes, big-endian.
///
/// It guards against damage in transit or at rest and against resume bugs (bytes spliced at
/// the wrong offset), so that no damaged upload is marked complete. Tampering is not its job:
/// whoever can change the bytes can change the checksum, and the recipient authenticates every
/// age chunk anyway. A cryptographic hash here (SHA-256, then BLAKE3) ran over every byte on
/// both ends of the upload and took about a fifth of the store's CPU; the CRC runs at memory
/// speed, and its state is one integer.
#[derive(Clone, Copy)]
pub struct BlobChecksum(crc_fast::Digest);

impl BlobChecksum {
    pub fn new() -> Self {
        BlobChecksum(crc_fast::Digest::new(crc_fast::CrcAlgorithm::Crc64Nvme))
    }

    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    /// The checksum of everything given so far.
    pub fn value(&self) -> u64 {
        self.0.finalize()
    }

    /// The wire form of a checksum value.
    pub fn encode(value: u64) -> String {
        b64_encode(&value.to_be_bytes())
    }

    /// Parses the wire form; `None` unless it is base64url of exactly 8 bytes.
    pub fn decode(text: &str) -> Option<u64> {
        let bytes: [u8; 8] = b64_decode(text.trim())?.try_into().ok()?;
        Some(u64::from_be_bytes(bytes))
    }
}

impl Default for BlobChecksum {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for BlobChecksum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BlobChecksum({:016x})", self.value())
    }
}

/// Unpadded base64url, the encoding of every binary value on the wire.
pub fn b64_encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes unpadded base64url; `None` when the text is not valid base64url.
pub fn b64_decode(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text.as_bytes()).ok()
}

/// What a client must know before sending so that it can fail closed instead of having the
/// store silently shorten an expiry or a download limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorePolicy {
    /// Largest blob accepted, in bytes.
    pub max_blob_size: u64,
    /// Classifications this store accepts (never RAHSIA or RAHSIA BESAR).
    pub classifications: Vec<ClassificationPolicy>,
    /// Downloads per grant when the sender names none.
    pub default_max_downloads: u32,
    /// Most downloads a sender may allow per grant.
    pub max_downloads: u32,
    /// Consecutive failed proofs after which a grant locks.
    pub lockout_threshold: u32,
    /// The weakest key-derivation parameters the store accepts.
    pub kdf_floor: KdfParams,
    /// The base URL links should use (`https://store.example.gov.my`).
    pub public_url: String,
    /// The OpenID providers senders sign in with; empty when the store has none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identity_providers: Vec<identity::IdentityProviderInfo>,
    /// Only signed-in people may upload: the store refuses machine tokens for new transfers.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sign_in_required: bool,
}

/// Serializes a secret string as itself: only for the wire types that must carry one.
pub(crate) mod secret_wire {
    use kepil_core::secret::SecretString;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &SecretString, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(value.expose())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SecretString, D::Error> {
        String::deserialize(d).map(SecretString::new)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassificationPolicy {
    pub classification: Classification,
    /// Longest a transfer of this classification may live, in seconds.
    pub max_expiry_secs: u64,
    /// Expiry used when the sender names none, in seconds.
    pub default_expiry_secs: u64,
}

/// `POST /api/v1/transfers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateTransfer {
    /// The transfer id, proposed by the client: 16 random bytes as base64url (22 characters).
    /// The client must know it before the store answers, because it is the HKDF context of
    /// every grant's keys and the `auth_key`s travel in this very request. The store accepts
    /// it when well-formed and unused, and answers `conflict` (409) otherwise.
    pub transfer_id: String,
    pub classification: Classification,
    /// Exact ciphertext length in bytes (the tus `Upload-Length`).
    pub size: u64,
    /// Requested lifetime in seconds; refused (not shortened) above the classification's maximum.
    pub expires_in_secs: u64,
    pub grants: Vec<GrantSpec>,
}

/// One recipient's grant. `auth_key` is what the store verifies download proofs with: it is
/// derived from the password and the link secret, neither of which the store ever sees.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantSpec {
    /// A label the sender recognises (usually the recipient's address); shown in status.
    pub label: String,
    /// base64url of the 32-byte auth key.
    pub auth_key: String,
    pub kdf: KdfParams,
    /// Refused (not lowered) when above the store's maximum. `None`: the store's default.
    pub max_downloads: Option<u32>,
    /// base64url of the 32-byte link key (HKDF of the link secret alone, see
    /// `kepil_core::kdf::derive_link_key`). With it, the store counts a wrong password only
    /// when the proof also carries a valid [`Proof::link_mac`]; everything else gets one
    /// answer (`unavailable`). Absent from older clients: such grants behave as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_key: Option<String>,
    /// base64url of the 32-byte open key (HKDF of the link secret alone, see
    /// `kepil_core::kdf::derive_open_key`). With it, the grant's public facts are told only
    /// through [`OpenGrant`]; `GET` of the grant and every open without a valid MAC answer
    /// `unavailable`, the answer of an unknown id. Absent from older clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_key: Option<String>,
}

impl std::fmt::Debug for GrantSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GrantSpec")
            .field("label", &self.label)
            .field("auth_key", &"<redacted>")
            .field("kdf", &self.kdf)
            .field("max_downloads", &self.max_downloads)
            .field("link_key", &self.link_key.as_ref().map(|_| "<redacted>"))
            .field("open_key", &self.open_key.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Answer to [`CreateTransfer`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferCreated {
    pub transfer_id: String,
    /// Bearer token for status and revoke; shown once, the store keeps only its hash.
    pub owner_token: String,
    /// Absolute URL of the tus upload resource for this transfer.
    pub upload_url: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// In the order of the request's grants.
    pub grants: Vec<GrantCreated>,
}

impl std::fmt::Debug for TransferCreated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransferCreated")
            .field("transfer_id", &self.transfer_id)
            .field("owner_token", &"<redacted>")
            .field("upload_url", &self.upload_url)
            .field("expires_at", &self.expires_at)
            .field("grants", &self.grants)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantCreated {
    pub grant_id: String,
    pub label: String,
    pub max_downloads: u32,
}

/// `GET /api/v1/grants/{grant_id}`: what a recipient needs to derive its keys. Changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantInfo {
    pub grant_id: String,
    /// The HKDF context of the key derivation.
    pub transfer_id: String,
    pub classification: Classification,
    /// Ciphertext length in bytes.
    pub size: u64,
    pub kdf: KdfParams,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// False while the sender's upload is still running.
    pub ready: bool,
}

/// `POST /api/v1/grants/{grant_id}/challenge`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    /// base64url, single use.
    pub nonce: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// `POST /api/v1/grants/{grant_id}/open`: the grant's [`GrantInfo`] for a caller who holds
/// the whole link. Counts nothing and burns nothing (a pure read), so the nonce can go on to
/// a [`Proof`] while it lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenGrant {
    /// From [`Challenge`].
    pub nonce: String,
    /// base64url of HMAC-SHA256(open_key, nonce bytes).
    pub open_mac: String,
}

/// `POST /api/v1/grants/{grant_id}/proof`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proof {
    pub nonce: String,
    /// base64url of HMAC-SHA256(auth_key, nonce bytes).
    pub mac: String,
    /// base64url of HMAC-SHA256(link_key, nonce bytes): shows the caller holds the whole link,
    /// not only its path. Required by grants created with a `link_key`; a proof without a
    /// valid one counts nothing and is answered `unavailable` whatever the grant's state.
    /// Ignored by grants created without one (older senders) and by older stores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_mac: Option<String>,
}

/// Answer to a valid [`Proof`]: the one moment a download is counted.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DownloadGrant {
    /// Bearer token for `GET /api/v1/grants/{grant_id}/blob` (with `Range` to resume).
    pub download_token: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub size: u64,
    /// Downloads still allowed after this one.
    pub downloads_left: u32,
    /// Who uploaded, as the store knows them: told only after a valid proof. `provider` is
    /// the sign-in provider's id, or `token` for a machine token. Absent from older stores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<identity::Identity>,
}

impl std::fmt::Debug for DownloadGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DownloadGrant")
            .field("download_token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .field("size", &self.size)
            .field("downloads_left", &self.downloads_left)
            .field("sender", &self.sender)
            .finish()
    }
}

/// `GET /api/v1/transfers/{transfer_id}` with the owner token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TransferStatus {
    pub transfer_id: String,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub classification: Classification,
    pub size: u64,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub expires_at: OffsetDateTime,
    pub upload_complete: bool,
    pub expired: bool,
    pub grants: Vec<GrantStatus>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GrantStatus {
    pub grant_id: String,
    pub label: String,
    pub downloads: u32,
    pub max_downloads: u32,
    /// Consecutive failed proofs (reset by a valid one).
    pub failed_proofs: u32,
    pub locked: bool,
    pub revoked: bool,
}

/// Every error the store answers, as JSON with a stable code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: ErrorCode,
    /// English, for logs and people using curl; clients translate by `code`.
    pub message: String,
    /// With `wrong_password`: proofs left before the grant locks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tries_left: Option<u32>,
    /// With limit errors: the store's limit, so the client can say what is allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// With `rate_limited`: seconds to wait.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
}

/// Stable error codes. Clients match on these; never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Malformed request: a missing field, bad base64, a bad header.
    BadRequest,
    /// Missing or wrong uploader / owner / download token.
    Unauthorized,
    /// Unknown, expired, revoked or used up, told alike to callers without a valid proof.
    Unavailable,
    /// RAHSIA or RAHSIA BESAR, or a classification this store does not accept.
    ClassificationRefused,
    /// Expiry above the classification's maximum.
    ExpiryTooLong,
    /// Download limit above the store's maximum.
    TooManyDownloads,
    /// Blob larger than the store's maximum.
    TooLarge,
    /// The uploader's quota would be exceeded.
    QuotaExceeded,
    /// KDF parameters below the floor or above the bounds.
    KdfRejected,
    /// tus: Upload-Offset does not match the store's offset; nothing was changed.
    OffsetMismatch,
    /// tus checksum extension: the chunk's checksum did not match; the chunk was discarded.
    ChecksumMismatch,
    /// The whole blob's CRC-64/NVME (`Kepil-Blob-Crc64nvme`) did not match; the upload is not
    /// complete.
    BlobHashMismatch,
    /// The upload is already complete.
    UploadComplete,
    /// The blob is not yet fully uploaded.
    NotReady,
    /// The nonce is unknown, used or expired: ask for a new challenge.
    ChallengeExpired,
    /// The proof did not match (`tries_left` says how many remain).
    WrongPassword,
    /// Too many failed proofs: the sender must issue a new link.
    Locked,
    /// With a valid proof: the transfer expired.
    Expired,
    /// With a valid proof: the sender revoked this grant.
    Revoked,
    /// With a valid proof: no downloads left.
    UsedUp,
    /// Too many requests from this address; `retry_after_secs` says how long to wait.
    RateLimited,
    /// The proposed transfer id is malformed or already taken.
    Conflict,
    /// Unsupported tus version or request shape.
    Unsupported,
    /// Body too large for this route.
    PayloadTooLarge,
    /// Something failed inside the store; details are in its log, not here.
    Internal,
    /// The ID token was refused: bad signature, another issuer or audience, a wrong nonce, a
    /// malformed token, or an unknown provider.
    IdTokenInvalid,
    /// The ID token's time is over: sign in again.
    IdTokenExpired,
    /// The provider does not vouch for the e-mail address (`email_verified` is not true).
    EmailUnverified,
    /// The account's domain (e-mail or hosted domain) is not one this store accepts.
    DomainNotAllowed,
    /// The account lacks the group or role this store requires of senders.
    GroupRequired,
    /// An administrator disabled this identity at the store.
    IdentityDisabled,
    /// The machine token (or session) expired: a new one is needed.
    TokenExpired,
    /// Signed in, but not allowed to do this (administrators only).
    Forbidden,
    /// The store could not reach the identity provider to check a sign-in.
    ProviderUnavailable,
    /// This store accepts uploads only from signed-in people, not machine tokens.
    SignInRequired,
}

impl ErrorCode {
    /// The snake_case wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::ClassificationRefused => "classification_refused",
            ErrorCode::ExpiryTooLong => "expiry_too_long",
            ErrorCode::TooManyDownloads => "too_many_downloads",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::QuotaExceeded => "quota_exceeded",
            ErrorCode::KdfRejected => "kdf_rejected",
            ErrorCode::OffsetMismatch => "offset_mismatch",
            ErrorCode::ChecksumMismatch => "checksum_mismatch",
            ErrorCode::BlobHashMismatch => "blob_hash_mismatch",
            ErrorCode::UploadComplete => "upload_complete",
            ErrorCode::NotReady => "not_ready",
            ErrorCode::ChallengeExpired => "challenge_expired",
            ErrorCode::WrongPassword => "wrong_password",
            ErrorCode::Locked => "locked",
            ErrorCode::Expired => "expired",
            ErrorCode::Revoked => "revoked",
            ErrorCode::UsedUp => "used_up",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Conflict => "conflict",
            ErrorCode::Unsupported => "unsupported",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::Internal => "internal",
            ErrorCode::IdTokenInvalid => "id_token_invalid",
            ErrorCode::IdTokenExpired => "id_token_expired",
            ErrorCode::EmailUnverified => "email_unverified",
            ErrorCode::DomainNotAllowed => "domain_not_allowed",
            ErrorCode::GroupRequired => "group_required",
            ErrorCode::IdentityDisabled => "identity_disabled",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::ProviderUnavailable => "provider_unavailable",
            ErrorCode::SignInRequired => "sign_in_required",
        }
    }

    /// The HTTP status the store answers with this code.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::BadRequest | ErrorCode::KdfRejected => 400,
            ErrorCode::Unauthorized
            | ErrorCode::IdTokenInvalid
            | ErrorCode::IdTokenExpired
            | ErrorCode::TokenExpired
            | ErrorCode::SignInRequired => 401,
            ErrorCode::EmailUnverified
            | ErrorCode::DomainNotAllowed
            | ErrorCode::GroupRequired
            | ErrorCode::IdentityDisabled
            | ErrorCode::Forbidden => 403,
            ErrorCode::ProviderUnavailable => 502,
            ErrorCode::WrongPassword => 403,
            ErrorCode::Unavailable => 404,
            ErrorCode::OffsetMismatch
            | ErrorCode::UploadComplete
            | ErrorCode::NotReady
            | ErrorCode::Conflict => 409,
            ErrorCode::Expired | ErrorCode::Revoked | ErrorCode::UsedUp => 410,
            ErrorCode::Locked => 423,
            ErrorCode::ChallengeExpired => 409,
            ErrorCode::TooLarge | ErrorCode::PayloadTooLarge => 413,
            ErrorCode::ClassificationRefused
            | ErrorCode::ExpiryTooLong
            | ErrorCode::TooManyDownloads
            | ErrorCode::QuotaExceeded => 422,
            // tus's checksum extension fixes 460 for a checksum mismatch.
            ErrorCode::ChecksumMismatch => 460,
            ErrorCode::BlobHashMismatch => 422,
            ErrorCode::RateLimited => 429,
            ErrorCode::Unsupported => 412,
            ErrorCode::Internal => 500,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            tries_left: None,
            limit: None,
            retry_after_secs: None,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_round_trip_as_their_wire_names() {
        for code in [
            ErrorCode::BadRequest,
            ErrorCode::Unavailable,
            ErrorCode::WrongPassword,
            ErrorCode::UsedUp,
            ErrorCode::ChecksumMismatch,
            ErrorCode::Internal,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), code);
        }
    }

    #[test]
    fn api_error_omits_absent_extras_and_reads_them_back() {
        let mut err = ApiError::new(ErrorCode::WrongPassword, "wrong");
        assert_eq!(
            serde_json::to_string(&err).unwrap(),
            r#"{"code":"wrong_password","message":"wrong"}"#
        );
        err.tries_left = Some(3);
        let back: ApiError = serde_json::from_str(&serde_json::to_string(&err).unwrap()).unwrap();
        assert_eq!(back.tries_left, Some(3));
    }

    #[test]
    fn debug_of_secret_bearing_types_redacts() {
        let spec = GrantSpec {
            label: "a@b".into(),
            auth_key: "SECRETKEYMATERIAL".into(),
            kdf: KdfParams::DEFAULT,
            max_downloads: None,
            link_key: Some("LINKKEYMATERIAL".into()),
            open_key: Some("OPENKEYMATERIAL".into()),
        };
        assert!(!format!("{spec:?}").contains("SECRETKEYMATERIAL"));
        assert!(!format!("{spec:?}").contains("LINKKEYMATERIAL"));
        assert!(!format!("{spec:?}").contains("OPENKEYMATERIAL"));
        let grant = DownloadGrant {
            download_token: "TOKENVALUE".into(),
            expires_at: OffsetDateTime::UNIX_EPOCH,
            size: 1,
            downloads_left: 0,
            sender: None,
        };
        assert!(!format!("{grant:?}").contains("TOKENVALUE"));
    }

    #[test]
    fn link_fields_are_optional_on_the_wire() {
        // An older client's bodies still parse, and a new body without them looks like an old one.
        let old_proof: Proof = serde_json::from_str(r#"{"nonce":"n","mac":"m"}"#).unwrap();
        assert_eq!(old_proof.link_mac, None);
        assert_eq!(
            serde_json::to_string(&old_proof).unwrap(),
            r#"{"nonce":"n","mac":"m"}"#
        );
        let old_spec: GrantSpec = serde_json::from_str(
            r#"{"label":"a","auth_key":"k","kdf":{"version":1,"m_kib":65536,"t":3,"p":4},"max_downloads":null}"#,
        )
        .unwrap();
        assert_eq!((&old_spec.link_key, &old_spec.open_key), (&None, &None));
        let text = serde_json::to_string(&old_spec).unwrap();
        assert!(
            !text.contains("link_key") && !text.contains("open_key"),
            "{text}"
        );
    }

    #[test]
    fn base64url_round_trips_and_rejects_padding() {
        let bytes = [0xfbu8, 0xff, 0x00, 0x10];
        let text = b64_encode(&bytes);
        assert!(!text.contains('=') && !text.contains('+') && !text.contains('/'));
        assert_eq!(b64_decode(&text).unwrap(), bytes);
        assert!(b64_decode("+/==").is_none());
    }

    /// The CRC-64/NVME check value (the CRC catalogue's "123456789" vector), in pieces as
    /// uploads arrive, and its wire form.
    #[test]
    fn blob_checksum_is_crc64_nvme_over_pieces() {
        let mut c = BlobChecksum::new();
        assert_eq!(c.value(), 0);
        for piece in [&b"1234"[..], b"", b"56789"] {
            c.update(piece);
        }
        assert_eq!(c.value(), 0xAE8B_1486_0A79_9888);
        let wire = BlobChecksum::encode(c.value());
        assert_eq!(BlobChecksum::decode(&wire), Some(0xAE8B_1486_0A79_9888));
        assert_eq!(BlobChecksum::decode(&b64_encode(&[1u8; 32])), None);
        assert_eq!(BlobChecksum::decode("not base64!"), None);
    }
}
