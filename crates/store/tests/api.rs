//! The HTTP API against a real server on 127.0.0.1:0.

use kepil_protocol::{
    Classification, CreateTransfer, ErrorCode, GrantInfo, KdfParams, StorePolicy, paths, tus,
};
use kepil_test_support::store::*;
use reqwest::StatusCode;

#[tokio::test]
async fn policy_health_ready_and_metrics_answer() {
    let s = start().await;
    let p: StorePolicy = s
        .http
        .get(s.url(paths::POLICY))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(p.max_blob_size, 10 << 30);
    assert_eq!(p.lockout_threshold, 10);
    assert!(
        p.classifications
            .iter()
            .all(|c| c.classification.check_sendable().is_ok())
    );
    assert_eq!(p.public_url, s.server.base_url());
    for path in ["/healthz", "/readyz"] {
        assert_eq!(
            s.http.get(s.url(path)).send().await.unwrap().status(),
            StatusCode::OK
        );
    }
    let t = s.create(10, 1, None).await;
    s.upload(t.id(), &random_bytes(10)).await;
    let m = s
        .http
        .get(s.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(m.contains("kepil_store_transfers_created_total 1"), "{m}");
    assert!(m.contains("kepil_store_bytes_uploaded_total 10"), "{m}");
    assert!(m.contains("kepil_store_active_transfers 1"), "{m}");
    assert!(!m.contains(t.id()), "metrics identify nothing");
    s.server.shutdown().await;
}

#[tokio::test]
async fn full_round_trip_with_range_resume() {
    let s = start().await;
    let data = random_bytes(300_000);
    let t = s.create(data.len() as u64, 2, Some(2)).await;
    assert_eq!(t.created.grants.len(), 2);
    assert_eq!(t.created.upload_url, s.url(&paths::upload(t.id())));

    // Before the upload: info says not ready; a valid proof says not_ready and counts nothing.
    let info: GrantInfo = s.open_info(t.grant(0)).await;
    assert!(!info.ready);
    assert_eq!(info.transfer_id, t.id());
    expect_code(s.prove(t.grant(0), &t.keys[0]).await, ErrorCode::NotReady).await;

    s.upload(t.id(), &data).await;
    let info: GrantInfo = s.open_info(t.grant(0)).await;
    assert!(info.ready);
    assert_eq!(info.size, data.len() as u64);
    assert_eq!(info.kdf, KdfParams::DEFAULT);

    let dl = s.prove_ok(t.grant(0), &t.keys[0]).await;
    assert_eq!(dl.downloads_left, 1);
    // First half, then resume with Range.
    let r = s
        .get_blob(t.grant(0), &dl.download_token, Some("bytes=0-99999"))
        .await;
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.headers()["content-range"], "bytes 0-99999/300000");
    let mut got = r.bytes().await.unwrap().to_vec();
    let r = s
        .get_blob(t.grant(0), &dl.download_token, Some("bytes=100000-"))
        .await;
    got.extend_from_slice(&r.bytes().await.unwrap());
    assert_eq!(got, data);
    let r = s.get_blob(t.grant(0), &dl.download_token, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().as_ref(), data.as_slice());
    assert_eq!(
        s.get_blob(t.grant(0), &dl.download_token, Some("bytes=300000-"))
            .await
            .status(),
        StatusCode::RANGE_NOT_SATISFIABLE
    );
    // The download token belongs to grant 0 only; a made-up token is refused.
    expect_code(
        s.get_blob(t.grant(1), &dl.download_token, None).await,
        ErrorCode::Unauthorized,
    )
    .await;
    expect_code(
        s.get_blob(t.grant(0), "nonsense", None).await,
        ErrorCode::Unauthorized,
    )
    .await;

    let st = s.status_ok(&t).await;
    assert!(st.upload_complete);
    assert_eq!((st.grants[0].downloads, st.grants[1].downloads), (1, 0));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let events = s.events(t.id()).await;
    for e in [
        "created",
        "upload_complete",
        "proof_ok",
        "token_issued",
        "downloaded",
    ] {
        assert!(events.iter().any(|x| x == e), "{e} missing from {events:?}");
    }
    s.server.shutdown().await;
}

#[tokio::test]
async fn create_transfer_refuses_what_policy_forbids() {
    let s = start_with(|c| c.uploader_quota = 1000).await;
    let key = random_key();
    let base = CreateTransfer {
        transfer_id: kepil_store::ids::new_id(),
        classification: Classification::Terhad,
        size: 100,
        expires_in_secs: 3600,
        grants: vec![spec(&key, None)],
    };
    let no_auth = s
        .http
        .post(s.url(paths::TRANSFERS))
        .json(&base)
        .send()
        .await
        .unwrap();
    expect_code(no_auth, ErrorCode::Unauthorized).await;

    for c in [Classification::Rahsia, Classification::RahsiaBesar] {
        let req = CreateTransfer {
            classification: c,
            ..base.clone()
        };
        expect_code(
            s.post_transfer(&req).await,
            ErrorCode::ClassificationRefused,
        )
        .await;
    }
    let req = CreateTransfer {
        expires_in_secs: 7 * 86400 + 1,
        classification: Classification::Sulit,
        ..base.clone()
    };
    let e = expect_code(s.post_transfer(&req).await, ErrorCode::ExpiryTooLong).await;
    assert_eq!(
        e.limit,
        Some(7 * 86400),
        "refused with the limit, never shortened"
    );
    let req = CreateTransfer {
        grants: vec![spec(&key, Some(11))],
        ..base.clone()
    };
    let e = expect_code(s.post_transfer(&req).await, ErrorCode::TooManyDownloads).await;
    assert_eq!(e.limit, Some(10));
    let mut weak = spec(&key, None);
    weak.kdf = KdfParams {
        m_kib: 1024,
        ..KdfParams::DEFAULT
    };
    let req = CreateTransfer {
        grants: vec![weak],
        ..base.clone()
    };
    expect_code(s.post_transfer(&req).await, ErrorCode::KdfRejected).await;
    let mut short = spec(&key, None);
    short.auth_key = kepil_protocol::b64_encode(&[1; 16]);
    let req = CreateTransfer {
        grants: vec![short],
        ..base.clone()
    };
    expect_code(s.post_transfer(&req).await, ErrorCode::BadRequest).await;
    let req = CreateTransfer {
        grants: vec![],
        ..base.clone()
    };
    expect_code(s.post_transfer(&req).await, ErrorCode::BadRequest).await;
    let req = CreateTransfer {
        grants: (0..51).map(|_| spec(&key, None)).collect(),
        ..base.clone()
    };
    expect_code(s.post_transfer(&req).await, ErrorCode::BadRequest).await;
    let req = CreateTransfer {
        size: 11 << 30,
        ..base.clone()
    };
    expect_code(s.post_transfer(&req).await, ErrorCode::TooLarge).await;
    // Quota: 1000 bytes per uploader.
    let req = CreateTransfer {
        size: 600,
        ..base.clone()
    };
    assert_eq!(s.post_transfer(&req).await.status(), StatusCode::CREATED);
    // The same id again: conflict.
    expect_code(s.post_transfer(&req).await, ErrorCode::Conflict).await;
    let req = CreateTransfer {
        transfer_id: kepil_store::ids::new_id(),
        ..req
    };
    let e = expect_code(s.post_transfer(&req).await, ErrorCode::QuotaExceeded).await;
    assert_eq!(e.limit, Some(1000));
    let req = CreateTransfer {
        transfer_id: "../../etc".into(),
        ..base.clone()
    };
    expect_code(s.post_transfer(&req).await, ErrorCode::BadRequest).await;
    let bad = s
        .http
        .post(s.url(paths::TRANSFERS))
        .bearer_auth(&s.token)
        .header("content-type", "application/json")
        .body("{\"classification\":\"TERHAD\"")
        .send()
        .await
        .unwrap();
    expect_code(bad, ErrorCode::BadRequest).await;
    s.server.shutdown().await;
}

#[tokio::test]
async fn revoked_uploader_token_is_refused() {
    let s = start().await;
    let config = s.server.config().clone();
    let tokens = kepil_store::admin::list_tokens(&config).await.unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].user, "pengirim@agensi.gov.my");
    assert!(
        kepil_store::admin::revoke_token(&config, &tokens[0].id)
            .await
            .unwrap()
    );
    let req = CreateTransfer {
        transfer_id: kepil_store::ids::new_id(),
        classification: Classification::Terhad,
        size: 1,
        expires_in_secs: 60,
        grants: vec![spec(&random_key(), None)],
    };
    expect_code(s.post_transfer(&req).await, ErrorCode::Unauthorized).await;
    assert!(kepil_store::admin::list_tokens(&config).await.unwrap()[0].revoked);
    let holding = kepil_test_support::canary::files_holding(s.dir.path(), s.token.as_bytes());
    assert!(holding.is_empty(), "only the hash is stored: {holding:?}");
    s.server.shutdown().await;
}

#[tokio::test]
async fn tus_core_offsets_checksums_and_limits() {
    let s = start().await;
    let data = random_bytes(1000);
    let t = s.create(1000, 1, None).await;
    let tid = t.id();

    let opts = s
        .http
        .request(reqwest::Method::OPTIONS, s.url(paths::UPLOADS))
        .send()
        .await
        .unwrap();
    assert_eq!(opts.status(), StatusCode::NO_CONTENT);
    assert_eq!(opts.headers()[tus::TUS_VERSION], "1.0.0");
    assert!(
        opts.headers()[tus::TUS_EXTENSION]
            .to_str()
            .unwrap()
            .contains("checksum")
    );

    assert_eq!(s.head_offset(tid).await, 0);
    let r = s.patch(tid, 0, data[..400].to_vec(), &[]).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(r.headers()[tus::UPLOAD_OFFSET], "400");
    assert!(r.headers().contains_key(tus::UPLOAD_EXPIRES));

    // Wrong offset: 409 and nothing changed.
    expect_code(
        s.patch(tid, 0, data[..400].to_vec(), &[]).await,
        ErrorCode::OffsetMismatch,
    )
    .await;
    assert_eq!(s.head_offset(tid).await, 400);

    // Checksum mismatch: 460 and the chunk is discarded.
    let wrong = base64_std(&sha2_digest(b"something else"));
    let r = s
        .patch(
            tid,
            400,
            data[400..700].to_vec(),
            &[(tus::UPLOAD_CHECKSUM, format!("sha256 {wrong}"))],
        )
        .await;
    assert_eq!(r.status().as_u16(), 460);
    expect_code(r, ErrorCode::ChecksumMismatch).await;
    assert_eq!(s.head_offset(tid).await, 400);
    let right = base64_std(&sha2_digest(&data[400..700]));
    let r = s
        .patch(
            tid,
            400,
            data[400..700].to_vec(),
            &[(tus::UPLOAD_CHECKSUM, format!("sha256 {right}"))],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(s.head_offset(tid).await, 700);

    // More than Upload-Length: 413 and the excess chunk discarded.
    let mut too_much = data[700..].to_vec();
    too_much.extend_from_slice(b"extra");
    expect_code(s.patch(tid, 700, too_much, &[]).await, ErrorCode::TooLarge).await;
    assert_eq!(s.head_offset(tid).await, 700);

    // All bytes but no whole-blob hash: not complete.
    expect_code(
        s.patch(tid, 700, data[700..].to_vec(), &[]).await,
        ErrorCode::NotReady,
    )
    .await;
    assert_eq!(s.head_offset(tid).await, 1000);
    assert!(!s.status_ok(&t).await.upload_complete);
    // A wrong whole-blob checksum resets the upload.
    let r = s
        .patch(
            tid,
            1000,
            vec![],
            &[(tus::KEPIL_BLOB_CRC64, checksum_b64url(b"nope"))],
        )
        .await;
    expect_code(r, ErrorCode::BlobHashMismatch).await;
    assert_eq!(s.head_offset(tid).await, 0);
    // The SHA-256 and BLAKE3 headers of earlier builds are refused (not ignored), and nothing
    // is written.
    let old = kepil_protocol::b64_encode(&sha2_digest(&data[..500]));
    for retired in tus::KEPIL_BLOB_RETIRED {
        let r = s
            .patch(tid, 0, data[..500].to_vec(), &[(retired, old.clone())])
            .await;
        let body = expect_code(r, ErrorCode::Unsupported).await;
        assert!(body.message.contains("update Kepil"), "{}", body.message);
        assert_eq!(s.head_offset(tid).await, 0);
    }
    // Re-upload in two chunks, the checksum on the last one.
    s.patch(tid, 0, data[..500].to_vec(), &[]).await;
    let r = s
        .patch(
            tid,
            500,
            data[500..].to_vec(),
            &[(tus::KEPIL_BLOB_CRC64, checksum_b64url(&data))],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(s.status_ok(&t).await.upload_complete);
    expect_code(
        s.patch(tid, 1000, vec![1], &[]).await,
        ErrorCode::UploadComplete,
    )
    .await;

    // Another uploader cannot see or touch it.
    let other = kepil_store::admin::create_token(s.server.config(), "lain@agensi.gov.my")
        .await
        .unwrap();
    let r = s
        .http
        .head(s.url(&paths::upload(tid)))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = s
        .http
        .head(s.url(&paths::upload(tid)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    s.server.shutdown().await;
}

#[tokio::test]
async fn a_patch_whose_upload_moved_under_it_records_nothing() {
    // Another instance wrote this upload while this PATCH ran (it had lost its upload lock,
    // say with its database session): the PATCH must not record its own offset over that.
    let s = start().await;
    let data = random_bytes(3 << 20);
    let t = s.create(data.len() as u64, 1, None).await;
    let (tx, body) = channel_body();
    let inflight = tokio::spawn(
        s.http
            .patch(s.url(&paths::upload(t.id())))
            .bearer_auth(&s.token)
            .header(tus::TUS_RESUMABLE, tus::VERSION)
            .header("content-type", tus::OFFSET_CONTENT_TYPE)
            .header(tus::UPLOAD_OFFSET, "0")
            .body(body)
            .send(),
    );
    tx.send(data[..1 << 20].to_vec()).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let meta = s.server.metadata();
    let later = s.server.clock().now() + 3600;
    assert!(meta.set_offset(t.id(), 0, 5, later, None).await.unwrap());
    tx.send(data[1 << 20..2 << 20].to_vec()).await.unwrap();
    drop(tx);
    let e = expect_code(inflight.await.unwrap().unwrap(), ErrorCode::Conflict).await;
    assert!(e.message.contains("HEAD"), "{}", e.message);
    assert_eq!(
        s.head_offset(t.id()).await,
        5,
        "the other writer's offset stands"
    );
    s.server.shutdown().await;
}

#[tokio::test]
async fn tus_termination_removes_the_upload() {
    let s = start().await;
    let t = s.create(100, 1, None).await;
    s.patch(t.id(), 0, random_bytes(50), &[]).await;
    let r = s
        .http
        .delete(s.url(&paths::upload(t.id())))
        .bearer_auth(&s.token)
        .header(tus::TUS_RESUMABLE, tus::VERSION)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = s
        .http
        .head(s.url(&paths::upload(t.id())))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(blob_files(&s).is_empty());
    // The rightful recipient learns it was revoked; a guesser learns nothing.
    expect_code(s.prove(t.grant(0), &t.keys[0]).await, ErrorCode::Revoked).await;
    expect_code(
        s.prove(t.grant(0), &random_key()).await,
        ErrorCode::Unavailable,
    )
    .await;
    s.server.shutdown().await;
}

fn sha2_digest(d: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(d).to_vec()
}

fn base64_std(d: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(d)
}

fn blob_files(s: &Store) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let root = s.dir.path().join("blobs");
    for d in std::fs::read_dir(root).unwrap() {
        let d = d.unwrap().path();
        if d.is_dir() {
            for f in std::fs::read_dir(d).unwrap() {
                out.push(f.unwrap().path());
            }
        }
    }
    out
}

#[tokio::test]
async fn blobs_are_sealed_at_rest_and_purging_forgets_their_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = test_config(dir.path());
    let token = kepil_store::admin::create_token(&config, "a@agensi.gov.my")
        .await
        .unwrap();
    let server = kepil_store::Server::bind(config.clone()).await.unwrap();
    let s = Store {
        server,
        dir,
        token,
        http: reqwest::Client::new(),
    };
    let data = random_bytes(300_000);
    let t = s.create(data.len() as u64, 1, Some(3)).await;
    s.upload(t.id(), &data).await;

    // On disk: the same length, but nothing like the bytes that were uploaded.
    let file = blob_files(&s)
        .into_iter()
        .find(|p| p.ends_with(t.id()))
        .unwrap();
    let stored = std::fs::read(&file).unwrap();
    assert_eq!(stored.len(), data.len());
    let same = stored.iter().zip(&data).filter(|(a, b)| a == b).count();
    assert!(same < data.len() / 100, "{same} bytes stored in the clear");

    // Served unsealed, including from an offset inside a cipher block.
    let dl = s.prove_ok(t.grant(0), &t.keys[0]).await;
    let r = s
        .get_blob(t.grant(0), &dl.download_token, Some("bytes=1001-2999"))
        .await;
    assert_eq!(r.bytes().await.unwrap(), data[1001..3000]);
    let r = s.get_blob(t.grant(0), &dl.download_token, None).await;
    assert_eq!(r.bytes().await.unwrap(), data);

    let meta = s.server.metadata();
    let row = meta.get_transfer(t.id()).await.unwrap().unwrap();
    assert_eq!(row.blob_key.as_ref().map(Vec::len), Some(61));

    // Revoking purges: the wrapped key leaves the row with the blob, so a copy of the blob
    // kept anywhere (a snapshot, an object version) can no longer be unsealed.
    let r = s
        .http
        .delete(s.url(&paths::transfer(t.id())))
        .bearer_auth(&t.created.owner_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let row = meta.get_transfer(t.id()).await.unwrap().unwrap();
    assert!(row.purged_at.is_some());
    assert_eq!(row.blob_key, None);
    assert!(!file.exists());
    let holding = kepil_test_support::canary::files_holding(s.dir.path(), &stored[..32]);
    assert!(
        holding.is_empty(),
        "a purged blob's bytes are nowhere, the database and its WAL included: {holding:?}"
    );

    // Another store's master key does not unseal this store's blobs: the download fails
    // instead of serving noise.
    let t2 = s.create(1000, 1, None).await;
    s.upload(t2.id(), &random_bytes(1000)).await;
    std::fs::remove_file(s.dir.path().join("master.key")).unwrap();
    let s = s.restart(config).await;
    let dl = s.prove_ok(t2.grant(0), &t2.keys[0]).await;
    let r = s.get_blob(t2.grant(0), &dl.download_token, None).await;
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    s.server.shutdown().await;
}

#[tokio::test]
async fn wrong_passwords_count_down_then_lock_and_status_shows_it() {
    let s = start_with(|c| c.lockout_threshold = 3).await;
    let t = s.create(10, 1, Some(5)).await;
    s.upload(t.id(), &random_bytes(10)).await;
    let g = t.grant(0);
    let e = expect_code(s.prove(g, &random_key()).await, ErrorCode::WrongPassword).await;
    assert_eq!(e.tries_left, Some(2));
    // A success resets the consecutive counter.
    s.prove_ok(g, &t.keys[0]).await;
    for left in [2, 1] {
        let e = expect_code(s.prove(g, &random_key()).await, ErrorCode::WrongPassword).await;
        assert_eq!(e.tries_left, Some(left));
    }
    expect_code(s.prove(g, &random_key()).await, ErrorCode::Locked).await;
    expect_code(s.prove(g, &t.keys[0]).await, ErrorCode::Locked).await;
    let st = s.status_ok(&t).await;
    assert!(st.grants[0].locked);
    assert_eq!(st.grants[0].failed_proofs, 3);
    let events = s.events(t.id()).await;
    assert_eq!(events.iter().filter(|e| *e == "locked").count(), 1);
    assert_eq!(events.iter().filter(|e| *e == "proof_failed").count(), 4);
    s.server.shutdown().await;
}

#[tokio::test]
async fn lockout_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = test_config(dir.path());
    let token = kepil_store::admin::create_token(&config, "a@agensi.gov.my")
        .await
        .unwrap();
    let server = kepil_store::Server::bind(config.clone()).await.unwrap();
    let s = Store {
        server,
        dir,
        token,
        http: reqwest::Client::new(),
    };
    let t = s.create(10, 1, None).await;
    s.upload(t.id(), &random_bytes(10)).await;
    for _ in 0..9 {
        expect_code(
            s.prove(t.grant(0), &random_key()).await,
            ErrorCode::WrongPassword,
        )
        .await;
    }
    let s = s.restart(config).await;
    let e = expect_code(s.prove(t.grant(0), &random_key()).await, ErrorCode::Locked).await;
    assert_eq!(e.tries_left, Some(0));
    expect_code(s.prove(t.grant(0), &t.keys[0]).await, ErrorCode::Locked).await;
    assert!(s.status_ok(&t).await.grants[0].locked);
    s.server.shutdown().await;
}

// Multi-threaded, so the 50 proofs reach the store at once rather than one after another.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_parallel_proofs_on_a_one_download_grant_give_exactly_one_token() {
    let s = start().await;
    let t = s.create(10, 1, Some(1)).await;
    s.upload(t.id(), &random_bytes(10)).await;
    let mut nonces = Vec::new();
    for _ in 0..50 {
        nonces.push(s.nonce(t.grant(0)).await);
    }
    let s = std::sync::Arc::new(s);
    let mut tasks = Vec::new();
    for nonce in nonces {
        let s = s.clone();
        let key = t.keys[0];
        let g = t.grant(0).to_string();
        tasks.push(tokio::spawn(async move {
            let r = s.proof_with(&g, &nonce, mac(&key, &nonce)).await;
            let status = r.status();
            (status, r.text().await.unwrap())
        }));
    }
    let mut ok = 0;
    for task in tasks {
        let (status, body) = task.await.unwrap();
        match status {
            StatusCode::OK => ok += 1,
            StatusCode::GONE => assert!(body.contains("used_up"), "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(ok, 1);
    let st = s.status_ok(&t).await;
    assert_eq!(st.grants[0].downloads, 1);
}

#[tokio::test]
async fn nonces_are_single_use_and_bound_to_their_grant() {
    let s = start().await;
    let t = s.create(10, 2, None).await;
    s.upload(t.id(), &random_bytes(10)).await;
    let nonce = s.nonce(t.grant(0)).await;
    // Presented at the other grant: refused, and burnt.
    let r = s
        .proof_with(t.grant(1), &nonce, mac(&t.keys[1], &nonce))
        .await;
    expect_code(r, ErrorCode::ChallengeExpired).await;
    let r = s
        .proof_with(t.grant(0), &nonce, mac(&t.keys[0], &nonce))
        .await;
    expect_code(r, ErrorCode::ChallengeExpired).await;
    let nonce = s.nonce(t.grant(0)).await;
    assert_eq!(
        s.proof_with(t.grant(0), &nonce, mac(&t.keys[0], &nonce))
            .await
            .status(),
        StatusCode::OK
    );
    expect_code(
        s.proof_with(t.grant(0), &nonce, mac(&t.keys[0], &nonce))
            .await,
        ErrorCode::ChallengeExpired,
    )
    .await;
    // Expired nonce.
    let nonce = s.nonce(t.grant(0)).await;
    s.server.clock().advance(121);
    expect_code(
        s.proof_with(t.grant(0), &nonce, mac(&t.keys[0], &nonce))
            .await,
        ErrorCode::ChallengeExpired,
    )
    .await;
    s.server.shutdown().await;
}

#[tokio::test]
async fn unknown_and_dead_grants_look_alike_without_a_valid_proof() {
    let s = start().await;
    let unknown = kepil_store_id();
    for r in [
        s.http
            .get(s.url(&paths::grant(&unknown)))
            .send()
            .await
            .unwrap(),
        s.challenge("not-an-id").await,
        s.open_with(&unknown, &OPEN_KEY).await,
        s.http
            .get(s.url(&paths::grant("not-an-id")))
            .send()
            .await
            .unwrap(),
        s.get_blob(&unknown, "x", None).await,
    ] {
        let status = r.status();
        let code = error_of(r).await.1.code;
        assert!(
            code == ErrorCode::Unavailable || code == ErrorCode::Unauthorized,
            "{status} {code}"
        );
    }
    expect_code(
        s.http
            .get(s.url(&paths::grant(&unknown)))
            .send()
            .await
            .unwrap(),
        ErrorCode::Unavailable,
    )
    .await;

    // used up
    let t = s.create(10, 1, Some(1)).await;
    s.upload(t.id(), &random_bytes(10)).await;
    let dl = s.prove_ok(t.grant(0), &t.keys[0]).await;
    assert_eq!(dl.downloads_left, 0);
    expect_code(
        s.prove(t.grant(0), &random_key()).await,
        ErrorCode::Unavailable,
    )
    .await;
    expect_code(s.prove(t.grant(0), &t.keys[0]).await, ErrorCode::UsedUp).await;
    assert_eq!(
        s.status_ok(&t).await.grants[0].failed_proofs,
        0,
        "dead grants count nothing"
    );
    s.server.shutdown().await;
}

fn kepil_store_id() -> String {
    kepil_store::ids::new_id()
}

#[tokio::test]
async fn revoke_one_grant_then_the_rest_deletes_the_blob() {
    let s = start().await;
    let data = random_bytes(64);
    let t = s.create(64, 2, None).await;
    s.upload(t.id(), &data).await;
    let dl = s.prove_ok(t.grant(0), &t.keys[0]).await;

    // Owner token is needed; another transfer's token answers like an unknown id.
    let other = s.create(1, 1, None).await;
    let r = s
        .http
        .delete(s.url(&paths::transfer_grant(t.id(), t.grant(0))))
        .bearer_auth(&other.created.owner_token)
        .send()
        .await
        .unwrap();
    expect_code(r, ErrorCode::Unavailable).await;
    let r = s
        .http
        .get(s.url(&paths::transfer(t.id())))
        .send()
        .await
        .unwrap();
    expect_code(r, ErrorCode::Unauthorized).await;

    let r = s
        .http
        .delete(s.url(&paths::transfer_grant(t.id(), t.grant(0))))
        .bearer_auth(&t.created.owner_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    expect_code(
        s.get_blob(t.grant(0), &dl.download_token, None).await,
        ErrorCode::Unauthorized,
    )
    .await;
    expect_code(s.prove(t.grant(0), &t.keys[0]).await, ErrorCode::Revoked).await;
    s.prove_ok(t.grant(1), &t.keys[1]).await;
    assert!(
        blob_files(&s).iter().any(|p| p.ends_with(t.id())),
        "one grant left: blob kept"
    );
    let st = s.status_ok(&t).await;
    assert!(st.grants[0].revoked && !st.grants[1].revoked);

    let r = s
        .http
        .delete(s.url(&paths::transfer_grant(t.id(), t.grant(1))))
        .bearer_auth(&t.created.owner_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(
        !blob_files(&s).iter().any(|p| p.ends_with(t.id())),
        "blob deleted when no grant is left"
    );
    let events = s.events(t.id()).await;
    assert!(events.iter().any(|e| e == "revoked") && events.iter().any(|e| e == "purged"));

    // Revoke the whole other transfer.
    let r = s
        .http
        .delete(s.url(&paths::transfer(other.id())))
        .bearer_auth(&other.created.owner_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(s.status_ok(&other).await.grants[0].revoked);
    s.server.shutdown().await;
}

#[tokio::test]
async fn expiry_is_checked_on_every_route_and_the_sweeper_purges() {
    let s = start().await;
    let data = random_bytes(32);
    let t = s.create(32, 1, None).await;
    s.upload(t.id(), &data).await;
    let dl = s.prove_ok(t.grant(0), &t.keys[0]).await;
    let unfinished = s.create(32, 1, None).await;
    s.patch(unfinished.id(), 0, data[..10].to_vec(), &[]).await;

    s.server.clock().advance(3601);
    // Upload routes
    expect_code(
        s.patch(unfinished.id(), 10, data[10..].to_vec(), &[]).await,
        ErrorCode::Unavailable,
    )
    .await;
    let r = s
        .http
        .head(s.url(&paths::upload(unfinished.id())))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Download routes
    expect_code(
        s.get_blob(t.grant(0), &dl.download_token, None).await,
        ErrorCode::Unauthorized,
    )
    .await;
    expect_code(s.prove(t.grant(0), &t.keys[0]).await, ErrorCode::Expired).await;
    expect_code(
        s.prove(t.grant(0), &random_key()).await,
        ErrorCode::Unavailable,
    )
    .await;
    // Status tells the owner.
    assert!(s.status_ok(&t).await.expired);

    let report = s.server.sweep_now().await.unwrap();
    assert_eq!(report.purged, 2);
    assert!(blob_files(&s).is_empty());
    let events = s.events(t.id()).await;
    assert!(events.iter().any(|e| e == "expired") && events.iter().any(|e| e == "purged"));
    // Tombstone: a valid proof still learns why, until retention ends.
    expect_code(s.prove(t.grant(0), &t.keys[0]).await, ErrorCode::Expired).await;
    s.server.clock().advance(31 * 86400);
    let report = s.server.sweep_now().await.unwrap();
    assert_eq!(report.forgotten, 2);
    expect_code(
        s.http
            .get(s.url(&paths::grant(t.grant(0))))
            .send()
            .await
            .unwrap(),
        ErrorCode::Unavailable,
    )
    .await;
    expect_code(
        s.open_with(t.grant(0), &OPEN_KEY).await,
        ErrorCode::Unavailable,
    )
    .await;
    expect_code(s.status(&t).await, ErrorCode::Unavailable).await;
    s.server.shutdown().await;
}

#[tokio::test]
async fn abandoned_uploads_are_purged_within_a_day_and_used_up_blobs_after_their_tokens() {
    let s = start().await;
    let t = s.create(32, 1, None).await;
    s.patch(t.id(), 0, random_bytes(10), &[]).await;
    let used = s.create(8, 1, Some(1)).await;
    s.upload(used.id(), &random_bytes(8)).await;
    s.prove_ok(used.grant(0), &used.keys[0]).await;
    // Ask for a long-lived transfer so only the upload expiry (24 h) applies.
    let long = s
        .create_with(Classification::Terhad, 32, 10 * 86400, 1, None)
        .await;
    s.patch(long.id(), 0, random_bytes(10), &[]).await;

    assert_eq!(
        s.server.sweep_now().await.unwrap().purged,
        0,
        "download token outstanding"
    );
    s.server.clock().advance(15 * 60 + 1);
    assert_eq!(
        s.server.sweep_now().await.unwrap().purged,
        1,
        "used-up blob goes once its token expired"
    );
    s.server.clock().advance(86400);
    s.server.sweep_now().await.unwrap();
    let r = s
        .http
        .head(s.url(&paths::upload(long.id())))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(blob_files(&s).is_empty());
    s.server.shutdown().await;
}

#[tokio::test]
async fn landing_page_is_static_safe_and_changes_nothing() {
    let s = start().await;
    let t = s.create(10, 1, Some(1)).await;
    s.upload(t.id(), &random_bytes(10)).await;
    let a = s
        .http
        .get(s.url(&paths::landing(t.grant(0))))
        .send()
        .await
        .unwrap();
    assert_eq!(a.status(), StatusCode::OK);
    let csp = a.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.starts_with("default-src 'none'"));
    assert_eq!(a.headers()["referrer-policy"], "no-referrer");
    assert_eq!(a.headers()["x-frame-options"], "DENY");
    let body_a = a.text().await.unwrap();
    let b = s
        .http
        .get(s.url(&paths::landing(&kepil_store_id())))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(body_a, b, "same page for every id");
    assert!(
        body_a.find("Buka pautan").unwrap() < body_a.find("Open this link").unwrap(),
        "BM first"
    );
    assert!(body_a.contains("location.hash") && body_a.contains("kepil://"));
    // The CSP hashes are those of the inline script and style.
    use base64::Engine;
    use sha2::Digest;
    let (script, style) = kepil_store::landing::inline_parts();
    for part in [script, style] {
        let h =
            base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(part.as_bytes()));
        assert!(csp.contains(&h));
        assert!(body_a.contains(part));
    }
    // GET and HEAD of the link, info and landing page, and opens, many times: nothing counted.
    for _ in 0..5 {
        s.http
            .get(s.url(&paths::landing(t.grant(0))))
            .send()
            .await
            .unwrap();
        s.http
            .head(s.url(&paths::landing(t.grant(0))))
            .send()
            .await
            .unwrap();
        s.http
            .get(s.url(&paths::grant(t.grant(0))))
            .send()
            .await
            .unwrap();
        s.http
            .head(s.url(&paths::grant(t.grant(0))))
            .send()
            .await
            .unwrap();
        assert!(s.open_info(t.grant(0)).await.ready);
    }
    let st = s.status_ok(&t).await;
    assert_eq!((st.grants[0].downloads, st.grants[0].failed_proofs), (0, 0));
    s.prove_ok(t.grant(0), &t.keys[0]).await;
    s.server.shutdown().await;
}

#[tokio::test]
async fn per_ip_rate_limit_answers_429_with_retry_after() {
    let s = start_with(|c| c.proof_rate_per_minute = 5).await;
    let t = s.create(10, 1, None).await;
    let mut limited = None;
    for _ in 0..10 {
        let r = s.challenge(t.grant(0)).await;
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(r.headers().contains_key("retry-after"));
            limited = Some(expect_code(r, ErrorCode::RateLimited).await);
            break;
        }
    }
    let e = limited.expect("rate limited within 10 requests");
    assert!(e.retry_after_secs.unwrap() >= 1);
    s.server.shutdown().await;
}

#[tokio::test]
async fn audit_log_is_json_lines_without_secrets_or_labels() {
    let s = start().await;
    let t = s.create(10, 1, None).await;
    s.upload(t.id(), &random_bytes(10)).await;
    let dl = s.prove_ok(t.grant(0), &t.keys[0]).await;
    s.prove(t.grant(0), &random_key()).await;
    let text = std::fs::read_to_string(s.dir.path().join("audit.jsonl")).unwrap();
    let events: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(events.len() >= 5);
    for e in &events {
        assert!(e["at"].is_i64() && e["event"].is_string());
    }
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "proof_failed" && e["client_ip"] == "127.0.0.1")
    );
    for secret in [
        s.token.as_str(),
        t.created.owner_token.as_str(),
        dl.download_token.as_str(),
        "penerima@agensi.gov.my",
        &kepil_protocol::b64_encode(&t.keys[0]),
    ] {
        assert!(!text.contains(secret), "audit leaks {secret}");
    }
    s.server.shutdown().await;
}

#[tokio::test]
async fn plain_http_off_loopback_is_refused_unless_behind_a_proxy() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.listen = "0.0.0.0:0".parse().unwrap();
    let err = kepil_store::Server::bind(config.clone()).await.unwrap_err();
    assert!(err.to_string().contains("without TLS"), "{err}");
    config.behind_proxy = true;
    let server = kepil_store::Server::bind(config).await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn tls_with_a_self_signed_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let cert_path = dir.path().join("cert.pem");
    let key_path = dir.path().join("key.pem");
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.key_pair.serialize_pem()).unwrap();
    let mut config = test_config(&dir.path().join("data"));
    config.tls = Some(kepil_store::config::TlsConfig {
        cert: cert_path,
        key: key_path,
    });
    let server = kepil_store::Server::bind(config).await.unwrap();
    assert!(server.base_url().starts_with("https://"));
    let ca = reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).unwrap();
    let http = reqwest::Client::builder()
        .add_root_certificate(ca)
        .resolve("localhost", server.local_addr())
        .build()
        .unwrap();
    let url = format!("https://localhost:{}/healthz", server.local_addr().port());
    let r = http.get(url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let plain = reqwest::get(format!("http://{}/healthz", server.local_addr())).await;
    assert!(
        plain.map(|r| !r.status().is_success()).unwrap_or(true),
        "no plain HTTP on a TLS port"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn oversized_json_and_unknown_routes_answer_json_errors() {
    let s = start().await;
    let big = format!("{{\"x\":\"{}\"}}", "a".repeat(300 * 1024));
    let r = s
        .http
        .post(s.url(paths::TRANSFERS))
        .bearer_auth(&s.token)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    expect_code(r, ErrorCode::PayloadTooLarge).await;
    let r = s
        .http
        .get(s.url("/api/v1/nothing-here"))
        .send()
        .await
        .unwrap();
    expect_code(r, ErrorCode::Unavailable).await;
    s.server.shutdown().await;
}

#[tokio::test]
async fn forwarded_for_is_trusted_only_behind_a_proxy() {
    for behind_proxy in [false, true] {
        let s = start_with(|c| c.behind_proxy = behind_proxy).await;
        let t = s.create(10, 1, None).await;
        let r = s
            .http
            .post(s.url(&paths::challenge(t.grant(0))))
            .send()
            .await
            .unwrap();
        let nonce = r.json::<kepil_protocol::Challenge>().await.unwrap().nonce;
        s.http
            .post(s.url(&paths::proof(t.grant(0))))
            .header("x-forwarded-for", "203.0.113.9, 198.51.100.7")
            .json(&kepil_protocol::Proof {
                mac: mac(&random_key(), &nonce),
                link_mac: kepil_test_support::store::link_mac(&nonce),
                nonce,
            })
            .send()
            .await
            .unwrap();
        let events = s.server.audit_events(Some(t.id())).await.unwrap();
        let failed = events.iter().find(|e| e.event == "proof_failed").unwrap();
        let want = if behind_proxy {
            "198.51.100.7"
        } else {
            "127.0.0.1"
        };
        assert_eq!(failed.client_ip.as_deref(), Some(want));
        s.server.shutdown().await;
    }
}
