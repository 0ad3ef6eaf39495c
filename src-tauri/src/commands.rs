//! The IPC commands (docs/app.md). Each is a thin layer over kepil-client / kepil-core: it
//! checks what the webview sent, calls the library, and turns the answer into plain data.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use kepil_client::api::StoreClient;
use kepil_client::history::History;
use kepil_client::send::{SendContext, SendRequest};
use kepil_client::settings;
use kepil_client::{Cancel, ProgressEvent, SecretString, manage, receive, send};
use kepil_core::classification::Classification;
use kepil_core::link::Link;
use kepil_core::password::Password;
use kepil_protocol::{StorePolicy, TransferStatus};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Manager, Runtime, State};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{UiError, UiResult};
use crate::meter::Meter;
use crate::outbound;
use crate::state::{Kepil, ReceiveSession, SendJob, lock};

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

// ---------------------------------------------------------------- app state and settings

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoreState {
    pub url: Option<String>,
    pub local: bool,
    pub locked: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyView {
    pub classifications: Vec<String>,
    pub max_expiry_secs: BTreeMap<String, u64>,
    pub default_expiry_secs: BTreeMap<String, u64>,
    pub max_downloads: u32,
    pub default_max_downloads: u32,
    pub max_blob_size: u64,
    pub sms_enabled: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppState {
    pub lang: &'static str,
    pub store: StoreState,
    pub token_set: bool,
    pub token_locked: bool,
    /// `None` when the store cannot be reached (`store_error` says why).
    pub policy: Option<PolicyView>,
    pub store_error: Option<UiError>,
    pub locked: Vec<String>,
    pub pending_link: Option<String>,
}

/// The store's policy narrowed by the system policy: what the Send screen may offer.
pub fn effective_policy(store: &StorePolicy, system: &crate::policy::SystemPolicy) -> PolicyView {
    let max_expiry = system.max_expiry_secs().unwrap_or(u64::MAX);
    let mut view = PolicyView {
        classifications: vec![],
        max_expiry_secs: BTreeMap::new(),
        default_expiry_secs: BTreeMap::new(),
        max_downloads: store
            .max_downloads
            .min(system.send.max_downloads.unwrap_or(u32::MAX)),
        default_max_downloads: 0,
        max_blob_size: store
            .max_blob_size
            .min(system.max_size_bytes().unwrap_or(u64::MAX)),
        sms_enabled: system.sms.is_some(),
    };
    view.default_max_downloads = store.default_max_downloads.min(view.max_downloads);
    for c in &store.classifications {
        if !system.allows(c.classification) {
            continue;
        }
        let name = c.classification.as_str().to_string();
        let max = c.max_expiry_secs.min(max_expiry);
        view.classifications.push(name.clone());
        view.max_expiry_secs.insert(name.clone(), max);
        view.default_expiry_secs
            .insert(name, c.default_expiry_secs.min(max));
    }
    view
}

pub async fn build_app_state(kepil: &Kepil, take_pending: bool) -> UiResult<AppState> {
    let system = kepil.policy()?.clone();
    let pending_link = if take_pending {
        lock(&kepil.pending_link).take()
    } else {
        None
    };
    let lang = kepil.lang().as_str();
    let locked = system.locked();
    let (store, store_error) = match kepil.store().await {
        Ok(s) => (Some(s), None),
        Err(e) => (None, Some(e)),
    };
    let mut state = AppState {
        lang,
        store: StoreState {
            url: store.as_ref().map(|s| s.url.to_string()),
            local: store.as_ref().is_some_and(|s| s.local),
            locked: system.store.url.is_some(),
        },
        token_set: false,
        token_locked: store.as_ref().is_some_and(|s| s.local),
        policy: None,
        store_error,
        locked,
        pending_link,
    };
    if let Some(store) = store {
        state.token_set = kepil.token(&store.url).is_ok();
        match StoreClient::new(store.url.clone()) {
            Ok(client) => match client.policy().await {
                Ok(p) => state.policy = Some(effective_policy(&p, &system)),
                Err(e) => state.store_error = Some(e.into()),
            },
            Err(e) => state.store_error = Some(e.into()),
        }
    }
    Ok(state)
}

#[tauri::command]
pub async fn app_state(kepil: State<'_, Kepil>) -> UiResult<AppState> {
    build_app_state(&kepil, true).await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsInput {
    /// `""` clears the store (back to the local store, when allowed).
    pub store_url: Option<String>,
    pub lang: Option<String>,
}

#[tauri::command]
pub async fn settings_save(kepil: State<'_, Kepil>, request: SettingsInput) -> UiResult<AppState> {
    let settings = request;
    let system = kepil.policy()?.clone();
    let mut config = kepil.config()?;
    if let Some(url) = settings.store_url {
        if system.store.url.is_some() {
            return Err(UiError::new("setting_locked").with("setting", "storeUrl"));
        }
        if url.trim().is_empty() {
            config.store = None;
        } else {
            let parsed = settings::parse_store_url(&url)?;
            config.store = Some(parsed.as_str().trim_end_matches('/').to_string());
        }
    }
    if let Some(lang) = settings.lang {
        if system.ui.lang.is_some() {
            return Err(UiError::new("setting_locked").with("setting", "lang"));
        }
        let parsed = settings::parse_lang(&lang)
            .ok_or_else(|| UiError::new("language_unknown").with("input", &lang))?;
        config.lang = Some(parsed.as_str().to_string());
    }
    config.save(&kepil.dirs)?;
    build_app_state(&kepil, false).await
}

#[tauri::command]
pub async fn token_save(kepil: State<'_, Kepil>, token: String) -> UiResult<()> {
    let token = SecretString::new(token.trim());
    if token.expose().is_empty() {
        return Err(UiError::new("token_empty"));
    }
    let store = kepil.store().await?;
    if store.local {
        return Err(UiError::new("setting_locked").with("setting", "token"));
    }
    settings::save_token(&store.url, &token, &kepil.secrets)?;
    Ok(())
}

// ---------------------------------------------------------------- files

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PickedFile {
    pub id: String,
    pub name: String,
    pub size: u64,
}

fn register_files(kepil: &Kepil, paths: Vec<PathBuf>) -> UiResult<Vec<PickedFile>> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(&path).map_err(|_| {
            UiError::new("package_file_unreadable").with(
                "path",
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            )
        })?;
        if !meta.is_file() {
            return Err(UiError::new("package_not_a_file").with(
                "path",
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            ));
        }
        let id = kepil.next_id("f");
        out.push(PickedFile {
            id: id.clone(),
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            size: meta.len(),
        });
        lock(&kepil.files).insert(id, path);
    }
    Ok(out)
}

#[tauri::command]
pub async fn pick_files(kepil: State<'_, Kepil>) -> UiResult<Vec<PickedFile>> {
    let desktop = kepil.desktop.clone();
    let paths = tauri::async_runtime::spawn_blocking(move || desktop.pick_files())
        .await
        .map_err(|_| UiError::new("dialog_failed"))?;
    register_files(&kepil, paths)
}

#[tauri::command]
pub async fn add_dropped(kepil: State<'_, Kepil>, paths: Vec<String>) -> UiResult<Vec<PickedFile>> {
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    {
        // Only what the OS dropped on the window: the webview cannot name arbitrary files.
        let dropped = lock(&kepil.dropped);
        if let Some(p) = paths.iter().find(|p| !dropped.contains(*p)) {
            tracing::warn!("add_dropped: {} was not dropped", p.display());
            return Err(UiError::new("file_not_dropped"));
        }
    }
    register_files(&kepil, paths)
}

#[tauri::command]
pub async fn remove_file(kepil: State<'_, Kepil>, id: String) -> UiResult<()> {
    lock(&kepil.files).remove(&id);
    Ok(())
}

// ---------------------------------------------------------------- send

#[derive(Debug, Clone, Serialize)]
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

#[derive(Debug, Clone, Deserialize)]
pub struct RecipientInput {
    pub email: String,
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendInput {
    pub file_ids: Vec<String>,
    pub classification: String,
    pub recipients: Vec<RecipientInput>,
    #[serde(default)]
    pub expires_secs: Option<u64>,
    #[serde(default)]
    pub max_downloads: Option<u32>,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SentRecipientView {
    pub index: usize,
    pub recipient: String,
    pub phone: Option<String>,
    pub link: String,
    pub has_password: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SendDone {
    pub job_id: String,
    pub transfer_id: String,
    pub expires_at: String,
    pub local: bool,
    pub recipients: Vec<SentRecipientView>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobFailed {
    pub job_id: String,
    pub error: UiError,
}

fn valid_email(s: &str) -> bool {
    let s = s.trim();
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(|c| c.is_whitespace() || c == ',' || c == ';')
                && !domain.contains('@')
        }
        None => false,
    }
}

fn valid_phone(s: &str) -> bool {
    let digits = s.chars().filter(|c| c.is_ascii_digit()).count();
    (7..=15).contains(&digits)
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')'))
}

#[tauri::command]
pub async fn send_start<R: Runtime>(
    app: AppHandle<R>,
    kepil: State<'_, Kepil>,
    request: SendInput,
) -> UiResult<String> {
    let classification = parse_classification(&kepil, &request.classification)?;
    let system = kepil.policy()?.clone();
    if request.recipients.is_empty() {
        return Err(UiError::new("no_recipients"));
    }
    for r in &request.recipients {
        if !valid_email(&r.email) {
            return Err(UiError::new("recipient_invalid").with("recipient", r.email.trim()));
        }
        if let Some(p) = r.phone.as_deref().filter(|p| !p.trim().is_empty())
            && !valid_phone(p)
        {
            return Err(UiError::new("phone_invalid").with("phone", p.trim()));
        }
    }
    if let (Some(asked), Some(limit)) = (request.expires_secs, system.max_expiry_secs())
        && asked > limit
    {
        return Err(UiError::new("expiry_too_long")
            .with("requested_secs", asked)
            .with("limit_secs", limit));
    }
    if let (Some(asked), Some(limit)) = (request.max_downloads, system.send.max_downloads)
        && asked > limit
    {
        return Err(UiError::new("too_many_downloads")
            .with("requested", asked)
            .with("limit", limit));
    }
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
    if let Some(limit) = system.max_size_bytes() {
        let total: u64 = files
            .iter()
            .filter_map(|f| std::fs::metadata(f).ok())
            .map(|m| m.len())
            .sum();
        if total > limit {
            return Err(UiError::new("too_large")
                .with("size", total)
                .with("limit", limit));
        }
    }
    let store = kepil.store().await?;
    let token = kepil.token(&store.url)?;
    let client = StoreClient::new(store.url.clone())?;
    let config = kepil.config().unwrap_or_default();

    let job_id = kepil.next_id("s");
    let cancel = Cancel::new();
    let meter = Arc::new(Meter::new(job_id.clone()));
    let progress_app = app.clone();
    let progress: kepil_client::ProgressFn = Arc::new(move |event: ProgressEvent| {
        if let Some(payload) = meter.update(event) {
            let _ = progress_app.emit("send-progress", payload);
        }
    });
    let ctx = SendContext {
        client,
        token,
        dirs: kepil.dirs.clone(),
        secrets: kepil.secrets.clone(),
        progress,
        cancel: cancel.clone(),
    };
    let phones: Vec<Option<String>> = request
        .recipients
        .iter()
        .map(|r| {
            r.phone
                .as_deref()
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string)
        })
        .collect();
    let library_request = SendRequest {
        files,
        classification,
        recipients: request
            .recipients
            .iter()
            .map(|r| r.email.trim().to_string())
            .collect(),
        expires_in: request.expires_secs.map(Duration::from_secs),
        max_downloads: request.max_downloads,
        subject: request.subject.trim().to_string(),
        message: request.message.clone(),
        sender: settings::resolve_sender(None, &config),
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
            Ok(sent) => {
                let done = SendDone {
                    job_id: id.clone(),
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
                        })
                        .collect(),
                };
                if let Some(job) = lock(&kepil.sends).get_mut(&id) {
                    job.sent = Some(sent);
                }
                let _ = app.emit("send-done", done);
            }
            Err(e) => {
                let _ = app.emit(
                    "send-failed",
                    JobFailed {
                        job_id: id,
                        error: e.into(),
                    },
                );
            }
        }
    });
    Ok(job_id)
}

#[tauri::command]
pub async fn send_cancel(kepil: State<'_, Kepil>, job_id: String) -> UiResult<()> {
    if let Some(job) = lock(&kepil.sends).get(&job_id) {
        job.cancel.cancel();
    }
    Ok(())
}

/// What a finished send handed to recipient `index`.
struct Delivered {
    link: SecretString,
    password: Option<SecretString>,
    recipient: String,
    phone: Option<String>,
    subject: String,
    classification: String,
    expires_at: OffsetDateTime,
}

fn delivered(kepil: &Kepil, job_id: &str, index: usize) -> UiResult<Delivered> {
    let sends = lock(&kepil.sends);
    let job = sends
        .get(job_id)
        .ok_or_else(|| UiError::new("unknown_job"))?;
    let sent = job
        .sent
        .as_ref()
        .ok_or_else(|| UiError::new("unknown_job"))?;
    let r = sent
        .recipients
        .get(index)
        .ok_or_else(|| UiError::new("unknown_job"))?;
    Ok(Delivered {
        link: r.link.clone(),
        password: r.password.clone(),
        recipient: r.recipient.clone(),
        phone: job.phones.get(index).cloned().flatten(),
        subject: job.subject.clone(),
        classification: job.classification.clone(),
        expires_at: sent.expires_at,
    })
}

fn password_of(d: &Delivered) -> UiResult<&SecretString> {
    d.password
        .as_ref()
        .ok_or_else(|| UiError::new("no_password"))
}

#[tauri::command]
pub async fn reveal_password(
    kepil: State<'_, Kepil>,
    job_id: String,
    index: usize,
) -> UiResult<String> {
    let d = delivered(&kepil, &job_id, index)?;
    Ok(password_of(&d)?.expose().to_string())
}

#[tauri::command]
pub async fn password_qr(
    kepil: State<'_, Kepil>,
    job_id: String,
    index: usize,
) -> UiResult<String> {
    let d = delivered(&kepil, &job_id, index)?;
    outbound::qr_svg(password_of(&d)?.expose()).map_err(|_| UiError::new("qr_failed"))
}

/// Copies `text` and clears the clipboard after `after` if it still holds it.
fn copy_and_clear(kepil: &Kepil, text: SecretString, clear: bool) -> UiResult<()> {
    kepil.desktop.clipboard_write(text.expose()).map_err(|e| {
        tracing::warn!("clipboard: {e}");
        UiError::new("clipboard_failed")
    })?;
    if clear {
        let desktop = kepil.desktop.clone();
        let after = kepil.clipboard_clear_after;
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(after).await;
            if desktop.clipboard_read().as_deref() == Some(text.expose()) {
                let _ = desktop.clipboard_clear();
            }
        });
    }
    Ok(())
}

#[tauri::command]
pub async fn copy_password(kepil: State<'_, Kepil>, job_id: String, index: usize) -> UiResult<()> {
    let d = delivered(&kepil, &job_id, index)?;
    copy_and_clear(&kepil, password_of(&d)?.clone(), true)
}

#[tauri::command]
pub async fn copy_link(kepil: State<'_, Kepil>, job_id: String, index: usize) -> UiResult<()> {
    let d = delivered(&kepil, &job_id, index)?;
    copy_and_clear(&kepil, d.link, false)
}

#[tauri::command]
pub async fn compose_email(kepil: State<'_, Kepil>, job_id: String, index: usize) -> UiResult<()> {
    let d = delivered(&kepil, &job_id, index)?;
    let link = Link::parse(d.link.expose())?;
    let url = outbound::mailto(
        &d.recipient,
        &d.subject,
        link.to_https().expose(),
        &d.classification,
        &rfc3339(d.expires_at),
    );
    kepil.desktop.open_url(&url).map_err(|e| {
        tracing::warn!("mailto: {e}");
        UiError::new("open_failed")
    })
}

#[tauri::command]
pub async fn send_sms(kepil: State<'_, Kepil>, job_id: String, index: usize) -> UiResult<()> {
    let d = delivered(&kepil, &job_id, index)?;
    let system = kepil.policy()?.clone();
    let sms = system
        .sms
        .as_ref()
        .ok_or_else(|| UiError::new("sms_unavailable"))?;
    let phone = d
        .phone
        .clone()
        .ok_or_else(|| UiError::new("sms_no_phone"))?;
    let password = password_of(&d)?;
    let text = outbound::sms_text(password.expose(), &d.subject, kepil.lang());
    crate::sms::send(&kepil, sms, &phone, &text).await
}

// ---------------------------------------------------------------- receive

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiveInfo {
    pub grant_id: String,
    pub classification: String,
    pub size: u64,
    pub expires_at: String,
    pub store: String,
    /// The link's store is this computer's local store.
    pub local: bool,
    pub requires_password: bool,
}

#[tauri::command]
pub async fn receive_open(link: String) -> UiResult<ReceiveInfo> {
    let link = Link::parse(&link)?;
    let (_, info) = receive::lookup(&link).await?;
    Ok(ReceiveInfo {
        grant_id: info.grant_id.clone(),
        classification: info.classification.as_str().to_string(),
        size: info.size,
        expires_at: rfc3339(info.expires_at),
        store: link.store_base().to_string(),
        local: link.is_loopback_http(),
        requires_password: info.classification.requires_password(),
    })
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestFile {
    pub name: String,
    pub size: u64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestView {
    pub classification: String,
    pub sender: String,
    pub subject: String,
    pub message: String,
    pub created_at: String,
    pub expires_at: String,
    pub files: Vec<ManifestFile>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnlockedView {
    pub job_id: String,
    pub downloads_left: u32,
    pub manifest: ManifestView,
}

#[tauri::command]
pub async fn receive_unlock<R: Runtime>(
    app: AppHandle<R>,
    kepil: State<'_, Kepil>,
    link: String,
    password: Option<String>,
) -> UiResult<UnlockedView> {
    let link = Link::parse(&link)?;
    let password = match password.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Some(Password::parse(p)?),
        None => None,
    };
    // A new unlock discards whatever the previous one held.
    lock(&kepil.receive).take();
    let job_id = kepil.next_id("r");
    let meter = Arc::new(Meter::new(job_id.clone()));
    let progress_app = app.clone();
    let progress: kepil_client::ProgressFn = Arc::new(move |event: ProgressEvent| {
        if let Some(payload) = meter.update(event) {
            let _ = progress_app.emit("receive-progress", payload);
        }
    });
    let cancel = Cancel::new();
    let unlocked = receive::unlock(&link, password.as_ref(), &progress).await?;
    let downloads_left = unlocked.downloads_left();
    let incoming = unlocked.open(progress, cancel.clone()).await?;
    let m = incoming.manifest();
    let view = UnlockedView {
        job_id: job_id.clone(),
        downloads_left,
        manifest: ManifestView {
            classification: m.classification.as_str().to_string(),
            sender: m.sender.clone(),
            subject: m.subject.clone(),
            message: m.message.clone(),
            created_at: rfc3339(m.created_at),
            expires_at: rfc3339(m.expires_at),
            files: m
                .files
                .iter()
                .map(|f| ManifestFile {
                    name: f.name.clone(),
                    size: f.size,
                })
                .collect(),
        },
    };
    *lock(&kepil.receive) = Some(ReceiveSession {
        job_id,
        cancel,
        incoming: Some(incoming),
    });
    Ok(view)
}

#[tauri::command]
pub async fn pick_folder(kepil: State<'_, Kepil>) -> UiResult<Option<String>> {
    let desktop = kepil.desktop.clone();
    let folder = tauri::async_runtime::spawn_blocking(move || desktop.pick_folder())
        .await
        .map_err(|_| UiError::new("dialog_failed"))?;
    Ok(folder.map(|f| f.to_string_lossy().into_owned()))
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiveDone {
    pub job_id: String,
    pub folder: String,
    pub files: Vec<ManifestFile>,
}

#[tauri::command]
pub async fn receive_save<R: Runtime>(
    app: AppHandle<R>,
    kepil: State<'_, Kepil>,
    folder: String,
) -> UiResult<String> {
    let folder = PathBuf::from(folder);
    if !folder.is_absolute() {
        return Err(UiError::new("destination_not_writable"));
    }
    let (job_id, incoming) = {
        let mut session = lock(&kepil.receive);
        let s = session
            .as_mut()
            .ok_or_else(|| UiError::new("nothing_unlocked"))?;
        let incoming = s
            .incoming
            .take()
            .ok_or_else(|| UiError::new("nothing_unlocked"))?;
        (s.job_id.clone(), incoming)
    };
    let id = job_id.clone();
    tauri::async_runtime::spawn(async move {
        let result = incoming.save(&folder).await;
        let kepil = app.state::<Kepil>();
        match result {
            Ok(saved) => {
                lock(&kepil.saved_folders).insert(folder.clone());
                let _ = app.emit(
                    "receive-done",
                    ReceiveDone {
                        job_id: id,
                        folder: folder.to_string_lossy().into_owned(),
                        files: saved
                            .iter()
                            .map(|f| ManifestFile {
                                name: f
                                    .path
                                    .file_name()
                                    .map(|n| n.to_string_lossy().into_owned())
                                    .unwrap_or_else(|| f.name.clone()),
                                size: f.size,
                            })
                            .collect(),
                    },
                );
            }
            Err(e) => {
                let _ = app.emit(
                    "receive-failed",
                    JobFailed {
                        job_id: id,
                        error: e.into(),
                    },
                );
            }
        }
    });
    Ok(job_id)
}

#[tauri::command]
pub async fn receive_cancel(kepil: State<'_, Kepil>, job_id: String) -> UiResult<()> {
    let mut session = lock(&kepil.receive);
    if let Some(s) = session.as_ref()
        && s.job_id == job_id
    {
        s.cancel.cancel();
        if s.incoming.is_some() {
            // Not saving yet: dropping the Incoming discards the download.
            session.take();
        }
    }
    Ok(())
}

#[tauri::command]
pub async fn open_folder(kepil: State<'_, Kepil>, folder: String) -> UiResult<()> {
    let folder = PathBuf::from(folder);
    if !lock(&kepil.saved_folders).contains(&folder) || !Path::new(&folder).is_dir() {
        return Err(UiError::new("open_failed"));
    }
    kepil.desktop.open_folder(&folder).map_err(|e| {
        tracing::warn!("open folder: {e}");
        UiError::new("open_failed")
    })
}

// ---------------------------------------------------------------- history

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryRecipientView {
    pub label: String,
    pub grant_id: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryItem {
    pub transfer_id: String,
    pub store: String,
    pub created_at: String,
    pub expires_at: String,
    pub classification: String,
    pub size: u64,
    pub recipients: Vec<HistoryRecipientView>,
}

#[tauri::command]
pub async fn history_list(kepil: State<'_, Kepil>) -> UiResult<Vec<HistoryItem>> {
    Ok(History::open(&kepil.dirs)
        .list()?
        .into_iter()
        .map(|e| HistoryItem {
            transfer_id: e.transfer_id,
            store: e.store,
            created_at: rfc3339(e.created_at),
            expires_at: rfc3339(e.expires_at),
            classification: e.classification,
            size: e.size,
            recipients: e
                .recipients
                .into_iter()
                .map(|r| HistoryRecipientView {
                    label: r.label,
                    grant_id: r.grant_id,
                })
                .collect(),
        })
        .collect())
}

#[tauri::command]
pub async fn history_status(
    kepil: State<'_, Kepil>,
    transfer_id: String,
) -> UiResult<TransferStatus> {
    let owned = manage::find(&kepil.dirs, &kepil.secrets, &transfer_id)?;
    Ok(owned.status().await?)
}

#[tauri::command]
pub async fn history_revoke(
    kepil: State<'_, Kepil>,
    transfer_id: String,
    recipient: Option<String>,
) -> UiResult<Vec<String>> {
    let owned = manage::find(&kepil.dirs, &kepil.secrets, &transfer_id)?;
    let grants = owned.revoke(&kepil.dirs, recipient.as_deref()).await?;
    Ok(grants
        .iter()
        .map(|g| {
            owned
                .entry
                .recipients
                .iter()
                .find(|r| &r.grant_id == g)
                .map(|r| r.label.clone())
                .unwrap_or_else(|| g.clone())
        })
        .collect())
}
