//! The app's state and the Settings screen: `app_state`, `settings_save`, `token_save` (the
//! sign-in is `account`'s).

use std::collections::BTreeMap;

use kepil_client::SecretString;
use kepil_client::api::StoreClient;
use kepil_client::settings;
use kepil_protocol::StorePolicy;
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use crate::commands::account;
use crate::error::{UiError, UiResult};
use crate::state::{Kepil, lock};

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StoreState {
    pub url: Option<String>,
    pub local: bool,
    pub locked: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Policy")]
pub struct PolicyView {
    pub classifications: Vec<String>,
    pub max_expiry_secs: BTreeMap<String, u64>,
    pub default_expiry_secs: BTreeMap<String, u64>,
    pub max_downloads: u32,
    pub default_max_downloads: u32,
    pub max_blob_size: u64,
    pub sms_enabled: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppState {
    #[ts(type = "Lang")]
    pub lang: &'static str,
    /// Where the link's email is composed.
    #[ts(type = "\"system\" | \"gmail\" | \"outlook\"")]
    pub mail: &'static str,
    pub store: StoreState,
    /// A machine token is there for the store (never where the system policy requires
    /// sign-in).
    pub token_set: bool,
    /// Where this computer's tokens and sessions are kept.
    pub secrets: SecretsView,
    /// The token field is locked: the local store's token is the app's, and a desktop that
    /// requires sign-in takes none.
    pub token_locked: bool,
    /// Sign-in with the store's identity providers, and who is signed in.
    pub account: crate::commands::account::AccountState,
    /// `None` when the store cannot be reached (`store_error` says why).
    pub policy: Option<PolicyView>,
    pub store_error: Option<UiError>,
    pub locked: Vec<String>,
    pub pending_link: Option<String>,
}

/// Where secrets are, for Settings: the keyring, a private file (and why), or both.
#[derive(Debug, Clone, Default, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SecretsView {
    pub keyring: bool,
    /// Why some secret is in the file: `forced`, `no_keyring`, `unanswered`, `refused`;
    /// `None` when the file holds nothing.
    pub file_reason: Option<String>,
    pub file: String,
    /// The keyring has not answered yet (an unlock prompt may be waiting).
    pub waiting: bool,
}

impl From<kepil_client::secrets::Whereabouts> for SecretsView {
    fn from(w: kepil_client::secrets::Whereabouts) -> Self {
        SecretsView {
            keyring: w.keyring,
            file_reason: w.file.map(|r| r.name().to_string()),
            file: w.path.display().to_string(),
            waiting: w.waiting,
        }
    }
}

/// The store's policy narrowed by the system policy: what the Send screen may offer.
pub fn effective_policy(store: &StorePolicy, system: &crate::policy::SystemPolicy) -> PolicyView {
    let narrowed = system.narrow(store);
    let mut view = PolicyView {
        classifications: vec![],
        max_expiry_secs: BTreeMap::new(),
        default_expiry_secs: BTreeMap::new(),
        max_downloads: narrowed.max_downloads,
        default_max_downloads: narrowed.default_max_downloads,
        max_blob_size: narrowed.max_blob_size,
        sms_enabled: system.sms.is_some(),
    };
    for c in &narrowed.classifications {
        let name = c.classification.as_str().to_string();
        view.classifications.push(name.clone());
        view.max_expiry_secs.insert(name.clone(), c.max_expiry_secs);
        view.default_expiry_secs.insert(name, c.default_expiry_secs);
    }
    view
}

pub async fn build_app_state(kepil: &Kepil, take_pending: bool) -> UiResult<AppState> {
    let system = kepil.policy()?.clone();
    let pending_link = if take_pending {
        lock(&kepil.pending_link).take()
    } else {
        None
    };
    let lang = kepil.lang().as_str();
    let locked = system.locked();
    let (store, store_error) = match kepil.store().await {
        Ok(s) => (Some(s), None),
        Err(e) => (None, Some(e)),
    };
    let local = store.as_ref().is_some_and(|s| s.local);
    let mut state = AppState {
        lang,
        mail: kepil.mail().name(),
        store: StoreState {
            url: store.as_ref().map(|s| s.url.to_string()),
            local,
            locked: system.store.url.is_some(),
        },
        token_set: false,
        // Read at the end, once the token and session reads have seen whether the keyring
        // answers.
        secrets: SecretsView::default(),
        token_locked: local || system.sign_in_required(),
        account: account::account_state(kepil, None, None, &system).await,
        policy: None,
        store_error,
        locked,
        pending_link,
    };
    if let Some(store) = store {
        state.token_set =
            kepil.token(&store.url).is_ok() && (local || system.check_machine_token().is_ok());
        let mut store_policy = None;
        match StoreClient::new(store.url.clone()) {
            Ok(client) => match client.policy().await {
                Ok(p) => {
                    state.policy = Some(effective_policy(&p, &system));
                    store_policy = Some(p);
                }
                Err(e) => state.store_error = Some(e.into()),
            },
            Err(e) => state.store_error = Some(e.into()),
        }
        state.account =
            account::account_state(kepil, Some(&store.url), store_policy.as_ref(), &system).await;
    }
    state.secrets = SecretsView::from(kepil.secrets.whereabouts());
    Ok(state)
}

#[tauri::command]
pub async fn app_state(kepil: State<'_, Kepil>) -> UiResult<AppState> {
    build_app_state(&kepil, true).await
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "SettingsRequest")]
pub struct SettingsInput {
    /// `""` clears the store (back to the local store, when allowed).
    #[ts(optional)]
    pub store_url: Option<String>,
    #[ts(optional, as = "Option<crate::bindings::Lang>")]
    pub lang: Option<String>,
    /// `system`, `gmail` or `outlook`.
    #[ts(optional)]
    pub mail: Option<String>,
}

#[tauri::command]
pub async fn settings_save(kepil: State<'_, Kepil>, request: SettingsInput) -> UiResult<AppState> {
    let settings = request;
    let system = kepil.policy()?.clone();
    let mut config = kepil.config()?;
    if let Some(url) = settings.store_url {
        if system.store.url.is_some() {
            return Err(UiError::new("setting_locked").with("setting", "storeUrl"));
        }
        if url.trim().is_empty() {
            config.store = None;
        } else {
            let parsed = settings::parse_store_url(&url)?;
            config.store = Some(parsed.as_str().trim_end_matches('/').to_string());
        }
    }
    if let Some(lang) = settings.lang {
        if system.ui.lang.is_some() {
            return Err(UiError::new("setting_locked").with("setting", "lang"));
        }
        let parsed = settings::parse_lang(&lang)
            .ok_or_else(|| UiError::new("language_unknown").with("input", &lang))?;
        config.lang = Some(parsed.as_str().to_string());
    }
    if let Some(mail) = settings.mail {
        if system.ui.mail.is_some() {
            return Err(UiError::new("setting_locked").with("setting", "mail"));
        }
        config.mail = Some(
            settings::MailComposer::parse(&mail)
                .ok_or_else(|| UiError::new("mail_unknown").with("input", &mail))?,
        );
    }
    config.save(&kepil.dirs)?;
    build_app_state(&kepil, false).await
}

/// The page has painted its first screen with the app's state: the moment a person can use
/// Kepil, which the log records once (bench/app-startup.sh reads it).
#[tauri::command]
pub async fn ui_ready() -> UiResult<()> {
    static SEEN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if !SEEN.swap(true, std::sync::atomic::Ordering::SeqCst) {
        tracing::info!(
            "first screen shown with its data {} ms after launch",
            crate::launched().elapsed().as_millis()
        );
    }
    Ok(())
}

#[tauri::command]
/// Saves the uploader token; answers where it went, `keyring` or `file` (a keyring that
/// refused or did not answer), so that the page can say so.
pub async fn token_save(kepil: State<'_, Kepil>, token: String) -> UiResult<String> {
    let token = SecretString::new(token.trim());
    if token.expose().is_empty() {
        return Err(UiError::new("token_empty"));
    }
    let store = kepil.store().await?;
    if store.local {
        return Err(UiError::new("setting_locked").with("setting", "token"));
    }
    kepil.policy()?.check_machine_token()?;
    Ok(settings::save_token(&store.url, &token, &kepil.secrets)?.to_string())
}
