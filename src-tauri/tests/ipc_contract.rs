//! The app's IPC contract has one source, src/commands/list.rs: the capability file grants
//! exactly its commands (and the core event permissions the deep-link event needs).

use std::collections::BTreeSet;

#[test]
fn the_capability_grants_exactly_the_command_list() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("capabilities/default.json"),
    )
    .unwrap();
    let cap: serde_json::Value = serde_json::from_str(&text).unwrap();
    let granted: Vec<&str> = cap["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().expect("permissions are plain names"))
        .collect();
    let unique: BTreeSet<&str> = granted.iter().copied().collect();
    assert_eq!(unique.len(), granted.len(), "a permission is granted twice");
    let app: BTreeSet<String> = unique
        .iter()
        .filter(|p| !p.starts_with("core:"))
        .map(|p| p.to_string())
        .collect();
    let expected: BTreeSet<String> = kepil_app::COMMANDS
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .collect();
    assert_eq!(
        app, expected,
        "capabilities/default.json vs src/commands/list.rs"
    );
    let core: BTreeSet<&str> = unique
        .iter()
        .copied()
        .filter(|p| p.starts_with("core:"))
        .collect();
    assert_eq!(
        core,
        BTreeSet::from(["core:event:allow-listen", "core:event:allow-unlisten"]),
        "the webview listens to the deep-link event and nothing else of core"
    );
    assert_eq!(cap["windows"], serde_json::json!(["main"]));
}

/// ui/src/lib/bindings.ts is what the Rust types generate today (CI catches a stale one).
#[test]
fn the_typescript_bindings_are_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings.ts");
    let generated = kepil_app::bindings::typescript();
    if std::env::var_os("KEPIL_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "ui/src/lib/bindings.ts is stale: run `KEPIL_BLESS=1 cargo test -p kepil-app --test ipc_contract`"
    );
}
