//! Uploads that stopped before they completed (the app was closed or killed, the computer
//! slept, the network went), offered on the Send screen when the app starts again:
//! `interrupted_list`, `interrupted_resume`, `interrupted_discard`. Resuming is kepil-client's
//! `send::resume`, the one `kepil send --resume` runs: the files are checked against the
//! journal before a byte is encrypted again, and only what the store lacks is sent.

use kepil_client::history::History;
use kepil_client::send::{self, Journal};
use kepil_client::{Cancel, settings};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};
use time::OffsetDateTime;
use ts_rs::TS;

use super::rfc3339;
use super::send::{SendDone, context, finished};
use crate::channel::{JobChannel, JobEvent};

use crate::error::{UiError, UiResult};
use crate::state::{Kepil, SendJob, StoreChoice, lock};

/// One interrupted upload, with what tells it apart (from this computer's history).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Interrupted")]
pub struct InterruptedView {
    pub transfer_id: String,
    pub classification: String,
    pub subject: String,
    pub files: Vec<String>,
    pub recipients: Vec<String>,
    /// Ciphertext length.
    pub size: u64,
    pub expires_at: String,
}

fn live_journals(kepil: &Kepil) -> Vec<Journal> {
    let now = OffsetDateTime::now_utc();
    send::pending_uploads(&kepil.dirs)
        .into_iter()
        .filter(|j| j.expires_at > now)
        .collect()
}

fn journal(kepil: &Kepil, transfer_id: &str) -> UiResult<Journal> {
    live_journals(kepil)
        .into_iter()
        .find(|j| j.transfer_id == transfer_id)
        .ok_or_else(|| UiError::coded(&kepil_client::SendError::NothingToResume))
}

#[tauri::command]
pub async fn interrupted_list(kepil: State<'_, Kepil>) -> UiResult<Vec<InterruptedView>> {
    let history = History::open(&kepil.dirs).list()?;
    Ok(live_journals(&kepil)
        .into_iter()
        .map(|j| {
            let entry = history.iter().find(|e| e.transfer_id == j.transfer_id);
            InterruptedView {
                classification: entry.map(|e| e.classification.clone()).unwrap_or_default(),
                subject: entry.map(|e| e.subject.clone()).unwrap_or_default(),
                files: j
                    .files
                    .iter()
                    .map(|f| {
                        f.path.file_name().map_or_else(
                            || f.path.display().to_string(),
                            |n| n.to_string_lossy().into_owned(),
                        )
                    })
                    .collect(),
                recipients: entry
                    .map(|e| e.recipients.iter().map(|r| r.label.clone()).collect())
                    .unwrap_or_default(),
                size: j.size,
                expires_at: rfc3339(j.expires_at),
                transfer_id: j.transfer_id,
            }
        })
        .collect())
}

/// The store the journal names, as the app uses it (its local store is the local store
/// still, on the port it keeps).
async fn store_of(kepil: &Kepil, journal: &Journal) -> UiResult<StoreChoice> {
    let url = settings::parse_store_url(&journal.store)?;
    match kepil.store().await {
        Ok(current) if current.url == url => Ok(current),
        _ => Ok(StoreChoice {
            url,
            local: false,
            locked: false,
        }),
    }
}

/// Resumes an interrupted upload as a send job: the same events as `send_start`, ending in
/// the same result (links and passwords kept to hand over). The phones typed for the first
/// run are not kept with it: the result shows none.
#[tauri::command]
pub async fn interrupted_resume<R: Runtime>(
    app: AppHandle<R>,
    kepil: State<'_, Kepil>,
    transfer_id: String,
    on_event: Channel<JobEvent<SendDone>>,
) -> UiResult<String> {
    let journal = journal(&kepil, &transfer_id)?;
    let store = store_of(&kepil, &journal).await?;
    let entry = History::open(&kepil.dirs)
        .list()?
        .into_iter()
        .find(|e| e.transfer_id == transfer_id);
    let job_id = kepil.next_id("s");
    let cancel = Cancel::new();
    let events = JobChannel::new(job_id.clone(), on_event);
    let ctx = context(&kepil, &store, events.progress(), cancel.clone())?;
    lock(&kepil.sends).insert(
        job_id.clone(),
        SendJob {
            cancel,
            subject: entry
                .as_ref()
                .map(|e| e.subject.clone())
                .unwrap_or_default(),
            classification: entry.map(|e| e.classification).unwrap_or_default(),
            phones: vec![],
            sent: None,
        },
    );
    let (id, local) = (job_id.clone(), store.local);
    tauri::async_runtime::spawn(async move {
        let result = send::resume(&ctx, &journal).await;
        let kepil = app.state::<Kepil>();
        match result {
            Ok(sent) => events.done(finished(&kepil, &id, sent, &[], local)),
            Err(e) => events.failed(e.into()),
        }
    });
    Ok(job_id)
}

/// Gives an interrupted upload up: the store drops it, and nothing of it stays here.
#[tauri::command]
pub async fn interrupted_discard(kepil: State<'_, Kepil>, transfer_id: String) -> UiResult<()> {
    let journal = journal(&kepil, &transfer_id)?;
    let store = store_of(&kepil, &journal).await?;
    let ctx = context(&kepil, &store, std::sync::Arc::new(|_| {}), Cancel::new())?;
    send::give_up(&ctx, &journal).await?;
    Ok(())
}
