//! Every failure answers `{code, message}` with a stable code; internal details go to the log.
//! The domain's error enums (`crate::domain`) become answers here and nowhere else.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kepil_protocol::{ApiError, ErrorCode};

use crate::domain::administration::AdminError;
use crate::domain::grants::{DownloadError, GrantError, ProofError};
use crate::domain::senders::{AuthError, SignInError};
use crate::domain::transfers::{CreateError, MAX_GRANTS, MAX_LABEL_CHARS, OwnerError};
use crate::domain::uploads::UploadError;
use crate::identity::VerifyError;

#[derive(Debug)]
pub struct AppError(pub ApiError);

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError(ApiError::new(code, message))
    }

    /// The one answer for unknown, expired, revoked and used-up resources.
    pub fn unavailable() -> Self {
        Self::new(
            ErrorCode::Unavailable,
            "This link is not available: it may be wrong, expired, revoked or used up.",
        )
    }

    pub fn unauthorized() -> Self {
        Self::new(ErrorCode::Unauthorized, "Missing or invalid bearer token.")
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }

    pub fn with_limit(mut self, limit: u64) -> Self {
        self.0.limit = Some(limit);
        self
    }

    /// Logs the cause and answers a generic `internal`.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(ErrorCode::Internal, "Internal error; see the store's log.")
    }
}

impl From<crate::storage::StorageError> for AppError {
    fn from(e: crate::storage::StorageError) -> Self {
        AppError::internal(e)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry = self.0.retry_after_secs;
        let mut response = (status, axum::Json(self.0)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(
            kepil_protocol::tus::TUS_RESUMABLE,
            HeaderValue::from_static(kepil_protocol::tus::VERSION),
        );
        if let Some(secs) = retry
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            headers.insert(header::RETRY_AFTER, v);
        }
        response
    }
}

// The one mapping from the domain's errors to the wire: status (through the code), code,
// message and the numbers a client shows (`limit`, `tries_left`, `retry_after_secs`).

impl From<CreateError> for AppError {
    fn from(e: CreateError) -> Self {
        match e {
            CreateError::Refused(c) => AppError::new(
                ErrorCode::ClassificationRefused,
                format!(
                    "{} may not be sent through a temporary store (guideline 3.2 A ii 6).",
                    c.as_str()
                ),
            ),
            CreateError::NotAccepted(c) => AppError::new(
                ErrorCode::ClassificationRefused,
                format!("This store does not accept {}.", c.as_str()),
            ),
            CreateError::Empty => AppError::bad_request("size must be at least 1 byte"),
            CreateError::TooLarge { limit } => AppError::new(
                ErrorCode::TooLarge,
                "The file is larger than this store accepts.",
            )
            .with_limit(limit),
            CreateError::NoExpiry => AppError::bad_request("expires_in_secs must be at least 1"),
            CreateError::ExpiryTooLong {
                classification,
                limit,
            } => AppError::new(
                ErrorCode::ExpiryTooLong,
                format!(
                    "{} transfers may live at most {limit} seconds.",
                    classification.as_str()
                ),
            )
            .with_limit(limit),
            CreateError::GrantCount => AppError::bad_request(format!(
                "a transfer needs between 1 and {MAX_GRANTS} grants"
            ))
            .with_limit(MAX_GRANTS as u64),
            CreateError::BadTransferId => AppError::bad_request(
                "transfer_id must be 16 random bytes as unpadded base64url (22 characters)",
            ),
            CreateError::Conflict => AppError::new(
                ErrorCode::Conflict,
                "This transfer id is already taken; derive the keys again with a new one.",
            ),
            CreateError::BadLabel => AppError::bad_request(format!(
                "grant label must be 1 to {MAX_LABEL_CHARS} printable characters"
            )),
            CreateError::BadAuthKey => {
                AppError::bad_request("auth_key must be 32 bytes of base64url")
            }
            CreateError::BadLinkKey => {
                AppError::bad_request("link_key must be 32 bytes of base64url")
            }
            CreateError::BadOpenKey => {
                AppError::bad_request("open_key must be 32 bytes of base64url")
            }
            CreateError::Kdf(e) => AppError::new(
                ErrorCode::KdfRejected,
                format!("Key-derivation parameters refused: {e}"),
            ),
            CreateError::NoDownloads => AppError::bad_request("max_downloads must be at least 1"),
            CreateError::TooManyDownloads { limit } => AppError::new(
                ErrorCode::TooManyDownloads,
                format!("At most {limit} downloads per recipient."),
            )
            .with_limit(limit as u64),
            CreateError::QuotaExceeded { limit } => AppError::new(
                ErrorCode::QuotaExceeded,
                "Your storage quota on this store is used up; revoke or wait for older transfers.",
            )
            .with_limit(limit),
            CreateError::Storage(e) => e.into(),
        }
    }
}

impl From<OwnerError> for AppError {
    fn from(e: OwnerError) -> Self {
        match e {
            OwnerError::Unavailable => AppError::unavailable(),
            OwnerError::Storage(e) => e.into(),
        }
    }
}

impl From<GrantError> for AppError {
    fn from(e: GrantError) -> Self {
        match e {
            GrantError::Unavailable => AppError::unavailable(),
            GrantError::Storage(e) => e.into(),
        }
    }
}

impl From<ProofError> for AppError {
    fn from(e: ProofError) -> Self {
        match e {
            ProofError::Unavailable => AppError::unavailable(),
            ProofError::BadNonce => AppError::bad_request("nonce must be 32 bytes of base64url"),
            ProofError::BadMac => AppError::bad_request("mac must be 32 bytes of base64url"),
            ProofError::ChallengeExpired => AppError::new(
                ErrorCode::ChallengeExpired,
                "The challenge expired or was already used; ask for a new one.",
            ),
            ProofError::WrongPassword { tries_left } => {
                let mut e = AppError::new(ErrorCode::WrongPassword, "The password is wrong.");
                e.0.tries_left = Some(tries_left);
                e
            }
            ProofError::Locked => {
                let mut e = AppError::new(
                    ErrorCode::Locked,
                    "Too many wrong passwords: this link is locked. Ask the sender for a new one.",
                );
                e.0.tries_left = Some(0);
                e
            }
            ProofError::Expired => AppError::new(
                ErrorCode::Expired,
                "This transfer has expired; ask the sender to send it again.",
            ),
            ProofError::Revoked => {
                AppError::new(ErrorCode::Revoked, "The sender revoked this link.")
            }
            ProofError::UsedUp => AppError::new(
                ErrorCode::UsedUp,
                "This link has no downloads left; ask the sender for a new one.",
            ),
            ProofError::NotReady => AppError::new(
                ErrorCode::NotReady,
                "The sender's upload has not finished yet; try again later.",
            ),
            ProofError::Storage(e) => e.into(),
        }
    }
}

impl From<DownloadError> for AppError {
    fn from(e: DownloadError) -> Self {
        match e {
            DownloadError::Unauthorized => AppError::unauthorized(),
            DownloadError::Unavailable => AppError::unavailable(),
            DownloadError::NotReady => {
                AppError::new(ErrorCode::NotReady, "The upload has not finished.")
            }
            DownloadError::Storage(e) => e.into(),
        }
    }
}

impl From<UploadError> for AppError {
    fn from(e: UploadError) -> Self {
        match e {
            UploadError::Unavailable => AppError::unavailable(),
            UploadError::WrongLength { size } => AppError::bad_request(
                "Upload-Length differs from the size declared when the transfer was created",
            )
            .with_limit(size),
            UploadError::Complete => {
                AppError::new(ErrorCode::UploadComplete, "The upload is already complete.")
            }
            UploadError::OffsetMismatch { offset } => AppError::new(
                ErrorCode::OffsetMismatch,
                format!("Upload-Offset must be {offset}; nothing was changed."),
            )
            .with_limit(offset),
            UploadError::Excess { size } => AppError::new(
                ErrorCode::TooLarge,
                "More bytes than Upload-Length; the excess chunk was discarded.",
            )
            .with_limit(size),
            UploadError::ChunkMismatch => AppError::new(
                ErrorCode::ChecksumMismatch,
                "The chunk's checksum did not match; it was discarded.",
            ),
            UploadError::CutOff => {
                AppError::bad_request("The request body ended early; the chunk was discarded.")
            }
            UploadError::NeedsBlobChecksum => AppError::new(
                ErrorCode::NotReady,
                "All bytes arrived but no checksum of the whole blob was given: send a PATCH \
                 with an empty body and the Kepil-Blob-Crc64nvme header (or the crc64nvme \
                 creation metadata).",
            ),
            UploadError::BlobMismatch => AppError::new(
                ErrorCode::BlobHashMismatch,
                "The whole blob's checksum did not match; the upload was reset to offset 0.",
            ),
            UploadError::AlreadyWhole { size } => AppError::new(
                ErrorCode::OffsetMismatch,
                format!(
                    "Every byte is already stored; send an empty PATCH at offset {size} with \
                     Kepil-Blob-Crc64nvme."
                ),
            )
            .with_limit(size),
            UploadError::Raced => AppError::new(
                ErrorCode::Conflict,
                "Another request changed this upload at the same time; nothing was recorded. \
                 Ask for the offset (HEAD) and resume from there.",
            ),
            UploadError::Storage(e) => e.into(),
        }
    }
}

impl From<AuthError> for AppError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Unauthorized => AppError::unauthorized(),
            AuthError::Expired => AppError::new(
                ErrorCode::TokenExpired,
                "The token or session has expired: sign in again, or ask for a new token.",
            ),
            AuthError::Disabled(_) => AppError::new(
                ErrorCode::IdentityDisabled,
                "This identity is disabled at this store.",
            ),
            AuthError::SignInRequired => AppError::new(
                ErrorCode::SignInRequired,
                "This store accepts uploads only from signed-in people, not machine tokens.",
            ),
            AuthError::Forbidden => {
                AppError::new(ErrorCode::Forbidden, "Only administrators may do this.")
            }
            AuthError::Storage(e) => e.into(),
        }
    }
}

impl From<SignInError> for AppError {
    fn from(e: SignInError) -> Self {
        match e {
            SignInError::Refused(v) => match v {
                // What exactly was wrong with the signature or the claims is in the store's
                // log; the caller learns the kind, which is what the person can act on.
                VerifyError::Invalid(_) | VerifyError::NoEmail => AppError::new(
                    ErrorCode::IdTokenInvalid,
                    "The ID token was not accepted by this store.",
                ),
                VerifyError::Expired => {
                    AppError::new(ErrorCode::IdTokenExpired, "The ID token has expired.")
                }
                VerifyError::EmailUnverified(_) => AppError::new(
                    ErrorCode::EmailUnverified,
                    "The provider does not vouch for this e-mail address.",
                ),
                VerifyError::DomainNotAllowed(_) => AppError::new(
                    ErrorCode::DomainNotAllowed,
                    "Accounts of this domain are not accepted here.",
                ),
                VerifyError::GroupRequired(_) => AppError::new(
                    ErrorCode::GroupRequired,
                    "The account is not in a group allowed to send.",
                ),
                VerifyError::Unavailable(cause) => {
                    tracing::warn!(%cause, "identity provider unreachable");
                    AppError::new(
                        ErrorCode::ProviderUnavailable,
                        "The identity provider could not be reached; try again later.",
                    )
                }
            },
            SignInError::Disabled(_) => AppError::new(
                ErrorCode::IdentityDisabled,
                "This identity is disabled at this store.",
            ),
            SignInError::Storage(e) => e.into(),
        }
    }
}

impl From<AdminError> for AppError {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::BadAddress(_) => AppError::bad_request("not an e-mail address"),
            AdminError::Ambiguous => {
                AppError::bad_request("name either transfer_id or sender, not both")
            }
            AdminError::Unavailable => AppError::unavailable(),
            AdminError::Storage(e) => e.into(),
        }
    }
}
