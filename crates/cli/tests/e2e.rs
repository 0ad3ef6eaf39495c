//! End-to-end: the real `kepil` binary against a real kepil-store on port 0.

mod common;

use std::sync::atomic::Ordering;
use std::time::Duration;

use common::*;
use serde_json::Value;

const MIB: usize = 1 << 20;

fn assert_code(out: &std::process::Output, exit: i32, code: &str) {
    assert_eq!(
        out.status.code(),
        Some(exit),
        "stdout: {} stderr: {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let v = json(out);
    assert_eq!(v["error"]["code"], code, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_trip_of_several_files_to_two_recipients() {
    let env = Env::start().await;
    let src = env.dir("src");
    let files = [
        ("empty.bin", 0usize),
        ("one.bin", 1),
        ("64k-minus-1.bin", 64 * 1024 - 1),
        ("64k.bin", 64 * 1024),
        ("64k-plus-1.bin", 64 * 1024 + 1),
        ("Laporan Suku Tahun – ringkasan (draf).txt", 5000),
        ("日本語 ñandú ☃.pdf", 777),
        ("big-50MiB.bin", 50 * MIB),
    ];
    let mut paths = vec![];
    for (i, (name, len)) in files.iter().enumerate() {
        let p = src.join(name);
        write_file(&p, *len, i as u8);
        paths.push(p);
    }
    let mut args: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    args.extend(
        [
            "--classification",
            "sulit",
            "--to",
            "a@agensi.gov.my",
            "--to",
            "b@agensi.gov.my",
            "--subject",
            "Rujukan KEP/1/2026",
            "--message",
            "Sila semak.",
            "--expires",
            "2d",
        ]
        .map(String::from),
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let sent = env.send(&args).await;
    assert!(sent["transfer"].as_str().unwrap().len() == 22);
    assert!(sent["expires_at"].as_str().unwrap().contains('T'));
    assert_eq!(sent["recipients"].as_array().unwrap().len(), 2);
    assert_eq!(sent["recipients"][0]["recipient"], "a@agensi.gov.my");
    let (link_a, pw_a) = recipient(&sent, 0);
    let (link_b, pw_b) = recipient(&sent, 1);
    assert_ne!(link_a, link_b);
    assert_ne!(pw_a, pw_b);

    for (user, link, pw) in [("a", link_a, pw_a), ("b", link_b, pw_b)] {
        let out_dir = env.dir(&format!("out-{user}"));
        let out = env.receive(user, link, pw, &out_dir).await;
        assert!(out.status.success(), "{}", text(&out.stderr));
        let v = json(&out);
        assert_eq!(v["classification"], "SULIT");
        assert_eq!(v["subject"], "Rujukan KEP/1/2026");
        assert_eq!(v["files"].as_array().unwrap().len(), files.len());
        for (name, _) in files {
            let got = out_dir.join(name);
            assert!(got.exists(), "{name} missing in {:?}", walk(&out_dir));
            assert_eq!(sha256_file(&got), sha256_file(&src.join(name)), "{name}");
        }
        // Nothing else: no temporary files left behind.
        assert_eq!(walk(&out_dir).len(), files.len());
    }

    // The sender's spool is gone once the upload is complete.
    let spool = env.home("sender").join("cache").join("spool");
    assert!(walk(&spool).is_empty(), "{:?}", walk(&spool));
    // Status shows one download each.
    let out =
        run(env
            .kepil("sender")
            .args(["status", sent["transfer"].as_str().unwrap(), "--json"]))
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let status = json(&out);
    assert_eq!(status["upload_complete"], true);
    for g in status["grants"].as_array().unwrap() {
        assert_eq!(g["downloads"], 1);
    }
    assert_no_canary(
        &env.homes(),
        &sent_canaries(&sent),
        "after the send and both receives",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rahsia_is_refused_before_anything_is_read_or_uploaded() {
    let env = Env::start().await;
    let before = env.store_files();
    for class in ["rahsia", "RAHSIA BESAR", "rahsia-besar"] {
        // The file does not even exist: the refusal comes before any file is opened.
        let out = run(env.kepil("sender").args([
            "send",
            "/nonexistent/secret.pdf",
            "--classification",
            class,
            "--to",
            "a@x.gov.my",
            "--json",
        ]))
        .await;
        assert_code(&out, 3, "classification_refused");
        assert!(
            text(&out.stderr).contains("3.2 A ii 6"),
            "{}",
            text(&out.stderr)
        );
    }
    assert_eq!(
        env.store_files(),
        before,
        "the store's data directory changed"
    );
    let events = env.store().audit_events(None).await.unwrap();
    assert!(events.is_empty(), "{events:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_then_lockout_then_the_sender_unlocks() {
    let env = Env::start().await;
    let f = env.dir("src").join("a.txt");
    write_file(&f, 100, 1);
    let sent = env
        .send(&[
            f.to_str().unwrap(),
            "--classification",
            "terhad",
            "--to",
            "a@x.gov.my",
            "--to",
            "b@x.gov.my",
        ])
        .await;
    let (link, pw) = recipient(&sent, 0);
    let wrong = "AAAA-BBBB-CCCC-DDDD";
    assert_ne!(pw, wrong);
    let out_dir = env.dir("out");
    let threshold = env.store().config().lockout_threshold;
    for i in 1..threshold {
        let out = env.receive("r", link, wrong, &out_dir).await;
        assert_code(&out, 4, "wrong_password");
        let left = threshold - i;
        assert_eq!(
            json(&out)["error"]["params"]["tries_left"],
            left.to_string()
        );
        assert!(
            text(&out.stderr).contains(&if left == 1 {
                "One try left".to_string()
            } else {
                format!("{left} tries left")
            }),
            "{}",
            text(&out.stderr)
        );
    }
    let out = env.receive("r", link, wrong, &out_dir).await;
    assert_code(&out, 4, "locked");
    // Locked even for the right password; the message says the sender must re-issue.
    let out = env.receive("r", link, pw, &out_dir).await;
    assert_code(&out, 4, "locked");
    assert!(
        text(&out.stderr).contains("they can unlock it"),
        "{}",
        text(&out.stderr)
    );
    assert!(walk(&out_dir).is_empty());

    // The sender sees the lock and the command that lifts it.
    let tid = sent["transfer"].as_str().unwrap();
    let out = run(env.kepil("sender").args(["--lang", "en", "status", tid])).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let grant_a = sent["recipients"][0]["link"].as_str().unwrap();
    let grant_a = grant_a
        .rsplit('/')
        .next()
        .unwrap()
        .split('#')
        .next()
        .unwrap();
    let hint = format!("kepil unlock {tid} --recipient {grant_a}");
    assert!(text(&out.stdout).contains(&hint), "{}", text(&out.stdout));
    // Two recipients: which one must be said.
    let out = run(env.kepil("sender").args(["unlock", tid, "--json"])).await;
    assert_code(&out, 5, "recipient_needed");
    let out = run(env
        .kepil("sender")
        .args(["unlock", tid, "--recipient", "a@x.gov.my", "--json"]))
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(json(&out)["unlocked"], grant_a);
    let out = run(env.kepil("sender").args(["status", tid, "--json"])).await;
    let status = json(&out);
    assert_eq!(status["grants"][0]["locked"], false);
    assert_eq!(status["grants"][0]["failed_proofs"], 0);
    // The same link and password now open it.
    let out = env.receive("r", link, pw, &out_dir).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(walk(&out_dir).len(), 1);
    let events = env.store().audit_events(None).await.unwrap();
    assert_eq!(
        events.iter().filter(|e| e.event == "unlocked").count(),
        1,
        "{events:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_download_grant_used_twice() {
    let env = Env::start().await;
    let f = env.dir("src").join("a.txt");
    write_file(&f, 1000, 2);
    let sent = env
        .send(&[
            f.to_str().unwrap(),
            "--classification",
            "sulit",
            "--to",
            "a@x.gov.my",
            "--max-downloads",
            "1",
        ])
        .await;
    let (link, pw) = recipient(&sent, 0);
    let out = env.receive("r", link, pw, &env.dir("out1")).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = env.receive("r", link, pw, &env.dir("out2")).await;
    assert_code(&out, 5, "used_up");
    assert!(walk(&env.dir("out2")).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_above_the_store_policy_fail_closed() {
    let env = Env::start().await;
    let f = env.dir("src").join("a.txt");
    write_file(&f, 10, 3);
    let out = run(env.kepil("sender").args([
        "send",
        f.to_str().unwrap(),
        "--classification",
        "sulit",
        "--to",
        "a@x.my",
        "--expires",
        "30d",
        "--json",
    ]))
    .await;
    assert_code(&out, 3, "expiry_too_long");
    assert!(text(&out.stderr).contains("7d"), "{}", text(&out.stderr));
    let out = run(env.kepil("sender").args([
        "send",
        f.to_str().unwrap(),
        "--classification",
        "sulit",
        "--to",
        "a@x.my",
        "--max-downloads",
        "1000",
        "--json",
    ]))
    .await;
    assert_code(&out, 3, "too_many_downloads");
    assert!(env.store().audit_events(None).await.unwrap().is_empty());
}

/// `--to` takes what the app's Send screen takes (kepil-client's recipients module).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recipients_the_app_would_refuse_are_refused() {
    let env = Env::start().await;
    let f = env.dir("src").join("a.txt");
    write_file(&f, 10, 3);
    for (to, code) in [
        (vec!["Ali <ali@jpm.gov.my>"], "recipient_invalid"),
        (vec!["a@x"], "recipient_invalid"),
        (vec!["a@x.my", "A@X.my"], "duplicate_recipient"),
    ] {
        let mut args = vec![
            "send".to_string(),
            f.to_str().unwrap().to_string(),
            "--classification".into(),
            "sulit".into(),
            "--json".into(),
        ];
        for t in &to {
            args.extend(["--to".to_string(), t.to_string()]);
        }
        let out = run(env.kepil("sender").args(&args)).await;
        assert_code(&out, 2, code);
    }
    assert!(env.store().audit_events(None).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_transfer_says_so() {
    let env = Env::start().await;
    let f = env.dir("src").join("a.txt");
    write_file(&f, 10, 4);
    let sent = env
        .send(&[
            f.to_str().unwrap(),
            "--classification",
            "terhad",
            "--to",
            "a@x.my",
            "--expires",
            "1h",
        ])
        .await;
    let (link, pw) = recipient(&sent, 0);
    env.store().clock().advance(2 * 3600);
    let out = env.receive("r", link, pw, &env.dir("out")).await;
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    let code = json(&out)["error"]["code"].as_str().unwrap().to_string();
    assert_eq!(code, "expired", "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_one_recipient_leaves_the_other_working() {
    let env = Env::start().await;
    let f = env.dir("src").join("a.txt");
    write_file(&f, 4096, 5);
    let sent = env
        .send(&[
            f.to_str().unwrap(),
            "--classification",
            "sulit",
            "--to",
            "a@x.gov.my",
            "--to",
            "b@x.gov.my",
        ])
        .await;
    let tid = sent["transfer"].as_str().unwrap();
    let out = run(env
        .kepil("sender")
        .args(["revoke", tid, "--recipient", "a@x.gov.my", "--json"]))
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (link_a, pw_a) = recipient(&sent, 0);
    let (link_b, pw_b) = recipient(&sent, 1);
    let out = env.receive("a", link_a, pw_a, &env.dir("out-a")).await;
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    let code = json(&out)["error"]["code"].as_str().unwrap().to_string();
    assert_eq!(code, "revoked", "{}", text(&out.stderr));
    let out = env.receive("b", link_b, pw_b, &env.dir("out-b")).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(env.kepil("sender").args(["status", link_b, "--json"])).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let status = json(&out);
    assert_eq!(status["grants"][0]["revoked"], true);
    assert_eq!(status["grants"][1]["revoked"], false);
    assert_eq!(status["grants"][1]["downloads"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_blob_gives_an_error_and_no_file() {
    let env = Env::start().await;
    let f = env.dir("src").join("a.bin");
    write_file(&f, 300_000, 6);
    let sent = env
        .send(&[
            f.to_str().unwrap(),
            "--classification",
            "sulit",
            "--to",
            "a@x.my",
        ])
        .await;
    let tid = sent["transfer"].as_str().unwrap();
    let out = run(env.kepil("sender").args(["status", tid, "--json"])).await;
    let size = json(&out)["size"].as_u64().unwrap();
    let blob = env.blob_of_size(size);
    let mut bytes = std::fs::read(&blob).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    std::fs::write(&blob, &bytes).unwrap();
    let (link, pw) = recipient(&sent, 0);
    let out_dir = env.dir("out");
    let out = env.receive("r", link, pw, &out_dir).await;
    assert_eq!(out.status.code(), Some(7), "{}", text(&out.stderr));
    assert!(walk(&out_dir).is_empty(), "{:?}", walk(&out_dir));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_mangled_by_mail_gateways_still_work() {
    let env = Env::start().await;
    let f = env.dir("src").join("a.txt");
    write_file(&f, 2000, 7);
    let sent = env
        .send(&[
            f.to_str().unwrap(),
            "--classification",
            "terhad",
            "--to",
            "a@x.my",
            "--max-downloads",
            "5",
        ])
        .await;
    let (link, pw) = recipient(&sent, 0);
    let encoded: String = link.bytes().map(|b| format!("%{b:02X}")).collect();
    let mangled = [
        link.replace('#', "%23"),
        format!(
            "https://apc01.safelinks.protection.outlook.com/?url={encoded}&data=05%7C01&reserved=0"
        ),
        format!("<{}\n{}>", &link[..link.len() / 2], &link[link.len() / 2..]),
        format!("Pautan: {link}."),
    ];
    for (i, m) in mangled.iter().enumerate() {
        let out_dir = env.dir(&format!("out{i}"));
        // The password as dictated: lower case, no dashes.
        let spoken = pw.replace('-', " ").to_lowercase();
        let out = env.receive("r", m, &spoken, &out_dir).await;
        assert!(
            out.status.success(),
            "variant {i} {m:?}: {}",
            text(&out.stderr)
        );
        assert_eq!(sha256_file(&out_dir.join("a.txt")), sha256_file(&f));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_and_fetch_open_with_any_age_tool() {
    let env = Env::start().await;
    let f = env.dir("src").join("a.txt");
    write_file(&f, 70_000, 8);
    let sent = env
        .send(&[
            f.to_str().unwrap(),
            "--classification",
            "sulit",
            "--to",
            "a@x.my",
        ])
        .await;
    let (link, pw) = recipient(&sent, 0);
    let out = run_with_stdin(
        env.kepil("r").args(["identity", link, "--password-stdin"]),
        format!("{pw}\n"),
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let identity = text(&out.stdout);
    assert!(identity.trim().starts_with("AGE-SECRET-KEY-1"));
    let blob = env.dir("raw").join("blob.age");
    let out = run_with_stdin(
        env.kepil("r").args([
            "fetch",
            link,
            "-o",
            blob.to_str().unwrap(),
            "--password-stdin",
            "--json",
        ]),
        format!("{pw}\n"),
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let head = std::fs::read(&blob).unwrap();
    assert!(head.starts_with(b"age-encryption.org/v1\n"));
    // Decrypt with the age library directly: the payload starts with Kepil's magic.
    let id: age::x25519::Identity = identity.trim().parse().unwrap();
    let decryptor = age::Decryptor::new(&head[..]).unwrap();
    let mut plain = vec![];
    std::io::Read::read_to_end(
        &mut decryptor
            .decrypt(std::iter::once(&id as &dyn age::Identity))
            .unwrap(),
        &mut plain,
    )
    .unwrap();
    assert!(plain.starts_with(b"KEPIL\0PKG"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_and_download_cut_by_a_proxy_resume_and_match() {
    let env = Env::start_with(EnvOptions {
        proxy: true,
        ..Default::default()
    })
    .await;
    let proxy = env.proxy.clone().unwrap();
    let f = env.dir("src").join("big.bin");
    write_file(&f, 40 * MIB, 9);
    // Several cuts of the upload: early, mid-PATCH, near the end.
    proxy.cut_up_at(&[
        300_000,
        5 * MIB as u64,
        17 * MIB as u64 + 12345,
        39 * MIB as u64,
    ]);
    let sent = env
        .send(&[
            f.to_str().unwrap(),
            "--classification",
            "sulit",
            "--to",
            "a@x.my",
        ])
        .await;
    assert!(
        proxy.cuts_done.load(Ordering::SeqCst) >= 3,
        "cuts: {}",
        proxy.cuts_done.load(Ordering::SeqCst)
    );
    let uploaded = proxy.up_bytes.load(Ordering::SeqCst);
    // Resumed from the store's offset, not from scratch: well under twice the size.
    assert!(uploaded < (40 * MIB as u64) * 3 / 2, "uploaded {uploaded}");
    let cuts_before = proxy.cuts_done.load(Ordering::SeqCst);
    let down_start = proxy.down_bytes.load(Ordering::SeqCst);
    proxy.cut_down_at(&[down_start + 2 * MIB as u64, down_start + 23 * MIB as u64]);
    let (link, pw) = recipient(&sent, 0);
    let out_dir = env.dir("out");
    let out = env.receive("r", link, pw, &out_dir).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(proxy.cuts_done.load(Ordering::SeqCst) >= cuts_before + 2);
    assert_eq!(sha256_file(&out_dir.join("big.bin")), sha256_file(&f));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_sender_resumes_with_resume() {
    let env = Env::start_with(EnvOptions {
        proxy: true,
        ..Default::default()
    })
    .await;
    let proxy = env.proxy.clone().unwrap();
    let f = env.dir("src").join("big.bin");
    let size = 24 * MIB;
    write_file(&f, size, 10);
    // Slow enough that the kill lands mid-upload even when encryption is slow (debug, loaded CI).
    proxy.up_rate.store(3 * MIB as u64, Ordering::SeqCst);
    let mut child = env
        .kepil("sender")
        .args([
            "send",
            f.to_str().unwrap(),
            "--classification",
            "sulit",
            "--to",
            "a@x.my",
            "--to",
            "b@x.my",
            "--json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let spool = env.home("sender").join("cache").join("spool");
    // Kill it mid-upload. Encryption runs only a few MiB ahead of the upload, so it has not
    // finished either: the resumed run must encrypt again, not rely on a kept ciphertext.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        let journal = walk(&spool)
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "json"));
        if journal && proxy.up_bytes.load(Ordering::SeqCst) > 6 * MIB as u64 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never reached the kill point"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().await.unwrap();
    let _ = child.wait().await;
    // The killed run kept its links and passwords for --resume: the search must see them
    // there, or its silence after the resume would prove nothing.
    let tid = env.pending_transfer_id("sender");
    let pending = env
        .pending_of("sender", &tid)
        .expect("links and passwords kept for --resume");
    let pending_canaries = sent_canaries(&pending);
    let found = canaries_found(&env.homes(), &pending_canaries);
    assert!(
        found.iter().any(|f| f.contains("credentials.toml")),
        "the pending secrets were not found: {found:?}"
    );
    let sent_before = proxy.up_bytes.load(Ordering::SeqCst);
    assert!(
        sent_before < size as u64,
        "the upload finished before the kill"
    );
    proxy.up_rate.store(0, Ordering::SeqCst);

    let out = run(env.kepil("sender").args(["send", "--resume", "--json"])).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let sent = json(&out);
    assert_eq!(sent["transfer"], tid.as_str());
    assert_eq!(sent["recipients"].as_array().unwrap().len(), 2);
    for i in 0..2 {
        assert_eq!(
            sent["recipients"][i]["link"],
            pending["recipients"][i]["link"]
        );
        assert_eq!(
            sent["recipients"][i]["password"],
            pending["recipients"][i]["password"]
        );
    }
    let resumed = proxy.up_bytes.load(Ordering::SeqCst) - sent_before;
    // Only what the store did not have (plus at most one PATCH that was in flight).
    assert!(
        resumed + sent_before < size as u64 + 9 * MIB as u64,
        "re-sent too much: {sent_before} before + {resumed} after for {size}"
    );
    assert!(walk(&spool).is_empty(), "spool left: {:?}", walk(&spool));
    for i in 0..2 {
        let (link, pw) = recipient(&sent, i);
        let out_dir = env.dir(&format!("out{i}"));
        let out = env.receive("r", link, pw, &out_dir).await;
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(sha256_file(&out_dir.join("big.bin")), sha256_file(&f));
    }
    // Nothing left to resume.
    let out = run(env.kepil("sender").args(["send", "--resume", "--json"])).await;
    assert_code(&out, 2, "nothing_to_resume");
    assert!(env.pending_of("sender", &tid).is_none());
    assert_no_canary(
        &env.homes(),
        &pending_canaries,
        "after the resumed send and the receives",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_changed_before_resume_cancels_the_transfer_with_a_clear_error() {
    let env = Env::start_with(EnvOptions {
        proxy: true,
        ..Default::default()
    })
    .await;
    let proxy = env.proxy.clone().unwrap();
    let f = env.dir("src").join("big.bin");
    let size = 16 * MIB;
    write_file(&f, size, 11);
    proxy.up_rate.store(2 * MIB as u64, Ordering::SeqCst);
    let mut child = env
        .kepil("sender")
        .args([
            "send",
            f.to_str().unwrap(),
            "--classification",
            "sulit",
            "--to",
            "a@x.my",
            "--json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while proxy.up_bytes.load(Ordering::SeqCst) < 3 * MIB as u64 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "never reached the kill point"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().await.unwrap();
    let _ = child.wait().await;
    proxy.up_rate.store(0, Ordering::SeqCst);
    let tid = env.pending_transfer_id("sender");
    let pending = env
        .pending_of("sender", &tid)
        .expect("links and passwords kept for --resume");
    let pending_canaries = sent_canaries(&pending);
    // Seen while they are kept, so that not seeing them after the refusal means something.
    let found = canaries_found(&env.homes(), &pending_canaries);
    assert!(
        found.iter().any(|f| f.contains("credentials.toml")),
        "the pending secrets were not found: {found:?}"
    );
    // Same size, other content: encrypting it again under the same key must not happen.
    write_file(&f, size, 12);
    // The killed sender's last bytes may still sit in the proxy's socket buffers; let them
    // drain before counting what the resume sends.
    let mut sent_before = proxy.up_bytes.load(Ordering::SeqCst);
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = proxy.up_bytes.load(Ordering::SeqCst);
        if now == sent_before {
            break;
        }
        sent_before = now;
    }

    let out = run(env.kepil("sender").args(["send", "--resume", "--json"])).await;
    assert_code(&out, 1, "files_changed");
    assert!(
        text(&out.stderr).contains("send the files again"),
        "{}",
        text(&out.stderr)
    );
    // Refused before anything was sent, and nothing is left to resume.
    let resumed = proxy.up_bytes.load(Ordering::SeqCst) - sent_before;
    assert!(resumed < 4096, "{resumed} bytes went up after the refusal");
    let spool = env.home("sender").join("cache").join("spool");
    assert!(walk(&spool).is_empty(), "journal left: {:?}", walk(&spool));
    let out = run(env.kepil("sender").args(["send", "--resume", "--json"])).await;
    assert_code(&out, 2, "nothing_to_resume");
    assert!(
        env.pending_of("sender", &tid).is_none(),
        "pending secrets kept"
    );
    assert_no_canary(
        &env.homes(),
        &pending_canaries,
        "after the transfer was abandoned",
    );
    // Cancelled at the store too, asked with the owner token the sender kept.
    let out = run(env.kepil("sender").args(["status", &tid, "--json"])).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let status = json(&out);
    assert_eq!(status["upload_complete"], false, "{status}");
    let grants = status["grants"].as_array().unwrap();
    assert!(!grants.is_empty(), "{status}");
    for g in grants {
        assert_eq!(g["revoked"], true, "{status}");
    }
}

/// Fails, naming the Debian package, when a tool a test needs is not installed: a test that
/// skips itself would pass without testing anything.
fn require_tool(tool: &str, package: &str) {
    let found = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "{tool} is missing: install the Debian package {package} (scripts/setup does)"
    );
}

/// A SULIT transfer of one small file to one recipient, with downloads to spare.
async fn send_one(env: &Env, seed: u8) -> (std::path::PathBuf, Value) {
    let f = env.dir("src").join("a.txt");
    write_file(&f, 10, seed);
    let sent = env
        .send(&[
            f.to_str().unwrap(),
            "--classification",
            "sulit",
            "--to",
            "a@x.my",
            "--max-downloads",
            "3",
        ])
        .await;
    (f, sent)
}

async fn downloads(env: &Env, sent: &Value) -> Value {
    let tid = sent["transfer"].as_str().unwrap();
    let out = run(env.kepil("sender").args(["status", tid, "--json"])).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    json(&out)["grants"][0]["downloads"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receive_declines_without_yes_when_there_is_no_terminal_answer() {
    require_tool("setsid", "util-linux");
    let env = Env::start().await;
    let (f, sent) = send_one(&env, 11).await;
    let (link, pw) = recipient(&sent, 0);
    let out_dir = env.dir("out");
    // setsid: no controlling terminal even when the tests run from one, so /dev/tty cannot
    // answer the question and a developer's terminal is never asked.
    let mut cmd = env.wrapped("r", "setsid");
    cmd.arg("--wait")
        .arg(KEPIL)
        .args(["receive", link, "--json", "--password-stdin", "-o"])
        .arg(&out_dir);
    let out = run_with_stdin(&mut cmd, format!("{pw}\n")).await;
    assert_code(&out, 2, "no_terminal");
    assert!(
        text(&out.stderr).contains("Use --yes"),
        "{}",
        text(&out.stderr)
    );
    assert!(walk(&out_dir).is_empty(), "saved: {:?}", walk(&out_dir));
    // The manifest (what is asked about) is inside the ciphertext, so the question comes after
    // the proof, which counts the download (docs/cli.md): one counted, the others still there.
    assert_eq!(downloads(&env, &sent).await, 1);
    let out = env.receive("r", link, pw, &out_dir).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(sha256_file(&out_dir.join("a.txt")), sha256_file(&f));
    assert_eq!(downloads(&env, &sent).await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receive_saves_nothing_when_the_user_answers_no() {
    // script(1) runs kepil on a pseudo-terminal: its /dev/tty is the terminal the question
    // goes to, and what is written to script's stdin is typed on it.
    require_tool("script", "bsdutils");
    let env = Env::start().await;
    let (_, sent) = send_one(&env, 14).await;
    let (link, pw) = recipient(&sent, 0);
    let out_dir = env.dir("out");
    let mut cmd = env.wrapped("r", "script");
    cmd.env("SHELL", "/bin/sh")
        .env("KEPIL", KEPIL)
        .env("LINK", link)
        .env("OUT", &out_dir)
        .args([
            "--quiet",
            "--return",
            "--log-out",
            "/dev/null",
            "--command",
            r#"exec "$KEPIL" receive "$LINK" --password-stdin -o "$OUT""#,
        ]);
    let out = run_with_stdin(&mut cmd, format!("{pw}\nn\n")).await;
    // On a terminal stdout and stderr are one stream: script's stdout.
    let shown = text(&out.stdout);
    assert_eq!(out.status.code(), Some(10), "{shown}{}", text(&out.stderr));
    assert!(shown.contains("[y/N]"), "never asked: {shown}");
    assert!(
        shown.contains("a.txt"),
        "the manifest was not shown: {shown}"
    );
    assert!(shown.contains("Not saved. [declined]"), "{shown}");
    assert!(walk(&out_dir).is_empty(), "saved: {:?}", walk(&out_dir));
    assert_eq!(downloads(&env, &sent).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receive_with_yes_saves_a_terbuka_link_without_asking_a_password() {
    let env = Env::start().await;
    let f = env.dir("src").join("a.txt");
    write_file(&f, 10, 11);
    let sent = env
        .send(&[
            f.to_str().unwrap(),
            "--classification",
            "terbuka",
            "--to",
            "a@x.my",
        ])
        .await;
    assert!(sent["recipients"][0]["password"].is_null());
    let link = sent["recipients"][0]["link"].as_str().unwrap();
    // TERBUKA: link only, no password asked (stdin is empty: a prompt would fail).
    let out_dir = env.dir("out");
    let out = run(env.kepil("r").args([
        "receive",
        link,
        "--yes",
        "--json",
        "-o",
        out_dir.to_str().unwrap(),
    ]))
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(sha256_file(&out_dir.join("a.txt")), sha256_file(&f));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_keeps_the_token_and_the_store_in_the_config_directory() {
    let env = Env::start().await;
    let mut login = env.kepil("sender");
    login
        .env_remove("KEPIL_STORE")
        .env_remove("KEPIL_TOKEN")
        .args([
            "login",
            "--store",
            &env.url,
            "--save-store",
            "--token-stdin",
        ]);
    let out = run_with_stdin(&mut login, format!("{}\n", env.token)).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let home = env.home("sender");
    let creds = home.join("credentials.toml");
    // Where it went, and why there: never a silent file.
    let said = text(&out.stderr);
    assert!(
        said.contains(&format!("saved in the private file {}", creds.display()))
            && said.contains("because KEPIL_NO_KEYRING asks for it"),
        "{said}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&creds).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    assert!(
        std::fs::read_to_string(home.join("config.toml"))
            .unwrap()
            .contains(&env.url)
    );
    let f = env.dir("src").join("a.txt");
    write_file(&f, 10, 12);
    let mut send = env.kepil("sender");
    send.env_remove("KEPIL_STORE")
        .env_remove("KEPIL_TOKEN")
        .args([
            "send",
            f.to_str().unwrap(),
            "--classification",
            "terhad",
            "--to",
            "a@x.my",
            "--json",
        ]);
    let out = run(&mut send).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The owner token for status/revoke went to the same 0600 file; no password or link secret
    // stayed anywhere.
    let sent = json(&out);
    let creds_text = std::fs::read_to_string(&creds).unwrap();
    assert!(creds_text.contains(&format!(
        "owner-token:{}",
        sent["transfer"].as_str().unwrap()
    )));
    assert_no_canary(&env.homes(), &sent_canaries(&sent), "after the send");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_come_in_bahasa_melayu_by_default() {
    let env = Env::start().await;
    let mut cmd = env.kepil("sender");
    cmd.env_remove("KEPIL_LANG").args([
        "send",
        "/nonexistent",
        "--classification",
        "rahsia",
        "--to",
        "a@x.my",
    ]);
    let out = run(&mut cmd).await;
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("TIDAK DIBENARKAN"),
        "{}",
        text(&out.stderr)
    );
    let mut cmd = env.kepil("sender");
    cmd.env_remove("KEPIL_LANG").args([
        "--lang",
        "en",
        "send",
        "/nonexistent",
        "--classification",
        "rahsia",
        "--to",
        "a@x.my",
    ]);
    let out = run(&mut cmd).await;
    assert!(
        text(&out.stderr).contains("NOT ALLOWED"),
        "{}",
        text(&out.stderr)
    );
}

/// With a real Secret Service (gnome-keyring in a private D-Bus session, its files in the
/// test's HOME), tokens go to the keyring and no credentials file is written. The tools are
/// required: without them this test fails rather than pass untested.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_go_to_the_os_keyring_when_one_answers() {
    require_tool("dbus-run-session", "dbus-daemon");
    require_tool("gnome-keyring-daemon", "gnome-keyring");
    require_tool("secret-tool", "libsecret-tools");
    let env = Env::start().await;
    let f = env.dir("src").join("a.txt");
    write_file(&f, 10, 13);
    let home = env.home("sender");
    // secret-tool reads the token back from the keyring inside the same session, under the
    // attributes the keyring crate gives it (service, username = Kepil's key).
    let script = r#"
        set -e
        eval "$(printf kepil-test | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null | sed 's/^/export /')"
        printf '%s\n' "$TEST_TOKEN" | "$KEPIL" login --store "$TEST_STORE" --token-stdin
        secret-tool lookup service kepil username "uploader-token:$TEST_STORE" > "$HOME/from-keyring"
        "$KEPIL" send "$TEST_FILE" --classification terhad --to a@x.my --json --store "$TEST_STORE" > "$HOME/sent.json"
        id=$(sed 's/.*"transfer":"\([^"]*\)".*/\1/' "$HOME/sent.json")
        "$KEPIL" status "$id" --json > /dev/null
    "#;
    let mut cmd = tokio::process::Command::new("dbus-run-session");
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("KEPIL_CONFIG_DIR", &home)
        .env("KEPIL_LANG", "en")
        .env("KEPIL", KEPIL)
        .env("TEST_TOKEN", &env.token)
        .env("TEST_STORE", &env.url)
        .env("TEST_FILE", &f)
        .args(["--", "bash", "-c", script])
        .kill_on_drop(true);
    let out = run(&mut cmd).await;
    assert!(
        out.status.success(),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        text(&out.stderr).contains("saved in the system keyring"),
        "{}",
        text(&out.stderr)
    );
    let from_keyring = home.join("from-keyring");
    assert_eq!(
        std::fs::read_to_string(&from_keyring).unwrap().trim(),
        env.token,
        "the keyring does not hold the token"
    );
    std::fs::remove_file(&from_keyring).unwrap();
    assert!(
        !home.join("credentials.toml").exists(),
        "fell back to the file"
    );
    // Nowhere under HOME in clear (gnome-keyring's own files there are encrypted), and the
    // passwords of the send are not either.
    let mut canaries = vec![Canary {
        label: "uploader token".into(),
        bytes: env.token.clone().into_bytes(),
        ignore_case: false,
    }];
    let sent: Value =
        serde_json::from_slice(&std::fs::read(home.join("sent.json")).unwrap()).expect("sent.json");
    std::fs::remove_file(home.join("sent.json")).unwrap();
    canaries.extend(sent_canaries(&sent));
    assert_no_canary(&home, &canaries, "after login and send with the keyring");
}
