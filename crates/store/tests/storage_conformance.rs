//! The shared backend suite against the embedded backends (SQLite file + local files).

use std::sync::Arc;

use kepil_store::storage::{fs::FsBlobStore, sqlite::SqliteStore};
use kepil_test_support::conformance;

// Multi-threaded: the suite's concurrency checks need tasks that really run at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_metadata_store_passes_the_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("store.db"))
        .await
        .unwrap();
    conformance::metadata_suite(Arc::new(store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn file_blob_store_passes_the_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = FsBlobStore::open(&dir.path().join("blobs")).unwrap();
    conformance::blob_suite(&blobs).await;
}

#[cfg(unix)]
#[tokio::test]
async fn blob_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("blobs");
    let blobs = FsBlobStore::open(&root).unwrap();
    let id = kepil_store::ids::new_id();
    use kepil_store::storage::BlobStore;
    let mut w = blobs.open_writer(&id, 0, None).await.unwrap();
    w.write(b"x").await.unwrap();
    w.commit().await.unwrap();
    let file = root.join(&id[..2]).join(&id);
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        std::fs::metadata(file.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o700
    );
    assert_eq!(
        std::fs::metadata(&root).unwrap().permissions().mode() & 0o777,
        0o700
    );
}
