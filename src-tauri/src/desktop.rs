//! What the app asks of the desktop: native dialogs, the clipboard, opening a URL or a folder.
//! Behind a trait so the command tests run on Tauri's mock runtime with a recording fake.
//! None of these plugins is exposed to the webview: only Rust calls them.

use std::path::PathBuf;

pub trait Desktop: Send + Sync + 'static {
    /// Native multi-file dialog; empty when the user cancels.
    fn pick_files(&self) -> Vec<PathBuf>;
    /// Native folder dialog.
    fn pick_folder(&self) -> Option<PathBuf>;
    fn clipboard_write(&self, text: &str) -> Result<(), String>;
    fn clipboard_read(&self) -> Option<String>;
    fn clipboard_clear(&self) -> Result<(), String>;
    /// `mailto:`, or the identity provider's sign-in page in the system browser (and nothing
    /// else: the caller builds the URL).
    fn open_url(&self, url: &str) -> Result<(), String>;
    fn open_folder(&self, path: &std::path::Path) -> Result<(), String>;
}

/// The real desktop, through Tauri's plugins (dialog = rfd with GTK3 on Linux).
pub struct TauriDesktop<R: tauri::Runtime> {
    pub app: tauri::AppHandle<R>,
    /// `e2e` builds only: answers for the dialogs, read once at startup.
    pub e2e_files: Option<Vec<PathBuf>>,
    pub e2e_folder: Option<PathBuf>,
}

impl<R: tauri::Runtime> std::fmt::Debug for TauriDesktop<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TauriDesktop").finish_non_exhaustive()
    }
}

impl<R: tauri::Runtime> TauriDesktop<R> {
    pub fn new(app: tauri::AppHandle<R>) -> Self {
        #[allow(unused_mut)]
        let mut desktop = TauriDesktop {
            app,
            e2e_files: None,
            e2e_folder: None,
        };
        #[cfg(feature = "e2e")]
        {
            desktop.e2e_files = std::env::var_os("KEPIL_E2E_PICK_FILES")
                .map(|v| std::env::split_paths(&v).collect());
            desktop.e2e_folder = std::env::var_os("KEPIL_E2E_PICK_FOLDER").map(PathBuf::from);
        }
        desktop
    }
}

impl<R: tauri::Runtime> Desktop for TauriDesktop<R> {
    fn pick_files(&self) -> Vec<PathBuf> {
        if let Some(files) = &self.e2e_files {
            return files.clone();
        }
        use tauri_plugin_dialog::DialogExt;
        self.app
            .dialog()
            .file()
            .blocking_pick_files()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|f| f.into_path().ok())
            .collect()
    }

    fn pick_folder(&self) -> Option<PathBuf> {
        if let Some(folder) = &self.e2e_folder {
            return Some(folder.clone());
        }
        use tauri_plugin_dialog::DialogExt;
        self.app
            .dialog()
            .file()
            .blocking_pick_folder()
            .and_then(|f| f.into_path().ok())
    }

    fn clipboard_write(&self, text: &str) -> Result<(), String> {
        use tauri_plugin_clipboard_manager::ClipboardExt;
        self.app
            .clipboard()
            .write_text(text.to_string())
            .map_err(|e| e.to_string())
    }

    fn clipboard_read(&self) -> Option<String> {
        use tauri_plugin_clipboard_manager::ClipboardExt;
        self.app.clipboard().read_text().ok()
    }

    fn clipboard_clear(&self) -> Result<(), String> {
        use tauri_plugin_clipboard_manager::ClipboardExt;
        self.app.clipboard().clear().map_err(|e| e.to_string())
    }

    fn open_url(&self, url: &str) -> Result<(), String> {
        use tauri_plugin_opener::OpenerExt;
        self.app
            .opener()
            .open_url(url, None::<&str>)
            .map_err(|e| e.to_string())
    }

    fn open_folder(&self, path: &std::path::Path) -> Result<(), String> {
        use tauri_plugin_opener::OpenerExt;
        self.app
            .opener()
            .open_path(path.to_string_lossy(), None::<&str>)
            .map_err(|e| e.to_string())
    }
}
