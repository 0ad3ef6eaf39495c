//! Properties over generated input: what must hold for *every* name, link or password, not
//! just the examples in the unit tests.

use std::collections::HashSet;

use kepil_core::filename::{ChosenNames, FALLBACK_NAME, MAX_NAME_BYTES, sanitize, unique_in};
use kepil_core::kdf::LinkSecret;
use kepil_core::link::Link;
use kepil_core::password::{ALPHABET, Password};
use proptest::prelude::*;
use url::Url;

fn is_reserved_stem(name: &str) -> bool {
    let stem = name
        .split('.')
        .next()
        .unwrap_or_default()
        .trim_end()
        .to_uppercase();
    ["CON", "PRN", "AUX", "NUL"].contains(&stem.as_str())
        || (stem.len() == 4
            && (stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.as_bytes()[3].is_ascii_digit())
}

/// Names built from the pieces attackers and careless senders use.
fn hostile_name() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("..".to_owned()),
        Just("/".to_owned()),
        Just("\\".to_owned()),
        Just("C:".to_owned()),
        Just("CON".to_owned()),
        Just("lpt1".to_owned()),
        Just(".".to_owned()),
        Just(" ".to_owned()),
        Just("\u{202E}".to_owned()),
        Just("\u{2066}".to_owned()),
        Just("\u{200B}".to_owned()),
        Just("\u{3164}".to_owned()),
        Just("\u{E0041}".to_owned()),
        Just("\u{FEFF}".to_owned()),
        Just("NUL".to_owned()),
        Just("com0".to_owned()),
        Just("\0".to_owned()),
        Just("\n".to_owned()),
        Just("e\u{301}".to_owned()),
        Just(":".to_owned()),
        Just("*".to_owned()),
        "[a-zA-Z0-9 ._-]{1,12}",
        "\\PC{1,4}",
        Just("x".repeat(120)),
        Just("é".repeat(70)),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn sanitized_names_are_always_safe(name in hostile_name()) {
        let out = sanitize(&name);
        prop_assert!(!out.is_empty());
        prop_assert!(out.len() <= MAX_NAME_BYTES, "{} bytes", out.len());
        prop_assert!(!out.contains(['/', '\\', ':', '<', '>', '"', '|', '?', '*']), "{out:?}");
        prop_assert!(!out.chars().any(char::is_control), "{out:?}");
        prop_assert!(
            !out.chars().any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
                | '\u{200E}' | '\u{200F}' | '\u{061C}')),
            "{out:?}"
        );
        prop_assert!(!out.chars().any(kepil_core::text::is_hidden), "{out:?}");
        prop_assert!(out != "." && out != "..");
        prop_assert!(!out.ends_with('.') && !out.ends_with(' '), "{out:?}");
        prop_assert!(!out.starts_with(' '), "{out:?}");
        prop_assert!(!is_reserved_stem(&out), "{out:?}");
        prop_assert_eq!(sanitize(&out), out.clone(), "not idempotent");
        if name.trim().is_empty() {
            prop_assert_eq!(out, FALLBACK_NAME);
        }
    }

    #[test]
    fn unique_names_never_collide(names in prop::collection::vec(hostile_name(), 1..12)) {
        let dir = tempfile::tempdir().unwrap();
        let mut chosen = ChosenNames::new();
        let mut paths = HashSet::new();
        for name in &names {
            let path = unique_in(dir.path(), name, &mut chosen);
            prop_assert_eq!(path.parent(), Some(dir.path()));
            let file = path.file_name().unwrap().to_str().unwrap();
            // The cap applies to the name as written: lower-casing can lengthen it ("Ⱥ" is 2
            // bytes, "ⱥ" 3), so only the collision check (case-insensitive disks) folds case.
            prop_assert!(file.len() <= MAX_NAME_BYTES + 1, "{} bytes", file.len());
            prop_assert!(paths.insert(file.to_lowercase()), "duplicate for {:?}", name);
        }
    }

    #[test]
    fn passwords_survive_retyping(
        seps in prop::collection::vec(prop_oneof![Just(""), Just(" "), Just("-"), Just(" - "), Just("\n")], 16),
        lower in prop::collection::vec(any::<bool>(), 16),
        look_alike in prop::collection::vec(any::<bool>(), 16),
    ) {
        let password = Password::generate();
        let canonical: Vec<u8> = password.expose().bytes().filter(|b| *b != b'-').collect();
        prop_assert_eq!(canonical.len(), 16);
        prop_assert!(canonical.iter().all(|b| ALPHABET.contains(b)));
        let mut typed = String::new();
        for (i, b) in canonical.iter().enumerate() {
            typed.push_str(seps[i]);
            let mut c = *b as char;
            if look_alike[i] {
                c = match c { '0' => 'O', '1' => 'l', other => other };
            }
            if lower[i] {
                c = c.to_ascii_lowercase();
            }
            typed.push(c);
        }
        prop_assert_eq!(Password::parse(&typed).unwrap(), password);
    }

    #[test]
    fn links_round_trip_and_survive_a_break_anywhere(
        id_bytes in any::<[u8; 16]>(),
        secret_bytes in any::<[u8; 16]>(),
        prefix in prop_oneof![Just(""), Just("/kepil"), Just("/a/b")],
        port in prop_oneof![Just(""), Just(":8443")],
        at in 8usize..200,
        brk in prop_oneof![Just("\n"), Just("\r\n"), Just(" "), Just("=\r\n")],
    ) {
        use base64::Engine as _;
        let id = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id_bytes);
        let store = Url::parse(&format!("https://kepil.agensi.gov.my{port}{prefix}")).unwrap();
        let link = Link::new(store, &id, LinkSecret::from_bytes(secret_bytes)).unwrap();
        let https = link.to_https();
        let deep = link.to_deep_link();
        prop_assert_eq!(&Link::parse(https.expose()).unwrap(), &link);
        prop_assert_eq!(&Link::parse(deep.expose()).unwrap(), &link);
        let text = https.expose();
        let at = at.min(text.len());
        let broken = format!("Pautan:\n{}{brk}{}\nSekian.", &text[..at], &text[at..]);
        prop_assert_eq!(&Link::parse(&broken).unwrap(), &link);
    }

    #[test]
    fn link_parse_never_panics(text in "\\PC{0,300}") {
        let _ = Link::parse(&text);
    }

    #[test]
    fn link_parse_never_panics_on_near_links(
        tail in "[a-zA-Z0-9%#*_\\-:/?&=;!.@\\[\\]]{0,120}",
        head in prop_oneof![
            Just("https://kepil.gov.my/t/"),
            Just("kepil://http/"),
            Just("https://urldefense.com/v3/__"),
            Just("https://urldefense.proofpoint.com/v2/url?u="),
            Just("https://x.safelinks.protection.outlook.com/?url="),
        ],
    ) {
        let _ = Link::parse(&format!("{head}{tail}"));
    }
}
