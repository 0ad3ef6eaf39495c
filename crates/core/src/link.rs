//! Kepil links: `https://STORE/t/GRANT_ID#SECRET` and the `kepil://` deep link.
//!
//! The grant id (22 characters, base64url of 16 bytes) tells the store which grant to open;
//! the secret after `#` (22 characters, base64url of the 16-byte [`LinkSecret`]) is never sent
//! to any server, because browsers and HTTP clients do not transmit the fragment.
//!
//! Links travel through email, and mail gateways mangle them. [`Link::parse`] takes whatever
//! the user pasted (one link, or a whole email body) and accepts:
//!
//! - `%23` (any case) instead of `#`;
//! - Microsoft Safe Links (`https://*.safelinks.protection.outlook.com/?url=…`);
//! - Proofpoint URL Defense v2 (`https://urldefense.proofpoint.com/v2/url?u=…`) and v3
//!   (`https://urldefense.com/v3/__URL__;…!!…`);
//! - angle brackets, quotes and trailing punctuation around the link;
//! - line breaks and spaces inside the link, quoted-printable soft line breaks (`=` at the
//!   end of a line) and `=3D`, zero-width spaces that some clients insert to wrap long URLs.
//!
//! Line breaks are joined *structurally*: the next piece of text is appended only while the
//! link is still incomplete (the grant id or the secret is short). A complete link never
//! swallows the word after it, and a truncated one fails with a precise error instead of
//! silently producing a wrong secret (which would cost the recipient one of ten tries).

use std::fmt;
use std::net::IpAddr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use percent_encoding::percent_decode_str;
use url::{Host, Url};
use zeroize::{Zeroize as _, Zeroizing};

use crate::message::{Coded, clip, coded_error_display};
use crate::secret::{REDACTED, SecretBytes, SecretString};

/// Bytes in a link secret (128 bits).
pub const LINK_SECRET_LEN: usize = 16;
/// Characters of a link secret in unpadded base64url.
pub const LINK_SECRET_B64_LEN: usize = 22;

/// The 16-byte secret in a link's fragment (`#...`). Never sent to the store.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkSecret(SecretBytes<LINK_SECRET_LEN>);

impl LinkSecret {
    /// A fresh secret from the OS CSPRNG.
    pub fn generate() -> LinkSecret {
        LinkSecret(SecretBytes::random())
    }

    pub fn from_bytes(bytes: [u8; LINK_SECRET_LEN]) -> LinkSecret {
        LinkSecret(SecretBytes::new(bytes))
    }

    pub fn expose_bytes(&self) -> &[u8; LINK_SECRET_LEN] {
        self.0.expose_bytes()
    }

    /// Unpadded base64url (22 characters), as it appears in a link.
    pub fn to_base64url(&self) -> SecretString {
        SecretString::new(URL_SAFE_NO_PAD.encode(self.expose_bytes()))
    }

    /// Reads the 22-character base64url form. Errors are [`LinkError`]s because the text
    /// always comes out of a link.
    pub fn parse(text: &str) -> Result<LinkSecret, LinkError> {
        if text.len() != LINK_SECRET_B64_LEN {
            let found = text.chars().count();
            // 22 characters but not 22 bytes: non-ASCII, so damaged rather than cut.
            if found == LINK_SECRET_B64_LEN {
                return Err(LinkError::BadSecret);
            }
            return Err(LinkError::BadSecretLength { found });
        }
        // Room for a conservative length estimate; exactly 16 bytes must come out.
        let mut decoded = Zeroizing::new([0u8; LINK_SECRET_LEN + 3]);
        match URL_SAFE_NO_PAD.decode_slice(text.as_bytes(), decoded.as_mut()) {
            Ok(LINK_SECRET_LEN) => {
                let mut bytes = [0u8; LINK_SECRET_LEN];
                bytes.copy_from_slice(&decoded[..LINK_SECRET_LEN]);
                let secret = LinkSecret::from_bytes(bytes);
                bytes.zeroize();
                Ok(secret)
            }
            _ => Err(LinkError::BadSecret),
        }
    }
}

impl fmt::Debug for LinkSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Characters in a grant id (unpadded base64url of 16 bytes).
pub const GRANT_ID_LEN: usize = 22;

/// Longest link text [`Link::parse`] will assemble from pieces; Safe Links wrappers are a few
/// hundred characters, so this only stops runaway joining across a whole email.
const MAX_LINK_CHARS: usize = 8 * 1024;
/// Wrappers inside wrappers (Safe Links around Proofpoint happens); more is not a real link.
const MAX_WRAPPER_DEPTH: u8 = 4;

/// A parsed Kepil link. `Debug` and `Display` never show the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Link {
    /// The store's base URL: `https://host[:port][/prefix]` (or `http://` on loopback), with
    /// no query, fragment, credentials or trailing slash (other than the root `/`).
    pub store: Url,
    /// The grant id: 22 characters of base64url.
    pub grant_id: String,
    /// The link secret from the fragment.
    pub secret: LinkSecret,
}

impl Link {
    /// Builds a link, checking the store address and the grant id the same way
    /// [`parse`](Self::parse) does.
    pub fn new(store: Url, grant_id: &str, secret: LinkSecret) -> Result<Link, LinkError> {
        if !is_valid_grant_id(grant_id) {
            return Err(LinkError::BadGrantId);
        }
        Ok(Link {
            store: normalize_store(store)?,
            grant_id: grant_id.to_owned(),
            secret,
        })
    }

    /// Finds and reads a Kepil link in pasted text (see the module documentation for what is
    /// tolerated). The first Kepil link in the text wins; other URLs are skipped.
    pub fn parse(text: &str) -> Result<Link, LinkError> {
        let cleaned = clean_mail_artifacts(text);
        let tokens: Vec<&str> = cleaned.split_whitespace().collect();
        let mut first_kepil_error: Option<LinkError> = None;
        let mut saw_url = false;

        for (i, token) in tokens.iter().enumerate() {
            for start in scheme_starts(token) {
                saw_url = true;
                let mut acc = token[start..].to_owned();
                let mut next = i + 1;
                let mut before_join: Option<LinkError> = None;
                let error = loop {
                    match decode(&acc, 0) {
                        Outcome::Complete(link) => return Ok(link),
                        // If gluing on the next piece of text broke the link, that text was
                        // most likely the sentence after a cut-short link: report the cut.
                        Outcome::Failed(e) => break before_join.unwrap_or(e),
                        Outcome::Incomplete(e) => {
                            let can_join = next < tokens.len()
                                && !begins_new_url(tokens[next])
                                && acc.len() + tokens[next].len() <= MAX_LINK_CHARS;
                            if !can_join {
                                break e;
                            }
                            acc.push_str(tokens[next]);
                            next += 1;
                            before_join = Some(e);
                        }
                    }
                };
                if error != LinkError::NotKepilLink && first_kepil_error.is_none() {
                    first_kepil_error = Some(error);
                }
            }
        }
        Err(first_kepil_error.unwrap_or(if saw_url {
            LinkError::NotKepilLink
        } else {
            LinkError::NoLinkFound
        }))
    }

    /// The link to put in the email: `https://STORE/t/ID#SECRET` (`http://` for a loopback
    /// store). Secret, because it carries the link secret.
    pub fn to_https(&self) -> SecretString {
        SecretString::new(format!(
            "{}/t/{}#{}",
            self.base_str(),
            self.grant_id,
            self.secret.to_base64url().expose()
        ))
    }

    /// The deep link that opens the Kepil app directly: `kepil://host[:port][/prefix]/t/ID#SECRET`,
    /// or `kepil://http/127.0.0.1:PORT/t/ID#SECRET` for a plain-http loopback store.
    pub fn to_deep_link(&self) -> SecretString {
        let base = self.base_str();
        let rest = match self.store.scheme() {
            "http" => format!("http/{}", &base["http://".len()..]),
            _ => base["https://".len()..].to_owned(),
        };
        SecretString::new(format!(
            "kepil://{rest}/t/{}#{}",
            self.grant_id,
            self.secret.to_base64url().expose()
        ))
    }

    pub fn store_base(&self) -> &Url {
        &self.store
    }

    /// The landing page without the secret (`https://STORE/t/ID`): safe to log or show.
    pub fn landing_url(&self) -> String {
        format!("{}/t/{}", self.base_str(), self.grant_id)
    }

    /// Whether this is a plain-http link to a store on this machine.
    pub fn is_loopback_http(&self) -> bool {
        self.store.scheme() == "http"
    }

    fn base_str(&self) -> &str {
        self.store.as_str().trim_end_matches('/')
    }
}

impl fmt::Debug for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Link")
            .field("store", &self.store.as_str())
            .field("grant_id", &self.grant_id)
            .field("secret", &self.secret)
            .finish()
    }
}

/// `https://STORE/t/ID#<redacted>`: for logs and messages; use [`Link::to_https`] for the
/// real link.
impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{REDACTED}", self.landing_url())
    }
}

/// Whether `id` is a well-formed grant id (22 characters of base64url encoding 16 bytes).
/// The store uses the same rule for the ids it issues.
pub fn is_valid_grant_id(id: &str) -> bool {
    let mut buf = [0u8; 19];
    id.len() == GRANT_ID_LEN && matches!(URL_SAFE_NO_PAD.decode_slice(id, &mut buf), Ok(16))
}

fn normalize_store(mut store: Url) -> Result<Url, LinkError> {
    match store.scheme() {
        "https" => {}
        "http" => {
            if !is_loopback(&store) {
                return Err(LinkError::InsecureHttp {
                    host: clip(store.host_str().unwrap_or_default(), 80),
                });
            }
        }
        _ => return Err(LinkError::BadStoreAddress),
    }
    if store.host().is_none() {
        return Err(LinkError::BadStoreAddress);
    }
    if !store.username().is_empty() || store.password().is_some() {
        return Err(LinkError::HasCredentials);
    }
    store.set_query(None);
    store.set_fragment(None);
    let path = store.path().trim_end_matches('/').to_owned();
    store.set_path(&path);
    Ok(store)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Undoes what mail transport does to long lines: quoted-printable soft line breaks and `=3D`,
/// and invisible characters some clients insert so a long URL can wrap.
fn clean_mail_artifacts(text: &str) -> String {
    let text = text
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=")
        .replace("=3d", "=");
    text.chars()
        .filter(|c| {
            !matches!(
                c,
                '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
            )
        })
        .collect()
}

const SCHEMES: [&str; 3] = ["https://", "http://", "kepil://"];

/// Byte offsets in `token` where a URL we understand starts.
fn scheme_starts(token: &str) -> Vec<usize> {
    let lower = token.to_ascii_lowercase();
    let mut starts: Vec<usize> = SCHEMES
        .iter()
        .flat_map(|s| lower.match_indices(s).map(|(i, _)| i))
        .collect();
    starts.sort_unstable();
    starts
}

/// A piece of text that starts a new URL is never glued onto the previous link.
fn begins_new_url(token: &str) -> bool {
    let trimmed = token.trim_start_matches(['<', '(', '[', '"', '\'']);
    let lower = trimmed.get(..8).unwrap_or(trimmed).to_ascii_lowercase();
    SCHEMES.iter().any(|s| lower.starts_with(s))
}

/// Result of reading a (possibly partial) link.
enum Outcome {
    Complete(Link),
    /// The text ended before the link was complete; more text might complete it. Carries the
    /// error to report if no more text comes.
    Incomplete(LinkError),
    Failed(LinkError),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Https,
    Http,
}

impl Scheme {
    fn as_str(self) -> &'static str {
        match self {
            Scheme::Https => "https",
            Scheme::Http => "http",
        }
    }
}

fn is_url_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c)
}

fn is_b64url_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Reads `s`, which starts with a scheme, as a Kepil link or a gateway wrapper around one.
fn decode(s: &str, depth: u8) -> Outcome {
    let (scheme, rest) = if let Some(rest) = strip_prefix_ci(s, "https://") {
        (Scheme::Https, rest)
    } else if let Some(rest) = strip_prefix_ci(s, "http://") {
        (Scheme::Http, rest)
    } else if let Some(rest) = strip_prefix_ci(s, "kepil://") {
        // The deep link names the transport explicitly only for a loopback http store.
        if let Some(after) = strip_prefix_ci(rest, "http/") {
            (Scheme::Http, after)
        } else if let Some(after) = strip_prefix_ci(rest, "https/") {
            (Scheme::Https, after)
        } else {
            (Scheme::Https, rest)
        }
    } else {
        return Outcome::Failed(LinkError::NotKepilLink);
    };

    // The URL ends at the first character that cannot be in one (a quote, `>`, non-ASCII…).
    let end = rest.find(|c: char| !is_url_char(c)).unwrap_or(rest.len());
    let hard_end = end < rest.len();
    let url = &rest[..end];
    let more = |e: LinkError| {
        if hard_end {
            Outcome::Failed(e)
        } else {
            Outcome::Incomplete(e)
        }
    };

    let Some(auth_end) = url.find(['/', '?', '#']) else {
        return more(LinkError::NotKepilLink);
    };
    let authority = &url[..auth_end];
    let after_authority = &url[auth_end..];
    let host = authority_host(authority).to_ascii_lowercase();

    if host.ends_with(".safelinks.protection.outlook.com") {
        return unwrap(depth, hard_end, || safelinks(after_authority));
    }
    if host == "urldefense.proofpoint.com" || host == "urldefense.com" {
        if after_authority.starts_with("/v2/") {
            return unwrap(depth, hard_end, || proofpoint_v2(after_authority));
        }
        if after_authority.starts_with("/v3/") {
            return unwrap(depth, hard_end, || proofpoint_v3(after_authority));
        }
    }

    direct(scheme, authority, after_authority, hard_end)
}

/// What a wrapper decoder found: the inner URL, and whether the wrapper's value was
/// visibly finished (so an incomplete inner link cannot be completed by more text).
struct Unwrapped {
    inner: String,
    value_finished: bool,
}

fn unwrap(depth: u8, hard_end: bool, decoder: impl FnOnce() -> Option<Unwrapped>) -> Outcome {
    if depth >= MAX_WRAPPER_DEPTH {
        return Outcome::Failed(LinkError::WrapperUnreadable);
    }
    let Some(Unwrapped {
        inner,
        value_finished,
    }) = decoder()
    else {
        return if hard_end {
            Outcome::Failed(LinkError::WrapperUnreadable)
        } else {
            Outcome::Incomplete(LinkError::WrapperUnreadable)
        };
    };
    let inner = inner.trim();
    if scheme_starts(inner).first() != Some(&0) {
        return Outcome::Failed(LinkError::NotKepilLink);
    }
    match decode(inner, depth + 1) {
        Outcome::Incomplete(e) if value_finished || hard_end => Outcome::Failed(e),
        other => other,
    }
}

/// The value of query parameter `name` in `path_and_query`, and whether an `&` ended it.
fn query_param<'a>(path_and_query: &'a str, name: &str) -> Option<(&'a str, bool)> {
    let (_, query) = path_and_query.split_once('?')?;
    let query = query.split('#').next().unwrap_or_default();
    let mut pairs = query.split('&').peekable();
    while let Some(pair) = pairs.next() {
        // `&amp;` when the link was copied out of HTML source.
        let pair = pair.strip_prefix("amp;").unwrap_or(pair);
        if let Some(value) = pair.strip_prefix(name).and_then(|p| p.strip_prefix('=')) {
            return Some((value, pairs.peek().is_some()));
        }
    }
    None
}

fn percent_decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Microsoft Safe Links: `https://eur01.safelinks.protection.outlook.com/?url=ENCODED&data=…`.
fn safelinks(after_authority: &str) -> Option<Unwrapped> {
    let (value, finished) = query_param(after_authority, "url")?;
    Some(Unwrapped {
        inner: percent_decode(value),
        value_finished: finished,
    })
}

/// Proofpoint URL Defense v2: `u=` holds the URL percent-encoded with `-` for `%` and `_`
/// for `/`.
fn proofpoint_v2(after_authority: &str) -> Option<Unwrapped> {
    let (value, finished) = query_param(after_authority, "u")?;
    let translated: String = value
        .chars()
        .map(|c| match c {
            '-' => '%',
            '_' => '/',
            other => other,
        })
        .collect();
    Some(Unwrapped {
        inner: percent_decode(&translated).replace("&amp;", "&"),
        value_finished: finished,
    })
}

/// Proofpoint URL Defense v3: `/v3/__URL__;BYTES!!…`. Characters Proofpoint took out of URL
/// are `*` (one) or `**X` (a run whose length X encodes) and come back, in order, from the
/// base64url BYTES. Follows Proofpoint's published decoder (urldecoder.py).
fn proofpoint_v3(after_authority: &str) -> Option<Unwrapped> {
    let body = after_authority.strip_prefix("/v3/__")?;
    let (raw_url, tail) = body.split_once("__;")?;
    let encoded = tail.split('!').next().unwrap_or_default();
    let replacement_bytes = URL_SAFE_NO_PAD.decode(encoded.trim_end_matches('=')).ok()?;
    let replacements: Vec<char> = String::from_utf8(replacement_bytes).ok()?.chars().collect();

    // Proofpoint sometimes collapses `https://` to `https:/`.
    let mut fixed = raw_url.to_owned();
    if let Some(colon) = fixed.find(":/") {
        let scheme_ok = fixed[..colon]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c));
        if scheme_ok && !fixed[colon + 2..].starts_with('/') {
            fixed.insert(colon + 2, '/');
        }
    }
    let unquoted = percent_decode(&fixed);

    let mut out = String::with_capacity(unquoted.len());
    let mut used = 0usize;
    let mut chars = unquoted.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '*' {
            out.push(c);
            continue;
        }
        let run = if chars.peek() == Some(&'*') {
            chars.next();
            v3_run_length(chars.next()?)?
        } else {
            1
        };
        out.extend(replacements.get(used..used + run)?);
        used += run;
    }
    Some(Unwrapped {
        inner: out,
        value_finished: true,
    })
}

/// Run lengths of `**X` tokens: A–Z = 2–27, a–z = 28–53, 0–9 = 54–63, `-` = 64, `_` = 65.
fn v3_run_length(c: char) -> Option<usize> {
    const RUN_VALUES: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    RUN_VALUES.find(c).map(|i| i + 2)
}

fn authority_host(authority: &str) -> &str {
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host_port.starts_with('[') {
        return host_port
            .split_once(']')
            .map_or(host_port, |(h, _)| &h[1..]);
    }
    host_port.split(':').next().unwrap_or_default()
}

/// A Kepil link itself: `SCHEME://AUTHORITY[/prefix]/t/ID#SECRET`.
fn direct(scheme: Scheme, authority: &str, after_authority: &str, hard_end: bool) -> Outcome {
    let more = |e: LinkError| {
        if hard_end {
            Outcome::Failed(e)
        } else {
            Outcome::Incomplete(e)
        }
    };

    let lower = after_authority.to_ascii_lowercase();
    let separator = match (lower.find('#'), lower.find("%23")) {
        (Some(h), Some(p)) if p < h => Some((p, 3)),
        (Some(h), _) => Some((h, 1)),
        (None, Some(p)) => Some((p, 3)),
        (None, None) => None,
    };
    let (path_and_query, fragment) = match separator {
        Some((at, len)) => (&after_authority[..at], Some(&after_authority[at + len..])),
        // Without a fragment, punctuation after the link belongs to the sentence.
        None => (
            after_authority.trim_end_matches(['.', ',', ';', ':', ')', '!', '?', '\'', '"']),
            None,
        ),
    };
    let trimmed_punctuation = fragment.is_none() && path_and_query.len() < after_authority.len();
    let path = path_and_query.split('?').next().unwrap_or_default();

    let Some((prefix, grant_id)) = path.rsplit_once("/t/") else {
        return if fragment.is_some() || trimmed_punctuation {
            Outcome::Failed(LinkError::NotKepilLink)
        } else {
            more(LinkError::NotKepilLink)
        };
    };
    if !is_valid_grant_id(grant_id) {
        let could_grow = fragment.is_none()
            && !trimmed_punctuation
            && grant_id.len() < GRANT_ID_LEN
            && grant_id.chars().all(is_b64url_char);
        return if could_grow {
            more(LinkError::BadGrantId)
        } else {
            Outcome::Failed(LinkError::BadGrantId)
        };
    }

    // Only now is it clearly a Kepil link, so address problems get their own errors.
    let store = match Url::parse(&format!("{}://{authority}{prefix}", scheme.as_str())) {
        Ok(url) => url,
        Err(_) => return Outcome::Failed(LinkError::BadStoreAddress),
    };
    let store = match normalize_store(store) {
        Ok(store) => store,
        Err(e) => return Outcome::Failed(e),
    };

    let Some(fragment) = fragment else {
        return if trimmed_punctuation {
            Outcome::Failed(LinkError::MissingSecret)
        } else {
            more(LinkError::MissingSecret)
        };
    };
    let secret_len = fragment
        .find(|c: char| !is_b64url_char(c))
        .unwrap_or(fragment.len());
    let ran_to_end = secret_len == fragment.len();
    let candidate = &fragment[..secret_len];
    if secret_len < LINK_SECRET_B64_LEN {
        let e = if secret_len == 0 {
            LinkError::MissingSecret
        } else {
            LinkError::BadSecretLength { found: secret_len }
        };
        return if ran_to_end {
            more(e)
        } else {
            Outcome::Failed(e)
        };
    }
    match LinkSecret::parse(candidate) {
        Ok(secret) => Outcome::Complete(Link {
            store,
            grant_id: grant_id.to_owned(),
            secret,
        }),
        Err(e) => Outcome::Failed(e),
    }
}

/// Reading a link failed. Each variant tells the user what to do; none repeats the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkError {
    /// The text contains no `https://`, `http://` or `kepil://` address at all.
    NoLinkFound,
    /// There is an address, but not of the form `…/t/ID#SECRET`.
    NotKepilLink,
    /// The part after `#` is missing (some programs drop it).
    MissingSecret,
    /// The part after `#` is shorter or longer than 22 characters.
    BadSecretLength { found: usize },
    /// The part after `#` has the right length but is damaged.
    BadSecret,
    /// The id after `/t/` is damaged or cut short.
    BadGrantId,
    /// `http://` to a host other than this computer.
    InsecureHttp { host: String },
    /// `user:password@` in the address, a phishing trick.
    HasCredentials,
    /// The store address itself is not a valid web address.
    BadStoreAddress,
    /// A mail security gateway rewrote the link in a way that could not be undone.
    WrapperUnreadable,
}

impl Coded for LinkError {
    fn code(&self) -> &'static str {
        match self {
            LinkError::NoLinkFound => "link_not_found",
            LinkError::NotKepilLink => "link_not_kepil",
            LinkError::MissingSecret => "link_missing_secret",
            LinkError::BadSecretLength { .. } => "link_secret_length",
            LinkError::BadSecret => "link_secret_damaged",
            LinkError::BadGrantId => "link_id_damaged",
            LinkError::InsecureHttp { .. } => "link_insecure_http",
            LinkError::HasCredentials => "link_has_credentials",
            LinkError::BadStoreAddress => "link_bad_store_address",
            LinkError::WrapperUnreadable => "link_wrapper_unreadable",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            LinkError::BadSecretLength { found } => vec![
                ("found", found.to_string()),
                ("expected", LINK_SECRET_B64_LEN.to_string()),
            ],
            LinkError::BadGrantId => vec![("expected", GRANT_ID_LEN.to_string())],
            LinkError::InsecureHttp { host } => vec![("host", host.clone())],
            _ => vec![],
        }
    }
}

coded_error_display!(LinkError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_secret_base64url_round_trip_and_errors() {
        let secret = LinkSecret::generate();
        assert_ne!(secret, LinkSecret::generate());
        let text = secret.to_base64url();
        assert_eq!(text.len(), LINK_SECRET_B64_LEN);
        assert_eq!(LinkSecret::parse(text.expose()).unwrap(), secret);
        let fixed = LinkSecret::from_bytes([0xff; 16]);
        assert_eq!(fixed.to_base64url().expose(), "_____________________w");
        assert_eq!(fixed.expose_bytes(), &[0xff; 16]);

        assert_eq!(
            LinkSecret::parse("AAAA").unwrap_err(),
            LinkError::BadSecretLength { found: 4 }
        );
        assert_eq!(
            LinkSecret::parse(&"A".repeat(23)).unwrap_err(),
            LinkError::BadSecretLength { found: 23 }
        );
        // Right length, wrong alphabet or non-zero padding bits: damaged, not guessed.
        assert_eq!(
            LinkSecret::parse("AAAAAAAAAAAAAAAAAAAA+A").unwrap_err(),
            LinkError::BadSecret
        );
        assert_eq!(
            LinkSecret::parse("AAAAAAAAAAAAAAAAAAAAAB").unwrap_err(),
            LinkError::BadSecret
        );
        assert_eq!(
            LinkSecret::parse("AAAAAAAAAAAAAAAAAAAAAé").unwrap_err(),
            LinkError::BadSecret
        );
    }
}
