//! No secret type ever shows its value through `Debug` or `Display`, however it is nested.

use kepil_core::kdf::{self, AuthKey, GrantInput, KdfParams, LinkSecret};
use kepil_core::link::Link;
use kepil_core::password::Password;
use kepil_core::secret::{REDACTED, SecretBytes, SecretString};
use url::Url;

fn assert_hidden(shown: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!s.is_empty());
        assert!(!shown.contains(s), "{shown:?} contains {s:?}");
    }
}

#[test]
fn every_secret_type_is_redacted() {
    let password = Password::parse("7K3M-Q9XD-2HRT-B8ZW").unwrap();
    let secret = LinkSecret::from_bytes(*b"link-secret-1234");
    let secret_b64 = secret.to_base64url().expose().to_owned();
    let auth = AuthKey::from_bytes([0x5a; 32]);
    let auth_b64 = auth.to_base64url().expose().to_owned();
    let text = SecretString::new("top-secret-text");
    let bytes = SecretBytes::new(*b"raw-secret-bytes");
    let link = Link::new(
        Url::parse("https://kepil.gov.my").unwrap(),
        "AAAAAAAAAAAAAAAAAAAAAA",
        secret.clone(),
    )
    .unwrap();
    let https = link.to_https();
    let deep = link.to_deep_link();

    let secrets = [
        "7K3M",
        "Q9XD",
        "7K3MQ9XD2HRTB8ZW",
        secret_b64.as_str(),
        "link-secret",
        auth_b64.as_str(),
        "WlpaWlpa",
        "90, 90",
        "top-secret-text",
        "raw-secret",
        "114, 97, 119",
    ];

    let shown = [
        format!("{password:?} {password} {password:#?}"),
        format!("{secret:?} {secret:#?}"),
        format!("{auth:?} {auth:#?}"),
        format!("{text:?} {text} {text:#?}"),
        format!("{bytes:?} {bytes} {bytes:x?}"),
        format!("{link:?} {link} {link:#?}"),
        format!("{https:?} {https} {deep:?} {deep}"),
        format!("{:?}", (Some(&password), vec![&secret], [&auth])),
        format!(
            "{:?}",
            GrantInput {
                password: Some(&password),
                secret: &secret,
            }
        ),
        format!("{:?}", Password::parse("7K3M-Q9XD-2HRT-B8ZW")),
        format!("{:?}", Link::parse(https.expose())),
    ];
    for s in &shown {
        assert_hidden(s, &secrets);
        assert!(s.contains(REDACTED), "{s}");
    }
    // While the explicit accessors do give the values.
    assert_eq!(password.expose(), "7K3M-Q9XD-2HRT-B8ZW");
    assert_eq!(text.expose(), "top-secret-text");
    assert_eq!(bytes.expose_bytes(), b"raw-secret-bytes");
    assert!(https.expose().ends_with(&secret_b64));
}

#[test]
fn grant_keys_are_redacted() {
    // Checked against the real default parameters once; the unit tests cover the rest.
    let secret = LinkSecret::generate();
    let keys = kdf::derive(None, &secret, "tr_redact", &KdfParams::DEFAULT).unwrap();
    let identity = keys.export_identity();
    let auth = keys.auth_key.to_base64url();
    let link = keys.link_key.to_base64url();
    for s in [
        format!("{keys:?}"),
        format!("{keys:#?}"),
        format!("{identity:?} {identity}"),
        format!("{:?}", Ok::<_, ()>(vec![&keys])),
        format!("{:?}", keys.link_key),
    ] {
        assert_hidden(
            &s,
            &[
                identity.expose(),
                "AGE-SECRET-KEY",
                auth.expose(),
                link.expose(),
            ],
        );
    }
}
