//! Signing in with the store's identity provider, and what a signed-in person asks the store
//! about themselves: `sign_in_start`, `sign_in_cancel`, `sign_out`, `account_transfers`,
//! `account_revoke`. The flows are kepil-client's (`signin`, `account`); here the browser is
//! opened through the desktop's opener and the outcome goes back on the caller's channel.

use std::collections::HashSet;

use kepil_client::account::Account;
use kepil_client::api::StoreClient;
use kepil_client::history::History;
use kepil_client::secrets::SecretStore;
use kepil_client::signin::{self, CodeFlow, Provider, SessionKeeper, SignedIn};
use kepil_client::{ConfigError, SignInError};
use kepil_protocol::StorePolicy;
use kepil_protocol::identity::{Identity, IdentityProviderInfo};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};
use time::OffsetDateTime;
use ts_rs::TS;
use url::Url;

use super::rfc3339;
use crate::channel::{JobChannel, JobEvent};
use crate::desktop::Desktop;
use crate::error::{UiError, UiResult};
use crate::policy::SystemPolicy;
use crate::state::{Kepil, SignInJob, lock};

/// One of the store's identity providers, as the sign-in button offers it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Provider")]
pub struct ProviderView {
    pub id: String,
    pub display_name: String,
}

/// Who is signed in to the store, until when.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Session")]
pub struct SessionView {
    pub email: String,
    pub name: Option<String>,
    /// The store's id of the provider.
    pub provider_id: String,
    /// Its display name (the id when the store cannot be asked).
    pub provider: String,
    /// When the store session runs out (RFC 3339); renewed before that when `renewable`.
    pub expires_at: String,
    /// A refresh token is kept, so the session renews itself while the provider allows.
    pub renewable: bool,
}

/// The sign-in part of `AppState`.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Account")]
pub struct AccountState {
    /// The store's identity providers; empty: the store takes machine tokens only (or cannot be
    /// reached).
    pub providers: Vec<ProviderView>,
    /// The store takes files only from signed-in people (`sign_in_required`).
    pub store_requires: bool,
    /// This desktop's system policy requires sign-in (no machine token here).
    pub policy_requires: bool,
    /// The provider id this desktop's system policy signs in with.
    pub locked_provider: Option<String>,
    pub session: Option<SessionView>,
}

fn display_name(providers: &[IdentityProviderInfo], id: &str) -> String {
    providers
        .iter()
        .find(|p| p.id == id)
        .map(|p| p.display_name.clone())
        .unwrap_or_else(|| id.to_string())
}

/// What the keyring holds for `store`: the session of an earlier sign-in, if any.
pub async fn session_view(
    store: &Url,
    secrets: &std::sync::Arc<SecretStore>,
    providers: &[IdentityProviderInfo],
) -> UiResult<Option<SessionView>> {
    let client = StoreClient::new(store.clone())?;
    let Some(keeper) = SessionKeeper::open(client, secrets.clone()).map_err(ConfigError::from)?
    else {
        return Ok(None);
    };
    let renewable = keeper.renewable().await.map_err(ConfigError::from)?;
    let expires_at = keeper.expires_at().await;
    // The store's current name of the provider, else the one it gave at the sign-in.
    let mut known = providers.to_vec();
    known.push(keeper.provider().await);
    Ok(Some(view(
        keeper.identity().clone(),
        expires_at,
        renewable,
        &known,
    )))
}

fn view(
    identity: Identity,
    expires_at: OffsetDateTime,
    renewable: bool,
    providers: &[IdentityProviderInfo],
) -> SessionView {
    SessionView {
        provider: display_name(providers, &identity.provider),
        email: identity.email,
        name: identity.name,
        provider_id: identity.provider,
        expires_at: rfc3339(expires_at),
        renewable,
    }
}

/// The account part of `AppState` for a store (its policy, when it answered).
pub async fn account_state(
    kepil: &Kepil,
    store: Option<&Url>,
    store_policy: Option<&StorePolicy>,
    system: &SystemPolicy,
) -> AccountState {
    let providers = store_policy
        .map(|p| p.identity_providers.clone())
        .unwrap_or_default();
    let session = match store {
        // A keyring that cannot be read shows as "not signed in"; signing in says why.
        Some(url) => session_view(url, &kepil.secrets, &providers)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!("session: {e}");
                None
            }),
        None => None,
    };
    AccountState {
        providers: providers
            .iter()
            .map(|p| ProviderView {
                id: p.id.clone(),
                display_name: p.display_name.clone(),
            })
            .collect(),
        store_requires: store_policy.is_some_and(|p| p.sign_in_required),
        policy_requires: system.sign_in_required(),
        locked_provider: system.sign_in_provider().map(str::to_string),
        session,
    }
}

/// `sign_in_start`'s answer: the browser was sent to `url` (shown in case it did not open).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignInStarted {
    pub job_id: String,
    /// The provider's display name.
    pub provider: String,
    /// The authorization URL. It carries the PKCE challenge, state and nonce, none of which
    /// lets anyone else finish this sign-in, so it may be shown and copied.
    pub url: String,
    /// `false` when no browser could be started: the person opens `url` themselves.
    pub browser_opened: bool,
}

/// What `sign_in_start` waits for: the browser opened at this address (and whether it could
/// be started), or why the sign-in failed before that.
type Ready = tokio::sync::oneshot::Sender<UiResult<(String, bool)>>;

/// Up to the browser: discovery, the loopback listener, opening the authorization URL (the
/// start is handed over on `ready`), then the wait for the redirect and the exchange at the
/// store.
async fn run_sign_in(
    info: &IdentityProviderInfo,
    client: &StoreClient,
    secrets: &SecretStore,
    desktop: &dyn Desktop,
    timeout: std::time::Duration,
    ready: &mut Option<Ready>,
) -> Result<SignedIn, SignInError> {
    let provider = Provider::discover(info).await?;
    let flow = CodeFlow::start(&provider).await?;
    let url = flow.authorize_url().to_string();
    // The address is shown either way: a browser that fails to start is no reason to stop.
    let opened = match desktop.open_url(&url) {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!("cannot open the browser for the sign-in: {e}");
            false
        }
    };
    if let Some(tx) = ready.take() {
        let _ = tx.send(Ok((url, opened)));
    }
    let tokens = flow.wait_for_browser(timeout).await?;
    signin::establish(client, secrets, info, tokens).await
}

/// Starts a sign-in: answers once the browser is on its way to the provider; the outcome
/// (`done` with the session, or `failed`: `sign_in_timeout`, `sign_in_denied`,
/// `sign_in_cancelled`, the store's refusal) comes on `on_event`.
#[tauri::command]
pub async fn sign_in_start<R: Runtime>(
    app: AppHandle<R>,
    kepil: State<'_, Kepil>,
    provider: Option<String>,
    on_event: Channel<JobEvent<SessionView>>,
) -> UiResult<SignInStarted> {
    let system = kepil.policy()?.clone();
    let store = kepil.store().await?;
    let client = StoreClient::new(store.url.clone())?;
    let policy = client.policy().await?;
    let info =
        signin::choose_provider_with(store.url.as_str(), &policy, provider.as_deref(), &system)?;
    let job_id = kepil.next_id("i");
    let (cancel, cancelled) = tokio::sync::oneshot::channel::<()>();
    // One sign-in at a time: a second press replaces the first, whose listener closes.
    *lock(&kepil.sign_in) = Some(SignInJob {
        job_id: job_id.clone(),
        cancel,
    });
    let events = JobChannel::new(job_id.clone(), on_event);
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    let secrets = kepil.secrets.clone();
    let desktop = kepil.desktop.clone();
    let timeout = kepil.sign_in_timeout;
    let providers = policy.identity_providers;
    let provider_name = info.display_name.clone();
    let id = job_id.clone();
    tauri::async_runtime::spawn(async move {
        let mut ready = Some(ready_tx);
        // Dropping the job's sender (a new sign-in, sign-out) cancels as well.
        let result = tokio::select! {
            result = run_sign_in(&info, &client, &secrets, &*desktop, timeout, &mut ready) => result,
            _ = cancelled => Err(SignInError::Cancelled),
        };
        let kepil = app.state::<Kepil>();
        {
            let mut current = lock(&kepil.sign_in);
            if current.as_ref().is_some_and(|j| j.job_id == id) {
                *current = None;
            }
        }
        match (ready.take(), result) {
            // Failed before the browser was opened: the command itself answers.
            (Some(tx), Err(e)) => {
                let _ = tx.send(Err(e.into()));
            }
            (_, Err(e)) => events.failed(e.into()),
            (_, Ok(signed)) => events.done(view(
                signed.identity,
                signed.expires_at,
                signed.renewable,
                &providers,
            )),
        }
    });
    let (url, browser_opened) = ready_rx
        .await
        .unwrap_or_else(|_| Err(SignInError::Cancelled.into()))?;
    Ok(SignInStarted {
        job_id,
        provider: provider_name,
        url,
        browser_opened,
    })
}

/// Gives up the sign-in `job_id` (its channel then says `sign_in_cancelled`).
#[tauri::command]
pub async fn sign_in_cancel(kepil: State<'_, Kepil>, job_id: String) -> UiResult<()> {
    let mut current = lock(&kepil.sign_in);
    if let Some(job) = current.take_if(|j| j.job_id == job_id) {
        let _ = job.cancel.send(());
    }
    Ok(())
}

/// `sign_out`'s answer.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignedOutView {
    /// Who was signed in; `None` when nobody was.
    pub email: Option<String>,
    /// Why the store could not be told (its session then lasts until it expires there); the
    /// session and the refresh token are forgotten here all the same.
    pub store_error: Option<UiError>,
}

/// Signs out: ends the session at the store and forgets it and the refresh token here.
#[tauri::command]
pub async fn sign_out(kepil: State<'_, Kepil>) -> UiResult<SignedOutView> {
    drop(lock(&kepil.sign_in).take());
    let store = kepil.store().await?;
    let client = StoreClient::new(store.url.clone())?;
    let out = signin::sign_out(&client, &kepil.secrets).await?;
    Ok(SignedOutView {
        email: out.identity.map(|i| i.email),
        store_error: out.store_error.map(UiError::from),
    })
}

/// One of the signed-in person's live transfers, from whichever computer it was sent.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountTransfer {
    pub transfer_id: String,
    pub sender: String,
    pub classification: String,
    pub size: u64,
    pub created_at: String,
    pub expires_at: String,
    pub upload_complete: bool,
    pub grants: u32,
    pub downloads: u32,
    /// Sent from this computer (it is in the local history too).
    pub here: bool,
}

fn account(kepil: &Kepil, url: &Url) -> UiResult<Account> {
    let client = StoreClient::new(url.clone())?;
    Ok(Account::open_with(client, &kepil.secrets, kepil.policy()?)?)
}

/// The signed-in person's live transfers at the store, newest first.
#[tauri::command]
pub async fn account_transfers(kepil: State<'_, Kepil>) -> UiResult<Vec<AccountTransfer>> {
    let store = kepil.store().await?;
    let mut list = account(&kepil, &store.url)?.transfers().await?;
    list.sort_by_key(|t| std::cmp::Reverse(t.created_at));
    let here: HashSet<String> = History::open(&kepil.dirs)
        .list()
        .map(|entries| entries.into_iter().map(|e| e.transfer_id).collect())
        .unwrap_or_default();
    Ok(list
        .into_iter()
        .map(|t| AccountTransfer {
            here: here.contains(&t.transfer_id),
            transfer_id: t.transfer_id,
            sender: t.sender,
            classification: t.classification.as_str().to_string(),
            size: t.size,
            created_at: rfc3339(t.created_at),
            expires_at: rfc3339(t.expires_at),
            upload_complete: t.upload_complete,
            grants: t.grants,
            downloads: t.downloads,
        })
        .collect())
}

/// Revokes one of the signed-in person's transfers (every recipient) without its owner token.
#[tauri::command]
pub async fn account_revoke(kepil: State<'_, Kepil>, transfer_id: String) -> UiResult<()> {
    let store = kepil.store().await?;
    account(&kepil, &store.url)?.revoke(&transfer_id).await?;
    Ok(())
}
