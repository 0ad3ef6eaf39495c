//! Writing a standard age v1 file whose length is known in advance.
//!
//! Why not `age::Encryptor`: age 0.12 adds a "grease" stanza of random length (a random tag,
//! 0–4 random arguments and a 0–99 byte random body) to every header it writes, so the length
//! of its output cannot be known before encryption. Kepil must announce the exact length as the
//! tus `Upload-Length` before the first byte is encrypted (the transfer and the grants are
//! created first). Grease is optional in the age specification (the Go `age` tool does not
//! write it either), so this writer produces the same format without it: exactly one X25519
//! stanza per recipient.
//!
//! What is still age's: the X25519 stanzas (wrapped by `age::x25519::Recipient` itself), the
//! whole decryption side (`age::Decryptor`), and the format (c2sp.org/age). The chunks are
//! sealed with ring's ChaCha20-Poly1305, about 1.6x faster here than the RustCrypto one age
//! uses (1.7 vs 1.1 GB/s), which matters because the per-file BLAKE3 hash runs alongside:
//!
//! ```text
//! header  = "age-encryption.org/v1\n" *stanza "---" " " base64(HMAC) "\n"
//! stanza  = "-> " tag *(" " arg) "\n" base64 body in 64-column lines, last line short
//! HMAC    = HMAC-SHA256(HKDF-SHA256(salt = "", ikm = file key, info = "header"),
//!                       header bytes up to and including "---")
//! nonce   = 16 random bytes
//! payload = STREAM(ChaCha20-Poly1305, key = HKDF-SHA256(salt = nonce, ikm = file key,
//!                  info = "payload")), 64 KiB chunks, 12-byte nonce = 11-byte big-endian
//!           chunk counter || 0x01 on the last chunk (0x00 otherwise); the last chunk is
//!           non-empty unless the whole payload is empty
//! ```
//!
//! Every output is checked by decrypting it with the age crate and with the Go `age` CLI in
//! the tests (`package_roundtrip.rs`, `age_cli.rs`), and its length against
//! [`super::format::age_encrypted_len`].

use std::io::{self, Write};

use age::Recipient as _;
use base64::Engine as _;
use base64::prelude::BASE64_STANDARD_NO_PAD;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand::RngCore;
use rand::rngs::OsRng;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, Nonce, UnboundKey};
use sha2::Sha256;
use zeroize::Zeroizing;

pub(crate) const CHUNK_SIZE: usize = 64 * 1024;
pub(crate) const TAG_SIZE: usize = 16;

/// Why the writer could not be created.
#[derive(Debug)]
pub(crate) enum AgeWriteError {
    /// The age library refused to wrap the file key (cannot happen for X25519 today).
    Wrap(String),
    Io(io::Error),
}

/// Streams the age encryption of whatever is written into it; call [`AgeWriter::finish`] to
/// write the final chunk.
pub(crate) struct AgeWriter<W: Write> {
    out: W,
    aead: LessSafeKey,
    counter: u64,
    /// The current plaintext chunk, encrypted in place, plus room for its tag.
    chunk: Vec<u8>,
    len: usize,
}

fn hkdf32(salt: &[u8], info: &[u8], ikm: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut okm = Zeroizing::new([0u8; 32]);
    Hkdf::<Sha256>::new(Some(salt), ikm)
        .expand(info, okm.as_mut())
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    okm
}

/// The STREAM key of an age payload: HKDF-SHA256(salt = payload nonce, ikm = file key,
/// info = "payload"). Shared by the writer and the reader (`age_io`).
pub(crate) fn payload_aead(file_key: &[u8; 16], nonce: &[u8]) -> LessSafeKey {
    let key = hkdf32(nonce, b"payload", file_key);
    let key = UnboundKey::new(&CHACHA20_POLY1305, key.as_ref())
        .expect("32 bytes is ChaCha20-Poly1305's key length");
    LessSafeKey::new(key)
}

/// The 12-byte nonce of STREAM chunk `counter`: the counter as 11 big-endian bytes, then 1 on
/// the last chunk and 0 before it.
pub(crate) fn chunk_nonce(counter: u64, last: bool) -> Nonce {
    let mut nonce = [0u8; 12];
    nonce[3..11].copy_from_slice(&counter.to_be_bytes());
    nonce[11] = u8::from(last);
    Nonce::assume_unique_for_key(nonce)
}

fn push_stanza(header: &mut Vec<u8>, stanza: &age_core::format::Stanza) {
    header.extend_from_slice(b"-> ");
    header.extend_from_slice(stanza.tag.as_bytes());
    for arg in &stanza.args {
        header.push(b' ');
        header.extend_from_slice(arg.as_bytes());
    }
    header.push(b'\n');
    let body = BASE64_STANDARD_NO_PAD.encode(&stanza.body);
    // Full 64-column lines, then a final short (possibly empty) line that ends the stanza.
    let mut rest = body.as_bytes();
    while rest.len() >= 64 {
        header.extend_from_slice(&rest[..64]);
        header.push(b'\n');
        rest = &rest[64..];
    }
    header.extend_from_slice(rest);
    header.push(b'\n');
}

/// What fixes the bytes of an age file for a given payload: the header (recipient stanzas and
/// MAC), the file key and the payload nonce. Encrypting the same payload with the same
/// `StreamKeys` gives the same ciphertext byte for byte, which is what lets an interrupted
/// upload be resumed by encrypting again instead of keeping the ciphertext on disk.
///
/// The file key is a secret (it decrypts the file): it is zeroized on drop, `Debug` shows
/// only lengths, and reading it is an explicit [`StreamKeys::expose_file_key`] call.
pub struct StreamKeys {
    file_key: Zeroizing<[u8; 16]>,
    nonce: [u8; 16],
    header: Vec<u8>,
}

impl std::fmt::Debug for StreamKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamKeys")
            .field("file_key", &crate::secret::REDACTED)
            .field("header_len", &self.header.len())
            .finish_non_exhaustive()
    }
}

/// Why [`StreamKeys::from_parts`] refused its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamKeysError {
    /// Not an age v1 header ending in `--- MAC`.
    Malformed,
    /// The header's MAC does not match the file key: the parts do not belong together.
    WrongKey,
}

impl std::fmt::Display for StreamKeysError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StreamKeysError::Malformed => "the saved age header is damaged",
            StreamKeysError::WrongKey => "the saved age header does not match its file key",
        })
    }
}

impl std::error::Error for StreamKeysError {}

fn header_mac(file_key: &[u8; 16], header_to_dashes: &[u8]) -> [u8; 32] {
    let mac_key = hkdf32(&[], b"header", file_key);
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(mac_key.as_ref()).expect("HMAC takes any key length");
    mac.update(header_to_dashes);
    mac.finalize().into_bytes().into()
}

impl StreamKeys {
    /// A fresh random file key and payload nonce, and the header wrapping the file key to each
    /// recipient (one X25519 stanza each, no grease).
    pub(crate) fn generate(recipients: &[age::x25519::Recipient]) -> Result<Self, AgeWriteError> {
        let mut file_key = Zeroizing::new([0u8; 16]);
        OsRng.fill_bytes(file_key.as_mut());
        let wrapped = age_core::format::FileKey::new(Box::new(*file_key));

        let mut header = b"age-encryption.org/v1\n".to_vec();
        for r in recipients {
            let (stanzas, _labels) = r
                .wrap_file_key(&wrapped)
                .map_err(|e| AgeWriteError::Wrap(e.to_string()))?;
            for s in &stanzas {
                push_stanza(&mut header, s);
            }
        }
        header.extend_from_slice(b"---");
        let mac = header_mac(&file_key, &header);
        header.push(b' ');
        header.extend_from_slice(BASE64_STANDARD_NO_PAD.encode(mac).as_bytes());
        header.push(b'\n');

        let mut nonce = [0u8; 16];
        OsRng.fill_bytes(&mut nonce);
        Ok(StreamKeys {
            file_key,
            nonce,
            header,
        })
    }

    /// Puts saved parts back together, checking that the header is an age v1 header whose
    /// MAC was made with this file key (a damaged or mixed-up journal is refused here rather
    /// than producing a ciphertext that differs from the one already uploaded).
    pub fn from_parts(
        file_key: [u8; 16],
        nonce: [u8; 16],
        header: Vec<u8>,
    ) -> Result<Self, StreamKeysError> {
        let file_key = Zeroizing::new(file_key);
        if !header.starts_with(b"age-encryption.org/v1\n") || !header.ends_with(b"\n") {
            return Err(StreamKeysError::Malformed);
        }
        let body = &header[..header.len() - 1];
        let dashes = body
            .windows(5)
            .rposition(|w| w == b"\n--- ")
            .ok_or(StreamKeysError::Malformed)?;
        let (signed, mac_text) = body.split_at(dashes + 4);
        let mac = BASE64_STANDARD_NO_PAD
            .decode(&mac_text[1..])
            .map_err(|_| StreamKeysError::Malformed)?;
        // Constant time, although the MAC is public: it costs nothing.
        let expected = header_mac(&file_key, signed);
        if !bool::from(subtle::ConstantTimeEq::ct_eq(&expected[..], &mac[..])) {
            return Err(StreamKeysError::WrongKey);
        }
        Ok(StreamKeys {
            file_key,
            nonce,
            header,
        })
    }

    /// The file key: whoever has it can decrypt the file. Keep it only in a secret store.
    pub fn expose_file_key(&self) -> &[u8; 16] {
        &self.file_key
    }

    /// The payload nonce (not secret: it is written after the header).
    pub fn nonce(&self) -> &[u8; 16] {
        &self.nonce
    }

    /// The age header (not secret: it is the start of the file).
    pub fn header(&self) -> &[u8] {
        &self.header
    }

    /// The exact length of the age file these keys produce for `payload_len` bytes.
    pub fn encrypted_len(&self, payload_len: u64) -> u64 {
        self.header.len() as u64 + 16 + super::format::age_stream_len(payload_len)
    }
}

impl<W: Write> AgeWriter<W> {
    /// Writes the header and the nonce of `keys` to `out`; the payload follows as it is
    /// written into the returned writer.
    pub(crate) fn new(keys: &StreamKeys, mut out: W) -> Result<Self, AgeWriteError> {
        out.write_all(&keys.header).map_err(AgeWriteError::Io)?;
        out.write_all(&keys.nonce).map_err(AgeWriteError::Io)?;
        Ok(AgeWriter {
            out,
            aead: payload_aead(&keys.file_key, &keys.nonce),
            counter: 0,
            chunk: vec![0u8; CHUNK_SIZE + TAG_SIZE],
            len: 0,
        })
    }

    fn seal_chunk(&mut self, last: bool) -> io::Result<()> {
        // Unique: the counter never repeats under a key derived from a random file key and
        // nonce. A resumed upload encrypts the same plaintext again under the same key, which
        // reproduces the same ciphertext and reveals nothing new (see `StreamKeys`).
        let tag = self
            .aead
            .seal_in_place_separate_tag(
                chunk_nonce(self.counter, last),
                Aad::empty(),
                &mut self.chunk[..self.len],
            )
            .map_err(|_| io::Error::other("ChaCha20-Poly1305 refused a 64 KiB chunk"))?;
        self.chunk[self.len..self.len + TAG_SIZE].copy_from_slice(tag.as_ref());
        self.out.write_all(&self.chunk[..self.len + TAG_SIZE])?;
        self.counter = self
            .counter
            .checked_add(1)
            .ok_or_else(|| io::Error::other("age STREAM counter overflow"))?;
        self.len = 0;
        Ok(())
    }

    /// Encrypts the last chunk and returns the output. A payload that ends exactly on a chunk
    /// boundary ends with that full chunk (a full chunk is only sealed as non-last once more
    /// data arrives), and an empty payload is one empty final chunk, as age requires.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        self.seal_chunk(true)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Write for AgeWriter<W> {
    fn write(&mut self, mut buf: &[u8]) -> io::Result<usize> {
        let written = buf.len();
        while !buf.is_empty() {
            if self.len == CHUNK_SIZE {
                // More data follows, so the full chunk is not the last one.
                self.seal_chunk(false)?;
            }
            let n = (CHUNK_SIZE - self.len).min(buf.len());
            self.chunk[self.len..self.len + n].copy_from_slice(&buf[..n]);
            self.len += n;
            buf = &buf[n..];
        }
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stanza(body_len: usize) -> Vec<u8> {
        let s = age_core::format::Stanza {
            tag: "t".into(),
            args: vec!["a".into(), "b".into()],
            body: vec![7u8; body_len],
        };
        let mut out = vec![];
        push_stanza(&mut out, &s);
        out
    }

    #[test]
    fn stanza_bodies_wrap_at_64_columns_and_end_with_a_short_line() {
        // 47 bytes -> 63 characters: one short line.
        let s = String::from_utf8(stanza(47)).unwrap();
        assert_eq!(s.lines().map(str::len).collect::<Vec<_>>(), [8, 63]);
        // 48 bytes -> exactly 64 characters: a full line, then an empty final line.
        let s = String::from_utf8(stanza(48)).unwrap();
        assert_eq!(s.lines().map(str::len).collect::<Vec<_>>(), [8, 64, 0]);
        // An empty body is one empty line.
        assert_eq!(stanza(0), b"-> t a b\n\n");
        // 100 bytes -> 134 characters: 64 + 64 + 6.
        let s = String::from_utf8(stanza(100)).unwrap();
        assert_eq!(s.lines().map(str::len).collect::<Vec<_>>(), [8, 64, 64, 6]);
    }

    #[test]
    fn empty_and_chunk_multiple_payloads_decrypt_with_age() {
        let id = age::x25519::Identity::generate();
        for len in [
            0usize,
            1,
            CHUNK_SIZE - 1,
            CHUNK_SIZE,
            CHUNK_SIZE + 1,
            2 * CHUNK_SIZE,
        ] {
            let plain: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let keys = StreamKeys::generate(&[id.to_public()]).unwrap();
            let mut w = AgeWriter::new(&keys, Vec::new()).unwrap();
            w.write_all(&plain).unwrap();
            let ct = w.finish().unwrap();
            let chunks = len.div_ceil(CHUNK_SIZE).max(1);
            assert_eq!(ct.len(), 22 + 98 + 48 + 16 + len + 16 * chunks, "{len}");
            let d = age::Decryptor::new(&ct[..]).unwrap();
            let mut r = d
                .decrypt(std::iter::once(&id as &dyn age::Identity))
                .unwrap();
            let mut got = vec![];
            io::Read::read_to_end(&mut r, &mut got).unwrap();
            assert_eq!(got, plain, "{len}");
        }
    }
}
