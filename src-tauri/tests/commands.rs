//! The commands on Tauri's mock runtime, against the real in-process local store: the same
//! IPC path the webview takes (JSON in, `{code, params}` out), with a recording fake desktop
//! for dialogs, clipboard and opener.

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kepil_app::desktop::Desktop;
use kepil_client::SecretString;
use kepil_client::secrets::SecretStore;
use kepil_client::settings::Dirs;
use kepil_tests::app::{MockApp as Harness, logs};
use serde_json::{Value, json};

use common::*;

fn sample_bytes() -> Vec<u8> {
    (0..300_000u32).map(|i| (i * 31 % 251) as u8).collect()
}

#[test]
fn send_then_receive_through_the_local_store() {
    let h = Harness::new(None);
    let state = h.ok("app_state", json!({}));
    assert_eq!(state["store"]["local"], true, "{state}");
    assert_eq!(state["lang"], "ms");
    // The page says when its first screen is up; the log keeps the moment once.
    h.ok("ui_ready", json!({}));
    h.ok("ui_ready", json!({}));
    let log = String::from_utf8_lossy(&logs().lock().unwrap()).into_owned();
    assert!(
        log.matches("first screen shown with its data").count() == 1,
        "{log}"
    );
    assert_eq!(state["tokenSet"], true);
    let classes = state["policy"]["classifications"].as_array().unwrap();
    assert!(classes.contains(&json!("SULIT")), "{state}");
    assert!(!classes.contains(&json!("RAHSIA")));

    let bytes = sample_bytes();
    let path = h.file("minit mesyuarat.pdf", &bytes);
    *h.desktop.files.lock().unwrap() = vec![path];
    let picked = h.ok("pick_files", json!({}));
    assert_eq!(picked[0]["name"], "minit mesyuarat.pdf");
    assert_eq!(picked[0]["size"], bytes.len() as u64);
    let file_id = picked[0]["id"].clone();

    let check = h.ok("check_classification", json!({ "value": "sulit" }));
    assert_eq!(check["classification"], "SULIT");
    assert_eq!(check["requiresPassword"], true);

    let job = h.ok(
        "send_start",
        json!({ "request": {
            "fileIds": [file_id],
            "classification": "SULIT",
            "recipients": [{ "email": "a@agensi.gov.my", "phone": "+60 12-345 6789" },
                           { "email": "b@agensi.gov.my" }],
            "subject": "Minit",
            "message": "Sila semak."
        }}),
    );
    let job = job.as_str().unwrap().to_string();
    let done = h.wait_event("send-done", "send-failed", &job);
    assert_eq!(done["local"], true);
    let recipients = done["recipients"].as_array().unwrap();
    assert_eq!(recipients.len(), 2);
    // Kept normalised (kepil-client's recipients module), the form the SMS gateway gets.
    assert_eq!(recipients[0]["phone"], "+60123456789");
    let link = recipients[0]["link"].as_str().unwrap().to_string();
    assert!(link.starts_with("http://127.0.0.1:"), "{link}");
    assert!(
        h.events
            .lock()
            .unwrap()
            .iter()
            .any(|(n, p)| n == "send-progress" && p["phase"] == "uploading")
    );

    let password = h.ok("reveal_password", json!({ "jobId": job, "index": 0 }));
    let password = password.as_str().unwrap().to_string();
    assert_eq!(password.len(), 19, "{password}");
    let password_b = h.ok("reveal_password", json!({ "jobId": job, "index": 1 }));
    let password_b = password_b.as_str().unwrap().to_string();
    let mut passwords = password_canaries(&password);
    passwords.extend(password_canaries(&password_b));
    // The done event carries links, never the passwords (in any form).
    let leaked = canaries_in(done.to_string().as_bytes(), &passwords);
    assert!(leaked.is_empty(), "send-done carries {leaked:?}: {done}");
    let qr = h.ok("password_qr", json!({ "jobId": job, "index": 0 }));
    assert!(qr.as_str().unwrap().contains("<svg"));

    // Copy: on the clipboard now, gone after the (shortened) delay.
    h.ok("copy_password", json!({ "jobId": job, "index": 0 }));
    assert_eq!(
        h.desktop.clipboard_read().as_deref(),
        Some(password.as_str())
    );
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(h.desktop.clipboard_read(), None);
    // The link is not a secret on its own: it stays on the clipboard.
    h.ok("copy_link", json!({ "jobId": job, "index": 0 }));
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(h.desktop.clipboard_read().as_deref(), Some(link.as_str()));

    // Compose: link and instructions, never the password.
    // The plain subject line is neutral unless the sender chooses the sealed subject.
    h.ok("compose_email", json!({ "jobId": job, "index": 0 }));
    let neutral = h.desktop.opened.lock().unwrap().last().unwrap().clone();
    assert!(
        neutral.starts_with("mailto:a%40agensi.gov.my?subject=Kepil%3A%20lampiran%20SULIT"),
        "{neutral}"
    );
    assert!(!neutral.contains("Minit"), "{neutral}");
    h.ok(
        "compose_email",
        json!({ "jobId": job, "index": 0, "includeSubject": true }),
    );
    let mailto = h.desktop.opened.lock().unwrap().last().unwrap().clone();
    assert!(mailto.starts_with("mailto:a%40agensi.gov.my?subject=%5BSULIT%5D%20Minit"));
    let decoded = percent_encoding::percent_decode_str(&mailto)
        .decode_utf8()
        .unwrap()
        .into_owned();
    assert!(decoded.contains(&link), "{decoded}");
    assert!(!decoded.contains(&password));
    assert!(!decoded.contains(&password.replace('-', "")));

    // In the mail system chosen in Settings: Gmail's and Outlook on the web's compose
    // addresses, checked and not opened, with the same draft and never the password.
    let e = h.err("settings_save", json!({ "request": { "mail": "yahoo" } }));
    assert_eq!(e["code"], "mail_unknown", "{e}");
    for (mail, start) in [
        (
            "gmail",
            "https://mail.google.com/mail/?view=cm&fs=1&tf=1&to=a%40agensi.gov.my&su=Kepil",
        ),
        (
            "outlook",
            "https://outlook.office.com/mail/deeplink/compose?to=a%40agensi.gov.my&subject=Kepil",
        ),
    ] {
        let state = h.ok("settings_save", json!({ "request": { "mail": mail } }));
        assert_eq!(state["mail"], mail);
        h.ok("compose_email", json!({ "jobId": job, "index": 0 }));
        let url = h.desktop.opened.lock().unwrap().last().unwrap().clone();
        assert!(url.starts_with(start), "{url}");
        let decoded = percent_encoding::percent_decode_str(&url)
            .decode_utf8()
            .unwrap()
            .into_owned();
        assert!(decoded.contains(&link), "{decoded}");
        assert!(!decoded.contains(&password.replace('-', "")), "{decoded}");
    }
    h.ok("settings_save", json!({ "request": { "mail": "system" } }));

    // No gateway in the policy: SMS is unavailable.
    let e = h.err("send_sms", json!({ "jobId": job, "index": 0 }));
    assert_eq!(e["code"], "sms_unavailable");

    // Receive, as the recipient, in the same app (a mangled link is fine).
    let mangled = link.replace('#', "%23");
    let info = h.ok("receive_open", json!({ "link": mangled }));
    assert_eq!(info["classification"], "SULIT");
    assert_eq!(info["local"], true);
    let e = h.err(
        "receive_unlock",
        json!({ "link": link, "password": "AAAA-AAAA-AAAA-AAAA" }),
    );
    assert_eq!(e["code"], "wrong_password", "{e}");
    assert_eq!(e["params"]["tries_left"], "9");
    let unlocked = h.ok(
        "receive_unlock",
        json!({ "link": link, "password": password.to_lowercase() }),
    );
    assert_eq!(unlocked["manifest"]["subject"], "Minit");
    // The unlock reported its key derivation on its own channel, under the session's job id.
    assert!(
        h.events
            .lock()
            .unwrap()
            .iter()
            .any(|(n, p)| n == "receive-progress"
                && p["jobId"] == unlocked["jobId"]
                && p["phase"] == "deriving"),
        "{}",
        h.events_text()
    );
    assert_eq!(
        unlocked["manifest"]["files"][0]["name"],
        "minit mesyuarat.pdf"
    );
    let out = h.root.join("diterima");
    std::fs::create_dir_all(&out).unwrap();
    *h.desktop.folder.lock().unwrap() = Some(out.clone());
    // The webview names a folder only by the id the native dialog's choice got; a path of
    // its own, or an id it made up, writes nothing.
    let e = h.err("receive_save", json!({ "folderId": out.to_string_lossy() }));
    assert_eq!(e["code"], "unknown_folder", "{e}");
    let e = h.err("receive_save", json!({ "folderId": "d1" }));
    assert_eq!(e["code"], "unknown_folder", "{e}");
    let picked = h.ok("pick_folder", json!({}));
    assert_eq!(picked["path"], out.to_string_lossy().as_ref());
    let folder = picked["id"].clone();
    let e = h.err("open_folder", json!({ "folderId": folder }));
    assert_eq!(e["code"], "open_failed", "nothing was saved there yet: {e}");
    let rjob = h.ok("receive_save", json!({ "folderId": folder }));
    let rdone = h.wait_event("receive-done", "receive-failed", rjob.as_str().unwrap());
    assert_eq!(rdone["folderId"], folder);
    assert_eq!(rdone["folder"], out.to_string_lossy().as_ref());
    let saved = out.join(rdone["files"][0]["name"].as_str().unwrap());
    assert_eq!(std::fs::read(saved).unwrap(), bytes);
    h.ok("open_folder", json!({ "folderId": folder }));
    let e = h.err("open_folder", json!({ "folderId": "/etc" }));
    assert_eq!(e["code"], "open_failed");

    // Cancelled after the manifest: the unlocked download is dropped, nothing can be saved.
    let link_b = recipients[1]["link"].as_str().unwrap();
    let unlocked_b = h.ok(
        "receive_unlock",
        json!({ "link": link_b, "password": password_b }),
    );
    h.ok("receive_cancel", json!({ "jobId": unlocked_b["jobId"] }));
    let e = h.err("receive_save", json!({ "folderId": folder }));
    assert_eq!(e["code"], "nothing_unlocked", "{e}");

    // History: the transfer, its status, revoke one recipient.
    let history = h.ok("history_list", json!({}));
    let tid = done["transferId"].clone();
    assert_eq!(history[0]["transferId"], tid);
    assert_eq!(history[0]["recipients"].as_array().unwrap().len(), 2);
    // What tells transfers apart, kept on this computer only.
    assert_eq!(history[0]["subject"], "Minit");
    assert_eq!(history[0]["files"], json!(["minit mesyuarat.pdf"]));
    let status = h.ok("history_status", json!({ "transferId": tid }));
    assert_eq!(status["grants"][0]["downloads"], 1);
    let revoked = h.ok(
        "history_revoke",
        json!({ "transferId": tid, "recipient": "b@agensi.gov.my" }),
    );
    assert_eq!(revoked, json!(["b@agensi.gov.my"]));
    let status = h.ok("history_status", json!({ "transferId": tid }));
    assert_eq!(status["grants"][1]["revoked"], true);
    assert_eq!(status["grants"][0]["revoked"], false);

    // Ten wrong passwords lock the first recipient; the sender unlocks it from History.
    for _ in 0..9 {
        let e = h.err(
            "receive_unlock",
            json!({ "link": link, "password": "AAAA-AAAA-AAAA-AAAA" }),
        );
        assert_eq!(e["code"], "wrong_password", "{e}");
    }
    let e = h.err(
        "receive_unlock",
        json!({ "link": link, "password": "AAAA-AAAA-AAAA-AAAA" }),
    );
    assert_eq!(e["code"], "locked", "{e}");
    let status = h.ok("history_status", json!({ "transferId": tid }));
    assert_eq!(status["grants"][0]["locked"], true);
    let unlocked = h.ok(
        "history_unlock",
        json!({ "transferId": tid, "recipient": status["grants"][0]["grant_id"] }),
    );
    assert_eq!(unlocked, "a@agensi.gov.my");
    let status = h.ok("history_status", json!({ "transferId": tid }));
    assert_eq!(
        (
            &status["grants"][0]["locked"],
            &status["grants"][0]["failed_proofs"]
        ),
        (&json!(false), &json!(0))
    );
    let e = h.err(
        "receive_unlock",
        json!({ "link": link, "password": "AAAA-AAAA-AAAA-AAAA" }),
    );
    assert_eq!(e["params"]["tries_left"], "9", "{e}");

    // Never the passwords: not in any event (sending and receiving), not in any log line, not
    // in any file the app or its local store wrote. Nor the links' secrets, on disk or in logs.
    let leaked = canaries_in(h.events_text().as_bytes(), &passwords);
    assert!(leaked.is_empty(), "events carry {leaked:?}");
    let mut secrets = passwords.clone();
    for r in recipients {
        secrets.extend(link_secret_canaries(r["link"].as_str().unwrap()));
    }
    let logged = logs().lock().unwrap().clone();
    // The capture works, or its silence would prove nothing.
    assert!(
        String::from_utf8_lossy(&logged).contains("local store at"),
        "no log captured"
    );
    let leaked = canaries_in(&logged, &secrets);
    assert!(leaked.is_empty(), "logs carry {leaked:?}");
    assert_no_canary(
        &h.home(),
        &secrets,
        "after send, receive, revoke and unlock",
    );
    let dir = h.shutdown();
    // The store's database is closed (and checkpointed) only now.
    assert_no_canary(&dir.path().join("home"), &secrets, "after the app stopped");
}

#[test]
fn rahsia_is_refused_before_anything_happens() {
    let h = Harness::new(None);
    for value in ["RAHSIA", "rahsia besar", "Top Secret"] {
        let e = h.err("check_classification", json!({ "value": value }));
        assert_eq!(e["code"], "classification_refused", "{value}: {e}");
    }
    let e = h.err("check_classification", json!({ "value": "SANGAT SULIT" }));
    assert_eq!(e["code"], "classification_unknown");
    let path = h.file("x.txt", b"x");
    *h.desktop.files.lock().unwrap() = vec![path];
    let picked = h.ok("pick_files", json!({}));
    let e = h.err(
        "send_start",
        json!({ "request": {
            "fileIds": [picked[0]["id"]],
            "classification": "RAHSIA",
            "recipients": [{ "email": "a@agensi.gov.my" }],
        }}),
    );
    assert_eq!(e["code"], "classification_refused");
    assert!(h.events.lock().unwrap().is_empty());
    assert!(!h.root.join("home/data/history.json").exists());
    h.shutdown();
}

#[test]
fn invalid_input_is_refused_with_codes() {
    let h = Harness::new(None);
    let e = h.err("add_dropped", json!({ "paths": ["/etc/passwd"] }));
    assert_eq!(e["code"], "file_not_dropped");
    let e = h.err(
        "send_start",
        json!({ "request": {
            "fileIds": ["f999"], "classification": "SULIT",
            "recipients": [{ "email": "a@agensi.gov.my" }] }}),
    );
    assert_eq!(e["code"], "unknown_file");
    // A file removed from the list cannot be sent.
    let path = h.file("dibuang.txt", b"x");
    *h.desktop.files.lock().unwrap() = vec![path];
    let picked = h.ok("pick_files", json!({}));
    h.ok("remove_file", json!({ "id": picked[0]["id"] }));
    let e = h.err(
        "send_start",
        json!({ "request": {
            "fileIds": [picked[0]["id"]], "classification": "SULIT",
            "recipients": [{ "email": "a@agensi.gov.my" }] }}),
    );
    assert_eq!(e["code"], "unknown_file");
    let e = h.err(
        "send_start",
        json!({ "request": {
            "fileIds": [], "classification": "SULIT",
            "recipients": [{ "email": "not an address" }] }}),
    );
    assert_eq!(e["code"], "recipient_invalid");
    let e = h.err(
        "receive_open",
        json!({ "link": "https://example.com/nothing" }),
    );
    assert!(e["code"].as_str().unwrap().starts_with("link_"), "{e}");
    let e = h.err("reveal_password", json!({ "jobId": "s999", "index": 0 }));
    assert_eq!(e["code"], "unknown_job");
    let e = h.err("receive_save", json!({ "folderId": "d1" }));
    assert_eq!(e["code"], "unknown_folder");
    h.shutdown();
}

#[test]
fn the_system_policy_locks_what_it_sets() {
    let h = Harness::new(Some(
        r#"
[store]
url = "https://kepil.agensi.gov.my"
local_store = false
[send]
classifications = ["TERHAD"]
[ui]
lang = "en"
mail = "gmail"
"#,
    ));
    let state = h.ok("app_state", json!({}));
    assert_eq!(state["mail"], "gmail");
    assert_eq!(state["store"]["url"], "https://kepil.agensi.gov.my/");
    assert_eq!(state["store"]["local"], false);
    assert_eq!(state["store"]["locked"], true);
    assert_eq!(state["lang"], "en");
    for name in ["storeUrl", "localStore", "classifications", "lang", "mail"] {
        assert!(
            state["locked"].as_array().unwrap().contains(&json!(name)),
            "{state}"
        );
    }
    let e = h.err("settings_save", json!({ "request": { "mail": "system" } }));
    assert_eq!(e["code"], "setting_locked");
    assert_eq!(e["params"]["setting"], "mail");
    let e = h.err(
        "settings_save",
        json!({ "request": { "storeUrl": "https://lain.example.gov.my" } }),
    );
    assert_eq!(e["code"], "setting_locked");
    assert_eq!(e["params"]["setting"], "storeUrl");
    let e = h.err("settings_save", json!({ "request": { "lang": "ms" } }));
    assert_eq!(e["code"], "setting_locked");
    let e = h.err("check_classification", json!({ "value": "SULIT" }));
    assert_eq!(e["code"], "classification_not_accepted");
    h.ok("check_classification", json!({ "value": "TERHAD" }));
    h.shutdown();
}

#[test]
fn a_policy_that_keeps_secrets_in_the_keyring_only_never_writes_the_file() {
    // This harness has no keyring (a file-only secret store), as a desktop whose keyring is
    // missing or does not answer.
    let h = Harness::new(Some(
        r#"
[store]
url = "https://kepil.agensi.gov.my"
local_store = false
[secrets]
file_fallback = false
"#,
    ));
    let e = h.err("token_save", json!({ "token": "kpl_kanari-5d2a" }));
    assert_eq!(e["code"], "credentials_unavailable", "{e}");
    assert!(
        e["params"]["reason"]
            .as_str()
            .unwrap()
            .contains("system keyring only"),
        "{e}"
    );
    assert!(!h.home().join("credentials.toml").exists());
    h.shutdown();
}

#[test]
fn a_broken_policy_blocks_sending() {
    let h = Harness::new(Some("[store\nurl = "));
    let e = h.err("app_state", json!({}));
    assert_eq!(e["code"], "policy_invalid");
    let e = h.err("check_classification", json!({ "value": "TERHAD" }));
    assert_eq!(e["code"], "policy_invalid");
    h.shutdown();
}

#[test]
fn settings_save_changes_language_and_store() {
    let h = Harness::new(None);
    let state = h.ok("settings_save", json!({ "request": { "lang": "en" } }));
    assert_eq!(state["lang"], "en");
    let e = h.err(
        "settings_save",
        json!({ "request": { "storeUrl": "http://kepil.agensi.gov.my" } }),
    );
    assert_eq!(e["code"], "bad_store_url");
    let state = h.ok(
        "settings_save",
        json!({ "request": { "storeUrl": "https://kepil.agensi.gov.my" } }),
    );
    assert_eq!(state["store"]["url"], "https://kepil.agensi.gov.my/");
    assert_eq!(state["tokenSet"], false);
    h.ok("token_save", json!({ "token": "kpl_abc" }));
    let state = h.ok("settings_save", json!({ "request": { "storeUrl": "" } }));
    assert_eq!(state["store"]["local"], true);
    h.shutdown();
}

type Seen = Arc<Mutex<Vec<(String, String, Value)>>>;

/// A gateway that records what it is sent, and answers 503 to as many requests as `busy`
/// holds (each one counts it down).
async fn recording_gateway() -> (String, Seen, Arc<std::sync::atomic::AtomicUsize>) {
    use axum::extract::{Json, OriginalUri};
    use axum::http::{HeaderMap, StatusCode};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let seen = Arc::new(Mutex::new(Vec::new()));
    let busy = Arc::new(AtomicUsize::new(0));
    let (record, left) = (seen.clone(), busy.clone());
    let app = axum::Router::new().route(
        "/send",
        axum::routing::post(
            move |uri: OriginalUri, headers: HeaderMap, Json(body): Json<Value>| {
                let (record, left) = (record.clone(), left.clone());
                async move {
                    let auth = headers
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string();
                    record.lock().unwrap().push((uri.0.to_string(), auth, body));
                    let busy = left
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok();
                    if busy {
                        (StatusCode::SERVICE_UNAVAILABLE, "busy")
                    } else {
                        (StatusCode::OK, "ok")
                    }
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), seen, busy)
}

#[test]
fn sms_goes_to_the_policy_gateway_with_its_secret() {
    let (base, seen, busy) = tauri::async_runtime::block_on(recording_gateway());
    let policy = format!("[sms]\nendpoint = \"{base}/send?to={{phone}}\"\nsecret = \"agensi\"\n");
    let h = Harness::with_secrets(Some(&policy), |secrets| {
        secrets
            .set("sms-secret:agensi", &SecretString::new("gw-secret"))
            .unwrap();
    });
    let state = h.ok("app_state", json!({}));
    assert_eq!(state["policy"]["smsEnabled"], true);
    let path = h.file("a.txt", b"hello");
    *h.desktop.files.lock().unwrap() = vec![path];
    let picked = h.ok("pick_files", json!({}));
    let job = h.ok(
        "send_start",
        json!({ "request": {
            "fileIds": [picked[0]["id"]], "classification": "TERHAD",
            "recipients": [{ "email": "a@agensi.gov.my", "phone": "+60123456789" },
                           { "email": "b@agensi.gov.my" }],
            "subject": "Surat" }}),
    );
    let job = job.as_str().unwrap().to_string();
    let done = h.wait_event("send-done", "send-failed", &job);
    let password = h.ok("reveal_password", json!({ "jobId": job, "index": 0 }));
    h.ok("send_sms", json!({ "jobId": job, "index": 0 }));
    let e = h.err("send_sms", json!({ "jobId": job, "index": 1 }));
    assert_eq!(e["code"], "sms_no_phone");
    let seen_all = seen.clone();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let (uri, auth, body) = &seen[0];
    assert_eq!(uri, "/send?to=%2B60123456789");
    assert_eq!(auth, "Bearer gw-secret");
    assert_eq!(body["phone"], "+60123456789");
    let text = body["message"].as_str().unwrap();
    assert!(text.contains(password.as_str().unwrap()), "{text}");
    let link = done["recipients"][0]["link"].as_str().unwrap();
    assert!(!text.contains(link), "the SMS must not carry the link");
    assert!(
        !text.contains("Surat"),
        "the SMS must not carry the subject: {text}"
    );
    assert!(
        !text.contains("a.txt"),
        "the SMS must not carry a file name: {text}"
    );

    // A busy gateway is tried again, three times in all; then the failure is reported with
    // the gateway's answer.
    busy.store(2, std::sync::atomic::Ordering::SeqCst);
    h.ok("send_sms", json!({ "jobId": job, "index": 0 }));
    assert_eq!(seen_len(&seen_all), 4);
    busy.store(5, std::sync::atomic::Ordering::SeqCst);
    let e = h.err("send_sms", json!({ "jobId": job, "index": 0 }));
    assert_eq!(e["code"], "sms_failed", "{e}");
    assert_eq!(e["params"]["status"], "503", "{e}");
    assert_eq!(seen_len(&seen_all), 7);
    h.shutdown();
}

fn seen_len(seen: &Seen) -> usize {
    seen.lock().unwrap().len()
}

/// Without a keyring the passwords are kept for this run only, and the result says so; the
/// ticks are kept either way (they are no secret), and a revoke leaves nothing to hand over.
#[test]
fn without_a_keyring_the_passwords_live_as_long_as_the_app_and_the_ticks_stay() {
    let h = Harness::new(None);
    let job = h.send_file("nota.txt", b"nota");
    let done = h.wait_event("send-done", "send-failed", &job);
    assert_eq!(done["notKept"]["code"], "handover_not_kept", "{done}");
    assert_eq!(
        done["notKept"]["params"]["reason"], "KEPIL_NO_KEYRING turns it off",
        "{done}"
    );
    let transfer = done["transferId"].as_str().unwrap().to_string();
    assert_eq!(
        done["recipients"][0]["delivery"]["linkSent"], false,
        "{done}"
    );
    // This run still has the password; nothing outside its memory does.
    h.ok("reveal_password", json!({ "jobId": job, "index": 0 }));
    let gone = h.err("handover_show", json!({ "transferId": transfer }));
    assert_eq!(gone["code"], "handover_gone", "{gone}");
    let gone = h.err("reveal_password", json!({ "jobId": transfer, "index": 0 }));
    assert_eq!(gone["code"], "handover_gone", "{gone}");

    let marked = h.ok(
        "delivery_mark",
        json!({ "jobId": job, "index": 0, "delivery": { "linkSent": true, "passwordGiven": false } }),
    );
    assert_eq!(marked, json!({ "linkSent": true, "passwordGiven": false }));
    let list = h.ok("history_list", json!({}));
    assert_eq!(list[0]["handover"], false, "{list}");
    assert_eq!(
        list[0]["recipients"][0]["delivery"]["linkSent"], true,
        "{list}"
    );
    assert_eq!(
        list[0]["recipients"][0]["delivery"]["passwordGiven"], false,
        "{list}"
    );
    let unknown = h.err(
        "delivery_mark",
        json!({ "jobId": "s-nope", "index": 0, "delivery": { "linkSent": true, "passwordGiven": true } }),
    );
    assert_eq!(unknown["code"], "unknown_job", "{unknown}");
}

#[test]
fn a_send_can_be_cancelled() {
    let h = Harness::new(None);
    let path = h.root.join("besar.bin");
    std::fs::File::create(&path)
        .unwrap()
        .set_len(200 << 20)
        .unwrap();
    *h.desktop.files.lock().unwrap() = vec![path];
    let picked = h.ok("pick_files", json!({}));
    let job = h.ok(
        "send_start",
        json!({ "request": {
            "fileIds": [picked[0]["id"]], "classification": "TERHAD",
            "recipients": [{ "email": "a@agensi.gov.my" }] }}),
    );
    let job = job.as_str().unwrap().to_string();
    // Cancelled once the upload runs, so there is a transfer at the store to cancel and
    // pending secrets on this side to remove.
    let uploading = (0..600).any(|_| {
        let seen = h.events.lock().unwrap().iter().any(|(n, p)| {
            n == "send-progress" && p["jobId"] == job.as_str() && p["phase"] == "uploading"
        });
        if !seen {
            std::thread::sleep(Duration::from_millis(100));
        }
        seen
    });
    assert!(uploading, "the upload never started: {}", h.events_text());
    let history = h.ok("history_list", json!({}));
    let tid = history[0]["transferId"].as_str().unwrap().to_string();
    let secrets = SecretStore::file_only(&Dirs::under(&h.home()));
    let pending = secrets
        .get(&format!("pending:{tid}"))
        .unwrap()
        .expect("the running send keeps its link and password for a resume");
    let pending: Value = serde_json::from_str(pending.expose()).unwrap();
    let mut canaries = password_canaries(pending["recipients"][0]["password"].as_str().unwrap());
    canaries.extend(link_secret_canaries(
        pending["recipients"][0]["link"].as_str().unwrap(),
    ));
    // Seen while kept, so that not seeing them after the cancel means something.
    let kept = std::fs::read(h.home().join("credentials.toml")).unwrap();
    assert!(
        !canaries_in(&kept, &canaries).is_empty(),
        "the pending secrets were not found"
    );

    h.ok("send_cancel", json!({ "jobId": job }));
    let mut ended = None;
    for _ in 0..300 {
        ended = h
            .events
            .lock()
            .unwrap()
            .iter()
            .find(|(n, p)| n != "send-progress" && p["jobId"] == job.as_str())
            .map(|(_, p)| p.clone());
        if ended.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let ended = ended.expect("the cancelled send never ended");
    assert_eq!(ended["error"]["code"], "cancelled", "{ended}");

    // Cancelled at the store (asked with the owner token), and nothing of it left here.
    let status = h.ok("history_status", json!({ "transferId": tid }));
    assert_eq!(status["upload_complete"], false, "{status}");
    assert_eq!(status["grants"][0]["revoked"], true, "{status}");
    assert!(
        secrets.get(&format!("pending:{tid}")).unwrap().is_none(),
        "pending secrets kept after the cancel"
    );
    assert!(
        walk(&h.home().join("cache").join("spool")).is_empty(),
        "journal kept after the cancel"
    );
    assert_no_canary(&h.home(), &canaries, "after the cancel");
    let leaked = canaries_in(h.events_text().as_bytes(), &canaries);
    assert!(leaked.is_empty(), "events carry {leaked:?}");
    h.shutdown();
}

/// The first of `names` that comes on any channel (a sign-in's `done` carries no job id).
fn wait_any(h: &Harness, names: &[&str]) -> (String, Value) {
    for _ in 0..600 {
        if let Some((n, payload)) = h
            .events
            .lock()
            .unwrap()
            .iter()
            .find(|(n, _)| names.contains(&n.as_str()))
        {
            return (n.clone(), payload.clone());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("none of {names:?}: {}", h.events_text());
}

#[test]
fn a_desktop_that_requires_sign_in_signs_in_through_the_browser_sends_as_the_person_and_signs_out()
{
    use kepil_test_support::oidc::{self, AtRedirect, OidcProvider};
    let op = OidcProvider::start(oidc::ProviderConfig::new());
    let provider = op.store_provider("agency");
    let store = tauri::async_runtime::block_on(kepil_test_support::store::start_with(|c| {
        c.identity.providers = vec![provider];
    }));
    let url = store.server.base_url().to_string();
    let h = Harness::with_secrets(
        Some(&format!(
            "[store]\nurl = \"{url}\"\n[sign_in]\nrequired = true\nprovider = \"agency\"\n"
        )),
        // A machine token saved before the policy: it is not what this desktop sends with.
        |secrets| {
            kepil_client::settings::save_token(
                &url.parse().unwrap(),
                &SecretString::new(store.token.as_str()),
                secrets,
            )
            .unwrap();
        },
    );

    let state = h.ok("app_state", json!({}));
    let account = &state["account"];
    assert_eq!(account["policyRequires"], true, "{state}");
    assert_eq!(account["lockedProvider"], "agency");
    assert_eq!(account["providers"][0]["displayName"], "Agency SSO");
    assert!(account["session"].is_null());
    assert_eq!(state["tokenSet"], false);
    assert_eq!(state["tokenLocked"], true);
    let e = h.err("token_save", json!({ "token": store.token }));
    assert_eq!(e["code"], "token_not_allowed", "{e}");

    // Nobody signed in: the send is refused before anything is uploaded.
    let path = h.file("surat.txt", b"surat rasmi");
    *h.desktop.files.lock().unwrap() = vec![path];
    let picked = h.ok("pick_files", json!({}));
    let request = json!({ "request": {
        "fileIds": [picked[0]["id"].clone()],
        "classification": "TERBUKA",
        "recipients": [{ "email": "penerima@agency.gov.my" }],
        "subject": "Surat",
        "message": "",
        "senderName": "Alice Tan"
    }});
    let e = h.err("send_start", request.clone());
    assert_eq!(e["code"], "not_signed_in", "{e}");
    // Another provider than the policy's is not asked for.
    let e = h.err("sign_in_start", json!({ "provider": "other" }));
    assert_eq!(e["code"], "provider_locked", "{e}");

    // Given up in the app before the browser came back: the sign-in ends, nothing is kept.
    let abandoned = h.ok("sign_in_start", json!({ "provider": null }));
    h.ok("sign_in_cancel", json!({ "jobId": abandoned["jobId"] }));
    let (name, ended) = wait_any(&h, &["signin-done", "signin-failed"]);
    assert_eq!(name, "signin-failed", "{ended}");
    assert_eq!(ended["error"]["code"], "sign_in_cancelled", "{ended}");
    assert!(h.ok("app_state", json!({}))["account"]["session"].is_null());
    h.events.lock().unwrap().clear();

    // Sign in: the browser is sent to the provider; the test's browser logs in and follows
    // the redirect to the app's loopback listener.
    let started = h.ok("sign_in_start", json!({ "provider": null }));
    assert_eq!(started["provider"], "Agency SSO");
    assert_eq!(started["browserOpened"], true);
    let authorize = started["url"].as_str().unwrap().to_string();
    assert!(authorize.starts_with(op.issuer()), "{authorize}");
    assert_eq!(h.desktop.opened.lock().unwrap().last(), Some(&authorize));
    tauri::async_runtime::block_on(op.login_via_browser(
        &authorize,
        oidc::ALICE_EMAIL,
        oidc::PASSWORD,
        AtRedirect::Follow,
    ))
    .expect("the browser signs in");
    let (name, session) = wait_any(&h, &["signin-done", "signin-failed"]);
    assert_eq!(name, "signin-done", "{session}");
    assert_eq!(session["email"], oidc::ALICE_EMAIL);
    assert_eq!(session["providerId"], "agency");

    let state = h.ok("app_state", json!({}));
    assert_eq!(
        state["account"]["session"]["email"],
        oidc::ALICE_EMAIL,
        "{state}"
    );
    // The refresh token and the session only in the secret store, never in the config.
    let config =
        std::fs::read_to_string(h.home().join("config").join("config.toml")).unwrap_or_default();
    assert!(!config.contains("refresh"), "{config}");

    // Signed in, the send goes as the person: the store's record names the verified address.
    let job = h.ok("send_start", request);
    let job = job.as_str().unwrap().to_string();
    h.wait_event("send-done", "send-failed", &job);
    let mine = h.ok("account_transfers", json!({}));
    let mine = mine.as_array().unwrap();
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert!(
        mine[0]["sender"]
            .as_str()
            .unwrap()
            .contains(oidc::ALICE_EMAIL),
        "{mine:?}"
    );
    assert_eq!(mine[0]["here"], true);
    let id = mine[0]["transferId"].as_str().unwrap().to_string();
    h.ok("account_revoke", json!({ "transferId": id }));

    // Signing out forgets the session: the next send is refused again.
    let out = h.ok("sign_out", json!({}));
    assert_eq!(out["email"], oidc::ALICE_EMAIL, "{out}");
    assert!(out["storeError"].is_null(), "{out}");
    let state = h.ok("app_state", json!({}));
    assert!(state["account"]["session"].is_null(), "{state}");
    let dir = h.shutdown();
    let mut leftovers = String::new();
    for entry in walk(dir.path()) {
        leftovers.push_str(&std::fs::read_to_string(&entry).unwrap_or_default());
    }
    assert!(
        !leftovers.contains("refresh-token:"),
        "a refresh token was left behind"
    );
    drop(store);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn files_are_scanned_both_ways_and_a_required_scanner_that_stopped_refuses() {
    use kepil_test_support::clamd::{Clamd, EICAR, EICAR_SIGNATURE};
    let mut daemon = Clamd::start();
    let policy = format!(
        "[scan]\nscanner = \"{}\"\nsend = \"required\"\nreceive = \"required\"\n",
        daemon.unix_address()
    );
    let h = Harness::new(Some(&policy));
    let state = h.ok("app_state", json!({}));
    assert!(
        state["locked"]
            .as_array()
            .unwrap()
            .contains(&json!("scanner")),
        "{state}"
    );
    let job = h.send_file("bersih.pdf", &sample_bytes());
    let done = h.wait_event("send-done", "send-failed", &job);
    assert!(
        done["scan"]["engine"]
            .as_str()
            .unwrap()
            .starts_with("ClamAV "),
        "{done}"
    );
    assert!(
        h.events
            .lock()
            .unwrap()
            .iter()
            .any(|(n, p)| n == "send-progress" && p["phase"] == "scanning"),
        "the scan phase is shown: {}",
        h.events_text()
    );
    let link = done["recipients"][0]["link"].as_str().unwrap().to_string();
    let password = h.ok("reveal_password", json!({ "jobId": job, "index": 0 }));

    let job = h.send_file("lampiran.com", EICAR);
    let failed = h.wait_event("send-failed", "send-done", &job);
    assert_eq!(failed["error"]["code"], "infected_send", "{failed}");
    assert_eq!(failed["error"]["params"]["signature"], EICAR_SIGNATURE);

    let unlocked = h.ok(
        "receive_unlock",
        json!({ "link": link, "password": password }),
    );
    assert_eq!(
        unlocked["manifest"]["senderScan"]["engine"], done["scan"]["engine"],
        "{unlocked}"
    );
    assert!(unlocked["localScan"]["scanner"]["engine"].is_string());
    let out = h.root.join("diterima");
    std::fs::create_dir_all(&out).unwrap();
    *h.desktop.folder.lock().unwrap() = Some(out.clone());
    let picked = h.ok("pick_folder", json!({}));
    let rjob = h.ok("receive_save", json!({ "folderId": picked["id"] }));
    h.wait_event("receive-done", "receive-failed", rjob.as_str().unwrap());
    let saved = out.join("bersih.pdf");
    assert_eq!(std::fs::read(&saved).unwrap(), sample_bytes());
    assert_eq!(
        kepil_client::origin::read(&saved).as_deref(),
        link.split_once('#').map(|(l, _)| l)
    );

    // IT's clamd stopped: the policy requires scanning, so nothing goes and nothing is unlocked.
    daemon.stop();
    let job = h.send_file("lagi.pdf", b"lagi");
    let failed = h.wait_event("send-failed", "send-done", &job);
    assert_eq!(failed["error"]["code"], "scanner_unreachable", "{failed}");
    let e = h.err(
        "receive_unlock",
        json!({ "link": link, "password": password }),
    );
    assert_eq!(e["code"], "scanner_unreachable", "{e}");
}

#[test]
fn a_link_to_a_store_this_computer_does_not_know_is_opened_only_once_confirmed() {
    let other = tauri::async_runtime::block_on(kepil_test_support::store::start());
    let url = other.server.base_url().to_string();
    let h = Harness::new(None);
    // Sent through that store while it was this computer's own ...
    h.ok("settings_save", json!({ "request": { "storeUrl": url } }));
    h.ok("token_save", json!({ "token": other.token.as_str() }));
    let job = h.send_file("surat.txt", b"surat rasmi");
    let done = h.wait_event("send-done", "send-failed", &job);
    let link = done["recipients"][0]["link"].as_str().unwrap().to_string();
    let password = h.ok("reveal_password", json!({ "jobId": job, "index": 0 }));
    let info = h.ok("receive_open", json!({ "link": link }));
    assert_eq!(info["storeView"]["standing"], "trusted", "{info}");

    // ... and no longer: the link now leads to a store this computer does not know.
    h.ok("settings_save", json!({ "request": { "storeUrl": "" } }));
    let e = h.err("receive_open", json!({ "link": link }));
    assert_eq!(e["code"], "store_unconfirmed", "{e}");
    let host = url.trim_end_matches('/').split_once("://").unwrap().1;
    assert_eq!(e["params"]["host"], host);
    // The webview cannot go around the question.
    let e = h.err(
        "receive_unlock",
        json!({ "link": link, "password": password }),
    );
    assert_eq!(e["code"], "store_unconfirmed", "{e}");
    let status = h.ok(
        "history_status",
        json!({ "transferId": done["transferId"] }),
    );
    assert_eq!(status["grants"][0]["downloads"], 0, "nothing was counted");

    let info = h.ok(
        "receive_open",
        json!({ "link": link, "confirmStore": true }),
    );
    assert_eq!(info["storeView"]["standing"], "confirmed", "{info}");
    let unlocked = h.ok(
        "receive_unlock",
        json!({ "link": link, "password": password }),
    );
    assert_eq!(unlocked["manifest"]["files"][0]["name"], "surat.txt");
    h.shutdown();

    // A desktop whose policy refuses other stores does not contact it, confirmed or not.
    let refusing = Harness::new(Some("[trust]\nother_stores = \"refuse\"\n"));
    let e = refusing.err(
        "receive_open",
        json!({ "link": link, "confirmStore": true }),
    );
    assert_eq!(e["code"], "store_refused", "{e}");
    refusing.shutdown();
}
