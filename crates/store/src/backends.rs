//! The backends a configuration names: the one place that reads `Config` and opens storage, so
//! `storage` knows nothing of configuration. A backend this build was compiled without
//! (PostgreSQL, S3) fails here with `StorageError::Setup` naming the build that has it, never
//! with a silent fallback to the embedded one.

use std::sync::Arc;

use crate::config::{BlobLocation, Config};
#[cfg(feature = "postgres")]
use crate::storage::postgres;
use crate::storage::{
    BlobStore, MetadataBackend, MetadataStore, MigrationReport, Result, StorageError, fs, sqlite,
};

/// The blob backend `config.blobs` names (files under `data_dir/blobs` by default). An S3
/// backend is checked (bucket reachable, credentials accepted) before this returns.
pub async fn open_blobs(config: &Config) -> Result<Arc<dyn BlobStore>> {
    let location = config
        .blob_location()
        .map_err(|e| StorageError::Object(e.to_string()))?;
    Ok(match location {
        BlobLocation::File(dir) => Arc::new(fs::FsBlobStore::open(&dir)?),
        #[cfg(feature = "s3")]
        BlobLocation::S3(location) => {
            Arc::new(crate::storage::s3::S3BlobStore::open(location, &config.s3).await?)
        }
        #[cfg(not(feature = "s3"))]
        BlobLocation::S3(_) => return Err(missing_feature("S3 blobs (blobs = \"s3://…\")")),
    })
}

/// Opens the configured metadata backend, ready to serve.
///
/// Migration policy: SQLite is migrated on open (one process owns it). PostgreSQL is shared
/// by instances of possibly different releases, so it is migrated only by `kepil-store
/// migrate` or when `auto_migrate` is set; otherwise this refuses a schema older than the
/// binary needs, naming the command to run.
pub async fn open_metadata(config: &Config) -> Result<Arc<dyn MetadataStore>> {
    match metadata_backend(config)? {
        MetadataBackend::Sqlite(path) => {
            create_parent(&path)?;
            Ok(Arc::new(sqlite::SqliteStore::open(&path).await?))
        }
        #[cfg(feature = "postgres")]
        MetadataBackend::Postgres(url) => {
            if config.auto_migrate {
                let report = postgres::migrate(&url).await?;
                tracing::info!(%report, "PostgreSQL schema migrated");
            }
            let store = postgres::PostgresStore::connect(&url, &postgres_options(config)).await?;
            if let Err(e) = store.check_schema().await {
                store.close().await;
                return Err(e);
            }
            Ok(Arc::new(store))
        }
        #[cfg(not(feature = "postgres"))]
        MetadataBackend::Postgres(_) => Err(missing_feature("PostgreSQL metadata")),
    }
}

/// Applies the configured backend's pending migrations (`kepil-store migrate`).
pub async fn migrate(config: &Config) -> Result<MigrationReport> {
    match metadata_backend(config)? {
        MetadataBackend::Sqlite(path) => {
            create_parent(&path)?;
            sqlite::migrate(&path).await
        }
        #[cfg(feature = "postgres")]
        MetadataBackend::Postgres(url) => postgres::migrate(&url).await,
        #[cfg(not(feature = "postgres"))]
        MetadataBackend::Postgres(_) => Err(missing_feature("PostgreSQL metadata")),
    }
}

/// Pool sizes for the PostgreSQL backend.
#[cfg(feature = "postgres")]
pub fn postgres_options(config: &Config) -> postgres::PostgresOptions {
    postgres::PostgresOptions {
        max_connections: config.metadata_pool_size,
        lock_connections: config.metadata_lock_pool_size,
        ..postgres::PostgresOptions::default()
    }
}

/// The private folder a SQLite database file lives in.
fn create_parent(path: &std::path::Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_private_dir(dir)?;
    }
    Ok(())
}

fn metadata_backend(config: &Config) -> Result<MetadataBackend> {
    config
        .metadata_backend()
        .map_err(|e| StorageError::Setup(e.to_string()))
}

#[cfg(not(all(feature = "postgres", feature = "s3")))]
fn missing_feature(what: &str) -> StorageError {
    StorageError::Setup(format!(
        "{what} is configured, but this build of the store library was made without it (it is \
         the embedded store of the desktop app): run the `kepil-store` server binary, which has \
         every backend"
    ))
}
