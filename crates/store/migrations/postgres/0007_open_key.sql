-- Only the link's holder learns anything (issue 15): the key derived from the link secret
-- alone that opens a grant's public facts (HKDF, see crates/core/src/kdf.rs), 32 bytes, sent
-- by the sender with each grant. A grant with one is read only through
-- POST /api/v1/grants/{id}/open with a valid HMAC by it; GET of the grant and an open without
-- a valid MAC answer `unavailable`, as for an id that never existed.
-- NULL: a grant from an older client, readable by GET as before.
ALTER TABLE grants ADD COLUMN open_key BYTEA;
