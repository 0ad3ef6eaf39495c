//! `kepil login` with the store's identity provider, end to end: the real `kepil` binary, a
//! real kepil-store in this process checking sign-ins, and a real OpenID Provider (the
//! test-support fixture) whose pages a scripted browser fills in. Then what the session is for:
//! `whoami`, `send` as the signed-in person, `transfers`, `revoke` from another computer,
//! `admin`, and `logout`.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::*;
use kepil_test_support::oidc::{self, AtRedirect, OidcProvider};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

/// A store whose identity provider is `op` (id `agency`), Bob its administrator.
async fn env_with(op: &OidcProvider, extra: Vec<kepil_store::identity::ProviderConfig>) -> Env {
    let mut providers = vec![op.store_provider("agency")];
    providers.extend(extra);
    Env::start_with(EnvOptions {
        configure: Some(Box::new(move |c: &mut kepil_store::Config| {
            c.identity.providers = providers;
            c.identity.admins = vec![oidc::BOB_EMAIL.into()];
        })),
        ..EnvOptions::default()
    })
    .await
}

/// `kepil` as `user` without the machine token every other test runs with, and with a
/// "browser" that opens nothing.
fn signed_in_kepil(env: &Env, user: &str) -> Command {
    let mut cmd = env.kepil(user);
    cmd.env_remove("KEPIL_TOKEN").env("BROWSER", "true");
    cmd
}

/// A running `kepil` whose stderr is read line by line as it comes.
struct Running {
    child: Child,
    lines: tokio::sync::mpsc::UnboundedReceiver<String>,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Running {
    fn spawn(cmd: &mut Command, stdin: Stdio) -> Running {
        let mut child = cmd
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kepil runs");
        let (tx, lines) = tokio::sync::mpsc::unbounded_channel();
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let all = stderr.clone();
        let mut reader = BufReader::new(child.stderr.take().unwrap()).lines();
        tokio::spawn(async move {
            while let Ok(Some(line)) = reader.next_line().await {
                all.lock().unwrap().push_str(&format!("{line}\n"));
                let _ = tx.send(line);
            }
        });
        Running {
            child,
            lines,
            stderr,
        }
    }

    /// The first line of stderr `pick` accepts, transformed.
    async fn line<T>(&mut self, pick: impl Fn(&str) -> Option<T>) -> T {
        let wait = async {
            while let Some(line) = self.lines.recv().await {
                if let Some(found) = pick(&line) {
                    return found;
                }
            }
            panic!("kepil ended: {}", self.stderr.lock().unwrap());
        };
        tokio::time::timeout(Duration::from_secs(60), wait)
            .await
            .unwrap_or_else(|_| panic!("no such line: {}", self.stderr.lock().unwrap()))
    }

    async fn finish(mut self) -> (Option<i32>, String, String) {
        let mut stdout = String::new();
        if let Some(mut out) = self.child.stdout.take() {
            use tokio::io::AsyncReadExt;
            out.read_to_string(&mut stdout).await.unwrap();
        }
        let status = tokio::time::timeout(Duration::from_secs(120), self.child.wait())
            .await
            .expect("kepil finishes")
            .unwrap();
        // The reader task drains what is left.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let stderr = self.stderr.lock().unwrap().clone();
        (status.code(), stdout, stderr)
    }
}

/// `kepil login` through the browser: the URL it prints is opened by the fixture's browser,
/// which signs `email` in and follows the redirect to kepil's loopback listener.
async fn login(env: &Env, op: &OidcProvider, user: &str, email: &str) -> String {
    let mut cmd = signed_in_kepil(env, user);
    cmd.arg("login");
    let mut run = Running::spawn(&mut cmd, Stdio::null());
    let issuer = op.issuer().to_string();
    let url = run
        .line(|l| l.starts_with(&issuer).then(|| l.trim().to_string()))
        .await;
    let landing = op
        .login_via_browser(&url, email, oidc::PASSWORD, AtRedirect::Follow)
        .await
        .expect("the browser signs in");
    let (status, page) = landing.client_response.expect("kepil's listener answered");
    assert_eq!(status, 200, "{page}");
    let (code, _, stderr) = run.finish().await;
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains(email), "{stderr}");
    stderr
}

fn assert_failed(out: &std::process::Output, exit: i32, code: &str) {
    assert_eq!(out.status.code(), Some(exit), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains(&format!("[{code}]")),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_in_the_browser_then_send_list_revoke_and_logout_as_the_signed_in_person() {
    let op = OidcProvider::start(oidc::ProviderConfig::new());
    let env = env_with(&op, vec![]).await;
    let said = login(&env, &op, "sender", oidc::ALICE_EMAIL).await;
    assert!(
        said.contains(&format!(
            "Signed in to {}/ as Alice Tan <{}> (Agency SSO)",
            env.url,
            oidc::ALICE_EMAIL
        )),
        "{said}"
    );
    assert!(said.contains("renews itself"), "{said}");

    let who = run(signed_in_kepil(&env, "sender").args(["whoami", "--json"])).await;
    assert!(who.status.success(), "{}", text(&who.stderr));
    let who = json(&who);
    assert_eq!(who["identity"]["email"], oidc::ALICE_EMAIL);
    assert_eq!(who["kind"], "session");
    assert_eq!(who["admin"], false);
    let human = run(signed_in_kepil(&env, "sender").arg("whoami")).await;
    let human = text(&human.stdout);
    assert!(human.contains("signed in with agency"), "{human}");
    assert!(human.contains("Administrator: no"), "{human}");

    // The sealed sender is the signed-in address; a display name may be added.
    let f = env.dir("src").join("surat.txt");
    write_file(&f, 1000, 7);
    let sent = run(signed_in_kepil(&env, "sender").args([
        "send",
        f.to_str().unwrap(),
        "--classification",
        "terbuka",
        "--to",
        "penerima@agency.gov.my",
        "--from",
        "Alice Tan",
        "--json",
    ]))
    .await;
    assert!(sent.status.success(), "{}", text(&sent.stderr));
    let sent = json(&sent);
    let tid = sent["transfer"].as_str().unwrap().to_string();
    let link = sent["recipients"][0]["link"].as_str().unwrap();
    let got = env.receive("r", link, "", &env.dir("out")).await;
    assert!(got.status.success(), "{}", text(&got.stderr));
    assert_eq!(
        json(&got)["sender"],
        format!("Alice Tan <{}>", oidc::ALICE_EMAIL)
    );
    // Another address is refused before anything is read or sent.
    let out = run(signed_in_kepil(&env, "sender").args([
        "send",
        f.to_str().unwrap(),
        "--classification",
        "terbuka",
        "--to",
        "penerima@agency.gov.my",
        "--from",
        oidc::BOB_EMAIL,
    ]))
    .await;
    assert_failed(&out, 2, "sender_mismatch");

    let list = run(signed_in_kepil(&env, "sender").args(["transfers", "--json"])).await;
    assert!(list.status.success(), "{}", text(&list.stderr));
    let list = json(&list);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["transfer_id"], tid.as_str());

    // Another computer, no history, no owner token: signed in, the ID is enough.
    let out = run(signed_in_kepil(&env, "laptop").args(["revoke", &tid])).await;
    assert_failed(&out, 5, "unknown_transfer");
    login(&env, &op, "laptop", oidc::ALICE_EMAIL).await;
    let out = run(signed_in_kepil(&env, "laptop").args(["revoke", &tid, "--json"])).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(json(&out)["revoked"], "all");
    let list = run(signed_in_kepil(&env, "sender").args(["transfers", "--json"])).await;
    assert_eq!(json(&list).as_array().unwrap().len(), 0);

    // The refresh token is in the credential store (the 0600 file: no keyring here) and in
    // no other file, no output and not the store's data.
    let home = env.home("sender");
    let dirs = kepil_client::settings::Dirs::under(&home);
    let secrets = kepil_client::secrets::SecretStore::file_only(&dirs);
    let store_url = kepil_client::settings::parse_store_url(&env.url).unwrap();
    let key = kepil_client::signin::session::refresh_token_key(&store_url, "agency");
    let refresh = secrets.get(&key).unwrap().expect("a refresh token");
    let canary = refresh.expose().to_string();
    for file in walk(&env.homes()) {
        if file.file_name().is_some_and(|n| n == "credentials.toml") {
            continue;
        }
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !bytes.windows(canary.len()).any(|w| w == canary.as_bytes()),
            "the refresh token is in {}",
            file.display()
        );
    }
    for file in env.store_files() {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !bytes.windows(canary.len()).any(|w| w == canary.as_bytes()),
            "the refresh token is in the store's {}",
            file.display()
        );
    }
    assert!(!said.contains(&canary));

    let out = run(signed_in_kepil(&env, "sender").arg("logout")).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("signed out of"),
        "{}",
        text(&out.stderr)
    );
    assert!(secrets.get(&key).unwrap().is_none());
    let out = run(signed_in_kepil(&env, "sender").args(["whoami", "--json"])).await;
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json(&out)["error"]["code"], "not_signed_in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_without_a_browser_shows_a_code_to_enter_on_another_device() {
    let op = OidcProvider::start(oidc::ProviderConfig::new());
    let env = env_with(&op, vec![]).await;
    let mut cmd = signed_in_kepil(&env, "server");
    cmd.args(["login", "--no-browser"]);
    let mut run = Running::spawn(&mut cmd, Stdio::null());
    let uri = run
        .line(|l| {
            l.strip_prefix("Sign in on any device at: ")
                .map(str::to_string)
        })
        .await;
    let code = run
        .line(|l| l.strip_prefix("Code: ").map(str::to_string))
        .await;
    op.approve_device_code(&uri, &code, oidc::ALICE_EMAIL, oidc::PASSWORD)
        .await
        .expect("approved");
    let (status, _, stderr) = run.finish().await;
    assert_eq!(status, Some(0), "{stderr}");
    assert!(stderr.contains(oidc::ALICE_EMAIL), "{stderr}");
    let who = run_whoami(&env, "server").await;
    assert_eq!(who["identity"]["email"], oidc::ALICE_EMAIL);
}

async fn run_whoami(env: &Env, user: &str) -> Value {
    let out = run(signed_in_kepil(env, user).args(["whoami", "--json"])).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    json(&out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_finished_on_another_computer_is_completed_by_pasting_the_address() {
    let op = OidcProvider::start(oidc::ProviderConfig::new());
    let env = env_with(&op, vec![]).await;
    let mut cmd = signed_in_kepil(&env, "sender");
    cmd.arg("login");
    let mut run = Running::spawn(&mut cmd, Stdio::piped());
    let issuer = op.issuer().to_string();
    let url = run
        .line(|l| l.starts_with(&issuer).then(|| l.trim().to_string()))
        .await;
    // The browser elsewhere cannot reach this computer's listener: it stops at the redirect,
    // and the person copies the address.
    let landing = op
        .login_via_browser(&url, oidc::ALICE_EMAIL, oidc::PASSWORD, AtRedirect::Stop)
        .await
        .unwrap();
    let mut stdin = run.child.stdin.take().unwrap();
    stdin
        .write_all(format!("{}\n", landing.url).as_bytes())
        .await
        .unwrap();
    drop(stdin);
    let (status, _, stderr) = run.finish().await;
    assert_eq!(status, Some(0), "{stderr}");
    assert_eq!(
        run_whoami(&env, "sender").await["identity"]["email"],
        oidc::ALICE_EMAIL
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_with_two_providers_asks_which() {
    let op = OidcProvider::start(oidc::ProviderConfig::new());
    let other = op.store_provider("other");
    let env = env_with(&op, vec![other]).await;
    let out = run(signed_in_kepil(&env, "sender").arg("login")).await;
    assert_failed(&out, 2, "provider_choice");
    assert!(
        text(&out.stderr).contains("--provider: agency, other"),
        "{}",
        text(&out.stderr)
    );
    let out = run(signed_in_kepil(&env, "sender").args(["login", "--provider", "okta"])).await;
    assert_failed(&out, 2, "provider_unknown");
    // Named, it signs in there.
    let mut cmd = signed_in_kepil(&env, "sender");
    cmd.args(["login", "--provider", "other"]);
    let mut running = Running::spawn(&mut cmd, Stdio::null());
    let issuer = op.issuer().to_string();
    let url = running
        .line(|l| l.starts_with(&issuer).then(|| l.trim().to_string()))
        .await;
    op.login_via_browser(&url, oidc::ALICE_EMAIL, oidc::PASSWORD, AtRedirect::Follow)
        .await
        .unwrap();
    let (status, _, stderr) = running.finish().await;
    assert_eq!(status, Some(0), "{stderr}");
    assert_eq!(
        run_whoami(&env, "sender").await["identity"]["provider"],
        "other"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_without_sign_in_keeps_the_token_prompt() {
    let env = Env::start().await;
    let mut cmd = env.kepil("sender");
    cmd.env_remove("KEPIL_TOKEN").arg("login");
    // No provider: `kepil login` asks for a machine token as it always did (no terminal here).
    let out = run(&mut cmd).await;
    assert_failed(&out, 2, "no_terminal");
    let out = run(env.kepil("sender").args(["login", "--no-browser"])).await;
    assert_failed(&out, 2, "sign_in_unavailable");
    // A machine token says what it is.
    let who = run(env.kepil("sender").args(["whoami", "--json"])).await;
    assert!(who.status.success(), "{}", text(&who.stderr));
    assert_eq!(json(&who)["kind"], "token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_search_revoke_disable_and_enable_from_the_terminal() {
    let op = OidcProvider::start(oidc::ProviderConfig::new());
    let env = env_with(&op, vec![]).await;
    login(&env, &op, "alice", oidc::ALICE_EMAIL).await;
    login(&env, &op, "bob", oidc::BOB_EMAIL).await;
    let f = env.dir("src").join("a.txt");
    write_file(&f, 100, 1);
    for _ in 0..2 {
        let out = run(signed_in_kepil(&env, "alice").args([
            "send",
            f.to_str().unwrap(),
            "--classification",
            "terhad",
            "--to",
            "x@agency.gov.my",
            "--json",
        ]))
        .await;
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let out = run(signed_in_kepil(&env, "alice").args(["admin", "search", oidc::BOB_EMAIL])).await;
    assert_failed(&out, 1, "forbidden");

    let admin = |args: &[&str]| {
        let mut cmd = signed_in_kepil(&env, "bob");
        cmd.arg("admin").args(args);
        cmd
    };
    assert_eq!(run_whoami(&env, "bob").await["admin"], true);
    let out = run(&mut admin(&["search", oidc::ALICE_EMAIL, "--json"])).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let found = json(&out);
    assert_eq!(found.as_array().unwrap().len(), 2);
    let one = found[0]["transfer_id"].as_str().unwrap().to_string();
    let out = run(&mut admin(&["revoke", "--transfer", &one])).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("1 transfer(s) revoked."));
    let out = run(&mut admin(&[
        "revoke",
        "--sender",
        oidc::ALICE_EMAIL,
        "--json",
    ]))
    .await;
    assert_eq!(json(&out)["changed"], 1);

    let out = run(&mut admin(&["disable", oidc::ALICE_EMAIL])).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(signed_in_kepil(&env, "alice").args(["whoami", "--json"])).await;
    assert_eq!(json(&out)["error"]["code"], "identity_disabled");
    let out = run(&mut admin(&["enable", oidc::ALICE_EMAIL])).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        run_whoami(&env, "alice").await["identity"]["email"],
        oidc::ALICE_EMAIL
    );
}

/// With a real Secret Service (gnome-keyring in a private D-Bus session), the refresh token
/// and the session go to the keyring, no credentials file is written, and neither is in
/// clear anywhere under HOME. The sign-in is the device flow, approved from here while the
/// script waits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_keeps_its_refresh_token_in_the_os_keyring() {
    for (tool, package) in [
        ("dbus-run-session", "dbus-daemon"),
        ("gnome-keyring-daemon", "gnome-keyring"),
        ("secret-tool", "libsecret-tools"),
    ] {
        assert!(
            std::process::Command::new("sh")
                .args(["-c", &format!("command -v {tool}")])
                .output()
                .unwrap()
                .status
                .success(),
            "{tool} is needed: apt-get install {package}"
        );
    }
    let op = OidcProvider::start(oidc::ProviderConfig::new());
    let env = env_with(&op, vec![]).await;
    let home = env.home("sender");
    let script = r#"
        set -e
        eval "$(printf kepil-test | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null | sed 's/^/export /')"
        "$KEPIL" login --store "$TEST_STORE" --no-browser 2> "$HOME/login.err"
        secret-tool lookup service kepil username "refresh-token:agency@$TEST_STORE" > "$HOME/rt"
        "$KEPIL" whoami --json --store "$TEST_STORE" > "$HOME/who.json"
    "#;
    let mut cmd = Command::new("dbus-run-session");
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("KEPIL_CONFIG_DIR", &home)
        .env("KEPIL_LANG", "en")
        .env("KEPIL", KEPIL)
        .env("TEST_STORE", &env.url)
        .args(["--", "bash", "-c", script])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = cmd.spawn().unwrap();
    let err_file = home.join("login.err");
    let (uri, code) = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let said = std::fs::read_to_string(&err_file).unwrap_or_default();
            let find = |prefix: &str| {
                said.lines()
                    .find_map(|l| l.strip_prefix(prefix).map(str::to_string))
            };
            if let (Some(uri), Some(code)) = (find("Sign in on any device at: "), find("Code: ")) {
                return (uri, code);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("kepil shows a code");
    op.approve_device_code(&uri, &code, oidc::ALICE_EMAIL, oidc::PASSWORD)
        .await
        .unwrap();
    let out = tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}\n{}",
        text(&out.stdout),
        text(&out.stderr),
        std::fs::read_to_string(&err_file).unwrap_or_default()
    );
    let said = std::fs::read_to_string(&err_file).unwrap();
    assert!(said.contains("Saved (keyring)"), "{said}");
    let refresh = std::fs::read_to_string(home.join("rt")).unwrap();
    let refresh = refresh.trim().to_string();
    assert!(
        refresh.len() > 20,
        "the keyring does not hold the refresh token"
    );
    std::fs::remove_file(home.join("rt")).unwrap();
    let who: Value =
        serde_json::from_slice(&std::fs::read(home.join("who.json")).unwrap()).unwrap();
    assert_eq!(who["kind"], "session");
    assert!(
        !home.join("credentials.toml").exists(),
        "fell back to the file"
    );
    assert_no_canary(
        &home,
        &[Canary {
            label: "refresh token".into(),
            bytes: refresh.into_bytes(),
            ignore_case: false,
        }],
        "after a sign-in with the keyring",
    );
}
