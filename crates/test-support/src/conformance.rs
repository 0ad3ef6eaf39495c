//! The one test suite every storage backend must pass. Backends call these from their own
//! tests (crates/store/tests/storage_conformance.rs for SQLite + files, s3_blobs.rs for S3,
//! crates/store-server/tests/postgres.rs for PostgreSQL); each function panics on the first
//! broken property.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use tokio::io::AsyncReadExt;

use kepil_store::ids;
use kepil_store::storage::{
    BlobStore, GrantRow, IdentityRow, MetadataStore, PurgeReason, SessionRow, TransferRow,
    UploaderToken,
};

/// The concurrency checks prove nothing on a current-thread runtime, where spawned tasks take
/// turns: refuse to run there.
fn require_parallel_runtime(check: &str) {
    assert_eq!(
        tokio::runtime::Handle::current().runtime_flavor(),
        tokio::runtime::RuntimeFlavor::MultiThread,
        "{check} needs #[tokio::test(flavor = \"multi_thread\")]: on one thread the tasks \
         never race"
    );
}

/// An unfinished transfer row, for backend tests.
pub fn transfer(id: &str, user: &str, size: u64, now: i64) -> TransferRow {
    TransferRow {
        id: id.to_string(),
        user: user.to_string(),
        owner_hash: ids::hash_token("owner"),
        classification: "TERHAD".into(),
        size,
        created_at: now,
        expires_at: now + 3600,
        upload_offset: 0,
        upload_expires_at: now + 600,
        expected_checksum: None,
        complete: false,
        revoked_at: None,
        purged_at: None,
        blob_key: Some(vec![9; 60]),
        blob_state: None,
        sender_provider: None,
    }
}

/// A fresh grant row, for backend tests.
pub fn grant(id: &str, transfer_id: &str, position: u32, max_downloads: u32) -> GrantRow {
    GrantRow {
        id: id.to_string(),
        transfer_id: transfer_id.to_string(),
        position,
        label: format!("r{position}@agensi.gov.my"),
        auth_key: vec![7; 32],
        kdf_version: 1,
        kdf_m_kib: 65536,
        kdf_t: 3,
        kdf_p: 4,
        max_downloads,
        downloads: 0,
        failed_proofs: 0,
        locked: false,
        revoked_at: None,
        link_key: Some(vec![8; 32]),
        open_key: Some(vec![9; 32]),
    }
}

const NO_QUOTA: u64 = u64::MAX;

/// Runs every metadata check.
pub async fn metadata_suite(meta: Arc<dyn MetadataStore>) {
    tokens(meta.as_ref()).await;
    transfers_and_grants(meta.as_ref()).await;
    nonces_are_single_use(meta.as_ref()).await;
    lockout_counts_and_locks(meta.as_ref()).await;
    issue_download_is_exact_under_concurrency(meta.clone()).await;
    quota_is_exact_under_concurrency(meta.clone()).await;
    purge_is_claimed_once(meta.clone()).await;
    upload_lock_excludes(meta.clone()).await;
    purge_candidates_and_tombstones(meta.as_ref()).await;
    audit_is_appended(meta.as_ref()).await;
    identities_and_sessions(meta.as_ref()).await;
}

pub async fn tokens(meta: &dyn MetadataStore) {
    let t = UploaderToken {
        id: ids::new_id(),
        user: "a@agensi.gov.my".into(),
        name: "nightly export".into(),
        token_hash: ids::hash_token("tok"),
        created_at: 1,
        expires_at: 1000,
        last_used_at: None,
        revoked_at: None,
    };
    meta.insert_uploader_token(&t).await.unwrap();
    assert_eq!(
        meta.find_uploader_token(&t.token_hash).await.unwrap(),
        Some(t.clone())
    );
    assert!(
        meta.find_uploader_token(&ids::hash_token("other"))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        meta.list_uploader_tokens()
            .await
            .unwrap()
            .iter()
            .any(|x| x.id == t.id)
    );
    assert!(meta.revoke_uploader_token(&t.id, 5).await.unwrap());
    assert!(!meta.revoke_uploader_token(&t.id, 6).await.unwrap());
    let back = meta
        .find_uploader_token(&t.token_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back.revoked_at, Some(5));
}

pub async fn transfers_and_grants(meta: &dyn MetadataStore) {
    let now = 1_000_000;
    let tid = ids::new_id();
    let (g1, g2) = (ids::new_id(), ids::new_id());
    let t = transfer(&tid, "q@agensi.gov.my", 100, now);
    // g2 as an older client creates it: no link key.
    let old_client = GrantRow {
        link_key: None,
        open_key: None,
        ..grant(&g2, &tid, 1, 2)
    };
    meta.create_transfer(&t, &[grant(&g1, &tid, 0, 1), old_client.clone()], NO_QUOTA)
        .await
        .unwrap();
    assert_eq!(meta.get_transfer(&tid).await.unwrap(), Some(t.clone()));
    assert_eq!(
        meta.get_grant(&g1).await.unwrap(),
        Some(grant(&g1, &tid, 0, 1)),
        "every column, the link key among them, reads back"
    );
    assert_eq!(meta.get_grant(&g2).await.unwrap(), Some(old_client));
    let dup = meta
        .create_transfer(&t, &[grant(&ids::new_id(), &tid, 0, 1)], NO_QUOTA)
        .await;
    assert!(
        matches!(dup, Err(kepil_store::storage::StorageError::Conflict)),
        "{dup:?}"
    );
    let grants = meta.grants_of(&tid).await.unwrap();
    assert_eq!(
        grants.iter().map(|g| g.id.as_str()).collect::<Vec<_>>(),
        [g1.as_str(), g2.as_str()]
    );
    assert_eq!(meta.bytes_held_by("q@agensi.gov.my").await.unwrap(), 100);

    assert!(
        meta.set_offset(&tid, 0, 40, now + 10, Some("state-40"))
            .await
            .unwrap()
    );
    assert!(
        !meta.set_offset(&tid, 0, 80, now + 20, None).await.unwrap(),
        "a writer whose starting offset is stale changes nothing"
    );
    meta.set_expected_checksum(&tid, 1).await.unwrap();
    let back = meta.get_transfer(&tid).await.unwrap().unwrap();
    assert_eq!(back.expected_checksum, Some(1));
    assert_eq!((back.upload_offset, back.upload_expires_at), (40, now + 10));
    assert_eq!(back.blob_state.as_deref(), Some("state-40"));
    assert!(
        meta.incomplete_uploads()
            .await
            .unwrap()
            .iter()
            .any(|x| x.id == tid)
    );
    // The top bit set: the checksum's 64 bits survive a signed database integer.
    meta.mark_complete(&tid, 0xAE8B_1486_0A79_9888)
        .await
        .unwrap();
    let back = meta.get_transfer(&tid).await.unwrap().unwrap();
    assert!(back.complete);
    assert_eq!(back.upload_offset, 100);
    assert_eq!(back.expected_checksum, Some(0xAE8B_1486_0A79_9888));

    assert_eq!(meta.revoke_grant(&tid, &g1, now).await.unwrap(), Some(1));
    assert_eq!(meta.revoke_grant(&tid, "nope", now).await.unwrap(), None);
    assert!(meta.revoke_transfer(&tid, now).await.unwrap());
    assert!(!meta.revoke_transfer(&tid, now).await.unwrap());
    assert!(
        meta.grants_of(&tid)
            .await
            .unwrap()
            .iter()
            .all(|g| g.revoked_at.is_some())
    );
    assert!(meta.claim_purge(&tid, now).await.unwrap());
    assert!(!meta.claim_purge(&tid, now + 1).await.unwrap());
    let back = meta.get_transfer(&tid).await.unwrap().unwrap();
    assert_eq!(back.purged_at, Some(now));
    assert_eq!(back.blob_key, None, "purging forgets the blob key");
    assert_eq!(back.blob_state, None);
    assert_eq!(meta.bytes_held_by("q@agensi.gov.my").await.unwrap(), 0);
    meta.delete_transfer(&tid).await.unwrap();
    assert!(meta.get_transfer(&tid).await.unwrap().is_none());
    assert!(meta.get_grant(&g2).await.unwrap().is_none());
}

pub async fn nonces_are_single_use(meta: &dyn MetadataStore) {
    let now = 2_000_000;
    let tid = ids::new_id();
    let (g, other) = (ids::new_id(), ids::new_id());
    meta.create_transfer(
        &transfer(&tid, "n@x.my", 1, now),
        &[grant(&g, &tid, 0, 1), grant(&other, &tid, 1, 1)],
        NO_QUOTA,
    )
    .await
    .unwrap();
    let n = ids::hash_token("nonce");
    meta.insert_nonce(&g, &n, now + 60).await.unwrap();
    // Looking changes nothing, and sees only a live nonce of this grant.
    for _ in 0..2 {
        assert!(meta.nonce_is_live(&g, &n, now).await.unwrap());
    }
    assert!(!meta.nonce_is_live(&other, &n, now).await.unwrap());
    assert!(!meta.nonce_is_live(&g, &n, now + 60).await.unwrap());
    // A grant id without a grant (the store challenges any id alike) takes a nonce too.
    let nobody = ids::new_id();
    let n0 = ids::hash_token("nonce0");
    meta.insert_nonce(&nobody, &n0, now + 60).await.unwrap();
    assert!(meta.nonce_is_live(&nobody, &n0, now).await.unwrap());
    assert!(meta.consume_nonce(&g, &n, now).await.unwrap());
    assert!(!meta.nonce_is_live(&g, &n, now).await.unwrap(), "consumed");
    assert!(
        !meta.consume_nonce(&g, &n, now).await.unwrap(),
        "single use"
    );
    let n2 = ids::hash_token("nonce2");
    meta.insert_nonce(&g, &n2, now + 60).await.unwrap();
    assert!(
        !meta.consume_nonce(&other, &n2, now).await.unwrap(),
        "bound to its grant"
    );
    assert!(
        !meta.consume_nonce(&g, &n2, now).await.unwrap(),
        "burnt by the wrong-grant try"
    );
    let n3 = ids::hash_token("nonce3");
    meta.insert_nonce(&g, &n3, now + 60).await.unwrap();
    assert!(
        !meta.consume_nonce(&g, &n3, now + 60).await.unwrap(),
        "expired"
    );
}

pub async fn lockout_counts_and_locks(meta: &dyn MetadataStore) {
    let now = 3_000_000;
    let tid = ids::new_id();
    let g = ids::new_id();
    let mut t = transfer(&tid, "l@x.my", 1, now);
    t.complete = true;
    meta.create_transfer(&t, &[grant(&g, &tid, 0, 5)], NO_QUOTA)
        .await
        .unwrap();
    for i in 1..=2 {
        let f = meta.record_failed_proof(&g, 3).await.unwrap();
        assert_eq!((f.failed_proofs, f.locked), (i, false));
    }
    // A success resets the consecutive counter.
    assert!(
        meta.issue_download(&g, &ids::hash_token("d1"), now + 60, now)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(meta.get_grant(&g).await.unwrap().unwrap().failed_proofs, 0);
    for _ in 0..2 {
        assert!(!meta.record_failed_proof(&g, 3).await.unwrap().locked);
    }
    let f = meta.record_failed_proof(&g, 3).await.unwrap();
    assert!(f.locked && f.locked_now);
    let f = meta.record_failed_proof(&g, 3).await.unwrap();
    assert!(f.locked && !f.locked_now, "locks once");
    assert!(
        meta.issue_download(&g, &ids::hash_token("d2"), now + 60, now)
            .await
            .unwrap()
            .is_none()
    );
    // The owner's unlock gives every try back, for this transfer's grant only.
    assert!(!meta.unlock_grant(&ids::new_id(), &g).await.unwrap());
    assert!(meta.get_grant(&g).await.unwrap().unwrap().locked);
    assert!(meta.unlock_grant(&tid, &g).await.unwrap());
    let back = meta.get_grant(&g).await.unwrap().unwrap();
    assert_eq!((back.locked, back.failed_proofs), (false, 0));
    let f = meta.record_failed_proof(&g, 3).await.unwrap();
    assert_eq!((f.failed_proofs, f.locked), (1, false));
    assert!(
        meta.issue_download(&g, &ids::hash_token("d3"), now + 60, now)
            .await
            .unwrap()
            .is_some()
    );
}

pub async fn issue_download_is_exact_under_concurrency(meta: Arc<dyn MetadataStore>) {
    require_parallel_runtime("issue_download_is_exact_under_concurrency");
    let now = 4_000_000;
    let tid = ids::new_id();
    let g = ids::new_id();
    let mut t = transfer(&tid, "c@x.my", 1, now);
    t.complete = true;
    meta.create_transfer(&t, &[grant(&g, &tid, 0, 3)], NO_QUOTA)
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..40 {
        let meta = meta.clone();
        let g = g.clone();
        tasks.push(tokio::spawn(async move {
            meta.issue_download(&g, &ids::hash_token(&format!("c{i}")), now + 60, now)
                .await
                .unwrap()
        }));
    }
    let mut issued = 0;
    for task in tasks {
        if task.await.unwrap().is_some() {
            issued += 1;
        }
    }
    assert_eq!(issued, 3);
    let row = meta
        .find_download_token(&ids::hash_token("c0"))
        .await
        .unwrap();
    assert!(row.is_none_or(|r| r.grant_id == g && r.transfer_id == tid));
    // Not downloadable before completion or after expiry.
    let t2 = ids::new_id();
    let g2 = ids::new_id();
    meta.create_transfer(
        &transfer(&t2, "c@x.my", 1, now),
        &[grant(&g2, &t2, 0, 3)],
        NO_QUOTA,
    )
    .await
    .unwrap();
    assert!(
        meta.issue_download(&g2, &ids::hash_token("x"), now + 60, now)
            .await
            .unwrap()
            .is_none()
    );
    meta.mark_complete(&t2, 0).await.unwrap();
    assert!(
        meta.issue_download(&g2, &ids::hash_token("y"), now + 60, now + 3600)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        meta.issue_download(&g2, &ids::hash_token("z"), now + 60, now)
            .await
            .unwrap()
            .is_some()
    );
}

pub async fn purge_candidates_and_tombstones(meta: &dyn MetadataStore) {
    let now = 5_000_000;
    let mk = |complete: bool| {
        let id = ids::new_id();
        let mut t = transfer(&id, "p@x.my", 1, now);
        t.complete = complete;
        t
    };
    let expired = mk(true);
    let abandoned = mk(false);
    let used = mk(true);
    let live = mk(true);
    let (ge, ga, gu, gl) = (ids::new_id(), ids::new_id(), ids::new_id(), ids::new_id());
    meta.create_transfer(&expired, &[grant(&ge, &expired.id, 0, 1)], NO_QUOTA)
        .await
        .unwrap();
    meta.create_transfer(&abandoned, &[grant(&ga, &abandoned.id, 0, 1)], NO_QUOTA)
        .await
        .unwrap();
    meta.create_transfer(&used, &[grant(&gu, &used.id, 0, 1)], NO_QUOTA)
        .await
        .unwrap();
    meta.create_transfer(&live, &[grant(&gl, &live.id, 0, 1)], NO_QUOTA)
        .await
        .unwrap();
    assert!(
        meta.issue_download(&gu, &ids::hash_token("u"), now + 1000, now)
            .await
            .unwrap()
            .is_some()
    );

    let at = now + 700; // past abandoned's upload expiry, before everyone's expiry
    let c = meta.purge_candidates(at).await.unwrap();
    let reason = |id: &str| c.iter().find(|(t, _)| t.id == id).map(|(_, r)| *r);
    assert_eq!(reason(&abandoned.id), Some(PurgeReason::Abandoned));
    assert_eq!(
        reason(&used.id),
        None,
        "an outstanding download token keeps the blob"
    );
    assert_eq!(reason(&live.id), None);
    assert!(meta.delete_expired_ephemera(now + 1001).await.unwrap() >= 1);
    let c = meta.purge_candidates(now + 3600).await.unwrap();
    let reason = |id: &str| c.iter().find(|(t, _)| t.id == id).map(|(_, r)| *r);
    assert_eq!(reason(&expired.id), Some(PurgeReason::Expired));
    let c = meta.purge_candidates(at).await.unwrap();
    assert_eq!(
        c.iter().find(|(t, _)| t.id == used.id).map(|(_, r)| *r),
        Some(PurgeReason::UsedUp)
    );

    assert!(meta.claim_purge(&expired.id, now).await.unwrap());
    assert!(meta.tombstones_before(now).await.unwrap().is_empty());
    assert!(
        meta.tombstones_before(now + 1)
            .await
            .unwrap()
            .contains(&expired.id)
    );
    let (n, _) = meta.stored_stats().await.unwrap();
    assert!(n >= 3);
}

/// Twenty simultaneous creates of 10 bytes each under a 50-byte quota: exactly five pass.
pub async fn quota_is_exact_under_concurrency(meta: Arc<dyn MetadataStore>) {
    require_parallel_runtime("quota_is_exact_under_concurrency");
    let now = 5_000_000;
    let user = format!("quota-{}@x.my", ids::new_id());
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let meta = meta.clone();
            let user = user.clone();
            tokio::spawn(async move {
                let tid = ids::new_id();
                meta.create_transfer(
                    &transfer(&tid, &user, 10, now),
                    &[grant(&ids::new_id(), &tid, 0, 1)],
                    50,
                )
                .await
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => ok += 1,
            Err(kepil_store::storage::StorageError::QuotaExceeded { held }) => {
                assert!(held >= 50, "{held}")
            }
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(ok, 5);
    assert_eq!(meta.bytes_held_by(&user).await.unwrap(), 50);
}

/// Ten simultaneous purges of one transfer: one claims it.
pub async fn purge_is_claimed_once(meta: Arc<dyn MetadataStore>) {
    require_parallel_runtime("purge_is_claimed_once");
    let now = 6_000_000;
    let tid = ids::new_id();
    meta.create_transfer(
        &transfer(&tid, "p@x.my", 1, now),
        &[grant(&ids::new_id(), &tid, 0, 1)],
        NO_QUOTA,
    )
    .await
    .unwrap();
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let meta = meta.clone();
            let tid = tid.clone();
            tokio::spawn(async move { meta.claim_purge(&tid, now + i).await.unwrap() })
        })
        .collect();
    let mut claimed = 0;
    for t in tasks {
        claimed += t.await.unwrap() as u32;
    }
    assert_eq!(claimed, 1);
}

/// While one holder has an upload's lock, nobody else gets it; dropping it lets the next in.
pub async fn upload_lock_excludes(meta: Arc<dyn MetadataStore>) {
    let id = ids::new_id();
    let inside = Arc::new(AtomicU32::new(0));
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let meta = meta.clone();
            let id = id.clone();
            let inside = inside.clone();
            tokio::spawn(async move {
                let _lock = meta.lock_upload(&id).await.unwrap();
                assert_eq!(
                    inside.fetch_add(1, Ordering::SeqCst),
                    0,
                    "two holders at once"
                );
                tokio::time::sleep(Duration::from_millis(30)).await;
                inside.fetch_sub(1, Ordering::SeqCst);
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    // Another upload's lock is independent.
    let _a = meta.lock_upload(&id).await.unwrap();
    let other = tokio::time::timeout(Duration::from_secs(5), meta.lock_upload(&ids::new_id()))
        .await
        .expect("a different upload's lock is not blocked");
    other.unwrap();
}

pub async fn audit_is_appended(meta: &dyn MetadataStore) {
    let tid = ids::new_id();
    let events: Vec<kepil_store::storage::AuditEvent> = ["created", "upload_complete"]
        .into_iter()
        .enumerate()
        .map(|(i, name)| kepil_store::storage::AuditEvent {
            at: i as i64,
            event: name.into(),
            transfer_id: Some(tid.clone()),
            grant_id: None,
            client_ip: Some("127.0.0.1".into()),
            bytes: Some(5),
            actor: (i == 0).then(|| "a@agensi.gov.my".into()),
            subject: (i == 1).then(|| "b@agensi.gov.my".into()),
        })
        .collect();
    meta.append_audit(&events).await.unwrap();
    let back = meta.audit_events(Some(&tid)).await.unwrap();
    assert_eq!(
        back, events,
        "every field, actor and subject included, in order"
    );
}

/// Tokens are touched at most once a minute; identities are upserted, disabled (ending their
/// sessions) and enabled; sessions are found, ended once, and swept with the ephemera.
pub async fn identities_and_sessions(meta: &dyn MetadataStore) {
    let t = UploaderToken {
        id: ids::new_id(),
        user: "svc@agensi.gov.my".into(),
        name: String::new(),
        token_hash: ids::hash_token(&ids::new_token()),
        created_at: 1,
        expires_at: 10_000,
        last_used_at: None,
        revoked_at: None,
    };
    meta.insert_uploader_token(&t).await.unwrap();
    meta.touch_uploader_token(&t.id, 100).await.unwrap();
    meta.touch_uploader_token(&t.id, 130).await.unwrap();
    let used = |v: Vec<UploaderToken>| v.into_iter().find(|x| x.id == t.id).unwrap().last_used_at;
    assert_eq!(used(meta.list_uploader_tokens().await.unwrap()), Some(100));
    meta.touch_uploader_token(&t.id, 161).await.unwrap();
    assert_eq!(used(meta.list_uploader_tokens().await.unwrap()), Some(161));

    let email = format!("{}@agensi.gov.my", ids::new_id().to_lowercase());
    let person = IdentityRow {
        email: email.clone(),
        provider: "agency".into(),
        subject: "sub-1".into(),
        name: Some("Siti".into()),
        first_seen_at: 10,
        last_seen_at: 10,
        disabled_at: None,
        disabled_by: None,
    };
    assert_eq!(meta.upsert_identity(&person).await.unwrap(), person);
    let later = IdentityRow {
        name: Some("Siti Aminah".into()),
        first_seen_at: 20,
        last_seen_at: 20,
        ..person.clone()
    };
    let stored = meta.upsert_identity(&later).await.unwrap();
    assert_eq!(stored.first_seen_at, 10, "first seen stays");
    assert_eq!(stored.last_seen_at, 20);
    assert_eq!(stored.name.as_deref(), Some("Siti Aminah"));

    let session = SessionRow {
        token_hash: ids::hash_token(&ids::new_token()),
        email: email.clone(),
        provider: "agency".into(),
        admin: true,
        created_at: 20,
        expires_at: 500,
        ended_at: None,
    };
    meta.insert_session(&session).await.unwrap();
    assert_eq!(
        meta.find_session(&session.token_hash).await.unwrap(),
        Some(session.clone())
    );
    assert!(
        meta.set_identity_disabled(&email, Some("admin@agensi.gov.my"), 30)
            .await
            .unwrap()
    );
    assert!(
        !meta
            .set_identity_disabled(&email, Some("other@agensi.gov.my"), 31)
            .await
            .unwrap()
    );
    let disabled = meta.get_identity(&email).await.unwrap().unwrap();
    assert_eq!(disabled.disabled_at, Some(30));
    assert_eq!(disabled.disabled_by.as_deref(), Some("admin@agensi.gov.my"));
    assert_eq!(
        meta.find_session(&session.token_hash)
            .await
            .unwrap()
            .unwrap()
            .ended_at,
        Some(30),
        "disabling ends the sessions"
    );
    assert!(!meta.end_session(&session.token_hash, 40).await.unwrap());
    // Signing in again does not lift the block.
    let again = meta.upsert_identity(&later).await.unwrap();
    assert_eq!(again.disabled_at, Some(30));
    assert!(meta.set_identity_disabled(&email, None, 50).await.unwrap());
    assert!(!meta.set_identity_disabled(&email, None, 51).await.unwrap());
    assert!(
        meta.get_identity(&email)
            .await
            .unwrap()
            .unwrap()
            .disabled_at
            .is_none()
    );

    // Someone never seen can be blocked before their first sign-in.
    let stranger = format!("{}@agensi.gov.my", ids::new_id().to_lowercase());
    assert!(
        meta.set_identity_disabled(&stranger, Some("admin@agensi.gov.my"), 60)
            .await
            .unwrap()
    );
    let blocked = meta
        .upsert_identity(&IdentityRow {
            email: stranger.clone(),
            ..person.clone()
        })
        .await
        .unwrap();
    assert_eq!(blocked.disabled_at, Some(60));

    let open = SessionRow {
        token_hash: ids::hash_token(&ids::new_token()),
        ..session.clone()
    };
    meta.insert_session(&open).await.unwrap();
    assert!(meta.end_session(&open.token_hash, 70).await.unwrap());
    assert!(!meta.end_session(&open.token_hash, 71).await.unwrap());
    meta.delete_expired_ephemera(500).await.unwrap();
    assert!(meta.find_session(&open.token_hash).await.unwrap().is_none());

    // A person's live transfers: not revoked, not expired, newest first.
    let mut old = transfer(&ids::new_id(), &email, 5, 100);
    old.expires_at = 1_000;
    let mut new = transfer(&ids::new_id(), &email, 5, 200);
    new.expires_at = 1_000;
    let mut gone = transfer(&ids::new_id(), &email, 5, 300);
    gone.expires_at = 150;
    for t in [&old, &new, &gone] {
        meta.create_transfer(t, &[], u64::MAX).await.unwrap();
    }
    let live: Vec<String> = meta
        .live_transfers_of(&email, 160)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(live, vec![new.id.clone(), old.id.clone()]);
    meta.revoke_transfer(&new.id, 170).await.unwrap();
    let live: Vec<String> = meta
        .live_transfers_of(&email, 170)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(live, vec![old.id.clone()]);
}

/// Deterministic bytes that do not repeat within a part (so misplaced parts are caught).
fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[i % 4] ^ seed)
        .collect()
}

async fn read_all(blobs: &dyn BlobStore, id: &str, start: u64, len: u64) -> Vec<u8> {
    let mut out = Vec::new();
    blobs
        .read(id, start, len)
        .await
        .unwrap()
        .read_to_end(&mut out)
        .await
        .unwrap();
    out
}

/// Runs every blob check. Backends keep resumable state in [`super::Checkpoint::state`],
/// which the caller passes back to `open_writer` exactly as the handlers do.
pub async fn blob_suite(blobs: &dyn BlobStore) {
    small_blob_in_sessions(blobs).await;
    large_blob_across_parts(blobs).await;
    assert!(
        blobs
            .open_writer("../../etc/passwd", 0, None)
            .await
            .is_err(),
        "ids only"
    );
}

pub async fn small_blob_in_sessions(blobs: &dyn BlobStore) {
    let id = ids::new_id();
    assert_eq!(blobs.len(&id).await.unwrap(), None);
    let mut w = blobs.open_writer(&id, 0, None).await.unwrap();
    w.write(b"hello ").await.unwrap();
    let first = w.sync().await.unwrap();
    assert_eq!(first.len, 6);
    w.write(b"discard").await.unwrap();
    w.abort().await.unwrap();

    // A session whose checkpoint was never recorded (the process died before the database
    // write): the next session starts again from the recorded one and overwrites it.
    let mut w = blobs
        .open_writer(&id, 6, first.state.as_deref())
        .await
        .unwrap();
    w.write(b"lost").await.unwrap();
    assert_eq!(w.commit().await.unwrap().len, 10);

    let mut w = blobs
        .open_writer(&id, 6, first.state.as_deref())
        .await
        .unwrap();
    w.write(b"world").await.unwrap();
    let second = w.commit().await.unwrap();
    assert_eq!(second.len, 11);
    let w = blobs
        .open_writer(&id, 11, second.state.as_deref())
        .await
        .unwrap();
    assert_eq!(w.complete().await.unwrap(), 11);
    assert_eq!(blobs.len(&id).await.unwrap(), Some(11));
    assert_eq!(read_all(blobs, &id, 0, 100).await, b"hello world");
    assert_eq!(read_all(blobs, &id, 6, 5).await, b"world");

    // A completed blob reopened at its end (a retry after completion) completes again.
    let w = blobs.open_writer(&id, 11, None).await.unwrap();
    assert_eq!(w.complete().await.unwrap(), 11);

    blobs.truncate(&id, 0).await.unwrap();
    assert!(matches!(blobs.len(&id).await.unwrap(), None | Some(0)));
    blobs.delete(&id, None).await.unwrap();
    blobs.delete(&id, None).await.unwrap();
    assert_eq!(blobs.len(&id).await.unwrap(), None);
    assert!(
        blobs.open_writer(&id, 50, None).await.is_err(),
        "offset beyond the stored bytes"
    );
}

/// 21 MiB written in uneven sessions and writes (as PATCHes cut anywhere would), so a backend
/// with a minimum part size must carry partial parts across sessions.
pub async fn large_blob_across_parts(blobs: &dyn BlobStore) {
    let id = ids::new_id();
    let data = pattern(21 << 20, 0x5a);
    let cuts = [
        0usize,
        1,
        (3 << 20) + 7,
        (9 << 20) + 1,
        (16 << 20) - 3,
        21 << 20,
    ];
    let mut state: Option<String> = None;
    for pair in cuts.windows(2) {
        let (from, to) = (pair[0], pair[1]);
        let mut w = blobs
            .open_writer(&id, from as u64, state.as_deref())
            .await
            .unwrap();
        for piece in data[from..to].chunks(700_001) {
            w.write(piece).await.unwrap();
        }
        if to == data.len() {
            assert_eq!(w.complete().await.unwrap(), data.len() as u64);
        } else {
            let cp = w.commit().await.unwrap();
            assert_eq!(cp.len, to as u64);
            state = cp.state;
        }
    }
    assert_eq!(blobs.len(&id).await.unwrap(), Some(data.len() as u64));
    let start = (8 << 20) - 5;
    assert_eq!(
        read_all(blobs, &id, start as u64, 1 << 20).await,
        &data[start..start + (1 << 20)]
    );
    assert!(read_all(blobs, &id, 0, data.len() as u64).await == data);
    blobs.delete(&id, None).await.unwrap();
    assert_eq!(blobs.len(&id).await.unwrap(), None);
}
