-- Written to run on SQLite and PostgreSQL alike: unix-second integers for time, TEXT ids,
-- BLOB hashes (bytea in the PostgreSQL copy), no engine-specific types or defaults.

CREATE TABLE uploader_tokens (
    id          TEXT PRIMARY KEY,
    user_email  TEXT NOT NULL,
    token_hash  BLOB NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);

CREATE TABLE transfers (
    id               TEXT PRIMARY KEY,
    user_email       TEXT NOT NULL,
    owner_hash       BLOB NOT NULL,
    classification   TEXT NOT NULL,
    size             BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    upload_offset    BIGINT NOT NULL,
    upload_expires_at BIGINT NOT NULL,
    expected_sha256  BLOB,
    complete         INTEGER NOT NULL,
    revoked_at       BIGINT,
    purged_at        BIGINT
);
CREATE INDEX transfers_user ON transfers (user_email);
CREATE INDEX transfers_expires ON transfers (expires_at);

CREATE TABLE grants (
    id             TEXT PRIMARY KEY,
    transfer_id    TEXT NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    label          TEXT NOT NULL,
    auth_key       BLOB NOT NULL,
    kdf_version    INTEGER NOT NULL,
    kdf_m_kib      INTEGER NOT NULL,
    kdf_t          INTEGER NOT NULL,
    kdf_p          INTEGER NOT NULL,
    max_downloads  INTEGER NOT NULL,
    downloads      INTEGER NOT NULL,
    failed_proofs  INTEGER NOT NULL,
    locked         INTEGER NOT NULL,
    revoked_at     BIGINT
);
CREATE INDEX grants_transfer ON grants (transfer_id);

CREATE TABLE nonces (
    nonce_hash  BLOB PRIMARY KEY,
    grant_id    TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
);

CREATE TABLE download_tokens (
    token_hash  BLOB PRIMARY KEY,
    grant_id    TEXT NOT NULL,
    transfer_id TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX download_tokens_transfer ON download_tokens (transfer_id);

-- Append-only: the code never updates or deletes audit rows.
CREATE TABLE audit (
    at          BIGINT NOT NULL,
    event       TEXT NOT NULL,
    transfer_id TEXT,
    grant_id    TEXT,
    client_ip   TEXT,
    bytes       BIGINT
);
CREATE INDEX audit_transfer ON audit (transfer_id);
