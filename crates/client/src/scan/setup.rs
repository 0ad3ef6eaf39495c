//! Whether a send or a receive is scanned, and by what: the system policy's `[scan]` section
//! where it has one (locked for the user), else the scanner the person configured. Decided
//! once at the start of the operation, before a byte is read or anything reaches a store.
//!
//! Fail closed: where the policy requires scanning, a scanner that is not configured, does not
//! answer, or whose signatures are older than the policy allows (or of unknown age, as an
//! agency's own database may be) refuses the operation. Where it is not required, the same
//! cases go on unscanned and say so ([`Scanning::Off`]): never shown as scanned.

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;

use super::{ClamdAddress, EngineInfo, Scanner};
use crate::error::ScanError;
use crate::system_policy::{ScanRule, SystemPolicy};

/// Sending or receiving: the policy can require scanning for either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Send,
    Receive,
}

/// What scanning one direction asks for.
#[derive(Clone, Default)]
pub struct ScanSetup {
    pub scanner: Option<Arc<dyn Scanner>>,
    /// Refuse rather than go on unscanned.
    pub required: bool,
    /// Signatures older than this (or of unknown age) count as no scanner.
    pub max_signature_age: Option<Duration>,
}

impl std::fmt::Debug for ScanSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanSetup")
            .field("scanner", &self.scanner)
            .field("required", &self.required)
            .field("max_signature_age", &self.max_signature_age)
            .finish()
    }
}

/// The outcome of [`ScanSetup::prepare`].
#[derive(Clone)]
pub enum Scanning {
    /// Every file goes through `scanner`, which answered as `engine`.
    On {
        scanner: Arc<dyn Scanner>,
        engine: EngineInfo,
    },
    /// Not scanned, and why (shown as such, never as clean).
    Off(NotScanned),
}

impl std::fmt::Debug for Scanning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scanning::On { engine, .. } => f.debug_tuple("On").field(engine).finish(),
            Scanning::Off(why) => f.debug_tuple("Off").field(why).finish(),
        }
    }
}

/// Why an operation goes on unscanned (only where scanning is not required).
#[derive(Debug, Clone)]
pub enum NotScanned {
    /// No scanner is configured on this computer.
    NoScanner,
    /// One is configured but cannot be used now.
    Unavailable(Arc<ScanError>),
}

impl Scanning {
    pub fn engine(&self) -> Option<&EngineInfo> {
        match self {
            Scanning::On { engine, .. } => Some(engine),
            Scanning::Off(_) => None,
        }
    }
}

impl ScanSetup {
    /// From the system policy, else `configured` (the person's `scanner` setting, an address
    /// as [`ClamdAddress::parse`] reads it). A policy that names a scanner locks it.
    pub fn resolve(
        policy: &SystemPolicy,
        configured: Option<&str>,
        direction: Direction,
    ) -> Result<ScanSetup, ScanError> {
        let address = policy
            .scan
            .scanner
            .as_deref()
            .or(configured.filter(|a| !a.trim().is_empty()));
        let scanner: Option<Arc<dyn Scanner>> = match address {
            Some(a) => Some(Arc::new(super::Clamd::new(ClamdAddress::parse(a)?))),
            None => None,
        };
        let rule = match direction {
            Direction::Send => policy.scan.send,
            Direction::Receive => policy.scan.receive,
        };
        Ok(ScanSetup {
            scanner,
            required: rule == Some(ScanRule::Required),
            max_signature_age: policy
                .scan
                .max_signature_age_hours
                .map(|h| Duration::from_secs(h.saturating_mul(3600))),
        })
    }

    /// Asks the scanner for its engine and signatures now, so that a stopped or stale scanner
    /// shows before any file is read.
    pub fn prepare(&self, now: OffsetDateTime) -> Result<Scanning, ScanError> {
        let outcome = match &self.scanner {
            None => Err(ScanError::NotConfigured),
            Some(scanner) => scanner
                .engine()
                .and_then(|engine| self.check_age(&engine, now).map(|()| engine))
                .map(|engine| Scanning::On {
                    scanner: scanner.clone(),
                    engine,
                }),
        };
        match outcome {
            Ok(on) => Ok(on),
            Err(e) if self.required => Err(e),
            Err(ScanError::NotConfigured) => Ok(Scanning::Off(NotScanned::NoScanner)),
            Err(e) => Ok(Scanning::Off(NotScanned::Unavailable(Arc::new(e)))),
        }
    }

    /// [`ScanSetup::prepare`] at this moment, off the async threads (it waits on a socket).
    pub async fn prepare_now(&self) -> Result<Scanning, ScanError> {
        let setup = self.clone();
        tokio::task::spawn_blocking(move || setup.prepare(OffsetDateTime::now_utc()))
            .await
            .expect("scanner check thread")
    }

    fn check_age(&self, engine: &EngineInfo, now: OffsetDateTime) -> Result<(), ScanError> {
        let Some(max) = self.max_signature_age else {
            return Ok(());
        };
        let max_hours = max.as_secs() / 3600;
        let Some(date) = engine.signatures_date else {
            return Err(ScanError::SignaturesUndated {
                engine: engine.engine.clone(),
                max_hours,
            });
        };
        let age = now - date;
        if age > time::Duration::try_from(max).unwrap_or(time::Duration::MAX) {
            return Err(ScanError::SignaturesTooOld {
                date,
                age_hours: u64::try_from(age.whole_hours()).unwrap_or(0),
                max_hours,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::ScanSession;

    #[derive(Debug)]
    struct Fixed(Result<EngineInfo, ()>);

    impl Scanner for Fixed {
        fn engine(&self) -> Result<EngineInfo, ScanError> {
            self.0.clone().map_err(|()| ScanError::Unreachable {
                address: "unix:/nowhere".into(),
                reason: "No such file or directory".into(),
            })
        }
        fn start(&self, _: &str) -> Result<Box<dyn ScanSession>, ScanError> {
            unreachable!("prepare never starts a scan")
        }
    }

    fn engine(date: Option<OffsetDateTime>) -> EngineInfo {
        EngineInfo {
            engine: "ClamAV 1.4.6".into(),
            signatures: date.map(|_| 27480),
            signatures_date: date,
        }
    }

    fn setup(scanner: Option<Fixed>, required: bool, max_hours: Option<u64>) -> ScanSetup {
        ScanSetup {
            scanner: scanner.map(|s| Arc::new(s) as Arc<dyn Scanner>),
            required,
            max_signature_age: max_hours.map(|h| Duration::from_secs(h * 3600)),
        }
    }

    #[test]
    fn required_scanning_fails_closed_and_optional_says_not_scanned() {
        let now = OffsetDateTime::now_utc();
        let fresh = Some(now - time::Duration::hours(2));
        let stale = Some(now - time::Duration::hours(100));
        let cases: Vec<(ScanSetup, Result<bool, &str>)> = vec![
            (setup(None, false, None), Ok(false)),
            (setup(None, true, None), Err("scanner_not_configured")),
            (setup(Some(Fixed(Err(()))), false, None), Ok(false)),
            (
                setup(Some(Fixed(Err(()))), true, None),
                Err("scanner_unreachable"),
            ),
            (setup(Some(Fixed(Ok(engine(None)))), true, None), Ok(true)),
            (
                setup(Some(Fixed(Ok(engine(fresh)))), true, Some(48)),
                Ok(true),
            ),
            (
                setup(Some(Fixed(Ok(engine(stale)))), true, Some(48)),
                Err("scanner_signatures_old"),
            ),
            // A database that carries no date cannot show it is recent enough.
            (
                setup(Some(Fixed(Ok(engine(None)))), true, Some(48)),
                Err("scanner_signatures_undated"),
            ),
            (
                setup(Some(Fixed(Ok(engine(stale)))), false, Some(48)),
                Ok(false),
            ),
        ];
        for (i, (setup, want)) in cases.into_iter().enumerate() {
            use kepil_core::message::Coded;
            match (setup.prepare(now), want) {
                (Ok(s), Ok(on)) => assert_eq!(s.engine().is_some(), on, "case {i}"),
                (Err(e), Err(code)) => assert_eq!(e.code(), code, "case {i}"),
                (got, want) => panic!("case {i}: {got:?}, wanted {want:?}"),
            }
        }
    }

    #[test]
    fn the_policys_scanner_locks_the_persons() {
        let mut policy = SystemPolicy::default();
        let s = ScanSetup::resolve(&policy, Some("/tmp/mine.sock"), Direction::Send).unwrap();
        assert!(format!("{:?}", s.scanner).contains("/tmp/mine.sock"));
        assert!(!s.required);
        policy.scan.scanner = Some("unix:/run/clamav/clamd.ctl".into());
        policy.scan.receive = Some(ScanRule::Required);
        let s = ScanSetup::resolve(&policy, Some("/tmp/mine.sock"), Direction::Receive).unwrap();
        assert!(format!("{:?}", s.scanner).contains("/run/clamav/clamd.ctl"));
        assert!(s.required);
        let s = ScanSetup::resolve(&policy, None, Direction::Send).unwrap();
        assert!(!s.required);
        assert!(
            ScanSetup::resolve(&SystemPolicy::default(), Some("clamd"), Direction::Send).is_err()
        );
    }
}
