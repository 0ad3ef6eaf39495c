//! Kepil's desktop app (Tauri 2). Every command is a thin layer over kepil-client and
//! kepil-core; the webview renders, Rust decides. The IPC contract is docs/app.md.

#![forbid(unsafe_code)]

pub mod bindings;
pub mod channel;
pub mod commands;
pub mod desktop;
pub mod error;
#[cfg(feature = "local-store")]
pub mod local_store;
pub mod meter;
pub mod outbound;
/// The system policy of a managed desktop: kepil-client's, so the CLI applies it too.
pub use kepil_client::system_policy as policy;
pub mod sms;
pub mod state;
pub mod webview;

use std::sync::Arc;

use tauri::{Emitter, Manager, Runtime};

pub use state::Kepil;

macro_rules! kepil_commands {
    ($($module:ident :: $command:ident),* $(,)?) => {
        /// Every command the webview may call, from the one list (src/commands/list.rs) that
        /// build.rs declares, capabilities/default.json grants and ui/src/lib/bindings.ts names.
        pub const COMMANDS: &[&str] = &[$(stringify!($command)),*];

        /// The invoke handler: every command in [`COMMANDS`], and nothing else.
        #[macro_export]
        macro_rules! kepil_handler {
            () => {
                tauri::generate_handler![$($crate::commands::$module::$command),*]
            };
        }
    };
}

include!("commands/list.rs");

#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
pub struct DeepLinkPayload {
    pub link: String,
}

/// A link handed over by the OS (deep link, second launch): kept for `app_state` and emitted.
pub fn deliver_link<R: Runtime>(app: &tauri::AppHandle<R>, text: &str) {
    let Ok(link) = kepil_core::link::Link::parse(text) else {
        tracing::warn!("ignored a deep link that is not a Kepil link");
        return;
    };
    // The store's host only: the rest of the link opens the package.
    tracing::info!(
        "a link to the store {} was handed over",
        link.store_base().host_str().unwrap_or_default()
    );
    if let Some(kepil) = app.try_state::<Kepil>() {
        *state::lock(&kepil.pending_link) = Some(text.to_string());
    }
    let _ = app.emit(
        "deep-link",
        DeepLinkPayload {
            link: text.to_string(),
        },
    );
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KEPIL_LOG")
                .unwrap_or_else(|_| "kepil_app=info,kepil_store=warn".into()),
        )
        .with_writer(std::io::stderr)
        .try_init();
}

/// Forgets what expired while the app was closed: passwords still to hand over, and what
/// interrupted sends kept for a resume.
pub fn tidy(dirs: &kepil_client::settings::Dirs, secrets: &kepil_client::secrets::SecretStore) {
    let now = time::OffsetDateTime::now_utc();
    match kepil_client::handover::tidy(dirs, secrets, now) {
        Ok(0) => {}
        Ok(n) => tracing::info!("forgot the passwords of {n} expired transfers"),
        Err(e) => tracing::warn!("could not forget the passwords of expired transfers: {e}"),
    }
    let n = kepil_client::send::discard_expired(dirs, secrets, now);
    if n > 0 {
        tracing::info!("removed {n} unfinished sends whose transfers expired");
    }
}

/// When this process started the app (set first thing in [`run`]).
pub fn launched() -> std::time::Instant {
    *LAUNCHED.get_or_init(std::time::Instant::now)
}

static LAUNCHED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

pub fn run() {
    let started = launched();
    init_tracing();
    let app = tauri::Builder::default()
        // First: a second launch hands its arguments (a kepil:// link) to this instance.
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            if let Some(link) = argv.iter().skip(1).find(|a| a.starts_with("kepil:")) {
                deliver_link(app, link);
            } else if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_opener::init())
        .setup(move |app| {
            let handle = app.handle().clone();
            if let Some(window) = app.get_webview_window("main") {
                webview::tune(&window);
            }
            let dirs = kepil_client::settings::Dirs::from_env()
                .map_err(|e| Box::new(std::io::Error::other(e.to_string())))?;
            let desktop = Arc::new(desktop::TauriDesktop::new(handle.clone()));
            let secrets = kepil_client::secrets::SecretStore::open(&dirs);
            tracing::info!("secrets in the {}", secrets.backend_name());
            let kepil = Kepil::new(dirs, secrets, policy::SystemPolicy::load_system(), desktop);
            // Off the first screen's path: the keyring may be slow or waiting for a prompt.
            {
                let (dirs, secrets) = (kepil.dirs.clone(), kepil.secrets.clone());
                tauri::async_runtime::spawn_blocking(move || tidy(&dirs, &secrets));
            }
            app.manage(kepil);
            // Start the local store now (when it is the one in use), not on the first click.
            let h = handle.clone();
            tauri::async_runtime::spawn(async move {
                let kepil = h.state::<Kepil>();
                if let Err(e) = kepil.store().await {
                    tracing::warn!("store: {e}");
                }
            });
            {
                // No registration at run time: the installed package declares `kepil://` in
                // its desktop entry (MimeType=x-scheme-handler/kepil), and a build run from a
                // checkout must not make itself the user's handler.
                use tauri_plugin_deep_link::DeepLinkExt;
                if let Ok(Some(urls)) = app.deep_link().get_current()
                    && let Some(url) = urls.first()
                {
                    deliver_link(&handle, url.as_str());
                }
                let h = handle.clone();
                app.deep_link().on_open_url(move |event| {
                    if let Some(url) = event.urls().first() {
                        deliver_link(&h, url.as_str());
                    }
                });
            }
            tracing::info!(
                "window set up {} ms after launch",
                started.elapsed().as_millis()
            );
            Ok(())
        })
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) = event
                && let Some(kepil) = window.app_handle().try_state::<Kepil>()
            {
                state::lock(&kepil.dropped).extend(paths.iter().cloned());
            }
        })
        .invoke_handler(kepil_handler!())
        .build(tauri::generate_context!())
        .expect("error while building the Kepil app");
    app.run(|handle, event| {
        if let tauri::RunEvent::Exit = event
            && let Some(kepil) = handle.try_state::<Kepil>()
        {
            tauri::async_runtime::block_on(kepil.shutdown());
        }
    });
}
