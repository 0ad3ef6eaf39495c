//! The OpenID Provider fixture against itself: a real oidc-provider, driven as a native client
//! and a person would, so the sign-in tests built on it test the protocol and not a mock.

use kepil_test_support::oidc::*;
use reqwest::{StatusCode, Url};
use serde_json::{Value, json};

fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

async fn discovery(op: &OidcProvider) -> Value {
    let resp = http().get(op.discovery_url()).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.unwrap()
}

/// An authorization request as the CLI builds it, with a loopback redirect on `port`.
struct Request {
    url: String,
    redirect_uri: String,
    state: String,
    pkce: Pkce,
}

fn authorize_request(op: &OidcProvider, port: u16, scope: &str) -> Request {
    let pkce = Pkce::new();
    let state = random_token();
    let redirect_uri = format!("http://127.0.0.1:{port}/callback");
    let mut url = Url::parse(&format!("{}/auth", op.issuer())).unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", CLIENT_ID)
        .append_pair("response_type", "code")
        .append_pair("scope", scope)
        .append_pair("redirect_uri", &redirect_uri)
        .append_pair("state", &state)
        .append_pair("nonce", &random_token())
        .append_pair("code_challenge", &pkce.challenge)
        .append_pair("code_challenge_method", "S256");
    Request {
        url: url.into(),
        redirect_uri,
        state,
        pkce,
    }
}

async fn token_request(op: &OidcProvider, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let resp = http()
        .post(format!("{}/token", op.issuer()))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap())
}

async fn exchange(op: &OidcProvider, req: &Request, code: &str) -> (StatusCode, Value) {
    token_request(
        op,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", CLIENT_ID),
            ("code", code),
            ("redirect_uri", &req.redirect_uri),
            ("code_verifier", &req.pkce.verifier),
        ],
    )
    .await
}

async fn refresh(op: &OidcProvider, refresh_token: &str) -> (StatusCode, Value) {
    token_request(
        op,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", CLIENT_ID),
            ("refresh_token", refresh_token),
        ],
    )
    .await
}

/// Signs in as `user` through the browser and exchanges the code: the token response.
async fn code_flow(op: &OidcProvider, user: &str) -> Value {
    let req = authorize_request(op, 49152, "openid email profile offline_access");
    let landing = op
        .login_via_browser(&req.url, user, PASSWORD, AtRedirect::Stop)
        .await
        .unwrap();
    let (status, tokens) = exchange(op, &req, &landing.param("code").unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    tokens
}

async fn jwks_kids(op: &OidcProvider) -> Vec<String> {
    let jwks_uri = discovery(op).await["jwks_uri"]
        .as_str()
        .unwrap()
        .to_string();
    let jwks: Value = http()
        .get(jwks_uri)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn discovery_names_the_issuer_and_the_flows_kepil_uses() {
    let op = OidcProvider::start(ProviderConfig::new());
    assert!(op.issuer().starts_with("http://127.0.0.1:"));
    let doc = discovery(&op).await;
    assert_eq!(doc["issuer"], op.issuer());
    for endpoint in [
        "authorization_endpoint",
        "token_endpoint",
        "jwks_uri",
        "device_authorization_endpoint",
        "userinfo_endpoint",
    ] {
        let url = doc[endpoint]
            .as_str()
            .unwrap_or_else(|| panic!("{endpoint}"));
        assert!(url.starts_with(op.issuer()), "{endpoint}: {url}");
    }
    assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
    let grants = doc["grant_types_supported"].as_array().unwrap();
    for grant in [
        "authorization_code",
        "refresh_token",
        "urn:ietf:params:oauth:grant-type:device_code",
    ] {
        assert!(grants.contains(&json!(grant)), "{grant} in {grants:?}");
    }
    let claims = doc["claims_supported"].as_array().unwrap();
    for claim in ["email", "email_verified", "name", "hd", "groups"] {
        assert!(claims.contains(&json!(claim)), "{claim} in {claims:?}");
    }
    assert_eq!(jwks_kids(&op).await, vec![op.initial_kid().to_string()]);
}

#[tokio::test]
async fn code_flow_with_pkce_on_any_loopback_port_issues_id_and_refresh_tokens() {
    let op = OidcProvider::start(ProviderConfig::new());
    // Two ports, neither registered: RFC 8252 §7.3 lets a native app pick any.
    for port in [49152, 61000] {
        let req = authorize_request(&op, port, "openid email profile");
        let landing = op
            .login_via_browser(&req.url, ALICE_EMAIL, PASSWORD, AtRedirect::Stop)
            .await
            .unwrap();
        assert_eq!(landing.url.port(), Some(port));
        assert_eq!(landing.url.path(), "/callback");
        assert_eq!(landing.param("state"), Some(req.state.clone()));
        assert_eq!(landing.param("iss").as_deref(), Some(op.issuer()));
        let code = landing.param("code").expect("a code");

        let (status, tokens) = exchange(&op, &req, &code).await;
        assert_eq!(status, StatusCode::OK, "{tokens}");
        assert_eq!(tokens["token_type"], "Bearer");
        assert!(tokens["refresh_token"].is_string(), "{tokens}");
        let id_token = tokens["id_token"].as_str().unwrap();
        assert_eq!(jwt_header(id_token)["kid"], op.initial_kid());
        let claims = jwt_claims(id_token);
        assert_eq!(claims["iss"], op.issuer());
        assert_eq!(claims["aud"], CLIENT_ID);
        assert_eq!(claims["sub"], ALICE);
        assert_eq!(claims["email"], ALICE_EMAIL);
        assert_eq!(claims["email_verified"], true);
        assert_eq!(claims["name"], "Alice Tan");
        assert_eq!(claims["hd"], AGENCY_DOMAIN);
        assert_eq!(claims["groups"], json!([SENDERS_GROUP]));
        assert!(claims["nonce"].is_string());

        // A code is good once.
        let (status, again) = exchange(&op, &req, &code).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(again["error"], "invalid_grant");
    }
}

#[tokio::test]
async fn the_code_needs_the_verifier_and_an_unregistered_redirect_is_refused() {
    let op = OidcProvider::start(ProviderConfig::new());
    let req = authorize_request(&op, 50000, "openid email");
    let landing = op
        .login_via_browser(&req.url, ALICE_EMAIL, PASSWORD, AtRedirect::Stop)
        .await
        .unwrap();
    let (status, body) = token_request(
        &op,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", CLIENT_ID),
            ("code", &landing.param("code").unwrap()),
            ("redirect_uri", &req.redirect_uri),
            ("code_verifier", &Pkce::new().verifier),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant", "{body}");

    let elsewhere = req
        .url
        .replace("127.0.0.1%3A50000%2Fcallback", "127.0.0.1%3A50000%2Fother");
    assert_ne!(elsewhere, req.url);
    let err = op
        .login_via_browser(&elsewhere, ALICE_EMAIL, PASSWORD, AtRedirect::Stop)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, BrowserError::ProviderError { error, .. } if error == "invalid_redirect_uri"),
        "{err:?}"
    );
}

#[tokio::test]
async fn refresh_rotates_the_token_and_keeps_the_claims() {
    let op = OidcProvider::start(ProviderConfig::new());
    let tokens = code_flow(&op, ALICE_EMAIL).await;
    let first = tokens["refresh_token"].as_str().unwrap();

    let (status, refreshed) = refresh(&op, first).await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    let claims = jwt_claims(refreshed["id_token"].as_str().unwrap());
    assert_eq!(claims["email"], ALICE_EMAIL);
    assert_eq!(claims["groups"], json!([SENDERS_GROUP]));
    // Public clients get a new refresh token each time; the old one is spent.
    let second = refreshed["refresh_token"].as_str().unwrap();
    assert_ne!(second, first);
    let (status, _) = refresh(&op, second).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn wrong_password_and_unknown_user_are_refused_on_the_login_page() {
    let op = OidcProvider::start(ProviderConfig::new());
    for (user, password) in [
        (ALICE_EMAIL, "not-the-password"),
        ("nobody@agency.gov.my", PASSWORD),
    ] {
        let req = authorize_request(&op, 50001, "openid");
        let err = op
            .login_via_browser(&req.url, user, password, AtRedirect::Stop)
            .await
            .unwrap_err();
        assert_eq!(
            err,
            BrowserError::LoginRefused("Wrong email or password.".into())
        );
    }
    // The sub is a login name too, and logins ignore case.
    let req = authorize_request(&op, 50001, "openid");
    op.login_via_browser(&req.url, "ALICE@agency.gov.my", PASSWORD, AtRedirect::Stop)
        .await
        .unwrap();
    op.login_via_browser(&req.url, ALICE, PASSWORD, AtRedirect::Stop)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_disabled_user_cannot_sign_in_and_their_refresh_token_stops_working() {
    let op = OidcProvider::start(ProviderConfig::new());
    let req = authorize_request(&op, 50002, "openid email");
    let err = op
        .login_via_browser(&req.url, DAVE_EMAIL, PASSWORD, AtRedirect::Stop)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        BrowserError::LoginRefused("This account is disabled.".into())
    );

    // Alice signs in, keeps her browser (the provider's session) and her refresh token.
    let browser = op.browser();
    let req = authorize_request(&op, 50002, "openid email");
    let landing = browser
        .login(&req.url, ALICE_EMAIL, PASSWORD, AtRedirect::Stop)
        .await
        .unwrap();
    let (_, tokens) = exchange(&op, &req, &landing.param("code").unwrap()).await;
    let refresh_token = tokens["refresh_token"].as_str().unwrap();

    op.disable_user(ALICE).await;
    let (status, body) = refresh(&op, refresh_token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant", "{body}");
    // Her session no longer counts: the provider asks for a login, which is refused.
    let req = authorize_request(&op, 50002, "openid email");
    let err = browser
        .login(&req.url, ALICE_EMAIL, PASSWORD, AtRedirect::Stop)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        BrowserError::LoginRefused("This account is disabled.".into())
    );

    op.enable_user(ALICE).await;
    let tokens = code_flow(&op, ALICE_EMAIL).await;
    assert_eq!(
        jwt_claims(tokens["id_token"].as_str().unwrap())["sub"],
        ALICE
    );
}

#[tokio::test]
async fn a_kept_session_signs_in_again_without_the_password() {
    let op = OidcProvider::start(ProviderConfig::new());
    let browser = op.browser();
    let req = authorize_request(&op, 50003, "openid");
    browser
        .login(&req.url, ALICE_EMAIL, PASSWORD, AtRedirect::Stop)
        .await
        .unwrap();
    let req = authorize_request(&op, 50003, "openid");
    let landing = browser
        .login(&req.url, "ignored", "ignored", AtRedirect::Stop)
        .await
        .unwrap();
    let (status, tokens) = exchange(&op, &req, &landing.param("code").unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        jwt_claims(tokens["id_token"].as_str().unwrap())["sub"],
        ALICE
    );
}

#[tokio::test]
async fn users_of_the_default_config_carry_their_distinguishing_claims() {
    let op = OidcProvider::start(ProviderConfig::new());
    let uma = code_flow(&op, UMA_EMAIL).await;
    let uma = jwt_claims(uma["id_token"].as_str().unwrap());
    assert_eq!(uma["email_verified"], false);
    assert_eq!(uma["hd"], AGENCY_DOMAIN);

    let olivia = op.sign_in(OLIVIA_EMAIL, PASSWORD).await;
    let olivia = jwt_claims(olivia["id_token"].as_str().unwrap());
    assert_eq!(olivia["hd"], "other.gov.my");
    assert_eq!(olivia["email"], OLIVIA_EMAIL);
    assert_eq!(olivia["email_verified"], true);

    let bob = op.sign_in(BOB_EMAIL, PASSWORD).await;
    assert_eq!(
        jwt_claims(bob["id_token"].as_str().unwrap())["groups"],
        json!([])
    );
}

#[tokio::test]
async fn rotate_keys_changes_the_kid_in_the_jwks_and_on_new_tokens() {
    let op = OidcProvider::start(ProviderConfig::new());
    let before = op.sign_in(ALICE_EMAIL, PASSWORD).await;
    let old = op.initial_kid().to_string();

    let new = op.rotate_keys().await;
    assert_ne!(new, old);
    assert_eq!(jwks_kids(&op).await, vec![new.clone(), old.clone()]);
    let after = op.sign_in(ALICE_EMAIL, PASSWORD).await;
    assert_eq!(jwt_header(after["id_token"].as_str().unwrap())["kid"], new);
    // Grants survive the rotation: the refresh token from before still works, signed anew.
    let (status, refreshed) = refresh(&op, before["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    assert_eq!(
        jwt_header(refreshed["id_token"].as_str().unwrap())["kid"],
        new
    );

    let newest = op.rotate_keys_dropping_old().await;
    assert_eq!(jwks_kids(&op).await, vec![newest]);
}

#[tokio::test]
async fn minted_id_tokens_carry_the_chosen_claims() {
    let op = OidcProvider::start(ProviderConfig::new());
    let token = op
        .mint_id_token(
            json!({ "sub": ALICE, "exp": 1_000_000, "aud": "someone-else", "name": null }),
        )
        .await;
    assert_eq!(jwt_header(&token)["kid"], op.initial_kid());
    let claims = jwt_claims(&token);
    assert_eq!(claims["iss"], op.issuer());
    assert_eq!(claims["exp"], 1_000_000);
    assert_eq!(claims["aud"], "someone-else");
    assert_eq!(claims["email"], ALICE_EMAIL);
    assert_eq!(claims["groups"], json!([SENDERS_GROUP]));
    assert!(claims.get("name").is_none(), "{claims}");

    let plain = jwt_claims(&op.mint_id_token(json!({ "sub": "someone" })).await);
    assert_eq!(plain["aud"], CLIENT_ID);
    assert!(plain["exp"].as_i64().unwrap() > plain["iat"].as_i64().unwrap());
    assert!(plain.get("email").is_none());

    let foreign = op
        .mint_id_token_with_unpublished_key(json!({ "sub": ALICE }))
        .await;
    let kid = jwt_header(&foreign)["kid"].as_str().unwrap().to_string();
    assert!(!jwks_kids(&op).await.contains(&kid));
}

async fn device_authorization(op: &OidcProvider) -> Value {
    let endpoint = discovery(op).await["device_authorization_endpoint"]
        .as_str()
        .unwrap()
        .to_string();
    let resp = http()
        .post(endpoint)
        .form(&[("client_id", CLIENT_ID), ("scope", "openid email profile")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.unwrap()
}

async fn poll_device(op: &OidcProvider, device_code: &str) -> (StatusCode, Value) {
    token_request(
        op,
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", CLIENT_ID),
            ("device_code", device_code),
        ],
    )
    .await
}

#[tokio::test]
async fn device_code_flow_approved_in_the_browser_issues_tokens() {
    let op = OidcProvider::start(ProviderConfig::new());
    let device = device_authorization(&op).await;
    let device_code = device["device_code"].as_str().unwrap();
    let (status, pending) = poll_device(&op, device_code).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(pending["error"], "authorization_pending");

    op.approve_device_code(
        device["verification_uri"].as_str().unwrap(),
        device["user_code"].as_str().unwrap(),
        ALICE_EMAIL,
        PASSWORD,
    )
    .await
    .unwrap();
    let (status, tokens) = poll_device(&op, device_code).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert!(tokens["refresh_token"].is_string());
    let claims = jwt_claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["sub"], ALICE);
    assert_eq!(claims["hd"], AGENCY_DOMAIN);

    // verification_uri_complete carries the code; a wrong code or password is refused.
    let device = device_authorization(&op).await;
    op.approve_device_code(
        device["verification_uri_complete"].as_str().unwrap(),
        device["user_code"].as_str().unwrap(),
        BOB_EMAIL,
        PASSWORD,
    )
    .await
    .unwrap();
    let err = op
        .approve_device_code(
            device["verification_uri"].as_str().unwrap(),
            "BCDF-GHJK",
            ALICE_EMAIL,
            PASSWORD,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, BrowserError::UserCodeRefused(_)), "{err:?}");
    let device = device_authorization(&op).await;
    let err = op
        .approve_device_code(
            device["verification_uri"].as_str().unwrap(),
            device["user_code"].as_str().unwrap(),
            ALICE_EMAIL,
            "wrong",
        )
        .await
        .unwrap_err();
    assert!(matches!(err, BrowserError::LoginRefused(_)), "{err:?}");
}

#[tokio::test]
async fn the_browser_delivers_the_redirect_to_the_clients_loopback_listener() {
    let op = OidcProvider::start(ProviderConfig::new().consent_form(true));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    // A one-request loopback listener, as `kepil login` runs.
    let received = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = vec![0; 8192];
        let n = socket.read(&mut buf).await.unwrap();
        let request = String::from_utf8_lossy(&buf[..n]).to_string();
        socket
            .write_all(
                b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\nconnection: close\r\n\r\nsigned in",
            )
            .await
            .unwrap();
        request.lines().next().unwrap().to_string()
    });
    let req = authorize_request(&op, port, "openid email");
    let landing = op
        .login_via_browser(&req.url, ALICE_EMAIL, PASSWORD, AtRedirect::Follow)
        .await
        .unwrap();
    let request_line = received.await.unwrap();
    assert!(
        request_line.starts_with("GET /callback?code="),
        "{request_line}"
    );
    assert_eq!(
        landing.client_response,
        Some((StatusCode::OK, "signed in".to_string()))
    );
}

#[tokio::test]
async fn two_issuers_run_side_by_side_with_their_own_users() {
    let agency = OidcProvider::start(ProviderConfig::new());
    let other = OidcProvider::start(
        ProviderConfig::empty()
            .client(TestClient::native(CLIENT_ID))
            .user(TestUser {
                sub: "zed".into(),
                email: Some("zed@elsewhere.example".into()),
                email_verified: true,
                password: "zed-pass".into(),
                ..TestUser::default()
            }),
    );
    assert_ne!(agency.issuer(), other.issuer());
    let zed = other.sign_in("zed@elsewhere.example", "zed-pass").await;
    let claims = jwt_claims(zed["id_token"].as_str().unwrap());
    assert_eq!(claims["iss"], other.issuer());
    assert!(claims.get("hd").is_none(), "{claims}");
    let req = authorize_request(&other, 50004, "openid");
    let err = other
        .login_via_browser(&req.url, ALICE_EMAIL, PASSWORD, AtRedirect::Stop)
        .await
        .unwrap_err();
    assert!(matches!(err, BrowserError::LoginRefused(_)), "{err:?}");
}

#[tokio::test]
async fn refresh_tokens_can_follow_the_offline_access_rule() {
    let op =
        OidcProvider::start(ProviderConfig::new().refresh_tokens(RefreshTokens::OfflineAccessOnly));
    let without = code_flow(&op, ALICE_EMAIL).await;
    // offline_access was asked for, but without prompt=consent the provider drops it.
    assert!(without.get("refresh_token").is_none(), "{without}");

    let mut req = authorize_request(&op, 50005, "openid offline_access");
    req.url.push_str("&prompt=consent");
    let landing = op
        .login_via_browser(&req.url, ALICE_EMAIL, PASSWORD, AtRedirect::Stop)
        .await
        .unwrap();
    let (status, tokens) = exchange(&op, &req, &landing.param("code").unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert!(tokens["refresh_token"].is_string(), "{tokens}");
}
