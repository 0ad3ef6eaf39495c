//! Planning and streaming encryption of a package.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use super::age_write::{AgeWriteError, AgeWriter, StreamKeys};
use super::error::EncryptError;
use super::format::{
    Details, FORMAT_VERSION, FileEntry, FileHash, MAX_FILES, MAX_MANIFEST_LEN, MAX_RECIPIENTS,
    Manifest, SenderScan, age_encrypted_len, file_hash_of, normalize_time, payload_prefix,
};
use super::inspect::{Inspector, NoInspection};
use super::{Cancel, Progress};

/// Files are read with buffers this large (few system calls) ...
const READ_BUF: usize = 256 * 1024;
/// ... and at most this many are in flight between the reading and the encrypting thread:
/// 1 MiB in all, whatever the file sizes.
const READ_BUFFERS: usize = 4;

/// A package ready to be encrypted: the files are stat'ed, the manifest is built and
/// serialised, and every length is known.
///
/// The manifest bytes are fixed here, so [`Plan::encrypted_len`] is exactly what
/// [`encrypt`] writes (it is announced as the tus `Upload-Length` before encryption starts).
#[derive(Clone, Debug)]
pub struct Plan {
    manifest: Manifest,
    manifest_json: Vec<u8>,
    files: Vec<PlannedFile>,
    payload_len: u64,
    /// The payload format written: this build's for a new plan, the saved manifest's for one
    /// rebuilt to resume an upload (so the bytes match what the store already has).
    version: u8,
    file_hash: FileHash,
}

#[derive(Clone, Debug)]
struct PlannedFile {
    path: PathBuf,
    size: u64,
}

impl Plan {
    /// Stats every file and builds the manifest. Each file is listed under its base name
    /// (the folders it came from are not revealed). Refuses RAHSIA and RAHSIA BESAR, and more
    /// than [`MAX_FILES`] files (the limit the recipient's side enforces), before touching any
    /// file.
    pub fn new<I, P>(details: Details, paths: I) -> Result<Plan, EncryptError>
    where
        I: IntoIterator<Item = P>,
        P: AsRef<Path>,
    {
        let classification = details.classification.check_sendable()?;
        let created_at = normalize_time(details.created_at);
        let expires_at = normalize_time(details.expires_at);
        if expires_at <= created_at {
            return Err(EncryptError::InvalidDetails {
                reason: "expiry is not after creation",
            });
        }

        let paths: Vec<P> = paths.into_iter().collect();
        if paths.len() > MAX_FILES {
            return Err(EncryptError::TooManyFiles {
                count: paths.len(),
                max: MAX_FILES,
            });
        }
        let mut files = Vec::with_capacity(paths.len());
        let mut entries = Vec::with_capacity(paths.len());
        for path in &paths {
            let path = path.as_ref();
            let meta = std::fs::metadata(path).map_err(|e| EncryptError::io(path, e))?;
            if !meta.is_file() {
                return Err(EncryptError::NotAFile {
                    path: path.to_owned(),
                });
            }
            let name = match path.file_name() {
                Some(n) => n.to_string_lossy().into_owned(),
                None => {
                    return Err(EncryptError::NotAFile {
                        path: path.to_owned(),
                    });
                }
            };
            entries.push(FileEntry {
                name,
                size: meta.len(),
            });
            files.push(PlannedFile {
                path: path.to_owned(),
                size: meta.len(),
            });
        }

        let manifest = Manifest {
            format_version: u32::from(FORMAT_VERSION),
            classification,
            sender: details.sender,
            created_at,
            expires_at,
            subject: details.subject,
            message: details.message,
            files: entries,
            scan: details.scan.map(|scan| SenderScan {
                signatures_date: scan.signatures_date.map(normalize_time),
                scanned_at: normalize_time(scan.scanned_at),
                ..scan
            }),
        };
        let manifest_json = serde_json::to_vec(&manifest).map_err(|_| {
            // Only an out-of-range date (year outside 0000..=9999) fails to serialise.
            EncryptError::InvalidDetails {
                reason: "date out of range",
            }
        })?;
        let manifest_len = manifest_json.len() as u64;
        if manifest_len > u64::from(MAX_MANIFEST_LEN) {
            return Err(EncryptError::ManifestTooLarge {
                len: manifest_len,
                max: u64::from(MAX_MANIFEST_LEN),
            });
        }
        let payload_len =
            manifest
                .payload_len(manifest_len)
                .ok_or(EncryptError::InvalidDetails {
                    reason: "total size overflows",
                })?;
        Ok(Plan {
            manifest,
            manifest_json,
            files,
            payload_len,
            version: FORMAT_VERSION,
            file_hash: FileHash::CURRENT,
        })
    }

    /// Rebuilds the plan of an earlier run from its exact manifest bytes ([`Plan::manifest_json`])
    /// and the same paths, so that encrypting it again with the same [`StreamKeys`] gives the
    /// same ciphertext. Every file must still have the size the manifest gives it.
    pub fn from_manifest_json(json: &[u8], paths: &[PathBuf]) -> Result<Plan, EncryptError> {
        let manifest: Manifest =
            serde_json::from_slice(json).map_err(|_| EncryptError::InvalidDetails {
                reason: "the saved manifest is damaged",
            })?;
        manifest.classification.check_sendable()?;
        let version = u8::try_from(manifest.format_version).unwrap_or(u8::MAX);
        let file_hash = file_hash_of(u64::from(version)).ok_or(EncryptError::InvalidDetails {
            reason: "the saved manifest is of an unknown format",
        })?;
        if json.len() as u64 > u64::from(MAX_MANIFEST_LEN) {
            return Err(EncryptError::ManifestTooLarge {
                len: json.len() as u64,
                max: u64::from(MAX_MANIFEST_LEN),
            });
        }
        if manifest.files.len() > MAX_FILES {
            return Err(EncryptError::TooManyFiles {
                count: manifest.files.len(),
                max: MAX_FILES,
            });
        }
        if manifest.files.len() != paths.len() {
            return Err(EncryptError::InvalidDetails {
                reason: "the saved manifest lists other files",
            });
        }
        let mut files = Vec::with_capacity(paths.len());
        for (path, entry) in paths.iter().zip(&manifest.files) {
            let meta = std::fs::metadata(path).map_err(|e| EncryptError::io(path, e))?;
            if !meta.is_file() {
                return Err(EncryptError::NotAFile { path: path.clone() });
            }
            if meta.len() != entry.size {
                return Err(EncryptError::FileChanged {
                    path: path.clone(),
                    expected: entry.size,
                    found: meta.len(),
                });
            }
            files.push(PlannedFile {
                path: path.clone(),
                size: entry.size,
            });
        }
        let payload_len =
            manifest
                .payload_len(json.len() as u64)
                .ok_or(EncryptError::InvalidDetails {
                    reason: "total size overflows",
                })?;
        Ok(Plan {
            manifest,
            manifest_json: json.to_vec(),
            files,
            payload_len,
            version,
            file_hash,
        })
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The manifest exactly as it is encrypted (JSON), for [`Plan::from_manifest_json`]. It
    /// holds the subject, message and file names: keep it as confidential as the files.
    pub fn manifest_json(&self) -> &[u8] {
        &self.manifest_json
    }

    /// The files, in payload order.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|f| f.path.as_path())
    }

    /// The plaintext payload length: prefix, manifest, and every file with its hash.
    pub fn payload_len(&self) -> u64 {
        self.payload_len
    }

    /// The exact length of the age file [`encrypt`] writes for `recipients` X25519
    /// recipients: header, nonce, and a 16-byte tag per 64 KiB chunk (at least one chunk).
    pub fn encrypted_len(&self, recipients: usize) -> u64 {
        age_encrypted_len(self.payload_len, recipients)
    }
}

/// Counts what goes out, to check the announced length against the real one.
struct CountingWriter<W> {
    inner: W,
    written: u64,
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A fresh file key and nonce, and the age header for `recipients` (one X25519 stanza each).
pub fn stream_keys(recipients: &[age::x25519::Recipient]) -> Result<StreamKeys, EncryptError> {
    if recipients.is_empty() {
        return Err(EncryptError::NoRecipients);
    }
    if recipients.len() > MAX_RECIPIENTS {
        return Err(EncryptError::TooManyRecipients {
            count: recipients.len(),
            max: MAX_RECIPIENTS,
        });
    }
    StreamKeys::generate(recipients).map_err(|e| match e {
        AgeWriteError::Io(source) => EncryptError::Write { source },
        AgeWriteError::Wrap(detail) => EncryptError::Internal {
            detail: format!("age: {detail}"),
        },
    })
}

/// Encrypts `plan` to `recipients` (one age X25519 stanza each) into `out`, streaming: each
/// file is read once, in 256 KiB reads, hashed (on a helper thread) and encrypted on the way.
/// Memory use (about 1 MiB of buffers) does not depend on the file sizes.
///
/// `progress` is called after every buffer with plaintext payload bytes done / total; `cancel`
/// is checked between buffers. On error the output holds a partial age file that will never
/// decrypt; the caller discards it (and the tus upload). Returns `out` once everything,
/// including the final chunk, is written and flushed.
pub fn encrypt<W: Write>(
    plan: &Plan,
    recipients: &[age::x25519::Recipient],
    out: W,
    progress: &mut dyn FnMut(Progress),
    cancel: &Cancel,
) -> Result<W, EncryptError> {
    if cancel.is_cancelled() {
        return Err(EncryptError::Cancelled);
    }
    let keys = stream_keys(recipients)?;
    encrypt_with(plan, &keys, out, progress, cancel)
}

/// Like [`encrypt`], with given keys: the same plan and keys always give the same bytes, so a
/// caller that kept `keys` (the file key in a secret store) can produce any part of the
/// ciphertext again, e.g. to resume an upload.
pub fn encrypt_with<W: Write>(
    plan: &Plan,
    keys: &StreamKeys,
    out: W,
    progress: &mut dyn FnMut(Progress),
    cancel: &Cancel,
) -> Result<W, EncryptError> {
    encrypt_inspected(plan, keys, out, progress, cancel, &mut NoInspection)
}

/// Like [`encrypt_with`], showing every file's plaintext to `inspector` as it is read (the
/// same single read that feeds the encryption). Each file's [`Inspector::end`] comes before
/// its hash is written, so when the inspector stops ([`EncryptError::Stopped`]) the output
/// lacks at least that hash and the final chunk: it can never be completed or decrypted.
pub fn encrypt_inspected<W: Write>(
    plan: &Plan,
    keys: &StreamKeys,
    out: W,
    progress: &mut dyn FnMut(Progress),
    cancel: &Cancel,
    inspector: &mut dyn Inspector,
) -> Result<W, EncryptError> {
    if cancel.is_cancelled() {
        return Err(EncryptError::Cancelled);
    }

    let counted = CountingWriter {
        inner: out,
        written: 0,
    };
    let mut stream = AgeWriter::new(keys, counted).map_err(|e| match e {
        AgeWriteError::Io(source) => EncryptError::Write { source },
        AgeWriteError::Wrap(detail) => EncryptError::Internal {
            detail: format!("age: {detail}"),
        },
    })?;

    let total = plan.payload_len;
    let mut done = 0u64;
    let manifest_len = plan.manifest_json.len() as u32; // <= MAX_MANIFEST_LEN, checked by Plan::new
    let prefix = payload_prefix(plan.version, manifest_len);
    write_out(&mut stream, &prefix)?;
    write_out(&mut stream, &plan.manifest_json)?;
    done += (prefix.len() + plan.manifest_json.len()) as u64;
    progress(Progress { done, total });

    // Reading and hashing run on a second thread while this one encrypts and writes, so the
    // two costs overlap on a multi-core machine. At most READ_BUFFERS buffers are in flight,
    // so memory stays constant.
    std::thread::scope(|scope| -> Result<(), EncryptError> {
        let (data_tx, data_rx) = mpsc::sync_channel::<Chunk>(READ_BUFFERS);
        let (pool_tx, pool_rx) = mpsc::sync_channel::<Vec<u8>>(READ_BUFFERS);
        for _ in 0..READ_BUFFERS {
            // Cannot fail: the channel has room for every buffer and the receiver is alive.
            let _ = pool_tx.send(vec![0u8; READ_BUF]);
        }
        let files = &plan.files;
        let file_hash = plan.file_hash;
        scope.spawn(move || read_files(files, file_hash, &data_tx, &pool_rx));

        // Returning early (error, cancel) drops `data_rx` and `pool_tx`, which stops the
        // reader at its next send or receive; the scope then joins it.
        for (index, entry) in plan.manifest.files.iter().enumerate() {
            inspector
                .begin(index, &entry.name)
                .map_err(|_| EncryptError::Stopped)?;
            loop {
                match data_rx.recv() {
                    Ok(Chunk::Data(buf, n)) => {
                        inspector
                            .bytes(&buf[..n])
                            .map_err(|_| EncryptError::Stopped)?;
                        write_out(&mut stream, &buf[..n])?;
                        done += n as u64;
                        progress(Progress { done, total });
                        if cancel.is_cancelled() {
                            return Err(EncryptError::Cancelled);
                        }
                        let _ = pool_tx.send(buf);
                    }
                    Ok(Chunk::End(hash)) => {
                        inspector.end().map_err(|_| EncryptError::Stopped)?;
                        write_out(&mut stream, &hash)?;
                        done += hash.len() as u64;
                        break;
                    }
                    Ok(Chunk::Failed(e)) => return Err(e),
                    Err(mpsc::RecvError) => {
                        return Err(EncryptError::Internal {
                            detail: "file reader stopped".into(),
                        });
                    }
                }
            }
        }
        Ok(())
    })?;
    if cancel.is_cancelled() {
        return Err(EncryptError::Cancelled);
    }

    let mut counted = stream
        .finish()
        .map_err(|source| EncryptError::Write { source })?;
    counted
        .flush()
        .map_err(|source| EncryptError::Write { source })?;
    let expected = keys.encrypted_len(plan.payload_len);
    if counted.written != expected {
        // The announced Upload-Length would be wrong: better to fail here than at the store.
        return Err(EncryptError::Internal {
            detail: format!("wrote {} bytes, announced {expected}", counted.written),
        });
    }
    progress(Progress { done, total });
    Ok(counted.inner)
}

fn write_out<W: Write>(w: &mut W, bytes: &[u8]) -> Result<(), EncryptError> {
    w.write_all(bytes)
        .map_err(|source| EncryptError::Write { source })
}

/// What the reader thread hands to the encrypting thread.
enum Chunk {
    /// A buffer (from the pool) with this many bytes of the current file.
    Data(Vec<u8>, usize),
    /// The current file is complete; its hash.
    End([u8; 32]),
    Failed(EncryptError),
}

/// Why the reader thread stopped reading a file.
enum Halt {
    /// The encrypting side hung up (error or cancel): stop quietly.
    Stopped,
    Failed(EncryptError),
}

impl From<EncryptError> for Halt {
    fn from(e: EncryptError) -> Self {
        Halt::Failed(e)
    }
}

/// Reader thread: every file in order, read in large buffers and hashed.
fn read_files(
    files: &[PlannedFile],
    file_hash: FileHash,
    tx: &mpsc::SyncSender<Chunk>,
    pool: &mpsc::Receiver<Vec<u8>>,
) {
    for file in files {
        let msg = match read_one(file, file_hash, tx, pool) {
            Ok(hash) => Chunk::End(hash),
            Err(Halt::Stopped) => return,
            Err(Halt::Failed(e)) => Chunk::Failed(e),
        };
        let failed = matches!(msg, Chunk::Failed(_));
        if tx.send(msg).is_err() || failed {
            return;
        }
    }
}

/// Reads one file, sending its bytes, and returns its hash. The file must be exactly the
/// planned size: a file that shrinks or grows (still being written) is an error, because the
/// announced length and the manifest would be wrong.
fn read_one(
    file: &PlannedFile,
    file_hash: FileHash,
    tx: &mpsc::SyncSender<Chunk>,
    pool: &mpsc::Receiver<Vec<u8>>,
) -> Result<[u8; 32], Halt> {
    let path = &file.path;
    let mut f = File::open(path).map_err(|e| EncryptError::io(path, e))?;
    let len = f.metadata().map_err(|e| EncryptError::io(path, e))?.len();
    if len != file.size {
        return Err(EncryptError::FileChanged {
            path: path.clone(),
            expected: file.size,
            found: len,
        }
        .into());
    }
    let mut hasher = file_hash.hasher();
    let mut remaining = file.size;
    while remaining > 0 {
        let mut buf = pool.recv().map_err(|_| Halt::Stopped)?;
        let want = buf
            .len()
            .min(usize::try_from(remaining).unwrap_or(usize::MAX));
        let n = read_retry(&mut f, &mut buf[..want]).map_err(|e| EncryptError::io(path, e))?;
        if n == 0 {
            return Err(EncryptError::FileChanged {
                path: path.clone(),
                expected: file.size,
                found: file.size - remaining,
            }
            .into());
        }
        hasher.update(&buf[..n]);
        remaining -= n as u64;
        tx.send(Chunk::Data(buf, n)).map_err(|_| Halt::Stopped)?;
    }
    // One more read must hit end of file: a file that grew is still being written.
    let mut probe = [0u8; 1];
    if read_retry(&mut f, &mut probe).map_err(|e| EncryptError::io(path, e))? != 0 {
        let now = f.metadata().map(|m| m.len()).unwrap_or(file.size + 1);
        return Err(EncryptError::FileChanged {
            path: path.clone(),
            expected: file.size,
            found: now.max(file.size + 1),
        }
        .into());
    }
    Ok(hasher.finalize())
}

fn read_retry(r: &mut impl io::Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}
