//! Purging a transfer's blob: the one operation that makes a transfer's ciphertext unreadable
//! for good, shared by the HTTP handlers (revoke, used up) and the sweeper (expired, abandoned).

use crate::audit::Event;
use crate::metrics::inc;
use crate::state::AppState;
use crate::storage::{PurgeReason, StorageError};

/// Forgets the blob key (so no surviving copy of the blob can be read), then deletes the bytes;
/// only the one caller whose claim succeeds audits. `ip` is the client who caused it, if any.
pub async fn purge_blob(
    s: &AppState,
    transfer_id: &str,
    reason: PurgeReason,
    ip: Option<&str>,
) -> Result<(), StorageError> {
    // Waits for a PATCH in flight (on any instance), so the blob is not deleted under its
    // writer.
    let _guard = s.meta.lock_upload(transfer_id).await?;
    s.hashers
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(transfer_id);
    // The claim forgets the blob key first: from then on the blob is unreadable wherever a
    // copy survives, and only the one claimer audits. Deleting the bytes is then tidying; a
    // failure is retried when the tombstone is forgotten.
    let state = s
        .meta
        .get_transfer(transfer_id)
        .await?
        .and_then(|t| t.blob_state);
    if s.meta.claim_purge(transfer_id, s.clock.now()).await? {
        if let Err(e) = s
            .blobs
            .backend()
            .delete(transfer_id, state.as_deref())
            .await
        {
            tracing::warn!(error = %e, "blob delete failed; retried when the tombstone goes");
        }
        inc(&s.metrics.purged_blobs, 1);
        tracing::info!(reason = reason.as_str(), "blob purged");
        s.audit
            .record(Event::Purged, Some(transfer_id), None, ip, None)
            .await;
    }
    Ok(())
}
