//! The Send screen: `check_classification`, `send_start`, `send_cancel`.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use kepil_client::api::StoreClient;
use kepil_client::scan::Direction;
use kepil_client::send::{SendContext, SendRequest};
use kepil_client::settings;
use kepil_client::{Cancel, handover, recipients, send};
use kepil_core::classification::Classification;
use serde::{Deserialize, Serialize};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};
use ts_rs::TS;

use super::rfc3339;
use super::scanning::ScanView;
use crate::channel::{JobChannel, JobEvent};
use crate::error::{UiError, UiResult};
use crate::state::{Kepil, SendJob, lock};

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ClassificationCheck {
    pub classification: String,
    pub requires_password: bool,
}

fn parse_classification(kepil: &Kepil, value: &str) -> UiResult<Classification> {
    let c = Classification::from_str(value)?;
    c.check_sendable()?;
    if !kepil.policy()?.allows(c) {
        return Err(UiError::new("classification_not_accepted").with("classification", c.as_str()));
    }
    Ok(c)
}

#[tauri::command]
pub async fn check_classification(
    kepil: State<'_, Kepil>,
    value: String,
) -> UiResult<ClassificationCheck> {
    let c = parse_classification(&kepil, &value)?;
    Ok(ClassificationCheck {
        classification: c.as_str().to_string(),
        requires_password: c.requires_password(),
    })
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(rename = "Recipient")]
pub struct RecipientInput {
    pub email: String,
    #[serde(default)]
    #[ts(optional)]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "SendRequest")]
pub struct SendInput {
    pub file_ids: Vec<String>,
    pub classification: String,
    pub recipients: Vec<RecipientInput>,
    #[serde(default)]
    #[ts(optional)]
    pub expires_secs: Option<u64>,
    #[serde(default)]
    #[ts(optional)]
    pub max_downloads: Option<u32>,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub message: String,
    /// Signed in: a display name to seal with the signed-in address (`Name <address>`); the
    /// address itself is never the webview's to choose. Ignored otherwise.
    #[serde(default)]
    #[ts(optional)]
    pub sender_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "SentRecipient")]
pub struct SentRecipientView {
    pub index: usize,
    pub recipient: String,
    pub phone: Option<String>,
    pub link: String,
    pub has_password: bool,
    /// What the sender has ticked as handed over.
    pub delivery: super::deliver::DeliveryView,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SendDone {
    pub job_id: String,
    pub transfer_id: String,
    pub expires_at: String,
    pub local: bool,
    pub recipients: Vec<SentRecipientView>,
    /// The scan sealed in the package (every file clean); `null`: not scanned.
    pub scan: Option<ScanView>,
    /// Why the links and passwords are kept only until the app closes (no keyring, or it
    /// refused); `null`: the keyring keeps them until they are handed over (History).
    pub not_kept: Option<UiError>,
}

#[tauri::command]
pub async fn send_start<R: Runtime>(
    app: AppHandle<R>,
    kepil: State<'_, Kepil>,
    request: SendInput,
    on_event: Channel<JobEvent<SendDone>>,
) -> UiResult<String> {
    let classification = parse_classification(&kepil, &request.classification)?;
    // The same rules as `kepil send --to` (kepil-client's recipients module).
    let emails: Vec<&str> = request
        .recipients
        .iter()
        .map(|r| r.email.as_str())
        .collect();
    let emails = recipients::check_emails(&emails)?;
    let phones: Vec<Option<String>> = request
        .recipients
        .iter()
        .map(|r| recipients::check_phone(r.phone.as_deref()))
        .collect::<Result<_, _>>()?;
    // The policy's caps on expiry, downloads and size are kepil-client's to apply (the
    // send narrows the store's policy with them), so the CLI holds to the same ones.
    let files: Vec<PathBuf> = {
        let known = lock(&kepil.files);
        request
            .file_ids
            .iter()
            .map(|id| {
                known
                    .get(id)
                    .cloned()
                    .ok_or_else(|| UiError::new("unknown_file"))
            })
            .collect::<UiResult<_>>()?
    };
    if files.is_empty() {
        return Err(UiError::new("no_files"));
    }
    let store = kepil.store().await?;
    let job_id = kepil.next_id("s");
    let cancel = Cancel::new();
    let events = JobChannel::new(job_id.clone(), on_event);
    let ctx = context(&kepil, &store, events.progress(), cancel.clone())?;
    let config = kepil.config().unwrap_or_default();
    // Signed in, the sealed sender is the signed-in address, with at most a display name.
    let sender = match ctx.token.identity() {
        Some(identity) => {
            settings::sender_for(request.sender_name.as_deref(), &config, Some(identity))?
        }
        None => settings::resolve_sender(None, &config),
    };
    let library_request = SendRequest {
        files,
        classification,
        recipients: emails,
        expires_in: request.expires_secs.map(Duration::from_secs),
        max_downloads: request.max_downloads,
        subject: request.subject.trim().to_string(),
        message: request.message.clone(),
        sender,
    };
    lock(&kepil.sends).insert(
        job_id.clone(),
        SendJob {
            cancel,
            subject: library_request.subject.clone(),
            classification: classification.as_str().to_string(),
            phones: phones.clone(),
            sent: None,
        },
    );
    let local = store.local;
    let id = job_id.clone();
    tauri::async_runtime::spawn(async move {
        let result = send::send(&ctx, library_request).await;
        let kepil = app.state::<Kepil>();
        match result {
            Ok(sent) => events.done(finished(&kepil, &id, sent, &phones, local)),
            Err(e) => events.failed(e.into()),
        }
    });
    Ok(job_id)
}

/// Who a send (or a resumed one) to `store` uploads as, and with what around it.
pub(crate) fn context(
    kepil: &Kepil,
    store: &crate::state::StoreChoice,
    progress: kepil_client::ProgressFn,
    cancel: Cancel,
) -> UiResult<SendContext> {
    let client = StoreClient::new(store.url.clone())?;
    let bearer = kepil.bearer(store, &client)?;
    Ok(SendContext {
        client,
        token: bearer,
        dirs: kepil.dirs.clone(),
        secrets: kepil.secrets.clone(),
        progress,
        cancel,
        scan: kepil.scan_setup(Direction::Send)?,
        system_policy: kepil.policy()?.clone(),
    })
}

/// A send's upload completed: its links and passwords go to the keyring to be handed over
/// (the answer says where they could not), and the job keeps them for the result card.
pub(crate) fn finished(
    kepil: &Kepil,
    job_id: &str,
    sent: send::Sent,
    phones: &[Option<String>],
    local: bool,
) -> SendDone {
    let not_kept = handover::keep(&kepil.dirs, &kepil.secrets, &sent, phones)
        .err()
        .map(|e| {
            tracing::warn!("the passwords are kept until the app closes only: {e}");
            UiError::coded(&e)
        });
    let done = SendDone {
        job_id: job_id.to_string(),
        transfer_id: sent.transfer_id.clone(),
        expires_at: rfc3339(sent.expires_at),
        local,
        recipients: sent
            .recipients
            .iter()
            .enumerate()
            .map(|(index, r)| SentRecipientView {
                index,
                recipient: r.recipient.clone(),
                phone: phones.get(index).cloned().flatten(),
                link: r.link.expose().to_string(),
                has_password: r.password.is_some(),
                delivery: Default::default(),
            })
            .collect(),
        scan: sent.scan.as_ref().map(ScanView::sealed),
        not_kept,
    };
    if let Some(job) = lock(&kepil.sends).get_mut(job_id) {
        job.sent = Some(sent);
    }
    done
}

#[tauri::command]
pub async fn send_cancel(kepil: State<'_, Kepil>, job_id: String) -> UiResult<()> {
    if let Some(job) = lock(&kepil.sends).get(&job_id) {
        job.cancel.cancel();
    }
    Ok(())
}
