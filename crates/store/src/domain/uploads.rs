//! An upload session as its uploader holds it: which transfer an upload URL opens (the
//! uploader's own, live ones only; anything else looks unknown, so upload ids cannot be probed
//! with another uploader's token), attaching a tus client to a transfer, and where the upload
//! stands, and appending the bytes of a PATCH (`append`): durably, checkpointed, with the
//! chunk's and the whole blob's checksums.
//!
//! Durability: a PATCH writes, then (on success) fsyncs, and only then records the new offset
//! in the database. Long PATCHes checkpoint the same way every `checkpoint_bytes`. After a
//! crash the recorded offset is therefore never beyond the durable bytes, and the writer
//! truncates anything beyond it before appending.

use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use kepil_protocol::BlobChecksum;
use sha2::{Digest, Sha256};

use super::senders::Sender;
use crate::audit::Event;
use crate::ids;
use crate::metrics::inc;
use crate::state::AppState;
use crate::storage::{Checkpoint, StorageError, TransferRow};

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
    /// More bytes than the declared size; the excess chunk was discarded.
    #[error("more than the declared {size} bytes")]
    Excess { size: u64 },
    /// The chunk's own checksum (tus checksum extension) did not match: discarded.
    #[error("the chunk's checksum did not match")]
    ChunkMismatch,
    /// The body ended early on a checksummed chunk: discarded.
    #[error("the request body ended early")]
    CutOff,
    /// Every byte arrived, but no checksum of the whole blob was ever given.
    #[error("no checksum of the whole blob")]
    NeedsBlobChecksum,
    /// The whole blob did not match its checksum: the upload went back to offset 0.
    #[error("the whole blob's checksum did not match")]
    BlobMismatch,
    /// A completion that never reached the database: every byte is stored, only the empty
    /// final PATCH with the blob's checksum is missing.
    #[error("every one of the {size} bytes is already stored")]
    AlreadyWhole { size: u64 },
    /// Another request moved the upload meanwhile; nothing was recorded.
    #[error("the upload changed under this request")]
    Raced,
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

/// What a PATCH asks: where it writes, and the checksums it carries.
#[derive(Debug, Clone)]
pub struct Append {
    /// `Upload-Offset`.
    pub claimed: u64,
    /// `Upload-Checksum: sha256 …` of this chunk.
    pub chunk_sha256: Option<Vec<u8>>,
    /// `Kepil-Blob-Crc64nvme` of the whole blob.
    pub blob_checksum: Option<u64>,
}

/// Where the upload stands after a PATCH.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    /// Bytes kept up to `offset` (an interrupted body keeps what arrived); the upload may go
    /// on until `expires_at`.
    Partial { offset: u64, expires_at: i64 },
    /// The last byte arrived and the whole blob matched its checksum.
    Complete { offset: u64 },
}

fn upload_expiry(s: &AppState) -> i64 {
    s.clock
        .now()
        .saturating_add(s.config.upload_expiry_secs as i64)
}

/// Records the durable offset, unless another request moved it from `from` meanwhile.
async fn record(
    s: &AppState,
    transfer_id: &str,
    from: u64,
    to: u64,
    state: Option<&str>,
) -> Result<(), UploadError> {
    if s.meta
        .set_offset(transfer_id, from, to, upload_expiry(s), state)
        .await?
    {
        return Ok(());
    }
    tracing::warn!("upload changed under a PATCH; nothing recorded");
    Err(UploadError::Raced)
}

fn forget_hash(s: &AppState, transfer_id: &str) {
    s.hashers
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(transfer_id);
}

fn keep_hash(s: &AppState, transfer_id: &str, offset: u64, hash: BlobChecksum) {
    s.hashers
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(transfer_id.to_string(), (offset, hash));
}

/// Appends `body` to the upload of `transfer_id` at `req.claimed`, under the upload's lock.
/// A body that stalls longer than `idle_timeout_secs` or breaks off keeps what arrived
/// (unless the chunk carried its own checksum, which then cannot match); the last byte
/// completes the upload only when the whole blob matches its checksum.
pub async fn append<S, E>(
    s: &AppState,
    uploader: &Sender,
    transfer_id: &str,
    req: Append,
    body: S,
    ip: &str,
) -> Result<Appended, UploadError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    // Authorise before waiting on the lock, then re-read the row under it.
    session(s, uploader, transfer_id).await?;
    let _guard = s.meta.lock_upload(transfer_id).await?;
    let t = session(s, uploader, transfer_id).await?;
    check_offset(&t, req.claimed)?;
    if let Some(c) = req.blob_checksum {
        s.meta.set_expected_checksum(&t.id, c).await?;
    }
    let expected = req.blob_checksum.or(t.expected_checksum);

    let running = {
        let mut hashers = s.hashers.lock().unwrap_or_else(|p| p.into_inner());
        match hashers.remove(&t.id) {
            Some((off, h)) if off == t.upload_offset => Some(h),
            _ if t.upload_offset == 0 => Some(BlobChecksum::new()),
            _ => None,
        }
    };
    let mut hash = running;
    let mut chunk_hash = req.chunk_sha256.as_ref().map(|_| Sha256::new());
    let remaining = t.size - t.upload_offset;
    let mut written: u64 = 0;
    let mut since_checkpoint: u64 = 0;
    let mut durable = Checkpoint {
        len: t.upload_offset,
        state: t.blob_state.clone(),
    };
    let idle = Duration::from_secs(s.config.idle_timeout_secs.max(1));
    let mut writer = match s
        .blobs
        .open_writer(&t, t.upload_offset, t.blob_state.as_deref())
        .await
    {
        Ok(w) => w,
        Err(e) => {
            // A completion whose new offset never reached the database (it failed just after
            // the object store assembled the blob) leaves a state that no longer opens, next
            // to a whole blob. Record that and let the client finish with the checksum,
            // which is then checked against the stored bytes.
            if t.upload_offset < t.size && s.blobs.backend().len(&t.id).await? == Some(t.size) {
                tracing::warn!("upload found whole after an unrecorded completion");
                record(s, &t.id, t.upload_offset, t.size, None).await?;
                return Err(UploadError::AlreadyWhole { size: t.size });
            }
            return Err(e.into());
        }
    };
    let mut body = body;
    let mut cut_off = false;

    loop {
        let chunk = match tokio::time::timeout(idle, body.next()).await {
            Err(_) | Ok(Some(Err(_))) => {
                cut_off = true;
                break;
            }
            Ok(None) => break,
            Ok(Some(Ok(c))) => c,
        };
        if written + chunk.len() as u64 > remaining {
            writer.abort().await?;
            record(s, &t.id, durable.len, durable.len, durable.state.as_deref()).await?;
            if durable.len != t.upload_offset {
                // A checkpoint moved the offset; the running hash no longer matches it.
                forget_hash(s, &t.id);
            }
            return Err(UploadError::Excess { size: t.size });
        }
        writer.write(&chunk).await?;
        if let Some(h) = hash.as_mut() {
            h.update(&chunk);
        }
        if let Some(h) = chunk_hash.as_mut() {
            h.update(&chunk);
        }
        written += chunk.len() as u64;
        since_checkpoint += chunk.len() as u64;
        if req.chunk_sha256.is_none() && since_checkpoint >= s.config.checkpoint_bytes {
            let from = durable.len;
            durable = writer.sync().await?;
            record(s, &t.id, from, durable.len, durable.state.as_deref()).await?;
            inc(&s.metrics.bytes_uploaded, since_checkpoint);
            since_checkpoint = 0;
        }
    }

    if let (Some(want), Some(h)) = (&req.chunk_sha256, chunk_hash)
        && (cut_off || h.finalize().as_slice() != want.as_slice())
    {
        writer.abort().await?;
        if let Some(h) = running {
            keep_hash(s, &t.id, t.upload_offset, h);
        }
        return Err(if cut_off {
            UploadError::CutOff
        } else {
            UploadError::ChunkMismatch
        });
    }

    let whole = t.upload_offset + written == t.size;
    let Some(expected) = expected.filter(|_| whole) else {
        let done = writer.commit().await?;
        let new_offset = done.len;
        record(s, &t.id, durable.len, new_offset, done.state.as_deref()).await?;
        inc(&s.metrics.bytes_uploaded, since_checkpoint);
        if let Some(h) = hash {
            keep_hash(s, &t.id, new_offset, h);
        }
        if whole {
            return Err(UploadError::NeedsBlobChecksum);
        }
        if cut_off {
            tracing::info!(offset = new_offset, "upload interrupted; bytes so far kept");
        }
        return Ok(Appended::Partial {
            offset: new_offset,
            expires_at: upload_expiry(s),
        });
    };

    // The last byte arrived: complete only when the whole blob's checksum matches.
    let new_offset = writer.complete().await?;
    record(s, &t.id, durable.len, new_offset, None).await?;
    inc(&s.metrics.bytes_uploaded, since_checkpoint);
    let actual = match hash {
        Some(h) => h.value(),
        None => s.blobs.checksum(&t, t.size).await?,
    };
    if actual != expected {
        s.blobs.backend().truncate(&t.id, 0).await?;
        record(s, &t.id, t.size, 0, None).await?;
        return Err(UploadError::BlobMismatch);
    }
    s.meta.mark_complete(&t.id, actual).await?;
    inc(&s.metrics.uploads_completed, 1);
    s.audit
        .record_by(
            Some(&uploader.email),
            Event::UploadComplete,
            Some(&t.id),
            None,
            Some(ip),
            Some(t.size),
        )
        .await;
    Ok(Appended::Complete { offset: new_offset })
}
