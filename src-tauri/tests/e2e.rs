//! End to end in the real app: Debian's WebKitWebDriver drives the app's own webview, under
//! Xvfb and a D-Bus session (scripts/test runs them). Built only with `--features
//! e2e,tauri/custom-protocol` (the app must embed ui/dist, not load the dev server). One test
//! at a time: the single-instance plugin hands a second app's launch over to the first.
//!
//! The tests talk to WebKitWebDriver directly rather than through tauri-driver: on Linux
//! tauri-driver only renames `tauri:options` to `webkitgtk:browserOptions`, and its proxy
//! (which never retries a request cancelled on a stale pooled connection) dropped the
//! connection several times in long runs. A command that still loses its connection is tried
//! again, said on stderr, at most [`TRIES`] times; a WebDriver error is never retried.
//!
//! Each test isolates every process it starts, the second launches included (HOME and
//! XDG_*), keeps secrets in a 0600 file (KEPIL_NO_KEYRING), points the system policy at a
//! missing file, and answers the native dialogs through KEPIL_E2E_PICK_FILES /
//! KEPIL_E2E_PICK_FOLDER (read only in `e2e` builds).
//! Screenshots of each screen go to $KEPIL_SCREENSHOT_DIR when it is set (README's pictures;
//! the app then runs with WebKit's GPU compositor, see `isolate`), else none are taken.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::error::CmdError;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(60);
/// How many times one WebDriver command is tried when its connection is lost.
const TRIES: u32 = 3;

/// Debian's WebKitWebDriver (package webkit2gtk-driver).
fn webkit_webdriver() -> PathBuf {
    std::env::var_os("WEBKIT_WEBDRIVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/WebKitWebDriver"))
}

/// Runs one WebDriver command, again when the connection to the driver was lost on the way
/// (the driver never saw it, or its answer never came back); any answer from the driver,
/// an error included, is final.
async fn again<T, F, Fut>(what: &str, mut op: F) -> Result<T, CmdError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, CmdError>>,
{
    let mut tried = 1;
    loop {
        match op().await {
            Err(e @ (CmdError::Lost(_) | CmdError::Failed(_) | CmdError::FailedC(_)))
                if tried < TRIES =>
            {
                eprintln!(
                    "e2e: the WebDriver connection was lost during {what} ({e}); trying again"
                );
                tried += 1;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            other => return other,
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Where screenshots go, when they are asked for.
fn screenshot_dir() -> Option<PathBuf> {
    std::env::var_os("KEPIL_SCREENSHOT_DIR").map(PathBuf::from)
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
    // WebKitWebDriver's screenshot waits for a frame of WebKit's GPU compositor, which the app
    // leaves off (src/webview.rs): drawn on the CPU, a window that stops changing never gives
    // one, and the screenshot never answers. The pictures are taken with the compositor on; the
    // tests run as the app ships.
    if screenshot_dir().is_some() {
        cmd.env("KEPIL_WEBVIEW_GPU", "1");
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
    /// Taken by `keep_root`; otherwise removed with the session.
    root: Option<tempfile::TempDir>,
}

/// A test that fails midway leaves no app behind: the next test's app would find it, hand
/// over to it as a second instance and exit, and every later test would fail with it.
impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        kill_app();
    }
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
        Session::start_in(
            tempfile::tempdir().unwrap(),
            pick_files,
            pick_folder,
            prepare,
        )
        .await
    }

    /// As `start_with`, in the HOME and XDG directories under `root` (those of a session
    /// closed with [`keep_root`](Self::keep_root): the app started again).
    async fn start_in(
        root: tempfile::TempDir,
        pick_files: &[&Path],
        pick_folder: &Path,
        prepare: impl FnOnce(&Path, &mut Command),
    ) -> Session {
        let port = free_port();
        let mut cmd = Command::new(webkit_webdriver());
        cmd.args([&format!("--port={port}"), "--host=127.0.0.1"])
            // What makes Tauri let WebKit's automation drive its webview.
            .env("TAURI_WEBVIEW_AUTOMATION", "true");
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
        let driver = cmd.spawn().unwrap_or_else(|e| {
            panic!(
                "cannot start {}: {e} (the Debian package webkit2gtk-driver; scripts/setup test installs it)",
                webkit_webdriver().display()
            )
        });
        let mut caps = serde_json::Map::new();
        caps.insert(
            "webkitgtk:browserOptions".into(),
            json!({ "binary": env!("CARGO_BIN_EXE_kepil-app"), "args": [] }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let mut last = None;
        // The driver takes a moment to listen; a refused connection is tried again.
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
                        root: Some(root),
                    };
                }
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("WebKitWebDriver never answered: {last:?}");
    }

    fn by(id: &str) -> String {
        format!("[data-testid=\"{id}\"]")
    }

    async fn find(&self, id: &str) -> fantoccini::elements::Element {
        let css = Self::by(id);
        again(&format!("find {id}"), || {
            self.client
                .wait()
                .at_most(WAIT)
                .for_element(Locator::Css(&css))
        })
        .await
        .unwrap_or_else(|e| panic!("no element {id}: {e}"))
    }

    async fn exists(&self, id: &str) -> bool {
        let css = Self::by(id);
        match again(&format!("look for {id}"), || {
            self.client.find(Locator::Css(&css))
        })
        .await
        {
            Ok(_) => true,
            Err(e) if e.is_no_such_element() => false,
            Err(e) => panic!("looking for {id}: {e}"),
        }
    }

    /// A live DOM property of `id` (not its attribute).
    async fn prop(&self, id: &str, name: &str) -> Option<String> {
        let e = self.find(id).await;
        again(&format!("{name} of {id}"), || e.prop(name))
            .await
            .unwrap_or_else(|err| panic!("{name} of {id}: {err}"))
    }

    /// Whether a checkbox or radio button is checked (its live property, not the attribute).
    async fn checked(&self, id: &str) -> bool {
        self.prop(id, "checked").await.as_deref() == Some("true")
    }

    async fn click(&self, id: &str) {
        let e = self.find(id).await;
        again(&format!("click {id}"), || e.click())
            .await
            .unwrap_or_else(|err| panic!("click {id}: {err}"));
    }

    /// Keys as a person types them, into the focused element of the page.
    async fn keys(&self, what: &str, keys: &str) {
        let active = again("find the focused element", || self.client.active_element())
            .await
            .unwrap_or_else(|e| panic!("no focused element for {what}: {e}"));
        again(what, || active.send_keys(keys))
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
    }

    /// Replaces a field's text the way a person does (select all, delete, type): key events
    /// the page's bindings see, where WebDriver's own clear would change the value under them.
    async fn type_into(&self, id: &str, text: &str) {
        let e = self.find(id).await;
        let select_all_delete = "\u{E009}a\u{E000}\u{E003}";
        again(&format!("clear {id}"), || e.send_keys(select_all_delete))
            .await
            .unwrap_or_else(|err| panic!("clear {id}: {err}"));
        assert_eq!(
            self.prop(id, "value").await.as_deref(),
            Some(""),
            "{id} kept its text"
        );
        again(&format!("type into {id}"), || e.send_keys(text))
            .await
            .unwrap_or_else(|err| panic!("type into {id}: {err}"));
    }

    /// Visible text, or the value of a form field.
    async fn text(&self, id: &str) -> String {
        let e = self.find(id).await;
        let text = again(&format!("text of {id}"), || e.text())
            .await
            .unwrap_or_default();
        if !text.trim().is_empty() {
            return text.trim().to_string();
        }
        self.prop(id, "value")
            .await
            .unwrap_or_default()
            .trim()
            .to_string()
    }

    /// The `data-testid` of the element that has the focus (`""` for none, `body` when it
    /// dropped to the page).
    async fn focused(&self) -> String {
        let v = again("the focused element", || {
            self.client.execute(
                "const a = document.activeElement; \
                 return !a || a === document.body ? 'body' : (a.dataset.testid || a.id || a.tagName);",
                vec![],
            )
        })
        .await
        .unwrap();
        v.as_str().unwrap_or_default().to_string()
    }

    /// The text of the open dialog (several screens have one, closed): read from the DOM, as
    /// WebKitWebDriver's element text leaves out the top layer.
    async fn dialog_text(&self) -> String {
        let start = std::time::Instant::now();
        loop {
            let text = again("the open dialog", || {
                self.client.execute(
                    "const d = document.querySelector('dialog[open]'); return d ? d.textContent : null;",
                    vec![],
                )
            })
            .await
            .unwrap();
            if let Some(text) = text.as_str() {
                return text.trim().to_string();
            }
            assert!(start.elapsed() < WAIT, "no dialog opened");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A button (`confirm-ok`, `confirm-cancel`) of the open dialog: its text, after a click.
    async fn dialog_click(&self, id: &str) -> String {
        let css = format!("dialog[open] {}", Self::by(id));
        let e = again(&format!("find {id} in the open dialog"), || {
            self.client
                .wait()
                .at_most(WAIT)
                .for_element(Locator::Css(&css))
        })
        .await
        .unwrap_or_else(|e| panic!("no {id} in an open dialog: {e}"));
        let text = again("its text", || e.prop("textContent"))
            .await
            .unwrap()
            .unwrap_or_default();
        again(&format!("click {id}"), || e.click()).await.unwrap();
        text.trim().to_string()
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

    /// A picture of the window, when KEPIL_SCREENSHOT_DIR asks for them (see `isolate`).
    async fn screenshot(&self, name: &str) {
        let Some(dir) = screenshot_dir() else {
            return;
        };
        // Let the DOM settle (transitions, fonts) before the picture.
        tokio::time::sleep(Duration::from_millis(150)).await;
        // Bounded: a test says so instead of hanging.
        let png = tokio::time::timeout(
            Duration::from_secs(30),
            again("screenshot", || self.client.screenshot()),
        )
        .await
        .unwrap_or_else(|_| panic!("the screenshot {name} never came"))
        .unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// Receives `link` with `password` on the Receive tab, as a recipient does, into the
    /// folder the dialog answers; screenshots `<pictures>-password`, `-manifest`, `-done`.
    /// Answers the manifest's file list and the saved files as shown.
    async fn receive(&self, link: &str, password: &str, pictures: &str) -> (String, String) {
        self.click("tab-receive").await;
        self.type_into("receive-link", link).await;
        if self.exists("receive-open").await {
            self.click("receive-open").await;
        }
        self.type_into("receive-password", password).await;
        self.screenshot(&format!("{pictures}-password")).await;
        self.click("receive-unlock").await;
        let manifest = self.wait_text("manifest-files").await;
        self.screenshot(&format!("{pictures}-manifest")).await;
        self.click("receive-save").await;
        let saved = self.wait_text("saved-files").await;
        self.screenshot(&format!("{pictures}-done")).await;
        (manifest, saved)
    }

    async fn close(self) {
        drop(self.keep_root().await);
    }

    /// The test's HOME and XDG directories.
    fn root(&self) -> &Path {
        self.root
            .as_ref()
            .expect("the session's directories")
            .path()
    }

    /// Closes the app (the WebDriver session ends it) and answers its directories.
    async fn keep_root(mut self) -> tempfile::TempDir {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // The next test's app would otherwise find this one still shutting down and, being a
        // second instance, hand over to it and exit.
        let start = std::time::Instant::now();
        while app_running() && start.elapsed() < Duration::from_secs(30) {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.root.take().expect("the session's directories")
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

    let (manifest, saved) = s.receive(&link, &password, "receive").await;
    assert!(manifest.contains("laporan sulit.pdf"), "{manifest}");
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
    isolate(&mut second, s.root());
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
        isolate(&mut gio, s.root());
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
    install_desktop_entry(s.root());
    {
        let grant2 = "ZZpRutSsgTY7ab82qtgcUQ";
        let link = format!("kepil://http/127.0.0.1:9/t/{grant2}#DaVjun08l9HUn5D8eR6yIw");
        // The handler gio launches inherits gio's (isolated) environment.
        let mut gio = Command::new("gio");
        isolate(&mut gio, s.root());
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

/// The page's own texts in `lang` (ui/src/lib/i18n/<lang>.ts, `'key': 'text',` entries), so
/// that the walk below checks each language against its catalogue rather than copies of it.
fn catalogue(lang: &str) -> std::collections::HashMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../ui/src/lib/i18n/{lang}.ts"));
    let text = std::fs::read_to_string(&path).unwrap();
    let quoted = |s: &str| -> Option<String> {
        let s = s.trim().trim_end_matches(',');
        let inner = s.strip_prefix('\'')?.strip_suffix('\'')?;
        Some(inner.replace("\\'", "'"))
    };
    let mut out = std::collections::HashMap::new();
    let mut pending: Option<String> = None;
    for line in text.lines() {
        let line = line.trim();
        if let Some(key) = pending.take() {
            if let Some(v) = quoted(line) {
                out.insert(key, v);
            }
            continue;
        }
        let Some(rest) = line.strip_prefix('\'') else {
            continue;
        };
        let Some((key, value)) = rest.split_once("':") else {
            continue;
        };
        match quoted(value) {
            Some(v) => {
                out.insert(key.to_string(), v);
            }
            None if value.trim().is_empty() => pending = Some(key.to_string()),
            None => {}
        }
    }
    assert!(out.len() > 100, "{} looks empty", path.display());
    out
}

/// A newcomer's first send, in `lang`, with the mouse and the keyboard: every check of the
/// issue of first runs that the real window can show. The words come from the language's own
/// catalogue; the plurals and the revoke words are checked by meaning in both languages.
async fn a_newcomers_first_send(lang: &str) {
    let t = catalogue(lang);
    let tr = |key: &str| {
        t.get(key)
            .unwrap_or_else(|| panic!("no {key} in {lang}"))
            .clone()
    };
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("minit mesyuarat.pdf");
    std::fs::write(&file, b"%PDF-1.4 minit").unwrap();
    let s = Session::start_with(&[&file], work.path(), |root, _| {
        let dir = root.join("config/kepil");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("config.toml"), format!("lang = \"{lang}\"\n")).unwrap();
    })
    .await;
    s.find("local-store-banner").await;
    assert_eq!(s.text("tab-send").await, tr("tab.send"));
    // The banner scrolls away with the page: it can never cover the focused control.
    let position = s
        .client
        .execute(
            "return getComputedStyle(document.querySelector('[data-testid=local-store-banner]')).position",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        !matches!(position.as_str(), Some("sticky" | "fixed")),
        "{position}"
    );
    s.screenshot(&format!("first-run-{lang}")).await;

    // Send with nothing filled in: it can be pressed, says what is missing, and the focus goes
    // to the first thing to fix.
    s.click("send-button").await;
    let blockers = s.wait_text("send-blockers").await;
    assert!(!blockers.is_empty());
    let focused = s.focused().await;
    assert!(
        focused != "body" && !focused.is_empty(),
        "the focus went to {focused}"
    );
    assert!(!s.exists("send-progress").await, "an empty send started");
    s.screenshot(&format!("send-incomplete-{lang}")).await;

    s.click("file-pick").await;
    assert!(
        s.wait_text("file-list")
            .await
            .contains("minit mesyuarat.pdf")
    );
    // The arrow keys go round the three classifications that can be sent; the refused two are
    // never on the way.
    s.click("cls-TERBUKA").await;
    for _ in 0..4 {
        s.keys("arrow right in the classifications", "\u{E014}")
            .await;
        assert!(!s.exists("cls-refusal").await, "an arrow key chose RAHSIA");
        let on = s.focused().await;
        assert!(
            ["cls-TERBUKA", "cls-TERHAD", "cls-SULIT"].contains(&on.as_str()),
            "the arrow went to {on}"
        );
    }
    // TERBUKA has no password, so no phone to hand one over with.
    s.click("cls-TERBUKA").await;
    assert!(
        !s.exists("recipient-phone-0").await,
        "TERBUKA asks for a phone"
    );
    s.click("cls-SULIT").await;
    s.type_into("recipient-email-0", "penerima@agensi.gov.my")
        .await;
    s.type_into("recipient-phone-0", "+60 12-345 6789").await;
    let subject = format!("Minit mesyuarat ({lang})");
    s.type_into("subject", &subject).await;
    s.click("send-button").await;

    // The result says what happened: uploaded, not yet given to anyone.
    assert_eq!(s.wait_text("result-title").await, tr("result.title"));
    let sent_link = s.wait_text("result-link-0").await;
    assert_eq!(s.focused().await, "result-title");
    // KEPIL_NO_KEYRING: the passwords cannot be kept past this run, and the result says so.
    let not_kept = s.wait_text("result-not-kept").await;
    assert!(
        not_kept.contains(&tr("result.not_kept_title")),
        "{not_kept}"
    );
    assert!(s.text("result-phone-0").await.contains("+60123456789"));
    s.click("result-link-given-0").await;
    assert!(s.checked("result-link-given-0").await);
    // The QR code says what it holds and who scans it.
    s.click("result-qr-0").await;
    assert_eq!(s.wait_text("result-qr-hint-0").await, tr("result.qr_hint"));
    s.screenshot(&format!("send-result-{lang}")).await;

    // In-app zoom from the keyboard.
    eprintln!("e2e {lang}: In-app zoom from the keyboard");
    let zoom = async || {
        s.client
            .execute(
                "return document.documentElement.style.getPropertyValue('--zoom')",
                vec![],
            )
            .await
            .unwrap()
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    s.keys("Ctrl+=", "\u{E009}=\u{E000}").await;
    assert_eq!(zoom().await, "1.1");
    s.keys("Ctrl+0", "\u{E009}0\u{E000}").await;
    assert_eq!(zoom().await, "1");

    // New transfer asks first, in words that say what would be lost.
    eprintln!("e2e {lang}: New transfer asks first");
    s.click("send-new").await;
    let dialog = s.dialog_text().await;
    assert!(dialog.contains(&tr("send.new_confirm")), "{dialog}");
    assert!(dialog.contains(&tr("send.new_confirm_ok")), "{dialog}");
    assert_eq!(s.dialog_click("confirm-cancel").await, tr("common.back"));
    assert!(s.exists("result-title").await, "Back dropped the result");

    // History tells transfers apart, with plurals that agree.
    eprintln!("e2e {lang}: History tells transfers apart");
    s.click("tab-history").await;
    assert_eq!(s.wait_text("history-subject-0").await, subject);
    let item = s.text("history-item-0").await;
    assert!(item.contains("minit mesyuarat.pdf"), "{item}");
    assert!(!item.contains("(s)"), "{item}");
    if lang == "en" {
        assert!(
            item.contains("1 recipient") && !item.contains("1 recipients"),
            "{item}"
        );
    } else {
        assert!(item.contains("1 penerima"), "{item}");
    }
    // Revoking cannot be mistaken for going back.
    eprintln!("e2e {lang}: Revoking cannot be mistaken for going back");
    s.click("history-revoke-0-0").await;
    let dialog = s.dialog_text().await;
    let back = s.dialog_click("confirm-cancel").await;
    let ok = tr("hist.revoke");
    assert!(dialog.contains(&ok), "{dialog}");
    assert_eq!(back, tr("common.back"));
    assert!(!ok.contains(&back) && !back.contains(&ok), "{ok} / {back}");

    // Settings says which limits and token are Kepil's own (the local store), not an agency's.
    s.click("tab-settings").await;
    assert_eq!(
        s.wait_text("settings-limits-source").await,
        tr("set.limits_local")
    );
    assert_eq!(s.text("settings-token-locked").await, tr("set.token_local"));

    // A link its store does not know: the link stays for checking, and so does the focus.
    eprintln!("e2e {lang}: A link its store does not know");
    s.click("tab-receive").await;
    let store = sent_link.split("/t/").next().unwrap();
    let unknown = format!("{store}/t/QapRutSsgTY7ab82qtgcUQ#DaVjun08l9HUn5D8eR6yIw");
    s.type_into("receive-link", &unknown).await;
    s.click("receive-open").await;
    // It can go no further: the way back has the focus, and going back keeps the link.
    s.find("receive-start-over").await;
    let start = std::time::Instant::now();
    while s.focused().await != "receive-start-over" {
        assert!(
            start.elapsed() < WAIT,
            "the focus went to {}",
            s.focused().await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!s.wait_text("receive-error").await.is_empty());
    s.click("receive-start-over").await;
    assert_eq!(s.text("receive-link").await, unknown);
    assert_eq!(s.focused().await, "receive-link");
    s.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_newcomers_first_send_in_malay() {
    a_newcomers_first_send("ms").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_newcomers_first_send_in_english() {
    a_newcomers_first_send("en").await;
}

/// With a keyring (the session's gnome-keyring; KEPIL_NO_KEYRING left out), the password is
/// there after the app was closed and started again, in History, until it is ticked as given.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "failed once in a clean-clone CI run (History showed no handover after the restart; \
            passed in every run before); the same restart with a real keyring is \
            keyring.rs's the_passwords_to_hand_over_outlive_the_app_in_the_keyring_until_handed_over. \
            Run with --ignored"]
async fn a_password_is_there_after_a_restart_until_it_is_handed_over() {
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("surat.pdf");
    std::fs::write(&file, b"%PDF-1.4 surat").unwrap();
    let keyring = |_: &Path, cmd: &mut Command| {
        cmd.env_remove("KEPIL_NO_KEYRING");
    };
    let s = Session::start_with(&[&file], work.path(), keyring).await;
    s.find("local-store-banner").await;
    s.click("file-pick").await;
    s.wait_text("file-list").await;
    s.click("cls-SULIT").await;
    s.type_into("recipient-email-0", "penerima@agensi.gov.my")
        .await;
    s.click("send-button").await;
    s.wait_text("result-title").await;
    s.find("result-kept").await;
    s.click("result-reveal-0").await;
    let password = s.wait_text("result-password-0").await;
    s.click("result-link-given-0").await;
    // Closed as a person closes it; the next session has the same HOME.
    let home = s.keep_root().await;

    let s = Session::start_in(home, &[], work.path(), keyring).await;
    // The tabs render before the app's state arrives: a click before it can be lost.
    s.find("local-store-banner").await;
    s.click("tab-history").await;
    s.click("history-handover-0").await;
    assert!(
        s.checked("result-link-given-h0-0").await,
        "the tick was lost"
    );
    s.click("result-reveal-h0-0").await;
    assert_eq!(s.wait_text("result-password-h0-0").await, password);
    s.screenshot("history-handover").await;
    s.click("result-password-given-h0-0").await;
    s.find("result-all-given-h0-0").await;
    // Forgotten: History offers nothing more to hand over (refreshed until the tick's own
    // call has been answered).
    let start = std::time::Instant::now();
    loop {
        s.click("history-refresh").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        if !s.exists("history-handover-0").await {
            break;
        }
        assert!(start.elapsed() < WAIT, "the handover stayed");
    }
    s.close().await;
}

/// Kills every kepil-app process as a crash or a power cut would (SIGKILL: nothing is saved
/// on the way out).
fn kill_app() {
    for e in std::fs::read_dir("/proc").unwrap().filter_map(|e| e.ok()) {
        if std::fs::read_to_string(e.path().join("comm")).is_ok_and(|c| c.trim() == "kepil-app") {
            let _ = Command::new("kill")
                .args(["-9", &e.file_name().to_string_lossy()])
                .status();
        }
    }
}

/// The app is killed in the middle of an upload; started again, it offers the upload, resumes
/// it (kepil-client's `send::resume`, with its check that the files did not change), and the
/// recipient gets the exact bytes.
#[tokio::test(flavor = "multi_thread")]
async fn an_upload_cut_short_by_killing_the_app_is_resumed_when_it_starts_again() {
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("rakaman mesyuarat.bin");
    // Large enough that the kill lands mid-upload on a fast machine: 1 GiB, mostly a hole,
    // with a marked first and last MiB.
    const SIZE: u64 = 1 << 30;
    const MARK: usize = 1 << 20;
    let head: Vec<u8> = (0..MARK as u32).map(|i| (i * 7 % 251) as u8).collect();
    let tail: Vec<u8> = head.iter().rev().copied().collect();
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut f = std::fs::File::create(&file).unwrap();
        f.write_all(&head).unwrap();
        f.seek(SeekFrom::Start(SIZE - MARK as u64)).unwrap();
        f.write_all(&tail).unwrap();
    }
    let out = work.path().join("diterima");
    std::fs::create_dir_all(&out).unwrap();
    let s = Session::start(&[&file], &out).await;
    s.find("local-store-banner").await;
    s.click("file-pick").await;
    s.wait_text("file-list").await;
    s.click("cls-SULIT").await;
    s.type_into("recipient-email-0", "penerima@agensi.gov.my")
        .await;
    s.type_into("subject", "Rakaman mesyuarat").await;
    s.click("send-button").await;
    // Killed while the upload is under way: its journal (kepil-client writes it before the
    // first byte goes, and removes it when the last has) is on disk.
    let spool = s.root().join("cache/kepil/spool");
    let start = std::time::Instant::now();
    while !std::fs::read_dir(&spool).is_ok_and(|d| {
        d.flatten()
            .any(|e| e.path().extension().is_some_and(|x| x == "json"))
    }) {
        assert!(start.elapsed() < WAIT, "the upload never started");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    kill_app();
    let root = s.keep_root().await;

    let s = Session::start_in(root, &[&file], &out, |_, _| {}).await;
    assert!(
        s.wait_text("interrupted-0")
            .await
            .contains("Rakaman mesyuarat"),
        "the interrupted upload is not offered"
    );
    s.screenshot("interrupted").await;
    s.click("interrupted-resume-0").await;
    let link = s.wait_text("result-link-0").await;
    s.click("result-reveal-0").await;
    let password = s.wait_text("result-password-0").await;
    assert!(
        !s.exists("interrupted").await,
        "still offered after the resume"
    );

    s.receive(&link, &password, "resumed-receive").await;
    let got = std::fs::read(out.join("rakaman mesyuarat.bin")).unwrap();
    assert_eq!(got.len() as u64, SIZE);
    assert!(got[..MARK] == head[..], "the first MiB differs");
    assert!(got[got.len() - MARK..] == tail[..], "the last MiB differs");
    assert!(
        got[MARK..got.len() - MARK].iter().all(|&b| b == 0),
        "the middle differs"
    );
    s.close().await;
}
