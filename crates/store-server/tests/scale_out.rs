//! Two real `kepil-store` processes sharing one PostgreSQL and one SeaweedFS (S3), as
//! several instances behind a load balancer would: an upload started on one is resumed on the
//! other, downloads work through both, counting and lockout are exact across them, and an
//! instance killed mid-upload leaves an upload the other one finishes.

use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::Duration;

use kepil_protocol::{ErrorCode, tus};
use kepil_test_support::postgres::Postgres;
use kepil_test_support::seaweed::Seaweed;
use kepil_test_support::store::*;
use reqwest::StatusCode;
use sha2::Digest;

const BIN: &str = env!("CARGO_BIN_EXE_kepil-store");

/// PostgreSQL, SeaweedFS, one config file and master key shared by every instance.
struct Cluster {
    // Held so the servers live as long as the cluster; instances are dropped by each test
    // before the cluster.
    _pg: Postgres,
    s3: Seaweed,
    dir: tempfile::TempDir,
    config: PathBuf,
    token: String,
}

struct Instance {
    child: Child,
    base: String,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Cluster {
    async fn start() -> Cluster {
        let pg = Postgres::start();
        let s3 = Seaweed::start().await;
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("master.key");
        std::fs::write(&key, "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let config = dir.path().join("store.toml");
        std::fs::write(
            &config,
            format!(
                "master_key_file = {key:?}\n\
                 metadata = {metadata:?}\n\
                 blobs = {blobs:?}\n\
                 proof_rate_per_minute = 100000\n\
                 lockout_threshold = 4\n\
                 checkpoint_bytes = 8388608\n\
                 [s3]\n\
                 endpoint = {endpoint:?}\n\
                 region = \"us-east-1\"\n\
                 path_style = true\n\
                 allow_http = true\n",
                key = key.display().to_string(),
                metadata = pg.url(),
                blobs = s3.blobs_url("scale-out"),
                endpoint = s3.endpoint(),
            ),
        )
        .unwrap();
        let cluster = Cluster {
            _pg: pg,
            s3,
            dir,
            config,
            token: String::new(),
        };
        cluster.run_ok(&["migrate"]);
        let token = cluster.run_ok(&["token", "create", "--user", "pengirim@agensi.gov.my"]);
        Cluster {
            token: token.trim().to_string(),
            ..cluster
        }
    }

    /// The credentials come from the standard AWS variables, as a deployment would pass them.
    fn command(&self) -> Command {
        let mut c = Command::new(BIN);
        c.env("AWS_ACCESS_KEY_ID", &self.s3.access_key_id)
            .env("AWS_SECRET_ACCESS_KEY", &self.s3.secret_access_key);
        c
    }

    fn run_ok(&self, args: &[&str]) -> String {
        let out = self
            .command()
            .args(args)
            .arg("--config")
            .arg(&self.config)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// A new instance with its own data directory (only its audit.jsonl lives there).
    fn instance(&self, name: &str) -> Instance {
        let data = self.dir.path().join(name);
        let log = self.dir.path().join(format!("{name}.log"));
        let (child, base) = spawn_serving(
            self.command()
                .args(["serve", "--listen", "127.0.0.1:0", "--config"])
                .arg(&self.config)
                .arg("--data-dir")
                .arg(&data)
                .env("RUST_LOG", "info")
                .stderr(std::fs::File::create(&log).unwrap()),
            &log,
        );
        Instance { child, base }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_share_uploads_downloads_counts_and_lockouts() {
    let cluster = Cluster::start().await;
    let (a, b) = (cluster.instance("a"), cluster.instance("b"));
    let http = reqwest::Client::new();

    // Upload: 13 MiB + 5 bytes through A (not a multiple of any part size), the rest
    // through B.
    let blob = random_bytes((30 << 20) + 12_345);
    let keys = [random_key(), random_key()];
    let t = remote::create(
        &http,
        &a.base,
        &cluster.token,
        blob.len() as u64,
        &keys,
        Some(2),
    )
    .await;
    let tid = &t.transfer_id;
    let cut = (13 << 20) + 5;
    let r = remote::patch(&http, &a.base, &cluster.token, tid, 0)
        .body(blob[..cut].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        remote::offset(&http, &b.base, &cluster.token, tid).await,
        cut as u64
    );
    let r = remote::patch(&http, &b.base, &cluster.token, tid, cut as u64)
        .header(tus::KEPIL_BLOB_CRC64, checksum_b64url(&blob))
        .body(blob[cut..].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::NO_CONTENT,
        "{}",
        r.text().await.unwrap()
    );

    // Download through both, each grant on a different instance, then ranged.
    let got_a = remote::download(&http, &a.base, &t.grants[0].grant_id, &keys[0]).await;
    let got_b = remote::download(&http, &b.base, &t.grants[1].grant_id, &keys[1]).await;
    assert!(
        got_a == blob && got_b == blob,
        "downloads differ from the upload"
    );

    // 50 proofs, spread over both instances, on a one-download grant: one token.
    let key = random_key();
    let one = remote::create(&http, &a.base, &cluster.token, 100, &[key], Some(1)).await;
    let r = remote::patch(&http, &b.base, &cluster.token, &one.transfer_id, 0)
        .header(tus::KEPIL_BLOB_CRC64, checksum_b64url(&[7u8; 100]))
        .body(vec![7u8; 100])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let grant = one.grants[0].grant_id.clone();
    let mut tasks = Vec::new();
    for i in 0..50 {
        let (http, base, grant) = (
            http.clone(),
            if i % 2 == 0 { &a } else { &b }.base.clone(),
            grant.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let r = remote::prove(&http, &base, &grant, &key).await;
            match r.status() {
                StatusCode::OK => None,
                _ => Some(expect_any(r).await.code),
            }
        }));
    }
    let mut ok = 0;
    let mut refused = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            None => ok += 1,
            Some(code) => refused.push(code),
        }
    }
    assert_eq!(ok, 1, "exactly one download counted across both instances");
    // The other 49 proofs were valid: each must learn the grant is used up, not fail for
    // another reason (a lost nonce, a locked grant, an internal error) that hides a race.
    assert_eq!(refused, vec![ErrorCode::UsedUp; 49]);

    // Lockout (threshold 4) counted across instances: wrong, wrong on A, wrong, wrong on B.
    let key = random_key();
    let locked = remote::create(&http, &b.base, &cluster.token, 10, &[key], Some(3)).await;
    let r = remote::patch(&http, &a.base, &cluster.token, &locked.transfer_id, 0)
        .header(tus::KEPIL_BLOB_CRC64, checksum_b64url(&[1u8; 10]))
        .body(vec![1u8; 10])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let grant = &locked.grants[0].grant_id;
    let mut tries = Vec::new();
    for i in 0..4 {
        let at = if i < 2 { &a } else { &b };
        let e = expect_any(remote::prove(&http, &at.base, grant, &random_key()).await).await;
        tries.push((e.code, e.tries_left));
    }
    assert_eq!(
        tries,
        [
            (ErrorCode::WrongPassword, Some(3)),
            (ErrorCode::WrongPassword, Some(2)),
            (ErrorCode::WrongPassword, Some(1)),
            (ErrorCode::Locked, Some(0)),
        ]
    );
    let e = expect_any(remote::prove(&http, &a.base, grant, &key).await).await;
    assert_eq!(
        e.code,
        ErrorCode::Locked,
        "the right password on A after B locked it"
    );
}

async fn expect_any(r: reqwest::Response) -> kepil_protocol::ApiError {
    assert!(!r.status().is_success(), "{}", r.status());
    r.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_instance_killed_mid_upload_leaves_an_upload_the_other_finishes() {
    let cluster = Cluster::start().await;
    let mut a = cluster.instance("a");
    let b = cluster.instance("b");
    let http = reqwest::Client::new();
    let blob = random_bytes(40 << 20);
    let key = random_key();
    let t = remote::create(
        &http,
        &a.base,
        &cluster.token,
        blob.len() as u64,
        &[key],
        Some(1),
    )
    .await;
    let tid = t.transfer_id.clone();

    // A PATCH on A sends 25 MiB and stalls with the request open; A checkpoints inside it.
    let (tx, body) = channel_body();
    let inflight = tokio::spawn(
        remote::patch(&http, &a.base, &cluster.token, &tid, 0)
            .body(body)
            .send(),
    );
    for chunk in blob[..25 << 20].chunks(1 << 20) {
        tx.send(chunk.to_vec()).await.unwrap();
    }
    let mut checkpointed = 0;
    for _ in 0..200 {
        checkpointed = remote::offset(&http, &b.base, &cluster.token, &tid).await;
        if checkpointed > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(checkpointed > 0, "B never saw A's checkpoint");

    // While A holds the upload, a PATCH on B cannot interleave: it waits, then finds the
    // offset moved or answers once A is gone. Kill A (SIGKILL) now.
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    drop(tx);
    let _ = inflight.await;

    let offset = remote::offset(&http, &b.base, &cluster.token, &tid).await;
    assert!(
        offset >= checkpointed && offset <= 25 << 20,
        "offset {offset} after a checkpoint at {checkpointed}"
    );
    let r = tokio::time::timeout(
        Duration::from_secs(30),
        remote::patch(&http, &b.base, &cluster.token, &tid, offset)
            .header(tus::KEPIL_BLOB_CRC64, checksum_b64url(&blob))
            .body(blob[offset as usize..].to_vec())
            .send(),
    )
    .await
    .expect("the dead instance's upload lock was released")
    .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::NO_CONTENT,
        "{}",
        r.text().await.unwrap()
    );
    let got = remote::download(&http, &b.base, &t.grants[0].grant_id, &key).await;
    assert_eq!(sha2::Sha256::digest(&got), sha2::Sha256::digest(&blob));
}

/// The peak resident set of a process (VmHWM), in bytes, as the kernel counts it.
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/PID/status");
    kib * 1024
}

/// What the operating system sees, not the backend's own account of its buffers: a 256 MiB
/// upload into S3 through one PATCH must not grow the store process by anything near its size.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_s3_backed_store_holds_a_256_mib_upload_in_bounded_memory() {
    let cluster = Cluster::start().await;
    let a = cluster.instance("a");
    let http = reqwest::Client::new();
    let pid = a.child.id();

    // A first small upload brings the process to its working state (pools, TLS-free S3
    // client, sealing buffers), so the measure below is what a large upload adds.
    let warm = random_bytes(1 << 20);
    let w = remote::create(
        &http,
        &a.base,
        &cluster.token,
        warm.len() as u64,
        &[random_key()],
        None,
    )
    .await;
    let r = remote::patch(&http, &a.base, &cluster.token, &w.transfer_id, 0)
        .header(tus::KEPIL_BLOB_CRC64, checksum_b64url(&warm))
        .body(warm)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let before = peak_rss(pid);

    let total: usize = 256 << 20;
    let piece = random_bytes(1 << 20);
    let mut crc = kepil_protocol::BlobChecksum::new();
    for _ in 0..total / piece.len() {
        crc.update(&piece);
    }
    let t = remote::create(
        &http,
        &a.base,
        &cluster.token,
        total as u64,
        &[random_key()],
        None,
    )
    .await;
    let (tx, body) = channel_body();
    let feeder = tokio::spawn(async move {
        for _ in 0..total / piece.len() {
            tx.send(piece.clone()).await.unwrap();
        }
    });
    let r = remote::patch(&http, &a.base, &cluster.token, &t.transfer_id, 0)
        .header(
            tus::KEPIL_BLOB_CRC64,
            kepil_protocol::BlobChecksum::encode(crc.value()),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    feeder.await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::NO_CONTENT,
        "{}",
        r.text().await.unwrap()
    );
    let grown = peak_rss(pid).saturating_sub(before);
    eprintln!(
        "store peak RSS {} MiB before, grew {} MiB over a 256 MiB upload",
        before >> 20,
        grown >> 20
    );
    // One 8 MiB part in the writer, object_store's copy of it in flight, 1 MiB sealing
    // buffers and the allocator's slack: tens of MiB, never the upload's size.
    assert!(
        grown < 64 << 20,
        "the store grew by {} MiB while taking a 256 MiB upload",
        grown >> 20
    );
}
