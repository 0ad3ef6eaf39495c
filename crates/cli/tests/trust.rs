//! What a recipient can rely on (issue 15), end to end with the real `kepil` binary and a real
//! kepil-store: the sender the store verified apart from the one the package claims, a forged
//! sender warned about before the question, an older store that says nothing labelled "not
//! verified", hostile file names shown and saved sanitised, dangerous types warned about, and a
//! package a modified sender sealed RAHSIA refused with nothing saved.

mod common;

use std::path::Path;
use std::process::Output;

use common::*;
use kepil_core::classification::Classification;
use serde_json::Value;

/// The store's token (common::Env) is issued to this account.
const UPLOADER: &str = "pengirim@agensi.gov.my";
/// What a forging sender writes into the package instead.
const FORGED: &str = "ketua.pengarah@agensi.gov.my";

fn require_tool(tool: &str, package: &str) {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "{tool} is missing: install the Debian package {package} (scripts/setup does)"
    );
}

/// `kepil receive LINK --password-stdin -o OUT` on a pseudo-terminal (script(1)), answering the
/// question with `answer`; returns what the terminal showed.
async fn receive_on_a_terminal(
    env: &Env,
    link: &str,
    password: &str,
    out_dir: &Path,
    answer: &str,
) -> (Option<i32>, String) {
    require_tool("script", "bsdutils");
    let mut cmd = env.wrapped("r", "script");
    cmd.env("SHELL", "/bin/sh")
        .env("KEPIL", KEPIL)
        .env("LINK", link)
        .env("OUT", out_dir)
        .args([
            "--quiet",
            "--return",
            "--log-out",
            "/dev/null",
            "--command",
            r#"exec "$KEPIL" receive "$LINK" --password-stdin -o "$OUT""#,
        ]);
    let out = run_with_stdin(&mut cmd, format!("{password}\n{answer}\n")).await;
    (
        out.status.code(),
        format!("{}{}", text(&out.stdout), text(&out.stderr)),
    )
}

fn warning_codes(v: &Value) -> Vec<String> {
    v["warnings"]
        .as_array()
        .unwrap_or_else(|| panic!("no warnings array: {v}"))
        .iter()
        .map(|w| w["code"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_sender_is_shown_apart_and_warned_about_before_the_question() {
    let env = Env::start().await;
    let f = env.dir("src").join("minit.pdf");
    write_file(&f, 100, 1);
    let sent = env
        .send(&[
            f.to_str().unwrap(),
            "--classification",
            "sulit",
            "--to",
            "a@x.my",
            "--max-downloads",
            "2",
            "--from",
            FORGED,
        ])
        .await;
    let (link, pw) = recipient(&sent, 0);

    // On a terminal, answered "n": everything is shown before the question, nothing saved.
    let out_dir = env.dir("declined");
    let (code, shown) = receive_on_a_terminal(&env, link, pw, &out_dir, "n").await;
    assert_eq!(code, Some(10), "{shown}");
    let verified = format!(
        "Sent by the account of a service token, {UPLOADER} — verified by the store 127.0.0.1:"
    );
    let claimed = format!("From (the package's claim, not verified): {FORGED}");
    let warning = format!(
        "WARNING: The store 127.0.0.1:{} vouches that {UPLOADER} uploaded this package, but the package names {FORGED} as its sender.",
        env.store().local_addr().port()
    );
    let question = "despite the warnings above? [y/N]";
    for needle in [
        verified.as_str(),
        claimed.as_str(),
        warning.as_str(),
        question,
    ] {
        assert!(shown.contains(needle), "missing {needle:?} in: {shown}");
    }
    let at = |needle: &str| shown.find(needle).unwrap();
    assert!(
        at(&verified) < at(question) && at(&warning) < at(question),
        "{shown}"
    );
    assert!(shown.contains("Not saved. [declined]"), "{shown}");
    assert!(walk(&out_dir).is_empty(), "saved: {:?}", walk(&out_dir));

    // --json: the verified sender, the claim, and the warning with its parameters.
    let out_dir = env.dir("out");
    let out = env.receive("r", link, pw, &out_dir).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["sender"], FORGED, "{v}");
    assert_eq!(v["verified_sender"]["email"], UPLOADER, "{v}");
    assert_eq!(v["verified_sender"]["provider"], "token", "{v}");
    assert_eq!(warning_codes(&v), ["sender_differs"], "{v}");
    let w = &v["warnings"][0];
    assert_eq!(w["params"]["verified"], UPLOADER);
    assert_eq!(w["params"]["sealed"], FORGED);
    assert!(
        w["message"].as_str().unwrap().contains("3.2 A iii 1 and 3"),
        "{w}"
    );
    // Also on stderr before anything was saved (--yes asks nothing).
    assert!(
        text(&out.stderr).contains(&warning),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(sha256_file(&out_dir.join("minit.pdf")), sha256_file(&f));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_that_matches_the_store_gets_no_warning() {
    let env = Env::start().await;
    let f = env.dir("src").join("a.txt");
    write_file(&f, 10, 2);
    let sent = env
        .send(&[
            f.to_str().unwrap(),
            "--classification",
            "terhad",
            "--to",
            "a@x.my",
            "--from",
            &format!("Pengirim <{UPLOADER}>"),
        ])
        .await;
    let (link, pw) = recipient(&sent, 0);
    let out = env.receive("r", link, pw, &env.dir("out")).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(warning_codes(&v), Vec::<String>::new(), "{v}");
    assert!(
        !text(&out.stderr).contains("WARNING"),
        "{}",
        text(&out.stderr)
    );
}

/// A store in front of the real one that drops `sender` from the proof's answer, as a store
/// from before the verified sender answers.
mod older_store {
    use axum::body::{Body, to_bytes};
    use axum::extract::{Request, State};
    use axum::response::Response;

    #[derive(Clone)]
    struct Upstream {
        base: String,
        http: reqwest::Client,
    }

    pub async fn bind() -> (tokio::net::TcpListener, String) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        (listener, url)
    }

    pub fn serve(listener: tokio::net::TcpListener, upstream: String) {
        let state = Upstream {
            base: upstream.trim_end_matches('/').to_owned(),
            http: reqwest::Client::new(),
        };
        let app = axum::Router::new().fallback(forward).with_state(state);
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    }

    async fn forward(State(up): State<Upstream>, request: Request) -> Response {
        let (parts, body) = request.into_parts();
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default();
        let body = to_bytes(body, 256 << 20).await.unwrap();
        let mut out = up
            .http
            .request(parts.method.clone(), format!("{}{path}", up.base));
        for (name, value) in &parts.headers {
            if name != "host" && name != "content-length" {
                out = out.header(name, value);
            }
        }
        let answer = out.body(body).send().await.unwrap();
        let status = answer.status();
        let headers = answer.headers().clone();
        let mut bytes = answer.bytes().await.unwrap().to_vec();
        if path.ends_with("/proof") && status.is_success() {
            let mut grant: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            assert!(
                grant.as_object_mut().unwrap().remove("sender").is_some(),
                "the real store no longer names the sender: {grant}"
            );
            bytes = serde_json::to_vec(&grant).unwrap();
        }
        let mut response = Response::builder().status(status);
        for (name, value) in &headers {
            if name != "content-length" && name != "transfer-encoding" && name != "connection" {
                response = response.header(name, value);
            }
        }
        response.body(Body::from(bytes)).unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_does_not_say_who_uploaded_leaves_the_sender_unverified() {
    let (listener, front) = older_store::bind().await;
    let public = front.clone();
    let mut env = Env::start_with(EnvOptions {
        configure: Some(Box::new(move |c| c.public_url = Some(public))),
        ..EnvOptions::default()
    })
    .await;
    older_store::serve(listener, env.store().base_url().to_string());
    let f = env.dir("src").join("a.txt");
    write_file(&f, 10, 3);
    let sent = env
        .send(&[
            f.to_str().unwrap(),
            "--classification",
            "sulit",
            "--to",
            "a@x.my",
            "--max-downloads",
            "2",
            "--from",
            UPLOADER,
        ])
        .await;
    let (link, pw) = recipient(&sent, 0);
    assert!(link.starts_with(&front), "{link} is not behind {front}");
    // The recipients know this store (it is the one their own Kepil is set up with).
    env.url = front.clone();

    let out_dir = env.dir("declined");
    let (code, shown) = receive_on_a_terminal(&env, link, pw, &out_dir, "n").await;
    assert_eq!(code, Some(10), "{shown}");
    for needle in [
        ", trusted by this computer",
        "Sender: not verified by the store 127.0.0.1:",
        &format!("From (the package's claim, not verified): {UPLOADER}"),
        &format!("\"{UPLOADER}\" is only what the package itself says"),
    ] {
        assert!(shown.contains(needle), "missing {needle:?} in: {shown}");
    }
    assert!(!shown.contains("Sent by"), "{shown}");
    assert!(walk(&out_dir).is_empty());

    let out = env.receive("r", link, pw, &env.dir("out")).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json(&out);
    assert!(v["verified_sender"].is_null(), "{v}");
    assert_eq!(warning_codes(&v), ["sender_unverified"], "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_names_are_shown_and_saved_sanitised_and_dangerous_types_warned() {
    let env = Env::start().await;
    let src = env.dir("src");
    // Each as the sender's own disk names it (Linux allows all of these).
    let names = [
        "Laporan\u{202E}fdp.exe",
        "\u{3164}.pdf",
        "CON.txt",
        "pelancar.desktop",
        "belanjawan.xlsm",
        "biasa.pdf",
    ];
    let mut args = vec![];
    for (i, name) in names.iter().enumerate() {
        let p = src.join(name);
        write_file(&p, 50 + i, i as u8);
        args.push(p.display().to_string());
    }
    args.extend(
        [
            "--classification",
            "sulit",
            "--to",
            "a@x.my",
            "--max-downloads",
            "2",
            "--from",
            UPLOADER,
        ]
        .map(String::from),
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let sent = env.send(&args).await;
    let (link, pw) = recipient(&sent, 0);

    let out_dir = env.dir("declined");
    let (code, shown) = receive_on_a_terminal(&env, link, pw, &out_dir, "n").await;
    assert_eq!(code, Some(10), "{shown}");
    // Nothing invisible or direction-changing reaches the terminal; the package's own name
    // is spelled out under the one it will be saved as.
    for c in ['\u{202E}', '\u{3164}'] {
        assert!(!shown.contains(c), "{c:?} reached the terminal: {shown}");
    }
    assert!(
        shown.contains("name in the package: Laporan<U+202E>fdp.exe"),
        "{shown}"
    );
    assert!(
        shown.contains("name in the package: <U+3164>.pdf"),
        "{shown}"
    );
    assert!(shown.contains("  _CON.txt  ("), "{shown}");
    assert!(
        shown.contains("  Laporanfdp.exe  (") && shown.contains("(!)"),
        "{shown}"
    );
    for needle in [
        "Laporanfdp.exe is a program, script or shortcut",
        "pelancar.desktop is a program, script or shortcut",
        "belanjawan.xlsm is a document that can carry macros",
    ] {
        assert!(shown.contains(needle), "missing {needle:?} in: {shown}");
        assert!(shown.find(needle) < shown.find("[y/N]"), "{shown}");
    }
    assert!(!shown.contains("biasa.pdf is"), "{shown}");
    assert!(walk(&out_dir).is_empty());

    let out_dir = env.dir("out");
    let out = env.receive("r", link, pw, &out_dir).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(
        warning_codes(&v),
        ["dangerous_file", "dangerous_file", "dangerous_file"],
        "{v}"
    );
    let kinds: Vec<&str> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["params"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["program", "program", "macro"]);
    let mut saved: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    saved.sort();
    for name in &saved {
        assert!(
            !name.chars().any(kepil_core::text::is_hidden),
            "saved as {name:?}"
        );
    }
    assert!(saved.contains(&"_CON.txt".to_owned()), "{saved:?}");
    assert!(saved.contains(&"Laporanfdp.exe".to_owned()), "{saved:?}");
    assert!(saved.contains(&"belanjawan.xlsm".to_owned()), "{saved:?}");
    assert_eq!(saved.len(), names.len(), "{saved:?}");
    for (i, name) in names.iter().enumerate() {
        let want = sha256_file(&src.join(name));
        let path = &v["files"][i]["path"];
        assert_eq!(
            sha256_file(Path::new(path.as_str().unwrap())),
            want,
            "{name:?}"
        );
    }
}

/// A modified sender: speaks the store's API itself (as any program with a token can) and
/// seals a package the real sender never would, declared to the store as `declared`.
/// Answers the link and, when `declared` needs one, the password.
async fn modified_send(
    env: &Env,
    declared: Classification,
    sealed: &str,
    files: &[(&str, &[u8])],
) -> (String, Option<String>) {
    use kepil_client::SecretString;
    use kepil_core::kdf::{self, KdfParams, LinkSecret};
    use kepil_protocol::{BlobChecksum, CreateTransfer, GrantSpec};
    use sha2::{Digest, Sha256};
    use std::io::Write;

    let base = url::Url::parse(&env.url).unwrap();
    let client = kepil_client::api::StoreClient::new(base.clone()).unwrap();
    let token = SecretString::new(env.token.clone());
    let stamp = format!("{:?}{:?}", env.tmp.path(), std::time::SystemTime::now());
    let transfer_id = kepil_protocol::b64_encode(&Sha256::digest(stamp.as_bytes())[..16]);
    let secret = LinkSecret::generate();
    let password = declared
        .requires_password()
        .then(kepil_core::password::Password::generate);
    let params = KdfParams::DEFAULT;
    let keys = kdf::derive(password.as_ref(), &secret, &transfer_id, &params).unwrap();

    // The package exactly as the format says (docs/architecture.md, `package`): magic,
    // version 2, the manifest's length and JSON, then each file followed by its BLAKE3 hash.
    let now = time::OffsetDateTime::now_utc();
    let rfc3339 = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let manifest = serde_json::to_vec(&serde_json::json!({
        "format_version": 2,
        "classification": sealed,
        "sender": UPLOADER,
        "created_at": rfc3339(now),
        "expires_at": rfc3339(now + time::Duration::days(1)),
        "subject": "Minit mesyuarat",
        "message": "",
        "files": files
            .iter()
            .map(|(name, data)| serde_json::json!({"name": name, "size": data.len()}))
            .collect::<Vec<_>>(),
    }))
    .unwrap();
    let mut plain = b"KEPIL\0PKG\x02".to_vec();
    plain.extend_from_slice(&(manifest.len() as u32).to_be_bytes());
    plain.extend_from_slice(&manifest);
    for (_, data) in files {
        plain.extend_from_slice(data);
        plain.extend_from_slice(blake3::hash(data).as_bytes());
    }
    let identity: age::x25519::Identity = keys.export_identity().expose().parse().unwrap();
    let mut blob = vec![];
    let mut w = age::Encryptor::with_recipients(std::iter::once(
        &identity.to_public() as &dyn age::Recipient
    ))
    .unwrap()
    .wrap_output(&mut blob)
    .unwrap();
    w.write_all(&plain).unwrap();
    w.finish().unwrap();

    let created = client
        .create_transfer(
            &token,
            &CreateTransfer {
                transfer_id,
                classification: declared,
                size: blob.len() as u64,
                expires_in_secs: 3600,
                grants: vec![GrantSpec {
                    label: "a@x.my".into(),
                    auth_key: keys.auth_key.to_base64url().expose().to_owned(),
                    kdf: params,
                    max_downloads: Some(3),
                    link_key: Some(keys.link_key.to_base64url().expose().to_owned()),
                    open_key: Some(keys.open_key.to_base64url().expose().to_owned()),
                }],
            },
        )
        .await
        .unwrap();
    let mut checksum = BlobChecksum::new();
    checksum.update(&blob);
    let upload_url = base.join(&created.upload_url).unwrap();
    let len = blob.len() as u64;
    let offset = client
        .upload_patch(&token, &upload_url, 0, blob, len, Some(checksum.value()))
        .await
        .unwrap();
    assert_eq!(offset, len);
    let link = kepil_core::link::Link::new(base, &created.grants[0].grant_id, secret).unwrap();
    (
        link.to_https().expose().to_owned(),
        password.map(|p| p.expose().to_owned()),
    )
}

async fn receive_json(env: &Env, link: &str, password: Option<&str>, out_dir: &Path) -> Output {
    match password {
        Some(pw) => env.receive("r", link, pw, out_dir).await,
        None => {
            run(env
                .kepil("r")
                .args(["receive", link, "--yes", "--json", "-o"])
                .arg(out_dir))
            .await
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_package_sealed_rahsia_by_a_modified_sender_is_refused_with_nothing_saved() {
    let env = Env::start().await;
    for sealed in ["RAHSIA", "RAHSIA BESAR"] {
        let (link, pw) = modified_send(
            &env,
            Classification::Sulit,
            sealed,
            &[("minit.pdf", b"isi minit")],
        )
        .await;
        let out_dir = env.dir(&format!("out-{sealed}"));
        let out = receive_json(&env, &link, pw.as_deref(), &out_dir).await;
        assert_eq!(
            out.status.code(),
            Some(3),
            "{sealed}: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        let v = json(&out);
        assert_eq!(v["error"]["code"], "package_classification_refused", "{v}");
        let message = v["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(sealed) && message.contains("ICT Security Officer"),
            "{message}"
        );
        assert!(walk(&out_dir).is_empty(), "saved: {:?}", walk(&out_dir));
    }

    // The human form in Bahasa Melayu says the same, and still nothing is saved.
    let (link, pw) = modified_send(
        &env,
        Classification::Sulit,
        "RAHSIA",
        &[("minit.pdf", b"isi minit")],
    )
    .await;
    let out_dir = env.dir("out-ms");
    let out = run_with_stdin(
        env.kepil("r")
            .env("KEPIL_LANG", "ms")
            .args(["receive", &link, "--yes", "--password-stdin", "-o"])
            .arg(&out_dir),
        format!("{}\n", pw.unwrap()),
    )
    .await;
    let shown = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{shown}");
    assert!(
        shown.contains("ditandakan RAHSIA") && shown.contains("Pegawai Keselamatan ICT"),
        "{shown}"
    );
    assert!(walk(&out_dir).is_empty(), "saved: {:?}", walk(&out_dir));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sealed_classification_other_than_the_declared_one_is_handled_as_the_higher() {
    let env = Env::start().await;

    // Declared TERHAD, sealed SULIT: SULIT, with a warning.
    let (link, pw) =
        modified_send(&env, Classification::Terhad, "SULIT", &[("a.txt", b"satu")]).await;
    let out = receive_json(&env, &link, pw.as_deref(), &env.dir("out-terhad")).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["classification"], "SULIT", "{v}");
    assert_eq!(v["sealed_classification"], "SULIT", "{v}");
    assert_eq!(v["declared_classification"], "TERHAD", "{v}");
    assert_eq!(warning_codes(&v), ["classification_differs"], "{v}");
    assert_eq!(v["warnings"][0]["params"]["shown"], "SULIT");
    assert!(
        text(&out.stderr).contains("Kepil treats it as SULIT"),
        "{}",
        text(&out.stderr)
    );

    // Declared SULIT, sealed TERHAD: still SULIT (a careless sender does not lower it).
    let (link, pw) =
        modified_send(&env, Classification::Sulit, "TERHAD", &[("a.txt", b"dua")]).await;
    let out = receive_json(&env, &link, pw.as_deref(), &env.dir("out-sulit")).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["classification"], "SULIT", "{v}");
    assert_eq!(warning_codes(&v), ["classification_differs"], "{v}");

    // Declared TERBUKA (the link opens without a password), sealed SULIT: report it.
    let (link, pw) = modified_send(
        &env,
        Classification::Terbuka,
        "SULIT",
        &[("a.txt", b"tiga")],
    )
    .await;
    assert!(pw.is_none());
    let out = receive_json(&env, &link, None, &env.dir("out-terbuka")).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["classification"], "SULIT", "{v}");
    let message = v["warnings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("without a password") && message.contains("3.2 A iii 2"),
        "{message}"
    );
}

/// The same link with its store moved to `host:port` (grant id and secret unchanged).
fn moved_to(link: &str, authority: &str) -> String {
    let rest = link.split_once("://").unwrap().1;
    let path = &rest[rest.find('/').unwrap()..];
    format!("http://{authority}{path}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_to_a_store_this_computer_does_not_know_contacts_nothing_until_allowed() {
    let env = Env::start().await;
    let dir = env.dir("in");
    let file = dir.join("surat.txt");
    std::fs::write(&file, b"Surat rasmi").unwrap();
    let sent = env
        .send(&[
            "-c",
            "sulit",
            "--to",
            "penerima@agensi.gov.my",
            file.to_str().unwrap(),
        ])
        .await;
    let (link, password) = recipient(&sent, 0);
    // The recipient's own store is another one: the link's store is unknown here.
    let recipient_cmd = |extra: &[&str], link: &str| {
        let mut cmd = env.kepil("r");
        cmd.env("KEPIL_STORE", "https://kepil.saya.gov.my")
            .arg("receive")
            .arg(link)
            .args(["--yes", "--json", "--password-stdin", "--output"])
            .arg(env.dir("saved"))
            .args(extra);
        cmd
    };

    // A look-alike store that records whether anyone connects.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let lookalike = listener.local_addr().unwrap().to_string();
    let phished = moved_to(link, &lookalike);
    let out = run_with_stdin(&mut recipient_cmd(&[], &phished), format!("{password}\n")).await;
    assert!(!out.status.success());
    let v = json(&out);
    assert_eq!(v["error"]["code"], "store_unconfirmed", "{v}");
    assert_eq!(v["error"]["params"]["host"], lookalike.as_str());
    assert!(
        listener.accept().is_err(),
        "the unknown store was contacted before anyone confirmed it"
    );
    // Allowing another host than the link's changes nothing.
    let out = run_with_stdin(
        &mut recipient_cmd(&["--allow-store", "kepil.saya.gov.my"], &phished),
        format!("{password}\n"),
    )
    .await;
    assert_eq!(json(&out)["error"]["code"], "store_unconfirmed");
    assert!(listener.accept().is_err());

    // The real store, named by the person after checking with the sender: received.
    let host = link.split_once("://").unwrap().1.split('/').next().unwrap();
    let out = run_with_stdin(
        &mut recipient_cmd(&["--allow-store", host], link),
        format!("{password}\n"),
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));

    // A policy that refuses other stores: not even --allow-store reaches it.
    std::fs::write(env.policy_file("r"), "[trust]\nother_stores = \"refuse\"\n").unwrap();
    let out = run_with_stdin(
        &mut recipient_cmd(&["--allow-store", host], link),
        format!("{password}\n"),
    )
    .await;
    assert_eq!(
        json(&out)["error"]["code"],
        "store_refused",
        "{}",
        text(&out.stderr)
    );
    // ... unless the policy lists it.
    std::fs::write(
        env.policy_file("r"),
        format!("[trust]\nother_stores = \"refuse\"\n[[trust.stores]]\nurl = \"{}\"\nname = \"Kepil Ujian\"\n", env.url),
    )
    .unwrap();
    let out = run_with_stdin(&mut recipient_cmd(&[], link), format!("{password}\n")).await;
    assert_ne!(
        json(&out)["error"]["code"],
        "store_refused",
        "{}",
        text(&out.stderr)
    );
}
