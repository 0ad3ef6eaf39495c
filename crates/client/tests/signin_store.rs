//! Sign-in through to the store: a real OpenID Provider (the fixture) and a real kepil-store
//! in this process, checking ID tokens against the provider's keys. The session it gives is
//! kept in the secret store, renewed with the refresh token, used for uploads (the sender is
//! the signed-in person), for the person's own list and revoke, and for administration; signing
//! out ends it at the store and forgets it here.

use std::sync::Arc;
use std::time::Duration;

use kepil_client::account::Account;
use kepil_client::api::StoreClient;
use kepil_client::bearer::Bearer;
use kepil_client::error::{AccountError, SendError, SessionError};
use kepil_client::progress::{self, Cancel};
use kepil_client::secrets::SecretStore;
use kepil_client::send::{self, SendContext, SendRequest};
use kepil_client::settings::{self, ConfigFile, Dirs};
use kepil_client::signin::{self, Provider, SessionKeeper, session};
use kepil_client::{SecretString, receive};
use kepil_core::classification::Classification;
use kepil_core::link::Link;
use kepil_core::message::{Coded, Lang};
use kepil_protocol::ErrorCode;
use kepil_protocol::identity::{AdminRevoke, CredentialKind};
use kepil_test_support::canary::{Canary, assert_no_canary};
use kepil_test_support::oidc::*;

const WAIT: Duration = Duration::from_secs(60);

struct World {
    op: OidcProvider,
    store: kepil_store::RunningServer,
    machine_token: String,
    tmp: tempfile::TempDir,
}

impl World {
    async fn start(tweak: impl FnOnce(&mut kepil_store::Config)) -> World {
        let op = OidcProvider::start(ProviderConfig::new());
        let tmp = tempfile::tempdir().unwrap();
        let mut config = kepil_store::Config::for_data_dir(tmp.path().join("store"));
        config.proof_rate_per_minute = 100_000;
        config.identity.providers = vec![op.store_provider("agency")];
        config.identity.admins = vec![BOB_EMAIL.into()];
        tweak(&mut config);
        let machine_token = kepil_store::admin::create_token(&config, "svc@agency.gov.my")
            .await
            .unwrap();
        let store = kepil_store::Server::bind(config).await.unwrap();
        World {
            op,
            store,
            machine_token,
            tmp,
        }
    }

    fn client(&self) -> StoreClient {
        StoreClient::new(settings::parse_store_url(self.store.base_url()).unwrap()).unwrap()
    }

    /// A computer: its settings and history under `config/`, its secrets (the "keyring")
    /// in a private directory of their own, so the two can be told apart.
    fn computer(&self, name: &str) -> Computer {
        let root = self.tmp.path().join(name);
        let dirs = Dirs::under(&root.join("config"));
        let secrets = Arc::new(SecretStore::file_only(&Dirs::under(&root.join("keyring"))));
        Computer {
            dirs,
            secrets,
            root,
        }
    }

    /// Signs `user` in on `computer` through the browser, as `kepil login` does.
    async fn sign_in(&self, computer: &Computer, user: &str) -> signin::SignedIn {
        let client = self.client();
        let policy = client.policy().await.unwrap();
        let info = signin::choose_provider(self.store.base_url(), &policy, None).unwrap();
        let provider = Provider::discover(&info).await.unwrap();
        let browser = self.op.browser();
        let user = user.to_string();
        let tokens = signin::with_browser(
            &provider,
            move |url| {
                let url = url.to_string();
                tokio::spawn(async move {
                    browser
                        .login(&url, &user, PASSWORD, AtRedirect::Follow)
                        .await
                        .expect("the browser signs in")
                });
            },
            WAIT,
        )
        .await
        .unwrap();
        signin::establish(&client, &computer.secrets, &info, tokens)
            .await
            .expect("the store takes the sign-in")
    }
}

struct Computer {
    dirs: Dirs,
    secrets: Arc<SecretStore>,
    root: std::path::PathBuf,
}

impl Computer {
    fn account(&self, w: &World) -> Account {
        Account::open(w.client(), &self.secrets).unwrap()
    }

    fn keeper(&self, w: &World) -> SessionKeeper {
        SessionKeeper::open(w.client(), self.secrets.clone())
            .unwrap()
            .expect("signed in")
    }

    fn secret(&self, w: &World, key: impl Fn(&url::Url) -> String) -> Option<SecretString> {
        self.secrets.get(&key(w.client().base())).unwrap()
    }

    fn refresh_token(&self, w: &World) -> Option<SecretString> {
        self.secret(w, |s| session::refresh_token_key(s, "agency"))
    }

    /// Moves the kept session's expiry to `secs` from now, as time passing would.
    fn age_session(&self, w: &World, secs: i64) {
        let key = session::session_key(w.client().base());
        let text = self.secrets.get(&key).unwrap().unwrap();
        let mut record: serde_json::Value = serde_json::from_str(text.expose()).unwrap();
        let soon = time::OffsetDateTime::now_utc() + time::Duration::seconds(secs);
        record["expires_at"] = soon
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap()
            .into();
        self.secrets
            .set(&key, &SecretString::new(record.to_string()))
            .unwrap();
    }
}

async fn end_at_store(w: &World, token: &SecretString) {
    w.client().end_session(token).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_becomes_a_session_that_only_the_secret_store_keeps() {
    let w = World::start(|_| {}).await;
    let pc = w.computer("pc");
    let signed = w.sign_in(&pc, ALICE_EMAIL).await;
    assert_eq!(signed.identity.email, ALICE_EMAIL);
    assert_eq!(signed.provider, "Agency SSO");
    assert!(signed.renewable);
    assert_eq!(signed.saved_to, "file");
    let left = signed.expires_at - time::OffsetDateTime::now_utc();
    assert!(left > time::Duration::hours(7), "{left}");

    // A second run (a new keeper from the secret store) uses it without signing in.
    let account = pc.account(&w);
    assert!(account.bearer().session().is_some());
    let who = account.whoami().await.unwrap();
    assert_eq!(who.identity.email, ALICE_EMAIL);
    assert_eq!(who.kind, CredentialKind::Session);
    assert!(!who.admin);

    // The refresh token and the session token are in the secret store and nowhere else: not
    // in the settings, the store's data or the provider's log.
    let refresh = pc.refresh_token(&w).expect("a refresh token is kept");
    let session = pc.keeper(&w).token().await.unwrap();
    let canaries = vec![
        Canary {
            label: "refresh token".into(),
            bytes: refresh.expose().as_bytes().to_vec(),
            ignore_case: false,
        },
        Canary {
            label: "session token".into(),
            bytes: session.expose().as_bytes().to_vec(),
            ignore_case: false,
        },
    ];
    // What a run leaves in the settings: the config file and a send's history.
    ConfigFile {
        store: Some(w.store.base_url().to_string()),
        ..ConfigFile::default()
    }
    .save(&pc.dirs)
    .unwrap();
    let ctx = send_context(&w, &pc, account.bearer().clone());
    send::send(&ctx, request(&pc, ALICE_EMAIL.into()))
        .await
        .unwrap();
    assert_no_canary(&pc.dirs.config, &canaries, "the config directory");
    assert_no_canary(&w.tmp.path().join("store"), &canaries, "the store's data");
    let log = w.op.log();
    assert!(
        !log.contains(refresh.expose()),
        "refresh token in the provider's log"
    );
    let keyring = std::fs::read_to_string(pc.root.join("keyring/credentials.toml")).unwrap();
    assert!(keyring.contains(refresh.expose()) && keyring.contains(session.expose()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_about_to_expire_is_renewed_with_the_refresh_token() {
    let w = World::start(|_| {}).await;
    let pc = w.computer("pc");
    w.sign_in(&pc, ALICE_EMAIL).await;
    let first = pc.keeper(&w).token().await.unwrap();
    // Half a minute left: under the minute the client keeps in hand.
    pc.age_session(&w, 30);
    let keeper = pc.keeper(&w);
    let renewed = keeper.token().await.unwrap();
    assert_ne!(renewed, first);
    assert!(keeper.expires_at().await - time::OffsetDateTime::now_utc() > time::Duration::hours(7));
    // The renewal is kept: the next run starts from it.
    assert_eq!(pc.keeper(&w).token().await.unwrap(), renewed);
    let who = w.client().whoami(&renewed).await.unwrap();
    assert_eq!(who.identity.email, ALICE_EMAIL);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_the_store_refuses_is_renewed_once_and_the_request_sent_again() {
    let w = World::start(|_| {}).await;
    let pc = w.computer("pc");
    w.sign_in(&pc, ALICE_EMAIL).await;
    let first = pc.keeper(&w).token().await.unwrap();
    // Ended at the store (another sign-out, an expiry the client did not know of).
    end_at_store(&w, &first).await;
    let account = pc.account(&w);
    let who = account.whoami().await.expect("renewed and asked again");
    assert_eq!(who.identity.email, ALICE_EMAIL);
    assert_ne!(pc.keeper(&w).token().await.unwrap(), first);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_disabled_at_the_provider_is_out_when_the_session_ends() {
    let w = World::start(|_| {}).await;
    let pc = w.computer("pc");
    w.sign_in(&pc, ALICE_EMAIL).await;
    w.op.disable_user(ALICE).await;
    end_at_store(&w, &pc.keeper(&w).token().await.unwrap()).await;
    let err = pc.account(&w).whoami().await.unwrap_err();
    assert!(
        matches!(err, AccountError::Session(SessionError::SignInEnded { .. })),
        "{err:?}"
    );
    assert!(err.message(Lang::En).contains("Sign in again"));
    // Nothing is left that could be tried again.
    assert!(pc.refresh_token(&w).is_none());
    assert!(
        SessionKeeper::open(w.client(), pc.secrets.clone())
            .unwrap()
            .is_none()
    );
    let err = Account::open(w.client(), &pc.secrets).unwrap_err();
    assert_eq!(err.code(), "not_signed_in");
}

fn send_context(w: &World, pc: &Computer, bearer: Bearer) -> SendContext {
    SendContext {
        client: w.client(),
        token: bearer,
        dirs: pc.dirs.clone(),
        secrets: pc.secrets.clone(),
        progress: progress::silent(),
        cancel: Cancel::new(),
        scan: Default::default(),
        system_policy: Default::default(),
    }
}

fn request(pc: &Computer, sender: String) -> SendRequest {
    let file = pc.root.join("surat.txt");
    std::fs::create_dir_all(&pc.root).unwrap();
    std::fs::write(&file, b"Surat rasmi").unwrap();
    SendRequest {
        files: vec![file],
        classification: Classification::Terbuka,
        recipients: vec!["penerima@agency.gov.my".into()],
        expires_in: None,
        max_downloads: None,
        subject: String::new(),
        message: String::new(),
        sender,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_in_sender_uploads_as_themselves_and_manages_from_any_computer() {
    let w = World::start(|_| {}).await;
    let office = w.computer("office");
    w.sign_in(&office, ALICE_EMAIL).await;
    let bearer = Bearer::resolve(&w.client(), &office.secrets).unwrap();
    let identity = bearer.identity().cloned().expect("a session");
    // The sealed sender: the signed-in address, a display name at most.
    let sender =
        settings::sender_for(Some("Alice Tan"), &ConfigFile::default(), Some(&identity)).unwrap();
    assert_eq!(sender, format!("Alice Tan <{ALICE_EMAIL}>"));
    let err =
        settings::sender_for(Some(BOB_EMAIL), &ConfigFile::default(), Some(&identity)).unwrap_err();
    assert!(matches!(err, SendError::SenderMismatch { .. }), "{err:?}");

    let ctx = send_context(&w, &office, bearer);
    // The session nearly over: the upload renews it first.
    office.age_session(&w, 10);
    let sent = send::send(&ctx, request(&office, sender.clone()))
        .await
        .expect("sent");
    let link = Link::parse(sent.recipients[0].link.expose()).unwrap();
    let unlocked = receive::unlock(&link, None, &progress::silent())
        .await
        .unwrap();
    let incoming = unlocked
        .open(progress::silent(), Cancel::new())
        .await
        .unwrap();
    assert_eq!(incoming.manifest().sender, sender);

    // At home, signed in again, without the owner token: listed, and revoked.
    let home = w.computer("home");
    w.sign_in(&home, ALICE_EMAIL).await;
    let account = home.account(&w);
    let mine = account.transfers().await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].transfer_id, sent.transfer_id);
    assert_eq!(mine[0].sender, ALICE_EMAIL);
    account.revoke(&sent.transfer_id).await.unwrap();
    assert!(account.transfers().await.unwrap().is_empty());
    let err = account.revoke(&sent.transfer_id).await.unwrap_err();
    assert!(matches!(err, AccountError::Unavailable { .. }), "{err:?}");
    let err = account.revoke("../../admin").await.unwrap_err();
    assert_eq!(err.code(), "transfer_id_invalid");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_requires_sign_in_refuses_a_machine_token_before_anything_is_sent() {
    let w = World::start(|c| c.identity.sign_in_required = true).await;
    let pc = w.computer("pc");
    let ctx = send_context(
        &w,
        &pc,
        Bearer::Token(SecretString::new(w.machine_token.as_str())),
    );
    let err = send::send(&ctx, request(&pc, "svc@agency.gov.my".into()))
        .await
        .unwrap_err();
    assert!(matches!(err, SendError::SignInRequired), "{err:?}");
    assert!(err.message(Lang::En).contains("kepil login"));
    // Signed in, the same send goes through.
    w.sign_in(&pc, ALICE_EMAIL).await;
    let bearer = Bearer::resolve(&w.client(), &pc.secrets).unwrap();
    send::send(
        &send_context(&w, &pc, bearer),
        request(&pc, ALICE_EMAIL.into()),
    )
    .await
    .expect("sent");
    // A machine token still says who it is.
    let who = w
        .client()
        .whoami(&SecretString::new(w.machine_token.as_str()))
        .await
        .unwrap();
    assert_eq!(who.kind, CredentialKind::Token);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_ends_the_session_and_forgets_it_even_when_the_store_is_gone() {
    let w = World::start(|_| {}).await;
    let pc = w.computer("pc");
    w.sign_in(&pc, ALICE_EMAIL).await;
    let token = pc.keeper(&w).token().await.unwrap();
    let out = signin::sign_out(&w.client(), &pc.secrets).await.unwrap();
    assert_eq!(out.identity.unwrap().email, ALICE_EMAIL);
    assert!(out.store_error.is_none());
    let err = w.client().whoami(&token).await.unwrap_err();
    assert_eq!(err.api_code(), Some(ErrorCode::Unauthorized));
    assert!(pc.refresh_token(&w).is_none());
    let again = signin::sign_out(&w.client(), &pc.secrets).await.unwrap();
    assert!(again.identity.is_none());

    // The store unreachable: forgotten here all the same, and said so.
    w.sign_in(&pc, ALICE_EMAIL).await;
    let url = w.client().base().clone();
    w.store.shutdown().await;
    let gone = StoreClient::new(url).unwrap();
    let out = signin::sign_out(&gone, &pc.secrets).await.unwrap();
    assert!(out.store_error.is_some());
    assert!(
        SessionKeeper::open(gone, pc.secrets.clone())
            .unwrap()
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_search_revoke_and_disable_and_others_are_refused() {
    let w = World::start(|_| {}).await;
    let alice = w.computer("alice");
    let bob = w.computer("bob");
    w.sign_in(&alice, ALICE_EMAIL).await;
    w.sign_in(&bob, BOB_EMAIL).await;
    let ctx = send_context(
        &w,
        &alice,
        Bearer::resolve(&w.client(), &alice.secrets).unwrap(),
    );
    let sent = send::send(&ctx, request(&alice, ALICE_EMAIL.into()))
        .await
        .unwrap();

    let err = alice.account(&w).admin_search(BOB_EMAIL).await.unwrap_err();
    assert!(matches!(err, AccountError::Forbidden), "{err:?}");
    assert_eq!(err.code(), "forbidden");

    let admin = bob.account(&w);
    assert!(admin.whoami().await.unwrap().admin);
    let found = admin.admin_search(ALICE_EMAIL).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].transfer_id, sent.transfer_id);
    let out = admin
        .admin_revoke(&AdminRevoke {
            transfer_id: None,
            sender: Some(ALICE_EMAIL.into()),
        })
        .await
        .unwrap();
    assert_eq!(out.changed, 1);
    assert!(admin.admin_search(ALICE_EMAIL).await.unwrap().is_empty());

    let out = admin.admin_identity(ALICE_EMAIL, false).await.unwrap();
    assert_eq!(out.changed, 1);
    // Her session ended at once; the renewal is refused by the store.
    let err = alice.account(&w).whoami().await.unwrap_err();
    assert_eq!(err.code(), "identity_disabled", "{err:?}");
    admin.admin_identity(ALICE_EMAIL, true).await.unwrap();
    assert_eq!(
        alice.account(&w).whoami().await.unwrap().identity.email,
        ALICE_EMAIL
    );
}

/// `DELETE /api/v1/session` over a plain socket: the progress callback that calls it is not
/// async, and it must end the session before the upload's first PATCH leaves.
fn end_session_blocking(base: &str, token: &str) {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://").trim_end_matches('/');
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "DELETE /api/v1/session HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 204"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_that_ends_during_an_upload_is_renewed_and_the_upload_goes_on() {
    let w = World::start(|_| {}).await;
    let pc = w.computer("pc");
    w.sign_in(&pc, ALICE_EMAIL).await;
    let bearer = Bearer::resolve(&w.client(), &pc.secrets).unwrap();
    let first = bearer.current().await.unwrap();
    let mut ctx = send_context(&w, &pc, bearer.clone());
    let base = w.store.base_url().to_string();
    let ended = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = ended.clone();
    let token = first.expose().to_string();
    ctx.progress = Arc::new(move |e: kepil_client::ProgressEvent| {
        if e.phase == kepil_client::Phase::Uploading
            && !flag.swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            end_session_blocking(&base, &token);
        }
    });
    let sent = send::send(&ctx, request(&pc, ALICE_EMAIL.into()))
        .await
        .expect("renewed and finished");
    assert!(ended.load(std::sync::atomic::Ordering::SeqCst));
    let renewed = bearer.current().await.unwrap();
    assert_ne!(renewed, first);
    let mine = pc.account(&w).transfers().await.unwrap();
    assert!(mine[0].upload_complete, "{mine:?}");
    assert_eq!(mine[0].transfer_id, sent.transfer_id);
}
