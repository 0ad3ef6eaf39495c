//! The embedded blob backend: one file per transfer under `data_dir/blobs/<2 chars>/<id>`.
//!
//! Paths are built only from server-generated ids, checked again here so that no caller can
//! ever reach outside the blob directory. Files are 0600 and directories 0700.

use std::io::SeekFrom;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use tokio::fs::{File, OpenOptions};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt, BufWriter};

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

#[derive(Debug)]
struct FsWriter {
    // Buffered so the many small frames of an HTTP body become few blocking writes.
    file: BufWriter<File>,
    start: u64,
    len: u64,
}

#[async_trait]
impl BlobWriter for FsWriter {
    async fn write(&mut self, data: &[u8]) -> Result<()> {
        self.file.write_all(data).await?;
        self.len += data.len() as u64;
        Ok(())
    }

    async fn sync(&mut self) -> Result<Checkpoint> {
        self.file.flush().await?;
        self.file.get_ref().sync_data().await?;
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
        self.file.flush().await?;
        self.file.get_ref().set_len(self.start).await?;
        self.file.get_ref().sync_data().await?;
        Ok(())
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
        Ok(Box::new(FsWriter {
            file: BufWriter::with_capacity(1 << 20, file),
            start: offset,
            len: offset,
        }))
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
