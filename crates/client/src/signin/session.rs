//! The store session a sign-in leads to, and what keeps it: the keyring holds, per store, the
//! session token with its expiry and the person it names (`session:<store>`), and the
//! provider's refresh token (`refresh-token:<provider>@<store>`). A second run uses them
//! without signing in again; a session about to run out is renewed with the refresh token
//! (a fresh ID token from the provider, exchanged at the store again).

use std::sync::Arc;

use kepil_protocol::identity::{CreateSession, Identity, IdentityProviderInfo};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use url::Url;

use super::provider::{Provider, ProviderTokens};
use crate::SecretString;
use crate::api::StoreClient;
use crate::error::{NetError, SessionError, SignInError};
use crate::secrets::{SecretStore, SecretStoreError};

/// A session with less than this left is renewed before it is used, so that a request does
/// not die of old age on the way.
pub const RENEW_BEFORE: time::Duration = time::Duration::seconds(60);

fn store_name(store: &Url) -> &str {
    store.as_str().trim_end_matches('/')
}

/// The secret-store key of the session at a store.
pub fn session_key(store: &Url) -> String {
    format!("session:{}", store_name(store))
}

/// The secret-store key of the refresh token from `provider` (its store id) for a store.
pub fn refresh_token_key(store: &Url, provider: &str) -> String {
    format!("refresh-token:{provider}@{}", store_name(store))
}

/// What `session:<store>` holds, as JSON. Secret as a whole (it carries the session token),
/// so it lives in the secret store only.
#[derive(Clone, Serialize, Deserialize)]
struct Record {
    /// What renewing needs without asking the store first.
    provider: IdentityProviderInfo,
    session_token: String,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
    identity: Identity,
}

impl Drop for Record {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.session_token.zeroize();
    }
}

impl Record {
    fn load(store: &Url, secrets: &SecretStore) -> Result<Option<Record>, SecretStoreError> {
        let Some(text) = secrets.get(&session_key(store))? else {
            return Ok(None);
        };
        // An entry this build cannot read (an older format, damage) is no sign-in.
        Ok(serde_json::from_str(text.expose()).ok())
    }

    fn save(&self, store: &Url, secrets: &SecretStore) -> Result<&'static str, SecretStoreError> {
        let json = SecretString::new(serde_json::to_string(self).expect("a record serialises"));
        secrets.set(&session_key(store), &json)
    }

    fn token(&self) -> SecretString {
        SecretString::new(self.session_token.as_str())
    }
}

/// A sign-in that went through: who the store says the person is, until when.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub identity: Identity,
    pub expires_at: OffsetDateTime,
    /// The provider's display name.
    pub provider: String,
    /// Whether a refresh token was kept, so the session renews itself.
    pub renewable: bool,
    /// Where the session went: "keyring" or "file".
    pub saved_to: &'static str,
}

/// Exchanges the provider's ID token at the store and keeps the session and the refresh token.
pub async fn establish(
    store: &StoreClient,
    secrets: &SecretStore,
    provider: &IdentityProviderInfo,
    tokens: ProviderTokens,
) -> Result<SignedIn, SignInError> {
    let created = store
        .create_session(&CreateSession {
            provider: provider.id.clone(),
            id_token: tokens.id_token,
            nonce: tokens.nonce,
        })
        .await
        .map_err(SignInError::Store)?;
    let base = store.base();
    let rt_key = refresh_token_key(base, &provider.id);
    match &tokens.refresh_token {
        Some(rt) => {
            secrets.set(&rt_key, rt)?;
        }
        None => secrets.delete(&rt_key)?,
    }
    let record = Record {
        provider: provider.clone(),
        session_token: created.session_token.expose().to_string(),
        expires_at: created.expires_at,
        identity: created.identity.clone(),
    };
    let saved_to = record.save(base, secrets)?;
    Ok(SignedIn {
        identity: created.identity,
        expires_at: created.expires_at,
        provider: provider.display_name.clone(),
        renewable: tokens.refresh_token.is_some(),
        saved_to,
    })
}

/// Forgets the session and the refresh token of a store.
fn forget(store: &Url, secrets: &SecretStore, provider: &str) -> Result<(), SessionError> {
    secrets.delete(&refresh_token_key(store, provider))?;
    secrets.delete(&session_key(store))?;
    Ok(())
}

/// The outcome of signing out.
#[derive(Debug)]
pub struct SignedOut {
    /// Who was signed in; `None` when nobody was.
    pub identity: Option<Identity>,
    /// Why the store could not be told (the session then lasts until it expires there); the
    /// keyring is cleared all the same.
    pub store_error: Option<NetError>,
}

/// Signs out of a store: ends the session there, and forgets the session and the refresh
/// token here even when the store cannot be reached.
pub async fn sign_out(
    store: &StoreClient,
    secrets: &SecretStore,
) -> Result<SignedOut, SessionError> {
    let Some(record) = Record::load(store.base(), secrets)? else {
        secrets.delete(&session_key(store.base()))?;
        return Ok(SignedOut {
            identity: None,
            store_error: None,
        });
    };
    let store_error = match store.end_session(&record.token()).await {
        Ok(()) => None,
        // Already over at the store: nothing left to end.
        Err(e) if e.api_code() == Some(kepil_protocol::ErrorCode::Unauthorized) => None,
        Err(e) if e.api_code() == Some(kepil_protocol::ErrorCode::TokenExpired) => None,
        Err(e) => Some(e),
    };
    forget(store.base(), secrets, &record.provider.id)?;
    Ok(SignedOut {
        identity: Some(record.identity.clone()),
        store_error,
    })
}

/// The session of one store, renewed as needed. Shared by every request of a run (an upload's
/// PATCHes, a listing), which all see the same renewal.
pub struct SessionKeeper {
    store: StoreClient,
    secrets: Arc<SecretStore>,
    identity: Identity,
    state: tokio::sync::Mutex<State>,
}

struct State {
    record: Record,
    // Discovered on the first renewal only: a session that lasts needs no provider at all.
    provider: Option<Provider>,
}

impl std::fmt::Debug for SessionKeeper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionKeeper")
            .field("store", &self.store.base().as_str())
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

impl SessionKeeper {
    /// The session kept for `store`, if someone signed in there.
    pub fn open(
        store: StoreClient,
        secrets: Arc<SecretStore>,
    ) -> Result<Option<SessionKeeper>, SecretStoreError> {
        let Some(record) = Record::load(store.base(), &secrets)? else {
            return Ok(None);
        };
        Ok(Some(SessionKeeper {
            identity: record.identity.clone(),
            store,
            secrets,
            state: tokio::sync::Mutex::new(State {
                record,
                provider: None,
            }),
        }))
    }

    pub fn store(&self) -> &StoreClient {
        &self.store
    }

    /// Who signed in, as the store named them at the sign-in.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// When the current session token stops working at the store.
    pub async fn expires_at(&self) -> OffsetDateTime {
        self.state.lock().await.record.expires_at
    }

    /// The provider signed in with, as the store described it at the sign-in.
    pub async fn provider(&self) -> IdentityProviderInfo {
        self.state.lock().await.record.provider.clone()
    }

    /// Whether a refresh token is kept, so the session renews itself (the token stays where
    /// it is: only its presence is looked at).
    pub async fn renewable(&self) -> Result<bool, SecretStoreError> {
        let id = self.state.lock().await.record.provider.id.clone();
        Ok(self
            .secrets
            .get(&refresh_token_key(self.store.base(), &id))?
            .is_some())
    }

    /// The session token to send now, renewed first when it has less than a minute left.
    pub async fn token(&self) -> Result<SecretString, SessionError> {
        let mut state = self.state.lock().await;
        if state.record.expires_at - OffsetDateTime::now_utc() < RENEW_BEFORE {
            self.renew_locked(&mut state).await?;
        }
        Ok(state.record.token())
    }

    /// Renews after the store refused `rejected` (expired early, ended elsewhere). When
    /// another request of this run has renewed meanwhile, answers that token instead of
    /// renewing twice.
    pub async fn renew(&self, rejected: &SecretString) -> Result<SecretString, SessionError> {
        let mut state = self.state.lock().await;
        if state.record.token() == *rejected {
            self.renew_locked(&mut state).await?;
        }
        Ok(state.record.token())
    }

    async fn renew_locked(&self, state: &mut State) -> Result<(), SessionError> {
        let base = self.store.base();
        let info = state.record.provider.clone();
        let ended = || SessionError::SignInEnded {
            provider: info.display_name.clone(),
        };
        let rt_key = refresh_token_key(base, &info.id);
        let Some(refresh_token) = self.secrets.get(&rt_key)? else {
            forget(base, &self.secrets, &info.id)?;
            return Err(ended());
        };
        if state.provider.is_none() {
            let provider = Provider::discover(&info)
                .await
                .map_err(|e| SessionError::Provider {
                    provider: info.display_name.clone(),
                    reason: e.to_string(),
                })?;
            state.provider = Some(provider);
        }
        let provider = state.provider.as_ref().expect("discovered above");
        let tokens = match provider.refresh(&refresh_token).await {
            Ok(tokens) => tokens,
            Err(e @ SessionError::SignInEnded { .. }) => {
                // The provider will not renew it again either: make "not signed in" true here.
                forget(base, &self.secrets, &info.id)?;
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        if let Some(rt) = &tokens.refresh_token
            && *rt != refresh_token
        {
            self.secrets.set(&rt_key, rt)?;
        }
        let created = self
            .store
            .create_session(&CreateSession {
                provider: info.id.clone(),
                id_token: tokens.id_token,
                nonce: None,
            })
            .await
            .map_err(SessionError::Store)?;
        state.record = Record {
            provider: info.clone(),
            session_token: created.session_token.expose().to_string(),
            expires_at: created.expires_at,
            identity: created.identity,
        };
        state.record.save(base, &self.secrets)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_the_store_and_the_provider() {
        let store = Url::parse("https://kepil.agensi.gov.my/").unwrap();
        assert_eq!(session_key(&store), "session:https://kepil.agensi.gov.my");
        assert_eq!(
            refresh_token_key(&store, "mygovuc"),
            "refresh-token:mygovuc@https://kepil.agensi.gov.my"
        );
    }
}
