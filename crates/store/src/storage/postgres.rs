//! The scale-out metadata backend: PostgreSQL through sqlx, shared by every instance.
//!
//! The statements are shared with SQLite (`sql.rs`, with PostgreSQL's BOOLEAN flags and BYTEA
//! hashes behind the same binds); this file holds what only PostgreSQL does: two pools,
//! advisory locks, batched audit inserts, migrations run by an operator.
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

use sha2::{Digest, Sha256};
use sqlx::migrate::Migrate;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgSslMode};
use sqlx::{ConnectOptions, Connection, PgConnection, Postgres, Transaction};

use super::{
    AuditEvent, DownloadTokenRow, FailedProof, GrantRow, IdentityRow, MetadataStore,
    MigrationReport, PurgeReason, Redeemed, Result, SessionRow, StorageError, TransferRow,
    UploadLock, UploaderToken, redact_url,
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

impl PostgresStore {
    async fn sweep_lock(&self) -> Result<Option<UploadLock>> {
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

    async fn upload_lock(&self, transfer_id: &str) -> Result<UploadLock> {
        self.advisory_lock(lock_key("upload", transfer_id)).await
    }

    /// One create per user at a time, on every instance: the lock is taken before the sum is
    /// read, and under READ COMMITTED the sum's snapshot then includes whatever the previous
    /// holder committed.
    async fn lock_quota(tx: &mut Transaction<'_, Postgres>, user: &str) -> Result<()> {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(lock_key("quota", user))
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// One statement for the whole batch (the audit writer group-commits); `seq` follows the
    /// batch's order.
    async fn append_audit_batch(&self, events: &[AuditEvent]) -> Result<()> {
        let (mut at, mut event, mut transfer, mut grant, mut ip) =
            (vec![], vec![], vec![], vec![], vec![]);
        let (mut bytes, mut actor, mut subject) = (vec![], vec![], vec![]);
        for e in events {
            at.push(e.at);
            event.push(e.event.clone());
            transfer.push(e.transfer_id.clone());
            grant.push(e.grant_id.clone());
            ip.push(e.client_ip.clone());
            bytes.push(e.bytes.map(i));
            actor.push(e.actor.clone());
            subject.push(e.subject.clone());
        }
        sqlx::query(
            "INSERT INTO audit \
                 (at, event, transfer_id, grant_id, client_ip, bytes, actor, subject) \
             SELECT at, event, transfer_id, grant_id, client_ip, bytes, actor, subject \
             FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], \
                         $6::BIGINT[], $7::TEXT[], $8::TEXT[]) WITH ORDINALITY \
                  AS e(at, event, transfer_id, grant_id, client_ip, bytes, actor, subject, n) \
             ORDER BY n",
        )
        .bind(at)
        .bind(event)
        .bind(transfer)
        .bind(grant)
        .bind(ip)
        .bind(bytes)
        .bind(actor)
        .bind(subject)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

// PostgreSQL has no rowid: `seq` is the explicit append order (migration 1).
super::sql::metadata_store!(
    PostgresStore,
    Postgres,
    read = pool,
    write = pool,
    audit_order = "seq"
);

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
