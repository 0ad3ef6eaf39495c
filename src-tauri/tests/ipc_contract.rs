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
