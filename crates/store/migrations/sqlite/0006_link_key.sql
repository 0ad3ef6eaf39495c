-- Only the link's holder can burn tries (issue 15): the key derived from the link secret
-- alone (HKDF, see crates/core/src/kdf.rs), 32 bytes, sent by the sender with each grant. A
-- proof counts towards the lockout only with a valid HMAC by this key; without one it counts
-- nothing and gets the one answer `unavailable` whatever the grant's state.
-- NULL: a grant created by a client from before this migration (or an older client since),
-- which keeps the previous behaviour (any proof with a wrong password counts).
ALTER TABLE grants ADD COLUMN link_key BLOB;
