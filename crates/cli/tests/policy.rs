//! The `kepil` command holds to the managed desktop's system policy as the app does: its store,
//! its classifications and its caps (whether or not the command names a value), and only a
//! policy file nobody but the administrator can change.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

use common::*;
use serde_json::Value;

fn write_policy(env: &Env, text: &str) {
    let path = env.policy_file("sender");
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
}

/// `kepil send --json` of `file` to one recipient, as "sender".
async fn try_send(env: &Env, class: &str, extra: &[&str], file: &Path) -> Output {
    run(env
        .kepil("sender")
        .args(["send", "--classification", class, "--to", "a@agensi.gov.my"])
        .args(extra)
        .arg(file)
        .arg("--json"))
    .await
}

/// The error message of a failed `--json` run.
fn message(out: &Output) -> String {
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    answer["error"]["message"].as_str().unwrap().to_string()
}

fn a_file(env: &Env) -> std::path::PathBuf {
    let file = env.dir("files").join("surat.txt");
    std::fs::write(&file, b"Surat rasmi").unwrap();
    file
}

#[tokio::test]
async fn the_policy_store_is_used_and_another_one_is_refused() {
    let env = Env::start().await;
    let file = a_file(&env);
    write_policy(&env, &format!("[store]\nurl = \"{}\"\n", env.url));
    // KEPIL_STORE names the same store: fine. Config's store gives way to the policy's.
    let sent = env
        .send(&[
            "--classification",
            "TERHAD",
            "--to",
            "a@agensi.gov.my",
            file.to_str().unwrap(),
        ])
        .await;
    assert!(sent["transfer"].is_string());

    let out = try_send(
        &env,
        "TERHAD",
        &["--store", "https://kepil.lain.example"],
        &file,
    )
    .await;
    assert_eq!(error_code(&out), (Some(3), "store_locked".into()));
    let shown = message(&out);
    assert!(shown.contains("kepil.lain.example"), "{shown}");
}

#[tokio::test]
async fn classifications_and_caps_hold_when_the_command_names_no_value() {
    let env = Env::start().await;
    let file = a_file(&env);
    write_policy(
        &env,
        "[send]\nclassifications = [\"TERHAD\"]\nmax_expiry_hours = 2\nmax_downloads = 1\n",
    );
    let out = try_send(&env, "SULIT", &[], &file).await;
    assert_eq!(
        error_code(&out),
        (Some(3), "classification_not_accepted".into())
    );

    let out = try_send(&env, "TERHAD", &["--max-downloads", "2"], &file).await;
    assert_eq!(error_code(&out), (Some(3), "too_many_downloads".into()));

    // No expiry and no download count named: the store's defaults (3 days, 3 downloads) would
    // exceed the desktop's caps, so the caps are what the transfer gets.
    let sent = env
        .send(&[
            "--classification",
            "TERHAD",
            "--to",
            "a@agensi.gov.my",
            file.to_str().unwrap(),
        ])
        .await;
    let tid = sent["transfer"].as_str().unwrap();
    let out = run(env.kepil("sender").args(["status", tid, "--json"])).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let status: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["grants"][0]["max_downloads"], 1);
    let expires = time::OffsetDateTime::parse(
        status["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let left = expires - time::OffsetDateTime::now_utc();
    assert!(
        left <= time::Duration::hours(2) && left > time::Duration::minutes(110),
        "expires in {left}"
    );
}

#[tokio::test]
async fn a_policy_others_can_change_is_not_trusted() {
    let env = Env::start().await;
    let file = a_file(&env);
    write_policy(&env, "[send]\nclassifications = [\"TERHAD\"]\n");
    let path = env.policy_file("sender");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
    let out = try_send(&env, "TERHAD", &[], &file).await;
    assert_eq!(error_code(&out), (Some(3), "policy_unprotected".into()));
    let shown = message(&out);
    assert!(shown.contains("system-policy.toml"), "{shown}");
}
