//! The age-decryption layer: the one place that turns age's errors into [`DecryptError`].
//!
//! The header is age's: `age::Decryptor` parses it, the identity unwraps the file key and age
//! verifies the header MAC. The payload (age's STREAM: ChaCha20-Poly1305 over 64 KiB chunks) is
//! then decrypted here with ring, which is about 1.6 times faster on this hardware than the
//! RustCrypto implementation inside age and sets the speed of a receive. The file key is taken
//! on its way through the identity (see [`Capture`]) and used only after age accepted the
//! header's MAC with it; the chunk rules are age's own, reproduced exactly in
//! [`Payload::next_chunk`] (the test vectors in `tests/age_testkit.rs` pin them down).
//!
//! Both [`super::PackageReader`] and the age test-vector suite (`tests/age_testkit.rs`) go
//! through [`open_age`] and [`AgeReader::read`], so the mapping the vectors pin down is exactly
//! the one a user sees.
//!
//! age 0.12 reports failures as follows (asserted by the vectors and `tests/package_tamper.rs`):
//! - header parse failure: `DecryptError::InvalidHeader` (also from the X25519 identity for a
//!   malformed stanza or a low-order share) -> [`DecryptError::HeaderCorrupt`]; but a
//!   malformed *v1* header mostly comes back as `UnknownFormat`, because age's parser falls
//!   back to "unknown version" when the v1 grammar fails: with a `v1` version line that is
//!   also `HeaderCorrupt`;
//! - input ends inside the header or nonce, or the header never completes before the end
//!   (a missing MAC line): `DecryptError::Io(UnexpectedEof)` -> `Truncated`;
//! - an `age-encryption.org/vN` other than v1: `UnknownFormat` -> `UnsupportedFormatVersion`;
//! - no stanza opens with the identity: `NoMatchingKeys` -> `WrongKey`;
//! - header HMAC mismatch: `InvalidMac` -> `Tampered`;
//! - while streaming: `io::ErrorKind::UnexpectedEof` ("age file is truncated") at a chunk
//!   boundary -> `Truncated`; `io::ErrorKind::InvalidData` (bad chunk tag, data after the
//!   final chunk, an empty final chunk) -> `Corrupt`, refined to `Truncated` / `TrailingData`
//!   when the expected ciphertext length is known (see [`AgeReader::expect_payload_len`]).

use std::fmt;
use std::io::{self, BufRead, Read};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use age::secrecy::ExposeSecret;
use ring::aead::{Aad, LessSafeKey};
use zeroize::Zeroizing;

use super::age_write::{CHUNK_SIZE, TAG_SIZE, chunk_nonce, payload_aead};
use super::error::DecryptError;
use super::format::{MAX_HEADER_LEN, age_stream_len};

const AGE_MAGIC: &[u8] = b"age-encryption.org/";
const AGE_V1_LINE: &[u8] = b"age-encryption.org/v1\n";
const ARMOR_BEGIN: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";
/// Enough of the input to tell an age file, an armored one and anything else apart.
const SNIFF_LEN: usize = 64;
/// Our own read buffer, for the header lines. Once the header is parsed, age's STREAM reader
/// asks for (the rest of) one encrypted chunk, 64 KiB + 16, at a time: those requests are
/// larger than this buffer and go straight to the input without a copy.
const INPUT_BUF: usize = 8 * 1024;
/// An age STREAM chunk as stored: 64 KiB of plaintext, plus the 16-byte Poly1305 tag.
const ENCRYPTED_CHUNK_SIZE: usize = CHUNK_SIZE + TAG_SIZE;
/// The payload nonce follows the header.
const NONCE_SIZE: usize = 16;

/// Marker error for a header over [`MAX_HEADER_LEN`].
#[derive(Debug)]
struct HeaderTooLarge;

impl fmt::Display for HeaderTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "age header longer than {MAX_HEADER_LEN} bytes")
    }
}

impl std::error::Error for HeaderTooLarge {}

/// What the input wrapper tells the reader after age has taken ownership of it.
#[derive(Debug, Default)]
struct Counters {
    /// Bytes of the input handed to age (header, nonce, ciphertext).
    consumed: AtomicU64,
    /// The input reported end of file.
    eof: AtomicBool,
    /// The header is parsed: lift the header size limit.
    header_done: AtomicBool,
}

/// Wraps the caller's identity for age's header check, keeping a copy of the file key it
/// unwraps. age then verifies the header MAC with that key; the copy is used (to derive the
/// payload key) only when that check passed, and is zeroized on drop.
struct Capture<'a> {
    inner: &'a dyn age::Identity,
    file_key: Mutex<Option<Zeroizing<[u8; 16]>>>,
}

impl Capture<'_> {
    fn keep(
        &self,
        got: Option<Result<age_core::format::FileKey, age::DecryptError>>,
    ) -> Option<Result<age_core::format::FileKey, age::DecryptError>> {
        if let Some(Ok(key)) = &got {
            *self.file_key.lock().unwrap_or_else(|p| p.into_inner()) =
                Some(Zeroizing::new(*key.expose_secret()));
        }
        got
    }
}

impl age::Identity for Capture<'_> {
    fn unwrap_stanza(
        &self,
        stanza: &age_core::format::Stanza,
    ) -> Option<Result<age_core::format::FileKey, age::DecryptError>> {
        self.keep(self.inner.unwrap_stanza(stanza))
    }

    fn unwrap_stanzas(
        &self,
        stanzas: &[age_core::format::Stanza],
    ) -> Option<Result<age_core::format::FileKey, age::DecryptError>> {
        self.keep(self.inner.unwrap_stanzas(stanzas))
    }
}

/// A buffered reader over the raw input that counts what age consumes, remembers whether the
/// input ended, and bounds the header before age's parser can grow its buffer without limit.
struct Input<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    filled: usize,
    counters: Arc<Counters>,
    /// Every byte handed out while the header is being parsed (at most [`MAX_HEADER_LEN`]
    /// and the nonce): the payload nonce is its last 16 bytes.
    header: Vec<u8>,
}

impl<R: Read> Input<R> {
    fn new(inner: R, counters: Arc<Counters>) -> Self {
        Input {
            inner,
            buf: vec![0; INPUT_BUF].into_boxed_slice(),
            pos: 0,
            filled: 0,
            counters,
            header: Vec::new(),
        }
    }

    fn record_header(&mut self, bytes: &[u8]) {
        if !self.counters.header_done.load(Ordering::Relaxed) {
            self.header.extend_from_slice(bytes);
        }
    }

    fn raw_read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.inner.read(out) {
                Ok(0) if !out.is_empty() => {
                    self.counters.eof.store(true, Ordering::Relaxed);
                    return Ok(0);
                }
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn check_header_limit(&self) -> io::Result<()> {
        if !self.counters.header_done.load(Ordering::Relaxed)
            && self.counters.consumed.load(Ordering::Relaxed) > MAX_HEADER_LEN
        {
            return Err(io::Error::new(io::ErrorKind::InvalidData, HeaderTooLarge));
        }
        Ok(())
    }

    /// Fills the buffer until it holds `n` bytes or the input ends, and returns what it holds
    /// (without consuming it).
    fn peek(&mut self, n: usize) -> io::Result<&[u8]> {
        let n = n.min(self.buf.len());
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.filled, 0);
            self.filled -= self.pos;
            self.pos = 0;
        }
        while self.filled < n {
            let filled = self.filled;
            let mut tmp = std::mem::take(&mut self.buf);
            let got = self.raw_read(&mut tmp[filled..]);
            self.buf = tmp;
            match got? {
                0 => break,
                k => self.filled += k,
            }
        }
        Ok(&self.buf[..self.filled])
    }
}

impl<R: Read> Read for Input<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.check_header_limit()?;
        let n = if self.pos == self.filled && out.len() >= self.buf.len() {
            // Large reads (age's encrypted chunks) go straight into the caller's buffer.
            self.raw_read(out)?
        } else {
            let available = self.fill_buf()?;
            let n = available.len().min(out.len());
            out[..n].copy_from_slice(&available[..n]);
            self.pos += n;
            n
        };
        self.record_header(&out[..n]);
        self.counters
            .consumed
            .fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: Read> BufRead for Input<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.check_header_limit()?;
        if self.pos == self.filled {
            let mut tmp = std::mem::take(&mut self.buf);
            let got = self.raw_read(&mut tmp);
            self.buf = tmp;
            self.filled = got?;
            self.pos = 0;
        }
        Ok(&self.buf[self.pos..self.filled])
    }

    fn consume(&mut self, amt: usize) {
        let amt = amt.min(self.filled - self.pos);
        if !self.counters.header_done.load(Ordering::Relaxed) {
            self.header
                .extend_from_slice(&self.buf[self.pos..self.pos + amt]);
        }
        self.pos += amt;
        self.counters
            .consumed
            .fetch_add(amt as u64, Ordering::Relaxed);
    }
}

/// A decrypting reader over an age file's payload, with errors already mapped to
/// [`DecryptError`]. Created by [`open_age`].
pub struct AgeReader<R: Read> {
    input: Input<R>,
    payload: Payload,
    counters: Arc<Counters>,
    /// Length of the header and nonce: where the encrypted stream starts.
    header_len: u64,
    /// The whole input's expected length, once the caller knows the payload length.
    expected_total: Option<u64>,
}

impl<R: Read> fmt::Debug for AgeReader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgeReader")
            .field("header_len", &self.header_len)
            .field("consumed", &self.counters.consumed.load(Ordering::Relaxed))
            .field("expected_total", &self.expected_total)
            .finish_non_exhaustive()
    }
}

/// Parses the age header from `input`, unwraps the file key with `identity` and verifies the
/// header MAC. Only binary (not armored) age v1 files are accepted; the header may be at most
/// [`MAX_HEADER_LEN`] bytes.
pub fn open_age<R: Read>(
    input: R,
    identity: &dyn age::Identity,
) -> Result<AgeReader<R>, DecryptError> {
    let counters = Arc::new(Counters::default());
    let mut input = Input::new(input, Arc::clone(&counters));

    // Look at the first bytes ourselves: age reports "invalid header" alike for a PDF, an
    // armored file and a damaged age file, and the user needs to know which it is.
    let head = input
        .peek(SNIFF_LEN)
        .map_err(|source| DecryptError::Read { source })?;
    let trimmed = head.trim_ascii_start();
    if trimmed.starts_with(ARMOR_BEGIN) {
        return Err(DecryptError::Armored);
    }
    if !head.starts_with(AGE_MAGIC) {
        // A clean prefix of the magic means the input simply stopped (an empty or cut
        // download); anything else is some other kind of file.
        let cut_short = head.len() < AGE_V1_LINE.len() && AGE_V1_LINE.starts_with(head);
        return Err(if cut_short {
            DecryptError::Truncated
        } else {
            DecryptError::NotAnAgeFile
        });
    }

    // age 0.12 parses a malformed v1 header as "some other version" (UnknownFormat), so the
    // version line we saw decides which of the two it really is.
    let is_v1 = head.starts_with(AGE_V1_LINE);
    // For the "newer format" message: the version line as written, printable ASCII only.
    let version: String = head
        .iter()
        .take_while(|b| **b != b'\n')
        .filter(|b| b.is_ascii_graphic())
        .map(|b| char::from(*b))
        .collect();
    let map = |e| map_header_error(e, is_v1, &version);
    let capture = Capture {
        inner: identity,
        file_key: Mutex::new(None),
    };
    let decryptor = age::Decryptor::new_buffered(&mut input).map_err(map)?;
    let header_len = counters.consumed.load(Ordering::Relaxed);
    counters.header_done.store(true, Ordering::Relaxed);
    // Ok means an identity unwrapped a file key and the header's MAC verified with it; age's
    // own STREAM reader is dropped unused.
    drop(
        decryptor
            .decrypt(std::iter::once(&capture as &dyn age::Identity))
            .map_err(map)?,
    );
    let file_key = capture
        .file_key
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .ok_or(DecryptError::WrongKey)?;
    let nonce = input
        .header
        .len()
        .checked_sub(NONCE_SIZE)
        .map(|at| &input.header[at..])
        .ok_or(DecryptError::Truncated)?;
    let payload = Payload::new(&file_key, nonce);
    input.header = Vec::new();
    Ok(AgeReader {
        input,
        payload,
        counters,
        header_len,
        expected_total: None,
    })
}

fn map_header_error(e: age::DecryptError, is_v1: bool, version: &str) -> DecryptError {
    match e {
        age::DecryptError::InvalidHeader => DecryptError::HeaderCorrupt,
        age::DecryptError::UnknownFormat if is_v1 => DecryptError::HeaderCorrupt,
        age::DecryptError::UnknownFormat => DecryptError::UnsupportedFormatVersion {
            version: version.to_owned(),
        },
        age::DecryptError::NoMatchingKeys
        | age::DecryptError::DecryptionFailed
        | age::DecryptError::KeyDecryptionFailed => DecryptError::WrongKey,
        age::DecryptError::InvalidMac => DecryptError::Tampered,
        // Passphrase (scrypt) files are not Kepil packages; an X25519 identity never asks.
        age::DecryptError::ExcessiveWork { .. } => DecryptError::WrongKey,
        age::DecryptError::Io(e) => match e.kind() {
            io::ErrorKind::UnexpectedEof => DecryptError::Truncated,
            _ if e
                .get_ref()
                .is_some_and(|inner| inner.is::<HeaderTooLarge>()) =>
            {
                DecryptError::HeaderCorrupt
            }
            _ => DecryptError::Read { source: e },
        },
        // age's enum is non-exhaustive: anything new is treated as a damaged header rather
        // than risking a success.
        _ => DecryptError::HeaderCorrupt,
    }
}

impl<R: Read> AgeReader<R> {
    /// Reads decrypted payload bytes. `Ok(0)` means the whole age stream was authenticated,
    /// including its final chunk: only then is the payload known to be complete.
    pub fn read(&mut self, buf: &mut [u8]) -> Result<usize, DecryptError> {
        self.payload
            .read(&mut self.input, buf)
            .map_err(|e| self.map_stream_error(e))
    }

    /// Reads until `buf` is full or the payload ends; returns how much was read.
    pub fn read_full(&mut self, buf: &mut [u8]) -> Result<usize, DecryptError> {
        let mut got = 0;
        while got < buf.len() {
            match self.read(&mut buf[got..])? {
                0 => break,
                n => got += n,
            }
        }
        Ok(got)
    }

    /// Declares how long the plaintext payload should be, so that a stream failure can be
    /// reported precisely: input that ended early is `Truncated`, input that goes on past the
    /// expected end is `TrailingData`, anything else stays `Corrupt`.
    pub fn expect_payload_len(&mut self, payload_len: u64) {
        self.expected_total = self.header_len.checked_add(age_stream_len(payload_len));
        let consumed = self.counters.consumed.load(Ordering::Relaxed);
        self.payload.sealed_left = self
            .expected_total
            .and_then(|total| total.checked_sub(consumed));
    }

    /// Bytes of header and nonce (where the encrypted stream starts).
    pub fn header_len(&self) -> u64 {
        self.header_len
    }

    fn map_stream_error(&self, e: io::Error) -> DecryptError {
        match e.kind() {
            io::ErrorKind::UnexpectedEof => DecryptError::Truncated,
            io::ErrorKind::InvalidData => {
                let consumed = self.counters.consumed.load(Ordering::Relaxed);
                let eof = self.counters.eof.load(Ordering::Relaxed);
                match self.expected_total {
                    Some(total) if consumed > total => DecryptError::TrailingData,
                    Some(total) if eof && consumed < total => DecryptError::Truncated,
                    _ => DecryptError::Corrupt,
                }
            }
            _ => DecryptError::Read { source: e },
        }
    }
}

/// age's STREAM, decrypted with ring, under the key and chunk nonces the writer uses
/// ([`payload_aead`], [`chunk_nonce`]).
struct Payload {
    aead: LessSafeKey,
    counter: u64,
    /// The last chunk was authenticated: only the end of the input may follow.
    last_seen: bool,
    /// The chunk as read, kept so a full chunk can be tried once more as the last one.
    sealed: Box<[u8]>,
    /// Encrypted bytes still expected, once the payload's length is known: then whether a
    /// full chunk is the last one is known too, and a chunk is decrypted where it was read.
    sealed_left: Option<u64>,
    /// The chunk being handed out, decrypted in place (with room for the tag).
    plain: Zeroizing<Vec<u8>>,
    pos: usize,
    len: usize,
    plaintext_seen: u64,
}

impl Payload {
    fn new(file_key: &[u8; 16], nonce: &[u8]) -> Self {
        Payload {
            aead: payload_aead(file_key, nonce),
            counter: 0,
            last_seen: false,
            sealed: vec![0u8; ENCRYPTED_CHUNK_SIZE].into_boxed_slice(),
            sealed_left: None,
            plain: Zeroizing::new(vec![0u8; ENCRYPTED_CHUNK_SIZE]),
            pos: 0,
            len: 0,
            plaintext_seen: 0,
        }
    }

    fn read(&mut self, input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.len {
            if buf.is_empty() {
                return Ok(0);
            }
            if buf.len() >= ENCRYPTED_CHUNK_SIZE {
                // Room for a whole chunk: decrypt it in the caller's buffer, one copy less. An
                // empty (final) chunk is not the end yet: the end is checked on the next turn.
                match self.next_chunk(input, Some(&mut *buf))? {
                    Some(0) => continue,
                    Some(n) => return Ok(n),
                    None => return Ok(0),
                }
            }
            if self.next_chunk(input, None)?.is_none() {
                return Ok(0);
            }
        }
        let n = (self.len - self.pos).min(buf.len());
        buf[..n].copy_from_slice(&self.plain[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }

    /// Reads, authenticates and decrypts the next chunk; false at the authenticated end.
    /// The rules are age's (`age::stream::StreamReader`): a chunk shorter than a full one is
    /// the last; a full chunk is tried as a middle chunk, then as the last (a payload that is
    /// an exact multiple of 64 KiB); input ending before a last chunk is `UnexpectedEof`
    /// (truncated); a failed tag, an empty last chunk after data, or anything after the last
    /// chunk is `InvalidData`.
    ///
    /// The plaintext goes to the start of `direct` when given (it must hold a whole sealed
    /// chunk), else to `plain`; returns its length, or `None` at the authenticated end.
    fn next_chunk(
        &mut self,
        input: &mut impl Read,
        direct: Option<&mut [u8]>,
    ) -> io::Result<Option<usize>> {
        let to_plain = direct.is_none();
        let target = match direct {
            Some(buf) => buf,
            None => &mut self.plain[..],
        };
        // Without a known length a full chunk may be the last one or not, and ring wipes a
        // chunk whose tag fails: it is read aside so it can be tried both ways.
        let landing = match self.sealed_left {
            Some(_) => &mut target[..ENCRYPTED_CHUNK_SIZE],
            None => &mut self.sealed[..],
        };
        let mut n = 0;
        while n < ENCRYPTED_CHUNK_SIZE {
            match input.read(&mut landing[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if n == 0 {
            return if self.last_seen {
                Ok(None)
            } else {
                Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "age file is truncated",
                ))
            };
        }
        if self.last_seen {
            return Err(invalid("data after the last chunk"));
        }
        let short = n < ENCRYPTED_CHUNK_SIZE;
        let (len, last) = match self.sealed_left {
            // Either flag other than the one the length implies can only fail to verify, so
            // trying just that one accepts nothing the two tries would reject.
            Some(left) => {
                let last = short || left == n as u64;
                self.sealed_left = Some(left.saturating_sub(n as u64));
                let len = open_in_place(&self.aead, self.counter, &mut target[..n], last)
                    .ok_or_else(|| invalid("decryption error"))?;
                (len, last)
            }
            None => {
                let sealed = &self.sealed[..n];
                match open(&self.aead, self.counter, sealed, target, short) {
                    Some(len) => (len, short),
                    None if !short => (
                        open(&self.aead, self.counter, sealed, target, true)
                            .ok_or_else(|| invalid("decryption error"))?,
                        true,
                    ),
                    None => return Err(invalid("decryption error")),
                }
            }
        };
        if last && len == 0 && self.plaintext_seen > 0 {
            return Err(invalid("the last chunk is empty"));
        }
        self.counter = self
            .counter
            .checked_add(1)
            .ok_or_else(|| invalid("age STREAM counter overflow"))?;
        self.last_seen = last;
        self.pos = 0;
        self.len = if to_plain { len } else { 0 };
        self.plaintext_seen += len as u64;
        Ok(Some(len))
    }
}

/// Decrypts `sealed` into the start of `target` as chunk `counter`; the plaintext length, or
/// `None` when the tag does not verify (`sealed` is left as it was, for another try).
fn open(
    aead: &LessSafeKey,
    counter: u64,
    sealed: &[u8],
    target: &mut [u8],
    last: bool,
) -> Option<usize> {
    let work = &mut target[..sealed.len()];
    work.copy_from_slice(sealed);
    open_in_place(aead, counter, work, last)
}

/// Decrypts a sealed chunk where it is; the plaintext length, or `None` when the tag does not
/// verify (ring then wipes the chunk).
fn open_in_place(aead: &LessSafeKey, counter: u64, chunk: &mut [u8], last: bool) -> Option<usize> {
    aead.open_in_place(chunk_nonce(counter, last), Aad::empty(), chunk)
        .ok()
        .map(|p| p.len())
}

fn invalid(what: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what)
}
