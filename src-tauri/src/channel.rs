//! A job's progress and outcome go back on the `tauri::ipc::Channel` its command was called
//! with (`onEvent`), not as global events: only the caller hears them, in order, and nothing
//! can arrive for a job the webview does not know yet.

use std::sync::{Arc, Mutex};

use kepil_client::{ProgressEvent, ProgressFn};
use serde::Serialize;
use tauri::ipc::Channel;
use ts_rs::TS;

use crate::error::UiError;
use crate::meter::{Meter, ProgressPayload};
use crate::state::lock;

/// A job (send, save) that ended in an error, `cancelled` included.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct JobFailed {
    pub job_id: String,
    pub error: UiError,
}

/// One message on a job's channel: `{ "event": "progress" | "done" | "failed", "data": ... }`.
/// `done` and `failed` end the job; `progress` is throttled by [`Meter`].
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "event", content = "data", rename_all = "camelCase")]
pub enum JobEvent<D> {
    Progress(ProgressPayload),
    Done(D),
    Failed(JobFailed),
}

/// Where a job's messages go: the channel of the call in charge of it. A receive session is
/// unlocked by one call and saved by another, so `redirect` hands it to the second.
pub struct JobChannel<D> {
    job_id: String,
    meter: Meter,
    channel: Mutex<Channel<JobEvent<D>>>,
}

impl<D> std::fmt::Debug for JobChannel<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobChannel")
            .field("job_id", &self.job_id)
            .finish_non_exhaustive()
    }
}

impl<D: Serialize + Send + Sync + 'static> JobChannel<D> {
    pub fn new(job_id: String, channel: Channel<JobEvent<D>>) -> Arc<JobChannel<D>> {
        Arc::new(JobChannel {
            meter: Meter::new(job_id.clone()),
            job_id,
            channel: Mutex::new(channel),
        })
    }

    pub fn redirect(&self, channel: Channel<JobEvent<D>>) {
        *lock(&self.channel) = channel;
    }

    fn send(&self, event: JobEvent<D>) {
        let channel = lock(&self.channel).clone();
        if let Err(e) = channel.send(event) {
            tracing::warn!("job {}: channel: {e}", self.job_id);
        }
    }

    pub fn done(&self, done: D) {
        self.send(JobEvent::Done(done));
    }

    pub fn failed(&self, error: UiError) {
        self.send(JobEvent::Failed(JobFailed {
            job_id: self.job_id.clone(),
            error,
        }));
    }

    /// The library's progress callback, metered onto this channel.
    pub fn progress(self: &Arc<Self>) -> ProgressFn {
        let this = self.clone();
        Arc::new(move |event: ProgressEvent| {
            if let Some(payload) = this.meter.update(event) {
                this.send(JobEvent::Progress(payload));
            }
        })
    }
}
