//! The app's state: where it keeps things, which store it sends to, the in-process local
//! store, and the jobs in flight. Secrets held here (passwords and links of finished sends,
//! the unlocked receive) stay on the Rust side.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kepil_client::receive::Incoming;
use kepil_client::secrets::SecretStore;
use kepil_client::send::Sent;
use kepil_client::settings::{self, ConfigFile, Dirs};
use kepil_client::{Cancel, SecretString};
use kepil_core::message::Lang;
use url::Url;

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

/// The in-process store (first run, no store configured).
pub struct LocalStore {
    pub url: Url,
    pub server: kepil_store::RunningServer,
}

impl std::fmt::Debug for LocalStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalStore")
            .field("url", &self.url.as_str())
            .finish_non_exhaustive()
    }
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

#[derive(Debug)]
pub struct ReceiveSession {
    pub job_id: String,
    pub cancel: Cancel,
    /// Taken by `receive_save`.
    pub incoming: Option<Incoming>,
}

pub struct Kepil {
    pub dirs: Dirs,
    pub secrets: Arc<SecretStore>,
    pub policy: Result<SystemPolicy, Arc<PolicyError>>,
    pub desktop: Arc<dyn Desktop>,
    /// How long a copied password stays on the clipboard.
    pub clipboard_clear_after: Duration,
    pub local: tokio::sync::Mutex<Option<LocalStore>>,
    pub files: Mutex<HashMap<String, PathBuf>>,
    /// Paths the window's drag-and-drop event delivered (the only ones `add_dropped` accepts).
    pub dropped: Mutex<HashSet<PathBuf>>,
    pub sends: Mutex<HashMap<String, SendJob>>,
    pub receive: Mutex<Option<ReceiveSession>>,
    /// Folders files were saved into this session (the only ones `open_folder` opens).
    pub saved_folders: Mutex<HashSet<PathBuf>>,
    pub pending_link: Mutex<Option<String>>,
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
        policy_file: &Path,
        desktop: Arc<dyn Desktop>,
    ) -> Kepil {
        let secrets = Arc::new(secrets);
        let policy = SystemPolicy::load(policy_file)
            .and_then(|policy| policy.apply_trust().map(|()| policy))
            .map_err(|e| {
                tracing::error!("{e}");
                Arc::new(e)
            });
        Kepil {
            dirs,
            secrets,
            policy,
            desktop,
            clipboard_clear_after: Duration::from_secs(60),
            local: tokio::sync::Mutex::new(None),
            files: Mutex::new(HashMap::new()),
            dropped: Mutex::new(HashSet::new()),
            sends: Mutex::new(HashMap::new()),
            receive: Mutex::new(None),
            saved_folders: Mutex::new(HashSet::new()),
            pending_link: Mutex::new(None),
            counter: AtomicU64::new(1),
        }
    }

    pub fn next_id(&self, prefix: &str) -> String {
        format!("{prefix}{}", self.counter.fetch_add(1, Ordering::Relaxed))
    }

    /// The policy, or `policy_invalid` (fail closed).
    pub fn policy(&self) -> UiResult<&SystemPolicy> {
        self.policy.as_ref().map_err(|e| {
            UiError::new("policy_invalid").with("path", e.path().display().to_string())
        })
    }

    pub fn config(&self) -> UiResult<ConfigFile> {
        Ok(ConfigFile::load(&self.dirs)?)
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

    /// Starts the in-process store once, under `<data>/local-store`, on the port it used last
    /// time (so links already sent keep working) or a free one.
    pub async fn ensure_local(&self) -> UiResult<Url> {
        let mut guard = self.local.lock().await;
        if let Some(local) = guard.as_ref() {
            return Ok(local.url.clone());
        }
        let dir = self.dirs.data.join("local-store");
        std::fs::create_dir_all(&dir).map_err(|e| {
            tracing::error!("local store {}: {e}", dir.display());
            UiError::new("local_store_failed")
        })?;
        let port_file = dir.join("port");
        let last: Option<u16> = std::fs::read_to_string(&port_file)
            .ok()
            .and_then(|t| t.trim().parse().ok());
        let free = |port: u16| std::net::TcpListener::bind(("127.0.0.1", port)).is_ok();
        let port = match last {
            Some(p) if free(p) => p,
            _ => std::net::TcpListener::bind(("127.0.0.1", 0))
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .map_err(|e| {
                    tracing::error!("local store: no free port: {e}");
                    UiError::new("local_store_failed")
                })?,
        };
        let mut config = kepil_store::Config::for_data_dir(&dir);
        config.listen = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let url = settings::parse_store_url(&format!("http://127.0.0.1:{port}"))?;
        let key = settings::uploader_token_key(&url);
        let fail = |e: kepil_store::StoreError| {
            tracing::error!("local store: {e}");
            UiError::new("local_store_failed")
        };
        if self.secrets.get(&key).ok().flatten().is_none() {
            let token = kepil_store::admin::create_token(&config, "local-user@kepil.local")
                .await
                .map_err(fail)?;
            settings::save_token(&url, &SecretString::new(token), &self.secrets)?;
        }
        let server = kepil_store::Server::bind(config).await.map_err(fail)?;
        let _ = std::fs::write(&port_file, port.to_string());
        tracing::info!("local store at {url}");
        *guard = Some(LocalStore {
            url: url.clone(),
            server,
        });
        Ok(url)
    }

    /// Stops the local store (app exit, tests).
    pub async fn shutdown(&self) {
        if let Some(local) = self.local.lock().await.take() {
            local.server.shutdown().await;
        }
    }
}
