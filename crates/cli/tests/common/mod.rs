//! Test harness: a real kepil-store in this process on port 0 (optionally behind a TCP proxy
//! that cuts or throttles connections) and the real `kepil` binary, run as a child process
//! with its own config directory per user.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::Command;

pub const KEPIL: &str = env!("CARGO_BIN_EXE_kepil");

pub struct Env {
    pub tmp: tempfile::TempDir,
    pub store: Option<kepil_store::RunningServer>,
    /// What the kepil users are told the store is (the proxy when there is one).
    pub url: String,
    pub token: String,
    pub data_dir: PathBuf,
    pub proxy: Option<Proxy>,
}

/// Changes to the store's configuration before it starts.
pub type Configure = Box<dyn FnOnce(&mut kepil_store::Config) + Send>;

#[derive(Default)]
pub struct EnvOptions {
    pub proxy: bool,
    pub configure: Option<Configure>,
}

impl Env {
    pub async fn start() -> Env {
        Env::start_with(EnvOptions::default()).await
    }

    pub async fn start_with(options: EnvOptions) -> Env {
        let tmp = tempfile::tempdir().unwrap();
        let data_dir = tmp.path().join("store-data");
        let mut config = kepil_store::Config::for_data_dir(&data_dir);
        // Each test has its own store, so the per-address limit only has to allow one test.
        config.proof_rate_per_minute = 1000;
        let proxy = if options.proxy {
            Some(Proxy::bind().await)
        } else {
            None
        };
        if let Some(p) = &proxy {
            config.public_url = Some(p.url());
        }
        if let Some(configure) = options.configure {
            configure(&mut config);
        }
        let token = kepil_store::admin::create_token(&config, "pengirim@agensi.gov.my")
            .await
            .unwrap();
        let store = kepil_store::Server::bind(config).await.unwrap();
        let url = match &proxy {
            Some(p) => {
                p.set_upstream(store.local_addr());
                p.url()
            }
            None => store.base_url().to_string(),
        };
        Env {
            tmp,
            store: Some(store),
            url,
            token,
            data_dir,
            proxy,
        }
    }

    pub fn store(&self) -> &kepil_store::RunningServer {
        self.store.as_ref().unwrap()
    }

    /// A user's home for kepil (config, credentials file, spool, history).
    pub fn home(&self, name: &str) -> PathBuf {
        let dir = self.tmp.path().join("homes").join(name);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    pub fn kepil(&self, user: &str) -> Command {
        let mut cmd = Command::new(KEPIL);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home(user))
            .env("KEPIL_CONFIG_DIR", self.home(user))
            .env("KEPIL_NO_KEYRING", "1")
            .env("KEPIL_STORE", &self.url)
            .env("KEPIL_TOKEN", &self.token)
            .env("KEPIL_LANG", "en")
            .env("KEPIL_RETRY_BASE_MS", "20")
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        cmd
    }

    /// `program` (a wrapper such as setsid or script, given kepil's path) with the
    /// environment `kepil(user)` gets.
    pub fn wrapped(&self, user: &str, program: &str) -> Command {
        let base = self.kepil(user);
        let mut cmd = Command::new(program);
        cmd.env_clear();
        for (key, value) in base.as_std().get_envs() {
            if let Some(value) = value {
                cmd.env(key, value);
            }
        }
        cmd.stdin(std::process::Stdio::null()).kill_on_drop(true);
        cmd
    }

    pub fn dir(&self, name: &str) -> PathBuf {
        let dir = self.tmp.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// `kepil send ... --json` as "sender"; panics with stderr on failure.
    pub async fn send(&self, args: &[&str]) -> Value {
        let out = run(self.kepil("sender").arg("send").args(args).arg("--json")).await;
        assert!(out.status.success(), "send failed: {}", text(&out.stderr));
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("send stdout not JSON ({e}): {}", text(&out.stdout)))
    }

    /// `kepil receive LINK --yes --json --password-stdin -o DIR` as `user`.
    pub async fn receive(&self, user: &str, link: &str, password: &str, out_dir: &Path) -> Output {
        run_with_stdin(
            self.kepil(user)
                .arg("receive")
                .arg(link)
                .arg("--yes")
                .arg("--json")
                .arg("--password-stdin")
                .arg("--output")
                .arg(out_dir),
            format!("{password}\n"),
        )
        .await
    }

    /// Every file of the store's data directory.
    pub fn store_files(&self) -> Vec<PathBuf> {
        walk(&self.data_dir)
    }

    /// The only blob file of the given length in the store's data directory.
    pub fn blob_of_size(&self, size: u64) -> PathBuf {
        let found: Vec<_> = self
            .store_files()
            .into_iter()
            .filter(|p| {
                std::fs::metadata(p)
                    .map(|m| m.len() == size)
                    .unwrap_or(false)
            })
            .collect();
        assert_eq!(found.len(), 1, "blobs of {size} bytes: {found:?}");
        found.into_iter().next().unwrap()
    }
}

pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

pub async fn run(cmd: &mut Command) -> Output {
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    tokio::time::timeout(Duration::from_secs(300), cmd.output())
        .await
        .expect("kepil timed out")
        .expect("kepil runs")
}

pub async fn run_with_stdin(cmd: &mut Command, input: String) -> Output {
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("kepil runs");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).await.unwrap();
    drop(stdin);
    tokio::time::timeout(Duration::from_secs(300), child.wait_with_output())
        .await
        .expect("kepil timed out")
        .expect("kepil output")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn sha256_file(path: &Path) -> [u8; 32] {
    let mut file = std::fs::File::open(path).unwrap();
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).unwrap();
    hasher.finalize().into()
}

/// Deterministic, incompressible-looking content.
pub fn write_file(path: &Path, len: usize, seed: u8) {
    use std::io::Write;
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15 ^ seed as u64;
    let mut block = vec![0u8; 1 << 16];
    let mut left = len;
    while left > 0 {
        for b in block.iter_mut() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            *b = state as u8;
        }
        let n = left.min(block.len());
        file.write_all(&block[..n]).unwrap();
        left -= n;
    }
    file.flush().unwrap();
}

pub fn recipient(sent: &Value, i: usize) -> (&str, &str) {
    let r = &sent["recipients"][i];
    (r["link"].as_str().unwrap(), r["password"].as_str().unwrap())
}

/// A loopback TCP proxy between kepil and the store. It counts bytes each way, can cut the
/// connection carrying a given cumulative byte (client→store or store→client), and can
/// throttle client→store traffic.
#[derive(Clone)]
pub struct Proxy {
    addr: std::net::SocketAddr,
    upstream: Arc<std::sync::Mutex<Option<std::net::SocketAddr>>>,
    pub up_bytes: Arc<AtomicU64>,
    pub down_bytes: Arc<AtomicU64>,
    up_cuts: Arc<std::sync::Mutex<Vec<u64>>>,
    down_cuts: Arc<std::sync::Mutex<Vec<u64>>>,
    /// Bytes per second client→store; 0 = unthrottled.
    pub up_rate: Arc<AtomicU64>,
    pub cuts_done: Arc<AtomicU64>,
    closed: Arc<AtomicBool>,
}

impl Proxy {
    pub async fn bind() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy = Proxy {
            addr: listener.local_addr().unwrap(),
            upstream: Default::default(),
            up_bytes: Default::default(),
            down_bytes: Default::default(),
            up_cuts: Default::default(),
            down_cuts: Default::default(),
            up_rate: Default::default(),
            cuts_done: Default::default(),
            closed: Default::default(),
        };
        let p = proxy.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let p = p.clone();
                tokio::spawn(async move { p.serve(client).await });
            }
        });
        proxy
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set_upstream(&self, addr: std::net::SocketAddr) {
        *self.upstream.lock().unwrap() = Some(addr);
    }

    /// Cut the connection that carries these cumulative client→store byte counts.
    pub fn cut_up_at(&self, points: &[u64]) {
        let mut cuts = self.up_cuts.lock().unwrap();
        cuts.extend_from_slice(points);
        cuts.sort_unstable();
    }

    pub fn cut_down_at(&self, points: &[u64]) {
        let mut cuts = self.down_cuts.lock().unwrap();
        cuts.extend_from_slice(points);
        cuts.sort_unstable();
    }

    async fn serve(&self, client: TcpStream) {
        let Some(upstream) = *self.upstream.lock().unwrap() else {
            return;
        };
        let Ok(server) = TcpStream::connect(upstream).await else {
            return;
        };
        let (mut cr, mut cw) = client.into_split();
        let (mut sr, mut sw) = server.into_split();
        let up = {
            let p = self.clone();
            async move {
                let mut buf = vec![0u8; 16 * 1024];
                loop {
                    let n = match cr.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    let rate = p.up_rate.load(Ordering::Relaxed);
                    if rate > 0 {
                        tokio::time::sleep(Duration::from_secs_f64(n as f64 / rate as f64)).await;
                    }
                    let before = p.up_bytes.fetch_add(n as u64, Ordering::SeqCst);
                    if p.should_cut(&p.up_cuts, before, n) {
                        // Deliver part of the buffer, then drop: the store sees a short body.
                        let _ = sw.write_all(&buf[..n / 2]).await;
                        break;
                    }
                    if sw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
                let _ = sw.shutdown().await;
            }
        };
        let down = {
            let p = self.clone();
            async move {
                let mut buf = vec![0u8; 16 * 1024];
                loop {
                    let n = match sr.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    let before = p.down_bytes.fetch_add(n as u64, Ordering::SeqCst);
                    if p.should_cut(&p.down_cuts, before, n) {
                        let _ = cw.write_all(&buf[..n / 2]).await;
                        break;
                    }
                    if cw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
                let _ = cw.shutdown().await;
            }
        };
        // Either direction ending (or being cut) ends the whole connection.
        tokio::select! {
            _ = up => {},
            _ = down => {},
        }
    }

    fn should_cut(&self, cuts: &std::sync::Mutex<Vec<u64>>, before: u64, n: usize) -> bool {
        let mut cuts = cuts.lock().unwrap();
        if let Some(&first) = cuts.first()
            && first < before + n as u64
        {
            cuts.remove(0);
            self.cuts_done.fetch_add(1, Ordering::SeqCst);
            return true;
        }
        false
    }
}

/// One way a secret could have been written down; `ignore_case` for text forms, since a
/// leak in lower case is still a leak.
#[derive(Debug, Clone)]
pub struct Canary {
    pub label: String,
    pub bytes: Vec<u8>,
    pub ignore_case: bool,
}

/// A recipient's password in every form Kepil could write it: as shown
/// (`XXXX-XXXX-XXXX-XXXX`), the 16 canonical symbols, and spaced as dictated.
pub fn password_canaries(password: &str) -> Vec<Canary> {
    let grouped = kepil_core::password::Password::parse(password)
        .unwrap_or_else(|e| panic!("not a password {password:?}: {e}"))
        .expose()
        .to_string();
    let canonical = grouped.replace('-', "");
    assert_eq!(canonical.len(), 16, "{grouped}");
    let spaced = grouped.replace('-', " ");
    [
        ("grouped", grouped),
        ("canonical", canonical),
        ("spaced", spaced),
    ]
    .into_iter()
    .map(|(form, text)| Canary {
        label: format!("password {form} {text}"),
        bytes: text.into_bytes(),
        ignore_case: true,
    })
    .collect()
}

/// A link's secret (its fragment) as base64url text, as raw bytes and as hex.
pub fn link_secret_canaries(link: &str) -> Vec<Canary> {
    let parsed =
        kepil_core::link::Link::parse(link).unwrap_or_else(|e| panic!("not a link {link:?}: {e}"));
    let raw = parsed.secret.expose_bytes().to_vec();
    let text = kepil_protocol::b64_encode(&raw);
    assert!(link.contains(&text), "{link} does not carry {text}");
    let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    vec![
        Canary {
            label: format!("link secret {text}"),
            bytes: text.into_bytes(),
            ignore_case: false,
        },
        Canary {
            label: format!("link secret as hex {hex}"),
            bytes: hex.into_bytes(),
            ignore_case: true,
        },
        Canary {
            label: "link secret as raw bytes".into(),
            bytes: raw,
            ignore_case: false,
        },
    ]
}

/// The passwords and link secrets of every recipient of a `send --json` answer.
pub fn sent_canaries(sent: &Value) -> Vec<Canary> {
    let mut out = vec![];
    for r in sent["recipients"].as_array().expect("recipients") {
        out.extend(link_secret_canaries(r["link"].as_str().unwrap()));
        if let Some(pw) = r["password"].as_str() {
            out.extend(password_canaries(pw));
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8], ignore_case: bool) -> bool {
    !needle.is_empty()
        && haystack.windows(needle.len()).any(|w| {
            if ignore_case {
                w.eq_ignore_ascii_case(needle)
            } else {
                w == needle
            }
        })
}

/// Every (canary, file) pair where a file under `root` (recursively: config, data, cache,
/// state, keyring files, SQLite -wal/-shm) holds the canary.
pub fn canaries_found(root: &Path, canaries: &[Canary]) -> Vec<String> {
    assert!(!canaries.is_empty(), "no canary to look for");
    let mut found = vec![];
    for file in walk(root) {
        // A file that vanished between the listing and the read cannot hold anything.
        let Ok(bytes) = std::fs::read(&file) else {
            continue;
        };
        for c in canaries {
            if contains(&bytes, &c.bytes, c.ignore_case) {
                found.push(format!("{} in {}", c.label, file.display()));
            }
        }
    }
    found
}

pub fn assert_no_canary(root: &Path, canaries: &[Canary], when: &str) {
    let files = walk(root);
    assert!(
        !files.is_empty(),
        "{when}: nothing under {}",
        root.display()
    );
    let found = canaries_found(root, canaries);
    assert!(found.is_empty(), "{when}: secrets left on disk: {found:#?}");
}

impl Env {
    /// Every user's home (HOME and KEPIL_CONFIG_DIR: config, data, cache, spool, credentials).
    pub fn homes(&self) -> PathBuf {
        self.tmp.path().join("homes")
    }

    /// The links, passwords and key of an unfinished send, as the sender keeps them for
    /// `--resume` (the credentials file: these tests run with KEPIL_NO_KEYRING).
    pub fn pending_of(&self, user: &str, transfer_id: &str) -> Option<Value> {
        let dirs = kepil_client::settings::Dirs::under(&self.home(user));
        let store = kepil_client::secrets::SecretStore::file_only(&dirs);
        let text = store.get(&format!("pending:{transfer_id}")).unwrap()?;
        Some(serde_json::from_str(text.expose()).unwrap())
    }

    /// The one unfinished send of `user`, from its journal's name.
    pub fn pending_transfer_id(&self, user: &str) -> String {
        let journals: Vec<String> = walk(&self.home(user).join("cache").join("spool"))
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(journals.len(), 1, "journals: {journals:?}");
        journals.into_iter().next().unwrap()
    }
}
