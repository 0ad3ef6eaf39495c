//! The age-decryption layer: the one place that turns age's errors into [`DecryptError`].
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
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use age::stream::StreamReader;

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

/// A buffered reader over the raw input that counts what age consumes, remembers whether the
/// input ended, and bounds the header before age's parser can grow its buffer without limit.
struct Input<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    filled: usize,
    counters: Arc<Counters>,
}

impl<R: Read> Input<R> {
    fn new(inner: R, counters: Arc<Counters>) -> Self {
        Input {
            inner,
            buf: vec![0; INPUT_BUF].into_boxed_slice(),
            pos: 0,
            filled: 0,
            counters,
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
        self.pos += amt;
        self.counters
            .consumed
            .fetch_add(amt as u64, Ordering::Relaxed);
    }
}

/// A decrypting reader over an age file's payload, with errors already mapped to
/// [`DecryptError`]. Created by [`open_age`].
pub struct AgeReader<R: Read> {
    stream: StreamReader<Input<R>>,
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
    let decryptor = age::Decryptor::new_buffered(input).map_err(map)?;
    let header_len = counters.consumed.load(Ordering::Relaxed);
    counters.header_done.store(true, Ordering::Relaxed);
    let stream = decryptor.decrypt(std::iter::once(identity)).map_err(map)?;
    Ok(AgeReader {
        stream,
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
        loop {
            match self.stream.read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.map_stream_error(e)),
            }
        }
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
