//! The sender's status, unlock and revoke, found from a transfer id or any of its links.

use kepil_core::link::Link;
use kepil_protocol::TransferStatus;

use crate::SecretString;
use crate::api::StoreClient;
use crate::error::ManageError;
use crate::history::{History, HistoryEntry};
use crate::secrets::SecretStore;
use crate::settings::{self, Dirs};

/// The secret-store key of a transfer's owner token.
pub fn owner_token_key(transfer_id: &str) -> String {
    format!("owner-token:{transfer_id}")
}

/// A transfer of this computer's history, with what status and revoke need.
#[derive(Debug)]
pub struct OwnedTransfer {
    pub entry: HistoryEntry,
    /// Set when the transfer was named by one recipient's link.
    pub grant_id: Option<String>,
    pub client: StoreClient,
    owner_token: SecretString,
}

/// Finds a transfer by id or link (`https://STORE/t/GRANT#SECRET`, mangled forms too).
pub fn find(
    dirs: &Dirs,
    secrets: &SecretStore,
    id_or_link: &str,
) -> Result<OwnedTransfer, ManageError> {
    let text = id_or_link.trim();
    let id = match Link::parse(text) {
        Ok(link) => link.grant_id.clone(),
        Err(_) => text.to_string(),
    };
    let (entry, grant_id) = History::open(dirs)
        .find(&id)?
        .ok_or_else(|| ManageError::UnknownTransfer { id: id.clone() })?;
    let owner_token = secrets
        .get(&owner_token_key(&entry.transfer_id))?
        .ok_or_else(|| ManageError::NoOwnerToken {
            transfer_id: entry.transfer_id.clone(),
        })?;
    let base = settings::parse_store_url(&entry.store)?;
    let client = StoreClient::new(base).map_err(ManageError::Store)?;
    Ok(OwnedTransfer {
        entry,
        grant_id,
        client,
        owner_token,
    })
}

impl OwnedTransfer {
    pub async fn status(&self) -> Result<TransferStatus, ManageError> {
        self.client
            .transfer_status(&self.entry.transfer_id, &self.owner_token)
            .await
            .map_err(ManageError::from_net)
    }

    /// The grant named by `recipient` (a label or grant id), else the grant of the link the
    /// transfer was found by; `None` for the transfer as a whole.
    fn grant_named(&self, recipient: Option<&str>) -> Result<Option<String>, ManageError> {
        match recipient {
            Some(r) => self
                .entry
                .recipients
                .iter()
                .find(|g| g.label.eq_ignore_ascii_case(r) || g.grant_id == r)
                .map(|g| Some(g.grant_id.clone()))
                .ok_or_else(|| ManageError::UnknownRecipient {
                    transfer_id: self.entry.transfer_id.clone(),
                    recipient: r.to_string(),
                }),
            None => Ok(self.grant_id.clone()),
        }
    }

    /// Gives a locked recipient its tries back, after the sender has checked with them
    /// (by phone) that the wrong passwords were theirs. The link and password stay the same.
    /// Names a recipient as [`revoke`](Self::revoke) does; a transfer with one needs no name.
    /// Answers the grant id unlocked.
    pub async fn unlock(&self, recipient: Option<&str>) -> Result<String, ManageError> {
        let grant = match (
            self.grant_named(recipient)?,
            self.entry.recipients.as_slice(),
        ) {
            (Some(grant), _) => grant,
            (None, [only]) => only.grant_id.clone(),
            (None, _) => {
                return Err(ManageError::RecipientNeeded {
                    transfer_id: self.entry.transfer_id.clone(),
                });
            }
        };
        self.client
            .unlock_grant(&self.entry.transfer_id, &grant, &self.owner_token)
            .await
            .map_err(ManageError::from_net)?;
        Ok(grant)
    }

    /// Revokes one recipient (by label or grant id), the recipient of the link it was found
    /// by, or the whole transfer. Answers the grant ids revoked (all of them for the transfer).
    /// The links and passwords still kept to hand over to the revoked recipients go with it.
    pub async fn revoke(
        &self,
        dirs: &Dirs,
        secrets: &SecretStore,
        recipient: Option<&str>,
    ) -> Result<Vec<String>, ManageError> {
        let grant = self.grant_named(recipient)?;
        let tid = &self.entry.transfer_id;
        match grant {
            Some(grant) => {
                self.client
                    .revoke_grant(tid, &grant, &self.owner_token)
                    .await
                    .map_err(ManageError::from_net)?;
                if let Err(e) = crate::handover::forget_recipient(dirs, secrets, tid, &grant) {
                    // The revoke stands; an entry left behind goes when the transfer expires.
                    tracing::warn!("could not forget the revoked recipient's password: {e}");
                }
                Ok(vec![grant])
            }
            None => {
                self.client
                    .revoke_transfer(tid, &self.owner_token)
                    .await
                    .map_err(ManageError::from_net)?;
                // An interrupted upload of a revoked transfer can never be useful.
                crate::send::discard_journal(dirs, tid);
                if let Err(e) = crate::handover::forget(dirs, secrets, tid) {
                    tracing::warn!("could not forget the revoked transfer's passwords: {e}");
                }
                Ok(self
                    .entry
                    .recipients
                    .iter()
                    .map(|r| r.grant_id.clone())
                    .collect())
            }
        }
    }
}
