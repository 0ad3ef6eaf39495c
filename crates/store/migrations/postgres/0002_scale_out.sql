-- Scale-out (issue 6): at-rest sealing and shared upload state (as migrations/sqlite/0002).
-- blob_key: the transfer's blob key wrapped by the store's master key; NULL once purged, which
--   is what makes the blob unreadable wherever copies of it survive (crypto-erase).
-- blob_state: the blob backend's resumable-write state (S3: multipart upload id and parts),
--   recorded in the same statement as the offset so any instance can continue the upload.
--
-- Safe while older instances serve: nullable columns without a default are a catalogue-only
-- change (no table rewrite), and older code names its columns and never sees them. ADD COLUMN
-- still needs a brief ACCESS EXCLUSIVE lock; the timeout makes the migration fail (run it
-- again) rather than queue every request behind a long-running transaction.
SET LOCAL lock_timeout = '10s';
ALTER TABLE transfers ADD COLUMN blob_key BYTEA;
ALTER TABLE transfers ADD COLUMN blob_state TEXT;
