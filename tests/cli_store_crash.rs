//! The store dies under a sender: `kepil-store` is killed with SIGKILL in the middle of an
//! upload from the real `kepil` CLI, comes back on the same data directory, and the very same
//! `kepil send` finishes by itself; the recipient's `kepil receive` gets the exact bytes.

use std::sync::atomic::Ordering;
use std::time::Duration;

use kepil_test_support::process::{StoreProcess, store_token};
use kepil_test_support::proxy::Proxy;
use kepil_tests::{CliUser, finish, sha256_file, text, write_file};

const MIB: usize = 1 << 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_killed_mid_upload_comes_back_and_the_same_send_finishes() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("store-data");
    let token = store_token(&data, "pengirim@agensi.gov.my");
    // The proxy is the store's address for clients: it stays while the store process is
    // replaced behind it, as a load balancer would.
    let proxy = Proxy::bind().await;
    let mut store = StoreProcess::start(&data, Some(&proxy.url()));
    proxy.set_upstream(store.addr);

    let sender = CliUser::new(tmp.path(), "sender", &proxy.url(), &token);
    let recipient = CliUser::new(tmp.path(), "recipient", &proxy.url(), "");
    let file = tmp.path().join("Laporan SULIT.pdf");
    let size = 24 * MIB;
    write_file(&file, size, 42);
    // Slow enough that the kill lands mid-upload on a loaded machine.
    proxy.up_rate.store(3 * MIB as u64, Ordering::SeqCst);
    let child = sender
        .kepil()
        .arg("send")
        .arg(&file)
        .args([
            "--classification",
            "sulit",
            "--to",
            "penerima@agensi.gov.my",
        ])
        .arg("--json")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();

    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while proxy.up_bytes.load(Ordering::SeqCst) < 6 * MIB as u64 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the upload never reached 6 MiB: {}",
            store.log()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    store.kill();
    let at_kill = proxy.up_bytes.load(Ordering::SeqCst);
    assert!(at_kill < size as u64, "the upload finished before the kill");
    // Down long enough for the sender to see refused connections and back off.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let store = store.restart();
    proxy.set_upstream(store.addr);
    proxy.up_rate.store(0, Ordering::SeqCst);

    let out = finish(child).await;
    assert!(
        out.status.success(),
        "the send did not survive the store's restart: {}\nstore log: {}",
        text(&out.stderr),
        store.log()
    );
    let sent: serde_json::Value = serde_json::from_slice(&out.stdout).expect("send --json");
    let r = &sent["recipients"][0];
    let (link, password) = (r["link"].as_str().unwrap(), r["password"].as_str().unwrap());

    let out_dir = tmp.path().join("received");
    std::fs::create_dir_all(&out_dir).unwrap();
    let out = recipient.receive(link, password, &out_dir).await;
    assert!(out.status.success(), "receive: {}", text(&out.stderr));
    assert_eq!(
        sha256_file(&out_dir.join("Laporan SULIT.pdf")),
        sha256_file(&file),
        "the recipient got other bytes than were sent"
    );
    // The rest of the upload went to the restarted store: the sender resumed from the offset
    // the new process reported, it did not finish before the kill.
    assert!(
        proxy.up_bytes.load(Ordering::SeqCst) > at_kill,
        "nothing was sent after the restart"
    );
}
