//! Prometheus counters in the text exposition format. Counts and bytes only: no ids,
//! labels or addresses, so a scrape identifies nobody.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Metrics {
    pub transfers_created: AtomicU64,
    pub uploads_completed: AtomicU64,
    pub bytes_uploaded: AtomicU64,
    pub bytes_downloaded: AtomicU64,
    pub proofs_ok: AtomicU64,
    pub proofs_failed: AtomicU64,
    pub proofs_without_link: AtomicU64,
    pub opens_without_link: AtomicU64,
    pub grants_locked: AtomicU64,
    pub tokens_issued: AtomicU64,
    pub purged_blobs: AtomicU64,
}

pub fn inc(counter: &AtomicU64, by: u64) {
    counter.fetch_add(by, Ordering::Relaxed);
}

impl Metrics {
    pub fn render(&self, active_transfers: u64, stored_bytes: u64) -> String {
        let mut out = String::new();
        let counters = [
            (
                "transfers_created",
                "Transfers created.",
                &self.transfers_created,
            ),
            (
                "uploads_completed",
                "Uploads whose whole-blob CRC-64/NVME matched.",
                &self.uploads_completed,
            ),
            (
                "bytes_uploaded",
                "Ciphertext bytes stored by uploads.",
                &self.bytes_uploaded,
            ),
            (
                "bytes_downloaded",
                "Ciphertext bytes sent to recipients.",
                &self.bytes_downloaded,
            ),
            ("proofs_ok", "Valid download proofs.", &self.proofs_ok),
            (
                "proofs_failed",
                "Wrong download proofs.",
                &self.proofs_failed,
            ),
            (
                "proofs_without_link",
                "Proofs refused for lack of a valid link MAC (counted nothing).",
                &self.proofs_without_link,
            ),
            (
                "opens_without_link",
                "Grant opens refused for lack of a valid link MAC (told nothing).",
                &self.opens_without_link,
            ),
            (
                "grants_locked",
                "Grants locked after repeated wrong proofs.",
                &self.grants_locked,
            ),
            (
                "tokens_issued",
                "Download tokens issued (downloads counted).",
                &self.tokens_issued,
            ),
            (
                "purged_blobs",
                "Blobs deleted by the sweeper or a revoke.",
                &self.purged_blobs,
            ),
        ];
        for (name, help, value) in counters {
            let _ = writeln!(out, "# HELP kepil_store_{name}_total {help}");
            let _ = writeln!(out, "# TYPE kepil_store_{name}_total counter");
            let _ = writeln!(
                out,
                "kepil_store_{name}_total {}",
                value.load(Ordering::Relaxed)
            );
        }
        for (name, help, value) in [
            (
                "active_transfers",
                "Transfers holding a blob.",
                active_transfers,
            ),
            ("stored_bytes", "Ciphertext bytes on disk.", stored_bytes),
        ] {
            let _ = writeln!(out, "# HELP kepil_store_{name} {help}");
            let _ = writeln!(out, "# TYPE kepil_store_{name} gauge");
            let _ = writeln!(out, "kepil_store_{name} {value}");
        }
        out
    }
}
