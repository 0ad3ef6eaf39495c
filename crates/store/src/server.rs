//! Building the router and running it (plain HTTP on loopback, or rustls).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, head, post};
use kepil_protocol::paths;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::audit::Audit;
use crate::backends::{open_blobs, open_metadata};
use crate::clock::Clock;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::ratelimit::RateLimiter;
use crate::sealing::{Blobs, MasterKey};
use crate::state::AppState;
use crate::storage::fs::create_private_dir;
use crate::storage::{AuditEvent, MetadataStore};
use crate::{StoreError, admin_api, api, landing, people, sweeper, tus};

/// The store's HTTP service for `state`. Exposed so embedders can mount it themselves.
pub fn router(state: AppState) -> Router {
    let c = &state.config;
    let json = Router::new()
        .route(paths::POLICY, get(api::policy))
        .route(paths::TRANSFERS, post(api::create_transfer))
        .route(
            "/api/v1/transfers/{transfer_id}",
            get(api::status).delete(api::revoke_transfer),
        )
        .route(
            "/api/v1/transfers/{transfer_id}/grants/{grant_id}",
            axum::routing::delete(api::revoke_grant),
        )
        .route(
            "/api/v1/transfers/{transfer_id}/grants/{grant_id}/unlock",
            post(api::unlock_grant),
        )
        .route(paths::SESSIONS, post(people::sign_in))
        .route(paths::SESSION, get(people::whoami).delete(people::sign_out))
        .route(paths::MY_TRANSFERS, get(people::my_transfers))
        .route(
            "/api/v1/me/transfers/{transfer_id}",
            axum::routing::delete(people::revoke_mine),
        )
        .route(paths::ADMIN_SEARCH, post(admin_api::search))
        .route(paths::ADMIN_REVOKE, post(admin_api::revoke))
        .route(paths::ADMIN_DISABLE, post(admin_api::disable))
        .route(paths::ADMIN_ENABLE, post(admin_api::enable))
        .route(paths::UPLOADS, post(tus::create).options(tus::options))
        .route(
            "/api/v1/uploads/{transfer_id}",
            head(tus::head).delete(tus::terminate),
        )
        .route("/api/v1/grants/{grant_id}", get(api::grant_info))
        .route("/api/v1/grants/{grant_id}/challenge", post(api::challenge))
        .route("/api/v1/grants/{grant_id}/open", post(api::open))
        .route("/api/v1/grants/{grant_id}/proof", post(api::proof))
        .route("/t/{id}", get(landing::page))
        .route("/healthz", get(api::healthz))
        .route("/readyz", get(api::readyz))
        .route("/metrics", get(api::metrics))
        .layer(DefaultBodyLimit::max(c.json_body_limit))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(c.request_timeout_secs.max(1)),
        ));
    // Streaming routes have no whole-request timeout (a 10 GiB upload takes a while); the
    // PATCH handler cuts off bodies idle longer than `idle_timeout_secs` instead.
    let streams = Router::new()
        .route(
            "/api/v1/uploads/{transfer_id}",
            axum::routing::patch(tus::patch),
        )
        .route("/api/v1/grants/{grant_id}/blob", get(api::blob));
    json.merge(streams)
        .fallback(api::fallback)
        // Spans record the method and the route *template* only: never headers or bodies
        // (bearer tokens, proofs), and never the concrete path, which for a link mangled by
        // a mail gateway (`/t/ID%23SECRET`) would carry the link secret.
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                let route = req
                    .extensions()
                    .get::<axum::extract::MatchedPath>()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_else(|| "unmatched".to_owned());
                tracing::info_span!("request", method = %req.method(), route)
            }),
        )
        .with_state(state)
}

/// Entry point for starting a store; see the crate docs.
#[derive(Debug)]
pub struct Server;

/// A store serving in the background.
#[derive(Debug)]
pub struct RunningServer {
    local_addr: SocketAddr,
    base_url: String,
    state: AppState,
    handle: axum_server::Handle,
    shutdown_tx: watch::Sender<bool>,
    serve_task: JoinHandle<std::io::Result<()>>,
    sweep_task: JoinHandle<()>,
    meta: Arc<dyn MetadataStore>,
}

/// Opens the data directory and the backends: metadata, blobs, audit log.
pub(crate) async fn open_state(
    config: Config,
    public_url: String,
) -> Result<(AppState, Arc<dyn MetadataStore>), StoreError> {
    create_private_dir(&config.data_dir).map_err(StoreError::Io)?;
    let meta = open_metadata(&config).await?;
    let blobs = open_blobs(&config).await?;
    let master = MasterKey::load_or_create(&config.master_key_path())?;
    tracing::info!(
        master_key = %master.fingerprint(),
        "blobs sealed at rest under this master key"
    );
    let blobs = Blobs::new(blobs, master);
    let clock = Clock::default();
    let audit =
        Audit::open(&config.audit_path(), meta.clone(), clock.clone()).map_err(StoreError::Io)?;
    let identities = crate::identity::Identities::new(&config.identity)?;
    let state = AppState {
        identities,
        limiter: Arc::new(RateLimiter::new(config.proof_rate_per_minute)),
        config: Arc::new(config),
        meta: meta.clone(),
        blobs,
        audit,
        metrics: Arc::new(Metrics::default()),
        clock,
        public_url: public_url.trim_end_matches('/').into(),
        hashers: Arc::new(Mutex::new(HashMap::new())),
    };
    Ok((state, meta))
}

#[cfg(feature = "tls")]
type TlsServerConfig = Arc<rustls::ServerConfig>;
/// Never built: without the `tls` feature a configuration with `tls` is refused.
#[cfg(not(feature = "tls"))]
type TlsServerConfig = std::convert::Infallible;

#[cfg(not(feature = "tls"))]
fn tls_config(config: &Config) -> Result<Option<TlsServerConfig>, StoreError> {
    match &config.tls {
        None => Ok(None),
        Some(_) => Err(StoreError::Tls(
            "tls is configured, but this build of the store library has no TLS (it is the \
             embedded store of the desktop app): run the `kepil-store` server binary"
                .into(),
        )),
    }
}

#[cfg(feature = "tls")]
fn tls_config(config: &Config) -> Result<Option<TlsServerConfig>, StoreError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let Some(tls) = &config.tls else {
        return Ok(None);
    };
    let certs = CertificateDer::pem_file_iter(&tls.cert)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| StoreError::Tls(format!("certificate {}: {e}", tls.cert.display())))?;
    let key = PrivateKeyDer::from_pem_file(&tls.key)
        .map_err(|e| StoreError::Tls(format!("key {}: {e}", tls.key.display())))?;
    let mut server = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| StoreError::Tls(e.to_string()))?
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .map_err(|e| StoreError::Tls(e.to_string()))?;
    server.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Some(Arc::new(server)))
}

impl Server {
    /// Checks the configuration, opens the data directory, reconciles interrupted uploads,
    /// binds `config.listen` (port 0 picks a free port) and starts serving and sweeping.
    pub async fn bind(config: Config) -> Result<RunningServer, StoreError> {
        config.validate()?;
        config.check_serving()?;
        config.check_listen_safety()?;
        let tls = tls_config(&config)?;
        let listener = std::net::TcpListener::bind(config.listen).map_err(StoreError::Io)?;
        listener.set_nonblocking(true).map_err(StoreError::Io)?;
        let local_addr = listener.local_addr().map_err(StoreError::Io)?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let base_url = format!("{scheme}://{local_addr}");
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| base_url.clone());

        let (state, meta) = open_state(config, public_url).await?;
        let fixed = sweeper::reconcile(&state).await?;
        if fixed > 0 {
            tracing::warn!(
                fixed,
                "interrupted uploads cut back to their durable offsets"
            );
        }

        let warm = state.identities.clone();
        tokio::spawn(async move { warm.warm().await });

        let handle = axum_server::Handle::new();
        // With a timer set, hyper cuts off clients that dribble request headers (slowloris).
        let http1_limits =
            |b: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>| {
                b.http1()
                    .timer(hyper_util::rt::TokioTimer::new())
                    .header_read_timeout(Duration::from_secs(30));
            };
        let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
        let serve_task = match tls {
            #[cfg(not(feature = "tls"))]
            Some(never) => match never {},
            #[cfg(feature = "tls")]
            Some(tls) => {
                let mut server = axum_server::from_tcp_rustls(
                    listener,
                    axum_server::tls_rustls::RustlsConfig::from_config(tls),
                )
                .handle(handle.clone());
                http1_limits(server.http_builder());
                tokio::spawn(server.serve(app))
            }
            None => {
                let mut server = axum_server::from_tcp(listener).handle(handle.clone());
                http1_limits(server.http_builder());
                tokio::spawn(server.serve(app))
            }
        };

        let (shutdown_tx, mut shutdown_rx) = watch::channel(false);
        let sweep_state = state.clone();
        let sweep_task = tokio::spawn(async move {
            let every = Duration::from_secs(sweep_state.config.sweep_interval_secs);
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => {
                        if let Err(e) = sweeper::sweep_once(&sweep_state).await {
                            tracing::error!(error = %e, "sweep failed");
                        }
                    }
                    _ = shutdown_rx.changed() => break,
                }
            }
        });
        tracing::info!(%local_addr, "kepil-store listening");
        Ok(RunningServer {
            local_addr,
            base_url,
            state,
            handle,
            shutdown_tx,
            serve_task,
            sweep_task,
            meta,
        })
    }
}

impl RunningServer {
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `http://127.0.0.1:PORT` or `https://...`: where this server actually listens.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The URL put into upload URLs (`public_url`, or `base_url` when unset).
    pub fn public_url(&self) -> &str {
        &self.state.public_url
    }

    /// This server's clock; tests advance it to pass expiries without sleeping.
    pub fn clock(&self) -> Clock {
        self.state.clock.clone()
    }

    /// Runs one sweep now (tests; the background sweeper runs every `sweep_interval_secs`).
    pub async fn sweep_now(&self) -> Result<sweeper::SweepReport, StoreError> {
        Ok(sweeper::sweep_once(&self.state).await?)
    }

    /// Audit events, optionally for one transfer.
    pub async fn audit_events(
        &self,
        transfer_id: Option<&str>,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        Ok(self.state.meta.audit_events(transfer_id).await?)
    }

    pub fn config(&self) -> &Config {
        &self.state.config
    }

    /// The metadata backend this server uses (tests inspect rows through it).
    pub fn metadata(&self) -> Arc<dyn MetadataStore> {
        self.state.meta.clone()
    }

    /// Stops accepting, lets requests in flight finish (up to 30 s), stops the sweeper and
    /// closes the database.
    pub async fn shutdown(self) {
        self.handle.graceful_shutdown(Some(Duration::from_secs(30)));
        let _ = self.shutdown_tx.send(true);
        if let Err(e) = self
            .serve_task
            .await
            .map_err(std::io::Error::other)
            .and_then(|r| r)
        {
            tracing::error!(error = %e, "server task ended with an error");
        }
        let _ = self.sweep_task.await;
        self.meta.close().await;
        tracing::info!("kepil-store stopped");
    }

    /// Serves until SIGTERM or Ctrl-C, then shuts down gracefully.
    pub async fn run_until_signal(self) {
        wait_for_signal().await;
        tracing::info!("shutdown signal received");
        self.shutdown().await;
    }
}

async fn wait_for_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
