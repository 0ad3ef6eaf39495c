//! Where tokens live: the OS keyring (Secret Service on Linux, Keychain, Windows Credential
//! Manager) under service `kepil`, or, when no keyring answers, `credentials.toml` in the
//! config directory with mode 0600. `KEPIL_NO_KEYRING=1` forces the file (tests, headless
//! servers without a session bus).
//!
//! Every keyring call runs on one worker thread and is waited for at most [`KEYRING_TIMEOUT`]:
//! a keyring that is locked puts an unlock prompt on the screen and its D-Bus call blocks until
//! someone answers, which must not freeze the app's first screen or a CLI command. A call that
//! times out answers [`SecretStoreError::Unanswered`] (or falls back to the file for a write,
//! which is then reported by [`SecretStore::whereabouts`]); while the worker is still held by
//! that prompt, further calls answer at once instead of stacking prompts, and once the user
//! unlocks, the keyring is used again.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use thiserror::Error;

use crate::SecretString;
use crate::settings::Dirs;

const SERVICE: &str = "kepil";

/// How long a keyring call is waited for. Long enough for a Secret Service on a busy desktop,
/// short enough that a prompt nobody has seen yet does not look like a hung app.
pub const KEYRING_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, Error)]
pub enum SecretStoreError {
    #[error("cannot read or write the credentials file {path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the credentials file {path} is malformed: {reason}")]
    Malformed { path: PathBuf, reason: String },
    #[error("the keyring refused the operation: {0}")]
    Keyring(String),
    #[error(
        "the system keyring did not answer within {secs} s (it may be locked and waiting for \
         its password in a window of its own)"
    )]
    Unanswered { secs: u64 },
    #[error(
        "this desktop's policy keeps secrets in the system keyring only, and {why}; nothing \
         was written to a file"
    )]
    FileForbidden { why: &'static str },
    #[error("this secret is kept in the system keyring only, and {why}")]
    NotInKeyring { why: &'static str },
}

/// Why secrets are in the file rather than the keyring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileReason {
    /// `KEPIL_NO_KEYRING` asked for it (tests, servers).
    Forced,
    /// No keyring on this computer (no session bus, no Secret Service).
    NoKeyring,
    /// The keyring did not answer in time (a prompt nobody answered, a hung service).
    Unanswered,
    /// The keyring refused a write (locked, no default collection), so that secret went to the
    /// file rather than being lost.
    Refused,
}

impl FileReason {
    /// A stable name for the UI (not an error code).
    pub fn name(self) -> &'static str {
        match self {
            FileReason::Forced => "forced",
            FileReason::NoKeyring => "no_keyring",
            FileReason::Unanswered => "unanswered",
            FileReason::Refused => "refused",
        }
    }
}

/// Where this computer's secrets are, as the user should be told (Settings, `kepil whoami`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Whereabouts {
    /// The keyring is in use (secrets written from now on go there when it answers).
    pub keyring: bool,
    /// Some secret is in the file, and why; `None` when the file holds nothing.
    pub file: Option<FileReason>,
    /// The file's path (mode 0600).
    pub path: PathBuf,
    /// The keyring has not answered a call yet (a prompt is waiting for its password, or the
    /// service hangs): what it holds cannot be read until it does.
    pub waiting: bool,
}

type Job = Box<dyn FnOnce() + Send>;

/// The one thread that talks to the keyring (see the module docs).
#[derive(Debug)]
struct Keyring {
    jobs: mpsc::Sender<Job>,
    /// A call timed out and its job has not finished yet.
    held: Arc<AtomicBool>,
}

impl Keyring {
    fn start() -> Keyring {
        let (jobs, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("kepil-keyring".into())
            .spawn(move || {
                for job in rx {
                    job();
                }
            })
            .expect("a thread for the keyring");
        Keyring {
            jobs,
            held: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Runs `op` on the keyring's thread, waiting at most `timeout`.
    fn call<T: Send + 'static>(
        &self,
        timeout: Duration,
        op: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, SecretStoreError> {
        let unanswered = SecretStoreError::Unanswered {
            secs: timeout.as_secs().max(1),
        };
        if self.held.load(Ordering::SeqCst) {
            return Err(unanswered);
        }
        let (tx, rx) = mpsc::sync_channel(1);
        let held = self.held.clone();
        let job: Job = Box::new(move || {
            let _ = tx.send(op());
            held.store(false, Ordering::SeqCst);
        });
        let sent = self.jobs.send(job);
        if sent.is_err() {
            return Err(SecretStoreError::Keyring(
                "the keyring thread stopped".into(),
            ));
        }
        match rx.recv_timeout(timeout) {
            Ok(value) => Ok(value),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                self.held.store(true, Ordering::SeqCst);
                // The job may have finished between the timeout and the flag.
                match rx.try_recv() {
                    Ok(value) => {
                        self.held.store(false, Ordering::SeqCst);
                        Ok(value)
                    }
                    Err(_) => Err(unanswered),
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(SecretStoreError::Keyring(
                "the keyring thread stopped".into(),
            )),
        }
    }
}

#[derive(Debug)]
enum Backend {
    Keyring(Keyring),
    File(FileReason),
}

/// The secret store. Cheap to open; every call goes to the backend (no cache), so several
/// processes (CLI and app) see each other's writes.
#[derive(Debug)]
pub struct SecretStore {
    backend: Backend,
    file: PathBuf,
    timeout: Duration,
    /// Why a write went to the file although the keyring is in use.
    fell_back: Mutex<Option<FileReason>>,
    /// The system policy's `[secrets] file_fallback = false`: never write the file.
    file_forbidden: bool,
    // Serialises read-modify-write of the file within a process.
    lock: Mutex<()>,
}

impl SecretStore {
    /// Uses the keyring when one answers, else the file.
    pub fn open(dirs: &Dirs) -> SecretStore {
        Self::open_with_timeout(dirs, KEYRING_TIMEOUT)
    }

    /// [`open`](Self::open) with another wait for each keyring call (tests).
    pub fn open_with_timeout(dirs: &Dirs, timeout: Duration) -> SecretStore {
        let forced_file =
            std::env::var("KEPIL_NO_KEYRING").is_ok_and(|v| !v.is_empty() && v != "0");
        let backend = if forced_file {
            Backend::File(FileReason::Forced)
        } else if !session_bus_present() {
            Backend::File(FileReason::NoKeyring)
        } else {
            let keyring = Keyring::start();
            match keyring.call(timeout, probe) {
                Ok(true) => Backend::Keyring(keyring),
                Ok(false) => Backend::File(FileReason::NoKeyring),
                Err(_) => {
                    tracing::warn!(
                        "the system keyring did not answer within {} s; secrets go to the file",
                        timeout.as_secs()
                    );
                    Backend::File(FileReason::Unanswered)
                }
            }
        };
        Self::with_backend(dirs, backend, timeout)
    }

    /// Always the file, whatever the environment.
    pub fn file_only(dirs: &Dirs) -> SecretStore {
        Self::with_backend(dirs, Backend::File(FileReason::Forced), KEYRING_TIMEOUT)
    }

    fn with_backend(dirs: &Dirs, backend: Backend, timeout: Duration) -> SecretStore {
        SecretStore {
            backend,
            file: dirs.config.join("credentials.toml"),
            timeout,
            fell_back: Mutex::new(None),
            file_forbidden: false,
            lock: Mutex::new(()),
        }
    }

    /// Follows the system policy's `[secrets] file_fallback`: `false` forbids writing the file
    /// (a write the keyring cannot take then fails with [`SecretStoreError::FileForbidden`]).
    pub fn with_file_fallback(mut self, allowed: bool) -> SecretStore {
        self.file_forbidden = !allowed;
        self
    }

    /// "keyring" or "file", for diagnostics.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Keyring(_) => "keyring",
            Backend::File(_) => "file",
        }
    }

    /// Where secrets are now: the keyring, the file (and why), or both.
    pub fn whereabouts(&self) -> Whereabouts {
        let in_file = {
            let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
            self.read_file().map(|m| !m.is_empty()).unwrap_or(true)
        };
        let waiting = match &self.backend {
            Backend::Keyring(k) => k.held.load(Ordering::SeqCst),
            Backend::File(reason) => *reason == FileReason::Unanswered,
        };
        let (keyring, reason) = match &self.backend {
            Backend::Keyring(_) => (
                true,
                // Written before this run (an earlier fallback) when nothing fell back now.
                (*self.fell_back.lock().unwrap_or_else(|p| p.into_inner()))
                    .unwrap_or(FileReason::Refused),
            ),
            Backend::File(reason) => (false, *reason),
        };
        Whereabouts {
            keyring,
            file: in_file.then_some(reason),
            path: self.file.clone(),
            waiting,
        }
    }

    pub fn get(&self, key: &str) -> Result<Option<SecretString>, SecretStoreError> {
        let mut unanswered = None;
        if let Backend::Keyring(keyring) = &self.backend {
            let entry_key = key.to_string();
            let found = keyring.call(self.timeout, move || {
                keyring::Entry::new(SERVICE, &entry_key).and_then(|e| e.get_password())
            });
            match found {
                Ok(Ok(value)) => return Ok(Some(SecretString::new(value))),
                Ok(Err(keyring::Error::NoEntry)) => {}
                // A keyring that stopped answering: the file may still hold it.
                Ok(Err(_)) => {}
                Err(e @ SecretStoreError::Unanswered { .. }) => unanswered = Some(e),
                Err(_) => {}
            }
        }
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        match self.read_file()?.remove(key) {
            Some(value) => Ok(Some(SecretString::new(value))),
            // "Not there" would be a guess: the keyring may hold it behind its prompt.
            None => unanswered.map_or(Ok(None), Err),
        }
    }

    /// Stores `value`; answers where it went ("keyring" or "file"): a keyring that refuses
    /// (locked, no default collection) or does not answer falls back to the file rather than
    /// losing the secret, and [`whereabouts`](Self::whereabouts) says so from then on.
    pub fn set(&self, key: &str, value: &SecretString) -> Result<&'static str, SecretStoreError> {
        if let Backend::Keyring(keyring) = &self.backend {
            let entry_key = key.to_string();
            let secret = value.clone();
            let stored = keyring.call(self.timeout, move || {
                keyring::Entry::new(SERVICE, &entry_key)
                    .and_then(|e| e.set_password(secret.expose()))
            });
            let reason = match stored {
                Ok(Ok(())) => return Ok("keyring"),
                Ok(Err(_)) if self.file_forbidden => {
                    return Err(SecretStoreError::FileForbidden {
                        why: "the keyring refused the secret",
                    });
                }
                Err(_) if self.file_forbidden => {
                    return Err(SecretStoreError::FileForbidden {
                        why: "the keyring did not answer",
                    });
                }
                Ok(Err(e)) => {
                    tracing::warn!("the keyring refused a secret ({e}); it goes to the file");
                    FileReason::Refused
                }
                Err(e) => {
                    tracing::warn!("{e}; the secret goes to the file");
                    FileReason::Unanswered
                }
            };
            *self.fell_back.lock().unwrap_or_else(|p| p.into_inner()) = Some(reason);
        } else if self.file_forbidden {
            return Err(SecretStoreError::FileForbidden {
                why: match &self.backend {
                    Backend::File(FileReason::Unanswered) => "the keyring did not answer",
                    Backend::File(FileReason::Forced) => "KEPIL_NO_KEYRING turns it off",
                    _ => "this computer has no system keyring",
                },
            });
        }
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut map = self.read_file()?;
        map.insert(key.to_string(), value.expose().to_string());
        self.write_file(&map)?;
        Ok("file")
    }

    /// Stores `value` in the system keyring and nowhere else: for secrets that must not outlive
    /// the run in a file whatever the policy says (the passwords still to be handed over).
    /// Fails with [`SecretStoreError::NotInKeyring`] where there is no keyring in use.
    pub fn set_in_keyring(&self, key: &str, value: &SecretString) -> Result<(), SecretStoreError> {
        let Backend::Keyring(keyring) = &self.backend else {
            return Err(SecretStoreError::NotInKeyring {
                why: match &self.backend {
                    Backend::File(FileReason::Unanswered) => "the keyring did not answer",
                    Backend::File(FileReason::Forced) => "KEPIL_NO_KEYRING turns it off",
                    _ => "this computer has no system keyring",
                },
            });
        };
        let entry_key = key.to_string();
        let secret = value.clone();
        match keyring.call(self.timeout, move || {
            keyring::Entry::new(SERVICE, &entry_key).and_then(|e| e.set_password(secret.expose()))
        }) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(SecretStoreError::NotInKeyring {
                why: "the keyring refused the secret",
            }),
            Err(_) => Err(SecretStoreError::NotInKeyring {
                why: "the keyring did not answer",
            }),
        }
    }

    /// Removes the entry from both backends; a missing entry is not an error.
    pub fn delete(&self, key: &str) -> Result<(), SecretStoreError> {
        if let Backend::Keyring(keyring) = &self.backend {
            let entry_key = key.to_string();
            let deleted = keyring.call(self.timeout, move || {
                keyring::Entry::new(SERVICE, &entry_key).and_then(|e| e.delete_credential())
            })?;
            match deleted {
                Ok(()) | Err(keyring::Error::NoEntry) => {}
                Err(e) => return Err(SecretStoreError::Keyring(e.to_string())),
            }
        }
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut map = self.read_file()?;
        if map.remove(key).is_some() {
            self.write_file(&map)?;
        }
        Ok(())
    }

    fn read_file(&self) -> Result<BTreeMap<String, String>, SecretStoreError> {
        match std::fs::read_to_string(&self.file) {
            Ok(text) => toml::from_str(&text).map_err(|e| SecretStoreError::Malformed {
                path: self.file.clone(),
                reason: e.message().to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(SecretStoreError::File {
                path: self.file.clone(),
                source: e,
            }),
        }
    }

    fn write_file(&self, map: &BTreeMap<String, String>) -> Result<(), SecretStoreError> {
        let text = toml::to_string(map).map_err(|e| SecretStoreError::Malformed {
            path: self.file.clone(),
            reason: e.to_string(),
        })?;
        let text = format!(
            "# Kepil credentials (used because no OS keyring was reachable). Keep this file private.\n{text}"
        );
        crate::write_private(&self.file, text.as_bytes()).map_err(|e| SecretStoreError::File {
            path: self.file.clone(),
            source: e,
        })
    }
}

/// Whether a Secret Service could be reached at all; without a session bus, skip the D-Bus
/// connect timeout.
fn session_bus_present() -> bool {
    #[cfg(all(unix, not(target_os = "macos")))]
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none()
        && std::env::var_os("XDG_RUNTIME_DIR")
            .map(|d| !std::path::Path::new(&d).join("bus").exists())
            .unwrap_or(true)
    {
        return false;
    }
    true
}

/// A lookup of an entry that does not exist must answer `NoEntry` (or, oddly, a value).
/// Anything else (no Secret Service, no default collection) means "use the file".
fn probe() -> bool {
    match keyring::Entry::new(SERVICE, "probe:kepil") {
        Ok(entry) => matches!(entry.get_password(), Err(keyring::Error::NoEntry) | Ok(_)),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_that_forbids_the_file_gets_an_error_and_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let dirs = Dirs::under(dir.path());
        let store = SecretStore::file_only(&dirs).with_file_fallback(false);
        let err = store
            .set("a", &SecretString::new("kanari-7f3e"))
            .unwrap_err();
        assert!(
            matches!(err, SecretStoreError::FileForbidden { .. }),
            "{err}"
        );
        assert!(err.to_string().contains("nothing was written"), "{err}");
        assert!(!dir.path().join("credentials.toml").exists());
        assert!(store.get("a").unwrap().is_none());
        // Allowed (the default), the same store writes the private file.
        let store = SecretStore::file_only(&dirs).with_file_fallback(true);
        assert_eq!(store.set("a", &SecretString::new("v")).unwrap(), "file");
    }

    #[test]
    fn file_backend_round_trips_with_private_mode() {
        let dir = tempfile::tempdir().unwrap();
        let dirs = Dirs::under(dir.path());
        let store = SecretStore::file_only(&dirs);
        assert!(store.get("a").unwrap().is_none());
        store.set("a", &SecretString::new("one")).unwrap();
        store.set("b:x", &SecretString::new("two")).unwrap();
        assert_eq!(store.get("a").unwrap().unwrap().expose(), "one");
        store.delete("a").unwrap();
        store.delete("a").unwrap();
        assert!(store.get("a").unwrap().is_none());
        assert_eq!(store.get("b:x").unwrap().unwrap().expose(), "two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("credentials.toml"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
