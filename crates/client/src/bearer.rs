//! Who a sender's requests go to the store as: a machine token (`KEPIL_TOKEN`, or one saved
//! with `kepil login --token`), or the session of a sign-in, renewed as it runs out. Every
//! request that needs an uploader (create, the tus upload, a listing) takes its token from
//! here, and a session the store refuses is renewed once and the request sent again.

use std::future::Future;
use std::sync::Arc;

use kepil_protocol::ErrorCode;
use kepil_protocol::identity::Identity;

use crate::SecretString;
use crate::api::StoreClient;
use crate::error::{ConfigError, NetError, SessionError};
use crate::secrets::SecretStore;
use crate::settings;
use crate::signin::SessionKeeper;
use crate::system_policy::SystemPolicy;

#[derive(Clone)]
pub enum Bearer {
    Token(SecretString),
    Session(Arc<SessionKeeper>),
}

impl std::fmt::Debug for Bearer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Bearer::Token(_) => f.write_str("Bearer::Token(<redacted>)"),
            Bearer::Session(keeper) => f.debug_tuple("Bearer::Session").field(keeper).finish(),
        }
    }
}

impl From<SecretString> for Bearer {
    fn from(token: SecretString) -> Bearer {
        Bearer::Token(token)
    }
}

/// A request that failed: the session could not be had or renewed, or the store answered.
#[derive(Debug)]
pub(crate) enum CallError {
    Session(SessionError),
    Net(NetError),
}

/// The store's answer to a bearer it does not (or no longer) accept.
pub(crate) fn is_refusal(error: &NetError) -> bool {
    matches!(
        error.api_code(),
        Some(ErrorCode::Unauthorized | ErrorCode::TokenExpired)
    )
}

impl Bearer {
    /// The credential for `store`: `KEPIL_TOKEN` (a script or a service account says so
    /// explicitly), else the session of a sign-in at that store, else the uploader token saved
    /// by `kepil login --token`.
    pub fn resolve(store: &StoreClient, secrets: &Arc<SecretStore>) -> Result<Bearer, ConfigError> {
        Bearer::resolve_with(store, secrets, &SystemPolicy::default())
    }

    /// [`Bearer::resolve`] under a desktop's system policy: where it requires sign-in, only
    /// the session counts. `KEPIL_TOKEN` is then refused (`token_not_allowed`) rather than
    /// passed over, so whoever set it learns why it does nothing; a saved token is left
    /// unused (`not_signed_in` without a session).
    pub fn resolve_with(
        store: &StoreClient,
        secrets: &Arc<SecretStore>,
        system: &SystemPolicy,
    ) -> Result<Bearer, ConfigError> {
        if let Some(token) = std::env::var("KEPIL_TOKEN")
            .ok()
            .filter(|t| !t.trim().is_empty())
        {
            system.check_machine_token()?;
            return Ok(Bearer::Token(SecretString::new(token.trim())));
        }
        if let Some(keeper) = SessionKeeper::open(store.clone(), secrets.clone())? {
            return Ok(Bearer::Session(Arc::new(keeper)));
        }
        if system.sign_in_required() {
            return Err(ConfigError::NotSignedIn {
                store: store.base().to_string(),
            });
        }
        settings::resolve_token(None, store.base(), secrets).map(Bearer::Token)
    }

    pub fn session(&self) -> Option<&SessionKeeper> {
        match self {
            Bearer::Session(keeper) => Some(keeper),
            Bearer::Token(_) => None,
        }
    }

    /// The signed-in person; `None` for a machine token.
    pub fn identity(&self) -> Option<&Identity> {
        self.session().map(SessionKeeper::identity)
    }

    /// The token to send now (a session about to expire is renewed first).
    pub async fn current(&self) -> Result<SecretString, SessionError> {
        match self {
            Bearer::Token(token) => Ok(token.clone()),
            Bearer::Session(keeper) => keeper.token().await,
        }
    }

    /// After the store refused `rejected`: the renewed session token, or `None` for a machine
    /// token, which nothing here can renew.
    pub async fn renew(
        &self,
        rejected: &SecretString,
    ) -> Result<Option<SecretString>, SessionError> {
        match self {
            Bearer::Token(_) => Ok(None),
            Bearer::Session(keeper) => keeper.renew(rejected).await.map(Some),
        }
    }

    /// Runs `request` with the current token; when the store refuses a session, renews it and
    /// runs `request` once more.
    pub(crate) async fn call<T, F, Fut>(&self, request: F) -> Result<T, CallError>
    where
        F: Fn(SecretString) -> Fut,
        Fut: Future<Output = Result<T, NetError>>,
    {
        let token = self.current().await.map_err(CallError::Session)?;
        match request(token.clone()).await {
            Err(e) if is_refusal(&e) => match self.renew(&token).await {
                Ok(Some(renewed)) => request(renewed).await.map_err(CallError::Net),
                Ok(None) => Err(CallError::Net(e)),
                Err(session) => Err(CallError::Session(session)),
            },
            other => other.map_err(CallError::Net),
        }
    }
}
