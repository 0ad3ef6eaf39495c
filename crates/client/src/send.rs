//! Sending: check, derive, encrypt and upload one transfer, pipelined and resumable.
//!
//! The encryptor thread hands the age file to the uploader in 1 MiB pieces through a bounded
//! channel, checksumming it on the way (the store completes the upload only when that
//! whole-blob [`BlobChecksum`] matches). Encryption and upload overlap and memory stays
//! constant whatever the size; nothing but a small journal touches the disk.
//!
//! Resuming needs no copy of the ciphertext: the age file's bytes are fixed by its header,
//! file key and payload nonce ([`package::StreamKeys`]) and the manifest, so a resumed run
//! encrypts the same files again and sends only what the store does not have. The file key,
//! nonce and manifest are kept in the secret store (with the links and passwords) and the
//! header and file fingerprints in the journal, from before the first byte is uploaded until
//! the upload completes or is abandoned. An in-run retry after a cut resends from the last
//! 16 MiB kept in memory, or encrypts again from the start when the store lost more. A file
//! that changed in between is caught (fingerprints first, then the store's whole-blob hash)
//! and the transfer is cancelled with a clear error. See `docs/cli.md`.

use std::collections::VecDeque;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use bytes::Bytes;
use kepil_core::classification::Classification;
use kepil_core::kdf::{self, GrantInput, KdfParams, LinkSecret};
use kepil_core::link::Link;
use kepil_core::package::{self, Details, Plan, StreamKeys};
use kepil_core::password::Password;
use kepil_protocol::{BlobChecksum, CreateTransfer, ErrorCode, GrantSpec, StorePolicy};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tokio::sync::{Mutex, mpsc};
use url::Url;

use crate::SecretString;
use crate::api::StoreClient;
use crate::bearer::{Bearer, CallError, is_refusal};
use crate::error::{NetError, SendError};
use crate::history::{History, HistoryEntry, HistoryRecipient};
use crate::manage::owner_token_key;
use crate::progress::{Cancel, Phase, ProgressEvent, ProgressFn};
use crate::scan::{ScanInspection, ScanSetup, ScanStop, Scanner, Scanning};
use crate::secrets::SecretStore;
use crate::settings::Dirs;
use crate::system_policy::SystemPolicy;

/// The ciphertext moves from the encryptor to the uploader in pieces this large, aligned on
/// multiples of it from the start of the blob.
const PIECE: usize = 1 << 20;
/// Pieces in flight between the encryptor and the uploader.
const PIPE_PIECES: usize = 8;
/// The most recently encrypted ciphertext kept in memory, so that an in-run retry can resend
/// what a cut connection lost (socket and proxy buffers) without encrypting from the start.
const REPLAY_BYTES: u64 = 16 << 20;
/// The first PATCH, and the bounds of the adaptive PATCH size.
const MIN_PATCH: u64 = 8 << 20;
const MAX_PATCH: u64 = 1 << 30;
/// A PATCH is sized to take about this long at the speed measured so far: long enough that
/// per-request costs vanish on a fast network, short enough that reqwest's read timeout
/// (which also runs while a request body is being sent) never fires on a slow one.
const PATCH_SECS: f64 = 8.0;
/// Attempts for one stretch of upload before giving up (the journal stays for `--resume`).
const MAX_ATTEMPTS: u32 = 8;

/// What to send.
#[derive(Debug, Clone)]
pub struct SendRequest {
    pub files: Vec<PathBuf>,
    pub classification: Classification,
    /// One grant (link + password) per recipient; usually email addresses.
    pub recipients: Vec<String>,
    /// `None`: the store's default for the classification.
    pub expires_in: Option<Duration>,
    /// `None`: the store's default.
    pub max_downloads: Option<u32>,
    pub subject: String,
    pub message: String,
    pub sender: String,
}

/// Everything a send or a resume works with.
#[derive(Clone)]
pub struct SendContext {
    pub client: StoreClient,
    /// The uploader: a machine token or a signed-in session (`Bearer::resolve`).
    pub token: Bearer,
    pub dirs: Dirs,
    pub secrets: Arc<SecretStore>,
    pub progress: ProgressFn,
    pub cancel: Cancel,
    /// Whether and by what every file is scanned for malware as it is encrypted.
    pub scan: ScanSetup,
    /// This desktop's system policy: its caps narrow the store's policy for every send.
    pub system_policy: SystemPolicy,
}

impl std::fmt::Debug for SendContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendContext")
            .field("store", &self.client.base().as_str())
            .field("dirs", &self.dirs)
            .field("scan", &self.scan)
            .finish_non_exhaustive()
    }
}

/// A finished send: what the sender hands to each recipient (link by email, password by
/// another channel).
#[derive(Debug, Clone)]
pub struct Sent {
    pub transfer_id: String,
    pub expires_at: OffsetDateTime,
    pub recipients: Vec<SentRecipient>,
    /// The scan sealed in the package (every file clean), or `None`: not scanned.
    pub scan: Option<package::SenderScan>,
}

#[derive(Debug, Clone)]
pub struct SentRecipient {
    pub recipient: String,
    pub grant_id: String,
    /// `https://STORE/t/GRANT#SECRET`.
    pub link: SecretString,
    /// `None` for TERBUKA (link only).
    pub password: Option<SecretString>,
}

/// Non-secret state of an unfinished upload, `spool/<transfer>.json` (0600).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    pub transfer_id: String,
    pub store: String,
    pub upload_url: String,
    pub size: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// The files in payload order, as they were when the send started.
    pub files: Vec<JournalFile>,
    /// The age header, base64url (public: it is the first bytes of the blob).
    pub header: String,
}

/// What tells a file apart from a later version of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalFile {
    pub path: PathBuf,
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub modified_ns: Option<u128>,
    /// Unix only: status-change time (nanoseconds) and inode; a program cannot set the former
    /// back, so an edit that restores the modification time is still seen.
    pub changed_ns: Option<i128>,
    pub inode: Option<u64>,
}

impl JournalFile {
    fn of(path: &std::path::Path) -> std::io::Result<JournalFile> {
        let meta = std::fs::metadata(path)?;
        let modified_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_nanos());
        #[cfg(unix)]
        let (changed_ns, inode) = {
            use std::os::unix::fs::MetadataExt;
            (
                Some(i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec())),
                Some(meta.ino()),
            )
        };
        #[cfg(not(unix))]
        let (changed_ns, inode) = (None, None);
        Ok(JournalFile {
            path: path.to_path_buf(),
            size: meta.len(),
            modified_ns,
            changed_ns,
            inode,
        })
    }
}

/// The links and passwords of an unfinished send, kept in the secret store only until the
/// resumed run has shown them.
#[derive(Serialize, Deserialize)]
struct Pending {
    recipients: Vec<PendingRecipient>,
    /// What re-creates the ciphertext: base64url of the age file key, payload nonce and the
    /// manifest JSON (subject, message and file names are as confidential as the files).
    file_key: String,
    nonce: String,
    manifest: String,
}

impl Drop for Pending {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.file_key.zeroize();
        self.manifest.zeroize();
    }
}

#[derive(Serialize, Deserialize)]
struct PendingRecipient {
    recipient: String,
    grant_id: String,
    link: String,
    password: Option<String>,
}

impl Drop for PendingRecipient {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.link.zeroize();
        if let Some(p) = self.password.as_mut() {
            p.zeroize();
        }
    }
}

fn pending_key(transfer_id: &str) -> String {
    format!("pending:{transfer_id}")
}

fn journal_path(dirs: &Dirs, transfer_id: &str) -> PathBuf {
    dirs.spool_dir().join(format!("{transfer_id}.json"))
}

fn save_journal(dirs: &Dirs, journal: &Journal) -> Result<(), SendError> {
    let path = journal_path(dirs, &journal.transfer_id);
    let bytes = serde_json::to_vec_pretty(journal).expect("journal serialises");
    crate::write_private(&path, &bytes).map_err(|e| SendError::Spool { path, source: e })
}

/// Unfinished uploads of this user, oldest first.
pub fn pending_uploads(dirs: &Dirs) -> Vec<Journal> {
    let mut found: Vec<Journal> = std::fs::read_dir(dirs.spool_dir())
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|e| serde_json::from_slice(&std::fs::read(e.path()).ok()?).ok())
        .collect();
    found.sort_by_key(|j: &Journal| j.expires_at);
    found
}

/// Removes the journal of a transfer (revoked, or abandoned by the user). The secrets that
/// go with it are removed by [`abandon`] or when the upload completes.
pub fn discard_journal(dirs: &Dirs, transfer_id: &str) {
    let _ = std::fs::remove_file(journal_path(dirs, transfer_id));
    // A spool left by an earlier version of Kepil.
    let _ = std::fs::remove_file(dirs.spool_dir().join(format!("{transfer_id}.age")));
}

/// Removes what interrupted sends left behind whose transfers expired by `now` (their journals
/// and the links, passwords and keys kept for a resume): no resume can finish them. Answers how
/// many.
pub fn discard_expired(dirs: &Dirs, secrets: &SecretStore, now: OffsetDateTime) -> usize {
    let mut discarded = 0;
    for journal in pending_uploads(dirs) {
        if journal.expires_at <= now {
            discard_journal(dirs, &journal.transfer_id);
            if let Err(e) = secrets.delete(&pending_key(&journal.transfer_id)) {
                tracing::warn!("an expired unfinished send's secrets stay for now: {e}");
            }
            discarded += 1;
        }
    }
    discarded
}

/// The sender gives an interrupted upload up (the app's "Give up"): the store drops the upload,
/// and the journal, keys, links, passwords, owner token and history entry go, since the
/// transfer never reached anyone.
pub async fn give_up(ctx: &SendContext, journal: &Journal) -> Result<(), SendError> {
    let upload_url = Url::parse(&journal.upload_url).map_err(|_| SendError::ResumeImpossible {
        transfer_id: journal.transfer_id.clone(),
        reason: "the journal is damaged".into(),
    })?;
    abandon(ctx, &upload_url, &journal.transfer_id).await;
    History::open(&ctx.dirs).remove(&journal.transfer_id)?;
    ctx.secrets.delete(&owner_token_key(&journal.transfer_id))?;
    Ok(())
}

/// Gives an unfinished upload up: the store drops it, and its journal, file key and pending
/// links and passwords are deleted.
async fn abandon(ctx: &SendContext, upload_url: &Url, transfer_id: &str) {
    if let Ok(token) = ctx.token.current().await {
        let _ = ctx.client.upload_terminate(&token, upload_url).await;
    }
    discard_journal(&ctx.dirs, transfer_id);
    let _ = ctx.secrets.delete(&pending_key(transfer_id));
}

fn scanner_of(scanning: &Scanning) -> Option<Arc<dyn Scanner>> {
    match scanning {
        Scanning::On { scanner, .. } => Some(scanner.clone()),
        Scanning::Off(_) => None,
    }
}

/// Checks the request against the store's policy without reading any file. Fails closed:
/// nothing is shortened or lowered to fit.
pub fn check_policy(request: &SendRequest, policy: &StorePolicy) -> Result<u64, SendError> {
    let class = policy
        .classifications
        .iter()
        .find(|c| c.classification == request.classification)
        .ok_or_else(|| SendError::ClassificationNotAccepted {
            classification: request.classification.as_str().to_string(),
        })?;
    let expires_secs = match request.expires_in {
        Some(d) => d.as_secs(),
        None => class.default_expiry_secs,
    };
    if expires_secs > class.max_expiry_secs {
        return Err(SendError::ExpiryTooLong {
            requested_secs: expires_secs,
            limit_secs: class.max_expiry_secs,
        });
    }
    if let Some(n) = request.max_downloads
        && (n > policy.max_downloads || n == 0)
    {
        return Err(SendError::TooManyDownloads {
            requested: n,
            limit: policy.max_downloads,
        });
    }
    Ok(expires_secs)
}

/// The key-derivation parameters: the default, raised to the store's floor where it is higher.
fn kdf_params(policy: &StorePolicy) -> KdfParams {
    let d = KdfParams::DEFAULT;
    let f = &policy.kdf_floor;
    KdfParams {
        version: d.version,
        m_kib: d.m_kib.max(f.m_kib),
        t: d.t.max(f.t),
        p: d.p.max(f.p),
    }
}

fn new_transfer_id() -> String {
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    kepil_protocol::b64_encode(&bytes)
}

fn map_create_error(error: NetError) -> SendError {
    let limit = error.api().and_then(|a| a.limit);
    match error.api_code() {
        Some(ErrorCode::Unauthorized) => SendError::Unauthorized,
        Some(ErrorCode::QuotaExceeded) => SendError::QuotaExceeded { limit },
        Some(ErrorCode::ExpiryTooLong) => SendError::ExpiryTooLong {
            requested_secs: 0,
            limit_secs: limit.unwrap_or(0),
        },
        Some(ErrorCode::TooManyDownloads) => SendError::TooManyDownloads {
            requested: 0,
            limit: limit.unwrap_or(0) as u32,
        },
        Some(ErrorCode::TooLarge) => SendError::TooLarge {
            size: 0,
            limit: limit.unwrap_or(0),
        },
        _ => SendError::Store(error),
    }
}

/// Sends one transfer: one grant per recipient, each with its own link and password.
pub async fn send(ctx: &SendContext, request: SendRequest) -> Result<Sent, SendError> {
    if request.files.is_empty() {
        return Err(SendError::NoFiles);
    }
    if request.recipients.is_empty() {
        return Err(SendError::NoRecipients);
    }
    for (i, r) in request.recipients.iter().enumerate() {
        if request.recipients[..i]
            .iter()
            .any(|o| o.eq_ignore_ascii_case(r))
        {
            return Err(SendError::DuplicateRecipient(r.clone()));
        }
    }
    // Before a single byte of any file is read or anything reaches the network.
    request.classification.check_sendable()?;
    // A required scanner that is missing, stopped or stale refuses before any file is read.
    let scanning = ctx.scan.prepare_now().await.map_err(SendError::Scan)?;

    let policy = ctx
        .system_policy
        .narrow(&ctx.client.policy().await.map_err(SendError::Store)?);
    // Before the key derivation and the upload the store would refuse anyway.
    if policy.sign_in_required && ctx.token.session().is_none() {
        return Err(SendError::SignInRequired);
    }
    let expires_secs = check_policy(&request, &policy)?;

    let now = OffsetDateTime::now_utc();
    let details = Details {
        classification: request.classification,
        sender: request.sender.clone(),
        subject: request.subject.clone(),
        message: request.message.clone(),
        created_at: now,
        expires_at: now + time::Duration::seconds(expires_secs as i64),
        scan: scanning.engine().map(|e| e.sealed(now)),
    };
    let plan = Plan::new(details, &request.files).map_err(SendError::Files)?;
    let size = plan.encrypted_len(request.recipients.len());
    if size > policy.max_blob_size {
        return Err(SendError::TooLarge {
            size,
            limit: policy.max_blob_size,
        });
    }

    let params = kdf_params(&policy);
    params.check()?;
    let transfer_id = new_transfer_id();
    let secrets: Vec<LinkSecret> = request
        .recipients
        .iter()
        .map(|_| LinkSecret::generate())
        .collect();
    let passwords: Vec<Option<Password>> = request
        .recipients
        .iter()
        .map(|_| {
            request
                .classification
                .requires_password()
                .then(Password::generate)
        })
        .collect();

    let n = request.recipients.len() as u64;
    (ctx.progress)(ProgressEvent {
        phase: Phase::Deriving,
        done: 0,
        total: n,
    });
    let keys = {
        let (secrets, passwords, tid) = (secrets.clone(), passwords.clone(), transfer_id.clone());
        tokio::task::spawn_blocking(move || {
            let inputs: Vec<GrantInput<'_>> = secrets
                .iter()
                .zip(&passwords)
                .map(|(secret, password)| GrantInput {
                    password: password.as_ref(),
                    secret,
                })
                .collect();
            kdf::derive_many(&inputs, &tid, &params)
        })
        .await
        .expect("key derivation thread")?
    };
    (ctx.progress)(ProgressEvent {
        phase: Phase::Deriving,
        done: n,
        total: n,
    });
    if ctx.cancel.is_cancelled() {
        return Err(SendError::Cancelled);
    }

    let create = CreateTransfer {
        transfer_id: transfer_id.clone(),
        classification: request.classification,
        size,
        expires_in_secs: expires_secs,
        grants: request
            .recipients
            .iter()
            .zip(&keys)
            .map(|(label, k)| GrantSpec {
                label: label.clone(),
                auth_key: k.auth_key.to_base64url().expose().to_string(),
                kdf: params,
                // Always named: the store's own default may exceed this desktop's cap.
                max_downloads: Some(
                    request
                        .max_downloads
                        .unwrap_or(policy.default_max_downloads),
                ),
                // So that only the holder of the whole link can burn this grant's tries.
                link_key: Some(k.link_key.to_base64url().expose().to_string()),
                // So that only the holder of the whole link learns anything of this grant.
                open_key: Some(k.open_key.to_base64url().expose().to_string()),
            })
            .collect(),
    };
    let created = ctx
        .token
        .call(|token| {
            let create = &create;
            async move { ctx.client.create_transfer(&token, create).await }
        })
        .await
        .map_err(|e| match e {
            CallError::Session(e) => SendError::Session(e),
            CallError::Net(e) => map_create_error(e),
        })
        .map_err(|e| match e {
            SendError::ExpiryTooLong { limit_secs, .. } => SendError::ExpiryTooLong {
                requested_secs: expires_secs,
                limit_secs,
            },
            SendError::TooManyDownloads { limit, .. } => SendError::TooManyDownloads {
                requested: request.max_downloads.unwrap_or(0),
                limit,
            },
            SendError::TooLarge { limit, .. } => SendError::TooLarge { size, limit },
            other => other,
        })?;
    if created.transfer_id != transfer_id || created.grants.len() != keys.len() {
        return Err(SendError::Store(NetError::Protocol(
            "the store answered for another transfer".into(),
        )));
    }

    let link_base = crate::settings::parse_store_url(&policy.public_url)
        .unwrap_or_else(|_| ctx.client.base().clone());
    let mut recipients = Vec::with_capacity(keys.len());
    for ((grant, secret), password) in created.grants.iter().zip(&secrets).zip(&passwords) {
        let link = Link::new(link_base.clone(), &grant.grant_id, secret.clone()).map_err(|_| {
            SendError::Store(NetError::Protocol(
                "the store issued an invalid grant id".into(),
            ))
        })?;
        recipients.push(SentRecipient {
            recipient: grant.label.clone(),
            grant_id: grant.grant_id.clone(),
            link: SecretString::new(link.to_https().expose()),
            password: password.as_ref().map(|p| SecretString::new(p.expose())),
        });
    }
    let sent = Sent {
        transfer_id: transfer_id.clone(),
        expires_at: created.expires_at,
        recipients,
        scan: plan.manifest().scan.clone(),
    };

    let recipients_age: Vec<age::x25519::Recipient> = keys.iter().map(|k| k.recipient()).collect();
    drop(keys);
    let stream = package::stream_keys(&recipients_age).map_err(SendError::Encrypt)?;
    if stream.encrypted_len(plan.payload_len()) != size {
        return Err(SendError::Encrypt(package::EncryptError::Internal {
            detail: "the age header length differs from the announced one".into(),
        }));
    }
    let files = plan
        .paths()
        .map(|p| {
            JournalFile::of(p).map_err(|e| {
                SendError::Encrypt(package::EncryptError::Io {
                    path: p.to_path_buf(),
                    source: e,
                })
            })
        })
        .collect::<Result<Vec<_>, _>>()?;

    // Owner token, links and passwords, and what re-creates the ciphertext go to the secret
    // store before the first byte is uploaded, so a killed run can still be resumed and the
    // transfer still revoked.
    ctx.secrets.set(
        &owner_token_key(&transfer_id),
        &SecretString::new(created.owner_token.clone()),
    )?;
    save_pending(ctx, &sent, &stream, &plan)?;
    History::open(&ctx.dirs).record(HistoryEntry {
        transfer_id: transfer_id.clone(),
        store: ctx.client.base().as_str().to_string(),
        classification: request.classification.as_str().to_string(),
        size,
        created_at: now,
        expires_at: created.expires_at,
        recipients: created
            .grants
            .iter()
            .map(|g| HistoryRecipient {
                label: g.label.clone(),
                grant_id: g.grant_id.clone(),
                delivery: Default::default(),
            })
            .collect(),
        subject: request.subject.clone(),
        files: request
            .files
            .iter()
            .map(|p| {
                p.file_name().map_or_else(
                    || p.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                )
            })
            .collect(),
        handover: false,
    })?;
    let upload_url = resolve_upload_url(ctx.client.base(), &created.upload_url)?;
    let journal = Journal {
        transfer_id: transfer_id.clone(),
        store: ctx.client.base().as_str().to_string(),
        upload_url: upload_url.to_string(),
        size,
        expires_at: created.expires_at,
        files,
        header: B64.encode(stream.header()),
    };
    crate::private_dir(&ctx.dirs.spool_dir()).map_err(|e| SendError::Spool {
        path: ctx.dirs.spool_dir(),
        source: e,
    })?;
    save_journal(&ctx.dirs, &journal)?;

    let source = Source::new(ctx, Arc::new(plan), Arc::new(stream), scanner_of(&scanning));
    match upload(ctx, source, &upload_url, size, 0, &transfer_id).await {
        Ok(()) => {
            finish(ctx, &journal);
            Ok(sent)
        }
        Err(e) => Err(after_failure(ctx, &upload_url, &transfer_id, e).await),
    }
}

/// An upload that stopped: a network failure keeps the journal for `--resume`; anything that
/// can never complete the same ciphertext (unreadable or changed files, cancel) abandons the
/// transfer rather than leave a half-uploaded blob nobody can finish.
async fn after_failure(
    ctx: &SendContext,
    upload_url: &Url,
    transfer_id: &str,
    error: SendError,
) -> SendError {
    if matches!(
        error,
        SendError::Encrypt(_)
            | SendError::Cancelled
            | SendError::FilesChanged { .. }
            | SendError::Infected { .. }
            | SendError::Scan(_)
    ) {
        abandon(ctx, upload_url, transfer_id).await;
    }
    if matches!(error, SendError::Infected { .. } | SendError::Scan(_)) {
        // Nothing reached anyone: the transfer is not one the sender sent or can manage.
        let _ = History::open(&ctx.dirs).remove(transfer_id);
        let _ = ctx.secrets.delete(&owner_token_key(transfer_id));
    }
    error
}

/// Resumes an upload whose process died or gave up: encrypts the same files again with the
/// saved keys, sends only what the store does not have, then answers the same links and
/// passwords the first run would have shown.
pub async fn resume(ctx: &SendContext, journal: &Journal) -> Result<Sent, SendError> {
    let tid = journal.transfer_id.clone();
    let impossible = |reason: &str| SendError::ResumeImpossible {
        transfer_id: tid.clone(),
        reason: reason.to_string(),
    };
    let pending = load_pending(ctx, &tid)?
        .ok_or_else(|| impossible("its links, passwords and key are no longer stored"))?;
    let upload_url =
        Url::parse(&journal.upload_url).map_err(|_| impossible("the journal is damaged"))?;
    let changed = |path: &std::path::Path| SendError::FilesChanged {
        transfer_id: tid.clone(),
        path: path.to_path_buf(),
    };
    // A changed file would make a different ciphertext under the same key: refuse before
    // a single byte is encrypted again.
    for f in &journal.files {
        if JournalFile::of(&f.path).ok().as_ref() != Some(f) {
            let error = changed(&f.path);
            abandon(ctx, &upload_url, &tid).await;
            return Err(error);
        }
    }
    let decode = |text: &str| B64.decode(text).ok();
    let file_key: [u8; 16] = decode(&pending.file_key)
        .and_then(|k| <[u8; 16]>::try_from(k.as_slice()).ok())
        .ok_or_else(|| impossible("its stored key is damaged"))?;
    let nonce: [u8; 16] = decode(&pending.nonce)
        .and_then(|k| <[u8; 16]>::try_from(k.as_slice()).ok())
        .ok_or_else(|| impossible("its stored key is damaged"))?;
    let header = decode(&journal.header).ok_or_else(|| impossible("the journal is damaged"))?;
    let manifest = zeroize::Zeroizing::new(
        decode(&pending.manifest).ok_or_else(|| impossible("its stored manifest is damaged"))?,
    );
    let stream =
        StreamKeys::from_parts(file_key, nonce, header).map_err(|e| impossible(&e.to_string()))?;
    let paths: Vec<PathBuf> = journal.files.iter().map(|f| f.path.clone()).collect();
    let plan = match Plan::from_manifest_json(&manifest, &paths) {
        Ok(plan) => plan,
        Err(package::EncryptError::FileChanged { path, .. }) => {
            abandon(ctx, &upload_url, &tid).await;
            return Err(changed(&path));
        }
        Err(e) => return Err(SendError::Encrypt(e)),
    };
    if stream.encrypted_len(plan.payload_len()) != journal.size {
        return Err(impossible("the journal does not match its key"));
    }
    // The resumed run reads every file again; it scans them again too. A package whose
    // manifest says it was scanned is only completed after a clean scan now.
    let setup = ScanSetup {
        required: ctx.scan.required || plan.manifest().scan.is_some(),
        ..ctx.scan.clone()
    };
    let scanning = setup.prepare_now().await.map_err(SendError::Scan)?;
    let offset = with_retries(ctx, &tid, |token| {
        let upload_url = &upload_url;
        async move { ctx.client.upload_offset(&token, upload_url).await }
    })
    .await?;
    let scan = plan.manifest().scan.clone();
    let source = Source::new(ctx, Arc::new(plan), Arc::new(stream), scanner_of(&scanning));
    if let Err(e) = upload(ctx, source, &upload_url, journal.size, offset, &tid).await {
        return Err(after_failure(ctx, &upload_url, &tid, e).await);
    }
    let sent = Sent {
        transfer_id: tid.clone(),
        expires_at: journal.expires_at,
        recipients: pending
            .recipients
            .iter()
            .map(|r| SentRecipient {
                recipient: r.recipient.clone(),
                grant_id: r.grant_id.clone(),
                link: SecretString::new(r.link.clone()),
                password: r.password.clone().map(SecretString::new),
            })
            .collect(),
        scan,
    };
    finish(ctx, journal);
    Ok(sent)
}

/// The upload is complete: nothing of it needs to stay on this computer but the history entry
/// and the owner token.
fn finish(ctx: &SendContext, journal: &Journal) {
    discard_journal(&ctx.dirs, &journal.transfer_id);
    let _ = ctx.secrets.delete(&pending_key(&journal.transfer_id));
}

fn save_pending(
    ctx: &SendContext,
    sent: &Sent,
    stream: &StreamKeys,
    plan: &Plan,
) -> Result<(), SendError> {
    let pending = Pending {
        file_key: B64.encode(stream.expose_file_key()),
        nonce: B64.encode(stream.nonce()),
        manifest: B64.encode(plan.manifest_json()),
        recipients: sent
            .recipients
            .iter()
            .map(|r| PendingRecipient {
                recipient: r.recipient.clone(),
                grant_id: r.grant_id.clone(),
                link: r.link.expose().to_string(),
                password: r.password.as_ref().map(|p| p.expose().to_string()),
            })
            .collect(),
    };
    let text = SecretString::new(serde_json::to_string(&pending).expect("pending serialises"));
    ctx.secrets.set(&pending_key(&sent.transfer_id), &text)?;
    Ok(())
}

fn load_pending(ctx: &SendContext, transfer_id: &str) -> Result<Option<Pending>, SendError> {
    Ok(ctx
        .secrets
        .get(&pending_key(transfer_id))?
        .and_then(|text| serde_json::from_str(text.expose()).ok()))
}

fn resolve_upload_url(base: &Url, upload_url: &str) -> Result<Url, SendError> {
    base.join(upload_url).map_err(|_| {
        SendError::Store(NetError::Protocol(
            "the store's upload URL is invalid".into(),
        ))
    })
}

/// What the encryptor thread hands to the uploader.
enum Feed {
    /// Ciphertext starting at this blob offset (a multiple of [`PIECE`]).
    Piece(u64, Bytes),
    /// The whole blob was produced; its checksum.
    Done(u64),
}

/// The encryptor's output: cut into pieces for the uploader and checksummed, once, on the way.
/// Pieces that end at or before `skip_below` (the store has them) are checksummed but not sent.
struct PieceSink {
    tx: mpsc::Sender<Feed>,
    buf: Vec<u8>,
    start: u64,
    skip_below: u64,
    hasher: BlobChecksum,
}

impl PieceSink {
    fn emit(&mut self) -> std::io::Result<()> {
        let len = self.buf.len() as u64;
        if self.start + len > self.skip_below {
            let piece = std::mem::replace(&mut self.buf, Vec::with_capacity(PIECE));
            self.tx
                .blocking_send(Feed::Piece(self.start, Bytes::from(piece)))
                .map_err(|_| std::io::Error::other("the uploader stopped"))?;
        } else {
            self.buf.clear();
        }
        self.start += len;
        Ok(())
    }
}

impl Write for PieceSink {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.hasher.update(data);
        let mut rest = data;
        while !rest.is_empty() {
            let n = (PIECE - self.buf.len()).min(rest.len());
            self.buf.extend_from_slice(&rest[..n]);
            rest = &rest[n..];
            if self.buf.len() == PIECE {
                self.emit()?;
            }
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One run of the encryptor thread, from the start of the blob.
struct Producer {
    rx: mpsc::Receiver<Feed>,
    thread: Option<std::thread::JoinHandle<Result<(), SendError>>>,
}

/// The malware scan riding along an encryptor run, until one run has scanned every file
/// clean (a later run, after a cut, reads the same files again: the whole-blob checksum
/// tells if they changed).
#[derive(Clone)]
struct RunScan {
    scanner: Arc<dyn Scanner>,
    clean: Arc<std::sync::atomic::AtomicBool>,
}

impl Producer {
    fn start(
        plan: Arc<Plan>,
        keys: Arc<StreamKeys>,
        skip_below: u64,
        progress: ProgressFn,
        cancel: Cancel,
        scan: Option<RunScan>,
    ) -> Result<Producer, SendError> {
        let (tx, rx) = mpsc::channel(PIPE_PIECES);
        let thread = std::thread::Builder::new()
            .name("kepil-encrypt".into())
            .spawn(move || {
                let sink = PieceSink {
                    tx,
                    buf: Vec::with_capacity(PIECE),
                    start: 0,
                    skip_below,
                    hasher: BlobChecksum::new(),
                };
                let report_progress = progress.clone();
                let mut report = |p: package::Progress| {
                    report_progress(ProgressEvent {
                        phase: Phase::Encrypting,
                        done: p.done,
                        total: p.total,
                    })
                };
                let scan = scan.filter(|s| !s.clean.load(std::sync::atomic::Ordering::Acquire));
                let mut inspection = scan.as_ref().map(|s| {
                    ScanInspection::new(s.scanner.clone(), plan.manifest().files.len(), progress)
                });
                let encrypted = match inspection.as_mut() {
                    Some(inspector) => package::encrypt_inspected(
                        &plan,
                        &keys,
                        sink,
                        &mut report,
                        &cancel,
                        inspector,
                    ),
                    None => package::encrypt_with(&plan, &keys, sink, &mut report, &cancel),
                };
                let mut sink = match encrypted {
                    Ok(sink) => sink,
                    Err(package::EncryptError::Cancelled) => return Err(SendError::Cancelled),
                    Err(package::EncryptError::Stopped) => {
                        return Err(
                            match inspection.as_mut().and_then(ScanInspection::take_stop) {
                                Some(ScanStop::Found { name, signature }) => {
                                    SendError::Infected { name, signature }
                                }
                                Some(ScanStop::Failed(e)) => SendError::Scan(e),
                                None => SendError::Encrypt(package::EncryptError::Stopped),
                            },
                        );
                    }
                    Err(e) => return Err(SendError::Encrypt(e)),
                };
                if let Some(s) = &scan {
                    s.clean.store(true, std::sync::atomic::Ordering::Release);
                }
                if !sink.buf.is_empty() {
                    sink.emit().map_err(|source| {
                        SendError::Encrypt(package::EncryptError::Write { source })
                    })?;
                }
                let hash = sink.hasher.value();
                // A closed channel means the uploader no longer wants this run.
                let _ = sink.tx.blocking_send(Feed::Done(hash));
                Ok(())
            })
            .map_err(|e| SendError::Encrypt(package::EncryptError::Write { source: e }))?;
        Ok(Producer {
            rx,
            thread: Some(thread),
        })
    }

    /// Why the encryptor stopped before the end of the blob.
    async fn failure(&mut self) -> SendError {
        let Some(thread) = self.thread.take() else {
            return SendError::Cancelled;
        };
        let joined = tokio::task::spawn_blocking(move || thread.join())
            .await
            .expect("encryptor join");
        match joined {
            Ok(Err(e)) => e,
            Ok(Ok(())) => SendError::Encrypt(package::EncryptError::Internal {
                detail: "the encryptor ended without the blob's hash".into(),
            }),
            Err(_) => SendError::Encrypt(package::EncryptError::Internal {
                detail: "the encryptor thread panicked".into(),
            }),
        }
    }
}

/// The ciphertext as the uploader sees it: any offset, from the recent pieces kept in memory
/// or from the encryptor, which is restarted from the start of the blob (skipping what is not
/// needed) when an offset lies behind both.
struct Source {
    plan: Arc<Plan>,
    keys: Arc<StreamKeys>,
    progress: ProgressFn,
    cancel: Cancel,
    scan: Option<RunScan>,
    producer: Option<Producer>,
    /// Blob offset of the next piece the producer will send.
    next: u64,
    recent: VecDeque<(u64, Bytes)>,
    recent_len: u64,
    hash: Option<u64>,
    /// Set when the body stream of a PATCH failed for a reason of ours (not the network).
    failure: Option<SendError>,
}

impl Source {
    fn new(
        ctx: &SendContext,
        plan: Arc<Plan>,
        keys: Arc<StreamKeys>,
        scanner: Option<Arc<dyn Scanner>>,
    ) -> Arc<Mutex<Source>> {
        let mut source = Source::with(plan, keys, ctx.progress.clone(), ctx.cancel.clone());
        source.scan = scanner.map(|scanner| RunScan {
            scanner,
            clean: Arc::default(),
        });
        Arc::new(Mutex::new(source))
    }

    fn with(
        plan: Arc<Plan>,
        keys: Arc<StreamKeys>,
        progress: ProgressFn,
        cancel: Cancel,
    ) -> Source {
        Source {
            plan,
            keys,
            progress,
            cancel,
            scan: None,
            producer: None,
            next: 0,
            recent: VecDeque::new(),
            recent_len: 0,
            hash: None,
            failure: None,
        }
    }

    fn restart(&mut self, from: u64) -> Result<(), SendError> {
        // Dropping the old producer closes its channel; its thread stops at its next piece.
        self.producer = Some(Producer::start(
            self.plan.clone(),
            self.keys.clone(),
            from,
            self.progress.clone(),
            self.cancel.clone(),
            self.scan.clone(),
        )?);
        self.next = from / PIECE as u64 * PIECE as u64;
        self.recent.clear();
        self.recent_len = 0;
        Ok(())
    }

    /// Receives the producer's next message; false once it sent the hash.
    async fn receive(&mut self) -> Result<bool, SendError> {
        let producer = self.producer.as_mut().expect("a producer is running");
        match producer.rx.recv().await {
            Some(Feed::Piece(start, bytes)) => {
                self.next = start + bytes.len() as u64;
                self.recent_len += bytes.len() as u64;
                self.recent.push_back((start, bytes));
                while self.recent_len > REPLAY_BYTES && self.recent.len() > 1 {
                    let (_, old) = self.recent.pop_front().expect("not empty");
                    self.recent_len -= old.len() as u64;
                }
                Ok(true)
            }
            Some(Feed::Done(hash)) => {
                self.hash = Some(hash);
                Ok(false)
            }
            None => Err(producer.failure().await),
        }
    }

    /// Ciphertext from `pos` on (at least one byte, at most one piece).
    async fn bytes_at(&mut self, pos: u64) -> Result<Bytes, SendError> {
        loop {
            if let Some((start, bytes)) = self
                .recent
                .iter()
                .find(|(start, b)| *start <= pos && pos < start + b.len() as u64)
            {
                return Ok(bytes.slice((pos - start) as usize..));
            }
            if self.producer.is_none() || pos < self.next {
                self.restart(pos)?;
            }
            if !self.receive().await? {
                return Err(SendError::Encrypt(package::EncryptError::Internal {
                    detail: format!("the ciphertext ended before offset {pos}"),
                }));
            }
        }
    }

    /// The whole blob's checksum: known once the producer has encrypted everything.
    async fn hash(&mut self, from: u64) -> Result<u64, SendError> {
        if self.producer.is_none() {
            self.restart(from)?;
        }
        while self.hash.is_none() {
            self.receive().await?;
        }
        Ok(self.hash.expect("just received"))
    }
}

/// A PATCH body streaming `[from, end)` of the ciphertext.
fn patch_body(
    source: Arc<Mutex<Source>>,
    from: u64,
    end: u64,
    progress: ProgressFn,
    size: u64,
) -> reqwest::Body {
    let stream = futures_util::stream::unfold(Some(from), move |pos| {
        let source = source.clone();
        let progress = progress.clone();
        async move {
            let pos = pos?;
            if pos >= end {
                return None;
            }
            let mut s = source.lock().await;
            match s.bytes_at(pos).await {
                Ok(mut bytes) => {
                    bytes.truncate(bytes.len().min((end - pos) as usize));
                    let next = pos + bytes.len() as u64;
                    progress(ProgressEvent {
                        phase: Phase::Uploading,
                        done: next,
                        total: size,
                    });
                    Some((Ok::<_, std::io::Error>(bytes), Some(next)))
                }
                Err(e) => {
                    s.failure = Some(e);
                    Some((Err(std::io::Error::other("the ciphertext stopped")), None))
                }
            }
        }
    });
    reqwest::Body::wrap_stream(stream)
}

/// Repeats `op` on transient failures with exponential backoff.
async fn with_retries<T, F, Fut>(
    ctx: &SendContext,
    transfer_id: &str,
    mut op: F,
) -> Result<T, SendError>
where
    F: FnMut(SecretString) -> Fut,
    Fut: std::future::Future<Output = Result<T, NetError>>,
{
    let mut attempt = 0;
    let mut renewed = false;
    loop {
        let token = ctx.token.current().await.map_err(SendError::Session)?;
        match op(token.clone()).await {
            Ok(v) => return Ok(v),
            // A session the store stopped accepting is renewed once; a machine token is not.
            Err(e) if is_refusal(&e) && !renewed && ctx.token.session().is_some() => {
                renewed = true;
                ctx.token.renew(&token).await.map_err(SendError::Session)?;
            }
            Err(e) if e.is_transient() && attempt + 1 < MAX_ATTEMPTS => {
                attempt += 1;
                backoff(ctx, attempt, &e).await?;
            }
            Err(e) if e.is_transient() => {
                return Err(SendError::Interrupted {
                    transfer_id: transfer_id.to_string(),
                    source: e,
                });
            }
            Err(e) if e.api_code() == Some(ErrorCode::Unauthorized) => {
                return Err(SendError::Unauthorized);
            }
            Err(e) => return Err(SendError::Store(e)),
        }
    }
}

async fn backoff(ctx: &SendContext, attempt: u32, error: &NetError) -> Result<(), SendError> {
    let mut wait = crate::retry::delay(attempt);
    if let Some(secs) = error.api().and_then(|a| a.retry_after_secs) {
        wait = wait.max(Duration::from_secs(secs.min(300)));
    }
    let deadline = tokio::time::Instant::now() + wait;
    while tokio::time::Instant::now() < deadline {
        if ctx.cancel.is_cancelled() {
            return Err(SendError::Cancelled);
        }
        tokio::time::sleep(Duration::from_millis(100).min(wait)).await;
    }
    Ok(())
}

/// Uploads `[offset, size)`: PATCHes streamed from the encryptor, sized to the measured speed,
/// the last one (the final piece) carrying the whole blob's checksum. On a dropped connection
/// or a rejected PATCH it asks the store for its offset and goes on from there.
async fn upload(
    ctx: &SendContext,
    source: Arc<Mutex<Source>>,
    upload_url: &Url,
    size: u64,
    mut offset: u64,
    transfer_id: &str,
) -> Result<(), SendError> {
    // The final piece goes in its own PATCH, since its header must carry the hash of bytes
    // not yet encrypted when earlier PATCHes start.
    let tail_start = size.saturating_sub(1) / PIECE as u64 * PIECE as u64;
    let mut patch_len = MIN_PATCH;
    let mut attempt = 0u32;
    let mut renewed = false;
    (ctx.progress)(ProgressEvent {
        phase: Phase::Uploading,
        done: offset,
        total: size,
    });
    // The store marks the upload complete only on a PATCH carrying the whole blob's hash, so
    // the loop runs until such a PATCH succeeded (an empty one when the store already has
    // every byte, e.g. after a resume).
    loop {
        if ctx.cancel.is_cancelled() {
            return Err(SendError::Cancelled);
        }
        let (end, final_hash) = if offset < tail_start {
            ((offset + patch_len).min(tail_start), None)
        } else {
            (size, Some(source.lock().await.hash(offset).await?))
        };
        let token = ctx.token.current().await.map_err(SendError::Session)?;
        let body = patch_body(source.clone(), offset, end, ctx.progress.clone(), size);
        let started = Instant::now();
        // No per-PATCH `Upload-Checksum`: TCP/TLS already deliver bytes intact, the store
        // checks the whole blob's checksum before completing, and age authenticates every
        // chunk. A checksum per PATCH would cost another pass on both sides and make the
        // store discard the good prefix of a cut PATCH.
        let answer = ctx
            .client
            .upload_patch(&token, upload_url, offset, body, end - offset, final_hash)
            .await;
        if let Some(e) = source.lock().await.failure.take() {
            return Err(e);
        }
        match answer {
            Ok(new_offset) if new_offset == size && final_hash.is_some() => break,
            Ok(new_offset) if new_offset > offset && new_offset <= size => {
                if new_offset == end {
                    let secs = started.elapsed().as_secs_f64().max(1e-3);
                    let rate = (end - offset) as f64 / secs;
                    patch_len = ((rate * PATCH_SECS) as u64).clamp(MIN_PATCH, MAX_PATCH);
                }
                offset = new_offset;
                attempt = 0;
                (ctx.progress)(ProgressEvent {
                    phase: Phase::Uploading,
                    done: offset,
                    total: size,
                });
            }
            Ok(_) => {
                return Err(SendError::Store(NetError::Protocol(
                    "the store acknowledged no progress".into(),
                )));
            }
            Err(e) if e.api_code() == Some(ErrorCode::UploadComplete) => break,
            Err(e) if e.api_code() == Some(ErrorCode::BlobHashMismatch) => {
                // The bytes the store has differ from what the files give now.
                return Err(SendError::FilesChanged {
                    transfer_id: transfer_id.to_string(),
                    path: source
                        .lock()
                        .await
                        .plan
                        .paths()
                        .next()
                        .map(|p| p.to_path_buf())
                        .unwrap_or_default(),
                });
            }
            Err(e) if is_refusal(&e) && !renewed && ctx.token.session().is_some() => {
                // The session ran out (or ended) mid-upload: renew it once and carry on
                // from the store's offset; the bytes it has are kept.
                renewed = true;
                ctx.token.renew(&token).await.map_err(SendError::Session)?;
                patch_len = MIN_PATCH;
                offset = with_retries(ctx, transfer_id, |token| async move {
                    ctx.client.upload_offset(&token, upload_url).await
                })
                .await?;
            }
            Err(e) => {
                let recoverable = e.is_transient()
                    || matches!(
                        e.api_code(),
                        Some(ErrorCode::OffsetMismatch | ErrorCode::ChecksumMismatch)
                    );
                if !recoverable {
                    return Err(match e.api_code() {
                        Some(ErrorCode::Unauthorized) => SendError::Unauthorized,
                        _ => SendError::Store(e),
                    });
                }
                attempt += 1;
                if attempt >= MAX_ATTEMPTS {
                    return Err(SendError::Interrupted {
                        transfer_id: transfer_id.to_string(),
                        source: e,
                    });
                }
                patch_len = MIN_PATCH;
                backoff(ctx, attempt, &e).await?;
                offset = with_retries(ctx, transfer_id, |token| async move {
                    ctx.client.upload_offset(&token, upload_url).await
                })
                .await?;
            }
        }
    }
    (ctx.progress)(ProgressEvent {
        phase: Phase::Uploading,
        done: size,
        total: size,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kepil_protocol::ClassificationPolicy;

    fn policy() -> StorePolicy {
        StorePolicy {
            max_blob_size: 1 << 30,
            classifications: vec![ClassificationPolicy {
                classification: Classification::Sulit,
                max_expiry_secs: 7 * 86_400,
                default_expiry_secs: 3 * 86_400,
            }],
            default_max_downloads: 3,
            max_downloads: 10,
            lockout_threshold: 10,
            kdf_floor: KdfParams::DEFAULT,
            public_url: "https://s".into(),
            identity_providers: vec![],
            sign_in_required: false,
        }
    }

    fn request(class: Classification, expires: Option<u64>, downloads: Option<u32>) -> SendRequest {
        SendRequest {
            files: vec!["x".into()],
            classification: class,
            recipients: vec!["a".into()],
            expires_in: expires.map(Duration::from_secs),
            max_downloads: downloads,
            subject: String::new(),
            message: String::new(),
            sender: "s".into(),
        }
    }

    #[test]
    fn policy_defaults_and_limits_fail_closed() {
        let p = policy();
        assert_eq!(
            check_policy(&request(Classification::Sulit, None, None), &p).unwrap(),
            3 * 86_400
        );
        assert_eq!(
            check_policy(
                &request(Classification::Sulit, Some(7 * 86_400), Some(10)),
                &p
            )
            .unwrap(),
            7 * 86_400
        );
        assert!(matches!(
            check_policy(
                &request(Classification::Sulit, Some(7 * 86_400 + 1), None),
                &p
            ),
            Err(SendError::ExpiryTooLong {
                limit_secs: 604_800,
                ..
            })
        ));
        assert!(matches!(
            check_policy(&request(Classification::Sulit, None, Some(11)), &p),
            Err(SendError::TooManyDownloads { limit: 10, .. })
        ));
        assert!(matches!(
            check_policy(&request(Classification::Terhad, None, None), &p),
            Err(SendError::ClassificationNotAccepted { .. })
        ));
    }

    #[test]
    fn kdf_params_never_go_below_the_store_floor() {
        let mut p = policy();
        p.kdf_floor = KdfParams {
            t: 5,
            ..KdfParams::DEFAULT
        };
        let chosen = kdf_params(&p);
        assert_eq!(chosen.t, 5);
        assert_eq!(chosen.m_kib, KdfParams::DEFAULT.m_kib);
    }

    #[test]
    fn transfer_ids_are_22_chars_of_base64url() {
        let a = new_transfer_id();
        assert_eq!(a.len(), 22);
        assert_ne!(a, new_transfer_id());
        assert_eq!(kepil_protocol::b64_decode(&a).unwrap().len(), 16);
    }

    /// Reads `[from, to)` of the source piece by piece.
    async fn read_range(source: &mut Source, from: u64, to: u64) -> Vec<u8> {
        let mut out = Vec::new();
        let mut pos = from;
        while pos < to {
            let b = source.bytes_at(pos).await.unwrap();
            let n = b.len().min((to - pos) as usize);
            out.extend_from_slice(&b[..n]);
            pos += n as u64;
        }
        out
    }

    #[tokio::test]
    async fn the_source_resends_from_memory_or_encrypts_the_same_bytes_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.bin");
        let data: Vec<u8> = (0..(20u32 << 20)).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let now = OffsetDateTime::now_utc();
        let details = Details {
            classification: Classification::Sulit,
            sender: "s".into(),
            subject: String::new(),
            message: String::new(),
            created_at: now,
            expires_at: now + time::Duration::days(1),
            scan: None,
        };
        let plan = Arc::new(Plan::new(details, [&path]).unwrap());
        let id = age::x25519::Identity::generate();
        let keys = Arc::new(package::stream_keys(&[id.to_public()]).unwrap());
        let expected =
            package::encrypt_with(&plan, &keys, Vec::new(), &mut |_| {}, &Cancel::new()).unwrap();
        let size = expected.len() as u64;
        let mut source = Source::with(plan, keys, crate::progress::silent(), Cancel::new());

        assert_eq!(read_range(&mut source, 0, size).await, expected);
        let mut checksum = BlobChecksum::new();
        checksum.update(&expected);
        assert_eq!(source.hash(size).await.unwrap(), checksum.value());
        // Within the last REPLAY_BYTES: served from memory, the producer is not restarted.
        let recent = size - REPLAY_BYTES + 12_345;
        let next = source.next;
        assert_eq!(
            read_range(&mut source, recent, size).await,
            &expected[recent as usize..]
        );
        assert_eq!(source.next, next);
        // Behind it: encrypted again from the start, byte for byte the same.
        assert_eq!(
            read_range(&mut source, 777, 3 << 20).await,
            &expected[777..3 << 20]
        );
        assert!(source.next <= 4 << 20, "restarted: {}", source.next);
    }

    #[test]
    fn sent_debug_shows_no_secret() {
        let sent = Sent {
            transfer_id: "t".into(),
            expires_at: OffsetDateTime::UNIX_EPOCH,
            recipients: vec![SentRecipient {
                recipient: "a".into(),
                grant_id: "g".into(),
                link: SecretString::new("https://s/t/g#LINKSECRETVALUE"),
                password: Some(SecretString::new("PASS-WORD-VALU-EXXX")),
            }],
            scan: None,
        };
        let text = format!("{sent:?}");
        assert!(
            !text.contains("LINKSECRETVALUE") && !text.contains("PASS-WORD"),
            "{text}"
        );
    }
}
