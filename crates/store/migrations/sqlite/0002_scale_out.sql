-- Scale-out (issue 6): at-rest sealing and shared upload state.
-- blob_key: the transfer's blob key wrapped by the store's master key; NULL once purged, which
--   is what makes the blob unreadable wherever copies of it survive (crypto-erase).
-- blob_state: the blob backend's resumable-write state (S3: multipart upload id and parts),
--   recorded in the same statement as the offset so any instance can continue the upload.
ALTER TABLE transfers ADD COLUMN blob_key BLOB;
ALTER TABLE transfers ADD COLUMN blob_state TEXT;
