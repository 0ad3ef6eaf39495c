//! Sign-in against a real OpenID Provider (oidc-provider, kepil-test-support's fixture): the
//! code flow through the loopback listener, the device flow, a pasted redirect, refresh, and
//! the ways they fail. A scripted browser (the fixture's) signs the person in and follows the
//! provider's redirect to the client's listener, as a real browser would.
//!
//! What needs the store's `POST /api/v1/sessions` is in `signin_store.rs`.

use std::time::Duration;

use kepil_client::error::{SessionError, SignInError};
use kepil_client::signin::{self, CodeFlow, DeviceFlow, Provider, ProviderTokens};
use kepil_core::message::{Coded, Lang};
use kepil_protocol::identity::IdentityProviderInfo;
use kepil_test_support::oidc::*;

const WAIT: Duration = Duration::from_secs(60);

fn info(op: &OidcProvider) -> IdentityProviderInfo {
    IdentityProviderInfo {
        id: "agency".into(),
        display_name: "Agency IdP".into(),
        issuer: op.issuer().to_string(),
        client_id: CLIENT_ID.into(),
        desktop_client_secret: None,
        scopes: vec!["email".into(), "profile".into(), "offline_access".into()],
    }
}

async fn discover(op: &OidcProvider) -> Provider {
    Provider::discover(&info(op)).await.expect("discovery")
}

/// Signs Alice in through the browser and the loopback listener.
async fn sign_in(provider: &Provider, op: &OidcProvider) -> ProviderTokens {
    let browser = op.browser();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let tokens = signin::with_browser(
        provider,
        |url| {
            let url = url.to_string();
            tokio::spawn(async move {
                let landing = browser
                    .login(&url, ALICE_EMAIL, PASSWORD, AtRedirect::Follow)
                    .await;
                let _ = tx.send(landing);
            });
        },
        WAIT,
    )
    .await
    .expect("signed in");
    let landing = rx.await.unwrap().expect("the browser reached the listener");
    let (status, page) = landing.client_response.expect("the listener answered");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Sign-in complete") && page.contains("Log masuk selesai"));
    tokens
}

#[tokio::test]
async fn the_browser_signs_in_through_the_loopback_listener() {
    let op = OidcProvider::start(ProviderConfig::new());
    let provider = discover(&op).await;
    assert!(provider.has_device_flow());
    let tokens = sign_in(&provider, &op).await;
    assert_eq!(tokens.email, ALICE_EMAIL);
    assert_eq!(tokens.name.as_deref(), Some("Alice Tan"));
    assert!(tokens.refresh_token.is_some());
    // The nonce the client asked for, for the store to check again.
    let nonce = tokens.nonce.clone().expect("a nonce");
    let claims = jwt_claims(tokens.id_token.expose());
    assert_eq!(claims["nonce"], nonce.as_str());
    assert_eq!(claims["aud"], CLIENT_ID);
    assert!(tokens.id_token_expires_at > time::OffsetDateTime::now_utc());
    // Secrets stay out of Debug.
    let shown = format!("{tokens:?}");
    assert!(!shown.contains(tokens.id_token.expose()), "{shown}");
}

#[tokio::test]
async fn the_authorization_request_uses_pkce_s256_a_state_a_nonce_and_the_loopback() {
    let op = OidcProvider::start(ProviderConfig::new());
    let provider = discover(&op).await;
    let flow = CodeFlow::start(&provider).await.unwrap();
    let url = reqwest::Url::parse(flow.authorize_url()).unwrap();
    let q = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(q("code_challenge_method").as_deref(), Some("S256"));
    assert_eq!(q("code_challenge").unwrap().len(), 43);
    assert!(q("state").unwrap().len() >= 16);
    assert!(q("nonce").unwrap().len() >= 16);
    assert_eq!(q("response_type").as_deref(), Some("code"));
    let redirect = q("redirect_uri").unwrap();
    assert_eq!(redirect, flow.redirect_uri());
    assert!(redirect.starts_with("http://127.0.0.1:") && redirect.ends_with("/callback"));
    let scopes = q("scope").unwrap();
    for s in ["openid", "email", "profile", "offline_access"] {
        assert!(scopes.split(' ').any(|x| x == s), "{scopes}");
    }
}

#[tokio::test]
async fn an_answer_with_another_state_is_refused() {
    let op = OidcProvider::start(ProviderConfig::new());
    let provider = discover(&op).await;
    let flow = CodeFlow::start(&provider).await.unwrap();
    // The provider sends the browser back with whatever state the request carried: here one
    // this sign-in never made, as a forged or stale request would.
    let mut url = reqwest::Url::parse(flow.authorize_url()).unwrap();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" {
                "someone-elses-state".to_string()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    let browser = op.browser();
    let drive = tokio::spawn(async move {
        browser
            .login(url.as_str(), ALICE_EMAIL, PASSWORD, AtRedirect::Follow)
            .await
    });
    let err = flow.wait_for_browser(WAIT).await.unwrap_err();
    assert!(matches!(err, SignInError::StateMismatch), "{err:?}");
    let landing = drive.await.unwrap().unwrap();
    let (status, page) = landing.client_response.unwrap();
    assert_eq!(status, 400);
    assert!(page.contains("Sign-in failed"), "{page}");
    assert!(
        err.message(Lang::En)
            .contains("does not belong to this sign-in")
    );
}

/// Walks the provider's pages as a person who signs in and then presses Cancel on the consent
/// page, delivering the provider's redirect to the listener. (The fixture's browser always
/// allows.)
async fn deny_consent(issuer: &str, authorize_url: &str) -> (u16, String) {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap();
    let issuer = reqwest::Url::parse(issuer).unwrap();
    let mut url = reqwest::Url::parse(authorize_url).unwrap();
    let mut form: Option<Vec<(&str, &str)>> = None;
    for _ in 0..20 {
        let request = match form.take() {
            Some(fields) => http.post(url.clone()).form(&fields),
            None => http.get(url.clone()),
        };
        let resp = request.send().await.unwrap();
        if resp.status().is_redirection() {
            let next = url
                .join(resp.headers()["location"].to_str().unwrap())
                .unwrap();
            if next.origin() != issuer.origin() {
                let resp = http.get(next).send().await.unwrap();
                let status = resp.status().as_u16();
                return (status, resp.text().await.unwrap());
            }
            url = next;
            continue;
        }
        let body = resp.text().await.unwrap();
        let action = |id: &str| {
            let at = body.find(&format!("id=\"{id}\""))?;
            let rest = &body[at..];
            let start = rest.find("action=\"")? + 8;
            let end = rest[start..].find('"')? + start;
            Some(rest[start..end].to_string())
        };
        if let Some(login) = action("login") {
            url = url.join(&login).unwrap();
            form = Some(vec![("login", ALICE_EMAIL), ("password", PASSWORD)]);
        } else if let Some(deny) = action("deny") {
            url = url.join(&deny).unwrap();
        } else {
            panic!("a page I cannot read at {url}: {body}");
        }
    }
    panic!("no redirect to the client");
}

#[tokio::test]
async fn a_denied_consent_is_a_clear_error() {
    let op = OidcProvider::start(ProviderConfig::new().consent_form(true));
    let provider = discover(&op).await;
    let flow = CodeFlow::start(&provider).await.unwrap();
    let (issuer, url) = (op.issuer().to_string(), flow.authorize_url().to_string());
    let drive = tokio::spawn(async move { deny_consent(&issuer, &url).await });
    let err = flow.wait_for_browser(WAIT).await.unwrap_err();
    assert!(matches!(err, SignInError::Denied), "{err:?}");
    assert_eq!(err.code(), "sign_in_denied");
    let (status, page) = drive.await.unwrap();
    assert_eq!(status, 400);
    assert!(page.contains("Log masuk tidak berjaya"), "{page}");
    for lang in Lang::ALL {
        assert!(
            err.message(lang).contains("kepil login"),
            "{}",
            err.message(lang)
        );
    }
}

#[tokio::test]
async fn a_sign_in_nobody_finishes_times_out() {
    let op = OidcProvider::start(ProviderConfig::new());
    let provider = discover(&op).await;
    let flow = CodeFlow::start(&provider).await.unwrap();
    let err = flow
        .wait_for_browser(Duration::from_secs(1))
        .await
        .unwrap_err();
    assert!(matches!(err, SignInError::Timeout { secs: 1 }), "{err:?}");
    assert!(err.message(Lang::En).contains("not completed within 1s"));
}

#[tokio::test]
async fn refresh_gives_a_new_id_token() {
    let op = OidcProvider::start(ProviderConfig::new());
    let provider = discover(&op).await;
    let first = sign_in(&provider, &op).await;
    // iat has a one-second resolution: a token of the same second could be the same.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let refreshed = provider
        .refresh(first.refresh_token.as_ref().unwrap())
        .await
        .expect("refreshed");
    assert_ne!(refreshed.id_token.expose(), first.id_token.expose());
    assert_eq!(refreshed.email, ALICE_EMAIL);
    assert!(refreshed.nonce.is_none());
    assert!(refreshed.refresh_token.is_some());
    let (a, b) = (
        jwt_claims(first.id_token.expose()),
        jwt_claims(refreshed.id_token.expose()),
    );
    assert_eq!(a["sub"], b["sub"]);
    assert!(b["iat"].as_i64() > a["iat"].as_i64());
}

#[tokio::test]
async fn a_disabled_users_refresh_fails_with_a_clear_error() {
    let op = OidcProvider::start(ProviderConfig::new());
    let provider = discover(&op).await;
    let tokens = sign_in(&provider, &op).await;
    op.disable_user(ALICE).await;
    let err = provider
        .refresh(tokens.refresh_token.as_ref().unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, SessionError::SignInEnded { .. }), "{err:?}");
    assert_eq!(
        err.message(Lang::En),
        "Your sign-in at Agency IdP has ended (you signed out there, it expired, or the account \
         was disabled). Sign in again with `kepil login`."
    );
    assert!(err.message(Lang::Ms).contains("Sila log masuk semula"));
}

#[tokio::test]
async fn tokens_signed_with_a_key_added_after_discovery_are_accepted() {
    let op = OidcProvider::start(ProviderConfig::new());
    let provider = discover(&op).await;
    let kid = op.rotate_keys().await;
    let tokens = sign_in(&provider, &op).await;
    assert_eq!(jwt_header(tokens.id_token.expose())["kid"], kid.as_str());
}

#[tokio::test]
async fn the_device_flow_signs_in_on_another_device() {
    let op = OidcProvider::start(ProviderConfig::new());
    let provider = discover(&op).await;
    let flow = DeviceFlow::start(&provider).await.expect("a device code");
    assert!(!flow.user_code().is_empty());
    assert!(flow.verification_uri().starts_with(op.issuer()));
    assert!(flow.expires_in() > Duration::from_secs(60));
    let (uri, code) = (
        flow.verification_uri().to_string(),
        flow.user_code().to_string(),
    );
    let browser = op.browser();
    let approve = tokio::spawn(async move {
        browser
            .approve_device_code(&uri, &code, ALICE_EMAIL, PASSWORD)
            .await
    });
    let tokens = flow.finish().await.expect("signed in");
    approve.await.unwrap().expect("approved");
    assert_eq!(tokens.email, ALICE_EMAIL);
    assert!(tokens.nonce.is_none());
    assert!(tokens.refresh_token.is_some());
}

#[tokio::test]
async fn a_pasted_redirect_completes_the_sign_in() {
    let op = OidcProvider::start(ProviderConfig::new());
    let provider = discover(&op).await;
    // The browser is on another computer: the redirect to this one's loopback goes nowhere,
    // and the person copies the address it ended on.
    let flow = CodeFlow::start(&provider).await.unwrap();
    let landing = op
        .login_via_browser(
            flow.authorize_url(),
            ALICE_EMAIL,
            PASSWORD,
            AtRedirect::Stop,
        )
        .await
        .unwrap();
    let pasted = format!("  {}\n", landing.url);
    let tokens = flow.finish_pasted(&pasted).await.expect("signed in");
    assert_eq!(tokens.email, ALICE_EMAIL);

    // Through `finish`, the paste arriving while the listener waits.
    let flow = CodeFlow::start(&provider).await.unwrap();
    let landing = op
        .login_via_browser(
            flow.authorize_url(),
            ALICE_EMAIL,
            PASSWORD,
            AtRedirect::Stop,
        )
        .await
        .unwrap();
    let url = landing.url.to_string();
    let tokens = flow
        .finish(WAIT, async move { Some(url) })
        .await
        .expect("signed in");
    assert_eq!(tokens.email, ALICE_EMAIL);

    // Something else pasted: a clear error, and a code cannot be used twice.
    let flow = CodeFlow::start(&provider).await.unwrap();
    let err = flow
        .finish_pasted("https://mail.example/inbox")
        .await
        .unwrap_err();
    assert!(matches!(err, SignInError::BadRedirect { .. }), "{err:?}");
}

#[tokio::test]
async fn a_provider_at_another_issuer_or_on_plain_http_is_refused() {
    let op = OidcProvider::start(ProviderConfig::new());
    let mut other = info(&op);
    // The discovery document names the fixture's issuer, not this one.
    other.issuer = op.issuer().replace("127.0.0.1", "localhost");
    let err = Provider::discover(&other).await.unwrap_err();
    assert!(matches!(err, SignInError::Discovery { .. }), "{err:?}");
    other.issuer = "http://idp.agency.gov.my".into();
    let err = Provider::discover(&other).await.unwrap_err();
    assert!(matches!(err, SignInError::InsecureIssuer { .. }), "{err:?}");
}
