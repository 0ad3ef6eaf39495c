//! At-rest sealing of blobs, so that forgetting a key erases a blob everywhere (issue 6).
//!
//! Every transfer gets its own random 256-bit blob key. The blob's bytes are stored
//! XOR-ed with AES-256-CTR under that key (the position in the blob is the counter, so
//! resumed uploads and ranged downloads seal and unseal at any offset). The key is kept
//! only wrapped — AES-256-GCM under the store's master key, bound to the transfer id — in
//! the transfer's metadata row, and the row forgets it when the blob is purged
//! ([`MetadataStore::claim_purge`](crate::storage::MetadataStore::claim_purge)). From then on
//! any copy of the blob an object store keeps (versions, replicas, a stolen disk, a backup)
//! is noise.
//!
//! Confidentiality of the content never rests on this layer: blobs are age ciphertext
//! encrypted on the sender's machine, and their integrity is checked by the whole-blob
//! CRC at upload (accidental damage) and by age's authentication at the recipient
//! (everything else). CTR without a MAC is therefore enough here; what this layer adds is
//! erasure. The master key comes from a key file (or the environment), never from the
//! database, so a stolen database plus a stolen bucket is not enough to read even the
//! ciphertext.

use std::fmt;
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use aes::Aes256;
use aes::cipher::{BlockCipherEncrypt, KeyInit};
use async_trait::async_trait;
use base64::Engine as _;
use kepil_protocol::BlobChecksum;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt, ReadBuf};
use zeroize::{Zeroize, Zeroizing};

use crate::storage::{
    BlobReader, BlobStore, BlobWriter, Checkpoint, Result, StorageError, TransferRow,
};

const WRAP_VERSION: u8 = 1;
const NONCE_LEN: usize = 12;
/// Wrapped key length: version, nonce, key, GCM tag.
pub const WRAPPED_LEN: usize = 1 + NONCE_LEN + 32 + 16;

#[derive(Debug, thiserror::Error)]
pub enum MasterKeyError {
    #[error("cannot read the master key file {path}: {source}")]
    Read { path: String, source: io::Error },
    #[error("cannot create the master key file {path}: {source}")]
    Create { path: String, source: io::Error },
    #[error(
        "the master key in {origin} is not 32 bytes in base64 or hex; generate one with \
         `head -c 32 /dev/urandom | base64` and keep it outside the database and the bucket"
    )]
    Format { origin: String },
    #[error(
        "the master key file {path} is readable by other users; make it private with \
         `chmod 600 {path}`"
    )]
    Permissions { path: String },
}

/// The store's key-wrapping key. Lives in memory only as long as the process.
#[derive(Clone)]
pub struct MasterKey(Arc<Zeroizing<[u8; 32]>>);

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

impl MasterKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        MasterKey(Arc::new(Zeroizing::new(bytes)))
    }

    /// Parses base64 (standard or url-safe) or hex of exactly 32 bytes.
    pub fn parse(text: &str, origin: &str) -> Result<Self, MasterKeyError> {
        let text = Zeroizing::new(text.trim().to_string());
        let decoded = Zeroizing::new(
            decode_hex(&text)
                .or_else(|| {
                    base64::engine::general_purpose::STANDARD
                        .decode(&*text)
                        .ok()
                })
                .or_else(|| {
                    base64::engine::general_purpose::URL_SAFE_NO_PAD
                        .decode(text.trim_end_matches('='))
                        .ok()
                })
                .unwrap_or_default(),
        );
        let bytes: [u8; 32] =
            decoded
                .as_slice()
                .try_into()
                .map_err(|_| MasterKeyError::Format {
                    origin: origin.to_string(),
                })?;
        Ok(MasterKey::from_bytes(bytes))
    }

    /// Reads the key file; refuses one that group or others can read.
    pub fn load(path: &Path) -> Result<Self, MasterKeyError> {
        let shown = path.display().to_string();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let meta = std::fs::metadata(path).map_err(|source| MasterKeyError::Read {
                path: shown.clone(),
                source,
            })?;
            if meta.permissions().mode() & 0o077 != 0 {
                return Err(MasterKeyError::Permissions { path: shown });
            }
        }
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|source| {
            MasterKeyError::Read {
                path: shown.clone(),
                source,
            }
        })?);
        MasterKey::parse(&text, &shown)
    }

    /// Loads the key file, creating it (0600, random) when absent: the single-machine default.
    pub fn load_or_create(path: &Path) -> Result<Self, MasterKeyError> {
        if path.exists() {
            return MasterKey::load(path);
        }
        let mut bytes = [0u8; 32];
        SystemRandom::new()
            .fill(&mut bytes)
            .expect("the system random generator works");
        let text = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(bytes));
        let shown = path.display().to_string();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let write = || -> io::Result<()> {
            use std::io::Write;
            let mut file = options.open(path)?;
            file.write_all(text.as_bytes())?;
            file.write_all(b"\n")?;
            file.sync_all()
        };
        write().map_err(|source| MasterKeyError::Create {
            path: shown,
            source,
        })?;
        let key = MasterKey::from_bytes(bytes);
        bytes.zeroize();
        Ok(key)
    }

    fn aead(&self) -> LessSafeKey {
        LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &self.0[..]).expect("32-byte key"))
    }

    /// A short fingerprint for logs and metrics: shows which key is in use, reveals nothing.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::new()
            .chain_update(b"kepil-store master key fingerprint")
            .chain_update(&self.0[..])
            .finalize();
        digest[..6].iter().map(|b| format!("{b:02x}")).collect()
    }
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..32)
        .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok())
        .collect()
}

/// One transfer's blob key, unwrapped.
pub struct BlobKey(Zeroizing<[u8; 32]>);

impl fmt::Debug for BlobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BlobKey(<redacted>)")
    }
}

fn aad(transfer_id: &str) -> Vec<u8> {
    let mut aad = b"kepil blob key v1\0".to_vec();
    aad.extend_from_slice(transfer_id.as_bytes());
    aad
}

impl BlobKey {
    pub fn generate() -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        SystemRandom::new()
            .fill(&mut key[..])
            .expect("the system random generator works");
        BlobKey(key)
    }

    /// Wraps the key for the transfer's row; bound to `transfer_id`, so a wrapped key copied
    /// onto another row does not open.
    pub fn wrap(&self, master: &MasterKey, transfer_id: &str) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .expect("the system random generator works");
        let mut sealed = self.0.to_vec();
        master
            .aead()
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad(transfer_id)),
                &mut sealed,
            )
            .expect("sealing 32 bytes cannot fail");
        let mut out = Vec::with_capacity(WRAPPED_LEN);
        out.push(WRAP_VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        sealed.zeroize();
        out
    }

    pub fn unwrap(master: &MasterKey, transfer_id: &str, wrapped: &[u8]) -> Result<Self> {
        let bad = || {
            StorageError::Corrupt(
                "the blob key does not open with this store's master key (wrong master key file, \
                 or a row from another store)"
                    .into(),
            )
        };
        if wrapped.len() != WRAPPED_LEN || wrapped[0] != WRAP_VERSION {
            return Err(bad());
        }
        let nonce =
            Nonce::try_assume_unique_for_key(&wrapped[1..1 + NONCE_LEN]).map_err(|_| bad())?;
        let mut sealed = Zeroizing::new(wrapped[1 + NONCE_LEN..].to_vec());
        let opened = master
            .aead()
            .open_in_place(nonce, Aad::from(aad(transfer_id)), &mut sealed)
            .map_err(|_| bad())?;
        let mut key = Zeroizing::new([0u8; 32]);
        key.copy_from_slice(opened);
        Ok(BlobKey(key))
    }

    fn cipher_at(&self, offset: u64) -> Keystream {
        Keystream {
            aes: Aes256::new(&(*self.0).into()),
            pos: offset,
        }
    }
}

/// AES-256-CTR with a zero IV and the block's index in the blob as a 128-bit big-endian
/// counter (the stream of `ctr::Ctr128BE` with a zero IV, so blobs sealed by earlier versions
/// open unchanged). Counters are encrypted a batch at a time because the `ctr` crate hands the
/// cipher a few blocks per call, which leaves VAES mostly idle.
struct Keystream {
    aes: Aes256,
    pos: u64,
}

impl Keystream {
    const BATCH: usize = 256;

    fn apply_keystream(&mut self, mut data: &mut [u8]) {
        let mut blocks = [aes::Block::default(); Self::BATCH];
        while !data.is_empty() {
            let skip = (self.pos % 16) as usize;
            let first = u128::from(self.pos / 16);
            let count = (skip + data.len()).div_ceil(16).min(Self::BATCH);
            for (i, block) in (0u128..).zip(&mut blocks[..count]) {
                *block = (first + i).to_be_bytes().into();
            }
            self.aes.encrypt_blocks(&mut blocks[..count]);
            let stream = &aes::Block::slice_as_flattened(&blocks[..count])[skip..];
            let n = stream.len().min(data.len());
            let (now, rest) = data.split_at_mut(n);
            for (byte, key) in now.iter_mut().zip(stream) {
                *byte ^= key;
            }
            data = rest;
            self.pos += n as u64;
        }
    }
}

/// The blob backend behind the sealing layer: the handlers only ever see plaintext (that is,
/// the client's age ciphertext); the backend only ever sees sealed bytes.
#[derive(Debug, Clone)]
pub struct Blobs {
    inner: Arc<dyn BlobStore>,
    master: MasterKey,
}

impl Blobs {
    pub fn new(inner: Arc<dyn BlobStore>, master: MasterKey) -> Self {
        Blobs { inner, master }
    }

    /// The backend, for what does not touch content (length, delete, reset).
    pub fn backend(&self) -> &dyn BlobStore {
        self.inner.as_ref()
    }

    /// A fresh wrapped key for a new transfer's row.
    pub fn new_wrapped_key(&self, transfer_id: &str) -> Vec<u8> {
        BlobKey::generate().wrap(&self.master, transfer_id)
    }

    fn key_of(&self, t: &TransferRow) -> Result<BlobKey> {
        match &t.blob_key {
            Some(wrapped) => BlobKey::unwrap(&self.master, &t.id, wrapped),
            // A purged row has no key and no blob; a row without one is never written to.
            None => Err(StorageError::Corrupt(
                "the transfer has no blob key (purged, or created before sealing)".into(),
            )),
        }
    }

    pub async fn open_writer(
        &self,
        t: &TransferRow,
        offset: u64,
        state: Option<&str>,
    ) -> Result<Box<dyn BlobWriter>> {
        let cipher = self.key_of(t)?.cipher_at(offset);
        let inner = self.inner.open_writer(&t.id, offset, state).await?;
        Ok(Box::new(SealingWriter {
            inner,
            cipher,
            pending: Vec::with_capacity(SEAL_BUF),
        }))
    }

    pub async fn read(&self, t: &TransferRow, start: u64, len: u64) -> Result<BlobReader> {
        let cipher = self.key_of(t)?.cipher_at(start);
        let inner = self.inner.read(&t.id, start, len).await?;
        Ok(Box::pin(UnsealingReader { inner, cipher }))
    }

    /// The checksum of the first `len` unsealed bytes (when no running checksum survived).
    pub async fn checksum(&self, t: &TransferRow, len: u64) -> Result<u64> {
        let mut reader = self.read(t, 0, len).await?;
        let mut hasher = BlobChecksum::new();
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = reader.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        Ok(hasher.value())
    }
}

/// Plaintext gathered from the small frames of a request body before it is sealed and handed
/// on in one piece.
const SEAL_BUF: usize = 1 << 20;

struct SealingWriter {
    inner: Box<dyn BlobWriter>,
    cipher: Keystream,
    // Sealing needs a mutable copy of the incoming frames; gathering them here is that copy,
    // and the sealed buffer then goes to the backend by value.
    pending: Vec<u8>,
}

impl SealingWriter {
    async fn seal_pending(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.cipher.apply_keystream(&mut self.pending);
        let sealed = std::mem::take(&mut self.pending);
        self.pending = self.inner.write_owned(sealed).await?;
        Ok(())
    }
}

#[async_trait]
impl BlobWriter for SealingWriter {
    async fn write(&mut self, mut data: &[u8]) -> Result<()> {
        while !data.is_empty() {
            let n = (SEAL_BUF - self.pending.len()).min(data.len());
            self.pending.extend_from_slice(&data[..n]);
            data = &data[n..];
            if self.pending.len() >= SEAL_BUF {
                self.seal_pending().await?;
            }
        }
        Ok(())
    }

    async fn sync(&mut self) -> Result<Checkpoint> {
        self.seal_pending().await?;
        self.inner.sync().await
    }

    async fn commit(mut self: Box<Self>) -> Result<Checkpoint> {
        self.seal_pending().await?;
        self.inner.commit().await
    }

    async fn complete(mut self: Box<Self>) -> Result<u64> {
        self.seal_pending().await?;
        self.inner.complete().await
    }

    async fn abort(self: Box<Self>) -> Result<()> {
        self.inner.abort().await
    }
}

struct UnsealingReader {
    inner: BlobReader,
    cipher: Keystream,
}

impl AsyncRead for UnsealingReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match this.inner.as_mut().poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                this.cipher.apply_keystream(&mut buf.filled_mut()[before..]);
                Poll::Ready(Ok(()))
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_keys_open_only_with_their_master_key_and_transfer() {
        let master = MasterKey::from_bytes([1; 32]);
        let key = BlobKey::generate();
        let wrapped = key.wrap(&master, "T1");
        assert_eq!(wrapped.len(), WRAPPED_LEN);
        let back = BlobKey::unwrap(&master, "T1", &wrapped).unwrap();
        assert_eq!(*back.0, *key.0);
        assert!(BlobKey::unwrap(&master, "T2", &wrapped).is_err());
        assert!(BlobKey::unwrap(&MasterKey::from_bytes([2; 32]), "T1", &wrapped).is_err());
        let mut flipped = wrapped.clone();
        flipped[20] ^= 1;
        assert!(BlobKey::unwrap(&master, "T1", &flipped).is_err());
    }

    /// AES-256-CTR from a zero IV, from `openssl enc -aes-256-ctr -K 00010203...1f -iv 0`
    /// over zero bytes: blobs sealed before the batched keystream still open.
    const EXPECTED_CTR_HEX: &str = "f29000b62a499fd0a9f39a6add2e7780f05d76ae4ab99fe5a6f69b31\
                                    48c2363d0ebcb5deb52c83bd08a8a935182c9199";

    #[test]
    fn keystream_is_aes_256_ctr_from_a_zero_counter() {
        let key: [u8; 32] = std::array::from_fn(|i| i as u8);
        let key = BlobKey(Zeroizing::new(key));
        let mut stream = vec![0u8; 48];
        key.cipher_at(0).apply_keystream(&mut stream);
        let hex: String = stream.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, EXPECTED_CTR_HEX);
    }

    #[test]
    fn keystream_at_an_offset_continues_the_stream() {
        let key = BlobKey::generate();
        // Longer than a batch, so the counter is carried across batches and pieces.
        const LEN: usize = 3 * Keystream::BATCH * 16 + 7;
        let mut whole = vec![0u8; LEN];
        key.cipher_at(0).apply_keystream(&mut whole);
        for offset in [0usize, 1, 15, 16, 17, 4095, 4096, 4097, 9999, LEN - 1] {
            let mut tail = vec![0u8; LEN - offset];
            let mut cipher = key.cipher_at(offset as u64);
            // Uneven pieces, as request frames arrive.
            for piece in tail.chunks_mut(1000 + offset % 37) {
                cipher.apply_keystream(piece);
            }
            assert_eq!(tail, whole[offset..], "offset {offset}");
        }
        assert_ne!(whole[..64], [0u8; 64]);
    }

    #[test]
    fn master_keys_parse_from_base64_or_hex_only_at_32_bytes() {
        let b64 = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        let hex: String = [7u8; 32].iter().map(|b| format!("{b:02x}")).collect();
        let a = MasterKey::parse(&b64, "test").unwrap();
        let b = MasterKey::parse(&format!("{hex}\n"), "test").unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert!(MasterKey::parse("c2hvcnQ=", "test").is_err());
        assert!(format!("{a:?}").contains("redacted"));
    }

    #[cfg(unix)]
    #[test]
    fn key_files_are_created_private_and_refused_when_shared() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let first = MasterKey::load_or_create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(
            MasterKey::load_or_create(&path).unwrap().fingerprint(),
            first.fingerprint()
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            MasterKey::load(&path),
            Err(MasterKeyError::Permissions { .. })
        ));
    }
}
