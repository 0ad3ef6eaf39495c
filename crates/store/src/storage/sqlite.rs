//! The embedded metadata backend: SQLite through sqlx, WAL mode.
//!
//! The statements are shared with PostgreSQL (`sql.rs`); this file holds what only SQLite
//! does: one writer connection, WAL, FULL sync, in-process upload locks, migrations.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, Sqlite, Transaction};

use super::{
    AuditEvent, DownloadTokenRow, FailedProof, GrantRow, IdentityRow, MetadataStore,
    MigrationReport, PurgeReason, Redeemed, Result, SessionRow, StorageError, TransferRow,
    UploadLock, UploaderToken,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// One connection for every write: SQLite admits one writer at a time anyway, and
    /// queueing in the pool is FIFO and wakes at once, where contending connections would
    /// sleep in SQLite's busy handler with growing back-off (seconds of tail latency).
    writer: SqlitePool,
    upload_locks: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
}

impl SqliteStore {
    /// Opens (creating when absent) `path` and runs the migrations.
    pub async fn open(path: &Path) -> Result<Self> {
        let options = connect_options(path)?;
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(options.clone())
            .await?;
        MIGRATOR.run(&writer).await?;
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        restrict_permissions(path);
        Ok(SqliteStore {
            pool,
            writer,
            upload_locks: Arc::default(),
        })
    }

    /// An in-memory database, for tests.
    pub async fn in_memory() -> Result<Self> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
        // One connection: every connection to ":memory:" is a separate database.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(SqliteStore {
            writer: pool.clone(),
            pool,
            upload_locks: Arc::default(),
        })
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }
}

fn connect_options(path: &Path) -> Result<SqliteConnectOptions> {
    Ok(SqliteConnectOptions::from_str("sqlite:")?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: a counted download or a failed proof must survive a power cut, not only
        // a process crash, or lockout could be reset by pulling the plug.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        // Deleted rows (a purged transfer's wrapped blob key above all) are overwritten
        // with zeros rather than left in free pages.
        .pragma("secure_delete", "ON")
        .busy_timeout(Duration::from_secs(10)))
}

/// Applies pending migrations (which [`SqliteStore::open`] also does) and reports them.
pub async fn migrate(path: &Path) -> Result<MigrationReport> {
    async fn applied(conn: &mut SqliteConnection) -> Result<BTreeSet<i64>> {
        let exists: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        )
        .fetch_one(&mut *conn)
        .await?;
        if exists == 0 {
            return Ok(BTreeSet::new());
        }
        Ok(
            sqlx::query_scalar::<_, i64>("SELECT version FROM _sqlx_migrations WHERE success")
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .collect(),
        )
    }
    let mut conn = connect_options(path)?.connect().await?;
    let before = applied(&mut conn).await?;
    MIGRATOR.run(&mut conn).await?;
    let after = applied(&mut conn).await?;
    conn.close().await?;
    restrict_permissions(path);
    Ok(MigrationReport::from_versions(&MIGRATOR, &before, &after))
}

#[cfg(unix)]
fn restrict_permissions(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    for p in [
        path.to_path_buf(),
        path.with_extension("db-wal"),
        path.with_extension("db-shm"),
    ] {
        let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600));
    }
}

#[cfg(not(unix))]
fn restrict_permissions(_path: &Path) {}

impl SqliteStore {
    async fn sweep_lock(&self) -> Result<Option<UploadLock>> {
        // One process owns a SQLite database and runs one sweeper: nobody to exclude.
        Ok(Some(UploadLock::new(())))
    }

    async fn upload_lock(&self, transfer_id: &str) -> Result<UploadLock> {
        // One process owns a SQLite database, so an in-process lock per upload is enough.
        let lock = {
            let mut locks = self.upload_locks.lock().unwrap_or_else(|p| p.into_inner());
            locks.retain(|_, l| Arc::strong_count(l) > 1);
            locks
                .entry(transfer_id.to_string())
                .or_insert_with(|| Arc::new(tokio::sync::Mutex::new(())))
                .clone()
        };
        Ok(UploadLock::new(lock.lock_owned().await))
    }

    /// Nothing to take: every create runs on the one writer connection, so the quota read and
    /// the insert cannot interleave with another create.
    async fn lock_quota(_tx: &mut Transaction<'_, Sqlite>, _user: &str) -> Result<()> {
        Ok(())
    }

    async fn append_audit_batch(&self, events: &[AuditEvent]) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        for e in events {
            sqlx::query(
                "INSERT INTO audit \
                     (at, event, transfer_id, grant_id, client_ip, bytes, actor, subject) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(e.at)
            .bind(&e.event)
            .bind(&e.transfer_id)
            .bind(&e.grant_id)
            .bind(&e.client_ip)
            .bind(e.bytes.map(i))
            .bind(&e.actor)
            .bind(&e.subject)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

// SQLite has an implicit `rowid` in append order.
super::sql::metadata_store!(
    SqliteStore,
    Sqlite,
    read = pool,
    write = writer,
    audit_order = "rowid"
);

impl From<StorageError> for std::io::Error {
    fn from(e: StorageError) -> Self {
        std::io::Error::other(e.to_string())
    }
}
