//! The Kepil store: the in-country temporary store where age-encrypted attachments wait for
//! their recipients. It never sees a password, link secret, file name or plaintext; it hands
//! each blob only to a caller that proves knowledge of the grant's `auth_key`, counts that
//! moment as the download, locks grants after repeated wrong proofs, and forgets on time.
//!
//! # Starting and stopping (tests, the desktop app's embedded store)
//! ```no_run
//! # async fn demo() -> Result<(), kepil_store::StoreError> {
//! let config = kepil_store::Config::for_data_dir("/tmp/kepil-store"); // 127.0.0.1:0
//! let token = kepil_store::admin::create_token(&config, "pegawai@agensi.gov.my").await?;
//! let server = kepil_store::Server::bind(config).await?;
//! println!("{} {}", server.base_url(), token);
//! server.shutdown().await;
//! # Ok(()) }
//! ```
//! The `kepil-store` binary (crates/store-server) reads a `Config` from TOML + `KEPIL_STORE_*`
//! variables (see docs/store.md). `RunningServer::clock()` lets tests move time forward and
//! `RunningServer::sweep_now()` runs the sweeper at once.
//!
//! # Features
//! Without features this is the embedded store: SQLite metadata, blob files, plain HTTP on
//! loopback. `postgres`, `s3` and `tls` add the scale-out backends and TLS, `oidc` sign-in
//! through OpenID providers; `server` is all four (what the binary builds). A configuration naming a backend the build lacks fails at
//! start with a message saying so.
//!
//! # Storage
//! [`storage::MetadataStore`] and [`storage::BlobStore`] hide the backends; every backend must
//! pass the shared suite in the dev-only `kepil-test-support` crate.

#![forbid(unsafe_code)]

pub mod admin;
pub mod admin_api;
pub mod api;
pub mod audit;
pub mod backends;
pub mod clock;
pub mod config;
pub mod domain;
pub mod error;
pub mod identity;
pub mod ids;
pub mod landing;
pub mod metrics;
pub mod people;
pub mod ratelimit;
pub mod redact;
pub mod sealing;
pub mod server;
pub mod state;
pub mod storage;
pub mod sweeper;
pub mod tus;

pub use clock::Clock;
pub use config::{Config, DatabaseUrl};
pub use server::{RunningServer, Server};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    Storage(#[from] storage::StorageError),
    #[error(transparent)]
    MasterKey(#[from] sealing::MasterKeyError),
    #[error("i/o: {0}")]
    Io(std::io::Error),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("{0}")]
    Invalid(String),
}
