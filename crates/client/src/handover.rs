//! What a sender still has to hand over after an upload: each recipient's link (for the email)
//! and password (for a separate channel, guideline 3.2 A ii 3), kept so that the sender can come
//! back to a transfer after closing the app or restarting the computer.
//!
//! Kept in the system keyring only, one entry per transfer, never in a file whatever the policy
//! allows for tokens: a password that outlives the run in a file is what a managed desktop must
//! not have (the issue of managed desktops). Where there is no keyring the passwords live as long
//! as the app's memory, and the app says so.
//!
//! A recipient's link and password are forgotten when the sender ticks both as handed over; the
//! whole entry when the transfer is revoked, when it expires, and when [`tidy`] finds one left
//! over. The history entry's `handover` flag says an entry exists, so nothing has to list the
//! keyring (which the keyring API cannot do).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::SecretString;
use crate::error::HandoverError;
use crate::history::{Delivery, History};
use crate::secrets::SecretStore;
use crate::send::Sent;
use crate::settings::Dirs;

/// The keyring entry of a transfer's handover.
fn key(transfer_id: &str) -> String {
    format!("handover:{transfer_id}")
}

/// One transfer's links and passwords still to hand over.
#[derive(Debug, Clone)]
pub struct Handover {
    pub transfer_id: String,
    pub recipients: Vec<HandoverRecipient>,
}

#[derive(Debug, Clone)]
pub struct HandoverRecipient {
    pub grant_id: String,
    /// The recipient's address as the sender typed it.
    pub recipient: String,
    /// For the SMS or the call that hands over the password.
    pub phone: Option<String>,
    pub link: SecretString,
    /// `None` for TERBUKA.
    pub password: Option<SecretString>,
}

impl HandoverRecipient {
    /// Whether `delivery` hands over everything this recipient needs.
    pub fn complete(&self, delivery: Delivery) -> bool {
        delivery.link_sent && (self.password.is_none() || delivery.password_given)
    }
}

/// The keyring's format: the secrets are serialized here and nowhere else.
#[derive(Serialize, Deserialize)]
struct Stored {
    recipients: Vec<StoredRecipient>,
}

#[derive(Serialize, Deserialize)]
struct StoredRecipient {
    grant_id: String,
    recipient: String,
    phone: Option<String>,
    link: String,
    password: Option<String>,
}

impl Drop for StoredRecipient {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.link.zeroize();
        if let Some(p) = self.password.as_mut() {
            p.zeroize();
        }
    }
}

fn write(secrets: &SecretStore, handover: &Handover) -> Result<(), HandoverError> {
    let stored = Stored {
        recipients: handover
            .recipients
            .iter()
            .map(|r| StoredRecipient {
                grant_id: r.grant_id.clone(),
                recipient: r.recipient.clone(),
                phone: r.phone.clone(),
                link: r.link.expose().to_string(),
                password: r.password.as_ref().map(|p| p.expose().to_string()),
            })
            .collect(),
    };
    let text = SecretString::new(serde_json::to_string(&stored).expect("a handover serialises"));
    secrets.set_in_keyring(&key(&handover.transfer_id), &text)?;
    Ok(())
}

/// Keeps what a finished send must still hand over; `phones[i]` goes with recipient `i`.
/// An error means nothing was kept (no keyring, or it refused): the caller says so.
pub fn keep(
    dirs: &Dirs,
    secrets: &SecretStore,
    sent: &Sent,
    phones: &[Option<String>],
) -> Result<(), HandoverError> {
    let handover = Handover {
        transfer_id: sent.transfer_id.clone(),
        recipients: sent
            .recipients
            .iter()
            .enumerate()
            .map(|(i, r)| HandoverRecipient {
                grant_id: r.grant_id.clone(),
                recipient: r.recipient.clone(),
                phone: phones.get(i).cloned().flatten(),
                link: r.link.clone(),
                password: r.password.clone(),
            })
            .collect(),
    };
    write(secrets, &handover)?;
    History::open(dirs).update(&sent.transfer_id, |e| e.handover = true)?;
    Ok(())
}

/// The transfer's handover, `None` when nothing is kept for it (any more).
pub fn load(secrets: &SecretStore, transfer_id: &str) -> Result<Option<Handover>, HandoverError> {
    let Some(text) = secrets.get(&key(transfer_id))? else {
        return Ok(None);
    };
    let stored: Stored =
        serde_json::from_str(text.expose()).map_err(|_| HandoverError::Damaged {
            transfer_id: transfer_id.to_string(),
        })?;
    Ok(Some(Handover {
        transfer_id: transfer_id.to_string(),
        recipients: stored
            .recipients
            .iter()
            .map(|r| HandoverRecipient {
                grant_id: r.grant_id.clone(),
                recipient: r.recipient.clone(),
                phone: r.phone.clone(),
                link: SecretString::new(r.link.clone()),
                password: r.password.clone().map(SecretString::new),
            })
            .collect(),
    }))
}

/// Records what the sender has handed over to one recipient (its grant); once that is all the
/// recipient needs, its link and password are forgotten, and the entry with the last of them.
/// Answers the delivery as recorded.
pub fn mark(
    dirs: &Dirs,
    secrets: &SecretStore,
    transfer_id: &str,
    grant_id: &str,
    delivery: Delivery,
) -> Result<Delivery, HandoverError> {
    let history = History::open(dirs);
    let mut found = false;
    history.update(transfer_id, |e| {
        if let Some(r) = e.recipients.iter_mut().find(|r| r.grant_id == grant_id) {
            r.delivery = delivery;
            found = true;
        }
    })?;
    if !found {
        return Err(HandoverError::UnknownRecipient {
            transfer_id: transfer_id.to_string(),
            recipient: grant_id.to_string(),
        });
    }
    remove_recipients(dirs, secrets, transfer_id, |r| {
        r.grant_id == grant_id && r.complete(delivery)
    })?;
    Ok(delivery)
}

/// Forgets one recipient's link and password (its grant was revoked).
pub fn forget_recipient(
    dirs: &Dirs,
    secrets: &SecretStore,
    transfer_id: &str,
    grant_id: &str,
) -> Result<(), HandoverError> {
    remove_recipients(dirs, secrets, transfer_id, |r| r.grant_id == grant_id)
}

fn remove_recipients(
    dirs: &Dirs,
    secrets: &SecretStore,
    transfer_id: &str,
    gone: impl Fn(&HandoverRecipient) -> bool,
) -> Result<(), HandoverError> {
    let Some(mut handover) = load(secrets, transfer_id)? else {
        return Ok(());
    };
    let before = handover.recipients.len();
    handover.recipients.retain(|r| !gone(r));
    if handover.recipients.is_empty() {
        forget(dirs, secrets, transfer_id)
    } else if handover.recipients.len() != before {
        write(secrets, &handover)
    } else {
        Ok(())
    }
}

/// Forgets the transfer's links and passwords (revoked, expired, all handed over).
pub fn forget(dirs: &Dirs, secrets: &SecretStore, transfer_id: &str) -> Result<(), HandoverError> {
    secrets.delete(&key(transfer_id))?;
    History::open(dirs).update(transfer_id, |e| e.handover = false)?;
    Ok(())
}

/// Forgets the handovers of transfers that expired by `now`; answers how many. The app runs it
/// as it starts, so nothing outlives its transfer by more than the time the app was closed.
pub fn tidy(
    dirs: &Dirs,
    secrets: &SecretStore,
    now: OffsetDateTime,
) -> Result<usize, HandoverError> {
    let mut forgotten = 0;
    for entry in History::open(dirs).list()? {
        if entry.handover && entry.expires_at <= now {
            forget(dirs, secrets, &entry.transfer_id)?;
            forgotten += 1;
        }
    }
    Ok(forgotten)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{HistoryEntry, HistoryRecipient};
    use crate::send::SentRecipient;

    fn sent_and_history(dirs: &Dirs) -> Sent {
        let expires_at = OffsetDateTime::now_utc() + time::Duration::hours(1);
        History::open(dirs)
            .record(HistoryEntry {
                transfer_id: "T1".into(),
                store: "https://kepil.agensi.gov.my/".into(),
                classification: "SULIT".into(),
                size: 10,
                created_at: OffsetDateTime::now_utc(),
                expires_at,
                recipients: vec![HistoryRecipient {
                    label: "a@agensi.gov.my".into(),
                    grant_id: "G1".into(),
                    delivery: Delivery::default(),
                }],
                subject: "Minit".into(),
                files: vec!["minit.pdf".into()],
                handover: false,
            })
            .unwrap();
        Sent {
            transfer_id: "T1".into(),
            expires_at,
            recipients: vec![SentRecipient {
                recipient: "a@agensi.gov.my".into(),
                grant_id: "G1".into(),
                link: SecretString::new("https://kepil.agensi.gov.my/t/G1#kanari-link"),
                password: Some(SecretString::new("kanari-pass-word")),
            }],
            scan: None,
        }
    }

    #[test]
    fn without_a_keyring_nothing_is_kept_and_no_file_gets_the_password() {
        let dir = tempfile::tempdir().unwrap();
        let dirs = Dirs::under(dir.path());
        let secrets = SecretStore::file_only(&dirs);
        let sent = sent_and_history(&dirs);
        let err = keep(&dirs, &secrets, &sent, &[None]).unwrap_err();
        assert!(
            matches!(
                err,
                HandoverError::Secrets(crate::secrets::SecretStoreError::NotInKeyring { .. })
            ),
            "{err:?}"
        );
        assert!(!History::open(&dirs).list().unwrap()[0].handover);
        assert!(load(&secrets, "T1").unwrap().is_none());
        for entry in walkdir(dir.path()) {
            let bytes = std::fs::read(&entry).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains("kanari"),
                "{} holds a secret",
                entry.display()
            );
        }
        // The ticks are no secret: they are kept anyway.
        let d = Delivery {
            link_sent: true,
            password_given: false,
        };
        assert_eq!(mark(&dirs, &secrets, "T1", "G1", d).unwrap(), d);
        assert_eq!(
            History::open(&dirs).list().unwrap()[0].recipients[0].delivery,
            d
        );
        assert!(matches!(
            mark(&dirs, &secrets, "T1", "G9", d),
            Err(HandoverError::UnknownRecipient { .. })
        ));
    }

    fn walkdir(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = vec![];
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walkdir(&p));
            } else {
                out.push(p);
            }
        }
        out
    }

    #[test]
    fn a_recipient_is_complete_with_the_link_and_the_password_or_the_link_alone_for_terbuka() {
        let r = |password: Option<&str>| HandoverRecipient {
            grant_id: "G1".into(),
            recipient: "a@agensi.gov.my".into(),
            phone: None,
            link: SecretString::new("L"),
            password: password.map(SecretString::new),
        };
        let link_only = Delivery {
            link_sent: true,
            password_given: false,
        };
        let both = Delivery {
            link_sent: true,
            password_given: true,
        };
        let password_only = Delivery {
            link_sent: false,
            password_given: true,
        };
        assert!(!r(Some("p")).complete(link_only));
        assert!(!r(Some("p")).complete(password_only));
        assert!(r(Some("p")).complete(both));
        assert!(r(None).complete(link_only));
        assert!(!r(None).complete(Delivery::default()));
    }
}
