//! ClamAV's daemon, clamd, through its INSTREAM command: `zINSTREAM\0`, then chunks each
//! prefixed by their length (u32, big-endian), a zero length to end, and one NUL-terminated
//! answer (`stream: OK`, `stream: <signature> FOUND`, `... ERROR`). Spoken here directly
//! rather than through the `clamav-client` crate, whose calls each take the whole stream as a
//! reader: Kepil pushes the chunks it already reads for encryption, so a file is read once.

use std::io::{BufRead, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
#[cfg(unix)]
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::Duration;

use super::{EngineInfo, ScanSession, Scanner, Verdict};
use crate::error::ScanError;

/// Largest chunk sent in one length-prefixed piece; clamd accepts any size up to its own
/// StreamMaxLength, this keeps each write short enough to notice a closed socket early.
const CHUNK: usize = 1 << 20;
/// Longest answer read from clamd: its answers are one line.
const MAX_ANSWER: u64 = 4096;

/// Where clamd listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClamdAddress {
    /// Its `LocalSocket`, e.g. `/run/clamav/clamd.ctl` (Debian's).
    Unix(PathBuf),
    /// Its `TCPSocket`, as `host:port`.
    Tcp(String),
}

impl ClamdAddress {
    /// `unix:/run/clamav/clamd.ctl` or a path starting with `/`; `tcp://host:port` or
    /// `host:port`.
    pub fn parse(text: &str) -> Result<ClamdAddress, ScanError> {
        let text = text.trim();
        let bad = || ScanError::BadAddress {
            address: text.to_string(),
        };
        if let Some(path) = text.strip_prefix("unix:") {
            let path = path.trim_start_matches("//");
            return if path.starts_with('/') {
                Ok(ClamdAddress::Unix(PathBuf::from(path)))
            } else {
                Err(bad())
            };
        }
        if text.starts_with('/') {
            return Ok(ClamdAddress::Unix(PathBuf::from(text)));
        }
        let hostport = text.strip_prefix("tcp://").unwrap_or(text);
        match hostport.rsplit_once(':') {
            Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0) => {
                Ok(ClamdAddress::Tcp(hostport.to_string()))
            }
            _ => Err(bad()),
        }
    }
}

impl std::fmt::Display for ClamdAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClamdAddress::Unix(p) => write!(f, "unix:{}", p.display()),
            ClamdAddress::Tcp(a) => write!(f, "tcp://{a}"),
        }
    }
}

/// A clamd reached at `address`.
#[derive(Debug, Clone)]
pub struct Clamd {
    pub address: ClamdAddress,
    /// To connect, and for each write of a chunk.
    pub io_timeout: Duration,
    /// From the end of the stream to the verdict: clamd scans only once it has it all.
    pub verdict_timeout: Duration,
}

impl Clamd {
    pub fn new(address: ClamdAddress) -> Clamd {
        Clamd {
            address,
            io_timeout: Duration::from_secs(10),
            verdict_timeout: Duration::from_secs(300),
        }
    }

    fn connect(&self) -> Result<Connection, ScanError> {
        let unreachable = |e: std::io::Error| ScanError::Unreachable {
            address: self.address.to_string(),
            reason: e.to_string(),
        };
        let connection = match &self.address {
            #[cfg(unix)]
            ClamdAddress::Unix(path) => {
                Connection::Unix(UnixStream::connect(path).map_err(unreachable)?)
            }
            #[cfg(not(unix))]
            ClamdAddress::Unix(_) => {
                return Err(unreachable(std::io::Error::other(
                    "Unix sockets are not available on this system",
                )));
            }
            ClamdAddress::Tcp(hostport) => {
                Connection::Tcp(connect_tcp(hostport, self.io_timeout).map_err(unreachable)?)
            }
        };
        connection
            .set_timeouts(self.io_timeout)
            .map_err(unreachable)?;
        Ok(connection)
    }

    fn failed(&self, e: std::io::Error) -> ScanError {
        ScanError::Failed {
            address: self.address.to_string(),
            reason: e.to_string(),
        }
    }
}

impl Scanner for Clamd {
    fn engine(&self) -> Result<EngineInfo, ScanError> {
        let mut c = self.connect()?;
        c.write_all(b"zVERSION\0").map_err(|e| self.failed(e))?;
        let answer = read_answer(&mut c).map_err(|e| self.failed(e))?;
        parse_version(&answer)
    }

    fn start(&self, name: &str) -> Result<Box<dyn ScanSession>, ScanError> {
        let mut c = self.connect()?;
        c.write_all(b"zINSTREAM\0").map_err(|e| self.failed(e))?;
        Ok(Box::new(Instream {
            clamd: self.clone(),
            connection: c,
            name: name.to_string(),
        }))
    }
}

struct Instream {
    clamd: Clamd,
    connection: Connection,
    name: String,
}

impl Instream {
    /// A write failed: clamd may have closed the stream with a reason (its size limit); that
    /// reason is the better error.
    fn write_failed(&mut self, e: std::io::Error) -> ScanError {
        match read_answer(&mut self.connection) {
            Ok(answer) if !answer.is_empty() => self.answer_error(&answer),
            _ => self.clamd.failed(e),
        }
    }

    /// clamd ends its own errors with `ERROR`; anything else is not clamd talking.
    fn answer_error(&self, answer: &str) -> ScanError {
        if answer.contains("size limit exceeded") {
            ScanError::TooLarge {
                name: self.name.clone(),
            }
        } else if answer.ends_with("ERROR") {
            ScanError::Engine {
                reason: answer.to_string(),
            }
        } else {
            ScanError::Protocol {
                answer: answer.to_string(),
            }
        }
    }
}

impl ScanSession for Instream {
    fn write(&mut self, bytes: &[u8]) -> Result<(), ScanError> {
        for chunk in bytes.chunks(CHUNK) {
            let len = (chunk.len() as u32).to_be_bytes();
            if let Err(e) = self
                .connection
                .write_all(&len)
                .and_then(|()| self.connection.write_all(chunk))
            {
                return Err(self.write_failed(e));
            }
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<Verdict, ScanError> {
        if let Err(e) = self.connection.write_all(&[0; 4]) {
            return Err(self.write_failed(e));
        }
        self.connection
            .set_read_timeout(self.clamd.verdict_timeout)
            .map_err(|e| self.clamd.failed(e))?;
        let answer = read_answer(&mut self.connection).map_err(|e| self.clamd.failed(e))?;
        match parse_verdict(&answer) {
            Some(verdict) => Ok(verdict),
            None => Err(self.answer_error(&answer)),
        }
    }
}

/// `stream: OK` or `stream: <signature> FOUND` (clamd may also name the stream `1: stream`).
fn parse_verdict(answer: &str) -> Option<Verdict> {
    let (_, rest) = answer.rsplit_once("stream: ")?;
    if rest == "OK" {
        return Some(Verdict::Clean);
    }
    let signature = rest.strip_suffix(" FOUND")?.trim();
    (!signature.is_empty()).then(|| Verdict::Infected {
        signature: signature.to_string(),
    })
}

/// `ClamAV 1.4.6/27480/Tue Dec  1 09:24:02 2026`, or `ClamAV 1.4.6` alone when the loaded
/// databases carry no version (an agency's own signatures).
fn parse_version(answer: &str) -> Result<EngineInfo, ScanError> {
    let mut parts = answer.splitn(3, '/');
    let engine = parts.next().unwrap_or_default().trim();
    if !engine.starts_with("ClamAV ") {
        return Err(ScanError::Protocol {
            answer: answer.to_string(),
        });
    }
    let signatures = parts.next().and_then(|v| v.trim().parse().ok());
    let signatures_date = parts.next().and_then(parse_ctime);
    Ok(EngineInfo {
        engine: engine.to_string(),
        signatures,
        signatures_date,
    })
}

/// `Tue Dec  1 09:24:02 2026` (C's ctime, in UTC as clamd writes it).
fn parse_ctime(text: &str) -> Option<time::OffsetDateTime> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let [_, month, day, clock, year] = words.as_slice() else {
        return None;
    };
    let month = match *month {
        "Jan" => time::Month::January,
        "Feb" => time::Month::February,
        "Mar" => time::Month::March,
        "Apr" => time::Month::April,
        "May" => time::Month::May,
        "Jun" => time::Month::June,
        "Jul" => time::Month::July,
        "Aug" => time::Month::August,
        "Sep" => time::Month::September,
        "Oct" => time::Month::October,
        "Nov" => time::Month::November,
        "Dec" => time::Month::December,
        _ => return None,
    };
    let mut hms = clock.split(':').map(|n| n.parse::<u8>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    let date = time::Date::from_calendar_date(year.parse().ok()?, month, day.parse().ok()?).ok()?;
    let clock = time::Time::from_hms(h, m, s).ok()?;
    Some(time::PrimitiveDateTime::new(date, clock).assume_utc())
}

/// The first of `hostport`'s addresses that accepts within `timeout`, else the last refusal.
fn connect_tcp(hostport: &str, timeout: Duration) -> std::io::Result<TcpStream> {
    let mut last = std::io::Error::other("the name has no address");
    for addr in hostport.to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(stream) => return Ok(stream),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// One NUL- or EOF-terminated answer, at most [`MAX_ANSWER`] bytes, trimmed.
fn read_answer(c: &mut Connection) -> std::io::Result<String> {
    let mut bytes = Vec::new();
    std::io::BufReader::new(c.take(MAX_ANSWER)).read_until(0, &mut bytes)?;
    if bytes.last() == Some(&0) {
        bytes.pop();
    }
    Ok(String::from_utf8_lossy(&bytes).trim().to_string())
}

enum Connection {
    #[cfg(unix)]
    Unix(UnixStream),
    Tcp(TcpStream),
}

impl Connection {
    fn set_timeouts(&self, timeout: Duration) -> std::io::Result<()> {
        self.set_read_timeout(timeout)?;
        match self {
            #[cfg(unix)]
            Connection::Unix(s) => s.set_write_timeout(Some(timeout)),
            Connection::Tcp(s) => s.set_write_timeout(Some(timeout)),
        }
    }

    fn set_read_timeout(&self, timeout: Duration) -> std::io::Result<()> {
        match self {
            #[cfg(unix)]
            Connection::Unix(s) => s.set_read_timeout(Some(timeout)),
            Connection::Tcp(s) => s.set_read_timeout(Some(timeout)),
        }
    }
}

impl Read for Connection {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            #[cfg(unix)]
            Connection::Unix(s) => s.read(buf),
            Connection::Tcp(s) => s.read(buf),
        }
    }
}

impl Write for Connection {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            #[cfg(unix)]
            Connection::Unix(s) => s.write(buf),
            Connection::Tcp(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            #[cfg(unix)]
            Connection::Unix(s) => s.flush(),
            Connection::Tcp(s) => s.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(
            ClamdAddress::parse("unix:/run/clamav/clamd.ctl").unwrap(),
            ClamdAddress::Unix("/run/clamav/clamd.ctl".into())
        );
        assert_eq!(
            ClamdAddress::parse("/run/clamav/clamd.ctl").unwrap(),
            ClamdAddress::Unix("/run/clamav/clamd.ctl".into())
        );
        assert_eq!(
            ClamdAddress::parse("tcp://10.0.0.5:3310").unwrap(),
            ClamdAddress::Tcp("10.0.0.5:3310".into())
        );
        assert_eq!(
            ClamdAddress::parse("localhost:3310").unwrap(),
            ClamdAddress::Tcp("localhost:3310".into())
        );
        for bad in [
            "",
            "unix:relative",
            "clamd",
            "host:0",
            "host:99999",
            ":3310",
        ] {
            assert!(ClamdAddress::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn verdicts() {
        assert_eq!(parse_verdict("stream: OK"), Some(Verdict::Clean));
        assert_eq!(
            parse_verdict("stream: Win.Test.EICAR_HDB-1 FOUND"),
            Some(Verdict::Infected {
                signature: "Win.Test.EICAR_HDB-1".into()
            })
        );
        assert_eq!(
            parse_verdict("1: stream: Kepil.Test.Marker.UNOFFICIAL FOUND"),
            Some(Verdict::Infected {
                signature: "Kepil.Test.Marker.UNOFFICIAL".into()
            })
        );
        assert_eq!(parse_verdict("INSTREAM size limit exceeded. ERROR"), None);
        assert_eq!(parse_verdict("stream:  FOUND"), None);
    }

    #[test]
    fn versions() {
        let v = parse_version("ClamAV 1.4.6/27480/Tue Dec  1 09:24:02 2026").unwrap();
        assert_eq!(v.engine, "ClamAV 1.4.6");
        assert_eq!(v.signatures, Some(27480));
        assert_eq!(
            v.signatures_date.unwrap().to_string(),
            "2026-12-01 9:24:02.0 +00:00:00"
        );
        let v = parse_version("ClamAV 1.4.6").unwrap();
        assert_eq!((v.signatures, v.signatures_date), (None, None));
        assert!(parse_version("HTTP/1.1 400 Bad Request").is_err());
    }
}
