//! Where tokens live: the OS keyring (Secret Service on Linux, Keychain, Windows Credential
//! Manager) under service `kepil`, or, when no keyring answers, `credentials.toml` in the
//! config directory with mode 0600. `KEPIL_NO_KEYRING=1` forces the file (tests, headless
//! servers without a session bus).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use thiserror::Error;

use crate::SecretString;
use crate::settings::Dirs;

const SERVICE: &str = "kepil";

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
}

#[derive(Debug)]
enum Backend {
    Keyring,
    File,
}

/// The secret store. Cheap to open; every call goes to the backend (no cache), so several
/// processes (CLI and app) see each other's writes.
#[derive(Debug)]
pub struct SecretStore {
    backend: Backend,
    file: PathBuf,
    // Serialises read-modify-write of the file within a process.
    lock: Mutex<()>,
}

impl SecretStore {
    /// Uses the keyring when one answers, else the file.
    pub fn open(dirs: &Dirs) -> SecretStore {
        let file = dirs.config.join("credentials.toml");
        let forced_file =
            std::env::var("KEPIL_NO_KEYRING").is_ok_and(|v| !v.is_empty() && v != "0");
        let backend = if !forced_file && keyring_available() {
            Backend::Keyring
        } else {
            Backend::File
        };
        SecretStore {
            backend,
            file,
            lock: Mutex::new(()),
        }
    }

    /// Always the file, whatever the environment.
    pub fn file_only(dirs: &Dirs) -> SecretStore {
        SecretStore {
            backend: Backend::File,
            file: dirs.config.join("credentials.toml"),
            lock: Mutex::new(()),
        }
    }

    /// "keyring" or "file", for diagnostics.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Keyring => "keyring",
            Backend::File => "file",
        }
    }

    pub fn get(&self, key: &str) -> Result<Option<SecretString>, SecretStoreError> {
        if let Backend::Keyring = self.backend {
            match keyring::Entry::new(SERVICE, key).and_then(|e| e.get_password()) {
                Ok(value) => return Ok(Some(SecretString::new(value))),
                Err(keyring::Error::NoEntry) => {}
                // A keyring that stopped answering: the file may still hold it.
                Err(_) => {}
            }
        }
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        Ok(self.read_file()?.remove(key).map(SecretString::new))
    }

    /// Stores `value`; answers where it went ("keyring" or "file"): a keyring that refuses
    /// (locked, no default collection) falls back to the file rather than losing the secret.
    pub fn set(&self, key: &str, value: &SecretString) -> Result<&'static str, SecretStoreError> {
        if let Backend::Keyring = self.backend {
            let stored =
                keyring::Entry::new(SERVICE, key).and_then(|e| e.set_password(value.expose()));
            if stored.is_ok() {
                return Ok("keyring");
            }
        }
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut map = self.read_file()?;
        map.insert(key.to_string(), value.expose().to_string());
        self.write_file(&map)?;
        Ok("file")
    }

    /// Removes the entry from both backends; a missing entry is not an error.
    pub fn delete(&self, key: &str) -> Result<(), SecretStoreError> {
        if let Backend::Keyring = self.backend
            && let Ok(entry) = keyring::Entry::new(SERVICE, key)
        {
            match entry.delete_credential() {
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

/// Probes the keyring once: a lookup of an entry that does not exist must answer `NoEntry`.
/// Anything else (no session bus, no Secret Service, locked and no prompt) means "use the file".
fn keyring_available() -> bool {
    // Without a session bus the Secret Service cannot answer; skip the D-Bus connect timeout.
    #[cfg(all(unix, not(target_os = "macos")))]
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none()
        && std::env::var_os("XDG_RUNTIME_DIR")
            .map(|d| !std::path::Path::new(&d).join("bus").exists())
            .unwrap_or(true)
    {
        return false;
    }
    match keyring::Entry::new(SERVICE, "probe:kepil") {
        Ok(entry) => matches!(entry.get_password(), Err(keyring::Error::NoEntry) | Ok(_)),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
