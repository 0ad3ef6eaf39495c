//! Every error of the policy, password, key-derivation, link and language modules: stable,
//! unique codes and a real message in both languages. (The package errors have the same
//! check in `package_roundtrip.rs`.)

use std::collections::HashSet;

use kepil_core::classification::{Classification, ClassificationError};
use kepil_core::kdf::{AuthKeyError, KdfError};
use kepil_core::link::LinkError;
use kepil_core::message::{Coded, Lang, LangError};
use kepil_core::password::PasswordError;

/// One value of every variant. The `match`es below do not compile when a variant is added
/// without being listed here.
fn every_error() -> Vec<(Box<dyn Coded>, String)> {
    let mut all: Vec<(Box<dyn Coded>, String)> = Vec::new();

    let lang = [LangError::Unknown { input: "fr".into() }];
    for e in lang {
        match &e {
            LangError::Unknown { .. } => {}
        }
        let shown = e.to_string();
        all.push((Box::new(e), shown));
    }

    let classification = [
        ClassificationError::Unknown {
            input: "SULITT".into(),
        },
        ClassificationError::Refused {
            classification: Classification::Rahsia,
        },
    ];
    for e in classification {
        match &e {
            ClassificationError::Unknown { .. } | ClassificationError::Refused { .. } => {}
        }
        let shown = e.to_string();
        all.push((Box::new(e), shown));
    }

    let password = [
        PasswordError::Empty,
        PasswordError::WrongLength { found: 15 },
        PasswordError::BadCharacter {
            character: '#',
            position: 7,
        },
        PasswordError::LetterU { position: 3 },
    ];
    for e in password {
        match &e {
            PasswordError::Empty
            | PasswordError::WrongLength { .. }
            | PasswordError::BadCharacter { .. }
            | PasswordError::LetterU { .. } => {}
        }
        let shown = e.to_string();
        all.push((Box::new(e), shown));
    }

    let kdf = [
        KdfError::UnsupportedVersion {
            found: 2,
            supported: 1,
        },
        KdfError::MemoryTooLow {
            m_kib: 1024,
            min: 65536,
        },
        KdfError::MemoryTooHigh {
            m_kib: 2_000_000,
            max: 1_048_576,
        },
        KdfError::TimeTooLow { t: 1, min: 3 },
        KdfError::TimeTooHigh { t: 99, max: 10 },
        KdfError::ParallelismTooLow { p: 0, min: 1 },
        KdfError::ParallelismTooHigh { p: 64, max: 8 },
        KdfError::BadTransferId { len: 0 },
        KdfError::Argon2 {
            reason: "out of memory".into(),
        },
        KdfError::IdentityEncoding,
    ];
    for e in kdf {
        match &e {
            KdfError::UnsupportedVersion { .. }
            | KdfError::MemoryTooLow { .. }
            | KdfError::MemoryTooHigh { .. }
            | KdfError::TimeTooLow { .. }
            | KdfError::TimeTooHigh { .. }
            | KdfError::ParallelismTooLow { .. }
            | KdfError::ParallelismTooHigh { .. }
            | KdfError::BadTransferId { .. }
            | KdfError::Argon2 { .. }
            | KdfError::IdentityEncoding => {}
        }
        let shown = e.to_string();
        all.push((Box::new(e), shown));
    }

    let auth = [
        AuthKeyError::NotBase64url,
        AuthKeyError::WrongLength { found: 31 },
    ];
    for e in auth {
        match &e {
            AuthKeyError::NotBase64url | AuthKeyError::WrongLength { .. } => {}
        }
        let shown = e.to_string();
        all.push((Box::new(e), shown));
    }

    let link = [
        LinkError::NoLinkFound,
        LinkError::NotKepilLink,
        LinkError::MissingSecret,
        LinkError::BadSecretLength { found: 21 },
        LinkError::BadSecret,
        LinkError::BadGrantId,
        LinkError::InsecureHttp {
            host: "kepil.example".into(),
        },
        LinkError::HasCredentials,
        LinkError::BadStoreAddress,
        LinkError::WrapperUnreadable,
    ];
    for e in link {
        match &e {
            LinkError::NoLinkFound
            | LinkError::NotKepilLink
            | LinkError::MissingSecret
            | LinkError::BadSecretLength { .. }
            | LinkError::BadSecret
            | LinkError::BadGrantId
            | LinkError::InsecureHttp { .. }
            | LinkError::HasCredentials
            | LinkError::BadStoreAddress
            | LinkError::WrapperUnreadable => {}
        }
        let shown = e.to_string();
        all.push((Box::new(e), shown));
    }

    all
}

#[test]
fn codes_are_unique_stable_snake_case() {
    let mut seen = HashSet::new();
    for (e, _) in every_error() {
        let code = e.code();
        assert!(!code.is_empty());
        assert!(
            code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                && !code.starts_with('_')
                && !code.ends_with('_')
                && !code.contains("__"),
            "not snake_case: {code}"
        );
        assert!(seen.insert(code), "duplicate code {code}");
    }
    assert_eq!(seen.len(), 29);
}

#[test]
fn both_languages_have_a_real_message() {
    for (e, display) in every_error() {
        let code = e.code();
        let ms = e.message(Lang::Ms);
        let en = e.message(Lang::En);
        assert!(ms.trim().len() > 20, "{code}: {ms}");
        assert!(en.trim().len() > 20, "{code}: {en}");
        assert_ne!(ms, en, "{code}");
        assert_eq!(display, en, "{code}: Display must be the English message");
        // Sentences, not fragments: what happened, then what to do.
        assert!(ms.ends_with('.'), "{code}: {ms}");
        assert!(en.ends_with('.'), "{code}: {en}");
    }
}

#[test]
fn params_appear_in_both_messages() {
    for (e, _) in every_error() {
        for (name, value) in e.params() {
            assert!(!value.is_empty(), "{}: {name}", e.code());
            for lang in Lang::ALL {
                // An English name (`classification_en`) is for the English text only.
                if name.ends_with("_en") && lang != Lang::En {
                    continue;
                }
                let msg = e.message(lang);
                assert!(
                    msg.contains(&value),
                    "{} ({lang}): {name}={value} not in {msg}",
                    e.code()
                );
            }
        }
    }
}

#[test]
fn refusal_cites_the_guideline_in_both_languages() {
    for c in [Classification::Rahsia, Classification::RahsiaBesar] {
        let e = c.check_sendable().unwrap_err();
        for lang in Lang::ALL {
            let msg = e.message(lang);
            assert!(msg.contains("3.2 A ii 6"), "{msg}");
            assert!(msg.contains("1.4.1 l iii"), "{msg}");
        }
    }
}
