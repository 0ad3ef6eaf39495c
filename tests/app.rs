//! The desktop app on Tauri's mock runtime: the webview's IPC path (JSON in, `{code, params}`
//! out) without a window, with a recording fake desktop for dialogs, clipboard and opener.
//! The app's own command tests (src-tauri/tests/commands.rs) and the app ↔ CLI scenarios here
//! drive it the same way.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use kepil_app::Kepil;
use kepil_app::desktop::Desktop;
use kepil_client::secrets::SecretStore;
use kepil_client::settings::Dirs;
use kepil_client::system_policy::SystemPolicy;
use serde_json::{Value, json};
use tauri::test::{
    INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets,
};

/// Everything Kepil logs in this test process, at every level of its own crates: a secret in
/// a log line is a leak even when nobody asked for debug logs today.
pub fn logs() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = logs.clone();
        // Installed before the app's own init_tracing, which then keeps it (try_init).
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "kepil_app=trace,kepil_client=trace,kepil_core=trace,kepil_store=trace,info",
            ))
            .with_ansi(false)
            .with_writer(move || LogSink(sink.clone()))
            .init();
        logs
    })
}

struct LogSink(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The native dialogs, clipboard and opener, answered by the test and recorded.
#[derive(Debug, Default)]
pub struct FakeDesktop {
    pub files: Mutex<Vec<PathBuf>>,
    pub folder: Mutex<Option<PathBuf>>,
    pub clipboard: Mutex<Option<String>>,
    pub opened: Mutex<Vec<String>>,
}

impl Desktop for FakeDesktop {
    fn pick_files(&self) -> Vec<PathBuf> {
        self.files.lock().unwrap().clone()
    }
    fn pick_folder(&self) -> Option<PathBuf> {
        self.folder.lock().unwrap().clone()
    }
    fn clipboard_write(&self, text: &str) -> Result<(), String> {
        *self.clipboard.lock().unwrap() = Some(text.to_string());
        Ok(())
    }
    fn clipboard_read(&self) -> Option<String> {
        self.clipboard.lock().unwrap().clone()
    }
    fn clipboard_clear(&self) -> Result<(), String> {
        *self.clipboard.lock().unwrap() = None;
        Ok(())
    }
    fn open_url(&self, url: &str) -> Result<(), String> {
        self.opened.lock().unwrap().push(url.to_string());
        Ok(())
    }
    fn open_folder(&self, path: &Path) -> Result<(), String> {
        self.opened.lock().unwrap().push(path.display().to_string());
        Ok(())
    }
}

/// One app, its home under a temporary directory of its own (never the real one; secrets in
/// a 0600 file, never a keyring), its system policy a file the test writes or leaves absent.
pub struct MockApp {
    dir: tempfile::TempDir,
    pub root: PathBuf,
    pub desktop: Arc<FakeDesktop>,
    app: tauri::App<MockRuntime>,
    webview: tauri::WebviewWindow<MockRuntime>,
    /// What the jobs sent on their channels, as `("<job>-<event>", data)`.
    pub events: Arc<Mutex<Vec<(String, Value)>>>,
    channels: Arc<Mutex<HashMap<u32, &'static str>>>,
}

impl std::fmt::Debug for MockApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockApp").field("root", &self.root).finish()
    }
}

impl MockApp {
    /// With `policy` as the system policy file's text (`None`: no file).
    pub fn new(policy: Option<&str>) -> MockApp {
        Self::with_secrets(policy, |_| {})
    }

    /// As `new`, with `prepare` run on the secret store before the app starts.
    pub fn with_secrets(policy: Option<&str>, prepare: impl FnOnce(&SecretStore)) -> MockApp {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let dirs = Dirs::under(&root.join("home"));
        let policy_file = root.join("policy.toml");
        if let Some(text) = policy {
            std::fs::write(&policy_file, text).unwrap();
        }
        let secrets = SecretStore::file_only(&dirs);
        prepare(&secrets);
        Self::build(dir, dirs, secrets, &policy_file)
    }

    /// With the caller's directories and secret store (a real keyring in a private session),
    /// as the app's `run` opens them; `policy_file` need not exist.
    pub fn with_dirs(dirs: Dirs, secrets: SecretStore, policy_file: &Path) -> MockApp {
        Self::build(tempfile::tempdir().unwrap(), dirs, secrets, policy_file)
    }

    fn build(
        dir: tempfile::TempDir,
        dirs: Dirs,
        secrets: SecretStore,
        policy_file: &Path,
    ) -> MockApp {
        logs();
        kepil_app::init_tracing();
        let root = dir.path().to_path_buf();
        let desktop = Arc::new(FakeDesktop::default());
        let mut kepil = Kepil::new(
            dirs,
            secrets,
            SystemPolicy::load(policy_file),
            desktop.clone(),
        );
        kepil.clipboard_clear_after = Duration::from_millis(300);
        // The channel ids `call` hands out say which job ("send", "receive") each one is for.
        let events: Arc<Mutex<Vec<(String, Value)>>> = Arc::new(Mutex::new(Vec::new()));
        let channels: Arc<Mutex<HashMap<u32, &'static str>>> = Arc::default();
        let (seen, known) = (events.clone(), channels.clone());
        let app = mock_builder()
            .channel_interceptor(move |_webview, callback, _index, body| {
                let Some(job) = known.lock().unwrap().get(&callback.0).copied() else {
                    return false;
                };
                let tauri::ipc::InvokeResponseBody::Json(json) = body else {
                    panic!("a {job} channel got raw bytes");
                };
                let message: Value = serde_json::from_str(json).unwrap();
                let event = message["event"].as_str().expect("{event, data}");
                seen.lock()
                    .unwrap()
                    .push((format!("{job}-{event}"), message["data"].clone()));
                true
            })
            .invoke_handler(kepil_app::kepil_handler!())
            .manage(kepil)
            .build(mock_context(noop_assets()))
            .unwrap();
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        MockApp {
            dir,
            root,
            desktop,
            app,
            webview,
            events,
            channels,
        }
    }

    /// Calls `cmd` the way the webview does. The commands that stream a job take a channel
    /// (`onEvent`): each call gets a new one, recorded in `events`.
    pub fn call(&self, cmd: &str, mut args: Value) -> Result<Value, Value> {
        let job = match cmd {
            "send_start" | "interrupted_resume" => Some("send"),
            "receive_unlock" | "receive_save" => Some("receive"),
            "sign_in_start" => Some("signin"),
            _ => None,
        };
        if let Some(job) = job {
            static NEXT: AtomicU32 = AtomicU32::new(1000);
            let id = NEXT.fetch_add(1, Ordering::Relaxed);
            self.channels.lock().unwrap().insert(id, job);
            args["onEvent"] = json!(format!("__CHANNEL__:{id}"));
        }
        get_ipc_response(
            &self.webview,
            tauri::webview::InvokeRequest {
                cmd: cmd.into(),
                callback: tauri::ipc::CallbackFn(0),
                error: tauri::ipc::CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: tauri::ipc::InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|body| body.deserialize::<Value>().unwrap())
    }

    pub fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args)
            .unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    pub fn err(&self, cmd: &str, args: Value) -> Value {
        match self.call(cmd, args) {
            Ok(v) => panic!("{cmd} should have failed, answered {v}"),
            Err(e) => e,
        }
    }

    /// Waits (at most a minute) for `name` with this job id; panics on the matching failure
    /// event.
    pub fn wait_event(&self, name: &str, failed: &str, job: &str) -> Value {
        for _ in 0..600 {
            for (n, payload) in self.events.lock().unwrap().iter() {
                if payload["jobId"] == job {
                    if n == name {
                        return payload.clone();
                    }
                    if n == failed {
                        panic!("{failed}: {payload}");
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("no {name} for {job}");
    }

    /// Sends one file (`name`, `bytes`) as SULIT to one recipient, as the Send screen does
    /// after the file dialog: the job id.
    pub fn send_file(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.file(name, bytes);
        *self.desktop.files.lock().unwrap() = vec![path];
        let picked = self.ok("pick_files", json!({}));
        let job = self.ok(
            "send_start",
            json!({ "request": {
                "fileIds": [picked[0]["id"].clone()],
                "classification": "SULIT",
                "recipients": [{ "email": "a@agensi.gov.my" }],
                "subject": "",
                "message": ""
            }}),
        );
        job.as_str().expect("a job id").to_string()
    }

    /// A file `name` with `bytes` in the test's directory.
    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.root.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// Where the app keeps everything: config, credentials file, history, the local store.
    pub fn home(&self) -> PathBuf {
        self.root.join("home")
    }

    /// Every event payload so far, as one text.
    pub fn events_text(&self) -> String {
        self.events
            .lock()
            .unwrap()
            .iter()
            .map(|(name, payload)| format!("{name} {payload}\n"))
            .collect()
    }

    /// Stops the local store and the app; answers the test's directory, still there for a
    /// last look at what was left on disk.
    pub fn shutdown(self) -> tempfile::TempDir {
        let kepil = tauri::Manager::state::<Kepil>(&self.app);
        tauri::async_runtime::block_on(kepil.shutdown());
        let MockApp {
            dir, app, webview, ..
        } = self;
        drop(webview);
        drop(app);
        dir
    }
}
