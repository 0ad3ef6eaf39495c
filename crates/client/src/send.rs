//! Sending: check, derive, encrypt and upload one transfer, pipelined and resumable.
//!
//! The encryptor thread writes the age file into a spool file in the cache directory (0600,
//! ciphertext only) while the uploader streams what the spool holds in one long tus PATCH.
//! Encryption and upload therefore overlap, memory stays at a few 1 MiB pieces whatever the
//! size, an in-run retry re-reads the spool from the store's offset (nothing is re-encrypted
//! and nothing the store has is re-sent), and after the process is killed [`resume`] uploads
//! the rest of the very same ciphertext (age encryption is randomised, so re-encrypting could
//! never continue a partial upload). The spool and its journal are deleted once the upload
//! completes or the transfer is revoked. See `docs/cli.md` for the trade-off.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use kepil_core::classification::Classification;
use kepil_core::kdf::{self, GrantInput, KdfParams, LinkSecret};
use kepil_core::link::Link;
use kepil_core::package::{self, Details, Plan};
use kepil_core::password::Password;
use kepil_protocol::{CreateTransfer, ErrorCode, GrantSpec, StorePolicy};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use tokio::sync::watch;
use url::Url;

use crate::SecretString;
use crate::api::StoreClient;
use crate::error::{NetError, SendError};
use crate::history::{History, HistoryEntry, HistoryRecipient};
use crate::manage::owner_token_key;
use crate::progress::{Cancel, Phase, ProgressEvent, ProgressFn};
use crate::secrets::SecretStore;
use crate::settings::Dirs;

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
    pub token: SecretString,
    pub dirs: Dirs,
    pub secrets: Arc<SecretStore>,
    pub progress: ProgressFn,
    pub cancel: Cancel,
}

impl std::fmt::Debug for SendContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendContext")
            .field("store", &self.client.base().as_str())
            .field("dirs", &self.dirs)
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

/// Non-secret state of an unfinished upload, `spool/<transfer>.json` beside the spool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    pub transfer_id: String,
    pub store: String,
    pub upload_url: String,
    pub size: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// True once the encryptor finished and the spool holds the whole blob.
    pub spool_complete: bool,
}

/// The links and passwords of an unfinished send, kept in the secret store only until the
/// resumed run has shown them.
#[derive(Serialize, Deserialize)]
struct Pending {
    recipients: Vec<PendingRecipient>,
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

fn spool_path(dirs: &Dirs, transfer_id: &str) -> PathBuf {
    dirs.spool_dir().join(format!("{transfer_id}.age"))
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

/// Removes the spool and journal of a transfer (revoked, or abandoned by the user).
pub fn discard_journal(dirs: &Dirs, transfer_id: &str) {
    let _ = std::fs::remove_file(spool_path(dirs, transfer_id));
    let _ = std::fs::remove_file(journal_path(dirs, transfer_id));
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

    let policy = ctx.client.policy().await.map_err(SendError::Store)?;
    let expires_secs = check_policy(&request, &policy)?;

    let now = OffsetDateTime::now_utc();
    let details = Details {
        classification: request.classification,
        sender: request.sender.clone(),
        subject: request.subject.clone(),
        message: request.message.clone(),
        created_at: now,
        expires_at: now + time::Duration::seconds(expires_secs as i64),
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
                max_downloads: request.max_downloads,
            })
            .collect(),
    };
    let created = ctx
        .client
        .create_transfer(&ctx.token, &create)
        .await
        .map_err(|e| match map_create_error(e) {
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
    };

    // Owner token, links and passwords go to the secret store before the first byte is
    // uploaded, so a killed run can still be resumed and the transfer still revoked.
    ctx.secrets.set(
        &owner_token_key(&transfer_id),
        &SecretString::new(created.owner_token.clone()),
    )?;
    save_pending(ctx, &sent)?;
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
            })
            .collect(),
    })?;
    let upload_url = resolve_upload_url(ctx.client.base(), &created.upload_url)?;
    let mut journal = Journal {
        transfer_id: transfer_id.clone(),
        store: ctx.client.base().as_str().to_string(),
        upload_url: upload_url.to_string(),
        size,
        expires_at: created.expires_at,
        spool_complete: false,
    };
    save_journal(&ctx.dirs, &journal)?;

    let spool = spool_path(&ctx.dirs, &transfer_id);
    crate::private_dir(&ctx.dirs.spool_dir()).map_err(|e| SendError::Spool {
        path: ctx.dirs.spool_dir(),
        source: e,
    })?;
    let file = crate::owner_only(std::fs::OpenOptions::new().write(true).create_new(true))
        .open(&spool)
        .map_err(|e| SendError::Spool {
            path: spool.clone(),
            source: e,
        })?;
    let recipients_age: Vec<age::x25519::Recipient> = keys.iter().map(|k| k.recipient()).collect();
    drop(keys);

    let (tx, rx) = watch::channel(Produced::default());
    let encryptor = {
        let progress = ctx.progress.clone();
        let cancel = ctx.cancel.clone();
        let dirs = ctx.dirs.clone();
        let mut journal = journal.clone();
        let spool_in = spool.clone();
        std::thread::Builder::new()
            .name("kepil-encrypt".into())
            .spawn(move || {
                let result =
                    encrypt_to_spool(&plan, &recipients_age, file, &tx, &progress, &cancel)
                        .map_err(|e| match e {
                            SpoolFailure::Encrypt(package::EncryptError::Cancelled) => {
                                SendError::Cancelled
                            }
                            SpoolFailure::Encrypt(e) => SendError::Encrypt(e),
                            SpoolFailure::Io(e) => SendError::Spool {
                                path: spool_in.clone(),
                                source: e,
                            },
                        })
                        .and_then(|_| {
                            journal.spool_complete = true;
                            save_journal(&dirs, &journal)
                        });
                tx.send_modify(|p| p.finished = Some(result.is_ok()));
                result
            })
            .map_err(|e| SendError::Spool {
                path: spool.clone(),
                source: e,
            })?
    };

    let uploaded = upload(ctx, &upload_url, &spool, size, rx, 0, None, &transfer_id).await;
    // Encryption is left to finish even when the upload stopped: a complete spool is what
    // makes `--resume` possible.
    let encrypted = tokio::task::spawn_blocking(move || encryptor.join())
        .await
        .expect("encryptor join")
        .expect("encryptor thread");
    if let Err(e) = encrypted {
        // The ciphertext can never be completed: drop the transfer rather than leave a
        // half-uploaded blob and a journal nobody can resume.
        let _ = ctx.client.upload_terminate(&ctx.token, &upload_url).await;
        discard_journal(&ctx.dirs, &transfer_id);
        let _ = ctx.secrets.delete(&pending_key(&transfer_id));
        return Err(e);
    }
    uploaded?;
    journal.spool_complete = true;
    finish(ctx, &journal);
    Ok(sent)
}

/// Resumes an upload whose process died: sends the rest of the spooled ciphertext from the
/// store's offset, then answers the same links and passwords the first run would have shown.
pub async fn resume(ctx: &SendContext, journal: &Journal) -> Result<Sent, SendError> {
    let tid = journal.transfer_id.clone();
    let spool = spool_path(&ctx.dirs, &tid);
    let impossible = |reason: &str| SendError::ResumeImpossible {
        transfer_id: tid.clone(),
        reason: reason.to_string(),
    };
    if !journal.spool_complete {
        return Err(impossible(
            "encryption had not finished when the run stopped",
        ));
    }
    let spool_len = std::fs::metadata(&spool).map(|m| m.len()).unwrap_or(0);
    if spool_len != journal.size {
        return Err(impossible(
            "the spooled ciphertext is missing or incomplete",
        ));
    }
    let pending = load_pending(ctx, &tid)?
        .ok_or_else(|| impossible("its links and passwords are no longer stored"))?;
    let upload_url =
        Url::parse(&journal.upload_url).map_err(|_| impossible("the journal is damaged"))?;
    let offset = with_retries(ctx, &tid, || {
        ctx.client.upload_offset(&ctx.token, &upload_url)
    })
    .await?;
    // The store already has a prefix the uploader will not re-read, so the whole blob's hash
    // comes from one pass over the spool here.
    let hash = {
        let path = spool.clone();
        tokio::task::spawn_blocking(move || hash_file(&path))
            .await
            .expect("spool hasher")
            .map_err(|e| SendError::Spool {
                path: spool.clone(),
                source: e,
            })?
    };
    let (_tx, rx) = watch::channel(Produced {
        bytes: journal.size,
        finished: Some(true),
    });
    upload(
        ctx,
        &upload_url,
        &spool,
        journal.size,
        rx,
        offset,
        Some(hash),
        &tid,
    )
    .await?;
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

fn save_pending(ctx: &SendContext, sent: &Sent) -> Result<(), SendError> {
    let pending = Pending {
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

/// How far the encryptor has got; `finished` is `Some(true)` once the spool holds the whole
/// blob and `Some(false)` on failure (the encryptor's own result says why).
#[derive(Debug, Clone, Default)]
struct Produced {
    bytes: u64,
    finished: Option<bool>,
}

fn hash_file(path: &Path) -> std::io::Result<[u8; 32]> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher)?;
    Ok(hasher.finalize().into())
}

enum SpoolFailure {
    Encrypt(package::EncryptError),
    Io(std::io::Error),
}

/// Writes the ciphertext to the spool, telling the uploader how much is there. (The blob's
/// hash is computed by the uploader as it reads, keeping this thread for encryption.)
struct SpoolWriter<'a> {
    file: File,
    written: u64,
    notified: u64,
    tx: &'a watch::Sender<Produced>,
}

impl Write for SpoolWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;

        self.written += n as u64;
        if self.written - self.notified >= (1 << 20) {
            self.notified = self.written;
            let written = self.written;
            self.tx.send_modify(|p| p.bytes = written);
        }
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

fn encrypt_to_spool(
    plan: &Plan,
    recipients: &[age::x25519::Recipient],
    file: File,
    tx: &watch::Sender<Produced>,
    progress: &ProgressFn,
    cancel: &Cancel,
) -> Result<u64, SpoolFailure> {
    let writer = SpoolWriter {
        file,

        written: 0,
        notified: 0,
        tx,
    };
    let mut report = |p: package::Progress| {
        progress(ProgressEvent {
            phase: Phase::Encrypting,
            done: p.done,
            total: p.total,
        })
    };
    let mut writer = package::encrypt(plan, recipients, writer, &mut report, cancel)
        .map_err(SpoolFailure::Encrypt)?;
    // No fsync: the spool only has to outlive the process (kill, crash of kepil). After a
    // power loss a damaged spool cannot slip through either: the resumed upload carries the
    // journal's whole-blob SHA-256, which the store checks before marking the upload complete.
    writer.flush().map_err(SpoolFailure::Io)?;
    let written = writer.written;
    tx.send_modify(|p| p.bytes = written);
    Ok(written)
}

/// Repeats `op` on transient failures with exponential backoff.
async fn with_retries<T, F, Fut>(
    ctx: &SendContext,
    transfer_id: &str,
    mut op: F,
) -> Result<T, SendError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, NetError>>,
{
    let mut attempt = 0;
    loop {
        match op().await {
            Ok(v) => return Ok(v),
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
    let base_ms: u64 = std::env::var("KEPIL_RETRY_BASE_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let mut wait = Duration::from_millis(base_ms.saturating_mul(1 << attempt.min(6)))
        .min(Duration::from_secs(30));
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

/// Bytes read from the spool per body piece: small enough that memory stays flat, large
/// enough that a piece is one cheap read and hash step.
const PIECE: u64 = 1 << 20;

/// The running SHA-256 of the blob, shared with the body stream of the PATCH in flight.
/// Bytes are hashed the first time they are read, in order; a retry re-reads only bytes
/// already hashed (the store's offset never passes what was sent), so one hash suffices.
struct BlobHash {
    hasher: Sha256,
    hashed: u64,
}

/// Reads `[at, at + len)` of the spool, hashing what `hash` has not seen yet.
fn read_piece(
    path: &Path,
    at: u64,
    len: u64,
    hash: &std::sync::Mutex<BlobHash>,
    hashing: bool,
) -> std::io::Result<Vec<u8>> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(at))?;
    let mut buf = vec![0u8; len as usize];
    file.read_exact(&mut buf)?;
    if hashing {
        let mut h = hash.lock().unwrap_or_else(|p| p.into_inner());
        if h.hashed >= at && h.hashed < at + len {
            let skip = (h.hashed - at) as usize;
            h.hasher.update(&buf[skip..]);
            h.hashed = at + len;
        }
    }
    Ok(buf)
}

/// The body of one PATCH: `[offset, size)` of the spool, piece by piece as the encryptor
/// produces it, reporting upload progress as pieces are handed to the connection.
fn spool_body(
    ctx: &SendContext,
    spool: &Path,
    offset: u64,
    size: u64,
    produced: watch::Receiver<Produced>,
    hash: Arc<std::sync::Mutex<BlobHash>>,
    hashing: bool,
) -> reqwest::Body {
    struct State {
        at: u64,
        produced: watch::Receiver<Produced>,
    }
    let (path, progress) = (spool.to_path_buf(), ctx.progress.clone());
    let stream = futures_util::stream::unfold(
        State {
            at: offset,
            produced,
        },
        move |mut st| {
            let (path, progress, hash) = (path.clone(), progress.clone(), hash.clone());
            async move {
                if st.at >= size {
                    return None;
                }
                let end = (st.at + PIECE).min(size);
                let ready = st
                    .produced
                    .wait_for(|p| p.finished.is_some() || p.bytes >= end)
                    .await
                    .map(|p| p.bytes >= end)
                    .unwrap_or(false);
                if !ready {
                    // The encryptor stopped short; its own error is what the caller reports.
                    let e = std::io::Error::other("encryption stopped");
                    return Some((Err(e), State { at: size, ..st }));
                }
                let at = st.at;
                let piece = tokio::task::spawn_blocking(move || {
                    read_piece(&path, at, end - at, &hash, hashing)
                })
                .await
                .unwrap_or_else(|e| Err(std::io::Error::other(e)));
                if piece.is_ok() {
                    progress(ProgressEvent {
                        phase: Phase::Uploading,
                        done: end,
                        total: size,
                    });
                }
                st.at = end;
                Some((piece.map(bytes::Bytes::from), st))
            }
        },
    );
    reqwest::Body::wrap_stream(stream)
}

/// Uploads `[offset, size)` of the spool as the encryptor produces it, in one streamed PATCH
/// (the store checkpoints inside it, so a cut loses nothing it acknowledged). On a dropped
/// connection or a rejected request it asks the store for its offset and goes on from there.
/// The whole blob's SHA-256 goes with the last PATCH when already known (a resume), else in
/// an empty PATCH once every byte is sent, which is when the store may complete.
#[allow(clippy::too_many_arguments)]
async fn upload(
    ctx: &SendContext,
    upload_url: &Url,
    spool: &Path,
    size: u64,
    produced: watch::Receiver<Produced>,
    mut offset: u64,
    known_hash: Option<[u8; 32]>,
    transfer_id: &str,
) -> Result<(), SendError> {
    let mut attempt = 0u32;
    let hash = Arc::new(std::sync::Mutex::new(BlobHash {
        hasher: Sha256::new(),
        hashed: offset,
    }));
    (ctx.progress)(ProgressEvent {
        phase: Phase::Uploading,
        done: offset,
        total: size,
    });
    let encryptor_failed = |p: &watch::Receiver<Produced>| p.borrow().finished == Some(false);
    loop {
        if ctx.cancel.is_cancelled() {
            return Err(SendError::Cancelled);
        }
        let hashed = hash.lock().unwrap_or_else(|p| p.into_inner()).hashed;
        if known_hash.is_none() && offset > hashed {
            return Err(SendError::Store(NetError::Protocol(
                "the store reports bytes that were never sent".into(),
            )));
        }
        let result = if offset < size {
            let body = spool_body(
                ctx,
                spool,
                offset,
                size,
                produced.clone(),
                hash.clone(),
                known_hash.is_none(),
            );
            ctx.client
                .upload_patch_stream(
                    &ctx.token,
                    upload_url,
                    offset,
                    body,
                    size - offset,
                    known_hash,
                )
                .await
        } else {
            let whole = match known_hash {
                Some(h) => h,
                None => {
                    let h = hash.lock().unwrap_or_else(|p| p.into_inner());
                    if h.hashed != size {
                        return Err(SendError::Store(NetError::Protocol(
                            "the store reports bytes that were never sent".into(),
                        )));
                    }
                    h.hasher.clone().finalize().into()
                }
            };
            ctx.client
                .upload_patch(
                    &ctx.token,
                    upload_url,
                    offset,
                    Vec::new(),
                    None,
                    Some(whole),
                )
                .await
        };
        if encryptor_failed(&produced) {
            // The caller reports the encryptor's own error.
            return Err(SendError::Cancelled);
        }
        match result {
            Ok(new_offset) if new_offset == size && (known_hash.is_some() || offset == size) => {
                break;
            }
            Ok(new_offset) if new_offset > offset && new_offset <= size => {
                offset = new_offset;
                attempt = 0;
            }
            Ok(_) => {
                return Err(SendError::Store(NetError::Protocol(
                    "the store acknowledged no progress".into(),
                )));
            }
            Err(e) if e.api_code() == Some(ErrorCode::UploadComplete) => break,
            // Every byte is stored and the store waits for the whole blob's hash.
            Err(e) if e.api_code() == Some(ErrorCode::NotReady) => {
                offset = size;
                attempt = 0;
            }
            Err(e) => {
                let recoverable = e.is_transient()
                    || matches!(
                        e.api_code(),
                        Some(
                            ErrorCode::OffsetMismatch
                                | ErrorCode::ChecksumMismatch
                                | ErrorCode::Conflict
                        )
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
                backoff(ctx, attempt, &e).await?;
                offset = with_retries(ctx, transfer_id, || {
                    ctx.client.upload_offset(&ctx.token, upload_url)
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
        };
        let text = format!("{sent:?}");
        assert!(
            !text.contains("LINKSECRETVALUE") && !text.contains("PASS-WORD"),
            "{text}"
        );
    }
}
