//! Declares every app command (the one list, src/commands/list.rs) so tauri-build generates an
//! `allow-<command>` permission for each; capabilities/default.json grants exactly these to the
//! main window and nothing else (tests/ipc_contract.rs checks it).

macro_rules! kepil_commands {
    ($($module:ident :: $command:ident),* $(,)?) => {
        const COMMANDS: &[&str] = &[$(stringify!($command)),*];
    };
}

include!("src/commands/list.rs");

fn main() {
    println!("cargo:rerun-if-changed=src/commands/list.rs");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
