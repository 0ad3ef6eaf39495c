//! The `[sign_in]` section of a managed desktop's system policy, as the `kepil` command applies
//! it (docs/policy.md): no machine token typed or taken from the environment where sign-in is
//! required, and the provider IT chose among the store's. Real `kepil`, a real kepil-store in
//! this process and the test-support OpenID Provider, as in tests/login.rs.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::*;
use kepil_test_support::oidc::{self, AtRedirect, OidcProvider};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};

fn provider_config(op: &OidcProvider, id: &str) -> kepil_store::identity::ProviderConfig {
    let mut provider = op.store_provider(id);
    provider.display_name = format!("SSO {id}");
    provider
}

/// The exit status and the error code: from `--json`'s answer, else the `[code]` on stderr.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desktop_that_requires_sign_in_takes_no_machine_token_and_signs_in_where_it_says() {
    let op = OidcProvider::start(oidc::ProviderConfig::new());
    let providers = vec![
        provider_config(&op, "agency"),
        provider_config(&op, "other"),
    ];
    let env = Env::start_with(EnvOptions {
        configure: Some(Box::new(move |c: &mut kepil_store::Config| {
            c.identity.providers = providers;
        })),
        ..EnvOptions::default()
    })
    .await;
    // Before the policy: a machine token is saved as always, and would be used.
    let saved = run_with_stdin(
        env.kepil("sender")
            .env_remove("KEPIL_TOKEN")
            .args(["login", "--token-stdin"]),
        format!("{}\n", env.token),
    )
    .await;
    assert!(saved.status.success(), "{}", text(&saved.stderr));

    std::fs::write(
        env.policy_file("sender"),
        "[sign_in]\nrequired = true\nprovider = \"other\"\n",
    )
    .unwrap();
    // Refused before any token is read.
    let out = run_with_stdin(
        env.kepil("sender")
            .env_remove("KEPIL_TOKEN")
            .args(["login", "--token-stdin"]),
        "kpl_whatever\n".into(),
    )
    .await;
    assert_eq!(error_code(&out), (Some(3), "token_not_allowed".into()));
    assert!(
        text(&out.stderr).contains("machine tokens are not accepted here"),
        "{}",
        text(&out.stderr)
    );
    // KEPIL_TOKEN is refused out loud, not passed over.
    let f = env.dir("src").join("surat.txt");
    write_file(&f, 100, 1);
    let send = [
        "send",
        f.to_str().unwrap(),
        "--classification",
        "terbuka",
        "--to",
        "penerima@agency.gov.my",
        "--json",
    ];
    let out = run(env.kepil("sender").args(send)).await;
    assert_eq!(error_code(&out), (Some(3), "token_not_allowed".into()));
    // The token saved before the policy is not used either: nobody is signed in.
    let out = run(env
        .kepil("sender")
        .env_remove("KEPIL_TOKEN")
        .args(["whoami", "--json"]))
    .await;
    assert_eq!(error_code(&out), (Some(2), "not_signed_in".into()));
    // The policy's provider, not another of the store's.
    let out =
        run(env
            .kepil("sender")
            .env_remove("KEPIL_TOKEN")
            .args(["login", "--provider", "agency"]))
        .await;
    assert_eq!(error_code(&out), (Some(3), "provider_locked".into()));

    // Without --provider the store's two providers need no choosing: the policy chose.
    let mut login = env.kepil("sender");
    login
        .env_remove("KEPIL_TOKEN")
        .env("BROWSER", "true")
        .arg("login")
        .stderr(Stdio::piped())
        .stdout(Stdio::piped());
    let mut child = login.spawn().unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let issuer = op.issuer().to_string();
    let url = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.starts_with(&issuer) {
                return line.trim().to_string();
            }
        }
        panic!("kepil login printed no sign-in address");
    })
    .await
    .unwrap();
    op.login_via_browser(&url, oidc::ALICE_EMAIL, oidc::PASSWORD, AtRedirect::Follow)
        .await
        .expect("the browser signs in");
    let status = tokio::time::timeout(Duration::from_secs(60), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success());

    let out = run(env
        .kepil("sender")
        .env_remove("KEPIL_TOKEN")
        .args(["whoami", "--json"]))
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let who: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(who["identity"]["provider"], "other");
    assert_eq!(who["kind"], "session");
    // Signed in, the desktop sends as the person.
    let out = run(env.kepil("sender").env_remove("KEPIL_TOKEN").args(send)).await;
    assert!(out.status.success(), "{}", text(&out.stderr));

    // A broken policy fails closed.
    std::fs::write(env.policy_file("sender"), "[sign_in]\nrequire = true\n").unwrap();
    let out = run(env
        .kepil("sender")
        .env_remove("KEPIL_TOKEN")
        .args(["whoami", "--json"]))
    .await;
    assert_eq!(error_code(&out), (Some(3), "policy_invalid".into()));
}
