//! Reading the store's configuration: a TOML file, then `KEPIL_STORE_*` environment variables,
//! then command-line flags, each overriding the one before (docs/store.md lists them all).
//!
//! No error here quotes a value: a config line or a variable can hold a database password or
//! an S3 key, and errors end up in terminals, journals and tickets.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use kepil_core::secret::SecretString;
use kepil_store::config::{ConfigError, TlsConfig};
use kepil_store::{Config, DatabaseUrl};
use toml::de::{DeTable, DeValue};

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Not toml's error: its `Display` (and `Debug`) carries the offending line.
    #[error("invalid config file {path}: {problem}")]
    Parse {
        path: PathBuf,
        problem: ParseProblem,
    },
    #[error("invalid {var}: {reason}")]
    Env { var: &'static str, reason: String },
    #[error("invalid configuration: {0}")]
    Invalid(String),
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// Where a config file is wrong and what is wrong there, in words that quote no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseProblem {
    /// 1-based line and column (in characters) of the offending text.
    pub position: Option<(usize, usize)>,
    /// The key path, e.g. `s3.endpoint` or `classifications[1].max_expiry_secs`.
    pub key: Option<String>,
    pub what: String,
}

impl fmt::Display for ParseProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut place = vec![];
        if let Some((line, column)) = self.position {
            place.push(format!("line {line}, column {column}"));
        }
        if let Some(key) = &self.key {
            place.push(format!("key `{key}`"));
        }
        if place.is_empty() {
            f.write_str(&self.what)
        } else {
            write!(f, "{}: {}", place.join(", "), self.what)
        }
    }
}

impl ParseProblem {
    /// Describes `err`, which parsing `text` gave, from its position and its message with
    /// anything quoted from `text` taken out.
    pub fn new(text: &str, err: &toml::de::Error) -> Self {
        // The partial document a syntax error leaves still locates the key and lists the
        // values the message must not repeat.
        let (doc, syntax_errors) = DeTable::parse_recoverable(text);
        let mut entries = vec![];
        collect_entries(doc.get_ref(), &mut vec![], &mut entries);
        let at = err
            .span()
            .map(|span| span.start)
            .filter(|&at| text.is_char_boundary(at));
        let mut secrets: Vec<String> = entries.iter().filter_map(|e| e.string.clone()).collect();
        if let Some(at) = at.filter(|_| !syntax_errors.is_empty()) {
            // A syntax error can cut the value off before it became an entry: the rest of the
            // line counts as a value too.
            let line = line_at(text, at);
            secrets.push(line.split_once('=').map_or(line, |(_, v)| v).trim().into());
            if let Some(span) = err.span()
                && let Some(raw) = text.get(span)
            {
                secrets.push(raw.trim().to_string());
            }
        }
        let what = if syntax_errors.is_empty() {
            let what =
                serde_message(err.message()).unwrap_or_else(|| without_quotes(err.message()));
            unless_repeating(what, &secrets, "invalid value")
        } else {
            // The parser's own words and the tokens it expected, never input.
            unless_repeating(err.message().to_string(), &secrets, "not valid TOML")
        };
        ParseProblem {
            position: at.map(|at| position(text, at)),
            key: at.and_then(|at| key_at(text, &entries, at)),
            what,
        }
    }
}

/// One `key = value` of a parsed document, at any depth.
struct Entry {
    path: String,
    depth: usize,
    /// From the start of the key to the end of the value.
    range: std::ops::Range<usize>,
    /// The value, when it is a string.
    string: Option<String>,
}

fn collect_entries(table: &DeTable<'_>, path: &mut Vec<String>, out: &mut Vec<Entry>) {
    for (key, value) in table.iter() {
        path.push(key_segment(key.get_ref()));
        let (k, v) = (key.span(), value.span());
        out.push(Entry {
            path: path.join("."),
            depth: path.len(),
            range: k.start.min(v.start)..k.end.max(v.end),
            string: match value.get_ref() {
                DeValue::String(s) => Some(s.to_string()),
                _ => None,
            },
        });
        collect_values(value.get_ref(), path, out);
        path.pop();
    }
}

/// Descends into tables and arrays below the entry `path` names.
fn collect_values(value: &DeValue<'_>, path: &mut Vec<String>, out: &mut Vec<Entry>) {
    match value {
        DeValue::Table(table) => collect_entries(table, path, out),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let Some(last) = path.last_mut() else {
                    continue;
                };
                let key = std::mem::take(last);
                *last = format!("{key}[{i}]");
                let span = item.span();
                out.push(Entry {
                    path: path.join("."),
                    depth: path.len(),
                    range: span,
                    string: match item.get_ref() {
                        DeValue::String(s) => Some(s.to_string()),
                        _ => None,
                    },
                });
                collect_values(item.get_ref(), path, out);
                if let Some(last) = path.last_mut() {
                    *last = key;
                }
            }
        }
        _ => {}
    }
}

/// A key as the path shows it: a quoted key (which may hold anything) only as `"…"`.
fn key_segment(key: &str) -> String {
    let bare = !key.is_empty()
        && key.len() <= 64
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        key.to_string()
    } else {
        "\"…\"".into()
    }
}

/// The deepest entry whose text holds byte `at`, else the last one starting earlier on its
/// line (a syntax error after a value).
fn key_at(text: &str, entries: &[Entry], at: usize) -> Option<String> {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let holding = entries
        .iter()
        .filter(|e| e.range.start <= at && at <= e.range.end)
        .max_by_key(|e| (e.depth, e.range.start));
    let on_the_line = || {
        entries
            .iter()
            .filter(|e| (line_start..=at).contains(&e.range.start))
            .max_by_key(|e| (e.range.start, e.depth))
    };
    holding.or_else(on_the_line).map(|e| e.path.clone())
}

fn line_at(text: &str, at: usize) -> &str {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    &text[start..end]
}

/// 1-based line and column (in characters) of byte `at`.
fn position(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

/// `what`, or `fallback` when it repeats a value of the document after all.
fn unless_repeating(what: String, secrets: &[String], fallback: &str) -> String {
    if repeats_any(&what, secrets) {
        fallback.to_string()
    } else {
        what
    }
}

/// serde's own messages rebuilt from the parts they take from the code (what was expected,
/// which keys exist), without the part they take from the document.
fn serde_message(message: &str) -> Option<String> {
    // The code's part comes last; a value holding ", expected " is cut off before it.
    let expected = |rest: &str| rest.rsplit_once(", expected ").map(|(_, e)| e.to_string());
    let one_of = |rest: &str| expected(rest).filter(|e| e.starts_with("one of "));
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let expected = expected(rest)?;
        return Some(match found(rest) {
            Some(found) => format!("expected {expected}, found {found}"),
            None => format!("expected {expected}"),
        });
    }
    if let Some(rest) = message.strip_prefix("invalid value: ") {
        return Some(format!("invalid value, expected {}", expected(rest)?));
    }
    if message.starts_with("unknown variant ") {
        return Some(match one_of(message) {
            Some(e) => format!("unknown value, expected {e}"),
            None => "unknown value".into(),
        });
    }
    if message.starts_with("unknown field ") {
        return Some(match one_of(message) {
            Some(e) => format!("unknown key, expected {e}"),
            None => "unknown key: this table takes no keys".into(),
        });
    }
    // These name a key of the code's, never a value.
    for (serde, ours) in [
        ("missing field `", "missing key `"),
        ("duplicate field `", "duplicate key `"),
    ] {
        if let Some(field) = message.strip_prefix(serde)
            && let Some(field) = field.strip_suffix('`')
            && !field.contains('`')
        {
            return Some(format!("{ours}{field}`"));
        }
    }
    if let Some(rest) = message.strip_prefix("unexpected keys in table: ") {
        return Some(match rest.rsplit_once(", available keys: ") {
            Some((_, keys)) => format!("unknown key, available keys: {keys}"),
            None => "unknown key".into(),
        });
    }
    None
}

/// What serde's `Unexpected` says was found, without the value it shows after.
fn found(rest: &str) -> Option<&'static str> {
    [
        ("boolean ", "a boolean"),
        ("integer ", "an integer"),
        ("floating point ", "a float"),
        ("character ", "a character"),
        ("string ", "a string"),
        ("byte array", "bytes"),
        ("unit value", "nothing"),
        ("sequence", "an array"),
        ("map", "a table"),
    ]
    .iter()
    .find(|(prefix, _)| rest.starts_with(prefix))
    .map(|&(_, kind)| kind)
}

/// `message` with every quoted part ("…", “…”, `…`) replaced by `…`.
fn without_quotes(message: &str) -> String {
    let mut out = String::new();
    let mut closing: Option<char> = None;
    for c in message.chars() {
        match closing {
            Some(end) if c == end => closing = None,
            Some(_) => {}
            None => match c {
                '"' | '`' => {
                    closing = Some(c);
                    out.push('…');
                }
                '“' => {
                    closing = Some('”');
                    out.push('…');
                }
                _ => out.push(c),
            },
        }
    }
    out
}

/// Whether `what` holds eight characters in a row of any of `values` (messages clip what they
/// quote). Shorter values are words like `SULIT` that messages say themselves.
fn repeats_any(what: &str, values: &[String]) -> bool {
    values.iter().any(|value| {
        let chars: Vec<char> = value.chars().collect();
        chars
            .windows(8)
            .any(|w| what.contains(&w.iter().collect::<String>()))
    })
}

/// Command-line values that override the file and the environment.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub data_dir: Option<PathBuf>,
    pub listen: Option<SocketAddr>,
    pub behind_proxy: bool,
    pub blobs: Option<String>,
    pub metadata: Option<DatabaseUrl>,
}

/// File (when given), then environment, then `overrides`; validated.
pub fn load(path: Option<&Path>, overrides: &Overrides) -> Result<Config, LoadError> {
    let mut config = match path {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
                path: path.to_path_buf(),
                source,
            })?;
            toml::from_str(&text).map_err(|e| LoadError::Parse {
                path: path.to_path_buf(),
                problem: ParseProblem::new(&text, &e),
            })?
        }
        None => Config::default(),
    };
    apply_env(&mut config, |k| std::env::var(k).ok())?;
    if let Some(dir) = &overrides.data_dir {
        config.data_dir = dir.clone();
    }
    if let Some(listen) = overrides.listen {
        config.listen = listen;
    }
    if overrides.behind_proxy {
        config.behind_proxy = true;
    }
    if let Some(blobs) = &overrides.blobs {
        config.blobs = Some(blobs.clone());
    }
    if let Some(url) = &overrides.metadata {
        config.metadata = Some(url.clone());
    }
    config.validate()?;
    Ok(config)
}

/// The `KEPIL_STORE_*` variables (documented in docs/store.md).
pub fn apply_env(
    config: &mut Config,
    get: impl Fn(&str) -> Option<String>,
) -> Result<(), LoadError> {
    // The standard parse errors say what is wrong without the value, which is not repeated.
    fn parse<T>(var: &'static str, v: String) -> Result<T, LoadError>
    where
        T: std::str::FromStr,
        T::Err: fmt::Display,
    {
        v.trim().parse().map_err(|e: T::Err| LoadError::Env {
            var,
            reason: e.to_string(),
        })
    }
    macro_rules! env {
        ($var:literal, $field:expr) => {
            if let Some(v) = get($var) {
                $field = parse($var, v)?;
            }
        };
    }
    env!("KEPIL_STORE_LISTEN", config.listen);
    env!("KEPIL_STORE_DATA_DIR", config.data_dir);
    if let Some(v) = get("KEPIL_STORE_MASTER_KEY_FILE") {
        config.master_key_file = Some(v.into());
    }
    if let Some(v) = get("KEPIL_STORE_PUBLIC_URL") {
        config.public_url = Some(v);
    }
    match (get("KEPIL_STORE_TLS_CERT"), get("KEPIL_STORE_TLS_KEY")) {
        (Some(cert), Some(key)) => {
            config.tls = Some(TlsConfig {
                cert: cert.into(),
                key: key.into(),
            })
        }
        (None, None) => {}
        _ => {
            return Err(LoadError::Invalid(
                "set both KEPIL_STORE_TLS_CERT and KEPIL_STORE_TLS_KEY".into(),
            ));
        }
    }
    env!("KEPIL_STORE_BEHIND_PROXY", config.behind_proxy);
    env!("KEPIL_STORE_MAX_BLOB_SIZE", config.max_blob_size);
    env!("KEPIL_STORE_UPLOADER_QUOTA", config.uploader_quota);
    env!(
        "KEPIL_STORE_DEFAULT_MAX_DOWNLOADS",
        config.default_max_downloads
    );
    env!("KEPIL_STORE_MAX_DOWNLOADS", config.max_downloads);
    env!("KEPIL_STORE_LOCKOUT_THRESHOLD", config.lockout_threshold);
    env!(
        "KEPIL_STORE_PROOF_RATE_PER_MINUTE",
        config.proof_rate_per_minute
    );
    env!("KEPIL_STORE_NONCE_TTL_SECS", config.nonce_ttl_secs);
    env!(
        "KEPIL_STORE_DOWNLOAD_TOKEN_TTL_SECS",
        config.download_token_ttl_secs
    );
    env!("KEPIL_STORE_UPLOAD_EXPIRY_SECS", config.upload_expiry_secs);
    env!(
        "KEPIL_STORE_TOMBSTONE_RETENTION_SECS",
        config.tombstone_retention_secs
    );
    env!(
        "KEPIL_STORE_SWEEP_INTERVAL_SECS",
        config.sweep_interval_secs
    );
    env!(
        "KEPIL_STORE_REQUEST_TIMEOUT_SECS",
        config.request_timeout_secs
    );
    env!("KEPIL_STORE_IDLE_TIMEOUT_SECS", config.idle_timeout_secs);
    env!("KEPIL_STORE_CHECKPOINT_BYTES", config.checkpoint_bytes);
    if let Some(v) = get("KEPIL_STORE_BLOBS") {
        config.blobs = Some(v);
    }
    // The standard AWS variables fill what the file left unset (the file is more specific).
    let s3 = &mut config.s3;
    if s3.endpoint.is_none() {
        s3.endpoint = get("AWS_ENDPOINT_URL_S3").or_else(|| get("AWS_ENDPOINT_URL"));
    }
    if s3.region.is_none() {
        s3.region = get("AWS_REGION").or_else(|| get("AWS_DEFAULT_REGION"));
    }
    if s3.access_key_id.is_none() && s3.secret_access_key.is_none() {
        // Both from the same place, never a key id from one and a secret from another.
        s3.access_key_id = get("AWS_ACCESS_KEY_ID");
        s3.secret_access_key = get("AWS_SECRET_ACCESS_KEY").map(SecretString::new);
    }
    // Not through `parse`: its error would echo the value, password and all.
    if let Some(v) = get("KEPIL_STORE_METADATA") {
        config.metadata = Some(DatabaseUrl::new(v.trim()));
    }
    env!("KEPIL_STORE_METADATA_POOL_SIZE", config.metadata_pool_size);
    env!(
        "KEPIL_STORE_METADATA_LOCK_POOL_SIZE",
        config.metadata_lock_pool_size
    );
    env!("KEPIL_STORE_AUTO_MIGRATE", config.auto_migrate);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kepil_store::config::BlobLocation;
    use kepil_store::storage::MetadataBackend;

    #[test]
    fn env_overrides_file_values_and_rahsia_is_refused() {
        let mut c: Config = toml::from_str("max_downloads = 5\nlockout_threshold = 4").unwrap();
        assert_eq!(c.max_downloads, 5);
        apply_env(&mut c, |k| {
            (k == "KEPIL_STORE_MAX_DOWNLOADS").then(|| "7".to_string())
        })
        .unwrap();
        assert_eq!(c.max_downloads, 7);
        assert_eq!(c.lockout_threshold, 4);
        c.validate().unwrap();

        let bad: Config = toml::from_str(
            "[[classifications]]\nclassification = \"RAHSIA\"\nmax_expiry_secs = 10\ndefault_expiry_secs = 5",
        )
        .unwrap();
        assert!(bad.validate().is_err());
        let over: Config = toml::from_str("lockout_threshold = 11").unwrap();
        assert!(over.validate().is_err());
    }

    #[test]
    fn load_reads_the_file_and_flags_win() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.toml");
        std::fs::write(
            &path,
            "listen = \"127.0.0.1:9000\"\ndata_dir = \"/srv/kepil\"\n\
             public_url = \"https://kepil.agensi.gov.my\"\nmax_blob_size = 1024\n\
             [tls]\ncert = \"/etc/kepil/cert.pem\"\nkey = \"/etc/kepil/key.pem\"\n",
        )
        .unwrap();
        let overrides = Overrides {
            data_dir: Some("/tmp/other".into()),
            ..Overrides::default()
        };
        let c = load(Some(&path), &overrides).unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.data_dir, PathBuf::from("/tmp/other"));
        assert_eq!(c.max_blob_size, 1024);
        assert_eq!(c.public_url.as_deref(), Some("https://kepil.agensi.gov.my"));
        assert!(c.tls.is_some());
        std::fs::write(&path, "no_such_key = 1\n").unwrap();
        assert!(load(Some(&path), &Overrides::default()).is_err());
    }

    #[test]
    fn metadata_backend_is_chosen_by_url_and_never_shows_a_password() {
        let mut c = Config::for_data_dir("/srv/kepil");
        assert_eq!(
            c.metadata_backend().unwrap(),
            MetadataBackend::Sqlite("/srv/kepil/store.db".into())
        );
        c.metadata = Some(DatabaseUrl::new("sqlite:/var/lib/k/meta.db"));
        assert_eq!(
            c.metadata_backend().unwrap(),
            MetadataBackend::Sqlite("/var/lib/k/meta.db".into())
        );
        let url = "postgresql://kepil:s3cret@db.agensi.gov.my:5432/kepil?sslmode=verify-full";
        apply_env(&mut c, |k| {
            (k == "KEPIL_STORE_METADATA").then(|| url.to_string())
        })
        .unwrap();
        c.validate().unwrap();
        assert_eq!(
            c.metadata_backend().unwrap(),
            MetadataBackend::Postgres(url.into())
        );
        let shown = format!("{c:?} {:?}", c.metadata_backend().unwrap());
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("db.agensi.gov.my"), "{shown}");

        for bad in [
            "mysql://u:s3cret@h/db",
            "sqlite:",
            "postgres://u:s3cret@h:port/db",
        ] {
            c.metadata = Some(DatabaseUrl::new(bad));
            let e = c.validate().unwrap_err().to_string();
            assert!(e.contains("metadata"), "{e}");
            assert!(!e.contains("s3cret"), "{e}");
        }
        let t: Config =
            toml::from_str("metadata = \"postgres://h/db\"\nauto_migrate = true").unwrap();
        assert!(t.auto_migrate);
        t.validate().unwrap();
    }

    #[test]
    fn plain_http_off_loopback_needs_a_proxy_flag() {
        let mut c = Config {
            listen: "0.0.0.0:8080".parse().unwrap(),
            ..Config::default()
        };
        assert!(c.check_listen_safety().is_err());
        c.behind_proxy = true;
        assert!(c.check_listen_safety().is_ok());
    }

    #[test]
    fn blobs_location_s3_settings_and_the_secret_stays_secret() {
        let mut c = Config::for_data_dir("/srv/kepil");
        assert_eq!(
            c.blob_location().unwrap(),
            BlobLocation::File("/srv/kepil/blobs".into())
        );
        c.blobs = Some("file:/mnt/blobs".into());
        assert_eq!(
            c.blob_location().unwrap(),
            BlobLocation::File("/mnt/blobs".into())
        );
        for bad in [
            "/mnt/blobs",
            "file:",
            "s3://",
            "s3://A_B/x",
            "s3://ok-bucket/a/../b",
        ] {
            c.blobs = Some(bad.into());
            assert!(c.validate().is_err(), "{bad} accepted");
        }

        let mut c: Config = toml::from_str(
            "blobs = \"s3://kepil-blobs/dc1/\"\n[s3]\nendpoint = \"http://10.0.0.5:8333\"\n\
             access_key_id = \"AKID\"\nsecret_access_key = \"very-secret-key\"\n",
        )
        .unwrap();
        match c.blob_location().unwrap() {
            BlobLocation::S3(l) => assert_eq!(
                (l.bucket.as_str(), l.prefix.as_str()),
                ("kepil-blobs", "dc1")
            ),
            other => panic!("{other:?}"),
        }
        assert!(c.s3.path_style(), "an explicit endpoint means path style");
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("allow_http"), "{err}");
        c.s3.allow_http = true;
        c.validate().unwrap();
        c.s3.part_size = 1 << 20;
        assert!(c.validate().unwrap_err().to_string().contains("part_size"));
        c.s3.part_size = 8 << 20;
        let shown = format!("{c:?}");
        assert!(!shown.contains("very-secret-key"), "{shown}");
        let written = toml::to_string(&c).unwrap();
        assert!(!written.contains("very-secret-key"), "{written}");

        // Credentials from the AWS variables only when the file names none; both or neither.
        let mut c: Config = toml::from_str("blobs = \"s3://kepil-blobs\"").unwrap();
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .contains("AWS_ACCESS_KEY_ID")
        );
        apply_env(&mut c, |k| match k {
            "AWS_ACCESS_KEY_ID" => Some("AKENV".into()),
            "AWS_SECRET_ACCESS_KEY" => Some("env-secret".into()),
            "AWS_REGION" => Some("my-1".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.s3.access_key_id.as_deref(), Some("AKENV"));
        assert_eq!(c.s3.region.as_deref(), Some("my-1"));
        assert!(!c.s3.path_style(), "AWS itself: virtual-hosted style");
        c.validate().unwrap();
        let mut c: Config = toml::from_str("[s3]\naccess_key_id = \"FILE\"").unwrap();
        apply_env(&mut c, |k| {
            (k == "AWS_SECRET_ACCESS_KEY").then(|| "env-secret".into())
        })
        .unwrap();
        assert!(
            c.s3.secret_access_key.is_none(),
            "no mixing of file and environment"
        );
        apply_env(&mut c, |k| {
            (k == "KEPIL_STORE_BLOBS").then(|| "file:/x".into())
        })
        .unwrap();
        assert_eq!(c.blobs.as_deref(), Some("file:/x"));
    }

    const CANARY: &str = "canary-7d2c9e41b0a35f68";

    /// The parse error `text` gives when loaded from a file, as printed.
    fn parse_error(text: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.toml");
        std::fs::write(&path, text).unwrap();
        let e = load(Some(&path), &Overrides::default()).unwrap_err();
        assert!(matches!(e, LoadError::Parse { .. }), "{e}");
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains(CANARY), "{shown}");
        assert!(!shown.contains(&CANARY[..12]), "{shown}");
        assert!(shown.contains("store.toml"), "{shown}");
        e.to_string()
    }

    #[test]
    fn parse_errors_say_where_and_what_but_never_the_value() {
        let head = "listen = \"127.0.0.1:9000\"\n";
        for (text, says) in [
            (
                format!("{head}max_blob_size = \"{CANARY}\"\n"),
                "line 2, column 17, key `max_blob_size`: expected u64, found a string",
            ),
            (
                format!("{head}metadata = [\"postgres://kepil:{CANARY}@db/kepil\"]\n"),
                "line 2, column 12, key `metadata`: expected a string, found an array",
            ),
            (
                format!("{head}no_such_key = \"{CANARY}\"\n"),
                "line 2, column 1, key `no_such_key`: unknown key, expected one of `listen`",
            ),
            (
                format!("{head}[s3]\nendpoint = \"https://s3\"\nsecret = \"{CANARY}\"\n"),
                "line 4, column 1, key `s3.secret`: unknown key, expected one of `endpoint`",
            ),
            (
                format!("{head}metadata = \"postgres://kepil:{CANARY}@db/kepil\n"),
                "line 2, column 62, key `metadata`: invalid basic string, expected `\"`",
            ),
            (
                format!("{head}[s3]\nsecret_access_key = \"{CANARY}\" junk\n"),
                "line 3, column 47, key `s3.secret_access_key`: unexpected key or value",
            ),
            (
                format!("{head}metadata = postgres://kepil:{CANARY}@db/kepil\n"),
                "line 2, column 12, key `metadata`: string values must be quoted",
            ),
            (
                format!("{head}[tls]\ncert = \"/etc/{CANARY}.pem\"\n"),
                "key `tls`: missing key `key`",
            ),
            // Deserialised through FromStr, whose message quotes the (clipped) input.
            (
                format!(
                    "[[classifications]]\nclassification = \"SULIT\"\nmax_expiry_secs = 9\n\
                     default_expiry_secs = 5\n[[classifications]]\nclassification = \
                     \"{CANARY}{CANARY}\"\nmax_expiry_secs = 9\ndefault_expiry_secs = 5\n"
                ),
                "line 6, column 18, key `classifications[1].classification`: Classification",
            ),
            (
                format!("{head}[tls]\ncert = \"/c.pem\"\nkey = 5\npassword = \"{CANARY}\"\n"),
                "line 4, column 7, key `tls.key`: expected path string, found an integer",
            ),
            (
                format!("{head}auto_migrate = \"{CANARY}\"\n"),
                "key `auto_migrate`: expected a boolean, found a string",
            ),
            (
                format!("{head}listen = \"{CANARY}\"\n"),
                "line 2, column 1: duplicate key",
            ),
            (
                format!("listen = \"{CANARY}\"\n"),
                "line 1, column 10, key `listen`: invalid socket address syntax",
            ),
        ] {
            let e = parse_error(&text);
            assert!(e.contains(says), "{says:?} not in {e:?} for {text}");
        }
    }

    #[test]
    fn env_errors_name_the_variable_not_the_value() {
        let mut c = Config::default();
        let e = apply_env(&mut c, |k| {
            (k == "KEPIL_STORE_LISTEN").then(|| CANARY.to_string())
        })
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("KEPIL_STORE_LISTEN") && !e.contains(CANARY),
            "{e}"
        );
        let e = apply_env(&mut c, |k| {
            (k == "KEPIL_STORE_MAX_DOWNLOADS").then(|| CANARY.to_string())
        })
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("KEPIL_STORE_MAX_DOWNLOADS") && !e.contains(CANARY),
            "{e}"
        );
    }

    #[test]
    fn debug_of_a_loaded_config_shows_no_credential() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.toml");
        std::fs::write(
            &path,
            format!(
                "metadata = \"postgres://kepil:{CANARY}@db.agensi.gov.my/kepil?sslmode=\
                 verify-full\"\nmaster_key_file = \"/etc/kepil/master.key\"\n\
                 blobs = \"s3://kepil-blobs/dc1\"\n[s3]\nendpoint = \"https://rgw.dc1\"\n\
                 access_key_id = \"AK{CANARY}\"\nsecret_access_key = \"{CANARY}\"\n"
            ),
        )
        .unwrap();
        let c = load(Some(&path), &Overrides::default()).unwrap();
        let shown = format!("{c:?} {c:#?}");
        assert!(!shown.contains(CANARY), "{shown}");
        assert!(
            shown.contains("postgres://kepil:***@db.agensi.gov.my"),
            "{shown}"
        );
        assert!(shown.contains("https://rgw.dc1"), "{shown}");

        // From the environment (and a flag) too.
        let overrides = Overrides {
            metadata: Some(DatabaseUrl::new(format!(
                "postgres://kepil@db/kepil?password={CANARY}"
            ))),
            ..Overrides::default()
        };
        let shown = format!("{overrides:?}");
        assert!(!shown.contains(CANARY), "{shown}");
        let mut c = Config::default();
        apply_env(&mut c, |k| match k {
            "KEPIL_STORE_METADATA" => Some(format!("postgres://kepil:{CANARY}@db/kepil")),
            "AWS_ENDPOINT_URL" => Some(format!("http://AK:{CANARY}@10.0.0.5:8333")),
            "AWS_ACCESS_KEY_ID" => Some(format!("AK{CANARY}")),
            "AWS_SECRET_ACCESS_KEY" => Some(CANARY.to_string()),
            _ => None,
        })
        .unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains(CANARY), "{shown}");
        assert!(shown.contains("http://***@10.0.0.5:8333"), "{shown}");
    }

    #[test]
    fn validation_refuses_credentials_where_messages_would_show_them() {
        let mut c = Config::for_data_dir("/srv/kepil");
        for (url, says) in [
            (
                format!("postgres://kepil@db/kepil?sslpassword={CANARY}"),
                "`sslpassword`",
            ),
            (
                format!("postgres://kepil@db/kepil?passwd={CANARY}"),
                "`passwd`",
            ),
            (
                format!("postgres://kepil@db/kepil?{CANARY}%20x=1"),
                "a parameter",
            ),
            (
                format!("postgres://kepil:1/{CANARY}@db/kepil"),
                "percent-encoded",
            ),
            (
                format!("postgres://kepil:1#{CANARY}@db/kepil"),
                "percent-encoded",
            ),
        ] {
            c.metadata = Some(DatabaseUrl::new(url));
            let e = c.validate().unwrap_err().to_string();
            assert!(e.contains(says) && !e.contains(CANARY), "{e}");
        }
        c.metadata = None;

        let mut c: Config = toml::from_str(&format!(
            "blobs = \"s3://kepil-blobs\"\n[s3]\nendpoint = \"https://AK:{CANARY}@rgw\"\n\
             access_key_id = \"AK\"\nsecret_access_key = \"SK\"\n"
        ))
        .unwrap();
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("s3.endpoint") && !e.contains(CANARY), "{e}");
        c.s3.endpoint = Some("https://rgw".into());
        c.validate().unwrap();
        for blobs in [
            format!("s3://AK:{CANARY}@kepil-blobs/x"),
            format!("s3:{CANARY}"),
            format!("{CANARY}/blobs"),
        ] {
            c.blobs = Some(blobs);
            let e = c.validate().unwrap_err().to_string();
            assert!(e.contains("blobs") && !e.contains(CANARY), "{e}");
        }
    }
}
