//! A third-party tus client (tuspy, from PyPI) uploads to the store; the blob then downloads
//! byte-exact. CI must `pip install tuspy`; without it this test fails and says so.

use kepil_protocol::paths;
use kepil_test_support::store::*;

#[tokio::test]
async fn tuspy_uploads_with_creation_checksum_and_resume_headers() {
    let probe = std::process::Command::new("python3")
        .args(["-c", "import tusclient"])
        .output();
    match probe {
        Ok(out) if out.status.success() => {}
        _ => panic!(
            "python3 with tuspy is required for the tus interop test: run `pip install tuspy`"
        ),
    }
    let s = start().await;
    let data = random_bytes(1_000_000 + 123);
    let t = s.create(data.len() as u64, 1, None).await;
    let file = s.dir.path().join("upload.bin");
    std::fs::write(&file, &data).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tus/tuspy_upload.py");
    let url = s.url(paths::UPLOADS);
    let token = s.token.clone();
    let tid = t.id().to_string();
    let checksum = checksum_b64url(&data);
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("python3")
            .arg(script)
            .args([&url, &token])
            .arg(&file)
            .args([&tid, &checksum])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "tuspy failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        s.url(&paths::upload(t.id()))
    );
    assert!(s.status_ok(&t).await.upload_complete);
    let dl = s.prove_ok(t.grant(0), &t.keys[0]).await;
    let got = s
        .get_blob(t.grant(0), &dl.download_token, None)
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(got.as_ref(), data.as_slice());
    s.server.shutdown().await;
}
