//! The in-process store of a first run with no store configured (feature `local-store`):
//! `kepil-store` without features (SQLite + files, plain HTTP on 127.0.0.1) under
//! `<data>/local-store`. Its links work on this computer only, which the UI says. The agency
//! package is built without it, so its dependency tree has no server in it.

use kepil_client::SecretString;
use kepil_client::settings;
use url::Url;

use crate::error::{UiError, UiResult};
use crate::state::Kepil;

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

impl Kepil {
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

    /// Stops the local store if it runs.
    pub(crate) async fn stop_local(&self) {
        if let Some(local) = self.local.lock().await.take() {
            local.server.shutdown().await;
        }
    }
}
