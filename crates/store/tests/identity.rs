//! Sign-in at the store against a real OpenID Provider (panva's oidc-provider on loopback,
//! crates/test-support/oidc): ID tokens for sessions, each way a token can be wrong, key
//! rotation, machine tokens with an expiry, administrators, and the audit naming who acted.

use kepil_protocol::identity::{
    AdminOutcome, CreateSession, CredentialKind, SessionCreated, TransferSummary, Whoami,
};
use kepil_protocol::{ErrorCode, StorePolicy, paths};
use kepil_store::Config;
use kepil_test_support::oidc::{self, OidcProvider};
use kepil_test_support::store::{self, Store, expect_code};
use serde_json::{Value, json};

const ADMIN: &str = oidc::BOB_EMAIL;

async fn store_for(p: &OidcProvider, tweak: impl FnOnce(&mut Config)) -> Store {
    let provider = p.store_provider("agency");
    store::start_with(move |c| {
        c.identity.providers = vec![provider];
        c.identity.admins = vec![ADMIN.into()];
        tweak(c);
    })
    .await
}

async fn post_session(s: &Store, id_token: &str, nonce: Option<&str>) -> reqwest::Response {
    let body = CreateSession {
        provider: "agency".into(),
        id_token: id_token.to_string().into(),
        nonce: nonce.map(str::to_string),
    };
    s.http
        .post(s.url(paths::SESSIONS))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn session_for(s: &Store, p: &OidcProvider, user: &str) -> SessionCreated {
    let tokens = p.sign_in(user, oidc::PASSWORD).await;
    let r = post_session(s, tokens["id_token"].as_str().unwrap(), None).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json().await.unwrap()
}

async fn whoami(s: &Store, bearer: &str) -> reqwest::Response {
    s.http
        .get(s.url(paths::SESSION))
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_in_person_uploads_as_themselves_and_sees_their_transfers() {
    let p = OidcProvider::start(oidc::ProviderConfig::new());
    let mut s = store_for(&p, |_| {}).await;

    let policy: StorePolicy = s.get_json(paths::POLICY, None).await;
    assert_eq!(policy.identity_providers.len(), 1);
    assert_eq!(policy.identity_providers[0].issuer, p.issuer());
    assert_eq!(policy.identity_providers[0].client_id, oidc::CLIENT_ID);
    assert!(!policy.sign_in_required);

    let session = session_for(&s, &p, oidc::ALICE).await;
    assert_eq!(session.identity.email, oidc::ALICE_EMAIL);
    assert_eq!(session.identity.provider, "agency");
    let bearer = session.session_token.expose().to_string();
    let who: Whoami = whoami(&s, &bearer).await.json().await.unwrap();
    assert_eq!(who.identity.email, oidc::ALICE_EMAIL);
    assert_eq!(who.kind, CredentialKind::Session);
    assert!(!who.admin);
    let left = who.expires_at.unwrap() - time::OffsetDateTime::now_utc();
    assert!(left.whole_hours() >= 7 && left.whole_hours() <= 8, "{left}");

    // The session is the uploader: the transfer is Alice's, listed from "any computer".
    s.token = bearer.clone();
    let data = store::random_bytes(1000);
    let t = s.create(data.len() as u64, 1, None).await;
    s.upload(t.id(), &data).await;
    let mine: Vec<TransferSummary> = s.get_json(paths::MY_TRANSFERS, Some(&bearer)).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].transfer_id, t.id());
    assert_eq!(mine[0].sender, oidc::ALICE_EMAIL);
    assert!(mine[0].upload_complete);

    // A recipient with a valid proof is told who sent it, as the store knows them.
    let grant = s.prove_ok(t.grant(0), &t.keys[0]).await;
    let sender = grant.sender.expect("the verified sender");
    assert_eq!(sender.email, oidc::ALICE_EMAIL);
    assert_eq!(sender.provider, "agency");
    assert!(sender.name.is_some_and(|n| !n.is_empty()));

    // Bob cannot revoke Alice's transfer through his own list; Alice can, without the owner
    // token.
    let bob = session_for(&s, &p, oidc::BOB).await;
    let r = s
        .http
        .delete(s.url(&paths::my_transfer(t.id())))
        .bearer_auth(bob.session_token.expose())
        .send()
        .await
        .unwrap();
    expect_code(r, ErrorCode::Unavailable).await;
    let r = s
        .http
        .delete(s.url(&paths::my_transfer(t.id())))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = s.status(&t).await;
    assert_eq!(r.status(), 200);
    let status: kepil_protocol::TransferStatus = r.json().await.unwrap();
    assert!(status.grants.iter().all(|g| g.revoked));

    // Sign out: the session is gone.
    let r = s
        .http
        .delete(s.url(paths::SESSION))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    expect_code(whoami(&s, &bearer).await, ErrorCode::Unauthorized).await;

    let audit = s.server.audit_events(None).await.unwrap();
    let by = |event: &str| {
        audit
            .iter()
            .filter(|e| e.event == event)
            .map(|e| e.actor.clone().unwrap_or_default())
            .collect::<Vec<_>>()
    };
    assert_eq!(by("created"), vec![oidc::ALICE_EMAIL.to_string()]);
    assert_eq!(by("revoked"), vec![oidc::ALICE_EMAIL.to_string()]);
    assert_eq!(
        by("signed_in"),
        vec![oidc::ALICE_EMAIL.to_string(), oidc::BOB_EMAIL.to_string()]
    );
    assert_eq!(by("signed_out"), vec![oidc::ALICE_EMAIL.to_string()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_bad_id_token_is_refused_with_its_own_code() {
    let p = OidcProvider::start(oidc::ProviderConfig::new());
    let other = OidcProvider::start(oidc::ProviderConfig::new());
    let s = store_for(&p, |_| {}).await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();

    let cases: Vec<(&str, String, Option<&str>, ErrorCode)> = vec![
        (
            "expired",
            p.mint_id_token(json!({"sub": oidc::ALICE, "iat": now - 7200, "exp": now - 3600}))
                .await,
            None,
            ErrorCode::IdTokenExpired,
        ),
        (
            "another audience",
            p.mint_id_token(json!({"sub": oidc::ALICE, "aud": "someone-else"}))
                .await,
            None,
            ErrorCode::IdTokenInvalid,
        ),
        (
            "another issuer's claim",
            p.mint_id_token(json!({"sub": oidc::ALICE, "iss": other.issuer()}))
                .await,
            None,
            ErrorCode::IdTokenInvalid,
        ),
        (
            "another issuer's key",
            other.sign_in(oidc::ALICE, oidc::PASSWORD).await["id_token"]
                .as_str()
                .unwrap()
                .to_string(),
            None,
            ErrorCode::IdTokenInvalid,
        ),
        (
            "a key the provider does not publish",
            p.mint_id_token_with_unpublished_key(json!({"sub": oidc::ALICE}))
                .await,
            None,
            ErrorCode::IdTokenInvalid,
        ),
        (
            "another sign-in's nonce",
            p.mint_id_token(json!({"sub": oidc::ALICE, "nonce": "n-1"}))
                .await,
            Some("n-2"),
            ErrorCode::IdTokenInvalid,
        ),
        (
            "an unverified address",
            p.sign_in(oidc::UMA_UNVERIFIED, oidc::PASSWORD).await["id_token"]
                .as_str()
                .unwrap()
                .to_string(),
            None,
            ErrorCode::EmailUnverified,
        ),
        (
            "a domain not allowed",
            p.sign_in(oidc::OLIVIA_OTHER_DOMAIN, oidc::PASSWORD).await["id_token"]
                .as_str()
                .unwrap()
                .to_string(),
            None,
            ErrorCode::DomainNotAllowed,
        ),
        (
            "no address at all",
            p.mint_id_token(json!({"sub": oidc::ALICE, "email": null}))
                .await,
            None,
            ErrorCode::IdTokenInvalid,
        ),
        (
            "not a JWT",
            "not.a.jwt".to_string(),
            None,
            ErrorCode::IdTokenInvalid,
        ),
    ];
    for (what, token, nonce, code) in cases {
        let r = post_session(&s, &token, nonce).await;
        let (status, err) = store::error_of(r).await;
        assert_eq!(err.code, code, "{what}: {}", err.message);
        assert!(status == 401 || status == 403, "{what}: {status}");
        // The answer never echoes the token.
        assert!(!err.message.contains(&token), "{what}");
    }
    // The right nonce and a good token: accepted.
    let good = p
        .mint_id_token(json!({"sub": oidc::ALICE, "nonce": "n-3"}))
        .await;
    assert_eq!(post_session(&s, &good, Some("n-3")).await.status(), 201);

    // Refused sign-ins are audited with the address they claimed, where there was one.
    let audit = s.server.audit_events(None).await.unwrap();
    let refused: Vec<_> = audit
        .iter()
        .filter(|e| e.event == "sign_in_refused")
        .filter_map(|e| e.actor.clone())
        .collect();
    assert!(
        refused.contains(&oidc::UMA_EMAIL.to_string()),
        "{refused:?}"
    );
    assert!(
        refused.contains(&oidc::OLIVIA_EMAIL.to_string()),
        "{refused:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_required_group_and_a_hosted_domain_are_enforced() {
    let p = OidcProvider::start(oidc::ProviderConfig::new());
    let s = store_for(&p, |c| {
        let pc = &mut c.identity.providers[0];
        pc.required_groups = vec![oidc::SENDERS_GROUP.into()];
        pc.hosted_domains = vec![oidc::AGENCY_DOMAIN.into()];
    })
    .await;
    // Alice is in the group with the agency's hd; Bob has no groups.
    session_for(&s, &p, oidc::ALICE).await;
    let bob = p.sign_in(oidc::BOB, oidc::PASSWORD).await;
    let r = post_session(&s, bob["id_token"].as_str().unwrap(), None).await;
    expect_code(r, ErrorCode::GroupRequired).await;
    let no_hd = p
        .mint_id_token(json!({"sub": oidc::ALICE, "hd": null}))
        .await;
    expect_code(
        post_session(&s, &no_hd, None).await,
        ErrorCode::DomainNotAllowed,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_follows_a_key_rotation_at_the_provider() {
    let p = OidcProvider::start(oidc::ProviderConfig::new());
    let s = store_for(&p, |_| {}).await;
    let before = session_for(&s, &p, oidc::ALICE).await;
    assert_eq!(before.identity.email, oidc::ALICE_EMAIL);

    let new_kid = p.rotate_keys_dropping_old().await;
    assert_ne!(new_kid, p.initial_kid());
    let tokens = p.sign_in(oidc::ALICE, oidc::PASSWORD).await;
    let id_token = tokens["id_token"].as_str().unwrap();
    assert_eq!(oidc::jwt_header(id_token)["kid"], Value::from(new_kid));
    // A key id the store has not seen makes it fetch the keys again.
    assert_eq!(post_session(&s, id_token, None).await.status(), 201);

    // A token signed by the dropped key is refused now.
    let old = p
        .mint_id_token_with_unpublished_key(json!({"sub": oidc::ALICE}))
        .await;
    expect_code(
        post_session(&s, &old, None).await,
        ErrorCode::IdTokenInvalid,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_disable_people_and_revoke_their_transfers() {
    let p = OidcProvider::start(oidc::ProviderConfig::new());
    let mut s = store_for(&p, |_| {}).await;
    let alice = session_for(&s, &p, oidc::ALICE).await;
    let admin = session_for(&s, &p, oidc::BOB).await;
    let alice_bearer = alice.session_token.expose().to_string();
    let admin_bearer = admin.session_token.expose().to_string();
    let who: Whoami = whoami(&s, &admin_bearer).await.json().await.unwrap();
    assert!(who.admin);

    s.token = alice_bearer.clone();
    let first = s.create(10, 1, None).await;
    let second = s.create(10, 2, None).await;

    // Not an administrator: refused.
    let r = s
        .http
        .post(s.url(paths::ADMIN_SEARCH))
        .bearer_auth(&alice_bearer)
        .json(&json!({"sender": oidc::ALICE_EMAIL}))
        .send()
        .await
        .unwrap();
    expect_code(r, ErrorCode::Forbidden).await;

    let list: Vec<TransferSummary> = s
        .post_json(
            paths::ADMIN_SEARCH,
            &admin_bearer,
            &json!({"sender": "Alice@Agency.gov.my"}),
        )
        .await;
    let mut ids: Vec<_> = list.iter().map(|t| t.transfer_id.clone()).collect();
    ids.sort();
    let mut want = vec![first.id().to_string(), second.id().to_string()];
    want.sort();
    assert_eq!(ids, want);

    let out: AdminOutcome = s
        .post_json(
            paths::ADMIN_REVOKE,
            &admin_bearer,
            &json!({"transfer_id": first.id()}),
        )
        .await;
    assert_eq!(out.changed, 1);
    let out: AdminOutcome = s
        .post_json(
            paths::ADMIN_REVOKE,
            &admin_bearer,
            &json!({"sender": oidc::ALICE_EMAIL}),
        )
        .await;
    assert_eq!(out.changed, 1, "only the second was still live");

    // Disabled: her session stops at once, and she cannot sign in again.
    let out: AdminOutcome = s
        .post_json(
            paths::ADMIN_DISABLE,
            &admin_bearer,
            &json!({"email": oidc::ALICE_EMAIL}),
        )
        .await;
    assert_eq!(out.changed, 1);
    expect_code(whoami(&s, &alice_bearer).await, ErrorCode::Unauthorized).await;
    let again = p.sign_in(oidc::ALICE, oidc::PASSWORD).await;
    let r = post_session(&s, again["id_token"].as_str().unwrap(), None).await;
    expect_code(r, ErrorCode::IdentityDisabled).await;

    // Enabled again: she can.
    let out: AdminOutcome = s
        .post_json(
            paths::ADMIN_ENABLE,
            &admin_bearer,
            &json!({"email": oidc::ALICE_EMAIL}),
        )
        .await;
    assert_eq!(out.changed, 1);
    session_for(&s, &p, oidc::ALICE).await;

    let audit = s.server.audit_events(None).await.unwrap();
    let admin_acts: Vec<(String, Option<String>, Option<String>)> = audit
        .iter()
        .filter(|e| e.actor.as_deref() == Some(ADMIN))
        .filter(|e| e.event != "signed_in")
        .map(|e| (e.event.clone(), e.transfer_id.clone(), e.subject.clone()))
        .collect();
    assert_eq!(
        admin_acts,
        vec![
            ("revoked".into(), Some(first.id().to_string()), None),
            ("revoked".into(), Some(second.id().to_string()), None),
            (
                "identity_disabled".into(),
                None,
                Some(oidc::ALICE_EMAIL.to_string())
            ),
            (
                "identity_enabled".into(),
                None,
                Some(oidc::ALICE_EMAIL.to_string())
            ),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_and_machine_tokens_expire() {
    let p = OidcProvider::start(oidc::ProviderConfig::new());
    let s = store_for(&p, |_| {}).await;
    let alice = session_for(&s, &p, oidc::ALICE).await;
    let machine = s.token.clone();

    let who: Whoami = whoami(&s, &machine).await.json().await.unwrap();
    assert_eq!(who.kind, CredentialKind::Token);
    let days = (who.expires_at.unwrap() - time::OffsetDateTime::now_utc()).whole_days();
    assert!((89..=90).contains(&days), "{days}");
    let by_token = s.create(10, 1, None).await;
    s.upload(by_token.id(), &[7; 10]).await;
    let grant = s.prove_ok(by_token.grant(0), &by_token.keys[0]).await;
    let sender = grant.sender.expect("the token's account");
    assert_eq!(
        (sender.email.as_str(), sender.provider.as_str(), sender.name),
        ("pengirim@agensi.gov.my", "token", None)
    );

    // Past the session's eight hours: the session is over, the token still works.
    s.server.clock().advance(8 * 3600 + 1);
    expect_code(
        whoami(&s, alice.session_token.expose()).await,
        ErrorCode::TokenExpired,
    )
    .await;
    s.create(10, 1, None).await;

    // Past the token's 90 days.
    s.server.clock().advance(90 * 86_400);
    let r = s.post_transfer(&s.create_request(10, 1)).await;
    expect_code(r, ErrorCode::TokenExpired).await;

    let tokens = kepil_store::admin::list_tokens(s.server.config())
        .await
        .unwrap();
    assert_eq!(tokens.len(), 1);
    assert!(tokens[0].last_used_at.is_some());
    assert_eq!(tokens[0].state(s.server.clock().now()), "expired");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_requires_sign_in_refuses_machine_tokens_for_uploads() {
    let p = OidcProvider::start(oidc::ProviderConfig::new());
    let mut s = store_for(&p, |c| c.identity.sign_in_required = true).await;
    let r = s.post_transfer(&s.create_request(10, 1)).await;
    expect_code(r, ErrorCode::SignInRequired).await;
    let alice = session_for(&s, &p, oidc::ALICE).await;
    s.token = alice.session_token.expose().to_string();
    s.create(10, 1, None).await;
}
