//! Declares every app command so tauri-build generates an `allow-<command>` permission for
//! each; capabilities/default.json grants exactly these to the main window and nothing else.

const COMMANDS: &[&str] = &[
    "app_state",
    "settings_save",
    "token_save",
    "pick_files",
    "add_dropped",
    "remove_file",
    "check_classification",
    "send_start",
    "send_cancel",
    "reveal_password",
    "password_qr",
    "copy_password",
    "copy_link",
    "compose_email",
    "send_sms",
    "receive_open",
    "receive_unlock",
    "pick_folder",
    "receive_save",
    "receive_cancel",
    "open_folder",
    "history_list",
    "history_status",
    "history_revoke",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
