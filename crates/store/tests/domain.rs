//! The store's operations called directly, without HTTP: what each decides, and that a refused
//! request writes nothing. (tests/api.rs checks the same decisions as answers on the wire.)

use kepil_protocol::identity::CredentialKind;
use kepil_protocol::{Classification, CreateTransfer};
use kepil_store::audit::Event;
use kepil_store::domain::grants::{self, ProofError};
use kepil_store::domain::senders::Sender;
use kepil_store::domain::transfers::{self, CreateError, OwnerError};
use kepil_store::state::AppState;
use kepil_test_support::store::{link_mac, mac, random_key, spec, test_config};

const IP: &str = "192.0.2.7";

async fn open(tweak: impl FnOnce(&mut kepil_store::Config)) -> (AppState, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    tweak(&mut config);
    (AppState::open(config).await.unwrap(), dir)
}

fn uploader() -> Sender {
    Sender {
        email: "pengirim@agensi.gov.my".into(),
        name: None,
        kind: CredentialKind::Token,
        provider: "token".into(),
        expires_at: i64::MAX,
        admin: false,
    }
}

fn request(classification: Classification, keys: &[[u8; 32]], max: Option<u32>) -> CreateTransfer {
    CreateTransfer {
        transfer_id: kepil_store::ids::new_id(),
        classification,
        size: 100,
        expires_in_secs: 3600,
        grants: keys.iter().map(|k| spec(k, max)).collect(),
    }
}

/// A challenge answered with `key`.
async fn prove(s: &AppState, grant: &str, key: &[u8; 32]) -> Result<grants::Issued, ProofError> {
    let c = grants::challenge(s, grant).await.unwrap();
    grants::prove(
        s,
        grant,
        &c.nonce,
        &mac(key, &c.nonce),
        link_mac(&c.nonce).as_deref(),
        IP,
    )
    .await
}

#[tokio::test]
async fn create_checks_the_policy_before_writing_anything() {
    let (s, _dir) = open(|c| {
        c.max_blob_size = 1000;
        c.max_downloads = 3;
    })
    .await;
    let key = random_key();
    type Expect = fn(&CreateError) -> bool;
    let cases: Vec<(CreateTransfer, Expect)> = vec![
        (request(Classification::Rahsia, &[key], None), |e| {
            matches!(e, CreateError::Refused(Classification::Rahsia))
        }),
        (request(Classification::RahsiaBesar, &[key], None), |e| {
            matches!(e, CreateError::Refused(Classification::RahsiaBesar))
        }),
        (
            CreateTransfer {
                size: 1001,
                ..request(Classification::Sulit, &[key], None)
            },
            |e| matches!(e, CreateError::TooLarge { limit: 1000 }),
        ),
        (
            CreateTransfer {
                expires_in_secs: 0,
                ..request(Classification::Sulit, &[key], None)
            },
            |e| matches!(e, CreateError::NoExpiry),
        ),
        (request(Classification::Sulit, &[], None), |e| {
            matches!(e, CreateError::GrantCount)
        }),
        (request(Classification::Sulit, &[key], Some(4)), |e| {
            matches!(e, CreateError::TooManyDownloads { limit: 3 })
        }),
        (
            CreateTransfer {
                transfer_id: "short".into(),
                ..request(Classification::Sulit, &[key], None)
            },
            |e| matches!(e, CreateError::BadTransferId),
        ),
    ];
    for (req, expected) in cases {
        let e = transfers::create(&s, &uploader(), &req, IP)
            .await
            .unwrap_err();
        assert!(expected(&e), "{:?}: {e:?}", req.classification);
        assert!(
            s.meta
                .get_transfer(&req.transfer_id)
                .await
                .unwrap()
                .is_none()
        );
    }
    assert_eq!(s.meta.bytes_held_by(&uploader().email).await.unwrap(), 0);

    let req = request(Classification::Sulit, &[key], None);
    let created = transfers::create(&s, &uploader(), &req, IP).await.unwrap();
    assert_eq!(created.transfer.user, uploader().email);
    let again = transfers::create(&s, &uploader(), &req, IP)
        .await
        .unwrap_err();
    assert!(matches!(again, CreateError::Conflict), "{again:?}");
}

#[tokio::test]
async fn a_proof_counts_once_wrong_ones_lock_and_only_a_valid_one_learns_why() {
    let (s, _dir) = open(|c| c.lockout_threshold = 3).await;
    let (key, other) = (random_key(), random_key());
    let req = request(Classification::Terhad, &[key, other], Some(1));
    let t = transfers::create(&s, &uploader(), &req, IP).await.unwrap();
    let (g0, g1) = (&t.grants[0].id, &t.grants[1].id);

    // Before the upload completes a valid proof learns to wait.
    assert!(matches!(
        prove(&s, g0, &key).await.unwrap_err(),
        ProofError::NotReady
    ));
    s.meta.mark_complete(&t.transfer.id, 0).await.unwrap();

    let issued = prove(&s, g0, &key).await.unwrap();
    assert_eq!((issued.size, issued.downloads_left), (100, 0));
    let (g, tr) = grants::open_download(&s, g0, &issued.download_token)
        .await
        .unwrap();
    assert_eq!((g.downloads, tr.id.as_str()), (1, t.transfer.id.as_str()));
    // Used up: the rightful recipient hears so; a wrong proof hears nothing specific.
    assert!(matches!(
        prove(&s, g0, &key).await.unwrap_err(),
        ProofError::UsedUp
    ));
    assert!(matches!(
        prove(&s, g0, &random_key()).await.unwrap_err(),
        ProofError::Unavailable
    ));

    // A nonce is single use, and one issued for another grant is refused.
    let c = grants::challenge(&s, g1).await.unwrap();
    let m = mac(&other, &c.nonce);
    let err = grants::prove(&s, g0, &c.nonce, &m, link_mac(&c.nonce).as_deref(), IP)
        .await
        .unwrap_err();
    assert!(matches!(err, ProofError::Unavailable), "{err:?}");
    let err = grants::prove(&s, g1, &c.nonce, &m, link_mac(&c.nonce).as_deref(), IP)
        .await
        .unwrap_err();
    assert!(matches!(err, ProofError::ChallengeExpired), "{err:?}");

    // Three wrong passwords lock the second grant; then even the right one is refused.
    let tries: Vec<_> = [
        prove(&s, g1, &key).await,
        prove(&s, g1, &key).await,
        prove(&s, g1, &key).await,
    ]
    .into_iter()
    .map(|r| r.unwrap_err())
    .collect();
    assert!(matches!(
        tries.as_slice(),
        [
            ProofError::WrongPassword { tries_left: 2 },
            ProofError::WrongPassword { tries_left: 1 },
            ProofError::Locked
        ]
    ));
    assert!(matches!(
        prove(&s, g1, &other).await.unwrap_err(),
        ProofError::Locked
    ));
    let events: Vec<String> = s
        .meta
        .audit_events(Some(&t.transfer.id))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event)
        .collect();
    assert_eq!(
        events
            .iter()
            .filter(|e| *e == Event::Locked.as_str())
            .count(),
        1,
        "{events:?}"
    );
    assert!(matches!(
        grants::challenge(&s, "not-a-grant").await.unwrap_err(),
        grants::GrantError::Unavailable
    ));
}

#[tokio::test]
async fn only_the_owner_token_revokes_and_the_last_grant_takes_the_blob_with_it() {
    let (s, _dir) = open(|_| {}).await;
    let keys = [random_key(), random_key()];
    let req = request(Classification::Sulit, &keys, None);
    let t = transfers::create(&s, &uploader(), &req, IP).await.unwrap();
    let id = &t.transfer.id;
    assert!(matches!(
        transfers::owned(&s, id, "not-the-owner").await.unwrap_err(),
        OwnerError::Unavailable
    ));
    let row = transfers::owned(&s, id, &t.owner_token).await.unwrap();

    transfers::revoke_grant(&s, &row, &t.grants[0].id, IP)
        .await
        .unwrap();
    let still = s.meta.get_transfer(id).await.unwrap().unwrap();
    assert!(still.revoked_at.is_none() && still.blob_key.is_some());
    transfers::revoke_grant(&s, &row, &t.grants[1].id, IP)
        .await
        .unwrap();
    let gone = s.meta.get_transfer(id).await.unwrap().unwrap();
    assert!(gone.revoked_at.is_some() && gone.purged_at.is_some());
    assert_eq!(gone.blob_key, None, "the blob key is forgotten");
    assert!(matches!(
        transfers::revoke_grant(&s, &row, &kepil_store::ids::new_id(), IP)
            .await
            .unwrap_err(),
        OwnerError::Unavailable
    ));
}

fn body(
    chunks: &[&[u8]],
) -> impl futures_util::Stream<Item = Result<bytes::Bytes, std::io::Error>> + Unpin {
    futures_util::stream::iter(
        chunks
            .iter()
            .map(|c| Ok(bytes::Bytes::copy_from_slice(c)))
            .collect::<Vec<_>>(),
    )
}

fn crc(data: &[u8]) -> u64 {
    let mut c = kepil_protocol::BlobChecksum::new();
    c.update(data);
    c.value()
}

#[tokio::test]
async fn an_upload_appends_in_pieces_and_completes_only_on_the_whole_blobs_checksum() {
    use kepil_store::domain::uploads::{self, Append, Appended, UploadError};
    let (s, _dir) = open(|_| {}).await;
    let data: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    let mut req = request(Classification::Terhad, &[random_key()], None);
    req.size = data.len() as u64;
    let t = transfers::create(&s, &uploader(), &req, IP).await.unwrap();
    let id = &t.transfer.id;
    let at = |claimed: u64, blob: Option<u64>| Append {
        claimed,
        chunk_sha256: None,
        blob_checksum: blob,
    };

    // A first piece, in two chunks: kept, and the upload waits for the rest.
    let first = uploads::append(
        &s,
        &uploader(),
        id,
        at(0, None),
        body(&[&data[..500], &data[500..1000]]),
        IP,
    )
    .await
    .unwrap();
    assert!(
        matches!(first, Appended::Partial { offset: 1000, .. }),
        "{first:?}"
    );
    // The wrong offset changes nothing.
    let e = uploads::append(&s, &uploader(), id, at(0, None), body(&[&data[..10]]), IP)
        .await
        .unwrap_err();
    assert!(
        matches!(e, UploadError::OffsetMismatch { offset: 1000 }),
        "{e:?}"
    );
    // More than the declared size: discarded, the offset stays.
    let e = uploads::append(&s, &uploader(), id, at(1000, None), body(&[&[0; 2001]]), IP)
        .await
        .unwrap_err();
    assert!(matches!(e, UploadError::Excess { size: 3000 }), "{e:?}");
    assert_eq!(
        s.meta
            .get_transfer(id)
            .await
            .unwrap()
            .unwrap()
            .upload_offset,
        1000
    );

    // The last byte with a wrong checksum of the whole: back to offset 0, not complete.
    let e = uploads::append(
        &s,
        &uploader(),
        id,
        at(1000, Some(crc(b"other"))),
        body(&[&data[1000..]]),
        IP,
    )
    .await
    .unwrap_err();
    assert!(matches!(e, UploadError::BlobMismatch), "{e:?}");
    let row = s.meta.get_transfer(id).await.unwrap().unwrap();
    assert_eq!((row.upload_offset, row.complete), (0, false));

    // Again, right: complete, and audited as the uploader's.
    let done = uploads::append(
        &s,
        &uploader(),
        id,
        at(0, Some(crc(&data))),
        body(&[&data]),
        IP,
    )
    .await
    .unwrap();
    assert_eq!(done, Appended::Complete { offset: 3000 });
    assert!(s.meta.get_transfer(id).await.unwrap().unwrap().complete);
    let e = uploads::append(&s, &uploader(), id, at(3000, None), body(&[]), IP)
        .await
        .unwrap_err();
    assert!(matches!(e, UploadError::Complete), "{e:?}");
    let events = s.meta.audit_events(Some(id)).await.unwrap();
    let complete = events
        .iter()
        .find(|e| e.event == "upload_complete")
        .unwrap();
    assert_eq!(complete.actor.as_deref(), Some("pengirim@agensi.gov.my"));
}

/// A proof by someone who has seen only the link's path: a right-looking nonce, any `mac`, and
/// a `link_mac` that is absent, malformed or made with another key.
async fn junk_proof(s: &AppState, grant: &str, n: usize) -> Result<grants::Issued, ProofError> {
    let nonce = match grants::challenge(s, grant).await {
        Ok(c) => c.nonce,
        Err(_) => kepil_protocol::b64_encode(&random_key()),
    };
    let wrong_link = mac(&random_key(), &nonce);
    let link = match n % 4 {
        0 => None,
        1 => Some(wrong_link.as_str()),
        2 => Some("not base64!"),
        _ => Some(""),
    };
    grants::prove(s, grant, &nonce, &mac(&random_key(), &nonce), link, IP).await
}

#[tokio::test]
async fn without_the_link_key_proofs_count_nothing_and_every_state_answers_alike() {
    let (s, _dir) = open(|c| c.lockout_threshold = 10).await;
    let key = random_key();
    let make = |expires_in_secs: u64| CreateTransfer {
        expires_in_secs,
        ..request(Classification::Sulit, &[key], Some(1))
    };
    let mut grant_of = std::collections::BTreeMap::new();
    for (state, expires) in [
        ("live", 3600),
        ("used", 3600),
        ("revoked", 3600),
        ("expired", 60),
        ("locked", 3600),
    ] {
        let t = transfers::create(&s, &uploader(), &make(expires), IP)
            .await
            .unwrap();
        s.meta.mark_complete(&t.transfer.id, 0).await.unwrap();
        grant_of.insert(state, (t.transfer.id.clone(), t.grants[0].id.clone()));
    }
    let g = |state: &str| grant_of[state].1.clone();
    prove(&s, &g("used"), &key).await.unwrap();
    let (tid, gid) = &grant_of["revoked"];
    let row = s.meta.get_transfer(tid).await.unwrap().unwrap();
    // The transfer's only grant: revoking it revokes the transfer too, as the owner would.
    transfers::revoke_grant(&s, &row, gid, IP).await.unwrap();
    // With the link key, ten wrong passwords lock (the lockout against guessing stays).
    for left in (1..10).rev() {
        assert!(matches!(
            prove(&s, &g("locked"), &random_key()).await.unwrap_err(),
            ProofError::WrongPassword { tries_left } if tries_left == left
        ));
    }
    assert!(matches!(
        prove(&s, &g("locked"), &random_key()).await.unwrap_err(),
        ProofError::Locked
    ));
    s.clock.advance(61);

    let mut states: Vec<(&str, String)> = grant_of.keys().map(|k| (*k, g(k))).collect();
    states.push(("unknown", kepil_store::ids::new_id()));
    for (state, grant) in &states {
        let before = s.meta.get_grant(grant).await.unwrap();
        for n in 0..50 {
            let err = junk_proof(&s, grant, n).await.unwrap_err();
            assert!(matches!(err, ProofError::Unavailable), "{state}: {err:?}");
        }
        let after = s.meta.get_grant(grant).await.unwrap();
        assert_eq!(before, after, "{state}: 50 junk proofs changed nothing");
    }
    assert_eq!(
        s.meta
            .get_grant(&g("live"))
            .await
            .unwrap()
            .unwrap()
            .failed_proofs,
        0
    );
    // The rightful recipient is not locked out by them.
    let issued = prove(&s, &g("live"), &key).await.unwrap();
    assert_eq!(issued.downloads_left, 0);
    // Those who hold the link still learn the specific reason.
    assert!(matches!(
        prove(&s, &g("used"), &key).await.unwrap_err(),
        ProofError::UsedUp
    ));
    assert!(matches!(
        prove(&s, &g("revoked"), &key).await.unwrap_err(),
        ProofError::Revoked
    ));
    assert!(matches!(
        prove(&s, &g("expired"), &key).await.unwrap_err(),
        ProofError::Expired
    ));
    assert!(matches!(
        prove(&s, &g("locked"), &key).await.unwrap_err(),
        ProofError::Locked
    ));
    let refused = s
        .meta
        .audit_events(Some(&grant_of["live"].0))
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event == Event::ProofNoLink.as_str())
        .count();
    assert_eq!(refused, 50, "each refusal is in the audit");
}

#[tokio::test]
async fn a_grant_from_an_older_client_keeps_counting_every_wrong_proof() {
    let (s, _dir) = open(|c| c.lockout_threshold = 3).await;
    let key = random_key();
    let mut req = request(Classification::Terhad, &[key], None);
    req.grants = vec![kepil_test_support::store::spec_without_link_key(&key, None)];
    let t = transfers::create(&s, &uploader(), &req, IP).await.unwrap();
    let gid = &t.grants[0].id;
    assert_eq!(s.meta.get_grant(gid).await.unwrap().unwrap().link_key, None);
    s.meta.mark_complete(&t.transfer.id, 0).await.unwrap();
    // No link MAC at all, as an older client proves: a wrong password counts as before.
    let c = grants::challenge(&s, gid).await.unwrap();
    let err = grants::prove(&s, gid, &c.nonce, &mac(&random_key(), &c.nonce), None, IP)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ProofError::WrongPassword { tries_left: 2 }),
        "{err:?}"
    );
    let c = grants::challenge(&s, gid).await.unwrap();
    let issued = grants::prove(&s, gid, &c.nonce, &mac(&key, &c.nonce), None, IP)
        .await
        .unwrap();
    assert!(issued.downloads_left > 0);
}

#[tokio::test]
async fn create_refuses_a_malformed_link_key_and_writes_nothing() {
    let (s, _dir) = open(|_| {}).await;
    let key = random_key();
    for bad in ["", "not base64!", &kepil_protocol::b64_encode(&[1; 16])] {
        let mut req = request(Classification::Sulit, &[key], None);
        req.grants[0].link_key = Some(bad.to_string());
        let e = transfers::create(&s, &uploader(), &req, IP)
            .await
            .unwrap_err();
        assert!(matches!(e, CreateError::BadLinkKey), "{e:?}");
        assert!(
            s.meta
                .get_transfer(&req.transfer_id)
                .await
                .unwrap()
                .is_none()
        );
    }
}
