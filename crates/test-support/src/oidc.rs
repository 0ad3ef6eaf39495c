//! A real OpenID Provider for sign-in tests: panva's certified `oidc-provider` (npm, pinned by
//! `oidc/package-lock.json`, installed by scripts/setup) in a Node process on a free loopback
//! port, with accounts, clients and lifetimes from a [`ProviderConfig`]. The protocol is the
//! library's; the login and consent pages, the accounts and the `/_test/…` control endpoint are
//! `oidc/provider.mjs`'s (documented there). A second issuer is a second [`OidcProvider`].
//!
//! A [`Browser`] drives the login pages over plain HTTP with a cookie jar, as a person would,
//! and stops at the redirect back to the client (or delivers it to the client's loopback
//! listener). Nothing of the protocol is mocked: a relying party under test talks to the
//! provider exactly as it would to Keycloak or Entra ID.
//!
//! ```ignore
//! let op = OidcProvider::start(ProviderConfig::new());
//! let landing = op.login_via_browser(&authorize_url, ALICE_EMAIL, PASSWORD, AtRedirect::Stop).await?;
//! let code = landing.param("code").unwrap();
//! ```

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::{StatusCode, Url};
use serde_json::{Value, json};
use sha2::Digest as _;

/// What installs the fixture's npm packages.
pub const SETUP: &str =
    "scripts/setup (it runs `npm ci --prefix crates/test-support/oidc`, exactly as locked)";

/// The default client: the desktop app and the CLI, a public native client.
pub const CLIENT_ID: &str = "kepil-desktop";
/// The redirect URI the default client registers. Per RFC 8252 §7.3 any port is accepted on
/// it (the provider ignores the port for loopback redirects of native clients).
pub const REDIRECT_URI: &str = "http://127.0.0.1/callback";
/// The password of every default user.
pub const PASSWORD: &str = "correct-horse-battery-staple";
/// The agency's domain (`hd`) and the group whose members may send.
pub const AGENCY_DOMAIN: &str = "agency.gov.my";
pub const SENDERS_GROUP: &str = "kepil-senders";

/// Default users, by `sub`; each signs in with its email (or its sub) and [`PASSWORD`].
/// Alice: verified, agency domain, in the senders group.
pub const ALICE: &str = "alice";
pub const ALICE_EMAIL: &str = "alice@agency.gov.my";
/// Bob: verified, agency domain, in no group.
pub const BOB: &str = "bob";
pub const BOB_EMAIL: &str = "bob@agency.gov.my";
/// Dave: like Alice, but disabled from the start.
pub const DAVE_DISABLED: &str = "dave";
pub const DAVE_EMAIL: &str = "dave@agency.gov.my";
/// Uma: agency domain and group, but her email is not verified.
pub const UMA_UNVERIFIED: &str = "uma";
pub const UMA_EMAIL: &str = "uma@agency.gov.my";
/// Olivia: verified and in a group of the same name, but of another domain.
pub const OLIVIA_OTHER_DOMAIN: &str = "olivia";
pub const OLIVIA_EMAIL: &str = "olivia@other.gov.my";

/// An OAuth client registered at the provider.
#[derive(Debug, Clone)]
pub struct TestClient {
    pub client_id: String,
    pub client_name: Option<String>,
    pub redirect_uris: Vec<String>,
    /// Further client metadata (RFC 7591 names), over the fixture's defaults: `application_type`
    /// native, `token_endpoint_auth_method` none, grant types authorization_code,
    /// refresh_token and device_code, response type code.
    pub metadata: serde_json::Map<String, Value>,
}

impl TestClient {
    /// A public native client with [`REDIRECT_URI`].
    pub fn native(client_id: &str) -> TestClient {
        TestClient {
            client_id: client_id.to_string(),
            client_name: None,
            redirect_uris: vec![REDIRECT_URI.to_string()],
            metadata: serde_json::Map::new(),
        }
    }

    pub fn name(mut self, name: &str) -> TestClient {
        self.client_name = Some(name.to_string());
        self
    }

    /// Registers only these redirect URIs.
    pub fn redirect_uris(mut self, uris: &[&str]) -> TestClient {
        self.redirect_uris = uris.iter().map(|u| u.to_string()).collect();
        self
    }

    /// Sets one metadata field, e.g. `("grant_types", json!(["authorization_code"]))`.
    pub fn metadata(mut self, key: &str, value: Value) -> TestClient {
        self.metadata.insert(key.to_string(), value);
        self
    }

    fn to_json(&self) -> Value {
        let mut out = self.metadata.clone();
        out.insert("client_id".into(), json!(self.client_id));
        out.insert("redirect_uris".into(), json!(self.redirect_uris));
        if let Some(name) = &self.client_name {
            out.insert("client_name".into(), json!(name));
        }
        Value::Object(out)
    }
}

/// An account at the provider. `None` and empty fields are left out of the tokens.
#[derive(Debug, Clone, Default)]
pub struct TestUser {
    pub sub: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    /// The hosted-domain claim, as Google Workspace sets it.
    pub hd: Option<String>,
    pub groups: Vec<String>,
    pub password: String,
    /// Cannot sign in; a refresh token issued before fails with `invalid_grant`.
    pub disabled: bool,
}

impl TestUser {
    fn agency(sub: &str, name: &str, groups: &[&str]) -> TestUser {
        TestUser {
            sub: sub.to_string(),
            email: Some(format!("{sub}@{AGENCY_DOMAIN}")),
            email_verified: true,
            name: Some(name.to_string()),
            hd: Some(AGENCY_DOMAIN.to_string()),
            groups: groups.iter().map(|g| g.to_string()).collect(),
            password: PASSWORD.to_string(),
            disabled: false,
        }
    }

    fn to_json(&self) -> Value {
        let mut out = json!({
            "sub": self.sub,
            "email_verified": self.email_verified,
            "groups": self.groups,
            "password": self.password,
            "disabled": self.disabled,
        });
        for (key, value) in [
            ("email", &self.email),
            ("name", &self.name),
            ("hd", &self.hd),
        ] {
            if let Some(value) = value {
                out[key] = json!(value);
            }
        }
        out
    }
}

/// The lifetimes the provider applies, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ttl {
    AccessToken,
    AuthorizationCode,
    IdToken,
    RefreshToken,
    DeviceCode,
    Session,
    Grant,
    Interaction,
}

impl Ttl {
    fn key(self) -> &'static str {
        match self {
            Ttl::AccessToken => "access_token",
            Ttl::AuthorizationCode => "authorization_code",
            Ttl::IdToken => "id_token",
            Ttl::RefreshToken => "refresh_token",
            Ttl::DeviceCode => "device_code",
            Ttl::Session => "session",
            Ttl::Grant => "grant",
            Ttl::Interaction => "interaction",
        }
    }
}

/// When the provider issues refresh tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshTokens {
    /// To every client allowed the refresh_token grant, as Entra ID and Keycloak do for native
    /// apps (the default).
    Always,
    /// Only for the `offline_access` scope, which the provider keeps only along with
    /// `prompt=consent` (OIDC Core §11; oidc-provider's own rule).
    OfflineAccessOnly,
}

/// What a provider process starts with.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    pub clients: Vec<TestClient>,
    pub users: Vec<TestUser>,
    pub ttl: Vec<(Ttl, u64)>,
    /// Show a consent page to confirm (`true`) or grant silently, as an agency's IdP does for
    /// its own apps (`false`, the default).
    pub consent_form: bool,
    pub refresh_tokens: RefreshTokens,
}

impl Default for ProviderConfig {
    fn default() -> Self {
        ProviderConfig::new()
    }
}

impl ProviderConfig {
    /// The client [`CLIENT_ID`] and the default users (Alice, Bob, Dave disabled, Uma
    /// unverified, Olivia of another domain), all with [`PASSWORD`].
    pub fn new() -> ProviderConfig {
        let olivia = TestUser {
            sub: OLIVIA_OTHER_DOMAIN.into(),
            email: Some(OLIVIA_EMAIL.into()),
            hd: Some("other.gov.my".into()),
            ..TestUser::agency(OLIVIA_OTHER_DOMAIN, "Olivia Other", &[SENDERS_GROUP])
        };
        ProviderConfig {
            clients: vec![TestClient::native(CLIENT_ID).name("Kepil")],
            users: vec![
                TestUser::agency(ALICE, "Alice Tan", &[SENDERS_GROUP]),
                TestUser::agency(BOB, "Bob Lim", &[]),
                TestUser {
                    disabled: true,
                    ..TestUser::agency(DAVE_DISABLED, "Dave Disabled", &[SENDERS_GROUP])
                },
                TestUser {
                    email_verified: false,
                    ..TestUser::agency(UMA_UNVERIFIED, "Uma Unverified", &[SENDERS_GROUP])
                },
                olivia,
            ],
            ttl: Vec::new(),
            consent_form: false,
            refresh_tokens: RefreshTokens::Always,
        }
    }

    /// No client and no user.
    pub fn empty() -> ProviderConfig {
        ProviderConfig {
            clients: Vec::new(),
            users: Vec::new(),
            ..ProviderConfig::new()
        }
    }

    /// Adds a client, replacing one of the same id. The first client is the audience of
    /// [`OidcProvider::mint_id_token`]'s tokens.
    pub fn client(mut self, client: TestClient) -> ProviderConfig {
        self.clients.retain(|c| c.client_id != client.client_id);
        self.clients.push(client);
        self
    }

    /// Adds a user, replacing one of the same sub.
    pub fn user(mut self, user: TestUser) -> ProviderConfig {
        self.users.retain(|u| u.sub != user.sub);
        self.users.push(user);
        self
    }

    pub fn ttl(mut self, which: Ttl, seconds: u64) -> ProviderConfig {
        self.ttl.retain(|(t, _)| *t != which);
        self.ttl.push((which, seconds));
        self
    }

    pub fn consent_form(mut self, show: bool) -> ProviderConfig {
        self.consent_form = show;
        self
    }

    pub fn refresh_tokens(mut self, policy: RefreshTokens) -> ProviderConfig {
        self.refresh_tokens = policy;
        self
    }

    fn to_json(&self) -> Value {
        let ttl: serde_json::Map<String, Value> = self
            .ttl
            .iter()
            .map(|(t, s)| (t.key().to_string(), json!(s)))
            .collect();
        json!({
            "clients": self.clients.iter().map(TestClient::to_json).collect::<Vec<_>>(),
            "users": self.users.iter().map(TestUser::to_json).collect::<Vec<_>>(),
            "ttl": ttl,
            "consent": if self.consent_form { "form" } else { "auto" },
            "refresh_tokens": match self.refresh_tokens {
                RefreshTokens::Always => "always",
                RefreshTokens::OfflineAccessOnly => "offline_access",
            },
        })
    }
}

/// The fixture's directory: `provider.mjs`, the lock file and `node_modules`.
pub fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("oidc")
}

/// `KEPIL_NODE`, else `node` on `PATH`; panics when it does not run.
fn node_binary() -> PathBuf {
    let node = std::env::var_os("KEPIL_NODE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("node"));
    match Command::new(&node).arg("--version").output() {
        Ok(out) if out.status.success() => node,
        Ok(out) => panic!(
            "{} --version failed: {}; install Node.js with {SETUP}",
            node.display(),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!(
            "Node.js ({}) is needed for the OpenID Provider fixture and does not run ({e}); \
             install it with {SETUP}",
            node.display()
        ),
    }
}

/// Panics unless `node_modules` holds the oidc-provider version the fixture pins: a stale
/// install would test against a provider nobody locked.
fn check_installed(dir: &Path) {
    let read = |path: PathBuf| -> Option<Value> {
        serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
    };
    let wanted = read(dir.join("package.json"))
        .and_then(|p| {
            p["dependencies"]["oidc-provider"]
                .as_str()
                .map(str::to_string)
        })
        .unwrap_or_else(|| panic!("{} has no oidc-provider dependency", dir.display()));
    let installed = read(dir.join("node_modules/oidc-provider/package.json"))
        .and_then(|p| p["version"].as_str().map(str::to_string));
    match installed {
        Some(v) if v == wanted => {}
        Some(v) => panic!(
            "{}/node_modules has oidc-provider {v}, the lock file pins {wanted}; run {SETUP}",
            dir.display()
        ),
        None => panic!(
            "{}/node_modules is missing (the OpenID Provider fixture's npm packages); run {SETUP}",
            dir.display()
        ),
    }
}

/// A running provider; dropping it kills the process. The process also exits by itself when
/// this test process dies, as its stdin closes.
#[derive(Debug)]
pub struct OidcProvider {
    child: Child,
    // Held open: the provider exits when it closes.
    _stdin: ChildStdin,
    issuer: String,
    control: String,
    first_kid: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
    log: PathBuf,
}

impl OidcProvider {
    /// Starts `node oidc/provider.mjs` with `config`; returns once it serves. Panics, saying
    /// what to install, when Node.js or the npm packages are missing.
    pub fn start(config: ProviderConfig) -> OidcProvider {
        let fixture = fixture_dir();
        let node = node_binary();
        check_installed(&fixture);
        let dir = tempfile::tempdir().expect("a temporary directory");
        let log = dir.path().join("provider.log");
        let log_file = std::fs::File::create(&log).expect("the provider's log file");
        let mut child = Command::new(&node)
            .arg(fixture.join("provider.mjs"))
            .current_dir(&fixture)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {} provider.mjs: {e}", node.display()));
        let mut stdin = child.stdin.take().expect("piped stdin");
        let mut line = config.to_json().to_string();
        line.push('\n');
        stdin
            .write_all(line.as_bytes())
            .expect("send the configuration");

        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut first = String::new();
            let _ = reader.read_line(&mut first);
            let _ = tx.send(first);
            // Keeps the pipe drained: a full pipe would stall the provider.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let first = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
        let ready: Option<Value> = serde_json::from_str(first.trim()).ok();
        let field = |name: &str| {
            ready
                .as_ref()
                .and_then(|r| r[name].as_str())
                .map(str::to_string)
        };
        let (Some(issuer), Some(control), Some(first_kid)) =
            (field("issuer"), field("control"), field("kid"))
        else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the OpenID Provider did not start: first line {first:?}; log:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        };
        OidcProvider {
            child,
            _stdin: stdin,
            issuer,
            control,
            first_kid,
            http: reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("an HTTP client"),
            _dir: dir,
            log,
        }
    }

    /// How a store names this provider as `id`: the test client, the agency's domain, the
    /// scopes a desktop asks for (with a refresh token), verified e-mail required, no group.
    #[cfg(feature = "store")]
    pub fn store_provider(&self, id: &str) -> kepil_store::identity::ProviderConfig {
        kepil_store::identity::ProviderConfig {
            id: id.into(),
            display_name: "Agency SSO".into(),
            issuer: self.issuer.clone(),
            client_id: CLIENT_ID.into(),
            desktop_client_secret: None,
            scopes: vec!["email".into(), "profile".into(), "offline_access".into()],
            allowed_domains: vec![AGENCY_DOMAIN.into()],
            hosted_domains: vec![],
            tenant_id: None,
            email_claim: "email".into(),
            require_email_verified: true,
            groups_claim: "groups".into(),
            required_groups: vec![],
        }
    }

    /// `http://127.0.0.1:PORT`, the `iss` of its tokens.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.issuer)
    }

    /// The `kid` it signed with when it started.
    pub fn initial_kid(&self) -> &str {
        &self.first_kid
    }

    /// What the provider wrote to stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    async fn control(&self, path: &str, body: Value) -> Value {
        let url = format!("{}/{path}", self.control);
        let resp = self
            .http
            .post(&url)
            .json(&body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {url}: {e}"));
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        assert!(status.is_success(), "POST {url}: {status} {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("POST {url}: {e}: {text}"))
    }

    /// From now on the user cannot sign in, their session no longer counts and their refresh
    /// tokens fail with `invalid_grant`.
    pub async fn disable_user(&self, sub: &str) {
        self.control(&format!("users/{sub}/disable"), json!({}))
            .await;
    }

    pub async fn enable_user(&self, sub: &str) {
        self.control(&format!("users/{sub}/enable"), json!({}))
            .await;
    }

    /// A new signing key becomes current; the previous ones stay in the JWKS, so tokens
    /// already issued still verify. Returns the new `kid`.
    pub async fn rotate_keys(&self) -> String {
        self.rotate(true).await
    }

    /// A new signing key replaces every other: tokens already issued no longer verify.
    pub async fn rotate_keys_dropping_old(&self) -> String {
        self.rotate(false).await
    }

    async fn rotate(&self, keep_previous: bool) -> String {
        let out = self
            .control("rotate-keys", json!({ "keep_previous": keep_previous }))
            .await;
        out["kid"].as_str().expect("the new kid").to_string()
    }

    /// An ID token signed with the provider's current key. `claims` (an object) go over
    /// defaults a real token would have: `iss`, `aud` (the first client), `iat`, `auth_time`,
    /// `exp` (the ID token lifetime ahead) and, when `sub` names a user, that user's claims.
    /// A `null` drops a claim. E.g. `json!({"sub": ALICE, "exp": 1})` is an expired token.
    pub async fn mint_id_token(&self, claims: Value) -> String {
        self.mint(claims, "current").await
    }

    /// Like [`OidcProvider::mint_id_token`], signed by a key the JWKS does not have.
    pub async fn mint_id_token_with_unpublished_key(&self, claims: Value) -> String {
        self.mint(claims, "unpublished").await
    }

    async fn mint(&self, claims: Value, key: &str) -> String {
        assert!(claims.is_object(), "claims must be a JSON object: {claims}");
        let out = self
            .control("id-token", json!({ "claims": claims, "key": key }))
            .await;
        out["id_token"].as_str().expect("an id_token").to_string()
    }

    /// A browser with an empty cookie jar; reuse it to keep the provider's session (single
    /// sign-on), make another for a fresh one.
    pub fn browser(&self) -> Browser {
        Browser::new(&self.issuer)
    }

    /// Signs in with a fresh browser: opens `authorize_url`, fills the login form, passes
    /// consent and stops at (or delivers) the redirect back to the client.
    pub async fn login_via_browser(
        &self,
        authorize_url: &str,
        username: &str,
        password: &str,
        at_redirect: AtRedirect,
    ) -> Result<Landing, BrowserError> {
        self.browser()
            .login(authorize_url, username, password, at_redirect)
            .await
    }

    /// Approves a device-code request with a fresh browser: enters `user_code` at
    /// `verification_uri`, confirms, signs in and passes consent.
    pub async fn approve_device_code(
        &self,
        verification_uri: &str,
        user_code: &str,
        username: &str,
        password: &str,
    ) -> Result<(), BrowserError> {
        self.browser()
            .approve_device_code(verification_uri, user_code, username, password)
            .await
    }

    /// The whole code flow as the default native client would run it (PKCE, a loopback
    /// redirect on an arbitrary port), for tests that only need real tokens: returns the
    /// token endpoint's JSON (`id_token`, `access_token`, `refresh_token`, …).
    pub async fn sign_in(&self, username: &str, password: &str) -> Value {
        let pkce = Pkce::new();
        let state = random_token();
        let redirect_uri = "http://127.0.0.1:53682/callback";
        let mut authorize = Url::parse(&format!("{}/auth", self.issuer)).unwrap();
        authorize
            .query_pairs_mut()
            .append_pair("client_id", CLIENT_ID)
            .append_pair("response_type", "code")
            .append_pair("scope", "openid email profile offline_access")
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", &state)
            .append_pair("code_challenge", &pkce.challenge)
            .append_pair("code_challenge_method", "S256");
        let landing = self
            .login_via_browser(authorize.as_str(), username, password, AtRedirect::Stop)
            .await
            .unwrap_or_else(|e| panic!("sign in as {username}: {e}"));
        assert_eq!(landing.param("state").as_deref(), Some(state.as_str()));
        let code = landing
            .param("code")
            .unwrap_or_else(|| panic!("no code in {}", landing.url));
        let resp = self
            .http
            .post(format!("{}/token", self.issuer))
            .form(&[
                ("grant_type", "authorization_code"),
                ("client_id", CLIENT_ID),
                ("code", &code),
                ("redirect_uri", redirect_uri),
                ("code_verifier", &pkce.verifier),
            ])
            .send()
            .await
            .expect("the token endpoint answers");
        let status = resp.status();
        let body: Value = resp.json().await.expect("a JSON token response");
        assert!(status.is_success(), "token exchange: {status} {body}");
        body
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A PKCE pair (RFC 7636, S256).
#[derive(Debug, Clone)]
pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

impl Pkce {
    pub fn new() -> Pkce {
        let verifier = random_token();
        let challenge = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
        Pkce {
            verifier,
            challenge,
        }
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Pkce::new()
    }
}

/// 32 random bytes, base64url: a state, a nonce, a code verifier.
pub fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// A JWT's payload, decoded but NOT verified: for tests that look at what a token says. A
/// relying party verifies signatures with a real JOSE library.
pub fn jwt_claims(token: &str) -> Value {
    jwt_part(token, 1)
}

/// A JWT's protected header (`alg`, `kid`), decoded but not verified.
pub fn jwt_header(token: &str) -> Value {
    jwt_part(token, 0)
}

fn jwt_part(token: &str, index: usize) -> Value {
    let part = token
        .split('.')
        .nth(index)
        .unwrap_or_else(|| panic!("not a JWT: {token}"));
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .unwrap_or_else(|e| panic!("JWT part {index} is not base64url: {e}"));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("JWT part {index} is not JSON: {e}"))
}

/// What the browser does when the provider redirects back to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtRedirect {
    /// Stops there, as if the client's listener were not running: the test reads the URL.
    Stop,
    /// Requests it, so the client's own loopback listener receives the code.
    Follow,
}

/// The redirect back to the client.
#[derive(Debug, Clone)]
pub struct Landing {
    /// The redirect URI with `code`, `state` and `iss` (or `error`) in its query.
    pub url: Url,
    /// With [`AtRedirect::Follow`]: the client listener's status and body.
    pub client_response: Option<(StatusCode, String)>,
}

impl Landing {
    /// A query parameter of the redirect: `code`, `state`, `iss`, `error`.
    pub fn param(&self, name: &str) -> Option<String> {
        self.url
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

/// Why the browser did not reach its goal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrowserError {
    /// The login form came back with this error (wrong password, disabled account).
    LoginRefused(String),
    /// The device page refused the user code with this error.
    UserCodeRefused(String),
    /// The provider showed its error page (`invalid_request`, `invalid_client`, …).
    ProviderError { error: String, description: String },
    /// Something else: a page the browser does not know, a connection failure.
    Unexpected(String),
}

impl std::fmt::Display for BrowserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BrowserError::LoginRefused(m) => write!(f, "the login was refused: {m}"),
            BrowserError::UserCodeRefused(m) => write!(f, "the user code was refused: {m}"),
            BrowserError::ProviderError { error, description } => {
                write!(f, "the provider's error page: {error}: {description}")
            }
            BrowserError::Unexpected(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for BrowserError {}

/// A user agent without JavaScript: a cookie jar, redirects followed one by one so the one back
/// to the client can be caught, and the fixture's forms filled in.
#[derive(Debug, Clone)]
pub struct Browser {
    http: reqwest::Client,
    issuer: Url,
}

/// What the browser is asked to do along the way.
struct Goal<'a> {
    username: &'a str,
    password: &'a str,
    user_code: Option<&'a str>,
    at_redirect: AtRedirect,
}

enum Done {
    Redirect(Landing),
    DeviceApproved,
}

// The walk is bounded: a provider that loops must fail the test, not hang it.
const MAX_STEPS: usize = 25;

impl Browser {
    /// A browser that treats every URL outside `issuer`'s origin as the client's.
    pub fn new(issuer: &str) -> Browser {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        Browser {
            http: reqwest::Client::builder()
                .cookie_provider(jar)
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("an HTTP client"),
            issuer: Url::parse(issuer).expect("an issuer URL"),
        }
    }

    /// Opens `authorize_url` and goes through login and consent (skipping what the provider's
    /// session makes unnecessary) to the redirect back to the client.
    pub async fn login(
        &self,
        authorize_url: &str,
        username: &str,
        password: &str,
        at_redirect: AtRedirect,
    ) -> Result<Landing, BrowserError> {
        let goal = Goal {
            username,
            password,
            user_code: None,
            at_redirect,
        };
        match self.walk(authorize_url, &goal).await? {
            Done::Redirect(landing) => Ok(landing),
            Done::DeviceApproved => Err(BrowserError::Unexpected(
                "the device success page, not a redirect to the client".into(),
            )),
        }
    }

    /// Enters `user_code` at `verification_uri` (or opens `verification_uri_complete` when
    /// given that), confirms, signs in and passes consent, up to the success page.
    pub async fn approve_device_code(
        &self,
        verification_uri: &str,
        user_code: &str,
        username: &str,
        password: &str,
    ) -> Result<(), BrowserError> {
        let goal = Goal {
            username,
            password,
            user_code: Some(user_code),
            at_redirect: AtRedirect::Stop,
        };
        match self.walk(verification_uri, &goal).await? {
            Done::DeviceApproved => Ok(()),
            Done::Redirect(landing) => Err(BrowserError::Unexpected(format!(
                "redirected to the client ({}), not the device success page",
                landing.url
            ))),
        }
    }

    async fn walk(&self, start: &str, goal: &Goal<'_>) -> Result<Done, BrowserError> {
        let unexpected = |m: String| BrowserError::Unexpected(m);
        let mut url = Url::parse(start).map_err(|e| unexpected(format!("{start}: {e}")))?;
        let mut post: Option<Vec<(String, String)>> = None;
        let mut login_sent = false;
        let mut code_sent = false;
        for _ in 0..MAX_STEPS {
            let request = match post.take() {
                Some(fields) => self.http.post(url.clone()).form(&fields),
                None => self.http.get(url.clone()),
            };
            let resp = request
                .send()
                .await
                .map_err(|e| unexpected(format!("{url}: {e}")))?;
            let status = resp.status();
            if status.is_redirection() {
                let location = resp
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .ok_or_else(|| unexpected(format!("{url}: {status} without Location")))?;
                let next = url
                    .join(location)
                    .map_err(|e| unexpected(format!("{url}: Location {location}: {e}")))?;
                if next.origin() != self.issuer.origin() {
                    return self.land(next, goal.at_redirect).await.map(Done::Redirect);
                }
                url = next;
                continue;
            }
            let body = resp
                .text()
                .await
                .map_err(|e| unexpected(format!("{url}: {e}")))?;
            let forms = parse_forms(&body);
            let form = |id: &str| forms.iter().find(|f| f.id.as_deref() == Some(id));

            if body.contains("id=\"device-success\"") {
                return Ok(Done::DeviceApproved);
            }
            if let Some(login) = form("login") {
                if login_sent {
                    return Err(BrowserError::LoginRefused(
                        element_text(&body, "error").unwrap_or_default(),
                    ));
                }
                login_sent = true;
                url = url
                    .join(&login.action)
                    .map_err(|e| unexpected(e.to_string()))?;
                post = Some(vec![
                    ("login".into(), goal.username.into()),
                    ("password".into(), goal.password.into()),
                ]);
                continue;
            }
            if let Some(consent) = form("consent") {
                url = url
                    .join(&consent.action)
                    .map_err(|e| unexpected(e.to_string()))?;
                post = Some(consent.fields.clone());
                continue;
            }
            if let Some(input) = form("op.deviceInputForm") {
                let Some(user_code) = goal.user_code else {
                    return Err(unexpected(format!("{url}: a device code page")));
                };
                if code_sent {
                    return Err(BrowserError::UserCodeRefused(
                        element_text(&body, "error").unwrap_or_default(),
                    ));
                }
                code_sent = true;
                let mut fields = input.fields.clone();
                fields.retain(|(name, _)| name != "user_code");
                fields.push(("user_code".into(), user_code.into()));
                url = url
                    .join(&input.action)
                    .map_err(|e| unexpected(e.to_string()))?;
                post = Some(fields);
                continue;
            }
            if let Some(confirm) = form("op.deviceConfirmForm") {
                url = url
                    .join(&confirm.action)
                    .map_err(|e| unexpected(e.to_string()))?;
                post = Some(confirm.fields.clone());
                continue;
            }
            // The provider's auto-submitting page (a verification_uri_complete, form_post):
            // a script submits it in a browser; here the one form is posted as it stands.
            if let [only] = forms.as_slice()
                && only.id.is_none()
                && body.contains("document.forms[0].submit()")
            {
                let next = url
                    .join(&only.action)
                    .map_err(|e| unexpected(e.to_string()))?;
                if next.origin() != self.issuer.origin() {
                    return Err(unexpected(format!(
                        "{next}: a form_post response; the browser supports query redirects only"
                    )));
                }
                url = next;
                post = Some(only.fields.clone());
                continue;
            }
            if body.contains("id=\"error\"") {
                return Err(BrowserError::ProviderError {
                    error: element_text(&body, "error-code")
                        .or_else(|| element_text(&body, "error"))
                        .unwrap_or_default(),
                    description: element_text(&body, "error-description").unwrap_or_default(),
                });
            }
            return Err(unexpected(format!(
                "{url}: {status}, a page I cannot read:\n{body}"
            )));
        }
        Err(unexpected(format!(
            "gave up after {MAX_STEPS} pages at {url}"
        )))
    }

    async fn land(&self, url: Url, at_redirect: AtRedirect) -> Result<Landing, BrowserError> {
        let client_response = match at_redirect {
            AtRedirect::Stop => None,
            AtRedirect::Follow => {
                let resp = self.http.get(url.clone()).send().await.map_err(|e| {
                    BrowserError::Unexpected(format!("the client's redirect URI {url}: {e}"))
                })?;
                let status = resp.status();
                Some((status, resp.text().await.unwrap_or_default()))
            }
        };
        Ok(Landing {
            url,
            client_response,
        })
    }
}

/// An HTML form as the browser submits it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Form {
    id: Option<String>,
    action: String,
    /// The `<input>` fields with a name, with their values (none: empty).
    fields: Vec<(String, String)>,
}

/// The forms of a page. Only enough HTML for the fixture's pages and oidc-provider's own:
/// double-quoted attributes, `<input>` fields, no nested forms.
fn parse_forms(html: &str) -> Vec<Form> {
    let mut forms = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<form") {
        let after = &rest[start..];
        let (tag, inner) = match after.find('>') {
            Some(end) => (&after[..end], &after[end + 1..]),
            None => break,
        };
        let (inner, next) = match inner.find("</form>") {
            Some(close) => (&inner[..close], &inner[close..]),
            None => (inner, ""),
        };
        let mut fields = Vec::new();
        let mut inputs = inner;
        while let Some(at) = inputs.find("<input") {
            let input = &inputs[at..];
            let end = input.find('>').unwrap_or(input.len());
            let input_tag = &input[..end];
            if let Some(name) = attribute(input_tag, "name") {
                fields.push((name, attribute(input_tag, "value").unwrap_or_default()));
            }
            inputs = &input[end..];
        }
        forms.push(Form {
            id: attribute(tag, "id"),
            action: attribute(tag, "action").unwrap_or_default(),
            fields,
        });
        rest = next;
    }
    forms
}

/// The value of `name="…"` in a tag, unescaped.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    // Attributes may be separated by newlines as well as spaces.
    let normalised = tag.replace(['\n', '\r', '\t'], " ");
    let start = normalised.find(&needle)? + needle.len();
    let end = normalised[start..].find('"')? + start;
    Some(unescape(&normalised[start..end]))
}

/// The text of the element with `id`, tags stripped, whitespace collapsed.
fn element_text(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!("id=\"{id}\""))?;
    let open_end = html[at..].find('>')? + at + 1;
    // The element's own tag name, to find its end.
    let tag_start = html[..at].rfind('<')? + 1;
    let tag_name: String = html[tag_start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let close = html[open_end..]
        .find(&format!("</{tag_name}>"))
        .map_or(html.len(), |c| c + open_end);
    let mut text = String::new();
    let mut in_tag = false;
    for c in html[open_end..close].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    Some(unescape(
        &text.split_whitespace().collect::<Vec<_>>().join(" "),
    ))
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        let Some(semi) = tail.find(';').filter(|&i| i <= 10) else {
            out.push('&');
            rest = &tail[1..];
            continue;
        };
        let entity = &tail[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &tail[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_of_the_provider_pages_parse() {
        let html = r#"<form id="op.deviceConfirmForm" method="post" action="/device">
<input type="hidden" name="xsrf" value="a&amp;b"/>
<input type="hidden" name="user_code" value="BCDF-GHJK"/>
<input
    type="text" name="confirm" value="yes"/>
</form><form id="login" method="post" action="/interaction/x/login"><input name="login" value=""></form>"#;
        let forms = parse_forms(html);
        assert_eq!(forms.len(), 2);
        assert_eq!(forms[0].id.as_deref(), Some("op.deviceConfirmForm"));
        assert_eq!(forms[0].action, "/device");
        assert_eq!(
            forms[0].fields,
            vec![
                ("xsrf".to_string(), "a&b".to_string()),
                ("user_code".to_string(), "BCDF-GHJK".to_string()),
                ("confirm".to_string(), "yes".to_string()),
            ]
        );
        assert_eq!(forms[1].action, "/interaction/x/login");
    }

    #[test]
    fn element_text_strips_tags_and_entities() {
        let html = r#"<p id="error" role="alert"><code id="error-code">invalid_request</code>
  <span>it&#39;s &lt;bad&gt;</span></p><p>after</p>"#;
        assert_eq!(
            element_text(html, "error").as_deref(),
            Some("invalid_request it's <bad>")
        );
        assert_eq!(
            element_text(html, "error-code").as_deref(),
            Some("invalid_request")
        );
        assert_eq!(element_text(html, "missing"), None);
    }
}
