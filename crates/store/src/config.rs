//! Store configuration: what a store needs to serve, with a default for every key, so an
//! empty file (or none) gives a loopback store under `./kepil-store-data`. The server binary
//! (crates/store-server) reads it from a TOML file, `KEPIL_STORE_*` variables and flags; the
//! desktop app builds one in code ([`Config::for_data_dir`]).

use std::net::SocketAddr;
use std::path::PathBuf;

use kepil_protocol::Classification;
use serde::{Deserialize, Serialize};

use crate::storage::MetadataBackend;
pub use crate::storage::s3::{S3Config, S3Location};

const DAY: u64 = 24 * 60 * 60;

/// A configuration that cannot serve; reading one from files and the environment is the
/// server binary's job (crates/store-server), which wraps this in its own error.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

/// `Debug` is written out below: `s3` and `public_url` may hold credentials.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on. Non-loopback needs `tls` or `behind_proxy`.
    pub listen: SocketAddr,
    /// Holds `store.db` (metadata), `blobs/` and `audit.jsonl`.
    pub data_dir: PathBuf,
    /// The master key that wraps every blob key (32 bytes, base64 or hex, mode 0600). Keep it
    /// off the database and the object store: with it gone, so are the blobs. Default:
    /// `<data_dir>/master.key`, created on first start.
    pub master_key_file: Option<PathBuf>,
    /// Base URL links and upload URLs use, e.g. `https://kepil.agensi.gov.my`. Default: the
    /// address actually bound (`http://127.0.0.1:PORT` or `https://...`).
    pub public_url: Option<String>,
    pub tls: Option<TlsConfig>,
    /// A TLS-terminating proxy is in front: allows plain HTTP on a non-loopback address and
    /// trusts the last `X-Forwarded-For` entry as the client address.
    pub behind_proxy: bool,
    /// Largest blob accepted, bytes.
    pub max_blob_size: u64,
    /// Bytes one uploader (user) may hold at once, counted by the declared sizes of their
    /// transfers whose blobs are not yet purged.
    pub uploader_quota: u64,
    /// Accepted classifications with their expiry limits. RAHSIA and RAHSIA BESAR are refused
    /// at load time.
    pub classifications: Vec<ClassificationLimit>,
    pub default_max_downloads: u32,
    pub max_downloads: u32,
    /// Consecutive failed proofs that lock a grant; 1..=10.
    pub lockout_threshold: u32,
    /// Challenges and proofs per minute per client address (token bucket, same burst).
    pub proof_rate_per_minute: u32,
    pub nonce_ttl_secs: u64,
    pub download_token_ttl_secs: u64,
    /// An incomplete upload is purged this long after its last PATCH.
    pub upload_expiry_secs: u64,
    /// How long the rows of a purged transfer are kept so a valid proof still learns why.
    pub tombstone_retention_secs: u64,
    pub sweep_interval_secs: u64,
    /// Whole-request timeout for JSON routes; uploads and downloads use `idle_timeout_secs`.
    pub request_timeout_secs: u64,
    /// A PATCH body that sends nothing for this long is cut off (bytes so far are kept).
    pub idle_timeout_secs: u64,
    /// A long PATCH makes its bytes durable and records its offset every this many bytes: what
    /// a crash of the store mid-PATCH can lose at most. Each checkpoint is an fsync and a
    /// database commit, so small values slow uploads down. At least 1 MiB.
    pub checkpoint_bytes: u64,
    /// Largest JSON body accepted.
    pub json_body_limit: usize,
    /// Where blobs live: `file:PATH` or `s3://bucket/prefix`; default `file:<data_dir>/blobs`.
    pub blobs: Option<String>,
    /// The S3 connection, used when `blobs` is an `s3://` URL.
    pub s3: S3Config,
    /// Metadata backend: `sqlite:PATH`, or `postgres://USER@HOST:PORT/DATABASE?sslmode=
    /// verify-full` (several instances share it). Default: `sqlite:<data_dir>/store.db`.
    /// Prefer PGPASSWORD or ~/.pgpass to a password in the URL.
    pub metadata: Option<DatabaseUrl>,
    /// PostgreSQL: connections for queries, per instance.
    pub metadata_pool_size: u32,
    /// PostgreSQL: connections holding upload locks (one per upload PATCH in progress on
    /// this instance) and the sweeper's lock, per instance; at least 2.
    pub metadata_lock_pool_size: u32,
    /// PostgreSQL: `serve` applies pending migrations itself instead of refusing to start on
    /// an older schema (SQLite always migrates on open).
    pub auto_migrate: bool,
    /// Sign-in, administrators and machine tokens.
    pub identity: crate::identity::IdentityConfig,
}

/// Where the blob backend keeps blobs, from [`Config::blobs`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobLocation {
    File(PathBuf),
    S3(S3Location),
}

/// A database URL; may carry a password, so it prints only redacted.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn new(url: impl Into<String>) -> Self {
        DatabaseUrl(url.into())
    }

    /// The URL itself, password included: for connecting only, never for messages.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL for messages: the password (and `password=`, `sslpassword=`) as `***`.
    pub fn redacted(&self) -> String {
        crate::redact::database_url(&self.0)
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// The URL parameters the PostgreSQL driver (sqlx) reads. It logs any other one with its value
/// at WARN while parsing, which would print a `sslpassword=` or a misspelt `password=`: the
/// URL is checked against this list before the driver sees it.
const POSTGRES_URL_PARAMETERS: &[&str] = &[
    "sslmode",
    "ssl-mode",
    "sslrootcert",
    "ssl-root-cert",
    "ssl-ca",
    "sslcert",
    "ssl-cert",
    "sslkey",
    "ssl-key",
    "statement-cache-capacity",
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "application_name",
    "options",
];

/// Why a PostgreSQL URL is refused before the driver parses it, or `None`. Names a parameter
/// only when it looks like one (a typo of a key, not a value pasted in the wrong place).
fn postgres_url_problem(url: &str) -> Option<String> {
    // Unparseable URLs are left to the driver, whose error says why without the URL.
    let parsed = url::Url::parse(url).ok()?;
    if !crate::redact::looks_well_formed(&parsed) {
        return Some(
            "metadata: the PostgreSQL URL is malformed: a '/', '?', '#' or '@' in the password \
             must be percent-encoded (%2F, %3F, %23, %40), or better, keep the password in \
             PGPASSWORD or ~/.pgpass"
                .into(),
        );
    }
    for (key, _) in parsed.query_pairs() {
        let known = POSTGRES_URL_PARAMETERS.contains(&key.as_ref())
            || (key.starts_with("options[") && key.ends_with(']'));
        if known {
            continue;
        }
        let nameable = key.len() <= 32
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'));
        let which = if nameable {
            format!("the parameter `{key}`")
        } else {
            "a parameter".to_string()
        };
        let hint = if key.eq_ignore_ascii_case("sslpassword") {
            "; the store cannot open an encrypted client key: decrypt it into a 0600 file"
        } else {
            ""
        };
        return Some(format!(
            "metadata: {which} of the PostgreSQL URL is not one the store's driver reads \
             ({}){hint}",
            POSTGRES_URL_PARAMETERS.join(", ")
        ));
    }
    None
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM certificate chain.
    pub cert: PathBuf,
    /// PEM private key.
    pub key: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassificationLimit {
    pub classification: Classification,
    pub max_expiry_secs: u64,
    pub default_expiry_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8443".parse().expect("valid default address"),
            data_dir: PathBuf::from("kepil-store-data"),
            master_key_file: None,
            public_url: None,
            tls: None,
            behind_proxy: false,
            max_blob_size: 10 << 30,
            uploader_quota: 50 << 30,
            classifications: vec![
                ClassificationLimit {
                    classification: Classification::Terbuka,
                    max_expiry_secs: 14 * DAY,
                    default_expiry_secs: 7 * DAY,
                },
                ClassificationLimit {
                    classification: Classification::Terhad,
                    max_expiry_secs: 14 * DAY,
                    default_expiry_secs: 7 * DAY,
                },
                ClassificationLimit {
                    classification: Classification::Sulit,
                    max_expiry_secs: 7 * DAY,
                    default_expiry_secs: 3 * DAY,
                },
            ],
            default_max_downloads: 3,
            max_downloads: 10,
            lockout_threshold: 10,
            proof_rate_per_minute: 30,
            nonce_ttl_secs: 120,
            download_token_ttl_secs: 15 * 60,
            upload_expiry_secs: DAY,
            tombstone_retention_secs: 30 * DAY,
            sweep_interval_secs: 60,
            request_timeout_secs: 30,
            idle_timeout_secs: 60,
            checkpoint_bytes: 256 << 20,
            json_body_limit: 256 * 1024,
            blobs: None,
            s3: S3Config::default(),
            metadata: None,
            metadata_pool_size: 16,
            metadata_lock_pool_size: 32,
            auto_migrate: false,
            identity: crate::identity::IdentityConfig::default(),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Destructured so that a new field cannot be forgotten here.
        let Config {
            listen,
            data_dir,
            master_key_file,
            public_url,
            tls,
            behind_proxy,
            max_blob_size,
            uploader_quota,
            classifications,
            default_max_downloads,
            max_downloads,
            lockout_threshold,
            proof_rate_per_minute,
            nonce_ttl_secs,
            download_token_ttl_secs,
            upload_expiry_secs,
            tombstone_retention_secs,
            sweep_interval_secs,
            request_timeout_secs,
            idle_timeout_secs,
            checkpoint_bytes,
            json_body_limit,
            blobs,
            s3,
            metadata,
            metadata_pool_size,
            metadata_lock_pool_size,
            auto_migrate,
            identity,
        } = self;
        let shown = |url: &Option<String>| url.as_deref().map(crate::redact::endpoint_url);
        // A `file:` path is shown as written; only user-info would hide a key.
        let blobs = blobs.as_deref().map(|b| {
            if b.contains('@') {
                crate::redact::endpoint_url(b)
            } else {
                b.to_string()
            }
        });
        f.debug_struct("Config")
            .field("listen", listen)
            .field("data_dir", data_dir)
            .field("master_key_file", master_key_file)
            .field("public_url", &shown(public_url))
            .field("tls", tls)
            .field("behind_proxy", behind_proxy)
            .field("max_blob_size", max_blob_size)
            .field("uploader_quota", uploader_quota)
            .field("classifications", classifications)
            .field("default_max_downloads", default_max_downloads)
            .field("max_downloads", max_downloads)
            .field("lockout_threshold", lockout_threshold)
            .field("proof_rate_per_minute", proof_rate_per_minute)
            .field("nonce_ttl_secs", nonce_ttl_secs)
            .field("download_token_ttl_secs", download_token_ttl_secs)
            .field("upload_expiry_secs", upload_expiry_secs)
            .field("tombstone_retention_secs", tombstone_retention_secs)
            .field("sweep_interval_secs", sweep_interval_secs)
            .field("request_timeout_secs", request_timeout_secs)
            .field("idle_timeout_secs", idle_timeout_secs)
            .field("checkpoint_bytes", checkpoint_bytes)
            .field("json_body_limit", json_body_limit)
            .field("blobs", &blobs)
            .field("s3", &ShownS3(s3))
            .field("metadata", metadata)
            .field("metadata_pool_size", metadata_pool_size)
            .field("metadata_lock_pool_size", metadata_lock_pool_size)
            .field("auto_migrate", auto_migrate)
            .field("identity", identity)
            .finish()
    }
}

/// [`S3Config`] as `Config`'s `Debug` shows it: no key id, no secret, no endpoint user-info.
struct ShownS3<'a>(&'a S3Config);

impl std::fmt::Debug for ShownS3<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let S3Config {
            endpoint,
            region,
            path_style,
            allow_http,
            access_key_id,
            secret_access_key,
            part_size,
        } = self.0;
        let set = |present: bool| present.then_some(kepil_core::secret::REDACTED);
        f.debug_struct("S3Config")
            .field(
                "endpoint",
                &endpoint.as_deref().map(crate::redact::endpoint_url),
            )
            .field("region", region)
            .field("path_style", path_style)
            .field("allow_http", allow_http)
            .field("access_key_id", &set(access_key_id.is_some()))
            .field("secret_access_key", &set(secret_access_key.is_some()))
            .field("part_size", part_size)
            .finish()
    }
}

impl Config {
    /// A loopback configuration under `data_dir` (tests, the desktop app's embedded store).
    pub fn for_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Config {
            data_dir: data_dir.into(),
            listen: "127.0.0.1:0".parse().expect("valid address"),
            ..Config::default()
        }
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |m: &str| Err(ConfigError::Invalid(m.to_string()));
        if !(1..=10).contains(&self.lockout_threshold) {
            return bad("lockout_threshold must be between 1 and 10");
        }
        if self.classifications.is_empty() {
            return bad("at least one classification must be accepted");
        }
        for c in &self.classifications {
            if c.classification.check_sendable().is_err() {
                return Err(ConfigError::Invalid(format!(
                    "{} may never be sent through a temporary store (guideline 3.2 A ii 6)",
                    c.classification.as_str()
                )));
            }
            if c.default_expiry_secs == 0 || c.default_expiry_secs > c.max_expiry_secs {
                return bad("default_expiry_secs must be between 1 and max_expiry_secs");
            }
        }
        if self.max_downloads == 0 || self.default_max_downloads == 0 {
            return bad("download limits must be at least 1");
        }
        if self.default_max_downloads > self.max_downloads {
            return bad("default_max_downloads exceeds max_downloads");
        }
        if self.max_blob_size == 0 || self.max_blob_size > i64::MAX as u64 {
            return bad("max_blob_size out of range");
        }
        if self.proof_rate_per_minute == 0 {
            return bad("proof_rate_per_minute must be at least 1");
        }
        if self.sweep_interval_secs == 0 {
            return bad("sweep_interval_secs must be at least 1");
        }
        self.identity.validate()?;
        if let Some(url) = &self.public_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return bad("public_url must start with https:// (or http:// for loopback)");
        }
        if let BlobLocation::S3(_) = self.blob_location()? {
            let s3 = &self.s3;
            use crate::storage::s3::{MAX_PART_SIZE, MIN_PART_SIZE};
            if !(MIN_PART_SIZE..=MAX_PART_SIZE).contains(&s3.part_size) {
                return bad(
                    "s3.part_size must be between 5 MiB (5242880, S3's smallest part) and 5 GiB",
                );
            }
            match (&s3.access_key_id, &s3.secret_access_key) {
                (Some(k), Some(s)) if !k.is_empty() && !s.is_empty() => {}
                _ => {
                    return bad(
                        "blobs is an s3:// URL but the S3 credentials are incomplete: set \
                         s3.access_key_id and s3.secret_access_key, or AWS_ACCESS_KEY_ID and \
                         AWS_SECRET_ACCESS_KEY",
                    );
                }
            }
            if let Some(endpoint) = &s3.endpoint {
                if endpoint.starts_with("http://") && !s3.allow_http {
                    return bad(
                        "s3.endpoint is plain http://: use https://, or set s3.allow_http = true \
                         for an object store on a trusted local network",
                    );
                }
                if !endpoint.starts_with("http://") && !endpoint.starts_with("https://") {
                    return bad("s3.endpoint must start with https:// (or http://)");
                }
                // Messages name the endpoint, so it must hold no credentials to print.
                let userinfo = url::Url::parse(endpoint).map_or(true, |u| {
                    !u.username().is_empty()
                        || u.password().is_some()
                        || !crate::redact::looks_well_formed(&u)
                });
                if userinfo {
                    return bad(
                        "s3.endpoint must be a plain https://HOST:PORT URL without user name or \
                         key: give the keys as s3.access_key_id and s3.secret_access_key, or \
                         AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
                    );
                }
            }
        }
        let shared = matches!(self.metadata_backend()?, MetadataBackend::Postgres(_));
        if shared && matches!(self.blob_location()?, BlobLocation::File(_)) {
            tracing::warn!(
                "PostgreSQL metadata with file blobs: every instance must see the same blob \
                 directory (a shared file system), or uploads and downloads will miss"
            );
        }
        if self.checkpoint_bytes < 1 << 20 {
            return bad("checkpoint_bytes must be at least 1 MiB (1048576)");
        }
        if self.metadata_pool_size == 0 {
            return bad("metadata_pool_size must be at least 1");
        }
        if self.metadata_lock_pool_size < 2 {
            return bad("metadata_lock_pool_size must be at least 2");
        }
        Ok(())
    }

    /// Parses [`Config::blobs`]; `file:<data_dir>/blobs` when unset.
    pub fn blob_location(&self) -> Result<BlobLocation, ConfigError> {
        match self.blobs.as_deref() {
            None => Ok(BlobLocation::File(self.blob_dir())),
            // The bucket errors below quote the URL; keys pasted into it must not be quoted.
            Some(v) if v.starts_with("s3://") && v.contains('@') => Err(ConfigError::Invalid(
                "blobs must be s3://bucket/prefix, without a key in it: give the keys as \
                 s3.access_key_id and s3.secret_access_key, or AWS_ACCESS_KEY_ID and \
                 AWS_SECRET_ACCESS_KEY"
                    .into(),
            )),
            Some(v) if v.starts_with("s3://") => crate::storage::s3::S3Location::parse(v)
                .map(BlobLocation::S3)
                .map_err(|e| ConfigError::Invalid(format!("blobs: {e}"))),
            Some(v) => match v.strip_prefix("file:") {
                Some(path) if !path.is_empty() => Ok(BlobLocation::File(PathBuf::from(path))),
                _ => Err(ConfigError::Invalid(
                    "blobs must be file:PATH or s3://bucket/prefix, e.g. \
                     file:/var/lib/kepil-store/blobs"
                        .into(),
                )),
            },
        }
    }

    /// Refuses plain HTTP on anything but loopback unless a TLS proxy is declared.
    pub fn check_listen_safety(&self) -> Result<(), ConfigError> {
        if self.tls.is_none() && !self.behind_proxy && !self.listen.ip().is_loopback() {
            return Err(ConfigError::Invalid(format!(
                "refusing to listen on {} without TLS: configure tls.cert/tls.key, or pass \
                 --behind-proxy when a TLS proxy is in front",
                self.listen
            )));
        }
        Ok(())
    }

    pub fn limit_for(&self, c: Classification) -> Option<&ClassificationLimit> {
        self.classifications.iter().find(|l| l.classification == c)
    }

    /// The metadata backend `metadata` names (default: SQLite at [`Config::db_path`]).
    pub fn metadata_backend(&self) -> Result<MetadataBackend, ConfigError> {
        let Some(url) = &self.metadata else {
            return Ok(MetadataBackend::Sqlite(self.db_path()));
        };
        let url = url.expose().trim();
        if let Some(rest) = url.strip_prefix("sqlite:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.is_empty() || path.starts_with(':') {
                return Err(ConfigError::Invalid(
                    "metadata = \"sqlite:PATH\" needs the path of the database file, e.g. \
                     sqlite:/var/lib/kepil-store/store.db"
                        .into(),
                ));
            }
            return Ok(MetadataBackend::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            if let Some(problem) = postgres_url_problem(url) {
                return Err(ConfigError::Invalid(problem));
            }
            // Without the driver the URL is only recognised; opening it then fails saying why.
            #[cfg(feature = "postgres")]
            crate::storage::postgres::connect_options(url)
                .map_err(|e| ConfigError::Invalid(format!("metadata: {e}")))?;
            return Ok(MetadataBackend::Postgres(url.to_string()));
        }
        // Only the scheme is echoed: the rest may hold a password.
        let scheme: String = url
            .split(':')
            .next()
            .unwrap_or("")
            .chars()
            .take(20)
            .collect();
        Err(ConfigError::Invalid(format!(
            "metadata must be \"sqlite:PATH\" or \"postgres://USER@HOST:PORT/DATABASE\", not a \
             {scheme:?} URL"
        )))
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("store.db")
    }

    /// What only serving needs beyond [`Config::validate`]: with PostgreSQL, an explicit
    /// master key file (a key generated in each instance's data_dir would differ between
    /// instances, and blobs sealed by one would not open on another).
    pub fn check_serving(&self) -> Result<(), ConfigError> {
        if self.master_key_file.is_none()
            && matches!(self.metadata_backend()?, MetadataBackend::Postgres(_))
        {
            return Err(ConfigError::Invalid(
                "with PostgreSQL metadata every instance needs the same master key: set \
                 master_key_file (or KEPIL_STORE_MASTER_KEY_FILE) to a 0600 file holding 32 \
                 random bytes in base64, e.g. `head -c 32 /dev/urandom | base64`"
                    .into(),
            ));
        }
        Ok(())
    }

    pub fn master_key_path(&self) -> PathBuf {
        self.master_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("master.key"))
    }

    pub fn blob_dir(&self) -> PathBuf {
        self.data_dir.join("blobs")
    }

    pub fn audit_path(&self) -> PathBuf {
        self.data_dir.join("audit.jsonl")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CANARY: &str = "canary-3b8e61f0c2d94a57";

    #[test]
    fn debug_shows_where_things_are_but_no_credential() {
        let mut c = Config::for_data_dir("/srv/kepil");
        c.metadata = Some(DatabaseUrl::new(format!(
            "postgres://kepil:{CANARY}@db.agensi.gov.my/kepil?sslpassword={CANARY}"
        )));
        c.public_url = Some(format!("https://u:{CANARY}@kepil.agensi.gov.my"));
        c.blobs = Some(format!("s3://AK:{CANARY}@kepil-blobs"));
        c.s3.endpoint = Some(format!("https://AK:{CANARY}@rgw.dc1.agensi.gov.my"));
        c.s3.access_key_id = Some(format!("AK{CANARY}"));
        c.s3.secret_access_key = Some(kepil_core::secret::SecretString::new(CANARY));
        let shown = format!("{c:?} {c:#?}");
        assert!(!shown.contains(CANARY), "{shown}");
        for kept in [
            "postgres://kepil:***@db.agensi.gov.my/kepil",
            "https://***@rgw.dc1.agensi.gov.my/",
            "kepil.agensi.gov.my",
            "/srv/kepil",
        ] {
            assert!(shown.contains(kept), "{kept} not in {shown}");
        }
    }

    #[test]
    fn postgres_url_parameters_the_driver_would_log_are_refused() {
        assert_eq!(
            postgres_url_problem("postgres://k@db/k?sslmode=verify-full&options[a]=b"),
            None
        );
        for (url, says) in [
            (
                format!("postgres://k@db/k?sslpassword={CANARY}"),
                "`sslpassword`",
            ),
            (format!("postgres://k@db/k?{CANARY}.x=1"), "a parameter"),
            (format!("postgres://k:1#{CANARY}@db/k"), "percent-encoded"),
        ] {
            let problem = postgres_url_problem(&url).unwrap();
            assert!(
                problem.contains(says) && !problem.contains(CANARY),
                "{problem}"
            );
        }
    }
}
