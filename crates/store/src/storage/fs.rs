//! The embedded blob backend: one file per transfer under `data_dir/blobs/<2 chars>/<id>`.
//!
//! Paths are built only from server-generated ids, checked again here so that no caller can
//! ever reach outside the blob directory. Files are 0600 and directories 0700.

use std::io::SeekFrom;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use tokio::fs::{File, OpenOptions};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::{BlobReader, BlobStore, BlobWriter, Checkpoint, Result, StorageError};
use crate::ids;

#[derive(Debug, Clone)]
pub struct FsBlobStore {
    root: PathBuf,
}

impl FsBlobStore {
    /// Uses (creating) `root` as the blob directory.
    pub fn open(root: &Path) -> Result<Self> {
        create_private_dir(root)?;
        Ok(FsBlobStore {
            root: root.to_path_buf(),
        })
    }

    fn path(&self, id: &str) -> Result<PathBuf> {
        if !ids::is_valid_id(id) {
            return Err(StorageError::InvalidId);
        }
        Ok(self.root.join(&id[..2]).join(id))
    }
}

pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

async fn sync_dir(dir: &Path) -> std::io::Result<()> {
    // A new file's directory entry is durable only once the directory is synced.
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || std::fs::File::open(&dir)?.sync_all())
        .await
        .map_err(std::io::Error::other)?
}

/// Bytes gathered from the many small frames of an HTTP body before one blocking write.
const WRITE_BUF: usize = 1 << 20;
/// Bytes written between two background flushes (see [`FsWriter`]).
const WRITE_BEHIND: u64 = 16 << 20;

type Pending<T> = tokio::task::JoinHandle<std::io::Result<T>>;

/// Appends to a blob file from the async side without stalling it on the disk:
/// - writes of [`WRITE_BUF`] bytes run on the blocking pool, one at a time, while the next
///   buffer fills (the buffer moves to the write and comes back; no extra copy);
/// - every [`WRITE_BEHIND`] bytes a background `fdatasync` starts the disk on what is written
///   so far. Without it the kernel keeps the whole upload dirty in memory and every checkpoint
///   (and the completion) waits for the disk while the request body waits on the socket; with
///   it, a checkpoint finds little left to write. Checkpoints still make their own `fdatasync`,
///   which is what durability rests on; a background flush's error fails the next one too.
struct FsWriter {
    file: std::sync::Arc<std::fs::File>,
    buf: Vec<u8>,
    spare: Option<Vec<u8>>,
    writing: Option<Pending<Vec<u8>>>,
    flushing: Option<Pending<()>>,
    unflushed: u64,
    start: u64,
    len: u64,
}

async fn joined<T>(task: Pending<T>) -> std::io::Result<T> {
    task.await.map_err(std::io::Error::other)?
}

impl FsWriter {
    fn new(file: std::fs::File, offset: u64) -> Self {
        FsWriter {
            file: std::sync::Arc::new(file),
            buf: Vec::with_capacity(WRITE_BUF),
            spare: None,
            writing: None,
            flushing: None,
            unflushed: 0,
            start: offset,
            len: offset,
        }
    }

    /// Waits for the write in flight and keeps its buffer for the next one.
    async fn written(&mut self) -> Result<()> {
        if let Some(task) = self.writing.take() {
            let mut back = joined(task).await?;
            back.clear();
            self.spare = Some(back);
        }
        Ok(())
    }

    /// Hands the gathered bytes to a blocking write (after the previous one finished).
    async fn submit(&mut self) -> Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.written().await?;
        let next = self
            .spare
            .take()
            .unwrap_or_else(|| Vec::with_capacity(WRITE_BUF));
        let full = std::mem::replace(&mut self.buf, next);
        self.start_write(full).await
    }

    /// Starts the blocking write of `full` (the previous one has finished), and a background
    /// flush when enough has been written since the last.
    async fn start_write(&mut self, full: Vec<u8>) -> Result<()> {
        debug_assert!(self.writing.is_none());
        self.unflushed += full.len() as u64;
        let file = self.file.clone();
        self.writing = Some(tokio::task::spawn_blocking(move || {
            use std::io::Write;
            (&*file).write_all(&full)?;
            Ok(full)
        }));
        if self.unflushed >= WRITE_BEHIND && self.flushing.as_ref().is_none_or(|f| f.is_finished())
        {
            if let Some(done) = self.flushing.take() {
                joined(done).await?;
            }
            self.unflushed = 0;
            let file = self.file.clone();
            self.flushing = Some(tokio::task::spawn_blocking(move || file.sync_data()));
        }
        Ok(())
    }

    /// Everything written reaches the file, and no background flush is running.
    async fn settle(&mut self) -> Result<()> {
        self.submit().await?;
        self.written().await?;
        if let Some(done) = self.flushing.take() {
            joined(done).await?;
        }
        Ok(())
    }

    async fn blocking<T: Send + 'static>(
        &self,
        op: impl FnOnce(&std::fs::File) -> std::io::Result<T> + Send + 'static,
    ) -> Result<T> {
        let file = self.file.clone();
        Ok(joined(tokio::task::spawn_blocking(move || op(&file))).await?)
    }
}

#[async_trait]
impl BlobWriter for FsWriter {
    async fn write(&mut self, data: &[u8]) -> Result<()> {
        let mut rest = data;
        while !rest.is_empty() {
            let n = (WRITE_BUF - self.buf.len()).min(rest.len());
            self.buf.extend_from_slice(&rest[..n]);
            rest = &rest[n..];
            if self.buf.len() == WRITE_BUF {
                self.submit().await?;
            }
        }
        self.len += data.len() as u64;
        Ok(())
    }

    async fn write_owned(&mut self, data: Vec<u8>) -> Result<Vec<u8>> {
        if !self.buf.is_empty() || data.len() < WRITE_BUF / 2 {
            self.write(&data).await?;
            let mut data = data;
            data.clear();
            return Ok(data);
        }
        // Nothing is gathered: the caller's buffer goes out as it is, and the caller gets back
        // the one the previous write has finished with.
        self.written().await?;
        self.len += data.len() as u64;
        self.start_write(data).await?;
        Ok(self
            .spare
            .take()
            .unwrap_or_else(|| Vec::with_capacity(WRITE_BUF)))
    }

    async fn sync(&mut self) -> Result<Checkpoint> {
        self.settle().await?;
        self.blocking(|f| f.sync_data()).await?;
        self.start = self.len;
        Ok(Checkpoint {
            len: self.len,
            state: None,
        })
    }

    async fn commit(mut self: Box<Self>) -> Result<Checkpoint> {
        self.sync().await
    }

    async fn complete(mut self: Box<Self>) -> Result<u64> {
        Ok(self.sync().await?.len)
    }

    async fn abort(mut self: Box<Self>) -> Result<()> {
        self.settle().await?;
        let start = self.start;
        self.blocking(move |f| {
            f.set_len(start)?;
            f.sync_data()
        })
        .await
    }
}

#[async_trait]
impl BlobStore for FsBlobStore {
    async fn open_writer(
        &self,
        id: &str,
        offset: u64,
        _state: Option<&str>,
    ) -> Result<Box<dyn BlobWriter>> {
        let path = self.path(id)?;
        let dir = path.parent().expect("blob path has a parent").to_path_buf();
        let existed = tokio::fs::try_exists(&path).await?;
        if !existed {
            create_private_dir(&dir)?;
        }
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true);
        #[cfg(unix)]
        options.mode(0o600);
        let mut file = options.open(&path).await?;
        if !existed {
            sync_dir(&dir).await?;
        }
        let current = file.metadata().await?.len();
        if current < offset {
            return Err(StorageError::Corrupt(format!(
                "blob holds {current} bytes, fewer than the recorded offset {offset}"
            )));
        }
        if current > offset {
            file.set_len(offset).await?;
            file.sync_data().await?;
        }
        file.seek(SeekFrom::Start(offset)).await?;
        Ok(Box::new(FsWriter::new(file.into_std().await, offset)))
    }

    async fn len(&self, id: &str) -> Result<Option<u64>> {
        match tokio::fs::metadata(self.path(id)?).await {
            Ok(m) => Ok(Some(m.len())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn truncate(&self, id: &str, len: u64) -> Result<()> {
        let file = OpenOptions::new().write(true).open(self.path(id)?).await?;
        file.set_len(len).await?;
        file.sync_data().await?;
        Ok(())
    }

    async fn read(&self, id: &str, start: u64, len: u64) -> Result<BlobReader> {
        let mut file = File::open(self.path(id)?).await?;
        file.seek(SeekFrom::Start(start)).await?;
        Ok(Box::pin(file.take(len)))
    }

    async fn delete(&self, id: &str, _state: Option<&str>) -> Result<()> {
        match tokio::fs::remove_file(self.path(id)?).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}
