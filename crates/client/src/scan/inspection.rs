//! The scanner plugged into the package code's plaintext hook ([`Inspector`]): one scan per
//! file, fed the bytes the package code reads anyway, and a verdict at each file's end.

use std::sync::Arc;

use kepil_core::package::{Inspector, Stop};

use super::{ScanSession, Scanner, Verdict};
use crate::error::ScanError;
use crate::progress::{Phase, ProgressEvent, ProgressFn};

/// Why a scan stopped a send or a receive.
#[derive(Debug)]
pub enum ScanStop {
    /// The engine found `signature` in the file `name` (the manifest's name).
    Found { name: String, signature: String },
    /// The scan of `name` could not be completed.
    Failed(ScanError),
}

/// Scans every file an encryption or an extraction shows it.
pub struct ScanInspection {
    scanner: Arc<dyn Scanner>,
    session: Option<Box<dyn ScanSession>>,
    name: String,
    files: u64,
    verdicts: u64,
    progress: ProgressFn,
    stop: Option<ScanStop>,
}

impl std::fmt::Debug for ScanInspection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanInspection")
            .field("scanner", &self.scanner)
            .field("file", &self.name)
            .field("verdicts", &self.verdicts)
            .field("stop", &self.stop)
            .finish_non_exhaustive()
    }
}

impl ScanInspection {
    /// `files`: how many the package holds (the total of the [`Phase::Scanning`] events).
    pub fn new(scanner: Arc<dyn Scanner>, files: usize, progress: ProgressFn) -> ScanInspection {
        ScanInspection {
            scanner,
            session: None,
            name: String::new(),
            files: files as u64,
            verdicts: 0,
            progress,
            stop: None,
        }
    }

    /// Why it stopped the operation, once it has.
    pub fn take_stop(&mut self) -> Option<ScanStop> {
        self.stop.take()
    }

    fn failed(&mut self, e: ScanError) -> Stop {
        self.session = None;
        self.stop = Some(ScanStop::Failed(e));
        Stop
    }

    fn report(&self) {
        (self.progress)(ProgressEvent {
            phase: Phase::Scanning,
            done: self.verdicts,
            total: self.files,
        });
    }
}

impl Inspector for ScanInspection {
    fn begin(&mut self, _index: usize, name: &str) -> Result<(), Stop> {
        self.name = name.to_string();
        let session = self.scanner.start(name).map_err(|e| self.failed(e))?;
        self.session = Some(session);
        Ok(())
    }

    fn bytes(&mut self, data: &[u8]) -> Result<(), Stop> {
        let session = self.session.as_mut().ok_or(Stop)?;
        session.write(data).map_err(|e| self.failed(e))
    }

    fn end(&mut self) -> Result<(), Stop> {
        let session = self.session.take().ok_or(Stop)?;
        // The engine scans once it has the whole file: this is the wait a face shows.
        self.report();
        match session.finish() {
            Ok(Verdict::Clean) => {
                self.verdicts += 1;
                self.report();
                Ok(())
            }
            Ok(Verdict::Infected { signature }) => {
                self.stop = Some(ScanStop::Found {
                    name: kepil_core::filename::sanitize(&self.name),
                    signature,
                });
                Err(Stop)
            }
            Err(e) => Err(self.failed(e)),
        }
    }
}
