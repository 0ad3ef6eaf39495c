//! The files of the Send screen: `pick_files`, `add_dropped`, `remove_file`. The webview only
//! ever holds ids; the paths stay here.

use std::path::PathBuf;

use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::error::{UiError, UiResult};
use crate::state::{Kepil, lock};

#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
pub struct PickedFile {
    pub id: String,
    pub name: String,
    pub size: u64,
}

fn register_files(kepil: &Kepil, paths: Vec<PathBuf>) -> UiResult<Vec<PickedFile>> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(&path).map_err(|_| {
            UiError::new("package_file_unreadable").with(
                "path",
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            )
        })?;
        if !meta.is_file() {
            return Err(UiError::new("package_not_a_file").with(
                "path",
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            ));
        }
        let id = kepil.next_id("f");
        out.push(PickedFile {
            id: id.clone(),
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            size: meta.len(),
        });
        lock(&kepil.files).insert(id, path);
    }
    Ok(out)
}

#[tauri::command]
pub async fn pick_files(kepil: State<'_, Kepil>) -> UiResult<Vec<PickedFile>> {
    let desktop = kepil.desktop.clone();
    let paths = tauri::async_runtime::spawn_blocking(move || desktop.pick_files())
        .await
        .map_err(|_| UiError::new("dialog_failed"))?;
    register_files(&kepil, paths)
}

#[tauri::command]
pub async fn add_dropped(kepil: State<'_, Kepil>, paths: Vec<String>) -> UiResult<Vec<PickedFile>> {
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    {
        // Only what the OS dropped on the window: the webview cannot name arbitrary files.
        let dropped = lock(&kepil.dropped);
        if let Some(p) = paths.iter().find(|p| !dropped.contains(*p)) {
            tracing::warn!("add_dropped: {} was not dropped", p.display());
            return Err(UiError::new("file_not_dropped"));
        }
    }
    register_files(&kepil, paths)
}

#[tauri::command]
pub async fn remove_file(kepil: State<'_, Kepil>, id: String) -> UiResult<()> {
    lock(&kepil.files).remove(&id);
    Ok(())
}
