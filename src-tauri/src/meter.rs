//! Turns the library's progress callbacks into throttled UI events with speed and time left.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use kepil_client::{Phase, ProgressEvent};
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Progress")]
pub struct ProgressPayload {
    pub job_id: String,
    pub phase: &'static str,
    pub done: u64,
    pub total: u64,
    pub bytes_per_sec: u64,
    pub eta_secs: Option<u64>,
}

pub fn phase_name(phase: Phase) -> &'static str {
    match phase {
        Phase::Deriving => "deriving",
        Phase::Encrypting => "encrypting",
        Phase::Uploading => "uploading",
        Phase::Downloading => "downloading",
        Phase::Saving => "saving",
        Phase::Scanning => "scanning",
    }
}

#[derive(Debug)]
struct Inner {
    phase: Option<Phase>,
    started: Instant,
    last_emit: Option<Instant>,
}

/// At most one event per `every` per phase, plus every phase change and every phase end.
#[derive(Debug)]
pub struct Meter {
    job_id: String,
    every: Duration,
    inner: Mutex<Inner>,
}

impl Meter {
    pub fn new(job_id: String) -> Meter {
        Meter {
            job_id,
            every: Duration::from_millis(100),
            inner: Mutex::new(Inner {
                phase: None,
                started: Instant::now(),
                last_emit: None,
            }),
        }
    }

    /// The payload to emit for this event, or `None` to skip it.
    pub fn update(&self, event: ProgressEvent) -> Option<ProgressPayload> {
        let now = Instant::now();
        let mut inner = crate::state::lock(&self.inner);
        if inner.phase != Some(event.phase) {
            inner.phase = Some(event.phase);
            inner.started = now;
            inner.last_emit = None;
        }
        let finished = event.done >= event.total;
        if let Some(last) = inner.last_emit
            && now.duration_since(last) < self.every
            && !finished
        {
            return None;
        }
        inner.last_emit = Some(now);
        let elapsed = now.duration_since(inner.started).as_secs_f64();
        let rate = if elapsed > 0.05 {
            (event.done as f64 / elapsed) as u64
        } else {
            0
        };
        let eta = (rate > 0).then(|| event.total.saturating_sub(event.done) / rate.max(1));
        Some(ProgressPayload {
            job_id: self.job_id.clone(),
            phase: phase_name(event.phase),
            done: event.done,
            total: event.total,
            bytes_per_sec: rate,
            eta_secs: eta,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttles_but_always_reports_phase_changes_and_ends() {
        let m = Meter::new("s1".into());
        let ev = |phase, done| ProgressEvent {
            phase,
            done,
            total: 100,
        };
        assert!(m.update(ev(Phase::Encrypting, 0)).is_some());
        assert!(m.update(ev(Phase::Encrypting, 10)).is_none());
        assert!(m.update(ev(Phase::Encrypting, 100)).is_some());
        let p = m.update(ev(Phase::Uploading, 0)).unwrap();
        assert_eq!(p.phase, "uploading");
        std::thread::sleep(Duration::from_millis(120));
        let p = m.update(ev(Phase::Uploading, 50)).unwrap();
        assert!(p.bytes_per_sec > 0);
        assert!(p.eta_secs.is_some());
    }
}
