//! The bounded pipe between the async network side and the blocking decryptor thread.

use std::io::Read;

use bytes::Bytes;
use tokio::sync::mpsc;

/// Chunks in flight between the download and the decryptor: with reqwest's chunks of at most
/// a few hundred KiB this bounds memory to a few MiB whatever the blob size.
pub(crate) const PIPE_DEPTH: usize = 32;

/// A blocking `Read` over chunks sent by an async task. A closed channel is end of file; the
/// sender closes it early only on failure, which the package reader then sees as truncation.
pub(crate) struct ChannelReader {
    rx: mpsc::Receiver<std::io::Result<Bytes>>,
    current: Bytes,
}

impl ChannelReader {
    pub(crate) fn new(rx: mpsc::Receiver<std::io::Result<Bytes>>) -> Self {
        ChannelReader {
            rx,
            current: Bytes::new(),
        }
    }
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(chunk)) => self.current = chunk,
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_across_chunks_and_ends_when_the_sender_closes() {
        let (tx, rx) = mpsc::channel(2);
        let writer = std::thread::spawn(move || {
            for chunk in [&b"abc"[..], b"", b"defgh"] {
                tx.blocking_send(Ok(Bytes::copy_from_slice(chunk))).unwrap();
            }
        });
        let mut out = Vec::new();
        ChannelReader::new(rx).read_to_end(&mut out).unwrap();
        writer.join().unwrap();
        assert_eq!(out, b"abcdefgh");
    }

    #[test]
    fn passes_errors_through() {
        let (tx, rx) = mpsc::channel(2);
        tx.blocking_send(Ok(Bytes::from_static(b"ab"))).unwrap();
        tx.blocking_send(Err(std::io::Error::other("cut"))).unwrap();
        let mut out = Vec::new();
        assert!(ChannelReader::new(rx).read_to_end(&mut out).is_err());
        assert_eq!(out, b"ab");
    }
}
