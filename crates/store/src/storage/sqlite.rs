//! The embedded metadata backend: SQLite through sqlx, WAL mode.
//!
//! The SQL sticks to what PostgreSQL also runs (`RETURNING`, `EXISTS`, `CASE`, `$n` binds),
//! so a PostgreSQL backend can reuse these statements and the migrations.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteRow, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, Row, Sqlite, Transaction};

use super::{
    AuditEvent, DownloadTokenRow, FailedProof, GrantRow, MetadataStore, MigrationReport,
    PurgeReason, Redeemed, Result, StorageError, TransferRow, UploadLock, UploaderToken,
    checksum_from_db, checksum_to_db,
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

fn transfer_of(row: &SqliteRow) -> Result<TransferRow> {
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
        complete: row.try_get::<i64, _>("complete")? != 0,
        revoked_at: row.try_get("revoked_at")?,
        purged_at: row.try_get("purged_at")?,
        blob_key: row.try_get("blob_key")?,
        blob_state: row.try_get("blob_state")?,
    })
}

fn grant_of(row: &SqliteRow) -> Result<GrantRow> {
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
        locked: row.try_get::<i64, _>("locked")? != 0,
        revoked_at: row.try_get("revoked_at")?,
    })
}

fn token_of(row: &SqliteRow) -> Result<UploaderToken> {
    Ok(UploaderToken {
        id: row.try_get("id")?,
        user: row.try_get("user_email")?,
        token_hash: row.try_get("token_hash")?,
        created_at: row.try_get("created_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

async fn insert_grant(tx: &mut Transaction<'_, Sqlite>, g: &GrantRow) -> Result<()> {
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
    .bind(g.locked as i64)
    .bind(g.revoked_at)
    .execute(&mut **tx)
    .await
    .map_err(conflict_or)?;
    Ok(())
}

/// The one moment a download is counted (see `MetadataStore::issue_download`).
async fn count_download(
    tx: &mut Transaction<'_, Sqlite>,
    grant_id: &str,
    token_hash: &[u8],
    token_expires_at: i64,
    now: i64,
) -> Result<Option<u32>> {
    let row = sqlx::query(
        "UPDATE grants SET downloads = downloads + 1, failed_proofs = 0 \
         WHERE id = $1 AND locked = 0 AND revoked_at IS NULL \
           AND downloads < max_downloads \
           AND EXISTS (SELECT 1 FROM transfers t WHERE t.id = grants.transfer_id \
               AND t.complete = 1 AND t.revoked_at IS NULL AND t.purged_at IS NULL \
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
impl MetadataStore for SqliteStore {
    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn close(&self) {
        SqliteStore::close(self).await;
    }

    async fn try_sweep_lock(&self) -> Result<Option<UploadLock>> {
        // One process owns a SQLite database and runs one sweeper: nobody to exclude.
        Ok(Some(UploadLock::new(())))
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
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn find_uploader_token(&self, token_hash: &[u8]) -> Result<Option<UploaderToken>> {
        let row = sqlx::query("SELECT * FROM uploader_tokens WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(token_of).transpose()
    }

    async fn list_uploader_tokens(&self) -> Result<Vec<UploaderToken>> {
        let rows = sqlx::query("SELECT * FROM uploader_tokens ORDER BY created_at, id")
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
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn create_transfer(
        &self,
        t: &TransferRow,
        grants: &[GrantRow],
        quota: u64,
    ) -> Result<()> {
        // One writer connection: the quota read and the insert cannot interleave with another
        // create.
        let mut tx = self.writer.begin().await?;
        let held: Option<i64> = sqlx::query_scalar(
            "SELECT SUM(size) FROM transfers WHERE user_email = $1 AND purged_at IS NULL",
        )
        .bind(&t.user)
        .fetch_one(&mut *tx)
        .await?;
        let held = u(held.unwrap_or(0));
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
        .bind(t.complete as i64)
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
        let total: Option<i64> = sqlx::query_scalar(
            "SELECT SUM(size) FROM transfers WHERE user_email = $1 AND purged_at IS NULL",
        )
        .bind(user)
        .fetch_one(&self.pool)
        .await?;
        Ok(u(total.unwrap_or(0)))
    }

    async fn set_expected_checksum(&self, transfer_id: &str, checksum: u64) -> Result<()> {
        sqlx::query("UPDATE transfers SET expected_crc64 = $1 WHERE id = $2")
            .bind(checksum_to_db(checksum))
            .bind(transfer_id)
            .execute(&self.writer)
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
             WHERE id = $4 AND complete = 0 AND upload_offset = $5",
        )
        .bind(i(offset))
        .bind(upload_expires_at)
        .bind(blob_state)
        .bind(transfer_id)
        .bind(i(from))
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn mark_complete(&self, transfer_id: &str, checksum: u64) -> Result<()> {
        sqlx::query(
            "UPDATE transfers SET complete = 1, expected_crc64 = $1, upload_offset = size \
             WHERE id = $2",
        )
        .bind(checksum_to_db(checksum))
        .bind(transfer_id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn revoke_transfer(&self, transfer_id: &str, now: i64) -> Result<bool> {
        let mut tx = self.writer.begin().await?;
        let done = sqlx::query(
            "UPDATE transfers SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(transfer_id)
        .execute(&mut *tx)
        .await?;
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
        let mut tx = self.writer.begin().await?;
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
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn lock_upload(&self, transfer_id: &str) -> Result<UploadLock> {
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

    async fn delete_transfer(&self, transfer_id: &str) -> Result<()> {
        let mut tx = self.writer.begin().await?;
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
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn consume_nonce(&self, grant_id: &str, nonce_hash: &[u8], now: i64) -> Result<bool> {
        // Deleted by hash alone, so a nonce presented for the wrong grant is burnt too.
        let row =
            sqlx::query("DELETE FROM nonces WHERE nonce_hash = $1 RETURNING grant_id, expires_at")
                .bind(nonce_hash)
                .fetch_optional(&self.writer)
                .await?;
        let Some(row) = row else { return Ok(false) };
        let bound: String = row.try_get("grant_id")?;
        let expires_at: i64 = row.try_get("expires_at")?;
        Ok(bound == grant_id && expires_at > now)
    }

    async fn record_failed_proof(&self, grant_id: &str, threshold: u32) -> Result<FailedProof> {
        let row = sqlx::query(
            "UPDATE grants SET failed_proofs = failed_proofs + 1, \
                locked = CASE WHEN failed_proofs + 1 >= $1 THEN 1 ELSE 0 END \
             WHERE id = $2 AND locked = 0 \
             RETURNING failed_proofs, locked",
        )
        .bind(threshold as i64)
        .bind(grant_id)
        .fetch_optional(&self.writer)
        .await?;
        match row {
            Some(row) => {
                let locked = row.try_get::<i64, _>("locked")? != 0;
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
        // The conditional UPDATE is the first statement, so the transaction takes the write
        // lock at once and concurrent proofs queue instead of racing.
        let mut tx = self.writer.begin().await?;
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
        let mut tx = self.writer.begin().await?;
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
                    WHEN complete = 0 AND upload_expires_at <= $1 THEN 'abandoned' \
                    ELSE 'used_up' END AS reason \
             FROM transfers WHERE purged_at IS NULL AND ( \
               revoked_at IS NOT NULL OR expires_at <= $1 \
               OR (complete = 0 AND upload_expires_at <= $1) \
               OR (complete = 1 \
                   AND NOT EXISTS (SELECT 1 FROM grants g WHERE g.transfer_id = transfers.id \
                       AND g.revoked_at IS NULL AND g.locked = 0 \
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
            .execute(&self.writer)
            .await?;
        let b = sqlx::query("DELETE FROM download_tokens WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.writer)
            .await?;
        Ok(a.rows_affected() + b.rows_affected())
    }

    async fn incomplete_uploads(&self) -> Result<Vec<TransferRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {TRANSFER_COLS} FROM transfers WHERE complete = 0 AND purged_at IS NULL"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(transfer_of).collect()
    }

    async fn stored_stats(&self) -> Result<(u64, u64)> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, SUM(upload_offset) AS bytes FROM transfers WHERE purged_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await?;
        let n: i64 = row.try_get("n")?;
        let bytes: Option<i64> = row.try_get("bytes")?;
        Ok((u(n), u(bytes.unwrap_or(0))))
    }

    async fn append_audit(&self, events: &[AuditEvent]) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        for e in events {
            sqlx::query(
                "INSERT INTO audit (at, event, transfer_id, grant_id, client_ip, bytes) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(e.at)
            .bind(&e.event)
            .bind(&e.transfer_id)
            .bind(&e.grant_id)
            .bind(&e.client_ip)
            .bind(e.bytes.map(i))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn audit_events(&self, transfer_id: Option<&str>) -> Result<Vec<AuditEvent>> {
        let rows = match transfer_id {
            Some(id) => {
                sqlx::query("SELECT * FROM audit WHERE transfer_id = $1 ORDER BY rowid")
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                sqlx::query("SELECT * FROM audit ORDER BY rowid")
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

impl From<StorageError> for std::io::Error {
    fn from(e: StorageError) -> Self {
        std::io::Error::other(e.to_string())
    }
}
