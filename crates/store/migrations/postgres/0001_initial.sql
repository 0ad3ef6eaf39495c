-- The PostgreSQL copy of migrations/sqlite/0001_initial.sql: same tables, columns and
-- indexes, with PostgreSQL's types. Unix-second BIGINT times, TEXT ids, BYTEA hashes; every
-- count is BIGINT too (the code reads and binds i64 throughout, and sqlx decodes strictly by
-- type), flags are BOOLEAN.
--
-- Migration policy (docs/store.md): every migration is additive (new tables, nullable
-- columns, indexes), so instances of the previous release keep serving while `kepil-store
-- migrate` runs and until they are replaced. sqlx takes a database-wide advisory lock around
-- the whole run, so two `migrate`s at once apply each migration exactly once.

CREATE TABLE uploader_tokens (
    id          TEXT PRIMARY KEY,
    user_email  TEXT NOT NULL,
    token_hash  BYTEA NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);

CREATE TABLE transfers (
    id               TEXT PRIMARY KEY,
    user_email       TEXT NOT NULL,
    owner_hash       BYTEA NOT NULL,
    classification   TEXT NOT NULL,
    size             BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    upload_offset    BIGINT NOT NULL,
    upload_expires_at BIGINT NOT NULL,
    expected_sha256  BYTEA,
    complete         BOOLEAN NOT NULL,
    revoked_at       BIGINT,
    purged_at        BIGINT
);
CREATE INDEX transfers_user ON transfers (user_email);
CREATE INDEX transfers_expires ON transfers (expires_at);

CREATE TABLE grants (
    id             TEXT PRIMARY KEY,
    transfer_id    TEXT NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
    position       BIGINT NOT NULL,
    label          TEXT NOT NULL,
    auth_key       BYTEA NOT NULL,
    kdf_version    BIGINT NOT NULL,
    kdf_m_kib      BIGINT NOT NULL,
    kdf_t          BIGINT NOT NULL,
    kdf_p          BIGINT NOT NULL,
    max_downloads  BIGINT NOT NULL,
    downloads      BIGINT NOT NULL,
    failed_proofs  BIGINT NOT NULL,
    locked         BOOLEAN NOT NULL,
    revoked_at     BIGINT
);
CREATE INDEX grants_transfer ON grants (transfer_id);

CREATE TABLE nonces (
    nonce_hash  BYTEA PRIMARY KEY,
    grant_id    TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
);

CREATE TABLE download_tokens (
    token_hash  BYTEA PRIMARY KEY,
    grant_id    TEXT NOT NULL,
    transfer_id TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX download_tokens_transfer ON download_tokens (transfer_id);

-- Append-only: the code never updates or deletes audit rows. SQLite orders them by its
-- implicit rowid; PostgreSQL has none, so `seq` is the explicit append order.
CREATE TABLE audit (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          BIGINT NOT NULL,
    event       TEXT NOT NULL,
    transfer_id TEXT,
    grant_id    TEXT,
    client_ip   TEXT,
    bytes       BIGINT
);
CREATE INDEX audit_transfer ON audit (transfer_id);
