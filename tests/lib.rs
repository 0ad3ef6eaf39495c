//! Harness for the cross-process scenarios: users of the `kepil` CLI, each with a home of
//! their own (never the real one, never a keyring), talking to a store by URL; and the app on
//! Tauri's mock runtime ([`app`]).

pub mod app;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use kepil_test_support::process::workspace_bin;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

/// One person using the CLI.
#[derive(Debug)]
pub struct CliUser {
    pub home: PathBuf,
    store: String,
    token: String,
}

impl CliUser {
    /// A user whose home is `<root>/<name>`, sending to `store` with uploader `token`.
    pub fn new(root: &Path, name: &str, store: &str, token: &str) -> CliUser {
        let home = root.join(name);
        std::fs::create_dir_all(&home).unwrap();
        CliUser {
            home,
            store: store.to_string(),
            token: token.to_string(),
        }
    }

    /// `kepil` with this user's environment and nothing inherited but PATH.
    pub fn kepil(&self) -> Command {
        let mut cmd = Command::new(workspace_bin("kepil"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("KEPIL_CONFIG_DIR", &self.home)
            .env("KEPIL_NO_KEYRING", "1")
            .env("KEPIL_STORE", &self.store)
            .env("KEPIL_TOKEN", &self.token)
            .env("KEPIL_LANG", "en")
            // Retries wait 0.1 s, 0.2 s, ... 6.4 s: about 19 s in all before a send gives up.
            .env("KEPIL_RETRY_BASE_MS", "100")
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        cmd
    }

    /// `kepil receive LINK --yes --json --password-stdin -o DIR`.
    pub async fn receive(&self, link: &str, password: &str, out_dir: &Path) -> Output {
        let mut cmd = self.kepil();
        cmd.args([
            "receive",
            link,
            "--yes",
            "--json",
            "--password-stdin",
            "--output",
        ])
        .arg(out_dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().expect("kepil runs");
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(format!("{password}\n").as_bytes())
            .await
            .unwrap();
        drop(stdin);
        finish(child).await
    }
}

/// Waits for a child started with piped output, at most five minutes.
pub async fn finish(child: tokio::process::Child) -> Output {
    tokio::time::timeout(Duration::from_secs(300), child.wait_with_output())
        .await
        .expect("kepil timed out")
        .expect("kepil output")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn sha256_file(path: &Path) -> [u8; 32] {
    Sha256::digest(std::fs::read(path).unwrap()).into()
}

/// `len` bytes that do not repeat (so a misplaced chunk cannot go unnoticed).
pub fn write_file(path: &Path, len: usize, seed: u64) {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    std::fs::write(path, out).unwrap();
}
