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
