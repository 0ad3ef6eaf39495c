//! Receiving: look the link up (changes nothing), prove the password (counts one download),
//! stream the blob into the package reader, show the manifest, save the files. Also the raw
//! path for any age tool: [`Unlocked::fetch_raw`] and [`identity`].

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use kepil_core::kdf::{self, GrantKeys};
use kepil_core::link::Link;
use kepil_core::package::{self, Manifest, PackageReader, SavedFile};
use kepil_core::password::Password;
use kepil_protocol::{DownloadGrant, GrantInfo, Proof};
use tokio::sync::{mpsc, oneshot};

use crate::SecretString;
use crate::api::StoreClient;
use crate::error::{NetError, ReceiveError};
use crate::pipe::{ChannelReader, PIPE_DEPTH};
use crate::progress::{Cancel, Phase, ProgressEvent, ProgressFn};

/// Attempts to continue a dropped download before giving up.
const MAX_ATTEMPTS: u32 = 8;

/// What the store says about a link before any password: classification, size, readiness.
/// Calling it counts nothing and burns nothing.
pub async fn lookup(link: &Link) -> Result<(StoreClient, GrantInfo), ReceiveError> {
    let client = StoreClient::new(link.store_base().clone()).map_err(ReceiveError::Store)?;
    let info = client
        .grant_info(&link.grant_id)
        .await
        .map_err(ReceiveError::from_net)?;
    if info.grant_id != link.grant_id {
        return Err(ReceiveError::Store(NetError::Protocol(
            "the store answered for another link".into(),
        )));
    }
    // Range-check before any Argon2 work: a hostile store could ask for gigabytes.
    info.kdf.check()?;
    Ok((client, info))
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
    let (client, info) = lookup(link).await?;
    if !info.ready {
        return Err(ReceiveError::NotReady);
    }
    let keys = derive(link, password, &info, progress).await?;
    let challenge = client
        .challenge(&link.grant_id)
        .await
        .map_err(ReceiveError::from_net)?;
    let nonce = kepil_protocol::b64_decode(&challenge.nonce)
        .ok_or_else(|| ReceiveError::Store(NetError::Protocol("malformed challenge".into())))?;
    let mac = keys.auth_key.prove(&nonce);
    let grant = client
        .proof(
            &link.grant_id,
            &Proof {
                nonce: challenge.nonce.clone(),
                mac: kepil_protocol::b64_encode(&mac),
                // Shows the store this caller holds the link's secret, not only its path; a
                // store or grant from before link keys ignores it.
                link_mac: Some(kepil_protocol::b64_encode(&keys.link_key.prove(&nonce))),
            },
        )
        .await
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
        let (command_tx, command_rx) = std::sync::mpsc::channel::<PathBuf>();
        let (done_tx, done_rx) = oneshot::channel();
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
                let Ok(dir) = command_rx.recv() else { return };
                let mut report = |p: package::Progress| {
                    progress(ProgressEvent {
                        phase: Phase::Saving,
                        done: p.done,
                        total: p.total,
                    })
                };
                let _ = done_tx.send(package.extract_to(&dir, &mut report, &worker_cancel));
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
        Ok(Incoming {
            manifest,
            command_tx,
            done_rx,
            task,
            failure,
            cancel,
        })
    }
}

/// A package whose manifest has been decrypted and checked; its files are not written yet.
#[derive(Debug)]
pub struct Incoming {
    manifest: Manifest,
    command_tx: std::sync::mpsc::Sender<PathBuf>,
    done_rx: oneshot::Receiver<Result<Vec<SavedFile>, package::DecryptError>>,
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

    /// Decrypts the rest into `dir` with the core library's atomic, sanitised writes: the files
    /// appear only once the whole blob has authenticated; any failure leaves nothing behind.
    pub async fn save(mut self, dir: &Path) -> Result<Vec<SavedFile>, ReceiveError> {
        std::fs::create_dir_all(dir).map_err(|e| ReceiveError::Io {
            path: dir.to_path_buf(),
            source: e,
        })?;
        self.command_tx
            .send(dir.to_path_buf())
            .map_err(|_| take_failure(&self.failure))?;
        let rx = std::mem::replace(&mut self.done_rx, oneshot::channel().1);
        match rx.await {
            Ok(Ok(saved)) => Ok(saved),
            Ok(Err(e)) => Err(decrypt_failure(e, &self.failure, &self.cancel)),
            Err(_) => Err(take_failure(&self.failure)),
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
        loop {
            match response.chunk().await {
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
                Ok(None) => continue 'connect,
                Err(e) => {
                    attempt += 1;
                    if attempt >= MAX_ATTEMPTS {
                        fail(ReceiveError::Network(NetError::Transport(e)));
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
    let base_ms: u64 = std::env::var("KEPIL_RETRY_BASE_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    Duration::from_millis(base_ms.saturating_mul(1 << attempt.min(6))).min(Duration::from_secs(30))
}
