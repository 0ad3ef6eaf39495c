//! Opening a package and extracting its files, all-or-nothing.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use tempfile::TempPath;

use super::age_io::{AgeReader, open_age};
use super::error::DecryptError;
use super::format::{
    FileHash, FileHasher, HASH_LEN, MAGIC, MAX_FILES, MAX_MANIFEST_LEN, Manifest, PREFIX_LEN,
    file_hash_of,
};
use super::inspect::{Inspector, NoInspection};
use super::{Cancel, Progress};
use crate::filename;

/// Decrypted bytes go to the writer thread in buffers this large ...
const COPY_BUF: usize = 256 * 1024;
/// ... at most this many at a time (1 MiB in all, whatever the file sizes).
const WRITE_BUFFERS: usize = 4;
/// Bytes written to a file between two background flushes (see `write_files`).
const WRITE_BEHIND: usize = 32 << 20;
/// How many names to try when another program keeps taking the one we picked.
const MAX_NAME_TRIES: u64 = 1000;

/// An opened package: the header is decrypted and the manifest read and checked, nothing has
/// been written yet. Show [`PackageReader::manifest`] to the user, then call
/// [`PackageReader::extract_to`] (or drop the reader to decline).
pub struct PackageReader<R: Read> {
    age: AgeReader<R>,
    manifest: Manifest,
    /// The hash after each file, as the package's format version says.
    file_hash: FileHash,
    payload_len: u64,
    done: u64,
}

/// A file written by [`PackageReader::extract_to`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedFile {
    /// The name the sender gave it (untrusted; for display, sanitise it first).
    pub name: String,
    /// Where it was saved: inside the destination folder, under the sanitised and
    /// de-duplicated name.
    pub path: PathBuf,
    pub size: u64,
}

impl<R: Read> fmt::Debug for PackageReader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PackageReader")
            .field("manifest", &self.manifest)
            .field("payload_len", &self.payload_len)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<R: Read> PackageReader<R> {
    /// Decrypts the age header with `identity` and reads the manifest. The manifest's length
    /// is checked against [`MAX_MANIFEST_LEN`] before anything is allocated for it; a manifest
    /// that says RAHSIA or RAHSIA BESAR, or lists more than [`MAX_FILES`] files, is refused.
    pub fn open(reader: R, identity: &dyn age::Identity) -> Result<Self, DecryptError> {
        let mut age = open_age(reader, identity)?;

        let mut prefix = [0u8; PREFIX_LEN as usize];
        let got = age.read_full(&mut prefix)?;
        if got < MAGIC.len() || prefix[..MAGIC.len()] != MAGIC[..] {
            return Err(DecryptError::NotAKepilPackage);
        }
        if got < prefix.len() {
            return Err(DecryptError::ManifestInvalid {
                reason: "the payload ends before the manifest".into(),
            });
        }
        let version = prefix[MAGIC.len()];
        let file_hash =
            file_hash_of(u64::from(version)).ok_or(DecryptError::UnsupportedFormatVersion {
                version: format!("Kepil package format {version}"),
            })?;
        let mut len_bytes = [0u8; 4];
        len_bytes.copy_from_slice(&prefix[MAGIC.len() + 1..]);
        let manifest_len = u32::from_be_bytes(len_bytes);
        if manifest_len > MAX_MANIFEST_LEN {
            return Err(DecryptError::ManifestTooLarge {
                len: u64::from(manifest_len),
                max: u64::from(MAX_MANIFEST_LEN),
            });
        }

        let mut json = vec![0u8; manifest_len as usize];
        if age.read_full(&mut json)? < json.len() {
            return Err(DecryptError::ManifestInvalid {
                reason: "the payload ends inside the manifest".into(),
            });
        }
        let manifest = parse_manifest(&json)?;
        // The sender's own label decides before anything else: a package its sender marked
        // RAHSIA or RAHSIA BESAR is never opened further, whatever the store declared
        // (guideline 1.4.1 l iii, 3.2 A ii 6). Nothing has been written at this point.
        if !manifest.classification.is_sendable() {
            return Err(DecryptError::ClassificationRefused {
                classification: manifest.classification,
            });
        }
        if manifest.files.len() > MAX_FILES {
            return Err(DecryptError::TooManyFiles {
                count: manifest.files.len(),
                max: MAX_FILES,
            });
        }
        if manifest.format_version != u32::from(version) {
            return Err(DecryptError::ManifestInvalid {
                reason: format!(
                    "the manifest says format {} inside a format {version} payload",
                    manifest.format_version
                ),
            });
        }
        let payload_len =
            manifest
                .payload_len(u64::from(manifest_len))
                .ok_or(DecryptError::ManifestInvalid {
                    reason: "file sizes overflow".into(),
                })?;
        age.expect_payload_len(payload_len);
        Ok(PackageReader {
            age,
            manifest,
            file_hash,
            payload_len,
            done: PREFIX_LEN + u64::from(manifest_len),
        })
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The plaintext payload length the manifest implies (the `total` of [`Progress`]).
    pub fn payload_len(&self) -> u64 {
        self.payload_len
    }

    /// Writes every file into `dir`, all or nothing.
    ///
    /// Each file streams into a hidden temporary file in `dir` (`.kepil-XXXXXXXX.part`, mode
    /// 0600 on Unix) and its hash (BLAKE3 in format 2, SHA-256 in format 1) is checked against
    /// the one that follows it in the payload. After the last file the age stream is read to its end, which is when age
    /// authenticates the final chunk, and any further plaintext is refused. Only then is each
    /// temporary file synced and renamed, without overwriting anything, to its sanitised
    /// name ("name (2).ext" on a collision), and `dir` synced.
    ///
    /// On any error, a cancel, or a panic, every temporary file and every file already renamed
    /// is removed: nothing from a bad package is ever left on disk.
    pub fn extract_to(
        self,
        dir: &Path,
        progress: &mut dyn FnMut(Progress),
        cancel: &Cancel,
    ) -> Result<Vec<SavedFile>, DecryptError> {
        self.extract_inspected(dir, progress, cancel, &mut NoInspection)
    }

    /// Like [`PackageReader::extract_to`], showing every file's plaintext to `inspector` as it
    /// is decrypted. A file's [`Inspector::end`] comes once its hash has matched, before the
    /// next file; all of them before anything is committed. When the inspector stops
    /// ([`DecryptError::Stopped`]) every temporary file is removed and nothing is saved.
    pub fn extract_inspected(
        mut self,
        dir: &Path,
        progress: &mut dyn FnMut(Progress),
        cancel: &Cancel,
        inspector: &mut dyn Inspector,
    ) -> Result<Vec<SavedFile>, DecryptError> {
        match std::fs::metadata(dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(DecryptError::DestinationNotWritable {
                    path: dir.to_owned(),
                    source: io::Error::new(io::ErrorKind::NotADirectory, "not a folder"),
                });
            }
            Err(e) => return Err(DecryptError::dest_create(dir, e)),
        }

        let total = self.payload_len;
        progress(Progress {
            done: self.done,
            total,
        });
        let files = std::mem::take(&mut self.manifest.files);
        // Declared outside the thread scope so the temporary files are deleted (on error,
        // cancel or panic) only after the writer thread has closed them: Windows cannot
        // delete an open file.
        let mut staged: Vec<(String, TempPath, u64)> = Vec::with_capacity(files.len());
        std::thread::scope(|scope| -> Result<(), DecryptError> {
            // This thread decrypts while a writer thread hashes and writes. At most WRITE_BUFFERS
            // buffers are in flight, so memory stays constant.
            let (job_tx, job_rx) = mpsc::sync_channel::<Job>(WRITE_BUFFERS + 2);
            let (pool_tx, pool_rx) = mpsc::sync_channel::<Vec<u8>>(WRITE_BUFFERS);
            let (done_tx, done_rx) = mpsc::channel::<Written>();
            for _ in 0..WRITE_BUFFERS {
                let _ = pool_tx.send(vec![0u8; COPY_BUF]);
            }
            let file_hash = self.file_hash;
            scope.spawn(move || write_files(file_hash, &job_rx, &pool_tx, &done_tx));
            let stopped = || DecryptError::Io {
                path: dir.to_owned(),
                source: io::Error::other("the writer thread stopped"),
            };

            for (index, entry) in files.into_iter().enumerate() {
                if cancel.is_cancelled() {
                    return Err(DecryptError::Cancelled);
                }
                inspector
                    .begin(index, &entry.name)
                    .map_err(|_| DecryptError::Stopped)?;
                let tmp = tempfile::Builder::new()
                    .prefix(".kepil-")
                    .suffix(".part")
                    .rand_bytes(8)
                    .tempfile_in(dir)
                    .map_err(|e| DecryptError::dest_create(dir, e))?;
                // The writer closes the file when it is done; only the path (which deletes
                // on drop) is kept, so thousands of files do not hold thousands of
                // descriptors.
                let (file, tmp_path) = tmp.into_parts();
                job_tx
                    .send(Job::Begin(file, tmp_path.to_path_buf()))
                    .map_err(|_| stopped())?;
                staged.push((entry.name.clone(), tmp_path, entry.size));

                let mut remaining = entry.size;
                while remaining > 0 {
                    let mut buf = pool_rx.recv().map_err(|_| stopped())?;
                    let want = buf
                        .len()
                        .min(usize::try_from(remaining).unwrap_or(usize::MAX));
                    let n = self.age.read_full(&mut buf[..want])?;
                    if n < want {
                        // Authenticated end of stream, but the manifest promised more.
                        return Err(DecryptError::ManifestMismatch);
                    }
                    remaining -= n as u64;
                    self.done += n as u64;
                    inspector
                        .bytes(&buf[..n])
                        .map_err(|_| DecryptError::Stopped)?;
                    job_tx.send(Job::Data(buf, n)).map_err(|_| stopped())?;
                    if let Ok(Written::Failed(e)) = done_rx.try_recv() {
                        return Err(e);
                    }
                    progress(Progress {
                        done: self.done,
                        total,
                    });
                    if cancel.is_cancelled() {
                        return Err(DecryptError::Cancelled);
                    }
                }
                job_tx.send(Job::End).map_err(|_| stopped())?;

                let mut expected = [0u8; HASH_LEN as usize];
                if self.age.read_full(&mut expected)? < expected.len() {
                    return Err(DecryptError::ManifestMismatch);
                }
                self.done += HASH_LEN;
                match done_rx.recv().map_err(|_| stopped())? {
                    Written::Hash(hash) if hash == expected => {}
                    Written::Hash(_) => {
                        return Err(DecryptError::FileHashMismatch { name: entry.name });
                    }
                    Written::Failed(e) => return Err(e),
                }
                inspector.end().map_err(|_| DecryptError::Stopped)?;
            }
            Ok(())
        })?;

        let mut buf = [0u8; 1024];
        // The end: age authenticates the last chunk when it is read, and reports the end of
        // the stream only if that chunk was marked final. Plaintext after the last file means
        // the payload does not match its manifest.
        if self.age.read(&mut buf)? != 0 {
            return Err(DecryptError::TrailingData);
        }
        if cancel.is_cancelled() {
            return Err(DecryptError::Cancelled);
        }
        let saved = commit(dir, staged, &mut |tmp, target| {
            tmp.persist_noclobber(target)
        })?;
        progress(Progress {
            done: self.done,
            total,
        });
        Ok(saved)
    }
}

/// Work for the writer thread, in order: a file, its bytes, its end.
enum Job {
    Begin(File, PathBuf),
    Data(Vec<u8>, usize),
    End,
}

/// The writer thread's answer for each file (or its first error, sent at once).
enum Written {
    Hash([u8; 32]),
    Failed(DecryptError),
}

/// Writer thread: hashes and writes each file's bytes into its temporary file, closes it at
/// the end and answers with the file's hash. Returns when the decrypting side hangs up.
///
/// Every [`WRITE_BEHIND`] bytes it asks a helper thread to flush the file so far to disk
/// (`sync_data` on a second handle). Without that the kernel would keep the whole file
/// dirty in memory and the final fsync before the rename would write all of it while
/// nothing else happens; this way the disk works while decryption goes on. The final fsync
/// still decides durability and reports errors; the helper's errors are ignored.
fn write_files(
    file_hash: FileHash,
    jobs: &mpsc::Receiver<Job>,
    pool: &mpsc::SyncSender<Vec<u8>>,
    done: &mpsc::Sender<Written>,
) {
    // Joined before returning, so no second handle outlives the writer (Windows cannot
    // delete a temporary file that is still open).
    std::thread::scope(|scope| {
        let (sync_tx, sync_rx) = mpsc::sync_channel::<File>(1);
        scope.spawn(move || {
            while let Ok(file) = sync_rx.recv() {
                let _ = file.sync_data();
            }
        });
        let mut current: Option<(File, PathBuf, FileHasher)> = None;
        let mut failed = false;
        let mut unsynced = 0usize;
        while let Ok(job) = jobs.recv() {
            match job {
                Job::Begin(file, path) => {
                    current = Some((file, path, file_hash.hasher()));
                    failed = false;
                    unsynced = 0;
                }
                Job::Data(buf, n) => {
                    if let (Some((file, path, hasher)), false) = (current.as_mut(), failed) {
                        hasher.update(&buf[..n]);
                        if let Err(e) = file.write_all(&buf[..n]) {
                            failed = true;
                            let _ = done.send(Written::Failed(DecryptError::dest(path, e)));
                        }
                        unsynced += n;
                        if unsynced >= WRITE_BEHIND
                            && let Ok(handle) = file.try_clone()
                        {
                            // A busy helper just means this flush is skipped.
                            if sync_tx.try_send(handle).is_ok() {
                                unsynced = 0;
                            }
                        }
                    }
                    let _ = pool.send(buf);
                }
                Job::End => {
                    if let (Some((file, _, hasher)), false) = (current.take(), failed) {
                        drop(file);
                        let _ = done.send(Written::Hash(hasher.finalize()));
                    }
                }
            }
        }
    });
}

/// Parses and checks the manifest JSON. The format version is looked at first, so that a
/// newer package is reported as "update Kepil" rather than as a broken manifest.
fn parse_manifest(json: &[u8]) -> Result<Manifest, DecryptError> {
    let invalid = |reason: String| DecryptError::ManifestInvalid { reason };
    let value: serde_json::Value =
        serde_json::from_slice(json).map_err(|e| invalid(format!("not JSON: {e}")))?;
    match value.get("format_version").and_then(|v| v.as_u64()) {
        Some(v) if file_hash_of(v).is_some() => {}
        Some(v) => {
            return Err(DecryptError::UnsupportedFormatVersion {
                version: format!("Kepil package format {v}"),
            });
        }
        None => return Err(invalid("no format_version".into())),
    }
    serde_json::from_value(value).map_err(|e| invalid(e.to_string()))
}

/// Removes files already renamed into place unless the whole commit succeeded: used on an
/// error midway and on a panic.
struct Placed {
    paths: Vec<PathBuf>,
    keep: bool,
}

impl Drop for Placed {
    fn drop(&mut self) {
        if !self.keep {
            for p in &self.paths {
                let _ = std::fs::remove_file(p);
            }
        }
    }
}

/// Renames a temporary file to its final name, failing if that name exists.
type Persist<'a> = dyn FnMut(TempPath, &Path) -> Result<(), tempfile::PathPersistError> + 'a;

/// Syncs every verified temporary file, renames each to a free sanitised name without ever
/// replacing an existing file (`persist` is `TempPath::persist_noclobber`; tests inject
/// failures through it), then syncs the folder. All or nothing.
fn commit(
    dir: &Path,
    staged: Vec<(String, TempPath, u64)>,
    persist: &mut Persist<'_>,
) -> Result<Vec<SavedFile>, DecryptError> {
    for (_, tmp, _) in &staged {
        // Reopened because the descriptors were closed after writing; write access is what
        // Windows needs to flush.
        OpenOptions::new()
            .write(true)
            .open(tmp)
            .and_then(|f| f.sync_all())
            .map_err(|e| DecryptError::dest(tmp, e))?;
    }

    let mut placed = Placed {
        paths: Vec::with_capacity(staged.len()),
        keep: false,
    };
    let mut saved = Vec::with_capacity(staged.len());
    // Names chosen for this package so far, so two files never get the same name even on a
    // case-insensitive file system.
    let mut chosen = filename::ChosenNames::new();
    for (name, tmp, size) in staged {
        let mut tmp = tmp;
        let mut attempt = 0u64;
        loop {
            // `unique_in` sanitises and checks the folder; the no-clobber rename below is
            // what actually guarantees nothing is overwritten. On a collision (another program
            // took the name in between) the taken name is in `chosen`, so the next pick moves on.
            let target = filename::unique_in(dir, &name, &mut chosen);
            match persist(tmp, &target) {
                Ok(()) => {
                    placed.paths.push(target.clone());
                    saved.push(SavedFile {
                        name,
                        path: target,
                        size,
                    });
                    break;
                }
                Err(e)
                    if e.error.kind() == io::ErrorKind::AlreadyExists
                        && attempt < MAX_NAME_TRIES =>
                {
                    tmp = e.path;
                    attempt += 1;
                }
                // `placed` removes what was renamed; the remaining temporary files are removed
                // as `staged` drops.
                Err(e) => return Err(DecryptError::dest(&target, e.error)),
            }
        }
    }
    sync_dir(dir).map_err(|e| DecryptError::dest(dir, e))?;
    placed.keep = true;
    Ok(saved)
}

/// Makes the renames durable: on Unix a rename is only on disk once its directory is synced.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Windows (NTFS) journals renames; opening a directory as a file is not possible there.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staged(dir: &Path, name: &str, contents: &[u8]) -> (String, TempPath, u64) {
        let mut tmp = tempfile::Builder::new()
            .prefix(".kepil-")
            .suffix(".part")
            .tempfile_in(dir)
            .unwrap();
        tmp.write_all(contents).unwrap();
        (name.to_owned(), tmp.into_temp_path(), contents.len() as u64)
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_rename_failing_midway_removes_the_files_already_renamed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("keep.txt"), b"user's own").unwrap();
        let files = vec![
            staged(dir.path(), "a.txt", b"a"),
            staged(dir.path(), "b.txt", b"b"),
            staged(dir.path(), "c.txt", b"c"),
        ];
        let mut calls = 0;
        let e = commit(dir.path(), files, &mut |tmp, target| {
            calls += 1;
            if calls == 2 {
                return Err(tempfile::PathPersistError {
                    error: io::Error::new(io::ErrorKind::PermissionDenied, "injected"),
                    path: tmp,
                });
            }
            tmp.persist_noclobber(target)
        })
        .unwrap_err();
        assert!(matches!(e, DecryptError::Io { .. }), "{e:?}");
        assert_eq!(calls, 2);
        // a.txt was renamed, then removed; b and c never left their temporary files, which
        // are gone too; the user's file is untouched.
        assert_eq!(listing(dir.path()), ["keep.txt"]);
    }

    #[test]
    fn a_name_taken_between_check_and_rename_moves_on_without_overwriting() {
        let dir = tempfile::tempdir().unwrap();
        let files = vec![staged(dir.path(), "a.txt", b"ours")];
        let mut first = true;
        let saved = commit(dir.path(), files, &mut |tmp, target| {
            if first {
                // Another program creates the chosen name just before our rename.
                first = false;
                std::fs::write(target, b"theirs").unwrap();
            }
            tmp.persist_noclobber(target)
        })
        .unwrap();
        assert_eq!(std::fs::read(dir.path().join("a.txt")).unwrap(), b"theirs");
        assert_eq!(saved[0].path, dir.path().join("a (2).txt"));
        assert_eq!(std::fs::read(&saved[0].path).unwrap(), b"ours");
        assert_eq!(listing(dir.path()), ["a (2).txt", "a.txt"]);
    }
}
