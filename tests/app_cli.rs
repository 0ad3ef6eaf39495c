//! The two faces of Kepil with each other, through one real `kepil-store` process: a file sent
//! in the app is received with the `kepil` CLI, and one sent with the CLI is received in the
//! app; each side then sees the other's download in its own view of the transfer. The app
//! runs on Tauri's mock runtime (the webview's IPC path, see `kepil_tests::app`), the CLI and
//! the store as the processes users run.

use std::path::Path;

use kepil_test_support::process::{StoreProcess, store_token};
use kepil_tests::app::MockApp;
use kepil_tests::{CliUser, finish, sha256_file, text, write_file};
use serde_json::{Value, json};

const SENDER: &str = "pengirim@agensi.gov.my";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The app pointed at `store` with the uploader `token`, as a user does in Settings.
fn app_using(store: &StoreProcess, token: &str) -> MockApp {
    let app = MockApp::new(None);
    app.ok(
        "settings_save",
        json!({ "request": { "storeUrl": store.base } }),
    );
    app.ok("token_save", json!({ "token": token }));
    let state = app.ok("app_state", json!({}));
    assert_eq!(state["store"]["local"], false, "{state}");
    assert_eq!(state["store"]["url"], format!("{}/", store.base), "{state}");
    assert_eq!(state["tokenSet"], true, "{state}");
    app
}

fn status_json(user: &CliUser, rt: &tokio::runtime::Runtime, transfer: &str) -> Value {
    let out = rt.block_on(async {
        let child = user
            .kepil()
            .args(["status", transfer, "--json"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        finish(child).await
    });
    assert!(out.status.success(), "status: {}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("status --json")
}

#[test]
fn sent_in_the_app_received_with_the_cli() {
    let rt = runtime();
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("store-data");
    let token = store_token(&data, SENDER);
    let store = StoreProcess::start(&data, None);
    let app = app_using(&store, &token);

    let file = tmp.path().join("Kertas Kabinet.pdf");
    write_file(&file, 3 << 20, 7);
    *app.desktop.files.lock().unwrap() = vec![file.clone()];
    let picked = app.ok("pick_files", json!({}));
    let job = app.ok(
        "send_start",
        json!({ "request": {
            "fileIds": [picked[0]["id"].clone()],
            "classification": "SULIT",
            "recipients": [{ "email": "penerima@agensi.gov.my" }],
            "subject": "Kertas Kabinet",
            "message": "Untuk semakan."
        }}),
    );
    let job = job.as_str().unwrap().to_string();
    let done = app.wait_event("send-done", "send-failed", &job);
    assert_eq!(done["local"], false, "{done}");
    let link = done["recipients"][0]["link"].as_str().unwrap().to_string();
    assert!(
        link.starts_with(&store.base),
        "{link} is not on {}",
        store.base
    );
    let password = app.ok("reveal_password", json!({ "jobId": job, "index": 0 }));
    let password = password.as_str().unwrap();

    let recipient = CliUser::new(tmp.path(), "penerima", &store.base, "");
    let out_dir = tmp.path().join("diterima");
    std::fs::create_dir_all(&out_dir).unwrap();
    let out = rt.block_on(recipient.receive(&link, password, &out_dir));
    assert!(
        out.status.success(),
        "receive: {}\nstore log: {}",
        text(&out.stderr),
        store.log()
    );
    let received: Value = serde_json::from_slice(&out.stdout).expect("receive --json");
    assert_eq!(received["classification"], "SULIT", "{received}");
    assert_eq!(received["subject"], "Kertas Kabinet");
    assert_eq!(received["message"], "Untuk semakan.");
    assert_eq!(
        sha256_file(&out_dir.join("Kertas Kabinet.pdf")),
        sha256_file(&file),
        "the CLI saved other bytes than the app sent"
    );

    assert_only(&out_dir, &["Kertas Kabinet.pdf"]);

    // The sender's app sees the CLI's download; after the app revokes it, the CLI's next try
    // is refused and saves nothing.
    let tid = done["transferId"].clone();
    let status = app.ok("history_status", json!({ "transferId": tid }));
    assert_eq!(status["grants"][0]["downloads"], 1, "{status}");
    app.ok(
        "history_revoke",
        json!({ "transferId": tid, "recipient": "penerima@agensi.gov.my" }),
    );
    let again = tmp.path().join("lagi");
    std::fs::create_dir_all(&again).unwrap();
    let out = rt.block_on(recipient.receive(&link, password, &again));
    assert!(!out.status.success(), "a revoked link still opened");
    let err: Value = serde_json::from_slice(&out.stdout).expect("--json error");
    assert_eq!(err["error"]["code"], "revoked", "{err}");
    assert_only(&again, &[]);
    app.shutdown();
}

#[test]
fn sent_with_the_cli_received_in_the_app() {
    let rt = runtime();
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("store-data");
    let token = store_token(&data, SENDER);
    let store = StoreProcess::start(&data, None);
    let sender = CliUser::new(tmp.path(), "pengirim", &store.base, &token);

    let file = tmp.path().join("Jadual Bajet 2027.xlsx");
    write_file(&file, 2 << 20, 11);
    let out = rt.block_on(async {
        let child = sender
            .kepil()
            .arg("send")
            .arg(&file)
            .args([
                "--classification",
                "terhad",
                "--to",
                "penerima@agensi.gov.my",
                "--subject",
                "Bajet",
                "--json",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        finish(child).await
    });
    assert!(out.status.success(), "send: {}", text(&out.stderr));
    let sent: Value = serde_json::from_slice(&out.stdout).expect("send --json");
    let transfer = sent["transfer"].as_str().unwrap().to_string();
    let r = &sent["recipients"][0];
    let (link, password) = (r["link"].as_str().unwrap(), r["password"].as_str().unwrap());

    // A recipient whose app has no store of its own set: the link names a store this computer
    // does not know, which is contacted once the recipient has seen it and said yes.
    let app = MockApp::new(None);
    let e = app.err("receive_open", json!({ "link": link }));
    assert_eq!(e["code"], "store_unconfirmed", "{e}");
    let info = app.ok(
        "receive_open",
        json!({ "link": link, "confirmStore": true }),
    );
    assert_eq!(info["storeView"]["standing"], "confirmed", "{info}");
    assert_eq!(info["classification"], "TERHAD", "{info}");
    assert_eq!(info["store"], format!("{}/", store.base), "{info}");
    let unlocked = app.ok(
        "receive_unlock",
        json!({ "link": link, "password": password }),
    );
    assert_eq!(unlocked["manifest"]["subject"], "Bajet", "{unlocked}");
    // The store vouches for the account the CLI's token belongs to, naming itself.
    assert_eq!(
        unlocked["trust"]["verifiedSender"]["email"], SENDER,
        "{unlocked}"
    );
    assert_eq!(
        unlocked["trust"]["store"],
        store.base.trim_start_matches("http://"),
        "{unlocked}"
    );
    assert_eq!(
        unlocked["manifest"]["files"][0]["name"],
        "Jadual Bajet 2027.xlsx"
    );
    let folder = app.root.join("Muat Turun");
    std::fs::create_dir_all(&folder).unwrap();
    *app.desktop.folder.lock().unwrap() = Some(folder.clone());
    let picked = app.ok("pick_folder", json!({}));
    let rjob = app.ok("receive_save", json!({ "folderId": picked["id"] }));
    let rdone = app.wait_event("receive-done", "receive-failed", rjob.as_str().unwrap());
    let saved = folder.join(rdone["files"][0]["name"].as_str().unwrap());
    assert_eq!(
        sha256_file(&saved),
        sha256_file(&file),
        "the app saved other bytes than the CLI sent"
    );
    assert_only(&folder, &["Jadual Bajet 2027.xlsx"]);

    // The sender's CLI sees the app's download.
    let status = status_json(&sender, &rt, &transfer);
    assert_eq!(status["grants"][0]["downloads"], 1, "{status}");
    app.shutdown();
}

/// `dir` holds exactly `names`: nothing partial or temporary left beside the saved files.
fn assert_only(dir: &Path, names: &[&str]) {
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    assert_eq!(found, names, "in {}", dir.display());
}
