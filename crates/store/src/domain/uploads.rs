//! An upload session as its uploader holds it: which transfer an upload URL opens (the
//! uploader's own, live ones only; anything else looks unknown, so upload ids cannot be probed
//! with another uploader's token), attaching a tus client to a transfer, and where the upload
//! stands. The bytes themselves stream through `crate::tus::patch`.

use super::senders::Sender;
use crate::ids;
use crate::state::AppState;
use crate::storage::{StorageError, TransferRow};

/// Why an upload request was refused.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// Unknown, another uploader's, expired, revoked or purged.
    #[error("not available")]
    Unavailable,
    #[error("the upload length differs from the transfer's size of {size} bytes")]
    WrongLength { size: u64 },
    #[error("the upload is already complete")]
    Complete,
    #[error("the upload is at offset {offset}")]
    OffsetMismatch { offset: u64 },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The live transfer `transfer_id` of `uploader`.
pub async fn session(
    s: &AppState,
    uploader: &Sender,
    transfer_id: &str,
) -> Result<TransferRow, UploadError> {
    if !ids::is_valid_id(transfer_id) {
        return Err(UploadError::Unavailable);
    }
    let t = s
        .meta
        .get_transfer(transfer_id)
        .await?
        .ok_or(UploadError::Unavailable)?;
    if t.user != uploader.email || !t.is_live(s.clock.now()) {
        return Err(UploadError::Unavailable);
    }
    Ok(t)
}

/// tus creation for a transfer made by create-transfer: `length` must be the size declared
/// then, and `checksum` (CRC-64/NVME of the whole blob), when given, is what the finished
/// upload must match.
pub async fn attach(
    s: &AppState,
    uploader: &Sender,
    transfer_id: &str,
    length: u64,
    checksum: Option<u64>,
) -> Result<TransferRow, UploadError> {
    let t = session(s, uploader, transfer_id).await?;
    if length != t.size {
        return Err(UploadError::WrongLength { size: t.size });
    }
    if t.complete {
        return Err(UploadError::Complete);
    }
    if let Some(c) = checksum {
        s.meta.set_expected_checksum(&t.id, c).await?;
    }
    Ok(t)
}

/// Checks that a PATCH may write at `claimed`: the upload is unfinished and at that offset.
/// Call it under the upload's lock, on the row read under it.
pub fn check_offset(t: &TransferRow, claimed: u64) -> Result<(), UploadError> {
    if t.complete {
        return Err(UploadError::Complete);
    }
    if claimed != t.upload_offset {
        return Err(UploadError::OffsetMismatch {
            offset: t.upload_offset,
        });
    }
    Ok(())
}
