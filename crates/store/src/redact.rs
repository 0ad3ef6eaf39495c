//! URLs as messages and `Debug` may show them: configuration URLs can carry credentials (a
//! database password in the user-info or in `?password=`, S3 keys in an endpoint's user-info),
//! and those must never reach a log line, an error or a terminal.

/// What a hidden password or key is shown as.
pub const HIDDEN: &str = "***";

/// A database URL for messages: scheme, user, host, port, database and the parameters that
/// hold no secret; a password, in the user-info or as a parameter, shows as [`HIDDEN`].
pub fn database_url(url: &str) -> String {
    redact(url, Userinfo::KeepUser)
}

/// An object-store endpoint for messages: its user-info (an access key id and secret, when
/// someone put them there) is replaced whole, since neither half helps a reader.
pub fn endpoint_url(url: &str) -> String {
    redact(url, Userinfo::Drop)
}

/// Whether a URL parameter holds a secret: libpq's `password` and `sslpassword`, and the
/// credential parameters of signed S3 URLs.
pub fn is_secret_parameter(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["password", "secret", "token", "signature", "credential"]
        .iter()
        .any(|word| key.contains(word))
}

/// Whether `url` parses without anything after the host that looks like misplaced user-info:
/// a password holding an unencoded `/`, `?` or `#` ends the authority early, and the rest of it
/// lands in the path, the query or the fragment, where nothing would hide it.
pub fn looks_well_formed(url: &url::Url) -> bool {
    let after_host = [
        url.path(),
        url.query().unwrap_or(""),
        url.fragment().unwrap_or(""),
    ];
    url.fragment().is_none() && !after_host.iter().any(|part| part.contains('@'))
}

enum Userinfo {
    KeepUser,
    Drop,
}

fn redact(url: &str, userinfo: Userinfo) -> String {
    let parsed = url::Url::parse(url.trim()).ok().filter(looks_well_formed);
    let Some(mut parsed) = parsed else {
        // Where the password starts and ends is unknown: only the scheme is certainly safe.
        return format!("{}:<not a valid URL>", scheme_of(url));
    };
    // `kepil:secret` parses too (an opaque path); only a SQLite path is worth showing.
    if parsed.cannot_be_a_base() && parsed.scheme() != "sqlite" {
        return format!("{}:<not shown>", parsed.scheme());
    }
    let has_userinfo = !parsed.username().is_empty() || parsed.password().is_some();
    match userinfo {
        Userinfo::KeepUser => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some(HIDDEN));
            }
        }
        Userinfo::Drop if has_userinfo => {
            let _ = parsed.set_password(None);
            let _ = parsed.set_username(HIDDEN);
        }
        Userinfo::Drop => {}
    }
    if parsed.query().is_some() {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| {
                let v = if is_secret_parameter(&k) {
                    HIDDEN.to_string()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

/// The scheme of `url` when it is a plausible one, else nothing.
fn scheme_of(url: &str) -> &str {
    let scheme = url.trim().split_once(':').map_or("", |(scheme, _)| scheme);
    let plausible = !scheme.is_empty()
        && scheme.len() <= 20
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if plausible { scheme } else { "" }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CANARY: &str = "canary-5e1f0a9c";

    #[test]
    fn database_passwords_are_hidden_and_the_rest_is_kept() {
        for (url, shown) in [
            (
                format!("postgres://kepil:{CANARY}@db.agensi.gov.my:5432/kepil"),
                "postgres://kepil:***@db.agensi.gov.my:5432/kepil",
            ),
            (
                format!(
                    "postgresql://kepil@db/kepil?sslmode=verify-full&password={CANARY}\
                     &sslpassword={CANARY}"
                ),
                "postgresql://kepil@db/kepil?sslmode=verify-full&password=***&sslpassword=***",
            ),
            (
                "sqlite:/var/lib/kepil-store/store.db".to_string(),
                "sqlite:/var/lib/kepil-store/store.db",
            ),
            // Unencoded `/` or `#` in the password: the URL parses, with the password's tail
            // in the path or the fragment.
            (
                format!("postgres://kepil:12/{CANARY}@db/kepil"),
                "postgres:<not a valid URL>",
            ),
            (
                format!("postgres://kepil:12#{CANARY}@db/kepil"),
                "postgres:<not a valid URL>",
            ),
            (
                format!("postgres://kepil:{CANARY}@db:port/kepil"),
                "postgres:<not a valid URL>",
            ),
            (format!("{CANARY}@db:port"), ":<not a valid URL>"),
            (CANARY.to_string(), ":<not a valid URL>"),
            (format!("kepil:{CANARY}"), "kepil:<not shown>"),
        ] {
            assert_eq!(database_url(&url), shown, "{url}");
        }
    }

    #[test]
    fn endpoint_user_info_goes_whole() {
        assert_eq!(
            endpoint_url(&format!("http://AKIDCANARY:{CANARY}@10.0.0.5:8333/")),
            "http://***@10.0.0.5:8333/"
        );
        assert_eq!(
            endpoint_url("https://rgw.dc1.agensi.gov.my"),
            "https://rgw.dc1.agensi.gov.my/"
        );
        let signed = format!("https://s3/b/k?X-Amz-Credential=AK&X-Amz-Signature={CANARY}");
        assert!(!endpoint_url(&signed).contains(CANARY));
    }
}
