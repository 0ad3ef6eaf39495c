//! The app's secrets with a real Secret Service: gnome-keyring in a private D-Bus session, with
//! HOME and every XDG directory inside a temporary directory, so the user's own keyring,
//! session bus and files are never touched.
//!
//! Each test runs itself again inside `dbus-run-session` (the keyring must answer on the bus of
//! the process that opens it). In the first, the inner run saves the uploader token through the
//! `token_save` command, as the Settings page does, and reads it back with `secret-tool`; the
//! outer run then looks for the token in every file under the temporary HOME. In the second,
//! the keyring is locked and the session has a display (Xvfb), so reading the token puts
//! gnome-keyring's real unlock prompt (gcr-prompter) on a screen nobody answers, as on a desktop
//! whose user has not unlocked the login keyring: the first screen's state must still come, and
//! say that the keyring is waiting.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kepil_client::secrets::SecretStore;
use kepil_client::settings::Dirs;
use kepil_tests::app::MockApp;
use serde_json::{Value, json};

use common::*;

/// Set (to the marker file's path) in the inner run.
const INNER: &str = "KEPIL_TEST_KEYRING_INNER";
const STORE: &str = "https://kepil.agensi.gov.my";
const TOKEN: &str = "kpl_kanari-token-9f2c41d7e0b3";

/// Fails, naming the Debian package, when a tool is missing: a test that skipped itself would
/// pass without testing anything.
fn require_tool(tool: &str, package: &str) {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()));
    assert!(
        found,
        "{tool} is missing: install the Debian package {package} (scripts/setup does)"
    );
}

#[test]
fn the_uploader_token_goes_to_the_keyring_and_to_no_file() {
    if let Some(marker) = std::env::var_os(INNER) {
        inner(Path::new(&marker));
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let home = root.path().join("home");
    in_session(
        "the_uploader_token_goes_to_the_keyring_and_to_no_file",
        &root,
        false,
    );
    assert_no_canary(
        &home,
        &[Canary::text("uploader token", TOKEN)],
        "after the session ended",
    );
}

#[test]
fn a_locked_keyring_whose_prompt_nobody_answers_does_not_hold_up_the_first_screen() {
    if let Some(marker) = std::env::var_os(INNER) {
        inner_locked(Path::new(&marker));
        return;
    }
    let root = tempfile::tempdir().unwrap();
    in_session(
        "a_locked_keyring_whose_prompt_nobody_answers_does_not_hold_up_the_first_screen",
        &root,
        true,
    );
}

#[test]
fn the_passwords_to_hand_over_outlive_the_app_in_the_keyring_until_handed_over() {
    if let Some(marker) = std::env::var_os(INNER) {
        inner_handover(Path::new(&marker));
        return;
    }
    let root = tempfile::tempdir().unwrap();
    in_session(
        "the_passwords_to_hand_over_outlive_the_app_in_the_keyring_until_handed_over",
        &root,
        false,
    );
}

/// Runs the test `name` of this binary again inside a private D-Bus session with an unlocked
/// gnome-keyring, HOME under `root`, and (with `display`) a virtual X server.
fn in_session(name: &str, root: &tempfile::TempDir, display: bool) {
    require_tool("dbus-run-session", "dbus-daemon");
    require_tool("gnome-keyring-daemon", "gnome-keyring");
    require_tool("secret-tool", "libsecret-tools");
    if display {
        require_tool("xvfb-run", "xvfb");
        require_tool("gdbus", "libglib2.0-bin");
        assert!(
            Path::new("/usr/libexec/gcr-prompter").exists(),
            "gcr-prompter is missing: install the Debian package gcr (gnome-keyring pulls it in)"
        );
    }
    let home = root.path().join("home");
    let marker = root.path().join("inner-ran");
    let mut cmd = Command::new(if display {
        "xvfb-run"
    } else {
        "dbus-run-session"
    });
    if display {
        cmd.args(["-a", "-s", "-screen 0 1024x768x24", "dbus-run-session"]);
    }
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("LANG", "C.UTF-8")
        .env(INNER, &marker)
        .env("TEST_EXE", std::env::current_exe().unwrap());
    for (var, sub) in [
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_RUNTIME_DIR", "run"),
    ] {
        let dir = home.join(sub);
        std::fs::create_dir_all(&dir).unwrap();
        cmd.env(var, dir);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // gnome-keyring refuses a runtime directory others can read.
        std::fs::set_permissions(home.join("run"), std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    // The same unlock as scripts/test; the inner run is this one test of this binary.
    cmd.args([
        "--",
        "sh",
        "-c",
        r#"eval "$(printf kepil-test | gnome-keyring-daemon --unlock --components=secrets | sed 's/^/export /')"
           exec "$TEST_EXE" --exact "$0" --nocapture --test-threads=1"#,
        name,
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let out = run_with_timeout(cmd, Duration::from_secs(120));
    let shown = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "the keyring session failed: {shown}");
    // `--exact` with a wrong name runs nothing and succeeds: the marker says it ran.
    assert!(marker.exists(), "the inner test never ran: {shown}");
}

fn run_with_timeout(mut cmd: Command, limit: Duration) -> std::process::Output {
    let mut child = cmd.spawn().expect("dbus-run-session starts");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "the keyring session did not end within {limit:?}: {}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().unwrap()
}

/// Inside the private session: the app's own way of opening its secrets (lib.rs `run`).
fn inner(marker: &Path) {
    let home = PathBuf::from(std::env::var_os("HOME").unwrap());
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "not in a D-Bus session"
    );
    let dirs = Dirs::from_env().unwrap();
    assert!(dirs.config.starts_with(&home), "{dirs:?}");
    let secrets = SecretStore::open(&dirs);
    assert_eq!(
        secrets.backend_name(),
        "keyring",
        "no Secret Service answered"
    );
    let config_dir = dirs.config.clone();
    let app = MockApp::with_dirs(dirs, secrets, &home.join("no-policy.toml"));
    let call = |cmd: &str, args: Value| app.ok(cmd, args);
    let state = call("settings_save", json!({ "request": { "storeUrl": STORE } }));
    assert_eq!(state["tokenSet"], false, "{state}");
    assert_eq!(call("token_save", json!({ "token": TOKEN })), "keyring");
    // The app reads it back (from the keyring: there is no other copy)...
    let state = call("app_state", json!({}));
    assert_eq!(state["tokenSet"], true, "{state}");
    // ...and so does any Secret Service client, under Kepil's service and key.
    let out = Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            "kepil",
            "username",
            &format!("uploader-token:{STORE}"),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "secret-tool: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), TOKEN);
    assert!(
        !config_dir.join("credentials.toml").exists(),
        "the token fell back to the file"
    );
    assert_eq!(state["secrets"]["keyring"], true, "{state}");
    assert_eq!(state["secrets"]["fileReason"], Value::Null, "{state}");
    assert_no_canary(
        &home,
        &[Canary::text("uploader token", TOKEN)],
        "with the app running",
    );
    app.shutdown();
    std::fs::write(marker, "ran").unwrap();
}

/// Inside the private session with a display: a token in the keyring, the keyring locked, then
/// the app started as on a fresh login.
fn inner_locked(marker: &Path) {
    let home = PathBuf::from(std::env::var_os("HOME").unwrap());
    assert!(std::env::var_os("DISPLAY").is_some(), "no display");
    let dirs = Dirs::from_env().unwrap();
    // An earlier run of the app saved the token while the keyring was open.
    let store = "http://127.0.0.1:9";
    let earlier = SecretStore::open(&dirs);
    assert_eq!(earlier.backend_name(), "keyring", "no Secret Service");
    let url = kepil_client::settings::parse_store_url(store).unwrap();
    assert_eq!(
        kepil_client::settings::save_token(&url, &kepil_client::SecretString::new(TOKEN), &earlier)
            .unwrap(),
        "keyring"
    );
    drop(earlier);
    // Locked through the Secret Service API itself (`secret-tool lock` crashes in Debian 12's
    // libsecret 0.20.5).
    let out = Command::new("gdbus")
        .args([
            "call",
            "--session",
            "--dest",
            "org.freedesktop.secrets",
            "--object-path",
            "/org/freedesktop/secrets",
            "--method",
            "org.freedesktop.Secret.Service.Lock",
            "['/org/freedesktop/secrets/collection/login']",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "locking the keyring: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let started = Instant::now();
    let secrets = SecretStore::open(&dirs);
    // Probing needs no unlock: the keyring is there, only locked.
    assert_eq!(secrets.backend_name(), "keyring");
    let app = MockApp::with_dirs(dirs, secrets, &home.join("no-policy.toml"));
    app.ok("settings_save", json!({ "request": { "storeUrl": store } }));
    let state = app.ok("app_state", json!({}));
    let first_screen = started.elapsed();
    // The token read waited KEYRING_TIMEOUT (3 s) for the prompt, then gave up.
    assert!(
        first_screen < Duration::from_secs(10),
        "the first screen's state took {first_screen:?}"
    );
    assert_eq!(state["secrets"]["waiting"], true, "{state}");
    assert_eq!(state["tokenSet"], false, "{state}");
    // The prompt is still up; asking again answers at once instead of stacking prompts.
    let again = Instant::now();
    let state = app.ok("app_state", json!({}));
    assert!(
        again.elapsed() < Duration::from_secs(2),
        "a second read waited {:?}",
        again.elapsed()
    );
    assert_eq!(state["secrets"]["waiting"], true, "{state}");
    // A token saved now cannot go to the keyring: it goes to the private file, and the app
    // says so rather than "saved" alone.
    let place = app.ok("token_save", json!({ "token": "kpl_second-token" }));
    assert_eq!(place, "file");
    let state = app.ok("app_state", json!({}));
    assert_eq!(state["tokenSet"], true, "{state}");
    assert_eq!(state["secrets"]["fileReason"], "unanswered", "{state}");
    app.shutdown();
    std::fs::write(marker, "ran").unwrap();
}

/// Inside the private session: a send through the local store, the app closed and opened
/// again, the password still there (from the keyring only), then handed over and forgotten.
fn inner_handover(marker: &Path) {
    let home = PathBuf::from(std::env::var_os("HOME").unwrap());
    let dirs = Dirs::from_env().unwrap();
    let policy = home.join("no-policy.toml");
    let secrets = SecretStore::open(&dirs);
    assert_eq!(secrets.backend_name(), "keyring", "no Secret Service");
    let app = MockApp::with_dirs(dirs.clone(), secrets, &policy);
    let job = app.send_file("nota.txt", b"SULIT: nota untuk penerima");
    let done = app.wait_event("send-done", "send-failed", &job);
    assert_eq!(done["notKept"], Value::Null, "{done}");
    let transfer = done["transferId"].as_str().unwrap().to_string();
    let password = app.ok("reveal_password", json!({ "jobId": job, "index": 0 }));
    let password = password.as_str().unwrap().to_string();
    app.ok(
        "delivery_mark",
        json!({ "jobId": job, "index": 0, "delivery": { "linkSent": true, "passwordGiven": false } }),
    );
    app.shutdown();

    // The app again, as after a restart: History has the transfer, and its password.
    let app = MockApp::with_dirs(dirs.clone(), SecretStore::open(&dirs), &policy);
    let list = app.ok("history_list", json!({}));
    let item = &list[0];
    assert_eq!(item["transferId"], transfer.as_str(), "{list}");
    assert_eq!(item["handover"], true, "{list}");
    assert_eq!(
        item["recipients"][0]["delivery"]["linkSent"], true,
        "{list}"
    );
    let cards = app.ok("handover_show", json!({ "transferId": transfer }));
    assert_eq!(cards.as_array().unwrap().len(), 1, "{cards}");
    assert_eq!(cards[0]["delivery"]["linkSent"], true, "{cards}");
    assert_eq!(cards[0]["hasPassword"], true, "{cards}");
    let again = app.ok("reveal_password", json!({ "jobId": transfer, "index": 0 }));
    assert_eq!(again.as_str(), Some(password.as_str()));
    // Only the keyring has it: no file under HOME does.
    assert_no_canary(
        &home,
        &password_canaries(&password),
        "with the passwords kept to hand over",
    );
    // Handed over: forgotten, in the keyring too.
    app.ok(
        "delivery_mark",
        json!({ "jobId": transfer, "index": 0, "delivery": { "linkSent": true, "passwordGiven": true } }),
    );
    let gone = app.err("reveal_password", json!({ "jobId": transfer, "index": 0 }));
    assert_eq!(gone["code"], "handover_gone", "{gone}");
    let list = app.ok("history_list", json!({}));
    assert_eq!(list[0]["handover"], false, "{list}");
    assert_eq!(
        list[0]["recipients"][0]["delivery"]["passwordGiven"], true,
        "{list}"
    );
    let out = Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            "kepil",
            "username",
            &format!("handover:{transfer}"),
        ])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).trim().is_empty(),
        "the keyring still holds the handover"
    );
    app.shutdown();
    std::fs::write(marker, "ran").unwrap();
}
