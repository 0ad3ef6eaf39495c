//! How the Send and Receive screens show malware scanning: what the sender's Kepil sealed in
//! the package, and what this computer does before saving (or that it does not scan).

use kepil_client::scan::{Direction, EngineInfo, NotScanned, Scanning};
use kepil_core::package::SenderScan;
use kepil_core::text;
use serde::Serialize;
use ts_rs::TS;

use super::rfc3339;
use crate::error::{UiError, UiResult};
use crate::state::Kepil;

/// An engine and its signatures; `scannedAt` only for a scan sealed in a package.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ScanView {
    /// `ClamAV 1.4.6` (a sender's text, its hidden characters written out).
    pub engine: String,
    #[ts(type = "number | null")]
    pub signatures: Option<u64>,
    pub signatures_date: Option<String>,
    pub scanned_at: Option<String>,
}

impl ScanView {
    pub fn sealed(scan: &SenderScan) -> ScanView {
        ScanView {
            engine: text::visible(&scan.engine),
            signatures: scan.signatures,
            signatures_date: scan.signatures_date.map(rfc3339),
            scanned_at: Some(rfc3339(scan.scanned_at)),
        }
    }

    fn engine(engine: &EngineInfo) -> ScanView {
        ScanView {
            engine: engine.engine.clone(),
            signatures: engine.signatures,
            signatures_date: engine.signatures_date.map(rfc3339),
            scanned_at: None,
        }
    }
}

/// This computer's scan before saving: `scanner` when it scans; otherwise why not (`reason`
/// is the scanner's error, `null` when none is configured).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LocalScanView {
    pub scanner: Option<ScanView>,
    pub reason: Option<UiError>,
}

impl LocalScanView {
    pub fn of(scanning: &Scanning) -> LocalScanView {
        match scanning {
            Scanning::On { engine, .. } => LocalScanView {
                scanner: Some(ScanView::engine(engine)),
                reason: None,
            },
            Scanning::Off(NotScanned::NoScanner) => LocalScanView {
                scanner: None,
                reason: None,
            },
            Scanning::Off(NotScanned::Unavailable(e)) => LocalScanView {
                scanner: None,
                reason: Some(UiError::coded(&**e)),
            },
        }
    }
}

/// Asks the scanner for this direction now: a required scanner that is missing, stopped or
/// stale refuses here.
pub async fn prepare(kepil: &Kepil, direction: Direction) -> UiResult<Scanning> {
    Ok(kepil.scan_setup(direction)?.prepare_now().await?)
}
