//! The workspace's real binaries as processes: where `cargo` put them, and a `kepil-store`
//! that can be started, killed with SIGKILL and started again on the same data directory.
//!
//! `CARGO_BIN_EXE_*` names only a test's own package's binaries, so cross-package scenarios
//! (crates at the top-level `tests/` member) find them next to the test executable, in the
//! target directory's profile folder. `cargo test --workspace` builds every binary before any
//! test runs; for a narrower run, build them first (`scripts/test tests` does).

use std::path::{Path, PathBuf};
use std::process::{Child, Command};

/// The path of the workspace binary `name` (`kepil`, `kepil-store`, `kepil-app`) of the
/// profile this test was built with; fails, naming the build command, when it is not there.
pub fn workspace_bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test's own path");
    // target/<profile>/deps/<test>-<hash> -> target/<profile>/<name>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("a test executable under target/<profile>/deps");
    let path = profile_dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "{} is missing: build it first with `cargo build --bins` (scripts/test does)",
        path.display()
    );
    path
}

/// Creates an uploader token for `user` with the binary's own CLI, as an administrator does.
pub fn store_token(data_dir: &Path, user: &str) -> String {
    let out = Command::new(workspace_bin("kepil-store"))
        .args(["token", "create", "--user", user, "--data-dir"])
        .arg(data_dir)
        .output()
        .expect("kepil-store runs");
    assert!(
        out.status.success(),
        "token create: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Spawns `kepil-store serve` (stdout piped, so the caller's command must not set it) and
/// returns the child with the base URL from its first line, `listening on URL`.
pub fn spawn_serving(
    cmd: &mut std::process::Command,
    log: &std::path::Path,
) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = cmd.stdout(std::process::Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| {
            let log = std::fs::read_to_string(log).unwrap_or_default();
            panic!("the store did not start: first line {line:?}; log: {log}")
        })
        .to_string();
    (child, base)
}

/// A `kepil-store serve` process on a free loopback port.
#[derive(Debug)]
pub struct StoreProcess {
    child: Child,
    pub base: String,
    pub addr: std::net::SocketAddr,
    pub data_dir: PathBuf,
    public_url: Option<String>,
    log: PathBuf,
}

impl StoreProcess {
    /// Serves `data_dir`; `public_url` is what upload URLs name (a proxy in front, say). Its
    /// log is appended to `<data_dir>/../store.log`, kept across restarts.
    pub fn start(data_dir: &Path, public_url: Option<&str>) -> StoreProcess {
        let log = data_dir.with_file_name("store.log");
        let log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap();
        let mut cmd = Command::new(workspace_bin("kepil-store"));
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .env("RUST_LOG", "info")
            .env("KEPIL_STORE_PROOF_RATE_PER_MINUTE", "100000")
            .stderr(log_file);
        if let Some(url) = public_url {
            cmd.env("KEPIL_STORE_PUBLIC_URL", url);
        }
        let (child, base) = spawn_serving(&mut cmd, &log);
        let addr = base
            .strip_prefix("http://")
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("not a loopback http address: {base}"));
        StoreProcess {
            child,
            base,
            addr,
            data_dir: data_dir.to_path_buf(),
            public_url: public_url.map(str::to_string),
            log,
        }
    }

    /// SIGKILL: no shutdown, no flush; only what the store made durable survives.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Starts again on the same data directory (and the same public URL), on a new port.
    pub fn restart(mut self) -> StoreProcess {
        let _ = self.child.kill();
        let _ = self.child.wait();
        StoreProcess::start(&self.data_dir, self.public_url.as_deref())
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for StoreProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
