//! "Only the link's holder can burn tries" (issue 15), over real HTTP against a real store on
//! 127.0.0.1:0: someone who has seen only a link's path (a mail gateway, a proxy log) can
//! neither lock a grant nor tell its state from the answers; the owner sees the failed tries
//! and can give a locked grant its tries back.

use kepil_protocol::{Classification, ErrorCode, Proof, b64_encode, paths};
use kepil_test_support::store::*;
use reqwest::StatusCode;

/// The whole answer as the caller sees it: status, the headers that could differ, the body.
async fn answer(r: reqwest::Response) -> (StatusCode, Vec<(String, String)>, Vec<u8>) {
    let status = r.status();
    let mut headers: Vec<(String, String)> = r
        .headers()
        .iter()
        .filter(|(k, _)| k.as_str() != "date")
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    headers.sort();
    (status, headers, r.bytes().await.unwrap().to_vec())
}

/// A proof without the link key: the nonce of a real challenge when the store gives one, a
/// `link_mac` that is absent, made with another key, malformed or empty, and a random `mac`.
async fn junk_proof(s: &Store, grant: &str, n: usize) -> reqwest::Response {
    let r = s.challenge(grant).await;
    let nonce = if r.status() == StatusCode::OK {
        r.json::<kepil_protocol::Challenge>().await.unwrap().nonce
    } else {
        b64_encode(&random_key())
    };
    let link_mac = match n % 4 {
        0 => None,
        1 => Some(mac(&random_key(), &nonce)),
        2 => Some("not base64!".to_string()),
        _ => Some(String::new()),
    };
    s.send_proof(
        grant,
        &Proof {
            mac: mac(&random_key(), &nonce),
            nonce,
            link_mac,
        },
    )
    .await
}

/// An open that does not show the link's holder: a real challenge's nonce with a MAC made with
/// another key, malformed or empty, or a MAC with the right key over a nonce nobody issued.
async fn junk_open(s: &Store, grant: &str, n: usize) -> reqwest::Response {
    let nonce = s.nonce(grant).await;
    let (nonce, open_mac) = match n % 4 {
        0 => (nonce.clone(), mac(&random_key(), &nonce)),
        1 => (nonce, "not base64!".to_string()),
        2 => (nonce, String::new()),
        _ => {
            let stray = b64_encode(&random_key());
            (stray.clone(), mac(&OPEN_KEY, &stray))
        }
    };
    s.http
        .post(s.url(&paths::open(grant)))
        .json(&kepil_protocol::OpenGrant { nonce, open_mac })
        .send()
        .await
        .unwrap()
}

/// The challenge's answer with the random nonce and its expiry taken out, which are the same
/// shape for every id.
async fn challenge_shape(r: reqwest::Response) -> (StatusCode, Vec<(String, String)>, usize) {
    let (status, headers, body) = answer(r).await;
    let c: kepil_protocol::Challenge = serde_json::from_slice(&body).unwrap();
    let headers = headers
        .into_iter()
        .filter(|(k, _)| k != "content-length")
        .collect();
    (status, headers, c.nonce.len())
}

#[tokio::test]
async fn junk_proofs_without_the_link_key_never_lock_and_every_state_answers_the_same_bytes() {
    let s = start().await;
    let data = random_bytes(64);
    // Purged and forgotten: expired, swept, and kept past the tombstones' retention.
    let purged = s.create(data.len() as u64, 1, Some(1)).await;
    s.upload(purged.id(), &data).await;
    s.server.clock().advance(3601);
    assert_eq!(s.server.sweep_now().await.unwrap().purged, 1);
    s.server.clock().advance(31 * 86400);
    assert_eq!(s.server.sweep_now().await.unwrap().forgotten, 1);
    expect_code(
        s.prove(purged.grant(0), &purged.keys[0]).await,
        ErrorCode::Unavailable,
    )
    .await;
    let mut grants = Vec::new();
    for (state, expires) in [
        ("live", 3600),
        ("used", 3600),
        ("revoked", 3600),
        ("expired", 60),
        ("locked", 3600),
    ] {
        let t = s
            .create_with(
                Classification::Sulit,
                data.len() as u64,
                expires,
                1,
                Some(1),
            )
            .await;
        s.upload(t.id(), &data).await;
        grants.push((state, t));
    }
    let t_of = |state: &str| &grants.iter().find(|(s, _)| *s == state).unwrap().1;

    s.prove_ok(t_of("used").grant(0), &t_of("used").keys[0])
        .await;
    let revoked = t_of("revoked");
    let r = s
        .http
        .delete(s.url(&paths::transfer_grant(revoked.id(), revoked.grant(0))))
        .bearer_auth(&revoked.created.owner_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    // With the link key, ten wrong passwords lock, the last one saying so.
    let locked = t_of("locked");
    for left in (1..10).rev() {
        let err = expect_code(
            s.prove(locked.grant(0), &random_key()).await,
            ErrorCode::WrongPassword,
        )
        .await;
        assert_eq!(err.tries_left, Some(left));
    }
    expect_code(
        s.prove(locked.grant(0), &random_key()).await,
        ErrorCode::Locked,
    )
    .await;
    s.server.clock().advance(61);

    let mut targets: Vec<(&str, String)> = grants
        .iter()
        .map(|(state, t)| (*state, t.grant(0).to_string()))
        .collect();
    targets.push(("purged", purged.grant(0).to_string()));
    targets.push(("unknown", kepil_store::ids::new_id()));
    // Every kind of question a holder of the path alone can ask: the facts by GET, an open
    // without the open key, a proof without the link key, and a challenge.
    let mut first_proof = None;
    let mut first_open = None;
    let mut first_info = None;
    let mut first_challenge = None;
    for (state, grant) in &targets {
        for n in 0..50 {
            let got = answer(junk_proof(&s, grant, n).await).await;
            let want = first_proof.get_or_insert_with(|| got.clone());
            assert_eq!(
                &got,
                want,
                "proof {state} #{n}: {}",
                String::from_utf8_lossy(&got.2)
            );
        }
        for n in 0..8 {
            let got = answer(junk_open(&s, grant, n).await).await;
            let want = first_open.get_or_insert_with(|| got.clone());
            assert_eq!(
                &got,
                want,
                "open {state} #{n}: {}",
                String::from_utf8_lossy(&got.2)
            );
        }
        let r = s
            .http
            .get(s.url(&paths::grant(grant)))
            .send()
            .await
            .unwrap();
        let got = answer(r).await;
        let want = first_info.get_or_insert_with(|| got.clone());
        assert_eq!(
            &got,
            want,
            "info {state}: {}",
            String::from_utf8_lossy(&got.2)
        );
        let got = challenge_shape(s.challenge(grant).await).await;
        let want = first_challenge.get_or_insert_with(|| got.clone());
        assert_eq!(&got, want, "challenge {state}");
    }
    assert_eq!(first_challenge.unwrap().0, StatusCode::OK);
    for (status, _, body) in [first_proof, first_open, first_info].map(Option::unwrap) {
        assert_eq!(status, StatusCode::NOT_FOUND);
        let err: kepil_protocol::ApiError = serde_json::from_slice(&body).unwrap();
        assert_eq!((err.code, err.tries_left), (ErrorCode::Unavailable, None));
    }
    // The same junk answers the same as the link's holder asking about a dead grant.
    let (status, _, body) = answer(s.open_with(purged.grant(0), &OPEN_KEY).await).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "{}",
        String::from_utf8_lossy(&body)
    );

    // Nothing was counted: the live grant's owner sees no failed try, and its recipient
    // downloads; the others still tell their holder why not.
    let live = t_of("live");
    let status = s.status_ok(live).await;
    assert_eq!(
        (status.grants[0].failed_proofs, status.grants[0].locked),
        (0, false)
    );
    let info = s.open_info(live.grant(0)).await;
    assert_eq!((info.transfer_id.as_str(), info.ready), (live.id(), true));
    s.prove_ok(live.grant(0), &live.keys[0]).await;
    for (state, code) in [
        ("used", ErrorCode::UsedUp),
        ("revoked", ErrorCode::Revoked),
        ("expired", ErrorCode::Expired),
        ("locked", ErrorCode::Locked),
    ] {
        let t = t_of(state);
        expect_code(s.prove(t.grant(0), &t.keys[0]).await, code).await;
    }
    let events = s.events(live.id()).await;
    assert_eq!(
        events.iter().filter(|e| *e == "proof_no_link").count(),
        50,
        "{events:?}"
    );
    // Only the opens with a wrong MAC are link-less; a stray nonce under the right key is not.
    assert_eq!(
        events.iter().filter(|e| *e == "open_no_link").count(),
        6,
        "{events:?}"
    );
    assert!(!events.iter().any(|e| e == "proof_failed"), "{events:?}");
    s.server.shutdown().await;
}

#[tokio::test]
async fn the_owner_sees_failed_tries_of_the_links_holder_only() {
    let s = start().await;
    let t = s.create(8, 1, None).await;
    s.upload(t.id(), &random_bytes(8)).await;
    for n in 0..7 {
        junk_proof(&s, t.grant(0), n).await;
    }
    for left in [9, 8] {
        let err = expect_code(
            s.prove(t.grant(0), &random_key()).await,
            ErrorCode::WrongPassword,
        )
        .await;
        assert_eq!(err.tries_left, Some(left));
    }
    let g = &s.status_ok(&t).await.grants[0];
    assert_eq!((g.failed_proofs, g.locked), (2, false));
    s.server.shutdown().await;
}

#[tokio::test]
async fn junk_proofs_are_rate_limited_per_address() {
    let s = start_with(|c| c.proof_rate_per_minute = 5).await;
    let t = s.create(8, 1, None).await;
    let mut codes = Vec::new();
    for _ in 0..12 {
        let r = s
            .send_proof(
                t.grant(0),
                &Proof {
                    nonce: b64_encode(&random_key()),
                    mac: b64_encode(&random_key()),
                    link_mac: None,
                },
            )
            .await;
        codes.push(error_of(r).await.1.code);
    }
    assert!(
        codes[..5].iter().all(|c| *c == ErrorCode::Unavailable),
        "{codes:?}"
    );
    assert!(
        codes[5..].iter().all(|c| *c == ErrorCode::RateLimited),
        "{codes:?}"
    );
    s.server.shutdown().await;
}

#[tokio::test]
async fn a_grant_created_without_a_link_key_behaves_as_before() {
    let s = start().await;
    let key = random_key();
    let mut req = s.create_request(8, 1);
    req.grants = vec![spec_without_link_key(&key, None)];
    let r = s.post_transfer(&req).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: kepil_protocol::TransferCreated = r.json().await.unwrap();
    let grant = &created.grants[0].grant_id;
    s.upload(&created.transfer_id, &random_bytes(8)).await;
    // An older client's proof (no link MAC) with a wrong password counts, as it did.
    let nonce = s.nonce(grant).await;
    let old = |mac: String, nonce: String| Proof {
        nonce,
        mac,
        link_mac: None,
    };
    let err = expect_code(
        s.send_proof(grant, &old(mac(&random_key(), &nonce), nonce.clone()))
            .await,
        ErrorCode::WrongPassword,
    )
    .await;
    assert_eq!(err.tries_left, Some(9));
    let nonce = s.nonce(grant).await;
    let r = s
        .send_proof(grant, &old(mac(&key, &nonce), nonce.clone()))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    s.server.shutdown().await;
}

/// Locks `t`'s first grant with ten wrong passwords from the link's holder.
async fn lock(s: &Store, t: &Transfer) {
    for _ in 0..9 {
        expect_code(
            s.prove(t.grant(0), &random_key()).await,
            ErrorCode::WrongPassword,
        )
        .await;
    }
    expect_code(s.prove(t.grant(0), &random_key()).await, ErrorCode::Locked).await;
}

async fn unlock(s: &Store, tid: &str, grant: &str, owner_token: &str) -> reqwest::Response {
    s.http
        .post(s.url(&paths::grant_unlock(tid, grant)))
        .bearer_auth(owner_token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_owner_unlocks_a_locked_grant_and_the_recipient_downloads_with_the_same_password() {
    let s = start().await;
    let data = random_bytes(32);
    let t = s.create(data.len() as u64, 2, Some(1)).await;
    s.upload(t.id(), &data).await;
    lock(&s, &t).await;
    let st = s.status_ok(&t).await;
    assert_eq!(
        (st.grants[0].failed_proofs, st.grants[0].locked),
        (10, true)
    );
    expect_code(s.prove(t.grant(0), &t.keys[0]).await, ErrorCode::Locked).await;

    let r = unlock(&s, t.id(), t.grant(0), &t.created.owner_token).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let st = s.status_ok(&t).await;
    assert_eq!(
        (st.grants[0].failed_proofs, st.grants[0].locked),
        (0, false)
    );
    // Ten tries again, and the same password still opens.
    let err = expect_code(
        s.prove(t.grant(0), &random_key()).await,
        ErrorCode::WrongPassword,
    )
    .await;
    assert_eq!(err.tries_left, Some(9));
    let dl = s.prove_ok(t.grant(0), &t.keys[0]).await;
    let got = s.get_blob(t.grant(0), &dl.download_token, None).await;
    assert_eq!(got.bytes().await.unwrap().as_ref(), &data[..]);
    let events = s.events(t.id()).await;
    assert_eq!(
        events.iter().filter(|e| *e == "unlocked").count(),
        1,
        "{events:?}"
    );
    s.server.shutdown().await;
}

#[tokio::test]
async fn only_the_owner_unlocks_and_only_a_grant_of_that_transfer() {
    let s = start().await;
    let t = s.create(8, 1, None).await;
    s.upload(t.id(), &random_bytes(8)).await;
    lock(&s, &t).await;
    let other = s.create(8, 1, None).await;

    // Another transfer's owner, no token, a junk token: nothing changes.
    expect_code(
        unlock(&s, t.id(), t.grant(0), &other.created.owner_token).await,
        ErrorCode::Unavailable,
    )
    .await;
    let r = s
        .http
        .post(s.url(&paths::grant_unlock(t.id(), t.grant(0))))
        .send()
        .await
        .unwrap();
    expect_code(r, ErrorCode::Unauthorized).await;
    expect_code(
        unlock(&s, t.id(), t.grant(0), "junk").await,
        ErrorCode::Unavailable,
    )
    .await;
    // The owner of one transfer cannot reach another's grant through its own path.
    expect_code(
        unlock(&s, t.id(), other.grant(0), &t.created.owner_token).await,
        ErrorCode::Unavailable,
    )
    .await;
    expect_code(
        unlock(&s, t.id(), "not-an-id", &t.created.owner_token).await,
        ErrorCode::Unavailable,
    )
    .await;
    assert!(s.status_ok(&t).await.grants[0].locked);
    assert!(!s.events(t.id()).await.iter().any(|e| e == "unlocked"));
    s.server.shutdown().await;
}
