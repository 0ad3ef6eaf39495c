// The one list of the app's IPC commands, as `module::command` under src/commands/. It is not
// a module: build.rs includes it (tauri-build generates an `allow-<command>` permission for each
// name) and so does lib.rs (the invoke handler `kepil_handler!`, `kepil_app::COMMANDS`, and the
// command list of ui/src/lib/bindings.ts). tests/ipc_contract.rs checks that
// capabilities/default.json grants exactly these and that bindings.ts is up to date.
kepil_commands! {
    app::app_state,
    app::settings_save,
    app::token_save,
    app::ui_ready,
    account::sign_in_start,
    account::sign_in_cancel,
    account::sign_out,
    account::account_transfers,
    account::account_revoke,
    files::pick_files,
    files::add_dropped,
    files::remove_file,
    send::check_classification,
    send::send_start,
    send::send_cancel,
    deliver::reveal_password,
    deliver::password_qr,
    deliver::copy_password,
    deliver::copy_link,
    deliver::compose_email,
    deliver::send_sms,
    receive::receive_open,
    receive::receive_unlock,
    receive::pick_folder,
    receive::receive_save,
    receive::receive_cancel,
    receive::open_folder,
    history::history_list,
    history::history_status,
    history::history_revoke,
    history::history_unlock,
}
