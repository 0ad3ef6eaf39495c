//! The real `kepil-store` binary: kill -9 mid-upload, SIGTERM, the CLI, and what reaches the
//! logs and the data directory.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use kepil_protocol::{paths, tus};
use kepil_test_support::process::store_token;
use kepil_test_support::store::*;
use reqwest::StatusCode;
use sha2::Digest;

const BIN: &str = env!("CARGO_BIN_EXE_kepil-store");

struct Proc {
    child: Child,
    base: String,
    log: PathBuf,
}

fn spawn(data: &Path, log: &Path) -> Proc {
    let log_file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    let (child, base) = spawn_serving(
        Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data)
            .env("RUST_LOG", "debug")
            // The kill test waits for a checkpoint inside a 20 MiB PATCH.
            .env("KEPIL_STORE_CHECKPOINT_BYTES", (8u64 << 20).to_string())
            .stderr(log_file),
        log,
    );
    Proc {
        child,
        base,
        log: log.to_path_buf(),
    }
}

impl Proc {
    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
    fn signal(&self, sig: &str) {
        // The shell's builtin kill: no extra package, and std can only send SIGKILL.
        let ok = Command::new("sh")
            .args(["-c", &format!("kill {sig} {}", self.child.id())])
            .status()
            .unwrap();
        assert!(ok.success());
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = &self.log;
    }
}

fn blob_path(data: &Path, tid: &str) -> PathBuf {
    data.join("blobs").join(&tid[..2]).join(tid)
}

#[tokio::test]
async fn kill_9_mid_upload_then_resume_to_a_matching_hash() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let log = dir.path().join("store.log");
    let token = store_token(&data_dir, "pengirim@agensi.gov.my");
    let http = reqwest::Client::new();
    let p = spawn(&data_dir, &log);
    let blob = random_bytes(40 << 20);
    let key = random_key();
    let t = remote::create(&http, &p.base, &token, blob.len() as u64, &[key], None).await;
    let tid = t.transfer_id.clone();

    let r = remote::patch(&http, &p.base, &token, &tid, 0)
        .body(blob[..1 << 20].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);

    // A second PATCH sends 20 MiB and then stalls with the request still open.
    let (tx, body) = channel_body();
    let req = remote::patch(&http, &p.base, &token, &tid, 1 << 20)
        .body(body)
        .send();
    let inflight = tokio::spawn(req);
    for chunk in blob[1 << 20..21 << 20].chunks(1 << 20) {
        tx.send(chunk.to_vec()).await.unwrap();
    }
    // Wait until the store has checkpointed at least once inside this PATCH.
    let mut checkpointed = 0;
    for _ in 0..100 {
        checkpointed = remote::offset(&http, &p.base, &token, &tid).await;
        if checkpointed > 1 << 20 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(checkpointed > 1 << 20, "no checkpoint seen");
    let mut p = p;
    p.child.kill().unwrap(); // SIGKILL
    p.child.wait().unwrap();
    drop(tx);
    let _ = inflight.await;
    let on_disk_before = std::fs::metadata(blob_path(&data_dir, &tid)).unwrap().len();
    assert!(on_disk_before >= checkpointed);
    drop(p);

    let p = spawn(&data_dir, &log);
    let offset = remote::offset(&http, &p.base, &token, &tid).await;
    assert!(
        offset >= checkpointed && offset <= 21 << 20,
        "offset {offset}"
    );
    assert_eq!(
        std::fs::metadata(blob_path(&data_dir, &tid)).unwrap().len(),
        offset,
        "the resumable offset equals what is on disk"
    );
    let r = remote::patch(&http, &p.base, &token, &tid, offset)
        .header(tus::KEPIL_BLOB_CRC64, checksum_b64url(&blob))
        .body(blob[offset as usize..].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::NO_CONTENT,
        "{}",
        r.text().await.unwrap()
    );
    let got = remote::download(&http, &p.base, &t.grants[0].grant_id, &key).await;
    assert_eq!(sha2::Sha256::digest(&got), sha2::Sha256::digest(&blob));
}

#[tokio::test]
async fn sigterm_lets_the_upload_in_flight_finish_then_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let log = dir.path().join("store.log");
    let token = store_token(&data_dir, "pengirim@agensi.gov.my");
    let http = reqwest::Client::new();
    let mut p = spawn(&data_dir, &log);
    let blob = random_bytes(2 << 20);
    let key = random_key();
    let t = remote::create(&http, &p.base, &token, blob.len() as u64, &[key], None).await;
    let (tx, body) = channel_body();
    let inflight = tokio::spawn(
        remote::patch(&http, &p.base, &token, &t.transfer_id, 0)
            .header(tus::KEPIL_BLOB_CRC64, checksum_b64url(&blob))
            .body(body)
            .send(),
    );
    tx.send(blob[..1 << 20].to_vec()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    p.signal("-TERM");
    tokio::time::sleep(Duration::from_millis(300)).await;
    tx.send(blob[1 << 20..].to_vec()).await.unwrap();
    drop(tx);
    let r = inflight.await.unwrap().unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let status = tokio::task::spawn_blocking(move || {
        let s = p.child.wait().unwrap();
        drop(p);
        s
    })
    .await
    .unwrap();
    assert!(status.success(), "exit {status:?}");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("kepil-store stopped"), "{text}");

    let p = spawn(&data_dir, &log);
    assert_eq!(
        remote::download(&http, &p.base, &t.grants[0].grant_id, &key).await,
        blob
    );
}

#[test]
fn cli_token_list_and_revoke() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let token = store_token(data, "a@agensi.gov.my");
    assert_eq!(token.len(), 43);
    let out = Command::new(BIN)
        .args(["token", "list", "--data-dir"])
        .arg(data)
        .output()
        .unwrap();
    let list = String::from_utf8(out.stdout).unwrap();
    assert!(list.contains("a@agensi.gov.my") && list.contains("active"));
    assert!(!list.contains(&token), "list never shows tokens");
    let id = list.split('\t').next().unwrap().to_string();
    let out = Command::new(BIN)
        .args(["token", "revoke", &id, "--data-dir"])
        .arg(data)
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = Command::new(BIN)
        .args(["token", "list", "--data-dir"])
        .arg(data)
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stdout).unwrap().contains("revoked"));
    let out = Command::new(BIN)
        .args(["token", "create", "--user", "not an email", "--data-dir"])
        .arg(data)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let out = Command::new(BIN)
        .args(["serve", "--listen", "0.0.0.0:0", "--data-dir"])
        .arg(data)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--behind-proxy"));
}

#[tokio::test]
async fn canary_password_link_secret_and_file_name_never_reach_disk_or_logs() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let log = dir.path().join("store.log");
    let token = store_token(&data_dir, "pengirim@agensi.gov.my");
    let http = reqwest::Client::new();
    let p = spawn(&data_dir, &log);

    // The client never sends the password or the link secret; a careless tus client or a
    // mangled link may, so they are sent below where such clients put them.
    let password = "KANARIKATALALUAN7";
    let link_secret = "CanaryLinkSecretXyz12";
    let file_name = "Kanari_Laporan_Sulit_2026.pdf";
    // What a client derives and sends instead of the password and the link secret.
    let key: [u8; 32] = sha2::Sha256::digest(format!("{password}|{link_secret}")).into();
    let ciphertext = random_bytes(4096);
    let t = remote::create(
        &http,
        &p.base,
        &token,
        ciphertext.len() as u64,
        &[key],
        None,
    )
    .await;
    let grant = t.grants[0].grant_id.clone();

    // A generic tus client announces the file name in its metadata: it must be dropped.
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let r = http
        .post(p.url(paths::UPLOADS))
        .bearer_auth(&token)
        .header(tus::TUS_RESUMABLE, tus::VERSION)
        .header(tus::UPLOAD_LENGTH, ciphertext.len().to_string())
        .header(
            tus::UPLOAD_METADATA,
            format!(
                "transfer {},filename {},password {},crc64nvme {}",
                b64(&t.transfer_id),
                b64(file_name),
                b64(password),
                b64(&checksum_b64url(&ciphertext))
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = remote::patch(&http, &p.base, &token, &t.transfer_id, 0)
        .body(ciphertext.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    // A mail gateway turned '#' into "%23": the secret reaches the store in the path; a
    // careless helper page appended the password as a query. The store sees both, and must
    // keep neither.
    let r = http
        .get(p.url(&format!("/t/{grant}%23{link_secret}?password={password}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let c: kepil_protocol::Challenge = http
        .post(p.url(&paths::challenge(&grant)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mac_text = mac(&key, &c.nonce);
    let r = http
        .post(p.url(&paths::proof(&grant)))
        .json(&kepil_protocol::Proof {
            nonce: c.nonce.clone(),
            mac: mac_text.clone(),
            link_mac: kepil_test_support::store::link_mac(&c.nonce),
        })
        .send()
        .await
        .unwrap();
    let dl: kepil_protocol::DownloadGrant = r.json().await.unwrap();
    let got = http
        .get(p.url(&paths::blob(&grant)))
        .bearer_auth(&dl.download_token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(got.as_ref(), ciphertext.as_slice());
    let r = http
        .get(p.url(&paths::transfer(&t.transfer_id)))
        .bearer_auth(&t.owner_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let mut p = p;
    p.signal("-TERM");
    p.child.wait().unwrap();
    let logs = std::fs::read_to_string(&log).unwrap();
    assert!(
        logs.contains("DEBUG") || logs.contains("debug"),
        "debug logging was on"
    );
    let secrets_everywhere = [password, link_secret, file_name, &b64(file_name)];
    let secrets_in_logs = [
        token.as_str(),
        &t.owner_token,
        &dl.download_token,
        &c.nonce,
        &mac_text,
        &kepil_protocol::b64_encode(&key),
    ];
    for s in secrets_everywhere.iter().chain(secrets_in_logs.iter()) {
        assert!(!logs.contains(s), "log leaks {s}");
    }
    for (path, bytes) in kepil_test_support::canary::files_under(&data_dir) {
        for s in secrets_everywhere.iter().chain(secrets_in_logs.iter()) {
            assert!(
                !bytes.windows(s.len()).any(|w| w == s.as_bytes()),
                "{} holds {s}",
                path.display()
            );
        }
    }
}
