//! Malware scanning at both ends (issue 16), with the real `kepil` binary, a real kepil-store and
//! a real clamd (test-support's, with its own EICAR and marker signatures): a send of EICAR is
//! refused and leaves nothing at the store; a package that carries it (sent unscanned) is
//! refused on receive with nothing saved and a report to copy; a stopped clamd under a policy
//! that requires scanning refuses both ways, before the store counts a download; a clean send
//! seals the scan for the recipient, whose saved file carries its origin; a 1 GiB file is
//! scanned within the send.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use kepil_test_support::clamd::{Clamd, EICAR, EICAR_SIGNATURE, MARKER, MARKER_SIGNATURE};

fn error_code(out: &std::process::Output) -> String {
    assert!(
        !out.status.success(),
        "expected a failure: {}",
        text(&out.stdout)
    );
    json(out)["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Ciphertext files at the store (its metadata database aside).
fn blobs(env: &Env) -> Vec<PathBuf> {
    walk(&env.data_dir.join("blobs"))
}

/// Everything a user's Kepil keeps that names a transfer: history, journals, pending secrets.
fn leftovers(env: &Env, user: &str) -> Vec<String> {
    let home = env.home(user);
    let mut out: Vec<String> = walk(&home.join("cache").join("spool"))
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let history = home.join("data").join("history.json");
    if let Ok(text) = std::fs::read_to_string(&history)
        && text.trim() != "[]"
    {
        out.push(format!("history: {text}"));
    }
    out
}

async fn send_as(
    env: &Env,
    user: &str,
    scanner: Option<&str>,
    files: &[&Path],
) -> std::process::Output {
    let mut cmd = env.kepil(user);
    if let Some(s) = scanner {
        cmd.env("KEPIL_SCANNER", s);
    }
    cmd.args([
        "send",
        "-c",
        "sulit",
        "--to",
        "penerima@agensi.gov.my",
        "--json",
    ])
    .args(files);
    run(&mut cmd).await
}

async fn receive_as(
    env: &Env,
    user: &str,
    scanner: Option<&str>,
    link: &str,
    password: &str,
    out_dir: &Path,
) -> std::process::Output {
    let mut cmd = env.kepil(user);
    if let Some(s) = scanner {
        cmd.env("KEPIL_SCANNER", s);
    }
    cmd.arg("receive")
        .arg(link)
        .args(["--yes", "--json", "--password-stdin", "--output"])
        .arg(out_dir);
    run_with_stdin(&mut cmd, format!("{password}\n")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_eicar_file_is_refused_and_nothing_stays_at_the_store() {
    let daemon = Clamd::start();
    let env = Env::start().await;
    let dir = env.dir("in");
    let clean = dir.join("Minit Mesyuarat.pdf");
    write_file(&clean, 3 << 20, 1);
    let eicar = dir.join("lampiran.com");
    std::fs::write(&eicar, EICAR).unwrap();

    let out = send_as(&env, "a", Some(&daemon.unix_address()), &[&clean, &eicar]).await;
    assert_eq!(error_code(&out), "infected_send", "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["error"]["params"]["signature"], EICAR_SIGNATURE);
    assert_eq!(v["error"]["params"]["name"], "lampiran.com");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("lampiran.com") && stderr.contains(EICAR_SIGNATURE),
        "{stderr}"
    );
    // The upload was terminated: no ciphertext at the store, no journal, links or history here.
    assert!(blobs(&env).is_empty(), "{:?}", blobs(&env));
    assert!(
        leftovers(&env, "a").is_empty(),
        "{:?}",
        leftovers(&env, "a")
    );

    // The same clean file alone goes, scanned and sealed.
    let out = send_as(&env, "a", Some(&daemon.unix_address()), &[&clean]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let scan = &json(&out)["scan"];
    assert!(
        scan["engine"].as_str().unwrap().starts_with("ClamAV "),
        "{scan}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_package_carrying_eicar_is_refused_on_receive_with_nothing_saved() {
    let daemon = Clamd::start();
    let env = Env::start().await;
    let dir = env.dir("in");
    let eicar = dir.join("invois.pdf.exe");
    std::fs::write(&eicar, EICAR).unwrap();
    // The sender has no scanner: the package goes, marked as not scanned.
    let out = send_as(&env, "sender", None, &[&eicar]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let sent = json(&out);
    assert!(sent["scan"].is_null(), "{sent}");
    let (link, password) = recipient(&sent, 0);

    let out_dir = env.dir("saved");
    let out = receive_as(
        &env,
        "r",
        Some(&daemon.unix_address()),
        link,
        password,
        &out_dir,
    )
    .await;
    assert_eq!(
        error_code(&out),
        "infected_receive",
        "{}",
        text(&out.stderr)
    );
    let v = json(&out);
    let params = &v["error"]["params"];
    assert_eq!(params["signature"], EICAR_SIGNATURE);
    assert_eq!(params["transfer_id"], sent["transfer"]);
    // The store vouches for the uploader: the report names them and the store.
    assert_eq!(params["sender"], "pengirim@agensi.gov.my");
    assert_eq!(params["sender_status"], "verified");
    let report = v["error"]["message"].as_str().unwrap();
    assert!(report.contains(EICAR_SIGNATURE), "{report}");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(sent["transfer"].as_str().unwrap()),
        "the report to copy names the transfer: {stderr}"
    );
    // Nothing saved, not even a temporary file.
    let left: Vec<_> = std::fs::read_dir(&out_dir).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_required_scanner_that_is_stopped_refuses_both_ways_before_anything_counts() {
    let mut daemon = Clamd::start();
    let env = Env::start().await;
    let policy = format!(
        "[scan]\nscanner = \"{}\"\nsend = \"required\"\nreceive = \"required\"\n",
        daemon.unix_address()
    );
    for user in ["sender", "r"] {
        std::fs::write(env.policy_file(user), &policy).unwrap();
    }
    let dir = env.dir("in");
    let file = dir.join("surat.txt");
    std::fs::write(&file, b"Surat rasmi").unwrap();
    // One download only: a refused receive must not have used it.
    let sent = env
        .send(&[
            "-c",
            "sulit",
            "--to",
            "penerima@agensi.gov.my",
            "--max-downloads",
            "1",
            file.to_str().unwrap(),
        ])
        .await;
    assert!(sent["scan"]["engine"].is_string(), "{sent}");
    let (link, password) = recipient(&sent, 0);

    daemon.stop();
    let out = send_as(&env, "sender", None, &[&file]).await;
    assert_eq!(
        error_code(&out),
        "scanner_unreachable",
        "{}",
        text(&out.stderr)
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains("ICT"), "says who must fix it: {stderr}");
    assert_eq!(blobs(&env).len(), 1, "only the first send's blob");

    let out_dir = env.dir("saved");
    let out = receive_as(&env, "r", None, link, password, &out_dir).await;
    assert_eq!(
        error_code(&out),
        "scanner_unreachable",
        "{}",
        text(&out.stderr)
    );
    assert!(std::fs::read_dir(&out_dir).unwrap().next().is_none());

    // Once IT has clamd running again the one download is still there.
    daemon.restart();
    let out = receive_as(&env, "r", None, link, password, &out_dir).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json(&out);
    assert!(v["scanned_here"]["engine"].is_string(), "{v}");
    assert!(v["sender_scan"]["engine"].is_string(), "{v}");

    // A policy that requires a scanner whose signatures are of unknown age (this fixture's
    // own database) and caps their age refuses too: unknown is not recent.
    std::fs::write(
        env.policy_file("sender"),
        format!("{policy}max_signature_age_hours = 24\n"),
    )
    .unwrap();
    let out = send_as(&env, "sender", None, &[&file]).await;
    assert_eq!(
        error_code(&out),
        "scanner_signatures_undated",
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_file_arrives_scanned_at_both_ends_and_marked_with_its_origin() {
    let daemon = Clamd::start();
    let env = Env::start().await;
    let dir = env.dir("in");
    let file = dir.join("Laporan Tahunan.pdf");
    write_file(&file, 1 << 20, 7);
    let out = send_as(&env, "sender", Some(&daemon.tcp_address()), &[&file]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let sent = json(&out);
    let (link, password) = recipient(&sent, 0);

    let out_dir = env.dir("saved");
    let out = receive_as(
        &env,
        "r",
        Some(&daemon.unix_address()),
        link,
        password,
        &out_dir,
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["sender_scan"]["engine"], sent["scan"]["engine"]);
    assert!(v["sender_scan"]["scanned_at"].is_string());
    assert!(v["scanned_here"]["engine"].is_string());
    let saved = out_dir.join("Laporan Tahunan.pdf");
    assert_eq!(sha256_file(&saved), sha256_file(&file));
    let origin = kepil_client::origin::read(&saved).expect("user.xdg.origin.url");
    let (without_secret, _) = link.split_once('#').unwrap();
    assert_eq!(origin, without_secret);

    // Both scans reached clamd: the sender's and the recipient's.
    let log = daemon.log();
    assert!(log.matches("): OK").count() >= 2, "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_marker_at_the_end_of_a_large_file_stops_the_send_after_the_whole_file_was_scanned() {
    let daemon = Clamd::start();
    let env = Env::start().await;
    let dir = env.dir("in");
    let file = dir.join("data.bin");
    write_file(&file, 48 << 20, 3);
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&file)
            .unwrap();
        f.write_all(MARKER).unwrap();
    }
    let out = send_as(&env, "a", Some(&daemon.unix_address()), &[&file]).await;
    assert_eq!(error_code(&out), "infected_send", "{}", text(&out.stderr));
    assert_eq!(json(&out)["error"]["params"]["signature"], MARKER_SIGNATURE);
    // Most of the ciphertext had gone up while the file streamed through clamd; the
    // termination took it back.
    assert!(blobs(&env).is_empty(), "{:?}", blobs(&env));
    assert!(
        leftovers(&env, "a").is_empty(),
        "{:?}",
        leftovers(&env, "a")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_1_gib_file_is_scanned_within_the_send() {
    let daemon = Clamd::start();
    let env = Env::start().await;
    let dir = env.dir("in");
    let file = dir.join("besar.bin");
    write_file(&file, 1 << 30, 9);
    let out = send_as(&env, "a", Some(&daemon.unix_address()), &[&file]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(json(&out)["scan"]["engine"].is_string());
    let log = daemon.log();
    assert!(log.contains("): OK"), "{log}");
}
