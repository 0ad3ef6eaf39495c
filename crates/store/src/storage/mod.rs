//! Storage behind two traits, so that the handlers never know which backend runs.
//!
//! - [`MetadataStore`]: tokens, transfers, grants, nonces, download tokens and the audit table.
//!   The embedded backend is [`sqlite::SqliteStore`]; the scale-out one is
//!   `postgres::PostgresStore` (feature `postgres`), with the same statements in PostgreSQL's
//!   dialect. `crate::backends` picks one from the configuration.
//! - [`BlobStore`]: the ciphertext. The embedded backend is [`fs::FsBlobStore`]; the
//!   scale-out one is `s3::S3BlobStore` (feature `s3`).
//!
//! Every backend must pass the one shared suite, `kepil_test_support::conformance` (a dev-only
//! crate, so the shipped library carries no test code). This module knows nothing of the
//! configuration: `crate::backends` turns a `Config` into backends.
//!
//! Invariants every backend keeps:
//! - conditional updates are atomic (`issue_download`, `record_failed_proof`,
//!   `consume_nonce`), because the handlers rely on them for "exactly one token" and lockout;
//! - `BlobWriter::commit` returns only after the bytes are durable, and the handlers record
//!   the new offset only after it returned, so the recorded offset never exceeds what is on disk.

pub mod fs;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod s3;
mod sql;
pub mod sqlite;

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::pin::Pin;

use async_trait::async_trait;
use tokio::io::AsyncRead;

/// Storage failures; the handlers log them and answer `internal`.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("blob i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("invalid id")]
    InvalidId,
    /// An insert hit an existing id.
    #[error("id already taken")]
    Conflict,
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// `create_transfer` would take the user above their quota; `held` is what they hold.
    #[error("quota exceeded ({held} bytes held)")]
    QuotaExceeded { held: u64 },
    #[error("object store: {0}")]
    Object(String),
    /// The backend cannot be used as configured; the message says what to do.
    #[error("{0}")]
    Setup(String),
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// A machine token (`kepil-store token create`): for service accounts and scripts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploaderToken {
    pub id: String,
    pub user: String,
    /// What the administrator called it (`scanner-export`), shown in `token list`.
    pub name: String,
    pub token_hash: Vec<u8>,
    pub created_at: i64,
    /// Refused from then on (guideline 4.3.1 e: access ends; 90 days unless told otherwise).
    pub expires_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// A person the store has seen sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityRow {
    /// The verified address, lower case.
    pub email: String,
    pub provider: String,
    pub subject: String,
    pub name: Option<String>,
    pub first_seen_at: i64,
    pub last_seen_at: i64,
    pub disabled_at: Option<i64>,
    /// The administrator who disabled it.
    pub disabled_by: Option<String>,
}

/// A store session from a sign-in; only the token's hash is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub token_hash: Vec<u8>,
    pub email: String,
    pub provider: String,
    /// Whether the sign-in named an administrator (by address or group), fixed for the
    /// session's life.
    pub admin: bool,
    pub created_at: i64,
    pub expires_at: i64,
    pub ended_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRow {
    pub id: String,
    pub user: String,
    pub owner_hash: Vec<u8>,
    pub classification: String,
    pub size: u64,
    pub created_at: i64,
    pub expires_at: i64,
    pub upload_offset: u64,
    pub upload_expires_at: i64,
    /// The whole blob's checksum ([`kepil_protocol::BlobChecksum`]) the upload must match.
    pub expected_checksum: Option<u64>,
    pub complete: bool,
    pub revoked_at: Option<i64>,
    pub purged_at: Option<i64>,
    /// The blob's at-rest key, wrapped by the store's master key; `None` once purged.
    pub blob_key: Option<Vec<u8>>,
    /// The blob backend's resumable-write state, recorded with `upload_offset`.
    pub blob_state: Option<String>,
    /// How the sender was known: the provider they signed in with, or `None` for a machine
    /// token (and for transfers made before sign-in existed).
    pub sender_provider: Option<String>,
}

impl TransferRow {
    /// Holds a blob someone may still fetch or finish uploading.
    pub fn is_live(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.purged_at.is_none() && self.expires_at > now
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct GrantRow {
    pub id: String,
    pub transfer_id: String,
    pub position: u32,
    pub label: String,
    pub auth_key: Vec<u8>,
    pub kdf_version: u32,
    pub kdf_m_kib: u32,
    pub kdf_t: u32,
    pub kdf_p: u32,
    pub max_downloads: u32,
    pub downloads: u32,
    pub failed_proofs: u32,
    pub locked: bool,
    pub revoked_at: Option<i64>,
    /// The key derived from the link secret alone; a proof counts towards the lockout only
    /// with a valid MAC by it. `None` for grants from older clients (no such check).
    pub link_key: Option<Vec<u8>>,
    /// The key derived from the link secret alone that opens the grant's public facts; with
    /// it, only a valid open MAC reads them. `None` for grants from older clients.
    pub open_key: Option<Vec<u8>>,
}

impl Debug for GrantRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GrantRow")
            .field("id", &self.id)
            .field("transfer_id", &self.transfer_id)
            .field("auth_key", &"<redacted>")
            .field("link_key", &self.link_key.as_ref().map(|_| "<redacted>"))
            .field("open_key", &self.open_key.as_ref().map(|_| "<redacted>"))
            .field("downloads", &self.downloads)
            .field("max_downloads", &self.max_downloads)
            .field("failed_proofs", &self.failed_proofs)
            .field("locked", &self.locked)
            .field("revoked_at", &self.revoked_at)
            .finish_non_exhaustive()
    }
}

/// The outcome of a failed proof, after the counter moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailedProof {
    pub failed_proofs: u32,
    pub locked: bool,
    /// This very failure locked the grant (so the audit gets exactly one `locked`).
    pub locked_now: bool,
}

/// Outcome of [`MetadataStore::redeem`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redeemed {
    /// The nonce was unknown, expired or bound to another grant; nothing counted.
    StaleNonce,
    /// A condition of `issue_download` failed; nothing counted.
    NotIssued,
    /// Counted; downloads left.
    Issued(u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadTokenRow {
    pub grant_id: String,
    pub transfer_id: String,
    pub expires_at: i64,
}

/// Why the sweeper removes a blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PurgeReason {
    Expired,
    Revoked,
    UsedUp,
    Abandoned,
}

impl PurgeReason {
    pub fn as_str(self) -> &'static str {
        match self {
            PurgeReason::Expired => "expired",
            PurgeReason::Revoked => "revoked",
            PurgeReason::UsedUp => "used_up",
            PurgeReason::Abandoned => "abandoned",
        }
    }
}

/// One audit record. Holds ids, never a secret, label or file name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuditEvent {
    pub at: i64,
    pub event: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub transfer_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub grant_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub client_ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub bytes: Option<u64>,
    /// The person or token holder who caused the event.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub actor: Option<String>,
    /// The identity an administrator acted on.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub subject: Option<String>,
}

/// Databases have signed 64-bit integers; the checksum keeps its 64 bits in one, two's
/// complement, so the round trip is exact.
pub(crate) fn checksum_to_db(checksum: u64) -> i64 {
    checksum as i64
}

pub(crate) fn checksum_from_db(stored: i64) -> u64 {
    stored as u64
}

#[async_trait]
pub trait MetadataStore: Send + Sync + Debug {
    async fn ping(&self) -> Result<()>;
    /// Closes the connections (at shutdown).
    async fn close(&self);
    /// The sweeper's lock: `Some` for the one instance that may sweep now, `None` while
    /// another instance sweeps (so two never delete or audit the same thing). Held until the
    /// guard drops; a dead holder's lock goes with it.
    async fn try_sweep_lock(&self) -> Result<Option<UploadLock>>;

    async fn insert_uploader_token(&self, token: &UploaderToken) -> Result<()>;
    async fn find_uploader_token(&self, token_hash: &[u8]) -> Result<Option<UploaderToken>>;
    async fn list_uploader_tokens(&self) -> Result<Vec<UploaderToken>>;
    /// False when no such unrevoked token exists.
    async fn revoke_uploader_token(&self, id: &str, now: i64) -> Result<bool>;
    /// Records a use, at most once a minute per token (a write on every upload PATCH would
    /// cost more than the time is worth).
    async fn touch_uploader_token(&self, id: &str, now: i64) -> Result<()>;

    /// Inserts the person on first sign-in, else updates provider, subject, name and
    /// `last_seen_at`; returns the row as stored (with its disabled state).
    async fn upsert_identity(&self, identity: &IdentityRow) -> Result<IdentityRow>;
    async fn get_identity(&self, email: &str) -> Result<Option<IdentityRow>>;
    /// Disables (`Some(by)`) or enables (`None`) an identity, creating the row when the store
    /// has never seen the person (so an administrator can block someone before they sign
    /// in); disabling also ends the person's sessions. False when nothing changed.
    async fn set_identity_disabled(
        &self,
        email: &str,
        disabled_by: Option<&str>,
        now: i64,
    ) -> Result<bool>;
    async fn insert_session(&self, session: &SessionRow) -> Result<()>;
    async fn find_session(&self, token_hash: &[u8]) -> Result<Option<SessionRow>>;
    /// False when the session was already ended.
    async fn end_session(&self, token_hash: &[u8], now: i64) -> Result<bool>;
    /// The user's transfers that are neither revoked, expired nor purged, newest first.
    async fn live_transfers_of(&self, user: &str, now: i64) -> Result<Vec<TransferRow>>;

    /// Inserts the transfer and all its grants in one transaction; `Conflict` when an id is
    /// taken, `QuotaExceeded` when the user's held bytes plus this size would pass `quota`.
    /// The check and the insert are one serialised step, so simultaneous creates by one user
    /// (on any instance) cannot both pass.
    async fn create_transfer(
        &self,
        transfer: &TransferRow,
        grants: &[GrantRow],
        quota: u64,
    ) -> Result<()>;
    async fn get_transfer(&self, id: &str) -> Result<Option<TransferRow>>;
    async fn get_grant(&self, id: &str) -> Result<Option<GrantRow>>;
    /// In creation order.
    async fn grants_of(&self, transfer_id: &str) -> Result<Vec<GrantRow>>;
    /// Declared sizes of the user's transfers whose blobs are not purged (the quota base).
    async fn bytes_held_by(&self, user: &str) -> Result<u64>;

    async fn set_expected_checksum(&self, transfer_id: &str, checksum: u64) -> Result<()>;
    /// Records the durable offset together with the blob backend's state for it, only when
    /// the unfinished upload's recorded offset is still `from`; false (nothing changed) when
    /// it is not — another request moved it, so the caller's view is stale.
    async fn set_offset(
        &self,
        transfer_id: &str,
        from: u64,
        offset: u64,
        upload_expires_at: i64,
        blob_state: Option<&str>,
    ) -> Result<bool>;
    async fn mark_complete(&self, transfer_id: &str, checksum: u64) -> Result<()>;
    /// Revokes the transfer and every grant; false when it was already revoked.
    async fn revoke_transfer(&self, transfer_id: &str, now: i64) -> Result<bool>;
    /// Revokes one grant; `Some(live_grants_left)`, or `None` when there is no such grant.
    async fn revoke_grant(
        &self,
        transfer_id: &str,
        grant_id: &str,
        now: i64,
    ) -> Result<Option<u32>>;
    /// Clears a grant's lock and its count of failed proofs; false when there is no such grant.
    async fn unlock_grant(&self, transfer_id: &str, grant_id: &str) -> Result<bool>;
    /// Marks the transfer purged and forgets its blob key and blob state, in one statement;
    /// true only for the one caller that did it (so one instance deletes and audits).
    async fn claim_purge(&self, transfer_id: &str, now: i64) -> Result<bool>;
    /// Serialises writers of one upload across every instance sharing this store: held while
    /// a PATCH writes or a purge deletes; released when the guard drops (or its holder dies).
    async fn lock_upload(&self, transfer_id: &str) -> Result<UploadLock>;
    /// Deletes the rows (transfer, grants, nonces, tokens); the audit rows stay.
    async fn delete_transfer(&self, transfer_id: &str) -> Result<()>;

    async fn insert_nonce(&self, grant_id: &str, nonce_hash: &[u8], expires_at: i64) -> Result<()>;
    /// Atomically removes the nonce; true only when it existed, was bound to this grant and
    /// had not expired. A nonce is gone after this whether or not the proof is right.
    async fn consume_nonce(&self, grant_id: &str, nonce_hash: &[u8], now: i64) -> Result<bool>;
    /// Whether the nonce exists, is bound to this grant and has not expired; changes nothing.
    async fn nonce_is_live(&self, grant_id: &str, nonce_hash: &[u8], now: i64) -> Result<bool>;
    /// Increments the consecutive-failure counter of an unlocked grant and locks it at the
    /// threshold, in one statement.
    async fn record_failed_proof(&self, grant_id: &str, threshold: u32) -> Result<FailedProof>;
    /// The one moment a download is counted: atomically, when the grant is unlocked,
    /// unrevoked, below its maximum and its transfer is complete, live and unexpired,
    /// increments `downloads`, resets the failure counter and stores the download token.
    /// `Some(downloads_left)` on success; `None` when a condition failed (nothing changed).
    async fn issue_download(
        &self,
        grant_id: &str,
        token_hash: &[u8],
        token_expires_at: i64,
        now: i64,
    ) -> Result<Option<u32>>;
    /// `consume_nonce` and `issue_download` in one transaction, for a proof already known to
    /// be valid: one commit instead of two on the hot path. The nonce is burnt whatever the
    /// outcome.
    async fn redeem(
        &self,
        grant_id: &str,
        nonce_hash: &[u8],
        token_hash: &[u8],
        token_expires_at: i64,
        now: i64,
    ) -> Result<Redeemed>;
    async fn find_download_token(&self, token_hash: &[u8]) -> Result<Option<DownloadTokenRow>>;

    /// Transfers whose blob must go now, with the reason.
    async fn purge_candidates(&self, now: i64) -> Result<Vec<(TransferRow, PurgeReason)>>;
    /// Purged transfers whose rows are older than `cutoff` (tombstones to forget).
    async fn tombstones_before(&self, cutoff: i64) -> Result<Vec<String>>;
    /// Removes expired nonces and download tokens; returns how many.
    async fn delete_expired_ephemera(&self, now: i64) -> Result<u64>;
    /// Transfers still uploading (for reconciling blob files after a crash).
    async fn incomplete_uploads(&self) -> Result<Vec<TransferRow>>;
    /// (transfers holding a blob, bytes stored) for the metrics gauges.
    async fn stored_stats(&self) -> Result<(u64, u64)>;

    /// Appends the events in one transaction.
    async fn append_audit(&self, events: &[AuditEvent]) -> Result<()>;
    async fn audit_events(&self, transfer_id: Option<&str>) -> Result<Vec<AuditEvent>>;
}

/// Which metadata backend the configuration names (see `Config::metadata_backend`).
#[derive(Clone, PartialEq, Eq)]
pub enum MetadataBackend {
    Sqlite(std::path::PathBuf),
    /// A `postgres://` URL, which may hold a password: shown only through [`redact_url`].
    Postgres(String),
}

impl Debug for MetadataBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MetadataBackend::Sqlite(p) => f.debug_tuple("Sqlite").field(p).finish(),
            MetadataBackend::Postgres(url) => {
                f.debug_tuple("Postgres").field(&redact_url(url)).finish()
            }
        }
    }
}

/// `url` with any password (user-info, `?password=`, `?sslpassword=`) hidden, for logs and
/// messages: [`crate::redact::database_url`].
pub fn redact_url(url: &str) -> String {
    crate::redact::database_url(url)
}

/// What a migration run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    /// Applied by this run: (version, description), in order.
    pub applied: Vec<(i64, String)>,
    /// The highest version applied now (this binary's or a later release's).
    pub version: i64,
}

impl MigrationReport {
    pub(crate) fn from_versions(
        migrator: &sqlx::migrate::Migrator,
        before: &BTreeSet<i64>,
        after: &BTreeSet<i64>,
    ) -> Self {
        MigrationReport {
            applied: migrator
                .iter()
                .filter(|m| after.contains(&m.version) && !before.contains(&m.version))
                .map(|m| (m.version, m.description.to_string()))
                .collect(),
            version: after.iter().next_back().copied().unwrap_or(0),
        }
    }
}

impl std::fmt::Display for MigrationReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.applied.is_empty() {
            return write!(f, "schema up to date at version {}", self.version);
        }
        let names: Vec<String> = self
            .applied
            .iter()
            .map(|(v, d)| format!("{v} ({d})"))
            .collect();
        write!(
            f,
            "applied migration(s) {}; schema now at version {}",
            names.join(", "),
            self.version
        )
    }
}

/// Held while one request writes or deletes an upload's blob; dropping it releases the lock.
pub struct UploadLock {
    _held: Box<dyn Send>,
}

impl UploadLock {
    pub fn new(held: impl Send + 'static) -> Self {
        UploadLock {
            _held: Box::new(held),
        }
    }
}

impl Debug for UploadLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UploadLock")
    }
}

pub type BlobReader = Pin<Box<dyn AsyncRead + Send>>;

/// Where a writer stands after making its bytes durable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// Durable length of the blob.
    pub len: u64,
    /// What the backend needs to continue from `len` on any instance (recorded with the
    /// offset); `None` for backends whose blob itself is the state.
    pub state: Option<String>,
}

#[async_trait]
pub trait BlobStore: Send + Sync + Debug {
    /// Opens the blob for appending at `offset`, creating it when absent; `state` is what the
    /// last [`Checkpoint`] recorded with that offset. Anything stored beyond `offset` (left by
    /// a crash before its offset was recorded) is discarded.
    async fn open_writer(
        &self,
        id: &str,
        offset: u64,
        state: Option<&str>,
    ) -> Result<Box<dyn BlobWriter>>;
    /// Bytes of a completed blob (or, for backends without state, of the blob so far), or
    /// `None` when there is none.
    async fn len(&self, id: &str) -> Result<Option<u64>>;
    /// Cuts the blob to `len` bytes (durably).
    async fn truncate(&self, id: &str, len: u64) -> Result<()>;
    /// Reads `[start, start + len)`.
    async fn read(&self, id: &str, start: u64, len: u64) -> Result<BlobReader>;
    /// Removes the blob and anything an unfinished upload left (`state` is the last recorded
    /// checkpoint's, when known); no error when it is already gone.
    async fn delete(&self, id: &str, state: Option<&str>) -> Result<()>;
}

#[async_trait]
pub trait BlobWriter: Send {
    async fn write(&mut self, data: &[u8]) -> Result<()>;
    /// Like `write`, taking the buffer: a backend that hands buffers to another thread keeps
    /// it instead of copying. Returns an empty buffer (this one or another) for the caller to
    /// fill next, so buffers are reused rather than allocated per write.
    async fn write_owned(&mut self, mut data: Vec<u8>) -> Result<Vec<u8>> {
        self.write(&data).await?;
        data.clear();
        Ok(data)
    }
    /// Makes everything written so far durable (a checkpoint `abort` no longer undoes).
    async fn sync(&mut self) -> Result<Checkpoint>;
    /// Makes everything written durable; the upload goes on in a later request.
    async fn commit(self: Box<Self>) -> Result<Checkpoint>;
    /// The last byte was written: makes the blob whole, durable and readable; returns its
    /// length.
    async fn complete(self: Box<Self>) -> Result<u64>;
    /// Throws away everything written since `open_writer` or the last `sync` (durably).
    async fn abort(self: Box<Self>) -> Result<()>;
}
