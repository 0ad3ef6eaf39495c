-- Sign-in (issue 14): people signed in through the agency's OpenID provider, their store
-- sessions, and machine tokens that have a name, an expiry and a last use (guideline 4.3.1 e).
-- Tokens made before this migration get 90 days from now rather than from their creation,
-- so an upgrade does not stop every script at once; `kepil-store token list` shows the date.
ALTER TABLE uploader_tokens ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE uploader_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE uploader_tokens ADD COLUMN last_used_at BIGINT;
UPDATE uploader_tokens SET expires_at = CAST(EXTRACT(EPOCH FROM now()) AS BIGINT) + 7776000
    WHERE expires_at IS NULL;

-- One row per person, keyed by the verified address in lower case (what transfers, quotas
-- and the audit name). `subject` is the provider's stable id, kept to notice an address that
-- a provider gave to someone else.
CREATE TABLE identities (
    email         TEXT PRIMARY KEY,
    provider      TEXT NOT NULL,
    subject       TEXT NOT NULL,
    name          TEXT,
    first_seen_at BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    disabled_at   BIGINT,
    disabled_by   TEXT
);

-- Only the SHA-256 of a session token is kept, as for every other token.
CREATE TABLE sessions (
    token_hash BYTEA PRIMARY KEY,
    email      TEXT NOT NULL,
    provider   TEXT NOT NULL,
    admin      BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ended_at   BIGINT
);
CREATE INDEX sessions_email ON sessions (email);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- The provider a transfer's sender signed in with; NULL: a machine token. A recipient with a
-- valid proof is told the sender as the store knows them ("verified sender").
ALTER TABLE transfers ADD COLUMN sender_provider TEXT;

-- Who did it, for the events a person causes (create, revoke, sign-in, an administrator's
-- disable); NULL for what the store does by itself (expiry, purge) and for recipients.
-- `subject` is the identity an administrator acted on (disable, enable).
ALTER TABLE audit ADD COLUMN actor TEXT;
ALTER TABLE audit ADD COLUMN subject TEXT;
