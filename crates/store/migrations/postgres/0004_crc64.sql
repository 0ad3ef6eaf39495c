-- The whole-blob upload check is CRC-64/NVME (it was BLAKE3, a fifth of the store's CPU during
-- an upload; see `BlobChecksum` in kepil-protocol). An unfinished upload gets its checksum
-- again with the client's final PATCH and a finished one is not checked again, so the stored
-- digests are dropped rather than converted. The CRC is kept as its 64 bits in a signed integer.
ALTER TABLE transfers DROP COLUMN expected_blake3, ADD COLUMN expected_crc64 BIGINT;
