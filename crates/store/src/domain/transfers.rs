//! A transfer's life as its sender sees it: creation (every limit of the store's policy checked
//! before anything is written), status, and revocation, whole or one grant at a time.

use kepil_core::kdf::KdfError;
use kepil_protocol::{Classification, CreateTransfer};

use super::purge::purge_blob;
use super::senders::Sender;
use crate::audit::Event;
use crate::ids;
use crate::metrics::inc;
use crate::state::AppState;
use crate::storage::{GrantRow, PurgeReason, StorageError, TransferRow};
use kepil_protocol::identity::CredentialKind;

/// Most grants (recipients) in one transfer.
pub const MAX_GRANTS: usize = 50;
/// Longest grant label, in characters.
pub const MAX_LABEL_CHARS: usize = 320;

/// Why a transfer was not created. Nothing is written when one of these is returned.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// RAHSIA and RAHSIA BESAR: never, whatever the configuration (guideline 3.2 A ii 6).
    #[error("{} may never be sent through a temporary store", .0.as_str())]
    Refused(Classification),
    /// Sendable, but this store's configuration does not accept it.
    #[error("this store does not accept {}", .0.as_str())]
    NotAccepted(Classification),
    #[error("size must be at least 1 byte")]
    Empty,
    #[error("larger than the store's {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("expires_in_secs must be at least 1")]
    NoExpiry,
    #[error("{classification:?} transfers may live at most {limit} seconds")]
    ExpiryTooLong {
        classification: Classification,
        limit: u64,
    },
    #[error("a transfer needs between 1 and {MAX_GRANTS} grants")]
    GrantCount,
    #[error("transfer_id is not 16 random bytes as unpadded base64url")]
    BadTransferId,
    #[error("the transfer id is already taken")]
    Conflict,
    #[error("a grant label must be 1 to {MAX_LABEL_CHARS} printable characters")]
    BadLabel,
    #[error("link_key is not 32 bytes of base64url")]
    BadLinkKey,
    #[error("open_key is not 32 bytes of base64url")]
    BadOpenKey,
    #[error("auth_key is not 32 bytes of base64url")]
    BadAuthKey,
    #[error("key-derivation parameters refused: {0}")]
    Kdf(KdfError),
    #[error("max_downloads must be at least 1")]
    NoDownloads,
    #[error("at most {limit} downloads per recipient")]
    TooManyDownloads { limit: u32 },
    #[error("the uploader's quota of {limit} bytes is used up")]
    QuotaExceeded { limit: u64 },
    #[error(transparent)]
    Storage(StorageError),
}

impl From<StorageError> for CreateError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::Conflict => CreateError::Conflict,
            e => CreateError::Storage(e),
        }
    }
}

/// A created transfer: its rows as stored, and the owner token, which only the sender gets.
#[derive(Debug)]
pub struct Created {
    pub transfer: TransferRow,
    pub grants: Vec<GrantRow>,
    pub owner_token: String,
}

/// Checks `req` against the store's policy, then stores the transfer and its grants for
/// `uploader` and audits the creation; `ip` is the caller's address for the audit.
pub async fn create(
    s: &AppState,
    uploader: &Sender,
    req: &CreateTransfer,
    ip: &str,
) -> Result<Created, CreateError> {
    let c = &s.config;
    if req.classification.check_sendable().is_err() {
        return Err(CreateError::Refused(req.classification));
    }
    let limit = c
        .limit_for(req.classification)
        .ok_or(CreateError::NotAccepted(req.classification))?;
    if req.size == 0 {
        return Err(CreateError::Empty);
    }
    if req.size > c.max_blob_size {
        return Err(CreateError::TooLarge {
            limit: c.max_blob_size,
        });
    }
    if req.expires_in_secs == 0 {
        return Err(CreateError::NoExpiry);
    }
    if req.expires_in_secs > limit.max_expiry_secs {
        return Err(CreateError::ExpiryTooLong {
            classification: req.classification,
            limit: limit.max_expiry_secs,
        });
    }
    if req.grants.is_empty() || req.grants.len() > MAX_GRANTS {
        return Err(CreateError::GrantCount);
    }
    // The client proposes the id because it is the HKDF context of the auth keys it sends
    // in this very request; the store only checks its shape and that it is unused.
    if !ids::is_valid_id(&req.transfer_id) {
        return Err(CreateError::BadTransferId);
    }
    if s.meta.get_transfer(&req.transfer_id).await?.is_some() {
        return Err(CreateError::Conflict);
    }
    let now = s.clock.now();
    let transfer_id = req.transfer_id.clone();
    let mut grants = Vec::with_capacity(req.grants.len());
    for (position, spec) in req.grants.iter().enumerate() {
        let label_chars = spec.label.chars().count();
        if label_chars == 0
            || label_chars > MAX_LABEL_CHARS
            || spec.label.chars().any(char::is_control)
        {
            return Err(CreateError::BadLabel);
        }
        let auth_key = kepil_protocol::b64_decode(&spec.auth_key)
            .filter(|k| k.len() == 32)
            .ok_or(CreateError::BadAuthKey)?;
        let link_key = optional_key(spec.link_key.as_deref()).ok_or(CreateError::BadLinkKey)?;
        let open_key = optional_key(spec.open_key.as_deref()).ok_or(CreateError::BadOpenKey)?;
        spec.kdf.check().map_err(CreateError::Kdf)?;
        let max_downloads = match spec.max_downloads {
            None => c.default_max_downloads,
            Some(0) => return Err(CreateError::NoDownloads),
            Some(n) if n > c.max_downloads => {
                return Err(CreateError::TooManyDownloads {
                    limit: c.max_downloads,
                });
            }
            Some(n) => n,
        };
        grants.push(GrantRow {
            id: ids::new_id(),
            transfer_id: transfer_id.clone(),
            position: position as u32,
            label: spec.label.clone(),
            auth_key,
            kdf_version: spec.kdf.version,
            kdf_m_kib: spec.kdf.m_kib,
            kdf_t: spec.kdf.t,
            kdf_p: spec.kdf.p,
            max_downloads,
            downloads: 0,
            failed_proofs: 0,
            locked: false,
            revoked_at: None,
            link_key,
            open_key,
        });
    }

    let owner_token = ids::new_token();
    let transfer = TransferRow {
        id: transfer_id.clone(),
        user: uploader.email.clone(),
        owner_hash: ids::hash_token(&owner_token),
        classification: req.classification.as_str().to_string(),
        size: req.size,
        created_at: now,
        expires_at: now.saturating_add(req.expires_in_secs as i64),
        upload_offset: 0,
        upload_expires_at: now.saturating_add(c.upload_expiry_secs as i64),
        expected_checksum: None,
        complete: false,
        revoked_at: None,
        purged_at: None,
        blob_key: Some(s.blobs.new_wrapped_key(&transfer_id)),
        blob_state: None,
        sender_provider: (uploader.kind == CredentialKind::Session)
            .then(|| uploader.provider.clone()),
    };
    match s
        .meta
        .create_transfer(&transfer, &grants, c.uploader_quota)
        .await
    {
        Ok(()) => {}
        Err(StorageError::QuotaExceeded { .. }) => {
            return Err(CreateError::QuotaExceeded {
                limit: c.uploader_quota,
            });
        }
        Err(e) => return Err(e.into()),
    }
    inc(&s.metrics.transfers_created, 1);
    s.audit
        .record_by(
            Some(&uploader.email),
            Event::Created,
            Some(&transfer_id),
            None,
            Some(ip),
            Some(req.size),
        )
        .await;
    Ok(Created {
        transfer,
        grants,
        owner_token,
    })
}

/// The sender's view of a transfer was refused. A wrong owner token and an unknown id are the
/// same answer, so the token cannot be used to probe for ids.
#[derive(Debug, thiserror::Error)]
pub enum OwnerError {
    #[error("unknown transfer or wrong owner token")]
    Unavailable,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The transfer `transfer_id` when `owner_token` is its owner token.
pub async fn owned(
    s: &AppState,
    transfer_id: &str,
    owner_token: &str,
) -> Result<TransferRow, OwnerError> {
    if !ids::is_valid_id(transfer_id) {
        return Err(OwnerError::Unavailable);
    }
    let t = s
        .meta
        .get_transfer(transfer_id)
        .await?
        .ok_or(OwnerError::Unavailable)?;
    // Hashes of 256-bit random tokens: comparing them leaks nothing usable by timing.
    if t.owner_hash != ids::hash_token(owner_token) {
        return Err(OwnerError::Unavailable);
    }
    Ok(t)
}

/// Revokes the whole transfer and deletes its blob at once; `event` says how it was asked
/// (a revoke, or a tus termination) and `actor` by whom: the sender, or an administrator.
pub async fn revoke(
    s: &AppState,
    t: &TransferRow,
    actor: Option<&str>,
    ip: Option<&str>,
    event: Event,
) -> Result<(), StorageError> {
    let now = s.clock.now();
    if s.meta.revoke_transfer(&t.id, now).await? {
        s.audit
            .record_by(actor, event, Some(&t.id), None, ip, None)
            .await;
    }
    purge_blob(s, &t.id, PurgeReason::Revoked, ip).await
}

/// Revokes one grant; the last one standing takes the transfer and its blob with it.
pub async fn revoke_grant(
    s: &AppState,
    t: &TransferRow,
    grant_id: &str,
    ip: &str,
) -> Result<(), OwnerError> {
    if !ids::is_valid_id(grant_id) {
        return Err(OwnerError::Unavailable);
    }
    let left = s
        .meta
        .revoke_grant(&t.id, grant_id, s.clock.now())
        .await?
        .ok_or(OwnerError::Unavailable)?;
    s.audit
        .record_by(
            Some(&t.user),
            Event::Revoked,
            Some(&t.id),
            Some(grant_id),
            Some(ip),
            None,
        )
        .await;
    if left == 0 {
        revoke(s, t, Some(&t.user), Some(ip), Event::Revoked).await?;
    }
    Ok(())
}

/// Gives a locked grant its tries back, for when the sender has checked with the recipient
/// (by phone, say) that the wrong passwords were theirs. The link and the password stay: the
/// package is sealed to them, and the sender's client keeps no key that could seal it to new
/// ones. The lockout's purpose holds, since a guesser gets ten more tries against 2^80.
pub async fn unlock_grant(
    s: &AppState,
    t: &TransferRow,
    grant_id: &str,
    ip: &str,
) -> Result<(), OwnerError> {
    if !ids::is_valid_id(grant_id) || !s.meta.unlock_grant(&t.id, grant_id).await? {
        return Err(OwnerError::Unavailable);
    }
    s.audit
        .record_by(
            Some(&t.user),
            Event::Unlocked,
            Some(&t.id),
            Some(grant_id),
            Some(ip),
            None,
        )
        .await;
    Ok(())
}

/// An optional 32-byte key in base64url: `Some(None)` when absent, `None` when malformed.
fn optional_key(text: Option<&str>) -> Option<Option<Vec<u8>>> {
    match text {
        None => Some(None),
        Some(k) => kepil_protocol::b64_decode(k)
            .filter(|k| k.len() == 32)
            .map(Some),
    }
}
