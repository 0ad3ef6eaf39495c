//! Malware scanning of plaintext where it exists: on the sender's computer as the files are
//! read for encryption, and on the recipient's before a decrypted file is committed (MyGovUC
//! guideline 3.2 A ii 7: the sender answers for attachments free of viruses; 3.2 A v 6: no
//! spreading of malicious code). The store only ever holds ciphertext, so no gateway can scan
//! for us.
//!
//! A scan is pushed, chunk by chunk, by whoever already reads the bytes ([`ScanSession::write`]),
//! so a large file is read once, for encryption and scanning together. [`Scanner`] is the
//! interface; [`clamd::Clamd`] speaks ClamAV's INSTREAM protocol over a Unix socket or TCP.
//! A Windows implementation through AMSI belongs behind the same trait in a platform module; it
//! cannot be built or tested on the Linux machines this project runs on, so none is shipped.

pub mod clamd;
mod inspection;
mod setup;

use std::fmt;

pub use clamd::{Clamd, ClamdAddress};
pub use inspection::{ScanInspection, ScanStop};
pub use setup::{Direction, NotScanned, ScanSetup, Scanning};

use crate::error::ScanError;

/// What the engine found in one stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    /// `signature` is the engine's name for what it found (e.g. `Win.Test.EICAR_HDB-1`).
    Infected {
        signature: String,
    },
}

/// The engine and its signatures, as it reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineInfo {
    /// `ClamAV 1.4.6`.
    pub engine: String,
    /// The signature database's version, when the engine says (official databases do; a
    /// local database of the agency's own may not).
    pub signatures: Option<u64>,
    /// When the signature database was built, when the engine says.
    pub signatures_date: Option<time::OffsetDateTime>,
}

impl fmt::Display for EngineInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.engine)?;
        if let Some(v) = self.signatures {
            write!(f, ", signatures {v}")?;
        }
        if let Some(d) = self.signatures_date {
            write!(f, " ({})", d.date())?;
        }
        Ok(())
    }
}

/// The engine a sender's sealed scan names (its text is the sender's: show it made inert).
impl From<&kepil_core::package::SenderScan> for EngineInfo {
    fn from(scan: &kepil_core::package::SenderScan) -> EngineInfo {
        EngineInfo {
            engine: scan.engine.clone(),
            signatures: scan.signatures,
            signatures_date: scan.signatures_date,
        }
    }
}

impl EngineInfo {
    /// What the sender seals in the manifest for a scan started at `at`.
    pub fn sealed(&self, at: time::OffsetDateTime) -> kepil_core::package::SenderScan {
        kepil_core::package::SenderScan {
            engine: self.engine.clone(),
            signatures: self.signatures,
            signatures_date: self.signatures_date,
            scanned_at: at,
        }
    }
}

/// A malware scanner that takes a stream.
pub trait Scanner: Send + Sync + fmt::Debug {
    /// The engine and signature version, asked of the engine now (so a stopped engine shows
    /// here, before any file is read).
    fn engine(&self) -> Result<EngineInfo, ScanError>;

    /// Starts the scan of one stream: `name` is only for messages.
    fn start(&self, name: &str) -> Result<Box<dyn ScanSession>, ScanError>;
}

/// One stream under scan. Dropping it without [`ScanSession::finish`] abandons the scan.
pub trait ScanSession: Send {
    /// The next bytes of the stream, in order.
    fn write(&mut self, bytes: &[u8]) -> Result<(), ScanError>;
    /// The end of the stream; waits for the verdict.
    fn finish(self: Box<Self>) -> Result<Verdict, ScanError>;
}
