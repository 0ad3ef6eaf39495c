//! The password, the link secret, file names, subject, message and contents never reach the
//! store: not its data directory (database, blobs, audit log) and not its logs, at any level.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;

#[derive(Clone)]
struct LogFile(Arc<Mutex<Vec<u8>>>);

impl Write for LogFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    let needle = needle.as_bytes();
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_and_names_never_reach_the_store_data_or_logs() {
    let log = LogFile(Arc::new(Mutex::new(Vec::new())));
    let writer = log.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let env = Env::start().await;
    let src = env.dir("src");
    let name = "Kanari-NamaFail-7f3a9c.docx";
    let content = "KANDUNGAN-RAHSIA-d41d8cd98f";
    std::fs::write(src.join(name), format!("{content}\n").repeat(1000)).unwrap();
    let subject = "Perkara-Kanari-5e2b";
    let message = "Mesej-Kanari-91c0";
    let sent = env
        .send(&[
            src.join(name).to_str().unwrap(),
            "--classification",
            "sulit",
            "--to",
            "a@x.gov.my",
            "--to",
            "b@x.gov.my",
            "--subject",
            subject,
            "--message",
            message,
        ])
        .await;
    let mut canaries: Vec<String> =
        vec![name.into(), content.into(), subject.into(), message.into()];
    for i in 0..2 {
        let (link, pw) = recipient(&sent, i);
        canaries.push(pw.to_string());
        canaries.push(pw.replace('-', ""));
        let secret = link.split('#').nth(1).unwrap().to_string();
        assert!(secret.len() >= 22, "{link}");
        canaries.push(secret);
    }
    // Exercise every route that sees something of the recipient: a wrong proof, a good one,
    // status and revoke.
    let (link, pw) = recipient(&sent, 0);
    let out = env
        .receive("r", link, "AAAA-BBBB-CCCC-DDDD", &env.dir("wrong"))
        .await;
    assert!(!out.status.success());
    let out_dir = env.dir("out");
    let out = env.receive("r", link, pw, &out_dir).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out_dir.join(name).exists());
    let tid = sent["transfer"].as_str().unwrap();
    let out = run(env.kepil("sender").args(["status", tid, "--json"])).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(env
        .kepil("sender")
        .args(["revoke", tid, "--recipient", "b@x.gov.my"]))
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));

    let logs = log.0.lock().unwrap().clone();
    assert!(
        !logs.is_empty(),
        "the store logged nothing: the capture is broken"
    );
    // The uploader token is kept hashed: it must not appear either.
    canaries.push(env.token.clone());
    for canary in &canaries {
        assert!(!contains(&logs, canary), "{canary:?} in the store's log");
        for file in env.store_files() {
            let bytes = std::fs::read(&file).unwrap();
            assert!(
                !contains(&bytes, canary),
                "{canary:?} in {}",
                file.display()
            );
        }
    }
    // And the sender keeps no plaintext copy: only ciphertext in the (now empty) spool.
    for file in walk(&env.home("sender")) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !contains(&bytes, content),
            "plaintext in {}",
            file.display()
        );
    }
}
