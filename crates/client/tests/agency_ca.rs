//! A managed desktop's policy may name the agency's own CA: a store whose certificate only that
//! CA vouches for must be refused until the CA is trusted, and reachable after. Its own test
//! binary because the trust is process-wide.

use kepil_client::api::{StoreClient, trust_ca_pem};
use kepil_client::error::NetError;

#[tokio::test]
async fn a_store_signed_by_the_agency_ca_is_reached_only_once_that_ca_is_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let cert_path = dir.path().join("cert.pem");
    let key_path = dir.path().join("key.pem");
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.key_pair.serialize_pem()).unwrap();
    let mut config = kepil_store::Config::for_data_dir(dir.path().join("data"));
    config.tls = Some(kepil_store::config::TlsConfig {
        cert: cert_path,
        key: key_path,
    });
    let server = kepil_store::Server::bind(config).await.unwrap();
    let url: url::Url = format!("https://localhost:{}/", server.local_addr().port())
        .parse()
        .unwrap();

    let before = StoreClient::new(url.clone()).unwrap().policy().await;
    assert!(
        matches!(&before, Err(NetError::UntrustedCertificate { host, .. }) if host == "localhost"),
        "an unknown CA must fail verification, got {before:?}"
    );

    assert!(matches!(
        trust_ca_pem(b"not a certificate"),
        Err(NetError::BadCertificate(_))
    ));
    assert_eq!(trust_ca_pem(cert.cert.pem().as_bytes()).unwrap(), 1);

    let policy = StoreClient::new(url).unwrap().policy().await.unwrap();
    assert!(policy.max_blob_size > 0);
    server.shutdown().await;
}
