//! A real ClamAV daemon (Debian's `clamav-daemon`) on a Unix socket and a loopback TCP port of
//! its own, with a signature database the fixture writes: no freshclam, no network. It knows
//! two signatures: the EICAR test string, and a marker of this project's that no real file
//! carries ([`MARKER`]).

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The EICAR anti-virus test file (68 bytes), which every engine reports.
pub const EICAR: &[u8] = br"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
/// What the fixture's engine calls a stream holding [`EICAR`].
pub const EICAR_SIGNATURE: &str = "Kepil.Test.Eicar.UNOFFICIAL";
/// Bytes that only this project's signature matches, anywhere in a stream.
pub const MARKER: &[u8] = b"KEPIL-TEST-MALWARE-MARKER-7f3a";
/// What the fixture's engine calls a stream holding [`MARKER`].
pub const MARKER_SIGNATURE: &str = "Kepil.Test.Marker.UNOFFICIAL";

const CLAMD: &str = "/usr/sbin/clamd";

/// A running clamd; dropping it stops the process.
#[derive(Debug)]
pub struct Clamd {
    child: Option<Child>,
    dir: tempfile::TempDir,
    tcp_port: u16,
}

impl Clamd {
    /// Starts clamd and waits (at most a minute) until it answers PING. It takes streams up to
    /// 2000 MB, so a 1 GiB file is scanned whole.
    pub fn start() -> Clamd {
        Clamd::start_with_limit("2000M")
    }

    /// As [`Clamd::start`], refusing streams longer than `stream_max` (clamd.conf's syntax:
    /// `1M`, `500K`).
    pub fn start_with_limit(stream_max: &str) -> Clamd {
        assert!(
            Path::new(CLAMD).is_file(),
            "{CLAMD} is missing: install Debian's clamav-daemon (scripts/setup does)"
        );
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        std::fs::create_dir_all(&db).unwrap();
        std::fs::write(
            db.join("kepil-test.ndb"),
            format!(
                "Kepil.Test.Eicar:0:*:{}\nKepil.Test.Marker:0:*:{}\n",
                hex(EICAR),
                hex(MARKER)
            ),
        )
        .unwrap();
        let tcp_port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let root = dir.path().display();
        std::fs::write(
            dir.path().join("clamd.conf"),
            format!(
                "Foreground yes\nLocalSocket {root}/clamd.sock\nTCPSocket {tcp_port}\n\
                 TCPAddr 127.0.0.1\nDatabaseDirectory {root}/db\nLogFile {root}/clamd.log\n\
                 LogTime yes\nPidFile {root}/clamd.pid\nTemporaryDirectory {root}\n\
                 StreamMaxLength {stream_max}\nMaxFileSize 2000M\nMaxScanSize 2000M\n\
                 SelfCheck 3600\nLogClean yes\nAlertExceedsMax yes\n"
            ),
        )
        .unwrap();
        let mut clamd = Clamd {
            child: None,
            dir,
            tcp_port,
        };
        clamd.spawn();
        clamd
    }

    fn spawn(&mut self) {
        let child = Command::new(CLAMD)
            .arg("-c")
            .arg(self.dir.path().join("clamd.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {CLAMD}: {e}"));
        self.child = Some(child);
        let start = Instant::now();
        while !self.answers_ping() {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!("clamd exited ({status}): {}", self.log());
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "clamd did not answer within a minute: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn answers_ping(&self) -> bool {
        let Ok(mut s) = UnixStream::connect(self.socket()) else {
            return false;
        };
        let mut answer = Vec::new();
        s.write_all(b"zPING\0").is_ok() && s.read_to_end(&mut answer).is_ok() && answer == b"PONG\0"
    }

    /// Its Unix socket.
    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("clamd.sock")
    }

    /// `unix:<socket>`, as Kepil's policy names it.
    pub fn unix_address(&self) -> String {
        format!("unix:{}", self.socket().display())
    }

    /// `tcp://127.0.0.1:<port>`.
    pub fn tcp_address(&self) -> String {
        format!("tcp://127.0.0.1:{}", self.tcp_port)
    }

    /// Stops it (SIGKILL): its socket file stays, nobody answers.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again after [`Clamd::stop`].
    pub fn restart(&mut self) {
        self.stop();
        let _ = std::fs::remove_file(self.socket());
        self.spawn();
    }

    /// What clamd logged: each stream it scanned and what it found.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("clamd.log")).unwrap_or_default()
    }
}

impl Drop for Clamd {
    fn drop(&mut self) {
        self.stop();
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
