//! The S3 blob backend against a real S3 server (SeaweedFS, see tests/common/seaweed.rs):
//! the shared blob suite, credentials, multipart clean-up, the memory bound, and the store's
//! own HTTP path with `blobs = s3://…`.

use futures_util::TryStreamExt;
use kepil_protocol::tus;
use kepil_store::config::S3Config;
use kepil_store::storage::BlobStore;
use kepil_store::storage::s3::S3BlobStore;
use kepil_test_support::conformance;
use kepil_test_support::seaweed::Seaweed;
use kepil_test_support::store::{Store, checksum_b64url, random_bytes};
use object_store::ObjectStore;
use object_store::multipart::MultipartStore;
use object_store::path::Path;
use reqwest::StatusCode;
use sha2::{Digest, Sha256};

async fn tails_of(blobs: &S3BlobStore, prefix: &str, id: &str) -> Vec<String> {
    let dir = Path::from(format!("{prefix}/tails/{id}").as_str());
    let found: Vec<_> = blobs.client().list(Some(&dir)).try_collect().await.unwrap();
    found.into_iter().map(|m| m.location.to_string()).collect()
}

#[tokio::test]
async fn s3_blob_store_passes_the_conformance_suite() {
    let sw = Seaweed::start().await;
    let blobs = sw.blob_store("conformance").await;
    conformance::blob_suite(&blobs).await;
    // The suite's blobs were all deleted: nothing is left in the bucket, tails included.
    let left: Vec<_> = blobs
        .client()
        .list(Some(&Path::from("conformance")))
        .try_collect()
        .await
        .unwrap();
    assert!(left.is_empty(), "objects left behind: {left:?}");
}

#[tokio::test]
async fn wrong_credentials_and_anonymous_requests_are_refused() {
    let sw = Seaweed::start().await;
    let wrong = S3Config {
        secret_access_key: Some("not-the-secret-at-all".to_string().into()),
        ..sw.s3_config()
    };
    let err = S3BlobStore::open(sw.location("x"), &wrong)
        .await
        .expect_err("a wrong secret must be refused")
        .to_string();
    assert!(err.contains("refused the credentials"), "{err}");
    assert!(
        err.contains("AWS_SECRET_ACCESS_KEY"),
        "says what to set: {err}"
    );
    assert!(
        !err.contains("not-the-secret-at-all"),
        "secret leaked: {err}"
    );

    // No signature at all: SeaweedFS would accept anonymous writes without its credentials
    // configured, so this checks the harness really runs it with authentication on.
    let r = reqwest::Client::new()
        .put(format!("{}/{}/anonymous", sw.endpoint(), sw.bucket))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // A missing bucket is named as such.
    let err = S3BlobStore::open(
        kepil_store::storage::s3::S3Location {
            bucket: "no-such-bucket".into(),
            prefix: String::new(),
        },
        &sw.s3_config(),
    )
    .await
    .expect_err("missing bucket")
    .to_string();
    assert!(err.contains("not found"), "{err}");

    // Parts below S3's minimum are refused before any request.
    let small = S3Config {
        part_size: 4 << 20,
        ..sw.s3_config()
    };
    let err = S3BlobStore::open(sw.location("x"), &small)
        .await
        .expect_err("4 MiB parts")
        .to_string();
    assert!(err.contains("part_size"), "{err}");

    // The secret never shows in Debug output of the config or the store.
    let blobs = sw.blob_store("x").await;
    for shown in [format!("{:?}", sw.s3_config()), format!("{blobs:?}")] {
        assert!(!shown.contains(&sw.secret_access_key), "{shown}");
    }
}

#[tokio::test]
async fn delete_aborts_the_multipart_upload_and_removes_tails() {
    let sw = Seaweed::start().await;
    let prefix = "abandoned";
    let blobs = sw.blob_store(prefix).await;
    let id = kepil_store::ids::new_id();
    let data = random_bytes(blobs.part_size() + 1000);

    // One full part uploaded and a 1000-byte tail: a half-finished upload.
    let mut w = blobs.open_writer(&id, 0, None).await.unwrap();
    w.write(&data).await.unwrap();
    let recorded = w.commit().await.unwrap();
    assert_eq!(recorded.len, data.len() as u64);
    let state_text = recorded.state.clone().expect("state for a started upload");
    let state: serde_json::Value = serde_json::from_str(&state_text).unwrap();
    let upload_id = state["upload_id"].as_str().expect("upload id").to_string();
    assert_eq!(state["parts"].as_array().unwrap().len(), 1);
    assert_eq!(
        blobs.len(&id).await.unwrap(),
        None,
        "unfinished is not a blob"
    );

    // A checkpoint that is never recorded leaves a second tail...
    let mut w = blobs
        .open_writer(&id, recorded.len, recorded.state.as_deref())
        .await
        .unwrap();
    w.write(b"never recorded").await.unwrap();
    w.commit().await.unwrap();
    assert_eq!(tails_of(&blobs, prefix, &id).await.len(), 2);
    // ...which the next session from the recorded state removes.
    let w = blobs
        .open_writer(&id, recorded.len, recorded.state.as_deref())
        .await
        .unwrap();
    w.abort().await.unwrap();
    let tails = tails_of(&blobs, prefix, &id).await;
    assert_eq!(tails.len(), 1);
    assert_eq!(
        Some(tails[0].as_str()),
        state["tail"]["key"].as_str(),
        "the recorded tail survives"
    );

    // The multipart upload is alive before the delete...
    let path = blobs.blob_path(&id).unwrap();
    let client = blobs.client();
    client
        .put_part(&path, &upload_id, 1, vec![1u8; 10].into())
        .await
        .expect("the upload exists before delete");

    blobs.delete(&id, Some(&state_text)).await.unwrap();

    // ...and gone after it: neither a part nor completion is accepted any more.
    assert!(
        client
            .put_part(&path, &upload_id, 2, vec![1u8; 10].into())
            .await
            .is_err(),
        "the multipart upload was aborted"
    );
    assert!(
        client
            .complete_multipart(&path, &upload_id, vec![])
            .await
            .is_err(),
        "an aborted upload cannot be completed"
    );
    assert!(tails_of(&blobs, prefix, &id).await.is_empty());
    assert_eq!(blobs.len(&id).await.unwrap(), None);
    // Deleting again (state still known) is fine.
    blobs.delete(&id, Some(&state_text)).await.unwrap();
}

#[tokio::test]
async fn a_64_mib_upload_buffers_at_most_one_part() {
    let sw = Seaweed::start().await;
    let blobs = sw.blob_store("memory").await;
    let part = blobs.part_size();
    assert_eq!(part, 8 << 20, "the default part size");
    let id = kepil_store::ids::new_id();
    let total = 64usize << 20;
    let mut hash = Sha256::new();
    let mut state = None;
    let mut written = 0usize;
    // Four sessions, uneven writes (like PATCH bodies arriving in network-sized pieces).
    for session in 0..4 {
        let mut w = blobs
            .open_writer(&id, written as u64, state.as_deref())
            .await
            .unwrap();
        let end = if session == 3 {
            total
        } else {
            written + (15 << 20) + 12345
        };
        while written < end {
            let n = (end - written).min(333_333 + written % 7);
            let piece: Vec<u8> = (written..written + n).map(|i| (i % 251) as u8).collect();
            hash.update(&piece);
            w.write(&piece).await.unwrap();
            written += n;
        }
        if session == 3 {
            assert_eq!(w.complete().await.unwrap(), total as u64);
        } else {
            let cp = w.commit().await.unwrap();
            assert_eq!(cp.len, written as u64);
            state = cp.state;
        }
    }
    let peak = blobs.peak_buffer_bytes();
    assert!(peak > 0, "the measure is live");
    assert!(
        peak <= part,
        "a writer buffered {peak} bytes, more than one {part}-byte part"
    );
    let want: [u8; 32] = hash.finalize().into();
    let mut stored = blobs.read(&id, 0, total as u64).await.unwrap();
    let mut back = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = tokio::io::AsyncReadExt::read(&mut stored, &mut buf)
            .await
            .unwrap();
        if n == 0 {
            break;
        }
        back.update(&buf[..n]);
    }
    assert_eq!(<[u8; 32]>::from(back.finalize()), want);
    blobs.delete(&id, None).await.unwrap();
}

#[tokio::test]
async fn the_store_uploads_and_serves_blobs_from_s3_over_http() {
    let sw = Seaweed::start().await;
    let s: Store = kepil_test_support::store::start_with(|c| {
        c.blobs = Some(sw.blobs_url("store"));
        c.s3 = sw.s3_config();
    })
    .await;
    // Large enough for two multipart parts plus a tail carried between PATCHes.
    let data = random_bytes((18 << 20) + 4321);
    let t = s.create(data.len() as u64, 1, Some(1)).await;
    let cut = (9 << 20) + 17;
    let r = s.patch(t.id(), 0, data[..cut].to_vec(), &[]).await;
    assert_eq!(
        r.status(),
        StatusCode::NO_CONTENT,
        "{}",
        r.text().await.unwrap()
    );
    assert_eq!(s.head_offset(t.id()).await, cut as u64);
    let r = s
        .patch(
            t.id(),
            cut as u64,
            data[cut..].to_vec(),
            &[(tus::KEPIL_BLOB_CRC64, checksum_b64url(&data))],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::NO_CONTENT,
        "{}",
        r.text().await.unwrap()
    );

    // The blob is an object in the bucket, not a file under the data directory.
    let blobs = sw.blob_store("store").await;
    assert_eq!(blobs.len(t.id()).await.unwrap(), Some(data.len() as u64));
    assert!(!s.dir.path().join("blobs").exists());

    let dl = s.prove_ok(t.grant(0), &t.keys[0]).await;
    let r = s
        .get_blob(t.grant(0), &dl.download_token, Some("bytes=1000-1999"))
        .await;
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.bytes().await.unwrap().as_ref(), &data[1000..2000]);
    let r = s.get_blob(t.grant(0), &dl.download_token, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.bytes().await.unwrap().as_ref() == data.as_slice());
    s.server.shutdown().await;
}
