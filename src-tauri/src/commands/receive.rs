//! The Receive screen: `receive_open`, `receive_unlock`, `pick_folder`, `receive_save`,
//! `receive_cancel`, `open_folder`.

use kepil_client::receive::SenderCheck;
use kepil_client::scan::Direction;
use kepil_client::store_trust::Standing;
use kepil_client::{Cancel, receive};
use kepil_core::link::Link;
use kepil_core::password::Password;
use kepil_core::{filename, text};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};
use ts_rs::TS;

use super::rfc3339;
use super::scanning::{self, LocalScanView, ScanView};
use crate::channel::{JobChannel, JobEvent};
use crate::error::{UiError, UiResult};
use crate::state::{Kepil, ReceiveSession, lock};

#[derive(Debug, Clone, Serialize, TS)]
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
    /// The store as a person recognises it, and why it was contacted.
    pub store_view: StoreTrustView,
}

/// kepil-client's `store_trust::StoreView`.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "StoreTrust")]
pub struct StoreTrustView {
    /// `host[:port]` in ASCII: punycode (`xn--…`) for an internationalised name.
    pub host: String,
    /// The policy's name for it.
    pub name: Option<String>,
    pub idn: bool,
    /// `trusted` (the policy's or the person's own store), `local` (this computer's), or
    /// `confirmed` (another store the person confirmed this session).
    #[ts(type = "\"trusted\" | \"local\" | \"confirmed\"")]
    pub standing: &'static str,
}

/// The link's store as it stands here: refused, not yet confirmed (nothing is contacted in
/// either case), or fine. `confirm` is the person's yes to this very store.
async fn checked_store(kepil: &Kepil, link: &Link, confirm: bool) -> UiResult<StoreTrustView> {
    let view = kepil.store_view(link.store_base()).await;
    if confirm && view.standing == Standing::Unknown {
        lock(&kepil.confirmed_stores).insert(view.host.clone());
    }
    let confirmed = lock(&kepil.confirmed_stores).contains(&view.host);
    view.check(confirmed)?;
    Ok(StoreTrustView {
        standing: match view.standing {
            Standing::Trusted => "trusted",
            Standing::Local => "local",
            Standing::Unknown | Standing::Refused => "confirmed",
        },
        host: view.host,
        name: view.name,
        idn: view.idn,
    })
}

#[tauri::command]
pub async fn receive_open(
    kepil: State<'_, Kepil>,
    link: String,
    confirm_store: Option<bool>,
) -> UiResult<ReceiveInfo> {
    let link = Link::parse(&link)?;
    let store_view = checked_store(&kepil, &link, confirm_store == Some(true)).await?;
    let (_, info) = receive::lookup(&link).await?;
    Ok(ReceiveInfo {
        grant_id: info.grant_id.clone(),
        classification: info.classification.as_str().to_string(),
        size: info.size,
        expires_at: rfc3339(info.expires_at),
        store: link.store_base().to_string(),
        local: link.is_loopback_http(),
        requires_password: info.classification.requires_password(),
        store_view,
    })
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ManifestFile {
    /// The name in the package, the sender's: for the save itself.
    pub name: String,
    /// The name as it will be saved (sanitised), its bidirectional and invisible characters
    /// written out as `<U+XXXX>`: what the screen shows.
    pub shown: String,
    pub size: u64,
    /// `program`, `macro` or `disk_image` when opening it can run code.
    #[ts(type = "\"program\" | \"macro\" | \"disk_image\" | null")]
    pub danger: Option<&'static str>,
}

/// Who uploaded the package as the store knows them (after a valid proof).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedSender {
    pub email: String,
    pub name: Option<String>,
    /// The account of a service (machine) token, not a person who signed in.
    pub service_token: bool,
}

/// The store's word next to the package's (kepil-client's `receive::Trust`).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Trust")]
pub struct TrustView {
    /// The store that vouches, as `host` or `host:port`.
    pub store: String,
    /// `None`: the store did not say who uploaded; the sender is only the package's claim.
    pub verified_sender: Option<VerifiedSender>,
    #[ts(type = "\"matches\" | \"differs\" | \"unverified\"")]
    pub sender_check: &'static str,
    pub sealed_classification: String,
    pub declared_classification: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Manifest")]
pub struct ManifestView {
    /// What to handle the files as: the higher of the sealed and the store's classification.
    pub classification: String,
    /// The package's claim, shown with its hidden characters written out.
    pub sender: String,
    pub subject: String,
    pub message: String,
    pub created_at: String,
    pub expires_at: String,
    pub files: Vec<ManifestFile>,
    /// What the sender's Kepil sealed about its scan (the sender's word); `null`: the sender
    /// did not scan.
    pub sender_scan: Option<ScanView>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Unlocked")]
pub struct UnlockedView {
    pub job_id: String,
    pub downloads_left: u32,
    pub manifest: ManifestView,
    pub trust: TrustView,
    /// What the recipient should weigh before saving (`sender_differs`, `sender_unverified`,
    /// `classification_differs`, `dangerous_file`), as `{code, params}` for the catalogue.
    pub warnings: Vec<UiError>,
    /// Whether this computer scans the files before they are saved.
    pub local_scan: LocalScanView,
}

#[tauri::command]
pub async fn receive_unlock(
    kepil: State<'_, Kepil>,
    link: String,
    password: Option<String>,
    on_event: Channel<JobEvent<ReceiveDone>>,
) -> UiResult<UnlockedView> {
    let link = Link::parse(&link)?;
    // The webview cannot skip the question: the store must stand as receive_open left it.
    checked_store(&kepil, &link, false).await?;
    let password = match password.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Some(Password::parse(p)?),
        None => None,
    };
    // A new unlock discards whatever the previous one held.
    lock(&kepil.receive).take();
    // A required scanner that is missing or stale refuses before the proof counts a download.
    let scanning = scanning::prepare(&kepil, Direction::Receive).await?;
    let job_id = kepil.next_id("r");
    // Key derivation and the manifest report here; the download and the saving report on
    // `receive_save`'s channel once it takes over.
    let events = JobChannel::new(job_id.clone(), on_event);
    let progress = events.progress();
    let cancel = Cancel::new();
    let unlocked = receive::unlock(&link, password.as_ref(), &progress).await?;
    let downloads_left = unlocked.downloads_left();
    let incoming = unlocked.open(progress, cancel.clone()).await?;
    let m = incoming.manifest();
    let trust = incoming.trust();
    let view = UnlockedView {
        job_id: job_id.clone(),
        downloads_left,
        manifest: ManifestView {
            classification: trust.classification().as_str().to_string(),
            sender: text::visible(&m.sender),
            subject: m.subject.clone(),
            message: m.message.clone(),
            created_at: rfc3339(m.created_at),
            expires_at: rfc3339(m.expires_at),
            files: m
                .files
                .iter()
                .map(|f| ManifestFile {
                    name: f.name.clone(),
                    shown: text::visible(&filename::sanitize(&f.name)),
                    size: f.size,
                    danger: filename::danger(&f.name).map(|d| d.kind()),
                })
                .collect(),
            sender_scan: m.scan.as_ref().map(ScanView::sealed),
        },
        trust: TrustView {
            store: trust.store.clone(),
            verified_sender: trust.verified_sender.as_ref().map(|id| VerifiedSender {
                email: id.email.clone(),
                name: id.name.clone(),
                service_token: trust.is_service_token(),
            }),
            sender_check: match trust.sender_check() {
                SenderCheck::Matches => "matches",
                SenderCheck::Differs => "differs",
                SenderCheck::Unverified => "unverified",
            },
            sealed_classification: trust.sealed_classification.as_str().to_string(),
            declared_classification: trust.declared_classification.as_str().to_string(),
        },
        warnings: incoming.warnings().iter().map(UiError::coded).collect(),
        local_scan: LocalScanView::of(&scanning),
    };
    *lock(&kepil.receive) = Some(ReceiveSession {
        job_id,
        cancel,
        incoming: Some(incoming),
        events,
        scanning,
    });
    Ok(view)
}

/// A folder chosen in the native dialog: the webview names it by `id` only, and shows `path`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PickedFolder {
    pub id: String,
    pub path: String,
}

#[tauri::command]
pub async fn pick_folder(kepil: State<'_, Kepil>) -> UiResult<Option<PickedFolder>> {
    let desktop = kepil.desktop.clone();
    let folder = tauri::async_runtime::spawn_blocking(move || desktop.pick_folder())
        .await
        .map_err(|_| UiError::new("dialog_failed"))?;
    Ok(folder.map(|path| {
        let id = kepil.next_id("d");
        let shown = path.to_string_lossy().into_owned();
        lock(&kepil.folders).insert(id.clone(), path);
        PickedFolder { id, path: shown }
    }))
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReceiveDone {
    pub job_id: String,
    /// For `open_folder`.
    pub folder_id: String,
    /// Shown to the person.
    pub folder: String,
    pub files: Vec<ManifestFile>,
}

#[tauri::command]
pub async fn receive_save<R: Runtime>(
    app: AppHandle<R>,
    kepil: State<'_, Kepil>,
    folder_id: String,
    on_event: Channel<JobEvent<ReceiveDone>>,
) -> UiResult<String> {
    // Only a folder the person chose in the native dialog: a page that names a path of its
    // own choosing cannot make the app write there.
    let folder = lock(&kepil.folders)
        .get(&folder_id)
        .cloned()
        .ok_or_else(|| UiError::new("unknown_folder"))?;
    let (job_id, incoming, events, scanning) = {
        let mut session = lock(&kepil.receive);
        let s = session
            .as_mut()
            .ok_or_else(|| UiError::new("nothing_unlocked"))?;
        let incoming = s
            .incoming
            .take()
            .ok_or_else(|| UiError::new("nothing_unlocked"))?;
        s.events.redirect(on_event);
        (
            s.job_id.clone(),
            incoming,
            s.events.clone(),
            s.scanning.clone(),
        )
    };
    let id = job_id.clone();
    tauri::async_runtime::spawn(async move {
        let result = incoming.save(&folder, &scanning).await;
        let kepil = app.state::<Kepil>();
        match result {
            Ok(saved) => {
                lock(&kepil.saved_folders).insert(folder_id.clone());
                events.done(ReceiveDone {
                    job_id: id,
                    folder_id,
                    folder: folder.to_string_lossy().into_owned(),
                    files: saved
                        .iter()
                        .map(|f| {
                            let name = f
                                .path
                                .file_name()
                                .map(|n| n.to_string_lossy().into_owned())
                                .unwrap_or_else(|| f.name.clone());
                            ManifestFile {
                                shown: text::visible(&name),
                                danger: filename::danger(&name).map(|d| d.kind()),
                                name,
                                size: f.size,
                            }
                        })
                        .collect(),
                });
            }
            Err(e) => events.failed(e.into()),
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
pub async fn open_folder(kepil: State<'_, Kepil>, folder_id: String) -> UiResult<()> {
    let folder = lock(&kepil.folders).get(&folder_id).cloned();
    let folder = match folder {
        Some(f) if lock(&kepil.saved_folders).contains(&folder_id) && f.is_dir() => f,
        _ => return Err(UiError::new("open_failed")),
    };
    kepil.desktop.open_folder(&folder).map_err(|e| {
        tracing::warn!("open folder: {e}");
        UiError::new("open_failed")
    })
}
