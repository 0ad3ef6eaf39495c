//! Agency IT rolls its CA out through the operating system's certificate store. A store whose
//! certificate only that CA signed is reached when the CA is in the system's store, with no
//! policy CA (here the bundle `SSL_CERT_FILE` names: the OpenSSL convention that
//! rustls-native-certs reads as the system store on Linux); it is refused, with its own message
//! and without retries, when it is not; and `--ca-certificate` adds a CA for one run.

mod common;

use common::*;

struct AgencyCa {
    pem: String,
    cert: String,
    key: String,
}

fn agency_ca() -> AgencyCa {
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Agensi Ujian Root CA");
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let ca = params.self_signed(&ca_key).unwrap();
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()])
        .unwrap()
        .signed_by(&leaf_key, &ca, &ca_key)
        .unwrap();
    AgencyCa {
        pem: ca.pem(),
        cert: leaf.pem(),
        key: leaf_key.serialize_pem(),
    }
}

/// Another CA, so that the "system store" without the agency's is not empty.
fn unrelated_ca() -> String {
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let key = rcgen::KeyPair::generate().unwrap();
    params.self_signed(&key).unwrap().pem()
}

#[tokio::test]
async fn the_system_certificate_store_and_the_command_line_ca_are_trusted() {
    let ca = agency_ca();
    let pki = tempfile::tempdir().unwrap();
    let (cert, key) = (pki.path().join("store.pem"), pki.path().join("store.key"));
    std::fs::write(&cert, &ca.cert).unwrap();
    std::fs::write(&key, &ca.key).unwrap();
    let env = Env::start_with(EnvOptions {
        configure: Some(Box::new(move |c: &mut kepil_store::Config| {
            c.tls = Some(kepil_store::config::TlsConfig { cert, key });
        })),
        ..Default::default()
    })
    .await;
    let url = format!("https://localhost:{}/", env.store().local_addr().port());
    let without = env.dir("pki").join("system-without-agency.pem");
    std::fs::write(&without, unrelated_ca()).unwrap();
    let with = env.dir("pki").join("system-with-agency.pem");
    std::fs::write(&with, format!("{}{}", unrelated_ca(), ca.pem)).unwrap();
    let agency_pem = env.dir("pki").join("agency-ca.pem");
    std::fs::write(&agency_pem, &ca.pem).unwrap();
    let file = env.dir("files").join("surat.txt");
    std::fs::write(&file, b"Surat rasmi").unwrap();
    let send = |system: &std::path::Path| {
        let mut cmd = env.kepil("sender");
        cmd.env("KEPIL_STORE", &url)
            .env("SSL_CERT_FILE", system)
            .args(["send", "--classification", "TERHAD", "--to"])
            .arg("penerima@agensi.gov.my")
            .arg(&file)
            .arg("--json");
        cmd
    };

    // Not in the system's store: refused as untrusted, at once.
    let out = run(&mut send(&without)).await;
    assert_eq!(
        error_code(&out),
        (Some(6), "certificate_untrusted".into()),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stdout).contains("localhost") && text(&out.stdout).contains("unknown issuer"),
        "{}",
        text(&out.stdout)
    );

    // In the system's store, and no CA in any policy or option: reached.
    let out = run(&mut send(&with)).await;
    assert!(out.status.success(), "{}", text(&out.stderr));

    // A CA for this run only.
    let out = run(send(&without).arg("--ca-certificate").arg(&agency_pem)).await;
    assert!(out.status.success(), "{}", text(&out.stderr));

    // The system policy's CA, as IT configures it for a store not yet in the system's store.
    std::fs::write(
        env.policy_file("sender"),
        format!(
            "[store]\nurl = \"{url}\"\nca_certificate = \"{}\"\n",
            agency_pem.display()
        ),
    )
    .unwrap();
    let out = run(&mut send(&without)).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    std::fs::remove_file(env.policy_file("sender")).unwrap();

    // A CA file that holds none is a clear error naming it, before anything is sent.
    let out = run(send(&with).arg("--ca-certificate").arg(&file)).await;
    assert_eq!(error_code(&out), (Some(2), "bad_certificate".into()));
    assert!(
        text(&out.stdout).contains("surat.txt"),
        "{}",
        text(&out.stdout)
    );
}
