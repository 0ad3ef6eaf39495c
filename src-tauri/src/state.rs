//! The app's state: where it keeps things, which store it sends to, the in-process local
//! store (feature `local-store`, see local_store.rs), and the jobs in flight. Secrets held here (passwords and links of finished sends,
//! the unlocked receive) stay on the Rust side.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kepil_client::api::StoreClient;
use kepil_client::bearer::Bearer;
use kepil_client::receive::Incoming;
use kepil_client::scan::{Direction, ScanSetup, Scanning};
use kepil_client::secrets::SecretStore;
use kepil_client::send::Sent;
use kepil_client::settings::{self, ConfigFile, Dirs};
use kepil_client::store_trust::{StoreTrust, StoreView};
use kepil_client::{Cancel, SecretString};
use kepil_core::message::Lang;
use url::Url;

use crate::channel::JobChannel;
use crate::commands::receive::ReceiveDone;
use crate::desktop::Desktop;
use crate::error::{UiError, UiResult};
use crate::policy::{PolicyError, SystemPolicy};

/// The store a send goes to.
#[derive(Debug, Clone)]
pub struct StoreChoice {
    pub url: Url,
    /// The in-process store on 127.0.0.1: its links work on this computer only.
    pub local: bool,
    /// Set by the system policy.
    pub locked: bool,
}

#[derive(Debug)]
pub struct SendJob {
    pub cancel: Cancel,
    pub subject: String,
    pub classification: String,
    pub phones: Vec<Option<String>>,
    /// Set once the send finished.
    pub sent: Option<Sent>,
}

/// The sign-in waiting for the browser. Dropping `cancel` (or sending on it) gives it up.
#[derive(Debug)]
pub struct SignInJob {
    pub job_id: String,
    pub cancel: tokio::sync::oneshot::Sender<()>,
}

#[derive(Debug)]
pub struct ReceiveSession {
    pub job_id: String,
    pub cancel: Cancel,
    /// Taken by `receive_save`.
    pub incoming: Option<Incoming>,
    /// The unlock's channel, then the save's.
    pub events: Arc<JobChannel<ReceiveDone>>,
    /// Decided before the unlock: how the files are scanned before they are saved.
    pub scanning: Scanning,
}

pub struct Kepil {
    pub dirs: Dirs,
    pub secrets: Arc<SecretStore>,
    pub policy: Result<SystemPolicy, Arc<PolicyError>>,
    pub desktop: Arc<dyn Desktop>,
    /// How long a copied password stays on the clipboard.
    pub clipboard_clear_after: Duration,
    /// How long a sign-in waits for the browser to come back.
    pub sign_in_timeout: Duration,
    pub sign_in: Mutex<Option<SignInJob>>,
    #[cfg(feature = "local-store")]
    pub local: tokio::sync::Mutex<Option<crate::local_store::LocalStore>>,
    pub files: Mutex<HashMap<String, PathBuf>>,
    /// Paths the window's drag-and-drop event delivered (the only ones `add_dropped` accepts).
    pub dropped: Mutex<HashSet<PathBuf>>,
    pub sends: Mutex<HashMap<String, SendJob>>,
    pub receive: Mutex<Option<ReceiveSession>>,
    /// Folders the person chose in the native folder dialog, by the opaque id the webview
    /// holds: the only places `receive_save` writes into.
    pub folders: Mutex<HashMap<String, PathBuf>>,
    /// The ids of folders files were saved into this session (the only ones `open_folder`
    /// opens).
    pub saved_folders: Mutex<HashSet<String>>,
    pub pending_link: Mutex<Option<String>>,
    /// Stores the person confirmed this session (`receive_open` with `confirmStore`), by host.
    pub confirmed_stores: Mutex<HashSet<String>>,
    counter: AtomicU64,
}

impl std::fmt::Debug for Kepil {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kepil")
            .field("dirs", &self.dirs)
            .finish_non_exhaustive()
    }
}

pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Kepil {
    pub fn new(
        dirs: Dirs,
        secrets: SecretStore,
        policy: Result<SystemPolicy, PolicyError>,
        desktop: Arc<dyn Desktop>,
    ) -> Kepil {
        let policy = policy
            .and_then(|policy| policy.apply_trust().map(|()| policy))
            .map_err(|e| {
                tracing::error!("{e}");
                Arc::new(e)
            });
        // A policy that cannot be read allows nothing it might have forbidden.
        let file_allowed = policy
            .as_ref()
            .is_ok_and(SystemPolicy::file_fallback_allowed);
        let secrets = Arc::new(secrets.with_file_fallback(file_allowed));
        Kepil {
            dirs,
            secrets,
            policy,
            desktop,
            clipboard_clear_after: Duration::from_secs(60),
            sign_in_timeout: kepil_client::signin::DEFAULT_TIMEOUT,
            sign_in: Mutex::new(None),
            #[cfg(feature = "local-store")]
            local: tokio::sync::Mutex::new(None),
            files: Mutex::new(HashMap::new()),
            dropped: Mutex::new(HashSet::new()),
            sends: Mutex::new(HashMap::new()),
            receive: Mutex::new(None),
            folders: Mutex::new(HashMap::new()),
            saved_folders: Mutex::new(HashSet::new()),
            pending_link: Mutex::new(None),
            confirmed_stores: Mutex::new(HashSet::new()),
            counter: AtomicU64::new(1),
        }
    }

    /// How a link's store stands here (kepil-client's `store_trust`): the policy's stores, the
    /// person's own, this app's local store. A policy that cannot be read trusts nothing it
    /// would name: every other store must then be confirmed.
    pub async fn store_view(&self, store: &Url) -> StoreView {
        let empty = SystemPolicy::default();
        let policy = self.policy.as_ref().unwrap_or(&empty);
        let configured = self
            .config()
            .ok()
            .and_then(|c| settings::resolve_store(None, &c).ok());
        #[cfg(feature = "local-store")]
        let local = self.local.lock().await.as_ref().map(|l| l.url.clone());
        #[cfg(not(feature = "local-store"))]
        let local: Option<Url> = None;
        StoreTrust::new(policy, configured.as_ref(), local.as_ref()).judge(store)
    }

    /// Malware scanning for one direction: the system policy's `[scan]`, else `scanner` in
    /// the settings file (or `KEPIL_SCANNER`).
    pub fn scan_setup(&self, direction: Direction) -> UiResult<ScanSetup> {
        let config = self.config()?;
        let configured = settings::resolve_scanner(&config);
        Ok(ScanSetup::resolve(
            self.policy()?,
            configured.as_deref(),
            direction,
        )?)
    }

    pub fn next_id(&self, prefix: &str) -> String {
        format!("{prefix}{}", self.counter.fetch_add(1, Ordering::Relaxed))
    }

    /// The policy, or `policy_invalid` (fail closed).
    pub fn policy(&self) -> UiResult<&SystemPolicy> {
        self.policy.as_ref().map_err(|e| UiError::of(&**e))
    }

    pub fn config(&self) -> UiResult<ConfigFile> {
        Ok(ConfigFile::load(&self.dirs)?)
    }

    /// Where the link's email is composed: the policy's choice, else the person's, else the
    /// desktop's mail program.
    pub fn mail(&self) -> settings::MailComposer {
        if let Ok(p) = &self.policy
            && let Some(mail) = p.ui.mail
        {
            return mail;
        }
        self.config().unwrap_or_default().mail.unwrap_or_default()
    }

    pub fn lang(&self) -> Lang {
        if let Ok(p) = &self.policy
            && let Some(lang) = p.ui.lang.as_deref().and_then(settings::parse_lang)
        {
            return lang;
        }
        let config = self.config().unwrap_or_default();
        // The app defaults to BM whatever the locale says (the CLI follows the locale).
        config
            .lang
            .as_deref()
            .and_then(settings::parse_lang)
            .unwrap_or(Lang::Ms)
    }

    /// Policy's store > the user's (env, config) > the local store (if allowed).
    pub async fn store(&self) -> UiResult<StoreChoice> {
        let policy = self.policy()?;
        if let Some(url) = &policy.store.url {
            return Ok(StoreChoice {
                url: settings::parse_store_url(url)?,
                local: false,
                locked: true,
            });
        }
        let config = self.config()?;
        match settings::resolve_store(None, &config) {
            Ok(url) => Ok(StoreChoice {
                url,
                local: false,
                locked: false,
            }),
            // A build without the local store (the agency package) says `no_store`: IT's
            // policy or the user's settings must name the agency's store.
            #[cfg(feature = "local-store")]
            Err(kepil_client::ConfigError::NoStore) if policy.local_store_allowed() => {
                Ok(StoreChoice {
                    url: self.ensure_local().await?,
                    local: true,
                    locked: false,
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The uploader token for a store (`KEPIL_TOKEN` > the keyring).
    pub fn token(&self, store: &Url) -> UiResult<SecretString> {
        Ok(settings::resolve_token(None, store, &self.secrets)?)
    }

    /// Who a send to `store` uploads as: the session of a sign-in, else a machine token, as
    /// kepil-client decides under the system policy (only the session where it requires
    /// sign-in). The local store takes the token the app made for it.
    pub fn bearer(&self, store: &StoreChoice, client: &StoreClient) -> UiResult<Bearer> {
        if store.local {
            return Ok(Bearer::Token(self.token(&store.url)?));
        }
        Ok(Bearer::resolve_with(client, &self.secrets, self.policy()?)?)
    }

    /// Stops what runs in the background: the local store (app exit, tests).
    pub async fn shutdown(&self) {
        #[cfg(feature = "local-store")]
        self.stop_local().await;
    }
}
