//! Deletes what must be forgotten: blobs of expired, revoked, used-up and abandoned
//! transfers, stale nonces and download tokens, and tombstone rows after their retention.

use crate::audit::Event;
use crate::domain::purge::purge_blob;
use crate::state::AppState;
use crate::storage::PurgeReason;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    pub purged: usize,
    pub forgotten: usize,
    pub ephemera: u64,
    /// Another instance was sweeping; this one did nothing.
    pub skipped: bool,
}

/// One sweep, by at most one instance at a time: every instance runs the sweeper, and the
/// metadata store's sweep lock keeps two from auditing the same expiry or deleting the same
/// tombstone (purges are claimed once anyway).
pub async fn sweep_once(s: &AppState) -> Result<SweepReport, crate::storage::StorageError> {
    // The rate limiter is this instance's own state: pruned whoever sweeps.
    s.limiter.prune();
    let mut report = SweepReport::default();
    let Some(_sweeping) = s.meta.try_sweep_lock().await? else {
        report.skipped = true;
        return Ok(report);
    };
    let now = s.clock.now();
    for (t, reason) in s.meta.purge_candidates(now).await? {
        if reason == PurgeReason::Expired || reason == PurgeReason::Abandoned {
            s.audit
                .record(Event::Expired, Some(&t.id), None, None, None)
                .await;
        }
        if let Err(e) = purge_blob(s, &t.id, reason, None).await {
            tracing::error!(error = %e, "purge failed; retried next sweep");
            continue;
        }
        report.purged += 1;
    }
    let cutoff = now.saturating_sub(s.config.tombstone_retention_secs as i64);
    for id in s.meta.tombstones_before(cutoff).await? {
        // A blob whose delete failed at purge time (already unreadable: its key is gone).
        s.blobs.backend().delete(&id, None).await?;
        s.meta.delete_transfer(&id).await?;
        report.forgotten += 1;
    }
    report.ephemera = s.meta.delete_expired_ephemera(now).await?;
    Ok(report)
}

/// Startup reconciliation: every incomplete upload's file is cut back to the recorded offset
/// (bytes written after the last durable checkpoint of a crashed process are not trusted).
pub async fn reconcile(s: &AppState) -> Result<usize, crate::storage::StorageError> {
    let mut fixed = 0;
    for t in s.meta.incomplete_uploads().await? {
        if t.blob_state.is_some() {
            // The backend keeps its own state with the offset (S3 multipart); nothing to cut.
            continue;
        }
        // With shared metadata another instance may be writing this upload right now, its
        // bytes past the recorded offset not yet recorded: cut only under the upload's lock,
        // from the row as it stands then.
        let _writing = s.meta.lock_upload(&t.id).await?;
        let Some(t) = s.meta.get_transfer(&t.id).await? else {
            continue;
        };
        if t.complete || t.purged_at.is_some() || t.blob_state.is_some() {
            // Finished or purged while we waited for the lock.
            continue;
        }
        match s.blobs.backend().len(&t.id).await? {
            Some(len) if len > t.upload_offset => {
                s.blobs.backend().truncate(&t.id, t.upload_offset).await?;
                fixed += 1;
            }
            Some(len) if len < t.upload_offset => {
                // Cannot happen with fsync-before-record; if the disk lied, restart the upload.
                tracing::error!(
                    len,
                    offset = t.upload_offset,
                    "blob shorter than offset; upload reset"
                );
                s.blobs.backend().truncate(&t.id, 0).await?;
                s.meta
                    .set_offset(&t.id, t.upload_offset, 0, t.upload_expires_at, None)
                    .await?;
                fixed += 1;
            }
            None if t.upload_offset > 0 => {
                tracing::error!("blob missing for a started upload; upload reset");
                s.meta
                    .set_offset(&t.id, t.upload_offset, 0, t.upload_expires_at, None)
                    .await?;
                fixed += 1;
            }
            _ => {}
        }
    }
    Ok(fixed)
}
