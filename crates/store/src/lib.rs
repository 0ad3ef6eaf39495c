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
//! `Config::load(Some(path), &Overrides)` reads TOML + `KEPIL_STORE_*` variables (see
//! docs/store.md). `RunningServer::clock()` lets tests move time forward and
//! `RunningServer::sweep_now()` runs the sweeper at once.
//!
//! # Storage
//! [`storage::MetadataStore`] and [`storage::BlobStore`] hide the backends (SQLite and files
//! here); every backend must pass [`storage::conformance`].

#![forbid(unsafe_code)]

pub mod admin;
pub mod api;
pub mod audit;
pub mod clock;
pub mod config;
pub mod error;
pub mod ids;
pub mod landing;
pub mod metrics;
pub mod ratelimit;
pub mod sealing;
pub mod server;
pub mod state;
pub mod storage;
pub mod sweeper;
pub mod tus;

pub use clock::Clock;
pub use config::{Config, DatabaseUrl, Overrides};
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
