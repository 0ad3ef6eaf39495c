-- The whole-blob hash an upload is checked against is BLAKE3 (it was SHA-256, the largest CPU
-- cost of an upload on both ends). The values already stored are SHA-256 digests: an unfinished
-- upload gets its hash again with the client's final PATCH, and a finished one is not checked
-- again, so they are cleared rather than left to be compared against the wrong algorithm.
ALTER TABLE transfers RENAME COLUMN expected_sha256 TO expected_blake3;
UPDATE transfers SET expected_blake3 = NULL;
