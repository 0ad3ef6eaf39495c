//! Test harness: a real kepil-store in this process on port 0 (optionally behind a TCP proxy
//! that cuts or throttles connections) and the real `kepil` binary, run as a child process
//! with its own config directory per user.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

// Not every test binary that includes this module uses every helper.
#[allow(unused_imports)]
pub use kepil_test_support::canary::{
    Canary, assert_no_canary, canaries_found, link_secret_canaries, password_canaries, walk,
};
pub use kepil_test_support::proxy::Proxy;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
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
            // This machine's own /etc/kepil/policy.toml stays out of the tests; a test that
            // needs a policy writes this file.
            .env("KEPIL_POLICY_FILE", self.policy_file(user))
            .env("KEPIL_STORE", &self.url)
            .env("KEPIL_TOKEN", &self.token)
            .env("KEPIL_LANG", "en")
            .env("KEPIL_RETRY_BASE_MS", "20")
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        cmd
    }

    /// The system policy `kepil(user)` reads (missing unless a test writes it).
    pub fn policy_file(&self, user: &str) -> PathBuf {
        self.home(user).join("system-policy.toml")
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

/// A kepil run's `--json` answer on stdout.
pub fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {} / stderr: {}",
            text(&out.stdout),
            text(&out.stderr)
        )
    })
}

/// The exit status and the error code of a failed run, from `--json`'s answer or from the
/// `[code]` of the message on stderr.
pub fn error_code(out: &std::process::Output) -> (Option<i32>, String) {
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let code = match json["error"]["code"].as_str() {
        Some(code) => code.to_string(),
        None => {
            let stderr = text(&out.stderr);
            stderr
                .split('[')
                .nth(1)
                .and_then(|rest| rest.split(']').next())
                .unwrap_or(&stderr)
                .to_string()
        }
    };
    (out.status.code(), code)
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
