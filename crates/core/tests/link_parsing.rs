//! `Link::parse` against what really happens to links in email: gateways, wrapping, pasting.

use kepil_core::link::{GRANT_ID_LEN, Link, LinkError, LinkSecret, is_valid_grant_id};
use kepil_core::message::{Coded, Lang};
use url::Url;

/// Both contain `-` and `_`, which gateways like to re-encode.
const ID: &str = "-_-_AAECAwQFBgcICQoLDA";
const SECRET: &str = "_-8-Pj4-Pj4-Pj4-Pj4-Pg";
const LINK: &str = "https://kepil.gov.my/t/-_-_AAECAwQFBgcICQoLDA#_-8-Pj4-Pj4-Pj4-Pj4-Pg";

fn secret() -> LinkSecret {
    let mut bytes = [0x3e; 16];
    bytes[0] = 0xff;
    bytes[1] = 0xef;
    LinkSecret::from_bytes(bytes)
}

fn expected() -> Link {
    Link::new(Url::parse("https://kepil.gov.my").unwrap(), ID, secret()).unwrap()
}

#[track_caller]
fn parses(text: &str) -> Link {
    match Link::parse(text) {
        Ok(link) => link,
        Err(e) => panic!("{text:?}: {e}"),
    }
}

#[track_caller]
fn fails(text: &str) -> LinkError {
    match Link::parse(text) {
        Ok(link) => panic!("{text:?} parsed as {link:?}"),
        Err(e) => e,
    }
}

fn percent_encode_all(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn fixtures_are_consistent() {
    assert_eq!(secret().to_base64url().expose(), SECRET);
    assert!(is_valid_grant_id(ID));
    assert_eq!(ID.len(), GRANT_ID_LEN);
    assert_eq!(expected().to_https().expose(), LINK);
}

#[test]
fn https_and_deep_links_round_trip() {
    let link = expected();
    assert_eq!(parses(LINK), link);
    let deep = link.to_deep_link();
    assert_eq!(
        deep.expose(),
        format!("kepil://kepil.gov.my/t/{ID}#{SECRET}")
    );
    assert_eq!(parses(deep.expose()), link);
    assert_eq!(link.store_base().as_str(), "https://kepil.gov.my/");
    assert_eq!(link.landing_url(), format!("https://kepil.gov.my/t/{ID}"));
    assert!(!link.is_loopback_http());
}

#[test]
fn port_and_path_prefix_are_kept() {
    let text = format!("https://store.agensi.gov.my:8443/kepil/v1/t/{ID}#{SECRET}");
    let link = parses(&text);
    assert_eq!(
        link.store.as_str(),
        "https://store.agensi.gov.my:8443/kepil/v1"
    );
    assert_eq!(link.grant_id, ID);
    assert_eq!(link.to_https().expose(), text);
    assert_eq!(
        link.to_deep_link().expose(),
        format!("kepil://store.agensi.gov.my:8443/kepil/v1/t/{ID}#{SECRET}")
    );
    assert_eq!(parses(link.to_deep_link().expose()), link);
}

#[test]
fn scheme_and_host_case_do_not_matter_but_id_and_secret_case_do() {
    let upper = format!("HTTPS://KEPIL.GOV.MY/t/{ID}#{SECRET}");
    assert_eq!(parses(&upper), expected());
    let deep = format!("KEPIL://Kepil.Gov.My/t/{ID}#{SECRET}");
    assert_eq!(parses(&deep), expected());
    let changed = format!("https://kepil.gov.my/t/{ID}#{}", SECRET.to_lowercase());
    assert_ne!(Link::parse(&changed).ok(), Some(expected()));
}

#[test]
fn new_normalises_the_store_address() {
    let link = Link::new(
        Url::parse("https://kepil.gov.my/prefix/?q=1#frag").unwrap(),
        ID,
        secret(),
    )
    .unwrap();
    assert_eq!(link.store.as_str(), "https://kepil.gov.my/prefix");
    assert_eq!(
        link.to_https().expose(),
        format!("https://kepil.gov.my/prefix/t/{ID}#{SECRET}")
    );
    assert_eq!(
        Link::new(
            Url::parse("https://kepil.gov.my").unwrap(),
            "short",
            secret()
        )
        .unwrap_err(),
        LinkError::BadGrantId
    );
    assert_eq!(
        Link::new(Url::parse("ftp://kepil.gov.my").unwrap(), ID, secret()).unwrap_err(),
        LinkError::BadStoreAddress
    );
    assert_eq!(
        Link::new(
            Url::parse("https://u:p@kepil.gov.my").unwrap(),
            ID,
            secret()
        )
        .unwrap_err(),
        LinkError::HasCredentials
    );
    assert_eq!(
        Link::new(Url::parse("http://kepil.gov.my").unwrap(), ID, secret()).unwrap_err(),
        LinkError::InsecureHttp {
            host: "kepil.gov.my".into()
        }
    );
}

#[test]
fn loopback_http_store_links_and_deep_links() {
    for (store, deep_host) in [
        ("http://127.0.0.1:8080", "127.0.0.1:8080"),
        ("http://localhost:8080", "localhost:8080"),
        ("http://[::1]:8080", "[::1]:8080"),
        ("http://127.0.0.2:9000/pre", "127.0.0.2:9000/pre"),
    ] {
        let link = Link::new(Url::parse(store).unwrap(), ID, secret()).unwrap();
        assert!(link.is_loopback_http());
        let https = link.to_https();
        assert_eq!(https.expose(), format!("{store}/t/{ID}#{SECRET}"));
        let deep = link.to_deep_link();
        assert_eq!(
            deep.expose(),
            format!("kepil://http/{deep_host}/t/{ID}#{SECRET}")
        );
        assert_eq!(parses(https.expose()), link);
        assert_eq!(parses(deep.expose()), link);
    }
}

#[test]
fn plain_http_to_other_hosts_is_refused() {
    for text in [
        format!("http://kepil.gov.my/t/{ID}#{SECRET}"),
        format!("http://10.0.0.5:8080/t/{ID}#{SECRET}"),
        format!("kepil://http/kepil.gov.my/t/{ID}#{SECRET}"),
        format!("http://localhost.evil.example/t/{ID}#{SECRET}"),
    ] {
        let err = fails(&text);
        assert!(
            matches!(err, LinkError::InsecureHttp { .. }),
            "{text}: {err:?}"
        );
        assert_eq!(err.code(), "link_insecure_http");
    }
    // Unrelated http URLs in the text are not Kepil links and are not "insecure" errors.
    assert_eq!(
        fails("see http://example.com/page"),
        LinkError::NotKepilLink
    );
}

#[test]
fn percent_23_for_hash() {
    assert_eq!(parses(&LINK.replace('#', "%23")), expected());
    // `%23` counts even when something appended a real fragment after it.
    assert_eq!(
        parses(&format!("{}#x", LINK.replace('#', "%23"))),
        expected()
    );
    assert_eq!(
        parses(&format!("kepil://kepil.gov.my/t/{ID}%23{SECRET}")),
        expected()
    );
}

#[test]
fn surrounding_brackets_quotes_and_punctuation() {
    for (before, after) in [
        ("<", ">"),
        ("\"", "\""),
        ("'", "'"),
        ("(", ")."),
        ("", "."),
        ("", ","),
        ("", ";"),
        ("", ":"),
        ("", ")"),
        ("", "!"),
        ("", "?"),
        ("", "'\""),
        ("«", "»"),
        ("Pautan: ", ". Terima kasih."),
        ("[", "]"),
        ("<a href=\"", "\">klik</a>"),
    ] {
        let text = format!("{before}{LINK}{after}");
        assert_eq!(parses(&text), expected(), "{text}");
    }
    assert_eq!(parses(&format!("  \n\t{LINK}\n\n")), expected());
}

#[test]
fn line_breaks_and_spaces_anywhere_after_the_scheme() {
    let start = "https://".len();
    for at in start..=LINK.len() - 1 {
        for brk in ["\n", "\r\n", " ", "\r\n  ", "\t"] {
            let text = format!(
                "Sila buka pautan ini:\n{}{brk}{}\nTerima kasih.",
                &LINK[..at],
                &LINK[at..]
            );
            assert_eq!(parses(&text), expected(), "{text:?}");
        }
    }
    // Broken twice, inside angle brackets.
    let text = format!("<{}\n{}\n{}>", &LINK[..15], &LINK[15..40], &LINK[40..]);
    assert_eq!(parses(&text), expected(), "{text:?}");
}

#[test]
fn quoted_printable_soft_breaks_anywhere() {
    for at in 1..LINK.len() {
        for brk in ["=\r\n", "=\n"] {
            let text = format!("{}{brk}{}", &LINK[..at], &LINK[at..]);
            assert_eq!(parses(&text), expected(), "{text:?}");
        }
    }
    // `=3D` is quoted-printable for `=` (shows up inside wrapped Safe Links).
    let wrapped = format!(
        "https://nam12.safelinks.protection.outlook.com/?url=3D{}&amp;data=3D05%7C01",
        percent_encode_all(LINK)
    );
    assert_eq!(parses(&wrapped), expected());
}

#[test]
fn zero_width_characters_inserted_for_wrapping_are_ignored() {
    let text = LINK
        .replace("/t/", "/\u{200B}t/")
        .replace('#', "\u{200B}#\u{FEFF}");
    assert_eq!(parses(&text), expected());
}

#[test]
fn microsoft_safe_links() {
    let wrapped = format!(
        "https://apc01.safelinks.protection.outlook.com/?url={}&data=05%7C02%7Cali%40agensi.gov.my%7C1234&sdata=Xy%2BZ%3D&reserved=0",
        percent_encode_all(LINK)
    );
    assert_eq!(parses(&wrapped), expected());
    assert_eq!(parses(&format!("<{wrapped}>")), expected());
    // Copied out of HTML source.
    assert_eq!(parses(&wrapped.replace('&', "&amp;")), expected());
    // Wrapped across lines in the email body.
    let broken = format!("{}\r\n{}", &wrapped[..70], &wrapped[70..]);
    assert_eq!(parses(&broken), expected());
    // Safe Links around a deep link too.
    let deep = expected().to_deep_link();
    let wrapped_deep = format!(
        "https://eur02.safelinks.protection.outlook.com/?url={}&data=x",
        percent_encode_all(deep.expose())
    );
    assert_eq!(parses(&wrapped_deep), expected());
}

#[test]
fn safe_links_that_lost_the_secret_say_so() {
    let no_fragment = format!("https://kepil.gov.my/t/{ID}");
    let wrapped = format!(
        "https://apc01.safelinks.protection.outlook.com/?url={}&data=05&reserved=0",
        percent_encode_all(&no_fragment)
    );
    assert_eq!(fails(&wrapped), LinkError::MissingSecret);
    let no_url = "https://apc01.safelinks.protection.outlook.com/?data=05&reserved=0";
    assert_eq!(fails(no_url), LinkError::WrapperUnreadable);
}

/// Proofpoint v2 encoding: percent-encode, then `%` → `-` and `/` → `_`.
fn proofpoint_v2_encode(url: &str) -> String {
    url.bytes()
        .map(|b| match b {
            b'/' => "_".to_owned(),
            b if b.is_ascii_alphanumeric() || b == b'.' => (b as char).to_string(),
            b => format!("-{b:02X}"),
        })
        .collect()
}

#[test]
fn proofpoint_url_defense_v2() {
    let encoded = proofpoint_v2_encode(LINK);
    assert!(encoded.starts_with("https-3A__kepil.gov.my_t_-2D-5F"));
    let wrapped = format!(
        "https://urldefense.proofpoint.com/v2/url?u={encoded}&d=DwMFaQ&c=euGZstcaTDllvimEN8b7jXrwqOf-v5A_CdpgnVfiiMM&r=abc&m=def&s=ghi&e="
    );
    assert_eq!(parses(&wrapped), expected());
    let broken = format!("{}\n{}", &wrapped[..60], &wrapped[60..]);
    assert_eq!(parses(&broken), expected());
}

#[test]
fn proofpoint_url_defense_v3() {
    // Proofpoint v3 replaces `#` by `*` and carries it in the base64url bytes (`Iw` = "#").
    let inner = LINK.replace('#', "*");
    let wrapped = format!(
        "https://urldefense.com/v3/__{inner}__;Iw!!ACWV5N9M2RV99hQ!Kc4MlB0pnk2IJvGdLS-abc$"
    );
    assert_eq!(parses(&wrapped), expected());

    // A run token `**A` (two characters) and the single-slash quirk `https:/`.
    let secret_first = &SECRET[..1];
    let inner = format!("https:/kepil.gov.my/t/{ID}**A{}", &SECRET[1..]);
    let replaced = format!("#{secret_first}");
    let bytes = base64_url(replaced.as_bytes());
    let wrapped = format!("https://urldefense.com/v3/__{inner}__;{bytes}!!ORG!xyz$");
    assert_eq!(parses(&wrapped), expected());

    // Broken across lines.
    let inner = LINK.replace('#', "*");
    let wrapped = format!("https://urldefense.com/v3/__{inner}__;Iw!!ORG!x$");
    let broken = format!("{}\n{}", &wrapped[..50], &wrapped[50..]);
    assert_eq!(parses(&broken), expected());

    // Replacement bytes that do not decode: cannot be undone.
    let bad = format!(
        "https://urldefense.com/v3/__{}__;@@!!ORG!x$",
        LINK.replace('#', "*")
    );
    assert_eq!(fails(&bad), LinkError::WrapperUnreadable);
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[test]
fn safe_links_around_proofpoint() {
    let inner = format!(
        "https://urldefense.proofpoint.com/v2/url?u={}&d=DwMFaQ&e=",
        proofpoint_v2_encode(LINK)
    );
    let outer = format!(
        "https://nam04.safelinks.protection.outlook.com/?url={}&data=05",
        percent_encode_all(&inner)
    );
    assert_eq!(parses(&outer), expected());
}

#[test]
fn finds_the_kepil_link_among_other_urls() {
    let email = format!(
        "Tuan/Puan,\n\nSila rujuk https://www.agensi.gov.my/pekeliling untuk makluman.\n\
         Pautan fail:\n{LINK}\n\n--\nhttps://www.agensi.gov.my\n"
    );
    assert_eq!(parses(&email), expected());
    // A URL right before the link on the line above is never glued to it.
    let text = format!("https://www.agensi.gov.my\n{LINK}");
    assert_eq!(parses(&text), expected());
    let text = format!("https://www.agensi.gov.my/\n<{LINK}>");
    assert_eq!(parses(&text), expected());
}

#[test]
fn no_link_at_all() {
    for text in [
        "",
        "   ",
        "Terima kasih",
        &format!("kepil.gov.my/t/{ID}#{SECRET}"),
        "ftp://kepil.gov.my/t/x",
    ] {
        assert_eq!(fails(text), LinkError::NoLinkFound, "{text:?}");
    }
}

#[test]
fn other_links_are_not_kepil_links() {
    for text in [
        "https://www.google.com/search?q=kepil",
        "https://kepil.gov.my/",
        "https://kepil.gov.my",
        "https://kepil.gov.my/about#team",
        "<https://kepil.gov.my/help>",
    ] {
        assert_eq!(fails(text), LinkError::NotKepilLink, "{text:?}");
    }
}

#[test]
fn missing_secret() {
    for text in [
        format!("https://kepil.gov.my/t/{ID}"),
        format!("https://kepil.gov.my/t/{ID}#"),
        format!("https://kepil.gov.my/t/{ID}%23"),
        format!("https://kepil.gov.my/t/{ID}."),
        format!("<https://kepil.gov.my/t/{ID}>"),
        format!("Pautan: https://kepil.gov.my/t/{ID} terima kasih"),
    ] {
        let err = fails(&text);
        assert_eq!(err, LinkError::MissingSecret, "{text:?}");
        assert!(err.message(Lang::En).contains("part after # was removed"));
        assert!(
            err.message(Lang::En).contains("copy the")
                || err.message(Lang::En).contains("Copy the")
        );
        assert!(err.message(Lang::Ms).contains("selepas #"));
    }
}

#[test]
fn secret_of_the_wrong_length() {
    let short = &SECRET[..21];
    for (text, found) in [
        (format!("https://kepil.gov.my/t/{ID}#{short}"), 21),
        (format!("https://kepil.gov.my/t/{ID}#{short}."), 21),
        (format!("<https://kepil.gov.my/t/{ID}#{short}>"), 21),
        (format!("https://kepil.gov.my/t/{ID}#{SECRET}A"), 23),
        (format!("https://kepil.gov.my/t/{ID}#{SECRET}-"), 23),
        (format!("https://kepil.gov.my/t/{ID}#abc"), 3),
        // A truncated secret never swallows the next word into a wrong-but-valid-length
        // secret, and the error describes the cut, not the glued-on word.
        (
            format!("https://kepil.gov.my/t/{ID}#{short}\nTerima kasih"),
            21,
        ),
    ] {
        assert_eq!(
            fails(&text),
            LinkError::BadSecretLength { found },
            "{text:?}"
        );
    }
    let err = LinkError::BadSecretLength { found: 21 };
    assert!(err.message(Lang::En).contains("22") && err.message(Lang::En).contains("21"));
}

#[test]
fn damaged_secret() {
    // Right length, but the last character carries bits a real secret never has.
    let damaged = format!("{}B", &SECRET[..21]);
    assert_eq!(
        fails(&format!("https://kepil.gov.my/t/{ID}#{damaged}")),
        LinkError::BadSecret
    );
}

#[test]
fn damaged_grant_id() {
    for text in [
        format!("https://kepil.gov.my/t/short#{SECRET}"),
        format!("https://kepil.gov.my/t/{ID}X#{SECRET}"),
        format!("https://kepil.gov.my/t/{ID}/extra#{SECRET}"),
        format!("https://kepil.gov.my/t/{}B#{SECRET}", &ID[..21]),
        format!("https://kepil.gov.my/t/#{SECRET}"),
    ] {
        assert_eq!(fails(&text), LinkError::BadGrantId, "{text:?}");
    }
}

#[test]
fn credentials_in_the_address_are_refused() {
    let text = format!("https://kepil.gov.my@evil.example/t/{ID}#{SECRET}");
    assert_eq!(fails(&text), LinkError::HasCredentials);
    let text = format!("https://user:pw@kepil.gov.my/t/{ID}#{SECRET}");
    assert_eq!(fails(&text), LinkError::HasCredentials);
}

#[test]
fn invalid_store_address() {
    let text = format!("https://kepil.gov.my:99999/t/{ID}#{SECRET}");
    assert_eq!(fails(&text), LinkError::BadStoreAddress);
}

#[test]
fn debug_and_display_never_show_the_secret() {
    let link = expected();
    for shown in [
        format!("{link:?}"),
        format!("{link:#?}"),
        format!("{link}"),
        format!("{:?}", link.secret),
        format!("{:?}", link.to_https()),
        format!("{}", link.to_https()),
        format!("{:?}", link.to_deep_link()),
        format!("{:?}", Link::parse(LINK)),
    ] {
        assert!(!shown.contains(SECRET), "{shown}");
        assert!(!shown.contains("Pj4-Pj4"), "{shown}");
    }
    assert_eq!(
        link.to_string(),
        format!("https://kepil.gov.my/t/{ID}#<redacted>")
    );
    assert!(format!("{link:?}").contains(ID));
    // The error for a bad secret does not repeat what was typed either.
    let err = fails(&format!("https://kepil.gov.my/t/{ID}#{}", &SECRET[..21]));
    for lang in Lang::ALL {
        assert!(!err.message(lang).contains(&SECRET[..21]));
    }
}

#[test]
fn every_error_has_a_distinct_actionable_message() {
    for err in [
        LinkError::NoLinkFound,
        LinkError::NotKepilLink,
        LinkError::MissingSecret,
        LinkError::BadSecretLength { found: 3 },
        LinkError::BadSecret,
        LinkError::BadGrantId,
        LinkError::InsecureHttp { host: "x".into() },
        LinkError::HasCredentials,
        LinkError::BadStoreAddress,
        LinkError::WrapperUnreadable,
    ] {
        assert_eq!(err.to_string(), err.message(Lang::En));
        assert!(err.code().starts_with("link_"));
    }
}

#[test]
fn huge_pastes_are_handled() {
    let mut text = "kata ".repeat(50_000);
    text.push_str(LINK);
    assert_eq!(parses(&text), expected());
    // A never-ending broken URL stops joining instead of growing without bound.
    let runaway = format!("https://kepil.gov.my/{}", "abc ".repeat(100_000));
    assert_eq!(fails(&runaway), LinkError::NotKepilLink);
}
