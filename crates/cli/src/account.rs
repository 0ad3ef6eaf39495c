//! `kepil whoami`, `kepil transfers`, `kepil revoke` of a transfer this computer has no owner
//! token of, and `kepil admin …`: requests made as the signed-in person (or the machine token).

use kepil_client::account::{self, Account};
use kepil_client::api::StoreClient;
use kepil_client::error::ManageError;
use kepil_client::history::History;
use kepil_client::{manage, settings};
use kepil_protocol::identity::AdminRevoke;

use crate::output::{self, Failure};
use crate::{AccountArgs, AdminCommand, App, Res, RevokeArgs, StoreArgs};

impl App {
    fn account(&self, store: &StoreArgs) -> Result<Account, Failure> {
        let url = self.store_url(store.store.as_deref())?;
        self.account_at(&url)
    }

    fn account_at(&self, url: &url::Url) -> Result<Account, Failure> {
        let client = StoreClient::new(url.clone()).map_err(|e| Failure::new(&e))?;
        Account::open_with(client, &self.secrets(), &self.system_policy()?)
            .map_err(|e| Failure::new(&e))
    }

    pub(crate) async fn whoami(&self, a: AccountArgs) -> Res {
        let account = self.account(&a.store)?;
        let who = account.whoami().await.map_err(|e| Failure::new(&e))?;
        output::print_whoami(account.store().base(), &who, self.lang, self.json);
        Ok(())
    }

    pub(crate) async fn transfers(&self, a: AccountArgs) -> Res {
        let account = self.account(&a.store)?;
        let list = account.transfers().await.map_err(|e| Failure::new(&e))?;
        output::print_transfers(&list, self.lang, self.json);
        Ok(())
    }

    pub(crate) async fn revoke(&self, a: RevokeArgs) -> Res {
        let secrets = self.secrets();
        let owned = match manage::find(&self.dirs, &secrets, &a.id) {
            Ok(owned) => owned,
            // Sent from another computer (or its owner token is gone): a signed-in sender
            // revokes their own transfer by its ID through the session.
            Err(e @ (ManageError::UnknownTransfer { .. } | ManageError::NoOwnerToken { .. }))
                if a.recipient.is_none() && account::check_transfer_id(a.id.trim()).is_ok() =>
            {
                return self.revoke_by_session(&a, e).await;
            }
            Err(e) => return Err(Failure::new(&e)),
        };
        let revoked = owned
            .revoke(&self.dirs, &secrets, a.recipient.as_deref())
            .await
            .map_err(|e: ManageError| Failure::new(&e))?;
        output::print_revoked(&owned, &revoked, self.lang, self.json);
        Ok(())
    }

    async fn revoke_by_session(&self, a: &RevokeArgs, local: ManageError) -> Res {
        let id = a.id.trim();
        let store = match History::open(&self.dirs).find(id) {
            Ok(Some((entry, _))) => {
                settings::parse_store_url(&entry.store).map_err(|e| Failure::new(&e))?
            }
            _ => self.store_url(a.store.store.as_deref())?,
        };
        // Neither an owner token nor a sign-in: the local reason says more than "not signed in".
        let Ok(account) = self.account_at(&store) else {
            return Err(Failure::new(&local));
        };
        if account.bearer().session().is_none() {
            return Err(Failure::new(&local));
        }
        account.revoke(id).await.map_err(|e| Failure::new(&e))?;
        kepil_client::send::discard_journal(&self.dirs, id);
        output::print_revoked_by_id(id, self.lang, self.json);
        Ok(())
    }

    pub(crate) async fn admin(&self, command: AdminCommand) -> Res {
        let account = self.account(&command.account().store)?;
        match command {
            AdminCommand::Search { sender, .. } => {
                let list = account
                    .admin_search(&sender)
                    .await
                    .map_err(|e| Failure::new(&e))?;
                output::print_transfers(&list, self.lang, self.json);
            }
            AdminCommand::Revoke {
                transfer, sender, ..
            } => {
                let body = AdminRevoke {
                    transfer_id: transfer.map(|t| t.trim().to_string()),
                    sender: sender.map(|s| s.trim().to_string()),
                };
                let out = account
                    .admin_revoke(&body)
                    .await
                    .map_err(|e| Failure::new(&e))?;
                output::print_admin_outcome("revoke", &out, self.lang, self.json);
            }
            AdminCommand::Disable { email, .. } => {
                let out = account
                    .admin_identity(&email, false)
                    .await
                    .map_err(|e| Failure::new(&e))?;
                output::print_admin_outcome("disable", &out, self.lang, self.json);
            }
            AdminCommand::Enable { email, .. } => {
                let out = account
                    .admin_identity(&email, true)
                    .await
                    .map_err(|e| Failure::new(&e))?;
                output::print_admin_outcome("enable", &out, self.lang, self.json);
            }
        }
        Ok(())
    }
}
