//! The scale-out blob backend: any S3-compatible object store (Ceph RGW, MinIO, SeaweedFS,
//! AWS S3), through the `object_store` crate.
//!
//! # Mapping tus onto S3
//! S3 objects cannot be appended to, and multipart upload parts must be at least 5 MiB (except
//! the last). A tus PATCH may end anywhere and the next one may land on another instance, so:
//!
//! - a writer keeps one buffer of at most `part_size` bytes and uploads a part each time it
//!   fills (the multipart upload is created with the first full part);
//! - at a checkpoint (`sync`/`commit`) the remainder smaller than a part is stored as a *tail*
//!   object under a key unique to that checkpoint (`<prefix>/tails/<id>/<offset>-<random>`);
//! - the returned [`Checkpoint::state`] (JSON: upload id, each part's ETag and length, the tail's
//!   key and length) is recorded by the handler with the offset, and is the truth: the next
//!   `open_writer` (on any instance) reads the tail back into its buffer and numbers parts from
//!   the recorded list, so a part uploaded after the last recorded checkpoint (a crash) is
//!   simply overwritten, and a tail that was never recorded is deleted;
//! - `complete` uploads the last (possibly small) part and completes the upload with exactly
//!   the recorded parts (a blob smaller than one part is a single PUT instead); only then does
//!   the object `<prefix>/<id>` exist, so `len` and `read` see only completed blobs.
//!
//! Memory per upload is bounded by one buffer of `part_size` bytes; reads are streamed.
//! Writers of one upload are serialised by the metadata store's upload lock, which is why
//! cleaning up unreferenced tails at `open_writer` cannot race another writer.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::multipart::{MultipartStore, PartId};
use object_store::path::Path;
use object_store::{
    ClientOptions, GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig,
};
use serde::{Deserialize, Serialize};

use super::{MAX_PART_SIZE, MIN_PART_SIZE, S3Config, S3Location};
use crate::ids;
use crate::storage::{BlobReader, BlobStore, BlobWriter, Checkpoint, Result, StorageError};

/// S3 allows at most this many parts per upload; with 8 MiB parts that is 78 GiB.
const MAX_PARTS: usize = 10_000;

/// Blobs in an S3-compatible bucket. Cheap to clone.
#[derive(Clone)]
pub struct S3BlobStore {
    inner: Arc<Inner>,
}

struct Inner {
    s3: AmazonS3,
    location: S3Location,
    endpoint: String,
    part_size: usize,
    /// The largest buffer any writer of this store has held, in bytes of capacity: the memory
    /// bound is a property tests check, not just a comment.
    peak_buffer: AtomicUsize,
}

impl std::fmt::Debug for S3BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the credentials: only where the blobs are.
        f.debug_struct("S3BlobStore")
            .field("endpoint", &self.inner.endpoint)
            .field("bucket", &self.inner.location.bucket)
            .field("prefix", &self.inner.location.prefix)
            .field("part_size", &self.inner.part_size)
            .finish()
    }
}

fn s3_err(what: impl std::fmt::Display, e: object_store::Error) -> StorageError {
    StorageError::Object(format!("{what}: {e}"))
}

fn is_not_found(e: &object_store::Error) -> bool {
    matches!(e, object_store::Error::NotFound { .. })
}

impl S3BlobStore {
    /// Connects to `location` with `config` and checks, with one listing, that the bucket exists
    /// and the credentials are accepted, so a misconfigured store fails at start-up and not at
    /// the first upload.
    pub async fn open(location: S3Location, config: &S3Config) -> Result<Self> {
        let part_size = config.part_size;
        if !(MIN_PART_SIZE..=MAX_PART_SIZE).contains(&part_size) {
            return Err(StorageError::Object(format!(
                "s3.part_size {part_size} is outside 5 MiB..5 GiB, the part sizes S3 accepts: \
                 set s3.part_size to at least {MIN_PART_SIZE} (default 8 MiB)"
            )));
        }
        let (Some(key_id), Some(secret)) = (&config.access_key_id, &config.secret_access_key)
        else {
            return Err(StorageError::Object(
                "no S3 credentials: set s3.access_key_id and s3.secret_access_key in the config \
                 file, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment"
                    .into(),
            ));
        };
        // reqwest is built without a compiled-in TLS provider; use ring, which the server's
        // rustls already links. An error only means a provider was installed before.
        let _ = rustls::crypto::ring::default_provider().install_default();

        let region = config.region.clone().unwrap_or_else(|| "us-east-1".into());
        let endpoint = config
            .endpoint
            .clone()
            .unwrap_or_else(|| format!("https://s3.{region}.amazonaws.com"));
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&location.bucket)
            .with_region(&region)
            .with_access_key_id(key_id)
            .with_secret_access_key(secret.expose())
            .with_allow_http(config.allow_http)
            .with_virtual_hosted_style_request(!config.path_style())
            .with_client_options(
                ClientOptions::new()
                    .with_allow_http(config.allow_http)
                    .with_connect_timeout(Duration::from_secs(10))
                    // No whole-request limit (the crate's default is 30 s): a download of
                    // several GB streams to a slow recipient for much longer. A silent server is
                    // caught by the per-read limit instead.
                    .with_timeout_disabled()
                    .with_read_timeout(Duration::from_secs(60)),
            )
            // Retries hide a brief outage of the object store, but a PATCH should not hang for
            // the crate's default three minutes before the client hears about a real one.
            .with_retry(RetryConfig {
                max_retries: 5,
                retry_timeout: Duration::from_secs(30),
                ..RetryConfig::default()
            });
        if let Some(endpoint) = &config.endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        let s3 = builder.build().map_err(|e| {
            StorageError::Object(format!(
                "cannot set up the S3 client for {endpoint}: {e}; check s3.endpoint, s3.region \
                 and s3.allow_http"
            ))
        })?;
        let store = S3BlobStore {
            inner: Arc::new(Inner {
                s3,
                location,
                endpoint,
                part_size: usize::try_from(part_size).expect("part size below 5 GiB fits"),
                peak_buffer: AtomicUsize::new(0),
            }),
        };
        store.probe().await?;
        Ok(store)
    }

    async fn probe(&self) -> Result<()> {
        let i = &self.inner;
        let bucket = &i.location.bucket;
        let endpoint = &i.endpoint;
        // A HEAD of a key that need not exist: its errors are typed (403 is PermissionDenied);
        // a listing's are not, but only a listing tells a missing bucket from a missing key.
        match i.s3.head(&self.key_path(&["tails", ".probe"])).await {
            Ok(_) => {}
            Err(e) if is_not_found(&e) => {}
            Err(
                e @ (object_store::Error::PermissionDenied { .. }
                | object_store::Error::Unauthenticated { .. }),
            ) => {
                return Err(StorageError::Object(format!(
                    "S3 at {endpoint} refused the credentials for bucket {bucket:?}: check \
                     s3.access_key_id and s3.secret_access_key (or AWS_ACCESS_KEY_ID and \
                     AWS_SECRET_ACCESS_KEY) and the key's rights on the bucket ({e})"
                )));
            }
            Err(e) => {
                return Err(StorageError::Object(format!(
                    "cannot reach S3 at {endpoint} (bucket {bucket:?}): {e}; check s3.endpoint, \
                     s3.allow_http and that the object store is running"
                )));
            }
        }
        match i
            .s3
            .list_with_delimiter(Some(&self.key_path(&["tails"])))
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.to_string().contains("NoSuchBucket") || is_not_found(&e) => {
                Err(StorageError::Object(format!(
                    "S3 bucket {bucket:?} not found at {endpoint}: create it, or correct the \
                     bucket in `blobs` ({e})"
                )))
            }
            Err(e) => Err(StorageError::Object(format!(
                "S3 at {endpoint} refused to list bucket {bucket:?}: {e}; the key needs the \
                 rights to list, read, write and delete objects and multipart uploads there"
            ))),
        }
    }

    /// Bytes of capacity of the largest buffer a writer of this store has held so far.
    pub fn peak_buffer_bytes(&self) -> usize {
        self.inner.peak_buffer.load(Ordering::Relaxed)
    }

    /// The configured part size.
    pub fn part_size(&self) -> usize {
        self.inner.part_size
    }

    /// The underlying client, for tests that inspect the bucket directly.
    pub fn client(&self) -> &AmazonS3 {
        &self.inner.s3
    }

    fn key_path(&self, segments: &[&str]) -> Path {
        let prefix = &self.inner.location.prefix;
        let joined = if prefix.is_empty() {
            segments.join("/")
        } else {
            format!("{prefix}/{}", segments.join("/"))
        };
        Path::from(joined.as_str())
    }

    /// The completed blob's key, `<prefix>/<id>`.
    pub fn blob_path(&self, id: &str) -> Result<Path> {
        if !ids::is_valid_id(id) {
            return Err(StorageError::InvalidId);
        }
        Ok(self.key_path(&[id]))
    }

    fn tails_dir(&self, id: &str) -> Path {
        self.key_path(&["tails", id])
    }

    /// Deletes every tail object of `id` except `keep`.
    async fn delete_tails(&self, id: &str, keep: Option<&str>) -> Result<()> {
        let dir = self.tails_dir(id);
        let found: Vec<_> = self
            .inner
            .s3
            .list(Some(&dir))
            .try_collect()
            .await
            .map_err(|e| s3_err(format!("listing the tail objects of blob {id}"), e))?;
        for meta in found {
            if Some(meta.location.as_ref()) == keep {
                continue;
            }
            match self.inner.s3.delete(&meta.location).await {
                Ok(()) => {}
                Err(e) if is_not_found(&e) => {}
                Err(e) => return Err(s3_err(format!("deleting {}", meta.location), e)),
            }
        }
        Ok(())
    }

    fn note_buffer(&self, buf: &Vec<u8>) {
        self.inner
            .peak_buffer
            .fetch_max(buf.capacity(), Ordering::Relaxed);
    }
}

/// The resumable-write state recorded with each offset (as JSON in `transfers.blob_state`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct UploadState {
    /// Format version, so a later release can read (or refuse) what an older one recorded.
    v: u32,
    /// The multipart upload, once the first full part went up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    upload_id: Option<String>,
    /// Parts 1..=n in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    parts: Vec<Part>,
    /// The bytes after the last part, when there are any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tail: Option<Tail>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Part {
    etag: String,
    len: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Tail {
    key: String,
    len: u64,
}

const STATE_VERSION: u32 = 1;

impl UploadState {
    fn parse(id: &str, text: &str) -> Result<Self> {
        let state: UploadState = serde_json::from_str(text).map_err(|e| {
            StorageError::Corrupt(format!(
                "the recorded S3 upload state of blob {id} is unreadable ({e}); the upload must \
                 be restarted"
            ))
        })?;
        if state.v != STATE_VERSION {
            return Err(StorageError::Corrupt(format!(
                "the recorded S3 upload state of blob {id} has version {}, this store reads \
                 version {STATE_VERSION}; finish the upload on an instance of the same release",
                state.v
            )));
        }
        if !state.parts.is_empty() && state.upload_id.is_none() {
            return Err(StorageError::Corrupt(format!(
                "the recorded S3 upload state of blob {id} lists parts without an upload id; \
                 the upload must be restarted"
            )));
        }
        Ok(state)
    }

    fn parts_len(&self) -> u64 {
        self.parts.iter().map(|p| p.len).sum()
    }

    fn len(&self) -> u64 {
        self.parts_len() + self.tail.as_ref().map_or(0, |t| t.len)
    }
}

#[async_trait]
impl BlobStore for S3BlobStore {
    async fn open_writer(
        &self,
        id: &str,
        offset: u64,
        state: Option<&str>,
    ) -> Result<Box<dyn BlobWriter>> {
        let path = self.blob_path(id)?;
        let Some(text) = state else {
            if offset > 0 {
                // Without state only a completed blob can be continued: a retry of `complete`.
                return match self.inner.s3.head(&path).await {
                    Ok(meta) if meta.size == offset => Ok(Box::new(S3Writer::completed(
                        self.clone(),
                        id,
                        path,
                        offset,
                    ))),
                    Ok(meta) => Err(StorageError::Corrupt(format!(
                        "blob {id} holds {} bytes in S3 but the recorded offset is {offset} \
                         with no upload state; the upload must be restarted",
                        meta.size
                    ))),
                    Err(e) if is_not_found(&e) => Err(StorageError::Corrupt(format!(
                        "blob {id} has no recorded S3 upload state for offset {offset} and no \
                         object; the upload must be restarted from 0"
                    ))),
                    Err(e) => Err(s3_err(format!("looking up blob {id}"), e)),
                };
            }
            // A fresh upload: whatever an earlier attempt left behind goes.
            self.delete_tails(id, None).await?;
            return Ok(Box::new(S3Writer::new(
                self.clone(),
                id,
                path,
                UploadState {
                    v: STATE_VERSION,
                    ..UploadState::default()
                },
                Vec::new(),
            )));
        };
        let recorded = UploadState::parse(id, text)?;
        if recorded.len() != offset {
            return Err(StorageError::Corrupt(format!(
                "the recorded S3 upload state of blob {id} covers {} bytes but the offset is \
                 {offset}; the upload must be restarted",
                recorded.len()
            )));
        }
        // Tails of checkpoints that were never recorded (or were superseded) go now.
        let keep = recorded.tail.as_ref().map(|t| t.key.as_str());
        self.delete_tails(id, keep).await?;
        let tail = match &recorded.tail {
            None => Vec::new(),
            Some(t) => {
                let got = self
                    .inner
                    .s3
                    .get(&Path::from(t.key.as_str()))
                    .await
                    .map(|r| r.into_stream())
                    .map_err(|e| s3_err(format!("reading the tail object of blob {id}"), e))?;
                let mut buf = Vec::with_capacity(self.inner.part_size);
                let mut stream = got;
                while let Some(chunk) = stream.next().await {
                    let chunk = chunk
                        .map_err(|e| s3_err(format!("reading the tail object of blob {id}"), e))?;
                    if buf.len() + chunk.len() > t.len as usize {
                        break;
                    }
                    buf.extend_from_slice(&chunk);
                }
                if buf.len() as u64 != t.len {
                    return Err(StorageError::Corrupt(format!(
                        "the tail object of blob {id} does not hold the {} recorded bytes; the \
                         upload must be restarted",
                        t.len
                    )));
                }
                buf
            }
        };
        Ok(Box::new(S3Writer::new(
            self.clone(),
            id,
            path,
            recorded,
            tail,
        )))
    }

    async fn len(&self, id: &str) -> Result<Option<u64>> {
        let path = self.blob_path(id)?;
        match self.inner.s3.head(&path).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(s3_err(format!("looking up blob {id}"), e)),
        }
    }

    async fn truncate(&self, id: &str, len: u64) -> Result<()> {
        if len == 0 {
            // A reset: the completed object and any tails go. An unfinished multipart upload
            // is aborted by `delete` with its recorded state (the caller records state `None`).
            return self.delete(id, None).await;
        }
        Err(StorageError::Object(format!(
            "the S3 blob backend cannot cut blob {id} to {len} bytes: S3 objects are immutable \
             and resumable uploads keep their state with the offset (only a reset to 0 is \
             possible)"
        )))
    }

    async fn read(&self, id: &str, start: u64, len: u64) -> Result<BlobReader> {
        let path = self.blob_path(id)?;
        if len == 0 {
            return Ok(Box::pin(tokio::io::empty()));
        }
        let options = GetOptions {
            range: Some(GetRange::Bounded(start..start.saturating_add(len))),
            ..GetOptions::default()
        };
        let got = self
            .inner
            .s3
            .get_opts(&path, options)
            .await
            .map_err(|e| s3_err(format!("reading blob {id} from byte {start}"), e))?;
        let stream = got.into_stream().map_err(std::io::Error::other);
        Ok(Box::pin(tokio_util::io::StreamReader::new(stream)))
    }

    async fn delete(&self, id: &str, state: Option<&str>) -> Result<()> {
        let path = self.blob_path(id)?;
        match self.inner.s3.delete(&path).await {
            Ok(()) => {}
            Err(e) if is_not_found(&e) => {}
            Err(e) => return Err(s3_err(format!("deleting blob {id}"), e)),
        }
        match state.map(|s| UploadState::parse(id, s)) {
            Some(Ok(UploadState {
                upload_id: Some(upload),
                ..
            })) => match self.inner.s3.abort_multipart(&path, &upload).await {
                Ok(()) => {}
                // Already completed or aborted.
                Err(e) if is_not_found(&e) => {}
                Err(e) => {
                    return Err(s3_err(
                        format!("aborting the multipart upload of blob {id}"),
                        e,
                    ));
                }
            },
            Some(Err(e)) => {
                // Deleting must not get stuck on a state it cannot read; the bucket's
                // lifecycle rule for incomplete multipart uploads is the backstop.
                tracing::warn!(error = %e, "unreadable blob state at delete; tails still removed");
            }
            _ => {}
        }
        self.delete_tails(id, None).await
    }
}

struct S3Writer {
    store: S3BlobStore,
    id: String,
    path: Path,
    /// Parts uploaded so far (including any since the last checkpoint) and the last tail.
    state: UploadState,
    /// The state of the last checkpoint this writer returned (or was opened with).
    checkpoint: UploadState,
    /// The bytes after the last uploaded part; never more than `part_size`.
    buf: Vec<u8>,
    /// Bytes were written since the last checkpoint.
    dirty: bool,
    /// Set when the blob was already complete at `open_writer` (a retried completion).
    completed: Option<u64>,
}

impl S3Writer {
    fn new(store: S3BlobStore, id: &str, path: Path, state: UploadState, tail: Vec<u8>) -> Self {
        let mut buf = Vec::with_capacity(store.inner.part_size);
        buf.extend_from_slice(&tail);
        store.note_buffer(&buf);
        S3Writer {
            store,
            id: id.to_string(),
            path,
            checkpoint: state.clone(),
            state,
            buf,
            dirty: false,
            completed: None,
        }
    }

    fn completed(store: S3BlobStore, id: &str, path: Path, len: u64) -> Self {
        S3Writer {
            store,
            id: id.to_string(),
            path,
            state: UploadState::default(),
            checkpoint: UploadState::default(),
            buf: Vec::new(),
            dirty: false,
            completed: Some(len),
        }
    }

    fn s3(&self) -> &AmazonS3 {
        &self.store.inner.s3
    }

    fn len(&self) -> u64 {
        self.state.parts_len() + self.buf.len() as u64
    }

    /// Uploads the buffer as the next part and starts a fresh buffer.
    async fn upload_part(&mut self) -> Result<()> {
        let id = self.id.clone();
        if self.state.parts.len() >= MAX_PARTS {
            return Err(StorageError::Object(format!(
                "blob {id} would need more than {MAX_PARTS} parts; raise s3.part_size"
            )));
        }
        let upload = match &self.state.upload_id {
            Some(u) => u.clone(),
            None => {
                let u = self.s3().create_multipart(&self.path).await.map_err(|e| {
                    s3_err(format!("starting the multipart upload of blob {id}"), e)
                })?;
                self.state.upload_id = Some(u.clone());
                u
            }
        };
        let number = self.state.parts.len();
        // The old buffer moves into the request and is freed when it returns; the new one is
        // allocated only afterwards, so one upload never holds two part-sized buffers.
        let data = Bytes::from(std::mem::take(&mut self.buf));
        let len = data.len() as u64;
        let part = self
            .s3()
            .put_part(&self.path, &upload, number, PutPayload::from(data))
            .await
            .map_err(|e| s3_err(format!("uploading part {} of blob {id}", number + 1), e))?;
        self.buf = Vec::with_capacity(self.store.inner.part_size);
        self.store.note_buffer(&self.buf);
        self.state.parts.push(Part {
            etag: part.content_id,
            len,
        });
        Ok(())
    }

    fn refuse_if_completed(&self) -> Result<()> {
        match self.completed {
            Some(len) => Err(StorageError::Object(format!(
                "blob {} is already complete at {len} bytes; nothing more can be written",
                self.id
            ))),
            None => Ok(()),
        }
    }

    fn checkpoint_of(&self, state: &UploadState) -> Result<Checkpoint> {
        let len = state.len();
        if len == 0 && state.upload_id.is_none() {
            return Ok(Checkpoint { len, state: None });
        }
        let text = serde_json::to_string(state)
            .map_err(|e| StorageError::Object(format!("cannot encode the S3 upload state: {e}")))?;
        Ok(Checkpoint {
            len,
            state: Some(text),
        })
    }
}

#[async_trait]
impl BlobWriter for S3Writer {
    async fn write(&mut self, mut data: &[u8]) -> Result<()> {
        self.refuse_if_completed()?;
        let part_size = self.store.inner.part_size;
        while !data.is_empty() {
            let room = part_size - self.buf.len();
            let (now, later) = data.split_at(room.min(data.len()));
            self.buf.extend_from_slice(now);
            self.dirty = true;
            data = later;
            if self.buf.len() == part_size {
                self.upload_part().await?;
            }
        }
        self.store.note_buffer(&self.buf);
        Ok(())
    }

    async fn sync(&mut self) -> Result<Checkpoint> {
        if let Some(len) = self.completed {
            return Ok(Checkpoint { len, state: None });
        }
        if !self.dirty {
            return self.checkpoint_of(&self.checkpoint);
        }
        let len = self.len();
        self.state.tail = if self.buf.is_empty() {
            None
        } else {
            // Unique per checkpoint: a later session that starts again from an earlier
            // recorded state never overwrites a tail another recorded state names.
            let suffix: u64 = rand::random();
            let key = self
                .store
                .key_path(&["tails", &self.id, &format!("{len}-{suffix:016x}")]);
            self.s3()
                .put(&key, PutPayload::from(self.buf.clone()))
                .await
                .map_err(|e| s3_err(format!("storing the tail of blob {}", self.id), e))?;
            Some(Tail {
                key: key.to_string(),
                len: self.buf.len() as u64,
            })
        };
        self.checkpoint = self.state.clone();
        self.dirty = false;
        self.checkpoint_of(&self.checkpoint)
    }

    async fn commit(mut self: Box<Self>) -> Result<Checkpoint> {
        self.sync().await
    }

    async fn complete(mut self: Box<Self>) -> Result<u64> {
        if let Some(len) = self.completed {
            return Ok(len);
        }
        let id = self.id.clone();
        let total = self.len();
        match self.state.upload_id.clone() {
            None => {
                // Smaller than one part: a single PUT.
                let data = Bytes::from(std::mem::take(&mut self.buf));
                self.s3()
                    .put(&self.path, PutPayload::from(data))
                    .await
                    .map_err(|e| s3_err(format!("storing blob {id}"), e))?;
            }
            Some(upload) => {
                if !self.buf.is_empty() {
                    self.upload_part().await?;
                }
                let parts: Vec<PartId> = self
                    .state
                    .parts
                    .iter()
                    .map(|p| PartId {
                        content_id: p.etag.clone(),
                    })
                    .collect();
                self.s3()
                    .complete_multipart(&self.path, &upload, parts)
                    .await
                    .map_err(|e| {
                        s3_err(format!("completing the multipart upload of blob {id}"), e)
                    })?;
            }
        }
        // The object store assembled what we listed; check it holds what we counted.
        let stored = self
            .s3()
            .head(&self.path)
            .await
            .map_err(|e| s3_err(format!("looking up blob {id} after completing it"), e))?
            .size;
        if stored != total {
            return Err(StorageError::Corrupt(format!(
                "blob {id} was completed with {stored} bytes in S3 instead of {total}; the \
                 upload must be restarted"
            )));
        }
        // The blob is whole; a tail left by a failed delete is removed with the blob later, so
        // it must not turn a completed upload into a failed request.
        if let Err(e) = self.store.delete_tails(&id, None).await {
            tracing::warn!(error = %e, "tails left after completing a blob");
        }
        Ok(total)
    }

    async fn abort(self: Box<Self>) -> Result<()> {
        // Nothing to undo: tails are only written at checkpoints, and parts uploaded since
        // the last one are not in any recorded state, so the next session overwrites them.
        // Dropping the buffer discards the rest.
        Ok(())
    }
}
