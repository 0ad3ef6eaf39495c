//! The sender's local record of transfers: ids, store, recipients' labels and grant ids, dates,
//! and the subject and file names, so that the sender can tell transfers apart (they never leave
//! this computer unencrypted; the store sees neither), and what the sender has handed over to
//! each recipient. No secret (owner tokens live in the secret store, the links and passwords
//! still to hand over in the keyring: see [`crate::handover`]).
//! Status and revoke find a transfer here from its id or from any of its links.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::ConfigError;
use crate::settings::Dirs;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryRecipient {
    pub label: String,
    pub grant_id: String,
    /// What the sender has ticked as handed over (Kepil cannot see the email or the call).
    #[serde(default)]
    pub delivery: Delivery,
}

/// What the sender has handed over to one recipient.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub link_sent: bool,
    /// By a separate channel (SMS, a call), guideline 3.2 A ii 3.
    pub password_given: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub transfer_id: String,
    /// The store's base URL.
    pub store: String,
    pub classification: String,
    /// Ciphertext length.
    pub size: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub recipients: Vec<HistoryRecipient>,
    /// The sealed subject; empty for entries written before it was kept.
    #[serde(default)]
    pub subject: String,
    /// The files' names as sent.
    #[serde(default)]
    pub files: Vec<String>,
    /// The links and passwords still to hand over are in the keyring ([`crate::handover`]).
    #[serde(default)]
    pub handover: bool,
}

/// `history.json` in the data directory.
#[derive(Debug, Clone)]
pub struct History {
    path: PathBuf,
}

impl History {
    pub fn open(dirs: &Dirs) -> History {
        History {
            path: dirs.data.join("history.json"),
        }
    }

    /// Newest first.
    pub fn list(&self) -> Result<Vec<HistoryEntry>, ConfigError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| ConfigError::BadConfigFile {
                path: self.path.clone(),
                reason: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(vec![]),
            Err(e) => Err(ConfigError::Io {
                path: self.path.clone(),
                source: e,
            }),
        }
    }

    pub fn record(&self, entry: HistoryEntry) -> Result<(), ConfigError> {
        let mut all = self.list()?;
        all.retain(|e| e.transfer_id != entry.transfer_id);
        all.insert(0, entry);
        self.write(&all)
    }

    /// Forgets a transfer that never reached anyone (its send was stopped before the upload
    /// completed, e.g. by a malware detection).
    pub fn remove(&self, transfer_id: &str) -> Result<(), ConfigError> {
        let mut all = self.list()?;
        let before = all.len();
        all.retain(|e| e.transfer_id != transfer_id);
        if all.len() == before {
            return Ok(());
        }
        self.write(&all)
    }

    fn write(&self, all: &[HistoryEntry]) -> Result<(), ConfigError> {
        let bytes = serde_json::to_vec_pretty(all).map_err(|e| ConfigError::BadConfigFile {
            path: self.path.clone(),
            reason: e.to_string(),
        })?;
        crate::write_private(&self.path, &bytes).map_err(|e| ConfigError::Io {
            path: self.path.clone(),
            source: e,
        })
    }

    /// Changes one entry in place (nothing when there is none); answers whether it was there.
    pub fn update(
        &self,
        transfer_id: &str,
        change: impl FnOnce(&mut HistoryEntry),
    ) -> Result<bool, ConfigError> {
        let mut all = self.list()?;
        let Some(entry) = all.iter_mut().find(|e| e.transfer_id == transfer_id) else {
            return Ok(false);
        };
        change(entry);
        self.write(&all)?;
        Ok(true)
    }

    /// By transfer id, or by the grant id of one of its links.
    pub fn find(&self, id: &str) -> Result<Option<(HistoryEntry, Option<String>)>, ConfigError> {
        for entry in self.list()? {
            if entry.transfer_id == id {
                return Ok(Some((entry, None)));
            }
            if let Some(r) = entry.recipients.iter().find(|r| r.grant_id == id) {
                let grant = r.grant_id.clone();
                return Ok(Some((entry, Some(grant))));
            }
        }
        Ok(None)
    }
}
