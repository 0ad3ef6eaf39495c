//! The PostgreSQL metadata backend against a real PostgreSQL 15 (tests/common/postgres.rs):
//! the shared conformance suite, exactness across two pools (as two instances would have),
//! advisory locks and what happens when their holder dies, migrations, the `migrate`
//! subcommand, and a store serving over HTTP on PostgreSQL.

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kepil_store::DatabaseUrl;
use kepil_store::backends::open_metadata;
use kepil_store::ids;
use kepil_store::storage::postgres::{self, PostgresOptions, PostgresStore};
use kepil_store::storage::{GrantRow, MetadataStore, Redeemed, StorageError, TransferRow};
use kepil_test_support::conformance;
use kepil_test_support::postgres::{PG_PASSWORD, Postgres};

const BIN: &str = env!("CARGO_BIN_EXE_kepil-store");

async fn migrated(url: &str) -> PostgresStore {
    postgres::migrate(url).await.unwrap();
    let store = PostgresStore::connect(url, &PostgresOptions::default())
        .await
        .unwrap();
    store.check_schema().await.unwrap();
    store
}

/// A complete transfer row (the shared suite's builder, uploaded).
fn transfer(id: &str, user: &str, size: u64, now: i64) -> TransferRow {
    TransferRow {
        upload_offset: size,
        expected_checksum: Some(1),
        complete: true,
        ..conformance::transfer(id, user, size, now)
    }
}

fn grant(id: &str, transfer_id: &str, max_downloads: u32) -> GrantRow {
    conformance::grant(id, transfer_id, 0, max_downloads)
}

/// A complete transfer with one grant; returns the grant id.
async fn one_grant(meta: &dyn MetadataStore, max_downloads: u32, now: i64) -> String {
    let (tid, gid) = (ids::new_id(), ids::new_id());
    meta.create_transfer(
        &transfer(&tid, "p@agensi.gov.my", 1, now),
        &[grant(&gid, &tid, max_downloads)],
        u64::MAX,
    )
    .await
    .unwrap();
    gid
}

/// Advisory locks granted right now, on the whole server.
async fn advisory_locks_held(probe: &sqlx::PgPool) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")
        .fetch_one(probe)
        .await
        .unwrap()
}

async fn eventually(what: &str, mut cond: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !cond().await {
        assert!(Instant::now() < deadline, "timed out waiting: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_metadata_store_passes_the_conformance_suite() {
    let pg = Postgres::start();
    let store = migrated(&pg.url()).await;
    let started = Instant::now();
    conformance::metadata_suite(Arc::new(store.clone())).await;
    eprintln!(
        "PostgreSQL start {:?}; conformance suite {:?}",
        pg.started_in,
        started.elapsed()
    );
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_proofs_racing_over_two_pools_count_one_download() {
    let pg = Postgres::start();
    let a: Arc<dyn MetadataStore> = Arc::new(migrated(&pg.url()).await);
    let b: Arc<dyn MetadataStore> = Arc::new(migrated(&pg.url()).await);
    let now = 1_000_000;

    // redeem: 50 valid nonces, spread over both instances, on a one-download grant.
    let g = one_grant(a.as_ref(), 1, now).await;
    for i in 0..50 {
        a.insert_nonce(&g, &ids::hash_token(&format!("n{i}")), now + 60)
            .await
            .unwrap();
    }
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let meta = if i % 2 == 0 { a.clone() } else { b.clone() };
            let g = g.clone();
            tokio::spawn(async move {
                meta.redeem(
                    &g,
                    &ids::hash_token(&format!("n{i}")),
                    &ids::hash_token(&format!("t{i}")),
                    now + 60,
                    now,
                )
                .await
                .unwrap()
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.unwrap());
    }
    let issued = outcomes
        .iter()
        .filter(|o| matches!(o, Redeemed::Issued(0)))
        .count();
    let refused = outcomes
        .iter()
        .filter(|o| **o == Redeemed::NotIssued)
        .count();
    assert_eq!((issued, refused), (1, 49), "{outcomes:?}");
    assert_eq!(b.get_grant(&g).await.unwrap().unwrap().downloads, 1);

    // issue_download alone, likewise.
    let g = one_grant(b.as_ref(), 1, now).await;
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let meta = if i % 2 == 0 { a.clone() } else { b.clone() };
            let g = g.clone();
            tokio::spawn(async move {
                meta.issue_download(&g, &ids::hash_token(&format!("d{i}")), now + 60, now)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut issued = 0;
    for t in tasks {
        issued += t.await.unwrap().is_some() as u32;
    }
    assert_eq!(issued, 1);

    // One nonce presented to both instances at once is redeemed once.
    let g = one_grant(a.as_ref(), 10, now).await;
    let n = ids::hash_token("shared-nonce");
    a.insert_nonce(&g, &n, now + 60).await.unwrap();
    let (ta, tb) = (ids::hash_token("ta"), ids::hash_token("tb"));
    let (ra, rb) = tokio::join!(
        a.redeem(&g, &n, &ta, now + 60, now),
        b.redeem(&g, &n, &tb, now + 60, now)
    );
    let fresh = [ra.unwrap(), rb.unwrap()]
        .iter()
        .filter(|o| **o != Redeemed::StaleNonce)
        .count();
    assert_eq!(fresh, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lockout_and_quota_are_exact_across_two_pools() {
    let pg = Postgres::start();
    let a: Arc<dyn MetadataStore> = Arc::new(migrated(&pg.url()).await);
    let b: Arc<dyn MetadataStore> = Arc::new(migrated(&pg.url()).await);
    let now = 2_000_000;

    let g = one_grant(a.as_ref(), 5, now).await;
    let tasks: Vec<_> = (0..30)
        .map(|i| {
            let meta = if i % 2 == 0 { a.clone() } else { b.clone() };
            let g = g.clone();
            tokio::spawn(async move { meta.record_failed_proof(&g, 10).await.unwrap() })
        })
        .collect();
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    assert_eq!(results.iter().filter(|f| f.locked_now).count(), 1);
    assert_eq!(results.iter().filter(|f| !f.locked).count(), 9);
    let row = b.get_grant(&g).await.unwrap().unwrap();
    assert_eq!((row.failed_proofs, row.locked), (10, true));

    // 20 creates of 10 bytes by one user against a 50-byte quota: five fit.
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let meta = if i % 2 == 0 { a.clone() } else { b.clone() };
            tokio::spawn(async move {
                let tid = ids::new_id();
                meta.create_transfer(&transfer(&tid, "quota@agensi.gov.my", 10, now), &[], 50)
                    .await
            })
        })
        .collect();
    let (mut ok, mut over) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => ok += 1,
            Err(StorageError::QuotaExceeded { held }) => {
                assert_eq!(held, 50);
                over += 1
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!((ok, over), (5, 15));
    assert_eq!(a.bytes_held_by("quota@agensi.gov.my").await.unwrap(), 50);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn upload_lock_spans_pools_and_dies_with_its_holder() {
    let pg = Postgres::start();
    postgres::migrate(&pg.url()).await.unwrap();
    let opts = PostgresOptions::default();
    let holder = PostgresStore::connect(&format!("{}&application_name=holder", pg.url()), &opts)
        .await
        .unwrap();
    let other = PostgresStore::connect(&pg.url(), &opts).await.unwrap();
    let probe = sqlx::PgPool::connect(&pg.url()).await.unwrap();
    let id = ids::new_id();
    let short = Duration::from_millis(300);

    // Held by one instance: the other waits.
    let guard = holder.lock_upload(&id).await.unwrap();
    assert!(
        tokio::time::timeout(short, other.lock_upload(&id))
            .await
            .is_err(),
        "the second instance got a held lock"
    );
    // The waiter above was cancelled: its session must not keep (or later get) the lock.
    drop(guard);
    eventually("release on drop", async || {
        advisory_locks_held(&probe).await == 0
    })
    .await;
    let again = tokio::time::timeout(Duration::from_secs(5), other.lock_upload(&id))
        .await
        .expect("released when the guard dropped")
        .unwrap();
    drop(again);
    eventually("release on drop", async || {
        advisory_locks_held(&probe).await == 0
    })
    .await;

    // The holder dies: its session ends (here the server ends it, as it does when the
    // instance's connection closes) and the lock goes with it.
    let guard = holder.lock_upload(&id).await.unwrap();
    assert_eq!(advisory_locks_held(&probe).await, 1);
    let killed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(a.pid) FROM pg_stat_activity a \
         JOIN pg_locks l ON l.pid = a.pid AND l.locktype = 'advisory' \
         WHERE a.application_name = 'holder') k",
    )
    .fetch_one(&probe)
    .await
    .unwrap();
    assert_eq!(killed, 1);
    let taken = tokio::time::timeout(Duration::from_secs(5), other.lock_upload(&id))
        .await
        .expect("a dead holder's lock is released")
        .unwrap();
    // The dead holder's guard drops on a broken connection without harm, and does not
    // release the lock the other instance now holds.
    drop(guard);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(advisory_locks_held(&probe).await, 1);
    assert!(
        tokio::time::timeout(short, holder.lock_upload(&id))
            .await
            .is_err()
    );
    drop(taken);
    eventually("all released", async || {
        advisory_locks_held(&probe).await == 0
    })
    .await;

    // The sweep lock admits one instance at a time.
    let sweeping = holder.try_sweep_lock().await.unwrap().expect("free");
    assert!(other.try_sweep_lock().await.unwrap().is_none());
    drop(sweeping);
    eventually("sweep lock released", async || {
        other.try_sweep_lock().await.unwrap().is_some()
    })
    .await;
    holder.close().await;
    other.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn migrations_are_idempotent_and_safe_to_run_at_once() {
    let pg = Postgres::start();
    let first = postgres::migrate(&pg.url()).await.unwrap();
    assert_eq!(
        first.applied.iter().map(|m| m.0).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6, 7]
    );
    assert_eq!(first.version, 7);
    let again = postgres::migrate(&pg.url()).await.unwrap();
    assert!(again.applied.is_empty());
    assert_eq!(again.to_string(), "schema up to date at version 7");

    // Four migrators on a fresh database at once: each migration applied exactly once.
    let url = pg.create_database("racing");
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move { postgres::migrate(&url).await.unwrap() })
        })
        .collect();
    let mut applied = Vec::new();
    for t in tasks {
        applied.extend(t.await.unwrap().applied.into_iter().map(|m| m.0));
    }
    applied.sort();
    assert_eq!(applied, [1, 2, 3, 4, 5, 6, 7]);
    let probe = sqlx::PgPool::connect(&url).await.unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(&probe)
        .await
        .unwrap();
    assert_eq!(rows, 7);
}

#[tokio::test]
async fn serve_refuses_an_old_schema_unless_told_to_migrate() {
    let pg = Postgres::start();
    let dir = tempfile::tempdir().unwrap();
    let mut config = kepil_store::Config::for_data_dir(dir.path());
    config.metadata = Some(DatabaseUrl::new(pg.url()));
    let e = open_metadata(&config).await.unwrap_err().to_string();
    assert!(e.contains("run `kepil-store migrate`"), "{e}");
    assert!(!e.contains(PG_PASSWORD), "{e}");
    config.auto_migrate = true;
    let meta = open_metadata(&config).await.unwrap();
    meta.ping().await.unwrap();
    meta.close().await;
    config.auto_migrate = false;
    open_metadata(&config).await.unwrap().close().await;
}

#[tokio::test]
async fn connections_can_verify_the_servers_certificate() {
    let pg = Postgres::start_tls();
    let store = migrated(&pg.tls_url()).await;
    store.ping().await.unwrap();
    let probe = sqlx::PgPool::connect(&pg.tls_url()).await.unwrap();
    let ssl: bool = sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(&probe)
        .await
        .unwrap();
    assert!(ssl, "the connection is not encrypted");
    store.close().await;

    // A certificate the configured root does not vouch for is refused, with a clear error.
    let other = tempfile::NamedTempFile::new().unwrap();
    let stranger = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    std::fs::write(other.path(), stranger.cert.pem()).unwrap();
    let url = format!(
        "postgres://kepil:{PG_PASSWORD}@127.0.0.1:{}/kepil?sslmode=verify-full&sslrootcert={}",
        pg.port(),
        other.path().display()
    );
    let e = PostgresStore::connect(&url, &PostgresOptions::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("cannot connect to PostgreSQL"), "{e}");
    assert!(!e.contains(PG_PASSWORD), "{e}");
}

fn run(args: &[&str]) -> (bool, String, String) {
    run_with_key(args, None)
}

/// `serve` on PostgreSQL also needs the shared master key file.
fn run_with_key(args: &[&str], key: Option<&std::path::Path>) -> (bool, String, String) {
    let mut c = Command::new(BIN);
    if let Some(key) = key {
        c.env("KEPIL_STORE_MASTER_KEY_FILE", key);
    }
    let out = c.args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn migrate_subcommand_reports_and_never_shows_the_password() {
    let pg = Postgres::start();
    let url = pg.url();

    // Serving without the shared master key is refused, naming the setting.
    let (ok, out, err) = run(&["serve", "--listen", "127.0.0.1:0", "--metadata", &url]);
    assert!(!ok, "{out}");
    assert!(err.contains("master_key_file"), "{err}");
    assert!(!err.contains(PG_PASSWORD), "{err}");
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("master.key");
    kepil_store::sealing::MasterKey::load_or_create(&key).unwrap();

    // Serving an unmigrated database is refused with the command to run.
    let (ok, out, err) = run_with_key(
        &["serve", "--listen", "127.0.0.1:0", "--metadata", &url],
        Some(&key),
    );
    assert!(!ok, "{out}");
    assert!(err.contains("kepil-store migrate"), "{err}");
    assert!(!err.contains(PG_PASSWORD), "{err}");

    let (ok, out, err) = run(&["migrate", "--metadata", &url]);
    assert!(ok, "{err}");
    assert!(
        out.contains(
            "applied migration(s) 1 (initial), 2 (scale out), 3 (blake3), 4 (crc64), 5 (identity), 6 (link key), 7 (open key)"
        ),
        "{out}"
    );
    let (ok, out, err) = run(&["migrate", "--metadata", &url]);
    assert!(ok, "{err}");
    assert!(out.contains("schema up to date at version 7"), "{out}");
    assert!(!format!("{out}{err}").contains(PG_PASSWORD));

    // Tokens live in PostgreSQL too.
    let (ok, token, err) = run(&[
        "token",
        "create",
        "--user",
        "p@agensi.gov.my",
        "--metadata",
        &url,
    ]);
    assert!(ok, "{err}");
    assert!(!token.trim().is_empty());
    let (ok, list, err) = run(&["token", "list", "--metadata", &url]);
    assert!(ok, "{err}");
    assert!(list.contains("p@agensi.gov.my"), "{list}");

    // A wrong password: a clear failure that shows the URL without any password.
    let wrong = url.replace(PG_PASSWORD, "not-the-Password-77");
    let (ok, _, err) = run(&["migrate", "--metadata", &wrong]);
    assert!(!ok);
    assert!(err.contains("cannot connect to PostgreSQL"), "{err}");
    assert!(err.contains("127.0.0.1"), "{err}");
    assert!(!err.contains("not-the-Password-77"), "{err}");

    // SQLite: the same subcommand on the data directory's database.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let (ok, out, err) = run(&["migrate", "--data-dir", data]);
    assert!(ok, "{err}");
    assert!(out.contains("applied migration(s) 1 (initial)"), "{out}");
    let (ok, out, _) = run(&["migrate", "--data-dir", data]);
    assert!(ok && out.contains("up to date at version 7"), "{out}");
    let (ok, _, err) = run(&["migrate", "--metadata", "mysql://u:pw-x@h/db"]);
    assert!(
        !ok && err.contains("metadata must be") && !err.contains("pw-x"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_stores_on_one_postgres_serve_upload_proof_and_sweep() {
    let pg = Postgres::start();
    let url = pg.url();
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("master.key");
    kepil_store::sealing::MasterKey::load_or_create(&key).unwrap();
    let with_pg = |c: &mut kepil_store::Config| {
        c.metadata = Some(DatabaseUrl::new(url.clone()));
        c.auto_migrate = true;
        c.master_key_file = Some(key.clone());
    };
    let a = kepil_test_support::store::start_with(with_pg).await;
    let b = kepil_test_support::store::start_with(with_pg).await;

    // Created and uploaded through A; both see it, and the download counts once overall.
    let data = kepil_test_support::store::random_bytes(4096);
    let t = a.create(data.len() as u64, 1, Some(1)).await;
    a.upload(t.id(), &data).await;
    let got = b.prove_ok(t.grant(0), &t.keys[0]).await;
    assert_eq!(got.downloads_left, 0);
    let r = a.prove(t.grant(0), &t.keys[0]).await;
    assert_ne!(r.status(), reqwest::StatusCode::OK);

    // Expired: both instances sweep at once; one expiry and one purge are audited.
    let t2 = a.create(8, 1, None).await;
    a.upload(t2.id(), b"12345678").await;
    a.server.clock().advance(7200);
    b.server.clock().advance(7200);
    // Bounded: a lock leaked into a pool would otherwise hang here rather than fail.
    let (ra, rb) = tokio::time::timeout(Duration::from_secs(30), async {
        tokio::join!(a.server.sweep_now(), b.server.sweep_now())
    })
    .await
    .expect("sweeps finish (no lock left held)");
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert!(ra.purged + rb.purged >= 1, "{ra:?} {rb:?}");
    let events = a.events(t2.id()).await;
    let count = |e: &str| events.iter().filter(|x| *x == e).count();
    assert_eq!((count("expired"), count("purged")), (1, 1), "{events:?}");

    tokio::time::timeout(Duration::from_secs(60), async {
        a.server.shutdown().await;
        b.server.shutdown().await;
    })
    .await
    .expect("both stores shut down");
}
