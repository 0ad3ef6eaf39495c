//! The scale-out metadata backend: PostgreSQL through sqlx, shared by every instance.
//!
//! The statements are the SQLite backend's (`sqlite.rs`) with PostgreSQL's types: BOOLEAN
//! flags, BYTEA hashes, and `SUM(..)::BIGINT` (PostgreSQL sums BIGINT into NUMERIC).
//!
//! Exactness across instances comes from the database, never from process state:
//! - READ COMMITTED throughout. Every "exactly once" step (`issue_download`, `redeem`,
//!   `record_failed_proof`, `consume_nonce`, `claim_purge`) is one conditional
//!   `UPDATE/DELETE … WHERE <condition> RETURNING`: a concurrent writer of the same row waits
//!   for the first to commit and then re-checks the WHERE against the new row version, so
//!   the condition can pass for one of them only.
//! - `create_transfer` takes a transaction-scoped advisory lock per user before reading the
//!   quota base, so one user's creates run one at a time on every instance.
//! - `lock_upload` and `try_sweep_lock` are session-level advisory locks held on a connection
//!   of a separate pool (so long uploads never starve the queries). The guard unlocks before
//!   the connection goes back to the pool, or closes the connection when it cannot; the
//!   server drops a dead instance's locks with its sessions (TCP keepalives bound how long a
//!   vanished host's session lingers).

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use sqlx::migrate::Migrate;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow, PgSslMode};
use sqlx::{ConnectOptions, Connection, PgConnection, Postgres, Row, Transaction};

use super::{
    AuditEvent, DownloadTokenRow, FailedProof, GrantRow, MetadataStore, MigrationReport,
    PurgeReason, Redeemed, Result, StorageError, TransferRow, UploadLock, UploaderToken,
    checksum_from_db, checksum_to_db, redact_url,
};

/// The PostgreSQL migrations, embedded.
pub fn migrator() -> sqlx::migrate::Migrator {
    let mut m = sqlx::migrate!("./migrations/postgres");
    // Migrations are additive: an older binary must keep serving (and its `migrate` must be a
    // no-op) on a database a newer release already migrated.
    m.set_ignore_missing(true);
    m
}

/// Pool sizes and waits.
#[derive(Debug, Clone)]
pub struct PostgresOptions {
    /// Connections for queries.
    pub max_connections: u32,
    /// Connections that hold upload and sweep locks: one per PATCH or purge in progress on
    /// this instance, plus one for the sweeper.
    pub lock_connections: u32,
    /// How long a query or a lock waits for a free connection before failing.
    pub acquire_timeout: Duration,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        PostgresOptions {
            max_connections: 16,
            lock_connections: 32,
            acquire_timeout: Duration::from_secs(30),
        }
    }
}

#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
    locks: PgPool,
    /// For messages: the URL with its password replaced.
    shown: String,
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the connect options: they carry the password.
        f.debug_struct("PostgresStore")
            .field("url", &self.shown)
            .finish_non_exhaustive()
    }
}

/// Parses `postgres://…` / `postgresql://…` (libpq's URL keys: `sslmode`, `sslrootcert`,
/// `sslcert`, `sslkey`, `host` for a socket directory, …). A password may also come from
/// `PGPASSWORD` or `~/.pgpass`, which keeps it out of config files and process lists.
pub fn connect_options(url: &str) -> Result<PgConnectOptions> {
    let options = PgConnectOptions::from_str(url).map_err(|e| {
        StorageError::Setup(format!(
            "invalid PostgreSQL URL {}: {e}; expected postgres://USER@HOST:PORT/DATABASE\
             ?sslmode=verify-full",
            redact_url(url)
        ))
    })?;
    // `?application_name=` in the URL names the instance in pg_stat_activity; by default
    // all are "kepil-store".
    Ok(if options.get_application_name().is_some() {
        options
    } else {
        options.application_name("kepil-store")
    })
}

fn is_local(options: &PgConnectOptions) -> bool {
    if options.get_socket().is_some() {
        return true;
    }
    let host = options.get_host();
    host.starts_with('/')
        || host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn connect_error(shown: &str, e: sqlx::Error) -> StorageError {
    StorageError::Setup(format!(
        "cannot connect to PostgreSQL at {shown}: {e}; check that the server is up and that \
         the URL, the credentials (URL, PGPASSWORD or ~/.pgpass) and sslmode are right"
    ))
}

impl PostgresStore {
    /// Connects both pools. Does not migrate: see [`PostgresStore::check_schema`] and
    /// [`migrate`].
    pub async fn connect(url: &str, opts: &PostgresOptions) -> Result<Self> {
        let options = connect_options(url)?;
        let shown = redact_url(url);
        if !is_local(&options)
            && !matches!(
                options.get_ssl_mode(),
                PgSslMode::VerifyCa | PgSslMode::VerifyFull
            )
        {
            // The database holds every grant's auth_key; an unverified link to it can be
            // read or impersonated on the way.
            tracing::warn!(
                url = %shown,
                "PostgreSQL connection without certificate verification: add \
                 sslmode=verify-full (and sslrootcert=… for a private CA) to the URL"
            );
        }
        let pool = PgPoolOptions::new()
            .max_connections(opts.max_connections.max(1))
            .acquire_timeout(opts.acquire_timeout)
            .connect_with(options.clone())
            .await
            .map_err(|e| connect_error(&shown, e))?;
        // Lock-holding sessions sit idle for as long as a PATCH streams; server-side TCP
        // keepalives end them (and release their locks) within about a minute when the
        // instance's host vanishes without closing the socket.
        let lock_options = options.options([
            ("tcp_keepalives_idle", "30"),
            ("tcp_keepalives_interval", "10"),
            ("tcp_keepalives_count", "3"),
        ]);
        let locks = PgPoolOptions::new()
            // At least two: a purge by the sweeper holds the sweep lock and an upload lock.
            .max_connections(opts.lock_connections.max(2))
            .min_connections(0)
            .acquire_timeout(opts.acquire_timeout)
            .connect_lazy_with(lock_options);
        Ok(PostgresStore { pool, locks, shown })
    }

    /// Fails unless every migration this binary knows is applied (newer ones, from a later
    /// release, are fine: migrations are additive).
    pub async fn check_schema(&self) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        let applied = applied_versions(&mut conn).await?;
        let missing: Vec<String> = migrator()
            .iter()
            .filter(|m| !applied.contains(&m.version))
            .map(|m| format!("{} ({})", m.version, m.description))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(StorageError::Setup(format!(
            "the PostgreSQL schema at {} lacks migration(s) {}: run `kepil-store migrate` \
             (safe while older instances serve), or set auto_migrate = true",
            self.shown,
            missing.join(", ")
        )))
    }

    pub async fn close(&self) {
        self.locks.close().await;
        self.pool.close().await;
    }

    async fn advisory_lock(&self, key: i64) -> Result<UploadLock> {
        let conn = self.locks.acquire().await?;
        // The guard exists before the lock is asked for: if this future is dropped while
        // waiting, the guard closes the connection rather than pool a session that may yet
        // get the lock.
        let mut guard = AdvisoryLock {
            conn: Some(conn),
            key,
            held: false,
        };
        if let Some(conn) = guard.conn.as_mut() {
            sqlx::query("SELECT pg_advisory_lock($1)")
                .bind(key)
                .execute(&mut **conn)
                .await?;
        }
        guard.held = true;
        Ok(UploadLock::new(guard))
    }
}

/// Versions recorded as applied; empty when the migrations table does not exist yet.
async fn applied_versions(conn: &mut PgConnection) -> Result<BTreeSet<i64>> {
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(&mut *conn)
        .await?;
    if !exists {
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

/// Applies pending migrations over one dedicated connection and reports what it did.
///
/// sqlx holds a database-wide session advisory lock while it migrates; this takes the same
/// (re-entrant) lock around its own before/after reads too, so two `migrate`s at once apply
/// each migration once and each reports exactly what it applied.
pub async fn migrate(url: &str) -> Result<MigrationReport> {
    let options = connect_options(url)?;
    let shown = redact_url(url);
    let mut conn = options
        .connect()
        .await
        .map_err(|e| connect_error(&shown, e))?;
    let result = migrate_on(&mut conn).await;
    // Closing ends the session, which drops the advisory lock even when a step failed.
    let _ = conn.close().await;
    result
}

async fn migrate_on(conn: &mut PgConnection) -> Result<MigrationReport> {
    let migrator = migrator();
    conn.lock().await?;
    let before = applied_versions(conn).await?;
    // `run_direct` is what `run` calls; `run(&mut conn)` makes this future non-Send (sqlx's
    // documented "Acquire is not general enough" workaround).
    migrator.run_direct(&mut *conn).await?;
    let after = applied_versions(conn).await?;
    conn.unlock().await?;
    Ok(MigrationReport::from_versions(&migrator, &before, &after))
}

/// A session-level advisory lock and the connection holding it.
struct AdvisoryLock {
    conn: Option<PoolConnection<Postgres>>,
    key: i64,
    /// The lock query returned: the session certainly holds the lock.
    held: bool,
}

impl Drop for AdvisoryLock {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        if !self.held {
            // Maybe granted after we stopped waiting: never pool this session.
            drop(conn.detach());
            return;
        }
        let key = self.key;
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                rt.spawn(async move {
                    let mut conn = conn;
                    let unlocked = sqlx::query_scalar::<_, bool>("SELECT pg_advisory_unlock($1)")
                        .bind(key)
                        .fetch_one(&mut *conn)
                        .await;
                    if !matches!(unlocked, Ok(true)) {
                        // Closing the session releases whatever it holds.
                        let _ = conn.detach().close().await;
                    }
                    // Otherwise `conn` returns to the pool holding nothing.
                });
            }
            Err(_) => drop(conn.detach()),
        }
    }
}

/// Advisory lock keys: 64 bits of SHA-256 over a Kepil-specific prefix, so they cannot meet
/// another application's keys in a shared database by accident.
fn lock_key(kind: &str, name: &str) -> i64 {
    let mut h = Sha256::new();
    h.update(b"kepil-store advisory lock\0");
    h.update(kind.as_bytes());
    h.update(b"\0");
    h.update(name.as_bytes());
    let digest = h.finalize();
    let mut key = [0u8; 8];
    key.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(key)
}

fn u(v: i64) -> u64 {
    v.max(0) as u64
}

fn u32_of(v: i64) -> u32 {
    v.clamp(0, u32::MAX as i64) as u32
}

fn i(v: u64) -> i64 {
    v.min(i64::MAX as u64) as i64
}

const TRANSFER_COLS: &str = "id, user_email, owner_hash, classification, size, created_at, \
    expires_at, upload_offset, upload_expires_at, expected_crc64, complete, revoked_at, purged_at, \
    blob_key, blob_state";

const GRANT_COLS: &str = "id, transfer_id, position, label, auth_key, kdf_version, kdf_m_kib, \
    kdf_t, kdf_p, max_downloads, downloads, failed_proofs, locked, revoked_at";

fn transfer_of(row: &PgRow) -> Result<TransferRow> {
    Ok(TransferRow {
        id: row.try_get("id")?,
        user: row.try_get("user_email")?,
        owner_hash: row.try_get("owner_hash")?,
        classification: row.try_get("classification")?,
        size: u(row.try_get("size")?),
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        upload_offset: u(row.try_get("upload_offset")?),
        upload_expires_at: row.try_get("upload_expires_at")?,
        expected_checksum: row
            .try_get::<Option<i64>, _>("expected_crc64")?
            .map(checksum_from_db),
        complete: row.try_get("complete")?,
        revoked_at: row.try_get("revoked_at")?,
        purged_at: row.try_get("purged_at")?,
        blob_key: row.try_get("blob_key")?,
        blob_state: row.try_get("blob_state")?,
    })
}

fn grant_of(row: &PgRow) -> Result<GrantRow> {
    Ok(GrantRow {
        id: row.try_get("id")?,
        transfer_id: row.try_get("transfer_id")?,
        position: u32_of(row.try_get("position")?),
        label: row.try_get("label")?,
        auth_key: row.try_get("auth_key")?,
        kdf_version: u32_of(row.try_get("kdf_version")?),
        kdf_m_kib: u32_of(row.try_get("kdf_m_kib")?),
        kdf_t: u32_of(row.try_get("kdf_t")?),
        kdf_p: u32_of(row.try_get("kdf_p")?),
        max_downloads: u32_of(row.try_get("max_downloads")?),
        downloads: u32_of(row.try_get("downloads")?),
        failed_proofs: u32_of(row.try_get("failed_proofs")?),
        locked: row.try_get("locked")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

fn token_of(row: &PgRow) -> Result<UploaderToken> {
    Ok(UploaderToken {
        id: row.try_get("id")?,
        user: row.try_get("user_email")?,
        token_hash: row.try_get("token_hash")?,
        created_at: row.try_get("created_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

async fn insert_grant(tx: &mut Transaction<'_, Postgres>, g: &GrantRow) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO grants ({GRANT_COLS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
    ))
    .bind(&g.id)
    .bind(&g.transfer_id)
    .bind(g.position as i64)
    .bind(&g.label)
    .bind(&g.auth_key)
    .bind(g.kdf_version as i64)
    .bind(g.kdf_m_kib as i64)
    .bind(g.kdf_t as i64)
    .bind(g.kdf_p as i64)
    .bind(g.max_downloads as i64)
    .bind(g.downloads as i64)
    .bind(g.failed_proofs as i64)
    .bind(g.locked)
    .bind(g.revoked_at)
    .execute(&mut **tx)
    .await
    .map_err(conflict_or)?;
    Ok(())
}

/// The one moment a download is counted (see `MetadataStore::issue_download`). The grant's
/// row lock serialises concurrent proofs; each re-checks `downloads < max_downloads` against
/// the row the previous one committed.
async fn count_download(
    tx: &mut Transaction<'_, Postgres>,
    grant_id: &str,
    token_hash: &[u8],
    token_expires_at: i64,
    now: i64,
) -> Result<Option<u32>> {
    let row = sqlx::query(
        "UPDATE grants SET downloads = downloads + 1, failed_proofs = 0 \
         WHERE id = $1 AND NOT locked AND revoked_at IS NULL \
           AND downloads < max_downloads \
           AND EXISTS (SELECT 1 FROM transfers t WHERE t.id = grants.transfer_id \
               AND t.complete AND t.revoked_at IS NULL AND t.purged_at IS NULL \
               AND t.expires_at > $2) \
         RETURNING transfer_id, downloads, max_downloads",
    )
    .bind(grant_id)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let transfer_id: String = row.try_get("transfer_id")?;
    let downloads = u32_of(row.try_get("downloads")?);
    let max = u32_of(row.try_get("max_downloads")?);
    sqlx::query(
        "INSERT INTO download_tokens (token_hash, grant_id, transfer_id, expires_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(grant_id)
    .bind(&transfer_id)
    .bind(token_expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(Some(max.saturating_sub(downloads)))
}

fn conflict_or(e: sqlx::Error) -> StorageError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StorageError::Conflict,
        _ => StorageError::Db(e),
    }
}

#[async_trait]
impl MetadataStore for PostgresStore {
    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn close(&self) {
        PostgresStore::close(self).await;
    }

    async fn try_sweep_lock(&self) -> Result<Option<UploadLock>> {
        let mut conn = self.locks.acquire().await?;
        let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(lock_key("sweep", ""))
            .fetch_one(&mut *conn)
            .await?;
        if !got {
            // Another instance sweeps; this connection holds nothing and may be pooled.
            return Ok(None);
        }
        Ok(Some(UploadLock::new(AdvisoryLock {
            conn: Some(conn),
            key: lock_key("sweep", ""),
            held: true,
        })))
    }

    async fn insert_uploader_token(&self, t: &UploaderToken) -> Result<()> {
        sqlx::query(
            "INSERT INTO uploader_tokens (id, user_email, token_hash, created_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&t.id)
        .bind(&t.user)
        .bind(&t.token_hash)
        .bind(t.created_at)
        .bind(t.revoked_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn find_uploader_token(&self, token_hash: &[u8]) -> Result<Option<UploaderToken>> {
        let row = sqlx::query(
            "SELECT id, user_email, token_hash, created_at, revoked_at \
             FROM uploader_tokens WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(token_of).transpose()
    }

    async fn list_uploader_tokens(&self) -> Result<Vec<UploaderToken>> {
        let rows = sqlx::query(
            "SELECT id, user_email, token_hash, created_at, revoked_at \
             FROM uploader_tokens ORDER BY created_at, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(token_of).collect()
    }

    async fn revoke_uploader_token(&self, id: &str, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE uploader_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn create_transfer(
        &self,
        t: &TransferRow,
        grants: &[GrantRow],
        quota: u64,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        // One create per user at a time, on every instance: the lock is taken before the
        // sum is read, and under READ COMMITTED the sum's snapshot then includes whatever
        // the previous holder committed.
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(lock_key("quota", &t.user))
            .execute(&mut *tx)
            .await?;
        let held: i64 = sqlx::query_scalar(
            "SELECT COALESCE(SUM(size), 0)::BIGINT FROM transfers \
             WHERE user_email = $1 AND purged_at IS NULL",
        )
        .bind(&t.user)
        .fetch_one(&mut *tx)
        .await?;
        let held = u(held);
        if held.saturating_add(t.size) > quota {
            return Err(StorageError::QuotaExceeded { held });
        }
        sqlx::query(&format!(
            "INSERT INTO transfers ({TRANSFER_COLS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        ))
        .bind(&t.id)
        .bind(&t.user)
        .bind(&t.owner_hash)
        .bind(&t.classification)
        .bind(i(t.size))
        .bind(t.created_at)
        .bind(t.expires_at)
        .bind(i(t.upload_offset))
        .bind(t.upload_expires_at)
        .bind(t.expected_checksum.map(checksum_to_db))
        .bind(t.complete)
        .bind(t.revoked_at)
        .bind(t.purged_at)
        .bind(&t.blob_key)
        .bind(&t.blob_state)
        .execute(&mut *tx)
        .await
        .map_err(conflict_or)?;
        for g in grants {
            insert_grant(&mut tx, g).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn get_transfer(&self, id: &str) -> Result<Option<TransferRow>> {
        let row = sqlx::query(&format!(
            "SELECT {TRANSFER_COLS} FROM transfers WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(transfer_of).transpose()
    }

    async fn get_grant(&self, id: &str) -> Result<Option<GrantRow>> {
        let row = sqlx::query(&format!("SELECT {GRANT_COLS} FROM grants WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(grant_of).transpose()
    }

    async fn grants_of(&self, transfer_id: &str) -> Result<Vec<GrantRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {GRANT_COLS} FROM grants WHERE transfer_id = $1 ORDER BY position"
        ))
        .bind(transfer_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(grant_of).collect()
    }

    async fn bytes_held_by(&self, user: &str) -> Result<u64> {
        let total: i64 = sqlx::query_scalar(
            "SELECT COALESCE(SUM(size), 0)::BIGINT FROM transfers \
             WHERE user_email = $1 AND purged_at IS NULL",
        )
        .bind(user)
        .fetch_one(&self.pool)
        .await?;
        Ok(u(total))
    }

    async fn set_expected_checksum(&self, transfer_id: &str, checksum: u64) -> Result<()> {
        sqlx::query("UPDATE transfers SET expected_crc64 = $1 WHERE id = $2")
            .bind(checksum_to_db(checksum))
            .bind(transfer_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn set_offset(
        &self,
        transfer_id: &str,
        from: u64,
        offset: u64,
        upload_expires_at: i64,
        blob_state: Option<&str>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE transfers SET upload_offset = $1, upload_expires_at = $2, blob_state = $3 \
             WHERE id = $4 AND NOT complete AND upload_offset = $5",
        )
        .bind(i(offset))
        .bind(upload_expires_at)
        .bind(blob_state)
        .bind(transfer_id)
        .bind(i(from))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn mark_complete(&self, transfer_id: &str, checksum: u64) -> Result<()> {
        sqlx::query(
            "UPDATE transfers SET complete = TRUE, expected_crc64 = $1, upload_offset = size \
             WHERE id = $2",
        )
        .bind(checksum_to_db(checksum))
        .bind(transfer_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn revoke_transfer(&self, transfer_id: &str, now: i64) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE transfers SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(transfer_id)
        .execute(&mut *tx)
        .await?;
        // Updating the grants waits for any download being counted on them; the token
        // delete after it therefore sees (and removes) the token that count inserted.
        sqlx::query(
            "UPDATE grants SET revoked_at = $1 WHERE transfer_id = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(transfer_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM download_tokens WHERE transfer_id = $1")
            .bind(transfer_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    async fn revoke_grant(
        &self,
        transfer_id: &str,
        grant_id: &str,
        now: i64,
    ) -> Result<Option<u32>> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE grants SET revoked_at = COALESCE(revoked_at, $1) \
             WHERE id = $2 AND transfer_id = $3",
        )
        .bind(now)
        .bind(grant_id)
        .bind(transfer_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        sqlx::query("DELETE FROM download_tokens WHERE grant_id = $1")
            .bind(grant_id)
            .execute(&mut *tx)
            .await?;
        let left: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM grants WHERE transfer_id = $1 AND revoked_at IS NULL",
        )
        .bind(transfer_id)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(u32_of(left)))
    }

    async fn claim_purge(&self, transfer_id: &str, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE transfers SET purged_at = $1, blob_key = NULL, blob_state = NULL \
             WHERE id = $2 AND purged_at IS NULL",
        )
        .bind(now)
        .bind(transfer_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn lock_upload(&self, transfer_id: &str) -> Result<UploadLock> {
        self.advisory_lock(lock_key("upload", transfer_id)).await
    }

    async fn delete_transfer(&self, transfer_id: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "DELETE FROM nonces WHERE grant_id IN (SELECT id FROM grants WHERE transfer_id = $1)",
        )
        .bind(transfer_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM download_tokens WHERE transfer_id = $1")
            .bind(transfer_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM grants WHERE transfer_id = $1")
            .bind(transfer_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM transfers WHERE id = $1")
            .bind(transfer_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn insert_nonce(&self, grant_id: &str, nonce_hash: &[u8], expires_at: i64) -> Result<()> {
        sqlx::query("INSERT INTO nonces (nonce_hash, grant_id, expires_at) VALUES ($1, $2, $3)")
            .bind(nonce_hash)
            .bind(grant_id)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn consume_nonce(&self, grant_id: &str, nonce_hash: &[u8], now: i64) -> Result<bool> {
        // Deleted by hash alone, so a nonce presented for the wrong grant is burnt too; of
        // two concurrent deletes only one gets the row back.
        let row =
            sqlx::query("DELETE FROM nonces WHERE nonce_hash = $1 RETURNING grant_id, expires_at")
                .bind(nonce_hash)
                .fetch_optional(&self.pool)
                .await?;
        let Some(row) = row else { return Ok(false) };
        let bound: String = row.try_get("grant_id")?;
        let expires_at: i64 = row.try_get("expires_at")?;
        Ok(bound == grant_id && expires_at > now)
    }

    async fn record_failed_proof(&self, grant_id: &str, threshold: u32) -> Result<FailedProof> {
        let row = sqlx::query(
            "UPDATE grants SET failed_proofs = failed_proofs + 1, \
                locked = (failed_proofs + 1 >= $1) \
             WHERE id = $2 AND NOT locked \
             RETURNING failed_proofs, locked",
        )
        .bind(threshold as i64)
        .bind(grant_id)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) => {
                let locked: bool = row.try_get("locked")?;
                Ok(FailedProof {
                    failed_proofs: u32_of(row.try_get("failed_proofs")?),
                    locked,
                    locked_now: locked,
                })
            }
            None => {
                // Already locked (or gone): nothing to count.
                let g = self.get_grant(grant_id).await?;
                Ok(FailedProof {
                    failed_proofs: g.as_ref().map_or(threshold, |g| g.failed_proofs),
                    locked: true,
                    locked_now: false,
                })
            }
        }
    }

    async fn issue_download(
        &self,
        grant_id: &str,
        token_hash: &[u8],
        token_expires_at: i64,
        now: i64,
    ) -> Result<Option<u32>> {
        let mut tx = self.pool.begin().await?;
        let left = count_download(&mut tx, grant_id, token_hash, token_expires_at, now).await?;
        tx.commit().await?;
        Ok(left)
    }

    async fn redeem(
        &self,
        grant_id: &str,
        nonce_hash: &[u8],
        token_hash: &[u8],
        token_expires_at: i64,
        now: i64,
    ) -> Result<Redeemed> {
        let mut tx = self.pool.begin().await?;
        let row =
            sqlx::query("DELETE FROM nonces WHERE nonce_hash = $1 RETURNING grant_id, expires_at")
                .bind(nonce_hash)
                .fetch_optional(&mut *tx)
                .await?;
        let fresh = match row {
            Some(row) => {
                row.try_get::<String, _>("grant_id")? == grant_id
                    && row.try_get::<i64, _>("expires_at")? > now
            }
            None => false,
        };
        let outcome = if !fresh {
            Redeemed::StaleNonce
        } else {
            match count_download(&mut tx, grant_id, token_hash, token_expires_at, now).await? {
                Some(left) => Redeemed::Issued(left),
                None => Redeemed::NotIssued,
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    async fn find_download_token(&self, token_hash: &[u8]) -> Result<Option<DownloadTokenRow>> {
        let row = sqlx::query(
            "SELECT grant_id, transfer_id, expires_at FROM download_tokens WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(DownloadTokenRow {
                grant_id: row.try_get("grant_id")?,
                transfer_id: row.try_get("transfer_id")?,
                expires_at: row.try_get("expires_at")?,
            })
        })
        .transpose()
    }

    async fn purge_candidates(&self, now: i64) -> Result<Vec<(TransferRow, PurgeReason)>> {
        let rows = sqlx::query(&format!(
            "SELECT {TRANSFER_COLS}, \
               CASE WHEN revoked_at IS NOT NULL THEN 'revoked' \
                    WHEN expires_at <= $1 THEN 'expired' \
                    WHEN NOT complete AND upload_expires_at <= $1 THEN 'abandoned' \
                    ELSE 'used_up' END AS reason \
             FROM transfers WHERE purged_at IS NULL AND ( \
               revoked_at IS NOT NULL OR expires_at <= $1 \
               OR (NOT complete AND upload_expires_at <= $1) \
               OR (complete \
                   AND NOT EXISTS (SELECT 1 FROM grants g WHERE g.transfer_id = transfers.id \
                       AND g.revoked_at IS NULL AND NOT g.locked \
                       AND g.downloads < g.max_downloads) \
                   AND NOT EXISTS (SELECT 1 FROM download_tokens d \
                       WHERE d.transfer_id = transfers.id AND d.expires_at > $1)))"
        ))
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let reason = match row.try_get::<String, _>("reason")?.as_str() {
                    "revoked" => PurgeReason::Revoked,
                    "expired" => PurgeReason::Expired,
                    "abandoned" => PurgeReason::Abandoned,
                    _ => PurgeReason::UsedUp,
                };
                Ok((transfer_of(row)?, reason))
            })
            .collect()
    }

    async fn tombstones_before(&self, cutoff: i64) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM transfers WHERE purged_at IS NOT NULL AND purged_at < $1",
        )
        .bind(cutoff)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn delete_expired_ephemera(&self, now: i64) -> Result<u64> {
        let a = sqlx::query("DELETE FROM nonces WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        let b = sqlx::query("DELETE FROM download_tokens WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(a.rows_affected() + b.rows_affected())
    }

    async fn incomplete_uploads(&self) -> Result<Vec<TransferRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {TRANSFER_COLS} FROM transfers WHERE NOT complete AND purged_at IS NULL"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(transfer_of).collect()
    }

    async fn stored_stats(&self) -> Result<(u64, u64)> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, COALESCE(SUM(upload_offset), 0)::BIGINT AS bytes \
             FROM transfers WHERE purged_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await?;
        let n: i64 = row.try_get("n")?;
        let bytes: i64 = row.try_get("bytes")?;
        Ok((u(n), u(bytes)))
    }

    async fn append_audit(&self, events: &[AuditEvent]) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        // One statement for the whole batch (the audit writer group-commits); `seq` follows
        // the batch's order.
        let (mut at, mut event, mut transfer, mut grant, mut ip, mut bytes) =
            (vec![], vec![], vec![], vec![], vec![], vec![]);
        for e in events {
            at.push(e.at);
            event.push(e.event.clone());
            transfer.push(e.transfer_id.clone());
            grant.push(e.grant_id.clone());
            ip.push(e.client_ip.clone());
            bytes.push(e.bytes.map(i));
        }
        sqlx::query(
            "INSERT INTO audit (at, event, transfer_id, grant_id, client_ip, bytes) \
             SELECT at, event, transfer_id, grant_id, client_ip, bytes \
             FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], \
                         $6::BIGINT[]) WITH ORDINALITY \
                  AS e(at, event, transfer_id, grant_id, client_ip, bytes, n) \
             ORDER BY n",
        )
        .bind(at)
        .bind(event)
        .bind(transfer)
        .bind(grant)
        .bind(ip)
        .bind(bytes)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn audit_events(&self, transfer_id: Option<&str>) -> Result<Vec<AuditEvent>> {
        const COLS: &str = "at, event, transfer_id, grant_id, client_ip, bytes";
        let rows = match transfer_id {
            Some(id) => {
                sqlx::query(&format!(
                    "SELECT {COLS} FROM audit WHERE transfer_id = $1 ORDER BY seq"
                ))
                .bind(id)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(&format!("SELECT {COLS} FROM audit ORDER BY seq"))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter()
            .map(|row| {
                Ok(AuditEvent {
                    at: row.try_get("at")?,
                    event: row.try_get("event")?,
                    transfer_id: row.try_get("transfer_id")?,
                    grant_id: row.try_get("grant_id")?,
                    client_ip: row.try_get("client_ip")?,
                    bytes: row.try_get::<Option<i64>, _>("bytes")?.map(u),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_keys_differ_by_kind_and_name() {
        assert_ne!(lock_key("upload", "a"), lock_key("upload", "b"));
        assert_ne!(lock_key("upload", "a"), lock_key("quota", "a"));
        assert_eq!(lock_key("upload", "a"), lock_key("upload", "a"));
    }

    #[test]
    fn bad_urls_are_refused_without_echoing_the_password() {
        let e = connect_options("postgres://kepil:s3cret@db:notaport/kepil")
            .unwrap_err()
            .to_string();
        assert!(!e.contains("s3cret"), "{e}");
        assert!(e.contains("invalid PostgreSQL URL"), "{e}");
    }
}
