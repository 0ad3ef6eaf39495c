//! The metadata statements, written once for SQLite and PostgreSQL.
//!
//! Both backends run the same SQL: `$n` binds, `RETURNING`, `EXISTS`, `CASE`, `NOT flag` and
//! `TRUE` for the boolean columns (INTEGER 0/1 in SQLite, BOOLEAN in PostgreSQL, both read and
//! bound as `bool` by sqlx), and `CAST(COALESCE(SUM(..), 0) AS BIGINT)`, because PostgreSQL
//! sums BIGINT into NUMERIC. [`metadata_store!`] expands to the `MetadataStore` impl of a
//! backend over its sqlx driver; a backend writes only what differs, as inherent methods:
//!
//! - `close(&self)`: closes its pools;
//! - `sweep_lock(&self) -> Result<Option<UploadLock>>` and
//!   `upload_lock(&self, transfer_id) -> Result<UploadLock>`: cross-request (SQLite,
//!   in-process) or cross-instance (PostgreSQL, advisory) locks;
//! - `lock_quota(tx, user) -> Result<()>`: what keeps two creates of one user from both passing
//!   the quota (SQLite: nothing, its single writer already does);
//! - `append_audit_batch(&self, events) -> Result<()>`: one insert per batch, as fast as the
//!   dialect allows.
//!
//! The macro rather than generic code over `sqlx::Database`: each expansion is concrete, so
//! the statements keep sqlx's plain API instead of a wall of `Encode`/`Decode` bounds.

/// `metadata_store!(Store, Driver, read = field, write = field, audit_order = "column")`:
/// `read` is the pool queries use, `write` the one every write goes through (SQLite keeps a
/// single writer connection), `audit_order` the column that orders audit rows.
macro_rules! metadata_store {
    ($store:ty, $db:ty, read = $read:ident, write = $write:ident, audit_order = $order:literal) => {
        const TRANSFER_COLS: &str = "id, user_email, owner_hash, classification, size, \
            created_at, expires_at, upload_offset, upload_expires_at, expected_crc64, complete, \
            revoked_at, purged_at, blob_key, blob_state, sender_provider";

        const GRANT_COLS: &str = "id, transfer_id, position, label, auth_key, kdf_version, \
            kdf_m_kib, kdf_t, kdf_p, max_downloads, downloads, failed_proofs, locked, revoked_at, \
            link_key, open_key";

        const TOKEN_COLS: &str =
            "id, user_email, name, token_hash, created_at, expires_at, last_used_at, revoked_at";

        const IDENTITY_COLS: &str = "email, provider, subject, name, first_seen_at, \
            last_seen_at, disabled_at, disabled_by";

        const SESSION_COLS: &str =
            "token_hash, email, provider, admin, created_at, expires_at, ended_at";

        fn u(v: i64) -> u64 {
            v.max(0) as u64
        }

        fn u32_of(v: i64) -> u32 {
            v.clamp(0, u32::MAX as i64) as u32
        }

        fn i(v: u64) -> i64 {
            v.min(i64::MAX as u64) as i64
        }

        type Row = <$db as sqlx::Database>::Row;

        fn transfer_of(row: &Row) -> Result<TransferRow> {
            use sqlx::Row as _;
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
                    .map($crate::storage::checksum_from_db),
                complete: row.try_get("complete")?,
                revoked_at: row.try_get("revoked_at")?,
                purged_at: row.try_get("purged_at")?,
                blob_key: row.try_get("blob_key")?,
                blob_state: row.try_get("blob_state")?,
                sender_provider: row.try_get("sender_provider")?,
            })
        }

        fn grant_of(row: &Row) -> Result<GrantRow> {
            use sqlx::Row as _;
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
                link_key: row.try_get("link_key")?,
                open_key: row.try_get("open_key")?,
            })
        }

        fn token_of(row: &Row) -> Result<UploaderToken> {
            use sqlx::Row as _;
            Ok(UploaderToken {
                id: row.try_get("id")?,
                user: row.try_get("user_email")?,
                name: row.try_get("name")?,
                token_hash: row.try_get("token_hash")?,
                created_at: row.try_get("created_at")?,
                expires_at: row.try_get("expires_at")?,
                last_used_at: row.try_get("last_used_at")?,
                revoked_at: row.try_get("revoked_at")?,
            })
        }

        fn identity_of(row: &Row) -> Result<IdentityRow> {
            use sqlx::Row as _;
            Ok(IdentityRow {
                email: row.try_get("email")?,
                provider: row.try_get("provider")?,
                subject: row.try_get("subject")?,
                name: row.try_get("name")?,
                first_seen_at: row.try_get("first_seen_at")?,
                last_seen_at: row.try_get("last_seen_at")?,
                disabled_at: row.try_get("disabled_at")?,
                disabled_by: row.try_get("disabled_by")?,
            })
        }

        fn session_of(row: &Row) -> Result<SessionRow> {
            use sqlx::Row as _;
            Ok(SessionRow {
                token_hash: row.try_get("token_hash")?,
                email: row.try_get("email")?,
                provider: row.try_get("provider")?,
                admin: row.try_get("admin")?,
                created_at: row.try_get("created_at")?,
                expires_at: row.try_get("expires_at")?,
                ended_at: row.try_get("ended_at")?,
            })
        }

        fn conflict_or(e: sqlx::Error) -> StorageError {
            match &e {
                sqlx::Error::Database(db) if db.is_unique_violation() => StorageError::Conflict,
                _ => StorageError::Db(e),
            }
        }

        async fn insert_transfer(
            tx: &mut sqlx::Transaction<'_, $db>,
            t: &TransferRow,
        ) -> Result<()> {
            sqlx::query(&format!(
                "INSERT INTO transfers ({TRANSFER_COLS}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
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
            .bind(t.expected_checksum.map($crate::storage::checksum_to_db))
            .bind(t.complete)
            .bind(t.revoked_at)
            .bind(t.purged_at)
            .bind(&t.blob_key)
            .bind(&t.blob_state)
            .bind(&t.sender_provider)
            .execute(&mut **tx)
            .await
            .map_err(conflict_or)?;
            Ok(())
        }

        async fn insert_grant(tx: &mut sqlx::Transaction<'_, $db>, g: &GrantRow) -> Result<()> {
            sqlx::query(&format!(
                "INSERT INTO grants ({GRANT_COLS}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
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
            .bind(&g.link_key)
            .bind(&g.open_key)
            .execute(&mut **tx)
            .await
            .map_err(conflict_or)?;
            Ok(())
        }

        /// The one moment a download is counted (see `MetadataStore::issue_download`). The
        /// conditional UPDATE is the transaction's first write: SQLite takes its write lock
        /// there, PostgreSQL the grant's row lock, so concurrent proofs queue and each
        /// re-checks `downloads < max_downloads` against the row the previous one committed.
        async fn count_download(
            tx: &mut sqlx::Transaction<'_, $db>,
            grant_id: &str,
            token_hash: &[u8],
            token_expires_at: i64,
            now: i64,
        ) -> Result<Option<u32>> {
            use sqlx::Row as _;
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

        #[async_trait::async_trait]
        impl MetadataStore for $store {
            async fn ping(&self) -> Result<()> {
                sqlx::query("SELECT 1").execute(&self.$read).await?;
                Ok(())
            }

            async fn close(&self) {
                <$store>::close(self).await;
            }

            async fn try_sweep_lock(&self) -> Result<Option<UploadLock>> {
                self.sweep_lock().await
            }

            async fn insert_uploader_token(&self, t: &UploaderToken) -> Result<()> {
                sqlx::query(&format!(
                    "INSERT INTO uploader_tokens ({TOKEN_COLS}) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                ))
                .bind(&t.id)
                .bind(&t.user)
                .bind(&t.name)
                .bind(&t.token_hash)
                .bind(t.created_at)
                .bind(t.expires_at)
                .bind(t.last_used_at)
                .bind(t.revoked_at)
                .execute(&self.$write)
                .await?;
                Ok(())
            }

            async fn find_uploader_token(
                &self,
                token_hash: &[u8],
            ) -> Result<Option<UploaderToken>> {
                let row = sqlx::query(&format!(
                    "SELECT {TOKEN_COLS} FROM uploader_tokens WHERE token_hash = $1"
                ))
                .bind(token_hash)
                .fetch_optional(&self.$read)
                .await?;
                row.as_ref().map(token_of).transpose()
            }

            async fn list_uploader_tokens(&self) -> Result<Vec<UploaderToken>> {
                let rows = sqlx::query(&format!(
                    "SELECT {TOKEN_COLS} FROM uploader_tokens ORDER BY created_at, id"
                ))
                .fetch_all(&self.$read)
                .await?;
                rows.iter().map(token_of).collect()
            }

            async fn revoke_uploader_token(&self, id: &str, now: i64) -> Result<bool> {
                let done = sqlx::query(
                    "UPDATE uploader_tokens SET revoked_at = $1 \
                     WHERE id = $2 AND revoked_at IS NULL",
                )
                .bind(now)
                .bind(id)
                .execute(&self.$write)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn touch_uploader_token(&self, id: &str, now: i64) -> Result<()> {
                sqlx::query(
                    "UPDATE uploader_tokens SET last_used_at = $1 \
                     WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)",
                )
                .bind(now)
                .bind(id)
                .bind(now - 60)
                .execute(&self.$write)
                .await?;
                Ok(())
            }

            async fn upsert_identity(&self, p: &IdentityRow) -> Result<IdentityRow> {
                let row = sqlx::query(&format!(
                    "INSERT INTO identities ({IDENTITY_COLS}) \
                     VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL) \
                     ON CONFLICT (email) DO UPDATE SET provider = excluded.provider, \
                         subject = excluded.subject, name = excluded.name, \
                         last_seen_at = excluded.last_seen_at \
                     RETURNING {IDENTITY_COLS}"
                ))
                .bind(&p.email)
                .bind(&p.provider)
                .bind(&p.subject)
                .bind(&p.name)
                .bind(p.first_seen_at)
                .bind(p.last_seen_at)
                .fetch_one(&self.$write)
                .await?;
                identity_of(&row)
            }

            async fn get_identity(&self, email: &str) -> Result<Option<IdentityRow>> {
                let row = sqlx::query(&format!(
                    "SELECT {IDENTITY_COLS} FROM identities WHERE email = $1"
                ))
                .bind(email)
                .fetch_optional(&self.$read)
                .await?;
                row.as_ref().map(identity_of).transpose()
            }

            async fn set_identity_disabled(
                &self,
                email: &str,
                disabled_by: Option<&str>,
                now: i64,
            ) -> Result<bool> {
                let mut tx = self.$write.begin().await?;
                let changed = match disabled_by {
                    Some(by) => {
                        // A person never seen gets a row that only says who blocked them; the
                        // first sign-in fills in the rest and stays refused.
                        let done = sqlx::query(&format!(
                            "INSERT INTO identities ({IDENTITY_COLS}) \
                             VALUES ($1, '', '', NULL, $2, $2, $2, $3) \
                             ON CONFLICT (email) DO UPDATE SET disabled_at = excluded.disabled_at, \
                                 disabled_by = excluded.disabled_by \
                             WHERE identities.disabled_at IS NULL"
                        ))
                        .bind(email)
                        .bind(now)
                        .bind(by)
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query(
                            "UPDATE sessions SET ended_at = $1 \
                             WHERE email = $2 AND ended_at IS NULL",
                        )
                        .bind(now)
                        .bind(email)
                        .execute(&mut *tx)
                        .await?;
                        done.rows_affected() == 1
                    }
                    None => {
                        sqlx::query(
                            "UPDATE identities SET disabled_at = NULL, disabled_by = NULL \
                             WHERE email = $1 AND disabled_at IS NOT NULL",
                        )
                        .bind(email)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected()
                            == 1
                    }
                };
                tx.commit().await?;
                Ok(changed)
            }

            async fn insert_session(&self, p: &SessionRow) -> Result<()> {
                sqlx::query(&format!(
                    "INSERT INTO sessions ({SESSION_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                ))
                .bind(&p.token_hash)
                .bind(&p.email)
                .bind(&p.provider)
                .bind(p.admin)
                .bind(p.created_at)
                .bind(p.expires_at)
                .bind(p.ended_at)
                .execute(&self.$write)
                .await
                .map_err(conflict_or)?;
                Ok(())
            }

            async fn find_session(&self, token_hash: &[u8]) -> Result<Option<SessionRow>> {
                let row = sqlx::query(&format!(
                    "SELECT {SESSION_COLS} FROM sessions WHERE token_hash = $1"
                ))
                .bind(token_hash)
                .fetch_optional(&self.$read)
                .await?;
                row.as_ref().map(session_of).transpose()
            }

            async fn end_session(&self, token_hash: &[u8], now: i64) -> Result<bool> {
                let done = sqlx::query(
                    "UPDATE sessions SET ended_at = $1 WHERE token_hash = $2 AND ended_at IS NULL",
                )
                .bind(now)
                .bind(token_hash)
                .execute(&self.$write)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn live_transfers_of(&self, user: &str, now: i64) -> Result<Vec<TransferRow>> {
                let rows = sqlx::query(&format!(
                    "SELECT {TRANSFER_COLS} FROM transfers \
                     WHERE user_email = $1 AND revoked_at IS NULL AND purged_at IS NULL \
                         AND expires_at > $2 \
                     ORDER BY created_at DESC, id"
                ))
                .bind(user)
                .bind(now)
                .fetch_all(&self.$read)
                .await?;
                rows.iter().map(transfer_of).collect()
            }

            async fn create_transfer(
                &self,
                t: &TransferRow,
                grants: &[GrantRow],
                quota: u64,
            ) -> Result<()> {
                let mut tx = self.$write.begin().await?;
                <$store>::lock_quota(&mut tx, &t.user).await?;
                let held: i64 = sqlx::query_scalar(
                    "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM transfers \
                     WHERE user_email = $1 AND purged_at IS NULL",
                )
                .bind(&t.user)
                .fetch_one(&mut *tx)
                .await?;
                let held = u(held);
                if held.saturating_add(t.size) > quota {
                    return Err(StorageError::QuotaExceeded { held });
                }
                insert_transfer(&mut tx, t).await?;
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
                .fetch_optional(&self.$read)
                .await?;
                row.as_ref().map(transfer_of).transpose()
            }

            async fn get_grant(&self, id: &str) -> Result<Option<GrantRow>> {
                let row = sqlx::query(&format!("SELECT {GRANT_COLS} FROM grants WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.$read)
                    .await?;
                row.as_ref().map(grant_of).transpose()
            }

            async fn grants_of(&self, transfer_id: &str) -> Result<Vec<GrantRow>> {
                let rows = sqlx::query(&format!(
                    "SELECT {GRANT_COLS} FROM grants WHERE transfer_id = $1 ORDER BY position"
                ))
                .bind(transfer_id)
                .fetch_all(&self.$read)
                .await?;
                rows.iter().map(grant_of).collect()
            }

            async fn bytes_held_by(&self, user: &str) -> Result<u64> {
                let total: i64 = sqlx::query_scalar(
                    "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM transfers \
                     WHERE user_email = $1 AND purged_at IS NULL",
                )
                .bind(user)
                .fetch_one(&self.$read)
                .await?;
                Ok(u(total))
            }

            async fn set_expected_checksum(&self, transfer_id: &str, checksum: u64) -> Result<()> {
                sqlx::query("UPDATE transfers SET expected_crc64 = $1 WHERE id = $2")
                    .bind($crate::storage::checksum_to_db(checksum))
                    .bind(transfer_id)
                    .execute(&self.$write)
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
                    "UPDATE transfers SET upload_offset = $1, upload_expires_at = $2, \
                         blob_state = $3 \
                     WHERE id = $4 AND NOT complete AND upload_offset = $5",
                )
                .bind(i(offset))
                .bind(upload_expires_at)
                .bind(blob_state)
                .bind(transfer_id)
                .bind(i(from))
                .execute(&self.$write)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn mark_complete(&self, transfer_id: &str, checksum: u64) -> Result<()> {
                sqlx::query(
                    "UPDATE transfers SET complete = TRUE, expected_crc64 = $1, \
                         upload_offset = size \
                     WHERE id = $2",
                )
                .bind($crate::storage::checksum_to_db(checksum))
                .bind(transfer_id)
                .execute(&self.$write)
                .await?;
                Ok(())
            }

            async fn revoke_transfer(&self, transfer_id: &str, now: i64) -> Result<bool> {
                let mut tx = self.$write.begin().await?;
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
                    "UPDATE grants SET revoked_at = $1 \
                     WHERE transfer_id = $2 AND revoked_at IS NULL",
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

            async fn unlock_grant(&self, transfer_id: &str, grant_id: &str) -> Result<bool> {
                let done = sqlx::query(
                    "UPDATE grants SET locked = $1, failed_proofs = 0 \
                     WHERE id = $2 AND transfer_id = $3",
                )
                .bind(false)
                .bind(grant_id)
                .bind(transfer_id)
                .execute(&self.$write)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn revoke_grant(
                &self,
                transfer_id: &str,
                grant_id: &str,
                now: i64,
            ) -> Result<Option<u32>> {
                let mut tx = self.$write.begin().await?;
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
                .execute(&self.$write)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn lock_upload(&self, transfer_id: &str) -> Result<UploadLock> {
                self.upload_lock(transfer_id).await
            }

            async fn delete_transfer(&self, transfer_id: &str) -> Result<()> {
                let mut tx = self.$write.begin().await?;
                for statement in [
                    "DELETE FROM nonces WHERE grant_id IN \
                         (SELECT id FROM grants WHERE transfer_id = $1)",
                    "DELETE FROM download_tokens WHERE transfer_id = $1",
                    "DELETE FROM grants WHERE transfer_id = $1",
                    "DELETE FROM transfers WHERE id = $1",
                ] {
                    sqlx::query(statement)
                        .bind(transfer_id)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn insert_nonce(
                &self,
                grant_id: &str,
                nonce_hash: &[u8],
                expires_at: i64,
            ) -> Result<()> {
                sqlx::query(
                    "INSERT INTO nonces (nonce_hash, grant_id, expires_at) VALUES ($1, $2, $3)",
                )
                .bind(nonce_hash)
                .bind(grant_id)
                .bind(expires_at)
                .execute(&self.$write)
                .await?;
                Ok(())
            }

            async fn consume_nonce(
                &self,
                grant_id: &str,
                nonce_hash: &[u8],
                now: i64,
            ) -> Result<bool> {
                use sqlx::Row as _;
                // Deleted by hash alone, so a nonce presented for the wrong grant is burnt
                // too; of two concurrent deletes only one gets the row back.
                let row = sqlx::query(
                    "DELETE FROM nonces WHERE nonce_hash = $1 RETURNING grant_id, expires_at",
                )
                .bind(nonce_hash)
                .fetch_optional(&self.$write)
                .await?;
                let Some(row) = row else { return Ok(false) };
                let bound: String = row.try_get("grant_id")?;
                let expires_at: i64 = row.try_get("expires_at")?;
                Ok(bound == grant_id && expires_at > now)
            }

            async fn nonce_is_live(
                &self,
                grant_id: &str,
                nonce_hash: &[u8],
                now: i64,
            ) -> Result<bool> {
                // COUNT is BIGINT in both dialects (a bare 1 would be INT4 on PostgreSQL).
                let found: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM nonces WHERE nonce_hash = $1 AND grant_id = $2 \
                     AND expires_at > $3",
                )
                .bind(nonce_hash)
                .bind(grant_id)
                .bind(now)
                .fetch_one(&self.$read)
                .await?;
                Ok(found > 0)
            }

            async fn record_failed_proof(
                &self,
                grant_id: &str,
                threshold: u32,
            ) -> Result<FailedProof> {
                use sqlx::Row as _;
                let row = sqlx::query(
                    "UPDATE grants SET failed_proofs = failed_proofs + 1, \
                        locked = (failed_proofs + 1 >= $1) \
                     WHERE id = $2 AND NOT locked \
                     RETURNING failed_proofs, locked",
                )
                .bind(threshold as i64)
                .bind(grant_id)
                .fetch_optional(&self.$write)
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
                let mut tx = self.$write.begin().await?;
                let left =
                    count_download(&mut tx, grant_id, token_hash, token_expires_at, now).await?;
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
                use sqlx::Row as _;
                let mut tx = self.$write.begin().await?;
                let row = sqlx::query(
                    "DELETE FROM nonces WHERE nonce_hash = $1 RETURNING grant_id, expires_at",
                )
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
                    match count_download(&mut tx, grant_id, token_hash, token_expires_at, now)
                        .await?
                    {
                        Some(left) => Redeemed::Issued(left),
                        None => Redeemed::NotIssued,
                    }
                };
                tx.commit().await?;
                Ok(outcome)
            }

            async fn find_download_token(
                &self,
                token_hash: &[u8],
            ) -> Result<Option<DownloadTokenRow>> {
                use sqlx::Row as _;
                let row = sqlx::query(
                    "SELECT grant_id, transfer_id, expires_at FROM download_tokens \
                     WHERE token_hash = $1",
                )
                .bind(token_hash)
                .fetch_optional(&self.$read)
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
                use sqlx::Row as _;
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
                           AND NOT EXISTS (SELECT 1 FROM grants g \
                               WHERE g.transfer_id = transfers.id \
                               AND g.revoked_at IS NULL AND NOT g.locked \
                               AND g.downloads < g.max_downloads) \
                           AND NOT EXISTS (SELECT 1 FROM download_tokens d \
                               WHERE d.transfer_id = transfers.id AND d.expires_at > $1)))"
                ))
                .bind(now)
                .fetch_all(&self.$read)
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
                .fetch_all(&self.$read)
                .await?)
            }

            async fn delete_expired_ephemera(&self, now: i64) -> Result<u64> {
                let mut deleted = 0;
                for statement in [
                    "DELETE FROM nonces WHERE expires_at <= $1",
                    "DELETE FROM download_tokens WHERE expires_at <= $1",
                    "DELETE FROM sessions WHERE expires_at <= $1",
                ] {
                    deleted += sqlx::query(statement)
                        .bind(now)
                        .execute(&self.$write)
                        .await?
                        .rows_affected();
                }
                Ok(deleted)
            }

            async fn incomplete_uploads(&self) -> Result<Vec<TransferRow>> {
                let rows = sqlx::query(&format!(
                    "SELECT {TRANSFER_COLS} FROM transfers \
                     WHERE NOT complete AND purged_at IS NULL"
                ))
                .fetch_all(&self.$read)
                .await?;
                rows.iter().map(transfer_of).collect()
            }

            async fn stored_stats(&self) -> Result<(u64, u64)> {
                use sqlx::Row as _;
                let row = sqlx::query(
                    "SELECT COUNT(*) AS n, \
                         CAST(COALESCE(SUM(upload_offset), 0) AS BIGINT) AS bytes \
                     FROM transfers WHERE purged_at IS NULL",
                )
                .fetch_one(&self.$read)
                .await?;
                let n: i64 = row.try_get("n")?;
                let bytes: i64 = row.try_get("bytes")?;
                Ok((u(n), u(bytes)))
            }

            async fn append_audit(&self, events: &[AuditEvent]) -> Result<()> {
                if events.is_empty() {
                    return Ok(());
                }
                self.append_audit_batch(events).await
            }

            async fn audit_events(&self, transfer_id: Option<&str>) -> Result<Vec<AuditEvent>> {
                use sqlx::Row as _;
                const COLS: &str =
                    "at, event, transfer_id, grant_id, client_ip, bytes, actor, subject";
                let rows = match transfer_id {
                    Some(id) => {
                        sqlx::query(&format!(
                            "SELECT {COLS} FROM audit WHERE transfer_id = $1 ORDER BY {}",
                            $order
                        ))
                        .bind(id)
                        .fetch_all(&self.$read)
                        .await?
                    }
                    None => {
                        sqlx::query(&format!("SELECT {COLS} FROM audit ORDER BY {}", $order))
                            .fetch_all(&self.$read)
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
                            actor: row.try_get("actor")?,
                            subject: row.try_get("subject")?,
                        })
                    })
                    .collect()
            }
        }
    };
}

pub(crate) use metadata_store;
