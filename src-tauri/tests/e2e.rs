//! End to end in the real app: tauri-driver + Debian's WebKitWebDriver, under Xvfb and a D-Bus
//! session (scripts/test runs them). Built only with `--features e2e,tauri/custom-protocol`
//! (the app must embed ui/dist, not load the dev server). One test at a time: the
//! single-instance plugin hands a second app's launch over to the first.
//!
//! Each test isolates every process it starts, the second launches included (HOME and
//! XDG_*), keeps secrets in a 0600 file (KEPIL_NO_KEYRING), points the system policy at a
//! missing file, and answers the native dialogs through KEPIL_E2E_PICK_FILES /
//! KEPIL_E2E_PICK_FOLDER (read only in `e2e` builds).
//! Screenshots of each screen go to $KEPIL_SCREENSHOT_DIR (default: target tmp dir).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(60);

fn tauri_driver() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(p);
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join("tauri-driver");
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    home.join(".cache/kepil/tools/bin/tauri-driver")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn screenshot_dir() -> PathBuf {
    std::env::var_os("KEPIL_SCREENSHOT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots"))
}

/// HOME, the XDG directories and Kepil's settings of every process a test starts, all under
/// the test's `root`: the user's real files, keyring and desktop registrations stay untouched.
fn isolate(cmd: &mut Command, root: &Path) {
    for (var, sub) in [
        ("HOME", "home"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
    ] {
        let dir = root.join(sub);
        std::fs::create_dir_all(&dir).unwrap();
        cmd.env(var, dir);
    }
    cmd.env("KEPIL_NO_KEYRING", "1")
        .env("KEPIL_POLICY_FILE", root.join("no-policy.toml"))
        .env_remove("KEPIL_STORE")
        .env_remove("KEPIL_TOKEN")
        .env_remove("KEPIL_CONFIG_DIR")
        .env_remove("KEPIL_DATA_DIR")
        .env_remove("KEPIL_CACHE_DIR");
}

/// Runs `cmd` to its end; kills it and fails if that takes longer than `limit`.
async fn run_with_timeout(mut cmd: Command, limit: Duration) -> std::process::ExitStatus {
    let what = format!("{:?}", cmd.get_program());
    tokio::task::spawn_blocking(move || {
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
        let start = std::time::Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            if start.elapsed() > limit {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{what} did not exit within {limit:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    })
    .await
    .unwrap()
}

struct Session {
    driver: Child,
    client: Client,
    root: tempfile::TempDir,
}

impl Session {
    async fn start(pick_files: &[&Path], pick_folder: &Path) -> Session {
        Session::start_with(pick_files, pick_folder, |_, _| {}).await
    }

    /// As `start`, with `prepare` given the test's root and the driver's command (inherited
    /// by the app) before it starts: a system policy, a PATH entry.
    async fn start_with(
        pick_files: &[&Path],
        pick_folder: &Path,
        prepare: impl FnOnce(&Path, &mut Command),
    ) -> Session {
        let root = tempfile::tempdir().unwrap();
        let port = free_port();
        let native_port = free_port();
        let mut cmd = Command::new(tauri_driver());
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ]);
        // Inherited by WebKitWebDriver and from it by the app.
        isolate(&mut cmd, root.path());
        cmd.env(
            "KEPIL_E2E_PICK_FILES",
            std::env::join_paths(pick_files).unwrap(),
        )
        .env("KEPIL_E2E_PICK_FOLDER", pick_folder)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
        prepare(root.path(), &mut cmd);
        let driver = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", tauri_driver().display()));
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert(
            "tauri:options".into(),
            json!({ "application": env!("CARGO_BIN_EXE_kepil-app") }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let mut last = None;
        for _ in 0..100 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            let mut builder = ClientBuilder::new(connector);
            builder.capabilities(caps.clone());
            let connect = builder.connect(&url);
            match tokio::time::timeout(Duration::from_secs(60), connect)
                .await
                .expect("the WebDriver session never started")
            {
                Ok(client) => {
                    return Session {
                        driver,
                        client,
                        root,
                    };
                }
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("tauri-driver never answered: {last:?}");
    }

    fn by(id: &str) -> String {
        format!("[data-testid=\"{id}\"]")
    }

    async fn find(&self, id: &str) -> fantoccini::elements::Element {
        let css = Self::by(id);
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(&css))
            .await
            .unwrap_or_else(|e| panic!("no element {id}: {e}"))
    }

    async fn exists(&self, id: &str) -> bool {
        self.client.find(Locator::Css(&Self::by(id))).await.is_ok()
    }

    /// Whether a checkbox or radio button is checked (its live property, not the attribute).
    async fn checked(&self, id: &str) -> bool {
        self.find(id)
            .await
            .prop("checked")
            .await
            .unwrap()
            .as_deref()
            == Some("true")
    }

    async fn click(&self, id: &str) {
        self.find(id).await.click().await.unwrap();
    }

    async fn type_into(&self, id: &str, text: &str) {
        let e = self.find(id).await;
        e.clear().await.ok();
        e.send_keys(text).await.unwrap();
    }

    /// Visible text, or the value of a form field.
    async fn text(&self, id: &str) -> String {
        let e = self.find(id).await;
        let text = e.text().await.unwrap_or_default();
        if !text.trim().is_empty() {
            return text.trim().to_string();
        }
        e.prop("value")
            .await
            .ok()
            .flatten()
            .unwrap_or_default()
            .trim()
            .to_string()
    }

    /// Waits until `id` has non-empty text.
    async fn wait_text(&self, id: &str) -> String {
        let start = std::time::Instant::now();
        loop {
            let t = self.text(id).await;
            if !t.is_empty() {
                return t;
            }
            assert!(start.elapsed() < WAIT, "{id} stayed empty");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn screenshot(&self, name: &str) {
        // Let the DOM settle (transitions, fonts) before the picture.
        tokio::time::sleep(Duration::from_millis(150)).await;
        let png = self.client.screenshot().await.unwrap();
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // The next test's app would otherwise find this one still shutting down and, being a
        // second instance, hand over to it and exit.
        let start = std::time::Instant::now();
        while app_running() && start.elapsed() < Duration::from_secs(30) {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        drop(self.root);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn send_then_receive_in_the_app_through_the_local_store() {
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("laporan sulit.pdf");
    let bytes: Vec<u8> = (0..1_000_000u32).map(|i| (i * 7 % 253) as u8).collect();
    std::fs::write(&file, &bytes).unwrap();
    let out = work.path().join("diterima");
    std::fs::create_dir_all(&out).unwrap();
    let s = Session::start(&[&file], &out).await;

    s.find("tab-send").await;
    // The tabs render before the app state arrives: wait for the banner, do not just look.
    // First run, no store configured: the app must be on its local store and say so.
    s.find("local-store-banner").await;
    s.screenshot("send").await;
    s.click("file-pick").await;
    let list = s.wait_text("file-list").await;
    assert!(list.contains("laporan sulit.pdf"), "{list}");
    s.click("cls-SULIT").await;
    s.type_into("recipient-email-0", "penerima@agensi.gov.my")
        .await;
    s.type_into("subject", "Laporan suku tahun").await;
    s.screenshot("send-filled").await;
    s.click("send-button").await;

    let link = s.wait_text("result-link-0").await;
    assert!(link.contains("/t/") && link.contains('#'), "{link}");
    if s.exists("result-reveal-0").await {
        s.click("result-reveal-0").await;
    }
    let password = s.wait_text("result-password-0").await;
    assert_eq!(password.len(), 19, "{password}");
    s.screenshot("send-result").await;

    s.click("tab-receive").await;
    s.type_into("receive-link", &link).await;
    if s.exists("receive-open").await {
        s.click("receive-open").await;
    }
    s.type_into("receive-password", &password).await;
    s.screenshot("receive-password").await;
    s.click("receive-unlock").await;
    let manifest = s.wait_text("manifest-files").await;
    assert!(manifest.contains("laporan sulit.pdf"), "{manifest}");
    s.screenshot("receive-manifest").await;
    s.click("receive-save").await;
    let saved = s.wait_text("saved-files").await;
    s.screenshot("receive-done").await;
    let name = saved.lines().next().unwrap().trim().to_string();
    let got = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| name.contains(p.file_name().unwrap().to_str().unwrap()))
        .unwrap_or_else(|| panic!("{name} not in {}", out.display()));
    assert_eq!(std::fs::read(got).unwrap(), bytes, "saved bytes differ");

    s.click("tab-history").await;
    s.find("history-list").await;
    s.screenshot("history").await;
    s.click("tab-settings").await;
    s.find("settings-store-url").await;
    s.screenshot("settings").await;
    s.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn rahsia_is_refused_in_the_app() {
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("rahsia.txt");
    std::fs::write(&file, b"tidak boleh").unwrap();
    let s = Session::start(&[&file], work.path()).await;
    s.click("tab-send").await;
    s.click("file-pick").await;
    s.wait_text("file-list").await;
    s.type_into("recipient-email-0", "penerima@agensi.gov.my")
        .await;
    assert!(s.checked("cls-SULIT").await, "SULIT is the default");
    s.click("cls-RAHSIA").await;
    let refusal = s.wait_text("cls-refusal").await;
    assert!(refusal.contains("RAHSIA"), "{refusal}");
    // RAHSIA is not a choice: pressing it leaves nothing chosen that could go out instead.
    assert!(!s.checked("cls-SULIT").await, "the earlier choice stayed");
    // Send can be pressed, and sends nothing: it points at the classification instead.
    s.click("send-button").await;
    let blockers = s.wait_text("send-blockers").await;
    assert!(
        blockers.contains("klasifikasi") || blockers.contains("classification"),
        "{blockers}"
    );
    assert!(!s.exists("result-title").await, "a RAHSIA send went out");
    assert!(!s.exists("send-progress").await, "a RAHSIA send started");
    // The picture shows the refusal itself, not the top of the form.
    s.client
        .execute(
            "document.querySelector('[data-testid=cls-refusal]').scrollIntoView({block: 'center'})",
            vec![],
        )
        .await
        .unwrap();
    s.screenshot("rahsia-refused").await;
    s.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_launch_hands_its_kepil_link_to_the_running_app() {
    let work = tempfile::tempdir().unwrap();
    let s = Session::start(&[], work.path()).await;
    s.find("tab-send").await;
    // What the OS runs for a kepil:// link (the .desktop file's `Exec=kepil-app %u`): a
    // second instance, which hands the link over through the single-instance plugin and exits.
    let grant = "QapRutSsgTY7ab82qtgcUQ";
    let link = format!("kepil://http/127.0.0.1:9/t/{grant}#DaVjun08l9HUn5D8eR6yIw");
    let mut second = Command::new(env!("CARGO_BIN_EXE_kepil-app"));
    isolate(&mut second, s.root.path());
    second
        .arg(&link)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    // A second instance that failed to find the first would open a window and never exit.
    let status = run_with_timeout(second, Duration::from_secs(30)).await;
    assert!(status.success(), "second instance: {status}");
    // The link's store is not one this computer knows: the app names it and asks before it
    // contacts anything (deep links follow the trusted-stores rule too).
    let start = std::time::Instant::now();
    loop {
        if s.exists("receive-store-link").await
            && s.text("receive-store-link").await.contains(grant)
        {
            break;
        }
        assert!(start.elapsed() < WAIT, "the running app never got the link");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(s.text("receive-store-host").await, "127.0.0.1:9");
    s.screenshot("deep-link").await;

    // The OS route. The app registers nothing itself (a checkout's build must not become the
    // user's handler), so nothing answers kepil:// in this test's XDG directories yet...
    assert!(
        which("gio"),
        "gio is missing: install the Debian package libglib2.0-bin (scripts/setup does)"
    );
    {
        let mut gio = Command::new("gio");
        isolate(&mut gio, s.root.path());
        gio.args(["mime", "x-scheme-handler/kepil"])
            .stdout(Stdio::piped());
        let out = gio.output().unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            !said.contains(".desktop"),
            "the app registered itself: {said}"
        );
    }
    // ...until a desktop entry like the package's is installed and chosen (what `dpkg -i` and
    // the desktop do). `gio open` (not xdg-open, which needs a desktop environment) then
    // launches the handler with the link.
    install_desktop_entry(s.root.path());
    {
        let grant2 = "ZZpRutSsgTY7ab82qtgcUQ";
        let link = format!("kepil://http/127.0.0.1:9/t/{grant2}#DaVjun08l9HUn5D8eR6yIw");
        // The handler gio launches inherits gio's (isolated) environment.
        let mut gio = Command::new("gio");
        isolate(&mut gio, s.root.path());
        gio.args(["open", &link]);
        let status = run_with_timeout(gio, Duration::from_secs(30)).await;
        assert!(status.success(), "gio open: {status}");
        let start = std::time::Instant::now();
        while !s.text("receive-store-link").await.contains(grant2) {
            assert!(start.elapsed() < WAIT, "gio open never reached the app");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    s.close().await;
}

/// A desktop entry for the built app, as the .deb installs one (the bundler writes
/// `MimeType=x-scheme-handler/kepil;` from tauri.conf.json's deep-link schemes), in the test's
/// own XDG data directory, chosen as the `kepil://` handler in its own mimeapps.list.
fn install_desktop_entry(root: &Path) {
    let apps = root.join("data/applications");
    std::fs::create_dir_all(&apps).unwrap();
    std::fs::write(
        apps.join("kepil.desktop"),
        format!(
            "[Desktop Entry]\nType=Application\nName=Kepil\nExec={} %u\n\
             MimeType=x-scheme-handler/kepil;\nTerminal=false\n",
            env!("CARGO_BIN_EXE_kepil-app")
        ),
    )
    .unwrap();
    std::fs::write(
        root.join("config/mimeapps.list"),
        "[Default Applications]\nx-scheme-handler/kepil=kepil.desktop\n",
    )
    .unwrap();
}

fn which(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// Whether a kepil-app process (this test's, from its binary) is still alive.
fn app_running() -> bool {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok())
        .any(|e| {
            std::fs::read_to_string(e.path().join("comm")).is_ok_and(|c| c.trim() == "kepil-app")
        })
}

/// An `xdg-open` (what the app's opener runs on Linux) that writes down what it was asked to
/// open instead of opening it: its folder, for the front of PATH, and the file it writes.
fn url_recorder(work: &Path) -> (PathBuf, PathBuf) {
    let bin = work.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let opened = work.join("opened.txt");
    let shim = bin.join("xdg-open");
    std::fs::write(
        &shim,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n",
            opened.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
    (bin, opened)
}

fn first_on_path(cmd: &mut Command, bin: &Path) {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![bin.to_path_buf()];
    dirs.extend(std::env::split_paths(&path));
    cmd.env("PATH", std::env::join_paths(dirs).unwrap());
}

/// The first address the app asked the desktop to open.
async fn first_opened(opened: &Path) -> String {
    let start = std::time::Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(opened)
            && let Some(line) = text.lines().next()
        {
            return line.to_string();
        }
        assert!(start.elapsed() < WAIT, "the app never opened anything");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_links_email_opens_in_gmail_after_its_confidential_mode_steps() {
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("minit mesyuarat.pdf");
    std::fs::write(&file, b"minit").unwrap();
    let (bin, opened) = url_recorder(work.path());
    // MyGovUC's desktops: the policy names Gmail (guideline 1.2.2).
    let s = Session::start_with(&[&file], work.path(), |root, cmd| {
        std::fs::write(
            root.join("no-policy.toml"),
            "[ui]\nlang = \"en\"\nmail = \"gmail\"\n",
        )
        .unwrap();
        first_on_path(cmd, &bin);
    })
    .await;
    s.find("local-store-banner").await;
    s.click("file-pick").await;
    s.wait_text("file-list").await;
    s.click("cls-SULIT").await;
    s.type_into("recipient-email-0", "penerima@agensi.gov.my")
        .await;
    s.click("send-button").await;
    let link = s.wait_text("result-link-0").await;
    s.click("result-reveal-0").await;
    let password = s.wait_text("result-password-0").await;

    // The steps come first, and nothing is opened until the sender asks.
    s.click("result-email-0").await;
    let steps = s.wait_text("result-compose-0").await;
    assert!(steps.contains("confidential mode"), "{steps}");
    assert!(steps.contains("3.2 A ii 4"), "{steps}");
    assert!(!opened.exists(), "opened before the sender asked");
    s.screenshot("compose-gmail").await;
    s.click("result-compose-open-0").await;
    let url = first_opened(&opened).await;
    assert!(
        url.starts_with("https://mail.google.com/mail/?view=cm&fs=1&tf=1&to=penerima%40agensi.gov.my&su=Kepil%3A%20lampiran%20SULIT"),
        "{url}"
    );
    let draft = percent_encoding::percent_decode_str(&url)
        .decode_utf8()
        .unwrap()
        .into_owned();
    assert!(draft.contains(&link), "{draft}");
    assert!(!draft.contains(&password.replace('-', "")), "{draft}");
    assert!(!draft.contains(&password), "{draft}");

    // Locked by the policy in Settings.
    s.click("tab-settings").await;
    assert!(s.checked("settings-mail-gmail").await);
    let locked = s
        .find("settings-mail")
        .await
        .prop("disabled")
        .await
        .unwrap();
    assert_eq!(locked.as_deref(), Some("true"));
    s.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn signing_in_through_the_system_browser_and_out_again() {
    use kepil_test_support::oidc::{self, AtRedirect, OidcProvider};
    let op = OidcProvider::start(oidc::ProviderConfig::new());
    let provider = op.store_provider("agency");
    let store = kepil_test_support::store::start_with(|c| {
        c.identity.providers = vec![provider];
    })
    .await;
    let url = store.server.base_url().to_string();
    let work = tempfile::tempdir().unwrap();
    // The "system browser" writes down what it was asked to open; the test's browser then
    // signs in at that address and follows the redirect back to the app's loopback listener,
    // as a real one would.
    let (bin, opened) = url_recorder(work.path());
    let policy =
        format!("[store]\nurl = \"{url}\"\n[sign_in]\nrequired = true\nprovider = \"agency\"\n");
    let s = Session::start_with(&[], work.path(), |root, cmd| {
        std::fs::write(root.join("no-policy.toml"), &policy).unwrap();
        first_on_path(cmd, &bin);
    })
    .await;
    s.click("tab-settings").await;
    s.find("account-signed-out").await;
    s.click("account-sign-in").await;
    let authorize = first_opened(&opened).await;
    assert!(authorize.starts_with(op.issuer()), "{authorize}");
    s.find("account-waiting").await;
    op.login_via_browser(
        &authorize,
        oidc::ALICE_EMAIL,
        oidc::PASSWORD,
        AtRedirect::Follow,
    )
    .await
    .expect("the browser signs in");
    let start = std::time::Instant::now();
    while !(s.exists("account-signed-in").await
        && s.text("account-signed-in")
            .await
            .contains(oidc::ALICE_EMAIL))
    {
        assert!(start.elapsed() < WAIT, "the app never showed the sign-in");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    s.screenshot("signed-in").await;
    s.click("account-sign-out").await;
    s.find("account-signed-out").await;
    s.close().await;
}
