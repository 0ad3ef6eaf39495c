//! What a sender asks the store about themselves rather than about one transfer: who the
//! bearer is, their live transfers from any computer, revoking one without its owner token;
//! and what an administrator asks about anyone (the store answers `forbidden` to others).

use std::sync::Arc;

use kepil_protocol::identity::{
    AdminOutcome, AdminRevoke, AdminSearch, IdentityAction, TransferSummary, Whoami,
};

use crate::SecretString;
use crate::api::StoreClient;
use crate::bearer::{Bearer, CallError};
use crate::error::{AccountError, ConfigError, NetError, SessionError};
use crate::secrets::SecretStore;
use crate::system_policy::SystemPolicy;

/// Transfer ids are 16 random bytes, base64url (22 characters); they go into a path, so
/// anything else (a typo, `..`) is refused before it is sent.
pub fn check_transfer_id(id: &str) -> Result<(), AccountError> {
    let ok = (16..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(AccountError::BadTransferId { id: id.to_string() })
    }
}

/// A store and the bearer to ask it as.
#[derive(Debug, Clone)]
pub struct Account {
    store: StoreClient,
    bearer: Bearer,
}

impl Account {
    pub fn new(store: StoreClient, bearer: Bearer) -> Account {
        Account { store, bearer }
    }

    /// The sign-in (or machine token) this computer keeps for `store`.
    pub fn open(store: StoreClient, secrets: &Arc<SecretStore>) -> Result<Account, AccountError> {
        Account::open_with(store, secrets, &SystemPolicy::default())
    }

    /// [`Account::open`] under a desktop's system policy ([`Bearer::resolve_with`]).
    pub fn open_with(
        store: StoreClient,
        secrets: &Arc<SecretStore>,
        system: &SystemPolicy,
    ) -> Result<Account, AccountError> {
        let bearer = Bearer::resolve_with(&store, secrets, system).map_err(|e| match e {
            ConfigError::NoToken { store } | ConfigError::NotSignedIn { store } => {
                AccountError::Session(SessionError::NotSignedIn { store })
            }
            other => AccountError::Config(other),
        })?;
        Ok(Account { store, bearer })
    }

    pub fn bearer(&self) -> &Bearer {
        &self.bearer
    }

    pub fn store(&self) -> &StoreClient {
        &self.store
    }

    async fn call<T, F, Fut>(
        &self,
        transfer_id: Option<&str>,
        request: F,
    ) -> Result<T, AccountError>
    where
        F: Fn(SecretString) -> Fut,
        Fut: std::future::Future<Output = Result<T, NetError>>,
    {
        self.bearer.call(request).await.map_err(|e| match e {
            CallError::Session(e) => AccountError::Session(e),
            CallError::Net(e) => AccountError::from_net(e, transfer_id),
        })
    }

    pub async fn whoami(&self) -> Result<Whoami, AccountError> {
        self.call(None, |t| async move { self.store.whoami(&t).await })
            .await
    }

    /// The bearer's live transfers, whichever computer sent them.
    pub async fn transfers(&self) -> Result<Vec<TransferSummary>, AccountError> {
        self.call(None, |t| async move { self.store.my_transfers(&t).await })
            .await
    }

    /// Revokes one of the bearer's own transfers (every recipient) without its owner token.
    pub async fn revoke(&self, transfer_id: &str) -> Result<(), AccountError> {
        check_transfer_id(transfer_id)?;
        self.call(Some(transfer_id), |t| async move {
            self.store.revoke_my_transfer(&t, transfer_id).await
        })
        .await
    }

    /// An administrator's view of one sender's live transfers.
    pub async fn admin_search(&self, sender: &str) -> Result<Vec<TransferSummary>, AccountError> {
        let body = AdminSearch {
            sender: sender.trim().to_string(),
        };
        self.call(None, |t| {
            let body = &body;
            async move { self.store.admin_search(&t, body).await }
        })
        .await
    }

    /// Revokes one transfer (`transfer_id`) or every live transfer of `sender`.
    pub async fn admin_revoke(&self, body: &AdminRevoke) -> Result<AdminOutcome, AccountError> {
        if let Some(id) = &body.transfer_id {
            check_transfer_id(id)?;
        }
        self.call(body.transfer_id.as_deref(), |t| async move {
            self.store.admin_revoke(&t, body).await
        })
        .await
    }

    /// Disables (`enable == false`) or enables an identity at the store.
    pub async fn admin_identity(
        &self,
        email: &str,
        enable: bool,
    ) -> Result<AdminOutcome, AccountError> {
        let body = IdentityAction {
            email: email.trim().to_string(),
        };
        self.call(None, |t| {
            let body = &body;
            async move { self.store.admin_identity(&t, body, enable).await }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfer_ids_are_base64url_only() {
        assert!(check_transfer_id("-2abcdefghijklmnopqrstu").is_ok());
        for bad in [
            "",
            "short",
            "../../api/v1/admin",
            "abc def ghijklmnopqrstu",
            "a/b",
        ] {
            assert!(check_transfer_id(bad).is_err(), "{bad}");
        }
    }
}
