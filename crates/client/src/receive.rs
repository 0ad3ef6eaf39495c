//! Receiving: look the link up (changes nothing), prove the password (counts one download),
//! stream the blob into the package reader, show the manifest, save the files. Also the raw
//! path for any age tool: [`Unlocked::fetch_raw`] and [`identity`].
//!
//! What the recipient can rely on is put together in [`Trust`]: who the store says uploaded
//! the package (after a valid proof) next to who the package says sent it, and the store's
//! classification next to the sealed one. The guideline asks the recipient to check the
//! sender before opening (3.2 A iii 1 and 3); [`Incoming::warnings`] says what does not add
//! up, and [`Incoming::preview`] shows the files as they will be saved, so a face can show
//! both before anything is written.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use kepil_core::classification::Classification;
use kepil_core::filename::{self, ChosenNames, Danger};
use kepil_core::kdf::{self, GrantKeys};
use kepil_core::link::Link;
use kepil_core::package::{self, Manifest, PackageReader, SavedFile};
use kepil_core::password::Password;
use kepil_protocol::identity::Identity;
use kepil_protocol::{DownloadGrant, GrantInfo, Proof};
use tokio::sync::{mpsc, oneshot};

use crate::SecretString;
use crate::api::StoreClient;
use crate::error::{NetError, ReceiveError, ReceiveWarning};
use crate::pipe::{ChannelReader, PIPE_DEPTH};
use crate::progress::{Cancel, Phase, ProgressEvent, ProgressFn};
use crate::scan::{ScanInspection, ScanStop, Scanner, Scanning};

/// Attempts to continue a dropped download before giving up.
const MAX_ATTEMPTS: u32 = 8;

/// What the store says about a link before any password: classification, size, readiness.
/// Calling it counts nothing and burns nothing.
pub async fn lookup(link: &Link) -> Result<(StoreClient, GrantInfo), ReceiveError> {
    let (client, info, _) = look(link).await?;
    Ok((client, info))
}

/// [`lookup`], and the challenge nonce it opened the grant with (still good for one proof
/// while it lives), or `None` when the grant or store is older and answered a plain `GET`.
async fn look(link: &Link) -> Result<(StoreClient, GrantInfo, Option<String>), ReceiveError> {
    let client = StoreClient::new(link.store_base().clone()).map_err(ReceiveError::Store)?;
    let (info, nonce) = match open(&client, link).await? {
        Some(opened) => opened,
        None => (
            client
                .grant_info(&link.grant_id)
                .await
                .map_err(ReceiveError::from_net)?,
            None,
        ),
    };
    if info.grant_id != link.grant_id {
        return Err(ReceiveError::Store(NetError::Protocol(
            "the store answered for another link".into(),
        )));
    }
    // Range-check before any Argon2 work: a hostile store could ask for gigabytes.
    info.kdf.check()?;
    // The store never creates such a transfer; one that says so is broken or hostile, and
    // there is nothing to prove a password for.
    if !info.classification.is_sendable() {
        return Err(ReceiveError::ClassificationRefused {
            classification: info.classification,
        });
    }
    Ok((client, info, nonce))
}

/// Opens the grant with the link's open key. `None` where the store answers `unavailable`:
/// an older store (no such route), a grant from an older sender (read by `GET` instead), or
/// a grant that is not there, which `GET` then reports in the same words.
async fn open(
    client: &StoreClient,
    link: &Link,
) -> Result<Option<(GrantInfo, Option<String>)>, ReceiveError> {
    let unavailable = |e: &NetError| e.api_code() == Some(kepil_protocol::ErrorCode::Unavailable);
    let challenge = match client.challenge(&link.grant_id).await {
        Ok(c) => c,
        Err(e) if unavailable(&e) => return Ok(None),
        Err(e) => return Err(ReceiveError::from_net(e)),
    };
    let nonce = kepil_protocol::b64_decode(&challenge.nonce)
        .ok_or_else(|| ReceiveError::Store(NetError::Protocol("malformed challenge".into())))?;
    let open_key = kdf::derive_open_key(&link.secret);
    let request = kepil_protocol::OpenGrant {
        nonce: challenge.nonce.clone(),
        open_mac: kepil_protocol::b64_encode(&open_key.prove(&nonce)),
    };
    match client.open(&link.grant_id, &request).await {
        Ok(info) => Ok(Some((info, Some(challenge.nonce)))),
        Err(e) if unavailable(&e) => Ok(None),
        Err(e) => Err(ReceiveError::from_net(e)),
    }
}

async fn derive(
    link: &Link,
    password: Option<&Password>,
    info: &GrantInfo,
    progress: &ProgressFn,
) -> Result<GrantKeys, ReceiveError> {
    if info.classification.requires_password() && password.is_none() {
        return Err(ReceiveError::PasswordRequired);
    }
    progress(ProgressEvent {
        phase: Phase::Deriving,
        done: 0,
        total: 1,
    });
    let secret = link.secret.clone();
    let password = password.cloned();
    let tid = info.transfer_id.clone();
    let params = info.kdf;
    let keys =
        tokio::task::spawn_blocking(move || kdf::derive(password.as_ref(), &secret, &tid, &params))
            .await
            .expect("key derivation thread")?;
    progress(ProgressEvent {
        phase: Phase::Deriving,
        done: 1,
        total: 1,
    });
    Ok(keys)
}

/// The age identity of a link (`AGE-SECRET-KEY-1...`), for decrypting the raw blob with any
/// age tool. Derived locally from the link and the password: no download is counted, and a
/// wrong password yields an identity that age will report as not matching.
pub async fn identity(
    link: &Link,
    password: Option<&Password>,
    progress: &ProgressFn,
) -> Result<SecretString, ReceiveError> {
    let (_, info) = lookup(link).await?;
    let keys = derive(link, password, &info, progress).await?;
    Ok(SecretString::new(keys.export_identity().expose()))
}

/// After a valid proof: the right to download the blob once (resumable within the token's life).
pub struct Unlocked {
    client: StoreClient,
    grant_id: String,
    info: GrantInfo,
    keys: GrantKeys,
    grant: DownloadGrant,
    download_token: SecretString,
}

impl std::fmt::Debug for Unlocked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Unlocked")
            .field("grant_id", &self.grant_id)
            .field("info", &self.info)
            .field("grant", &self.grant)
            .finish_non_exhaustive()
    }
}

/// Proves the password to the store. This is the one step that counts a download (and the
/// one a wrong password fails, with the tries left).
pub async fn unlock(
    link: &Link,
    password: Option<&Password>,
    progress: &ProgressFn,
) -> Result<Unlocked, ReceiveError> {
    let (client, info, opened_with) = look(link).await?;
    if !info.ready {
        return Err(ReceiveError::NotReady);
    }
    let keys = derive(link, password, &info, progress).await?;
    // The open's nonce saves a rate-limited call; it may have run out during a slow
    // derivation, and then a fresh one is asked for once.
    let grant = match opened_with {
        Some(nonce) => match prove(&client, link, &keys, nonce).await {
            Err(e) if e.api_code() == Some(kepil_protocol::ErrorCode::ChallengeExpired) => {
                prove_fresh(&client, link, &keys).await
            }
            other => other,
        },
        None => prove_fresh(&client, link, &keys).await,
    }
    .map_err(ReceiveError::from_net)?;
    if grant.size != info.size {
        return Err(ReceiveError::Store(NetError::Protocol(
            "the store announced two different sizes".into(),
        )));
    }
    let download_token = SecretString::new(grant.download_token.clone());
    Ok(Unlocked {
        client,
        grant_id: link.grant_id.clone(),
        info,
        keys,
        grant,
        download_token,
    })
}

async fn prove_fresh(
    client: &StoreClient,
    link: &Link,
    keys: &GrantKeys,
) -> Result<DownloadGrant, NetError> {
    let challenge = client.challenge(&link.grant_id).await?;
    prove(client, link, keys, challenge.nonce).await
}

async fn prove(
    client: &StoreClient,
    link: &Link,
    keys: &GrantKeys,
    nonce_b64: String,
) -> Result<DownloadGrant, NetError> {
    let nonce = kepil_protocol::b64_decode(&nonce_b64)
        .ok_or_else(|| NetError::Protocol("malformed challenge".into()))?;
    let proof = Proof {
        mac: kepil_protocol::b64_encode(&keys.auth_key.prove(&nonce)),
        // Shows the store this caller holds the link's secret, not only its path; a store or
        // grant from before link keys ignores it.
        link_mac: Some(kepil_protocol::b64_encode(&keys.link_key.prove(&nonce))),
        nonce: nonce_b64,
    };
    client.proof(&link.grant_id, &proof).await
}

impl Unlocked {
    pub fn info(&self) -> &GrantInfo {
        &self.info
    }
    /// Downloads still allowed after this one.
    pub fn downloads_left(&self) -> u32 {
        self.grant.downloads_left
    }
    pub fn identity(&self) -> SecretString {
        SecretString::new(self.keys.export_identity().expose())
    }
    /// Who uploaded the transfer, as the store knows them; `None` from a store that does not
    /// say (older stores).
    pub fn verified_sender(&self) -> Option<&Identity> {
        self.grant.sender.as_ref()
    }

    /// Saves the raw ciphertext (a standard age file) to `out`, which must not exist. Written
    /// to `out.part` first and renamed when complete, so `out` is never a partial blob.
    pub async fn fetch_raw(
        &self,
        out: &Path,
        progress: ProgressFn,
        cancel: Cancel,
    ) -> Result<u64, ReceiveError> {
        if out.exists() {
            return Err(ReceiveError::OutputExists {
                path: out.to_path_buf(),
            });
        }
        let part = part_path(out);
        let io_err = |path: &Path| {
            let path = path.to_path_buf();
            move |e| ReceiveError::Io { path, source: e }
        };
        let mut file = crate::owner_only(
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true),
        )
        .open(&part)
        .map_err(io_err(&part))?;
        let (tx, mut rx) = mpsc::channel(PIPE_DEPTH);
        let failure = Arc::new(Mutex::new(None));
        let task = tokio::spawn(download(
            self.client.clone(),
            self.grant_id.clone(),
            self.download_token.clone(),
            self.info.size,
            tx,
            progress,
            cancel.clone(),
            failure.clone(),
        ));
        let mut written = 0u64;
        let result: Result<(), ReceiveError> = async {
            while let Some(chunk) = rx.recv().await {
                let chunk = chunk.map_err(|_| take_failure(&failure))?;
                file.write_all(&chunk).map_err(io_err(&part))?;
                written += chunk.len() as u64;
            }
            if cancel.is_cancelled() {
                return Err(ReceiveError::Cancelled);
            }
            if written != self.info.size {
                return Err(take_failure(&failure));
            }
            file.sync_all().map_err(io_err(&part))?;
            Ok(())
        }
        .await;
        task.abort();
        match result {
            Ok(()) => {
                std::fs::rename(&part, out).map_err(io_err(out))?;
                Ok(written)
            }
            Err(e) => {
                let _ = std::fs::remove_file(&part);
                Err(e)
            }
        }
    }

    /// Starts the download and decrypts up to the manifest. Nothing is written to disk until
    /// [`Incoming::save`]; dropping the [`Incoming`] discards everything.
    pub async fn open(
        self,
        progress: ProgressFn,
        cancel: Cancel,
    ) -> Result<Incoming, ReceiveError> {
        let (tx, rx) = mpsc::channel(PIPE_DEPTH);
        let failure = Arc::new(Mutex::new(None));
        let task = tokio::spawn(download(
            self.client.clone(),
            self.grant_id.clone(),
            self.download_token.clone(),
            self.info.size,
            tx,
            progress.clone(),
            cancel.clone(),
            failure.clone(),
        ));
        let (manifest_tx, manifest_rx) = oneshot::channel();
        let (command_tx, command_rx) = std::sync::mpsc::channel::<Save>();
        let (done_tx, done_rx) = oneshot::channel();
        let store = crate::store_trust::host_of(self.client.base());
        let verified_sender = self.grant.sender.clone();
        let declared = self.info.classification;
        let keys = self.keys;
        let worker_cancel = cancel.clone();
        std::thread::Builder::new()
            .name("kepil-decrypt".into())
            .spawn(move || {
                let reader = ChannelReader::new(rx);
                let package = match PackageReader::open(reader, &keys.identity) {
                    Ok(p) => p,
                    Err(e) => {
                        let _ = manifest_tx.send(Err(e));
                        return;
                    }
                };
                let _ = manifest_tx.send(Ok(package.manifest().clone()));
                // Waits for the user's decision; a dropped Incoming (declined) ends here.
                let Ok(Save { dir, scanner }) = command_rx.recv() else {
                    return;
                };
                let report_progress = progress.clone();
                let mut report = |p: package::Progress| {
                    report_progress(ProgressEvent {
                        phase: Phase::Saving,
                        done: p.done,
                        total: p.total,
                    })
                };
                let files = package.manifest().files.len();
                let outcome = match scanner {
                    Some(scanner) => {
                        let mut inspection = ScanInspection::new(scanner, files, progress);
                        package
                            .extract_inspected(&dir, &mut report, &worker_cancel, &mut inspection)
                            .map_err(|e| match (e, inspection.take_stop()) {
                                (package::DecryptError::Stopped, Some(stop)) => Failed::Scan(stop),
                                (e, _) => Failed::Decrypt(e),
                            })
                    }
                    None => package
                        .extract_to(&dir, &mut report, &worker_cancel)
                        .map_err(Failed::Decrypt),
                };
                let _ = done_tx.send(outcome);
            })
            .map_err(|e| ReceiveError::Io {
                path: PathBuf::from("."),
                source: e,
            })?;
        let manifest = match manifest_rx.await {
            Ok(Ok(m)) => m,
            Ok(Err(e)) => {
                task.abort();
                return Err(decrypt_failure(e, &failure, &cancel));
            }
            Err(_) => {
                task.abort();
                return Err(take_failure(&failure));
            }
        };
        let origin = self
            .client
            .base()
            .join(&format!("t/{}", self.grant_id))
            .ok();
        let trust = Trust {
            store,
            verified_sender,
            sealed_sender: manifest.sender.clone(),
            declared_classification: declared,
            sealed_classification: manifest.classification,
        };
        Ok(Incoming {
            manifest,
            trust,
            transfer_id: self.info.transfer_id.clone(),
            origin,
            command_tx,
            done_rx,
            task,
            failure,
            cancel,
        })
    }
}

/// What the recipient can rely on about an opened package, and what is only the sender's word.
///
/// The store vouches for who uploaded (`verified_sender`): a signed-in officer, or the account
/// a service token was issued to. Everything in the manifest (`sealed_sender`, the subject,
/// the message, the names) was written by the sender's own program and proves nothing about
/// who that sender is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trust {
    /// The store that answered, as `host` or `host:port`: the party vouching for
    /// `verified_sender`.
    pub store: String,
    /// The uploader as the store knows them, told after a valid proof; `None` when the store
    /// does not say (older stores).
    pub verified_sender: Option<Identity>,
    /// The sender as written inside the package: a claim.
    pub sealed_sender: String,
    /// What the store was told when the transfer was created (`GrantInfo.classification`).
    pub declared_classification: Classification,
    /// What the sender sealed in the manifest.
    pub sealed_classification: Classification,
}

/// How the sealed sender compares with the one the store vouches for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenderCheck {
    /// The store vouches for the uploader, and the package names the same address.
    Matches,
    /// The store vouches for an uploader the package does not name.
    Differs,
    /// The store said nothing about the uploader: only the sender's own claim is known.
    Unverified,
}

/// `provider` of a machine token in [`Identity`].
pub const SERVICE_TOKEN_PROVIDER: &str = "token";

impl Trust {
    /// The classification to handle the files as: the higher of the sealed and the declared
    /// one, so that neither a careless store entry nor a careless sender lowers it.
    pub fn classification(&self) -> Classification {
        self.sealed_classification.max(self.declared_classification)
    }

    pub fn classification_differs(&self) -> bool {
        self.sealed_classification != self.declared_classification
    }

    /// The verified uploader is the account of a service (machine) token, not a person who
    /// signed in.
    pub fn is_service_token(&self) -> bool {
        self.verified_sender
            .as_ref()
            .is_some_and(|s| s.provider == SERVICE_TOKEN_PROVIDER)
    }

    /// Compares addresses without regard to case. The sealed sender may be `Name <address>`;
    /// anything else must be the address itself, so a display name alone ("Ketua Pengarah")
    /// never counts as a match.
    pub fn sender_check(&self) -> SenderCheck {
        let Some(verified) = &self.verified_sender else {
            return SenderCheck::Unverified;
        };
        let sealed = sealed_address(&self.sealed_sender).to_lowercase();
        if !sealed.is_empty() && sealed == verified.email.trim().to_lowercase() {
            SenderCheck::Matches
        } else {
            SenderCheck::Differs
        }
    }

    /// Who to name when reporting the package, and whether the store vouches for it: the
    /// uploader the store knows, else the sender's own claim.
    pub fn reported_sender(&self) -> (String, bool) {
        match &self.verified_sender {
            Some(v) => (v.email.clone(), true),
            None => (kepil_core::text::visible(&self.sealed_sender), false),
        }
    }

    /// What does not add up between the store's word and the package's, worst first.
    pub fn warnings(&self) -> Vec<ReceiveWarning> {
        let mut out = vec![];
        if self.classification_differs() {
            out.push(ReceiveWarning::ClassificationDiffers {
                sealed: self.sealed_classification,
                declared: self.declared_classification,
            });
        }
        match (self.sender_check(), &self.verified_sender) {
            (SenderCheck::Differs, Some(verified)) => out.push(ReceiveWarning::SenderDiffers {
                sealed: self.sealed_sender.clone(),
                verified: verified.email.clone(),
                store: self.store.clone(),
            }),
            (SenderCheck::Unverified, _) => out.push(ReceiveWarning::SenderUnverified {
                sealed: self.sealed_sender.clone(),
                store: self.store.clone(),
            }),
            _ => {}
        }
        out
    }
}

/// The address in `Name <address>`, else the whole text, trimmed.
fn sealed_address(sender: &str) -> &str {
    let sender = sender.trim();
    match (sender.rfind('<'), sender.strip_suffix('>')) {
        (Some(open), Some(inner)) if open < inner.len() => inner[open + 1..].trim(),
        _ => sender,
    }
}

/// One file of a package as it will be saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToSave {
    /// The name in the manifest (the sender's, untrusted: show it through
    /// `kepil_core::text::visible`).
    pub name: String,
    /// The file name it will get in the folder: sanitised and de-duplicated against the
    /// package and what the folder holds now.
    pub saved_as: String,
    pub size: u64,
    /// Whether its type runs code when opened.
    pub danger: Option<Danger>,
}

/// A package whose manifest has been decrypted and checked; its files are not written yet.
#[derive(Debug)]
pub struct Incoming {
    manifest: Manifest,
    trust: Trust,
    transfer_id: String,
    /// The link without its secret, which saved files are marked with ([`crate::origin`]).
    origin: Option<url::Url>,
    command_tx: std::sync::mpsc::Sender<Save>,
    done_rx: oneshot::Receiver<Result<Vec<SavedFile>, Failed>>,
    task: tokio::task::JoinHandle<()>,
    failure: Arc<Mutex<Option<ReceiveError>>>,
    cancel: Cancel,
}

impl Drop for Incoming {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Incoming {
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The store's word next to the package's (see [`Trust`]).
    pub fn trust(&self) -> &Trust {
        &self.trust
    }

    /// The files as they would be saved into `dir` now: the names `save` will pick unless the
    /// folder changes in between (the saved names are in its answer).
    pub fn preview(&self, dir: &Path) -> Vec<ToSave> {
        let mut chosen = ChosenNames::new();
        self.manifest
            .files
            .iter()
            .map(|f| {
                let path = filename::unique_in(dir, &f.name, &mut chosen);
                ToSave {
                    name: f.name.clone(),
                    saved_as: path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    size: f.size,
                    danger: filename::danger(&f.name),
                }
            })
            .collect()
    }

    /// Everything the recipient should know before saving: the [`Trust`] warnings, then one
    /// per file whose type runs code.
    pub fn warnings(&self) -> Vec<ReceiveWarning> {
        let mut out = self.trust.warnings();
        for f in &self.manifest.files {
            if let Some(danger) = filename::danger(&f.name) {
                out.push(ReceiveWarning::DangerousFile {
                    name: filename::sanitize(&f.name),
                    danger,
                });
            }
        }
        out
    }

    /// Decrypts the rest into `dir` with the core library's atomic, sanitised writes: the files
    /// appear only once the whole blob has authenticated and, with `scanning` on, every file
    /// has been scanned clean; any failure or detection leaves nothing behind. Saved files are
    /// marked with their origin ([`crate::origin`]).
    pub async fn save(
        mut self,
        dir: &Path,
        scanning: &Scanning,
    ) -> Result<Vec<SavedFile>, ReceiveError> {
        std::fs::create_dir_all(dir).map_err(|e| ReceiveError::Io {
            path: dir.to_path_buf(),
            source: e,
        })?;
        let scanner: Option<Arc<dyn Scanner>> = match scanning {
            Scanning::On { scanner, .. } => Some(scanner.clone()),
            Scanning::Off(_) => None,
        };
        self.command_tx
            .send(Save {
                dir: dir.to_path_buf(),
                scanner,
            })
            .map_err(|_| take_failure(&self.failure))?;
        let rx = std::mem::replace(&mut self.done_rx, oneshot::channel().1);
        let saved = match rx.await {
            Ok(Ok(saved)) => saved,
            Ok(Err(Failed::Decrypt(e))) => {
                return Err(decrypt_failure(e, &self.failure, &self.cancel));
            }
            Ok(Err(Failed::Scan(ScanStop::Found { name, signature }))) => {
                let (sender, sender_verified) = self.trust.reported_sender();
                return Err(ReceiveError::Infected {
                    name,
                    signature,
                    transfer_id: self.transfer_id.clone(),
                    sender,
                    sender_verified,
                    store: self.trust.store.clone(),
                });
            }
            Ok(Err(Failed::Scan(ScanStop::Failed(e)))) => return Err(ReceiveError::Scan(e)),
            Err(_) => return Err(take_failure(&self.failure)),
        };
        if let Some(origin) = &self.origin {
            for file in &saved {
                crate::origin::mark(&file.path, origin);
            }
        }
        Ok(saved)
    }
}

/// The recipient's decision, sent to the decrypting thread.
struct Save {
    dir: PathBuf,
    scanner: Option<Arc<dyn Scanner>>,
}

/// Why the decrypting thread saved nothing.
enum Failed {
    Decrypt(package::DecryptError),
    Scan(ScanStop),
}

impl std::fmt::Debug for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failed::Decrypt(e) => f.debug_tuple("Decrypt").field(e).finish(),
            Failed::Scan(s) => f.debug_tuple("Scan").field(s).finish(),
        }
    }
}

fn part_path(out: &Path) -> PathBuf {
    let mut name = out
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".part");
    out.with_file_name(name)
}

/// A download failure is reported by the download task in `failure`; a decryption error caused
/// by it (the pipe closed early) is reported as the network failure, which says what to do.
fn decrypt_failure(
    error: package::DecryptError,
    failure: &Mutex<Option<ReceiveError>>,
    cancel: &Cancel,
) -> ReceiveError {
    if cancel.is_cancelled() {
        return ReceiveError::Cancelled;
    }
    match failure.lock().unwrap_or_else(|p| p.into_inner()).take() {
        Some(network) => network,
        None => ReceiveError::Decrypt(error),
    }
}

fn take_failure(failure: &Mutex<Option<ReceiveError>>) -> ReceiveError {
    failure
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take()
        .unwrap_or_else(|| {
            ReceiveError::Network(NetError::Protocol("the download ended early".into()))
        })
}

/// Streams the blob into `tx`, reconnecting with `Range` from the received offset when the
/// connection drops. Ends by closing `tx`; on failure it records why in `failure` first.
#[allow(clippy::too_many_arguments)]
async fn download(
    client: StoreClient,
    grant_id: String,
    token: SecretString,
    size: u64,
    tx: mpsc::Sender<std::io::Result<Bytes>>,
    progress: ProgressFn,
    cancel: Cancel,
    failure: Arc<Mutex<Option<ReceiveError>>>,
) {
    let fail = |e: ReceiveError| {
        *failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
    };
    let mut offset = 0u64;
    let mut attempt = 0u32;
    progress(ProgressEvent {
        phase: Phase::Downloading,
        done: 0,
        total: size,
    });
    'connect: while offset < size {
        if cancel.is_cancelled() {
            fail(ReceiveError::Cancelled);
            return;
        }
        let mut response = match client.blob(&grant_id, &token, offset).await {
            Ok(r) => r,
            Err(e) if e.is_transient() && attempt + 1 < MAX_ATTEMPTS => {
                attempt += 1;
                tokio::time::sleep(backoff(attempt)).await;
                continue;
            }
            Err(e) => {
                fail(ReceiveError::from_net(e));
                let _ = tx.send(Err(std::io::Error::other("download failed"))).await;
                return;
            }
        };
        let before = offset;
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) if chunk.is_empty() => {}
                Ok(Some(chunk)) => {
                    if offset + chunk.len() as u64 > size {
                        fail(ReceiveError::Store(NetError::Protocol(
                            "the store sent more than the blob's size".into(),
                        )));
                        let _ = tx.send(Err(std::io::Error::other("download failed"))).await;
                        return;
                    }
                    offset += chunk.len() as u64;
                    attempt = 0;
                    if tx.send(Ok(chunk)).await.is_err() {
                        return;
                    }
                    progress(ProgressEvent {
                        phase: Phase::Downloading,
                        done: offset,
                        total: size,
                    });
                    if cancel.is_cancelled() {
                        fail(ReceiveError::Cancelled);
                        return;
                    }
                }
                // The answer ended before the blob did. Reconnecting at once is right after
                // progress; an answer that brought nothing counts as a failed attempt, so a
                // store that keeps answering empty bodies cannot keep the client spinning.
                Ok(None) if offset > before => continue 'connect,
                Ok(None) => {
                    attempt += 1;
                    if attempt >= MAX_ATTEMPTS {
                        fail(ReceiveError::Network(NetError::Protocol(format!(
                            "the store ended the download {attempt} times without sending anything"
                        ))));
                        let _ = tx.send(Err(std::io::Error::other("download failed"))).await;
                        return;
                    }
                    tokio::time::sleep(backoff(attempt)).await;
                    continue 'connect;
                }
                Err(e) => {
                    attempt += 1;
                    if attempt >= MAX_ATTEMPTS {
                        fail(ReceiveError::Network(NetError::from(e)));
                        let _ = tx.send(Err(std::io::Error::other("download failed"))).await;
                        return;
                    }
                    tokio::time::sleep(backoff(attempt)).await;
                    continue 'connect;
                }
            }
        }
    }
}

fn backoff(attempt: u32) -> Duration {
    crate::retry::delay(attempt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kepil_core::message::{Coded, Lang};

    fn trust(sealed: &str, verified: Option<(&str, &str)>) -> Trust {
        Trust {
            store: "kepil.agensi.gov.my".into(),
            verified_sender: verified.map(|(email, provider)| Identity {
                email: email.into(),
                name: None,
                provider: provider.into(),
            }),
            sealed_sender: sealed.into(),
            declared_classification: Classification::Sulit,
            sealed_classification: Classification::Sulit,
        }
    }

    #[test]
    fn the_sealed_address_is_compared_without_case() {
        let verified = Some(("Ali@Agensi.gov.my", "mygovuc"));
        for sealed in [
            "ali@agensi.gov.my",
            " ALI@AGENSI.GOV.MY ",
            "Ali bin Abu <ali@agensi.gov.my>",
        ] {
            assert_eq!(
                trust(sealed, verified).sender_check(),
                SenderCheck::Matches,
                "{sealed}"
            );
            assert!(trust(sealed, verified).warnings().is_empty());
        }
        for sealed in [
            "ketua@agensi.gov.my",
            "Ali bin Abu",
            "",
            "ali@agensi.gov.my.evil.example",
            "ali\u{200B}@agensi.gov.my",
            "<ali@agensi.gov.my> x",
        ] {
            assert_eq!(
                trust(sealed, verified).sender_check(),
                SenderCheck::Differs,
                "{sealed:?}"
            );
        }
    }

    #[test]
    fn a_forged_sender_is_a_warning_that_names_both() {
        let t = trust(
            "ketua.pengarah@agensi.gov.my",
            Some(("pengirim@agensi.gov.my", SERVICE_TOKEN_PROVIDER)),
        );
        assert!(t.is_service_token());
        let w = t.warnings();
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].code(), "sender_differs");
        let en = w[0].message(Lang::En);
        assert!(
            en.contains("pengirim@agensi.gov.my")
                && en.contains("ketua.pengarah@agensi.gov.my")
                && en.contains("kepil.agensi.gov.my")
                && en.contains("3.2 A iii"),
            "{en}"
        );
    }

    #[test]
    fn a_store_that_says_nothing_leaves_the_sender_unverified() {
        let t = trust("ali@agensi.gov.my", None);
        assert_eq!(t.sender_check(), SenderCheck::Unverified);
        assert!(!t.is_service_token());
        let w = t.warnings();
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].code(), "sender_unverified");
    }

    #[test]
    fn differing_classifications_are_handled_as_the_higher() {
        let mut t = trust("a@b", Some(("a@b", "x")));
        t.sealed_classification = Classification::Sulit;
        t.declared_classification = Classification::Terhad;
        assert_eq!(t.classification(), Classification::Sulit);
        t.sealed_classification = Classification::Terhad;
        t.declared_classification = Classification::Sulit;
        assert_eq!(t.classification(), Classification::Sulit);
        let w = t.warnings();
        assert_eq!(w[0].code(), "classification_differs");
        assert!(w[0].message(Lang::En).contains("treats it as SULIT"));

        // Declared TERBUKA: the link opened without a password.
        t.sealed_classification = Classification::Sulit;
        t.declared_classification = Classification::Terbuka;
        let w = t.warnings();
        let en = w[0].message(Lang::En);
        assert!(
            en.contains("without a password") && en.contains("3.2 A iii 2"),
            "{en}"
        );
        let ms = w[0].message(Lang::Ms);
        assert!(ms.contains("tanpa kata laluan"), "{ms}");
    }

    #[test]
    fn warnings_show_a_senders_text_inert() {
        let t = trust(
            "\u{1b}[2Jboss\u{202E}@x",
            Some(("pengirim@agensi.gov.my", "mygovuc")),
        );
        let w = &t.warnings()[0];
        for (_, value) in w.params() {
            assert!(!value.chars().any(kepil_core::text::is_hidden), "{value:?}");
        }
        assert!(w.message(Lang::En).contains("<U+001B>[2Jboss<U+202E>@x"));
    }
}
