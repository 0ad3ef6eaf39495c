//! Store configuration: a TOML file, then `KEPIL_STORE_*` environment variables, then
//! command-line flags, each overriding the one before. Every key has a default, so an empty
//! file (or none) gives a loopback store under `./kepil-store-data`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use kepil_core::secret::SecretString;
use kepil_protocol::Classification;
use serde::{Deserialize, Deserializer, Serialize};

use crate::storage::MetadataBackend;
use crate::storage::postgres::PostgresOptions;

const DAY: u64 = 24 * 60 * 60;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {source}")]
    Parse {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
    #[error("invalid value {value:?} in {var}")]
    Env { var: &'static str, value: String },
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
}

/// How to reach the S3-compatible object store. Unset values fall back to the standard AWS
/// environment variables (`AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct S3Config {
    /// e.g. `https://rgw.dc1.agensi.gov.my`; default AWS's endpoint for `region`.
    pub endpoint: Option<String>,
    /// Default `us-east-1` (what most S3-compatible stores expect).
    pub region: Option<String>,
    /// Bucket in the path (`endpoint/bucket/key`) rather than the host name. Default: true
    /// with an `endpoint` (Ceph RGW, MinIO, SeaweedFS), false for AWS.
    pub path_style: Option<bool>,
    /// Allow plain `http://` endpoints (only for an object store on a trusted local network).
    pub allow_http: bool,
    pub access_key_id: Option<String>,
    /// Never serialised back out; prints as `<redacted>`.
    #[serde(skip_serializing, deserialize_with = "deserialize_secret")]
    pub secret_access_key: Option<SecretString>,
    /// Multipart part size in bytes: memory per upload in flight; at least 5 MiB.
    pub part_size: u64,
}

impl Default for S3Config {
    fn default() -> Self {
        S3Config {
            endpoint: None,
            region: None,
            path_style: None,
            allow_http: false,
            access_key_id: None,
            secret_access_key: None,
            part_size: 8 << 20,
        }
    }
}

impl S3Config {
    pub fn path_style(&self) -> bool {
        self.path_style.unwrap_or(self.endpoint.is_some())
    }
}

fn deserialize_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SecretString>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.map(SecretString::new))
}

/// Where the blob backend keeps blobs, from [`Config::blobs`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobLocation {
    File(PathBuf),
    S3(crate::storage::s3::S3Location),
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
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::storage::redact_url(&self.0))
    }
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
        }
    }
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

impl Config {
    /// A loopback configuration under `data_dir` (tests, the desktop app's embedded store).
    pub fn for_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Config {
            data_dir: data_dir.into(),
            listen: "127.0.0.1:0".parse().expect("valid address"),
            ..Config::default()
        }
    }

    /// File (when given), then environment, then `overrides`; validated.
    pub fn load(path: Option<&Path>, overrides: &Overrides) -> Result<Self, ConfigError> {
        let mut config = match path {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                })?;
                toml::from_str(&text).map_err(|source| ConfigError::Parse {
                    path: path.to_path_buf(),
                    source: Box::new(source),
                })?
            }
            None => Config::default(),
        };
        config.apply_env(|k| std::env::var(k).ok())?;
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
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        fn parse<T: std::str::FromStr>(var: &'static str, v: String) -> Result<T, ConfigError> {
            v.trim()
                .parse()
                .map_err(|_| ConfigError::Env { var, value: v })
        }
        macro_rules! env {
            ($var:literal, $field:expr) => {
                if let Some(v) = get($var) {
                    $field = parse($var, v)?;
                }
            };
        }
        env!("KEPIL_STORE_LISTEN", self.listen);
        env!("KEPIL_STORE_DATA_DIR", self.data_dir);
        if let Some(v) = get("KEPIL_STORE_MASTER_KEY_FILE") {
            self.master_key_file = Some(v.into());
        }
        if let Some(v) = get("KEPIL_STORE_PUBLIC_URL") {
            self.public_url = Some(v);
        }
        match (get("KEPIL_STORE_TLS_CERT"), get("KEPIL_STORE_TLS_KEY")) {
            (Some(cert), Some(key)) => {
                self.tls = Some(TlsConfig {
                    cert: cert.into(),
                    key: key.into(),
                })
            }
            (None, None) => {}
            _ => {
                return Err(ConfigError::Invalid(
                    "set both KEPIL_STORE_TLS_CERT and KEPIL_STORE_TLS_KEY".into(),
                ));
            }
        }
        env!("KEPIL_STORE_BEHIND_PROXY", self.behind_proxy);
        env!("KEPIL_STORE_MAX_BLOB_SIZE", self.max_blob_size);
        env!("KEPIL_STORE_UPLOADER_QUOTA", self.uploader_quota);
        env!(
            "KEPIL_STORE_DEFAULT_MAX_DOWNLOADS",
            self.default_max_downloads
        );
        env!("KEPIL_STORE_MAX_DOWNLOADS", self.max_downloads);
        env!("KEPIL_STORE_LOCKOUT_THRESHOLD", self.lockout_threshold);
        env!(
            "KEPIL_STORE_PROOF_RATE_PER_MINUTE",
            self.proof_rate_per_minute
        );
        env!("KEPIL_STORE_NONCE_TTL_SECS", self.nonce_ttl_secs);
        env!(
            "KEPIL_STORE_DOWNLOAD_TOKEN_TTL_SECS",
            self.download_token_ttl_secs
        );
        env!("KEPIL_STORE_UPLOAD_EXPIRY_SECS", self.upload_expiry_secs);
        env!(
            "KEPIL_STORE_TOMBSTONE_RETENTION_SECS",
            self.tombstone_retention_secs
        );
        env!("KEPIL_STORE_SWEEP_INTERVAL_SECS", self.sweep_interval_secs);
        env!(
            "KEPIL_STORE_REQUEST_TIMEOUT_SECS",
            self.request_timeout_secs
        );
        env!("KEPIL_STORE_IDLE_TIMEOUT_SECS", self.idle_timeout_secs);
        env!("KEPIL_STORE_CHECKPOINT_BYTES", self.checkpoint_bytes);
        if let Some(v) = get("KEPIL_STORE_BLOBS") {
            self.blobs = Some(v);
        }
        // The standard AWS variables fill what the file left unset (the file is more specific).
        let s3 = &mut self.s3;
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
            self.metadata = Some(DatabaseUrl::new(v.trim()));
        }
        env!("KEPIL_STORE_METADATA_POOL_SIZE", self.metadata_pool_size);
        env!(
            "KEPIL_STORE_METADATA_LOCK_POOL_SIZE",
            self.metadata_lock_pool_size
        );
        env!("KEPIL_STORE_AUTO_MIGRATE", self.auto_migrate);
        Ok(())
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
            Some(v) if v.starts_with("s3://") => crate::storage::s3::S3Location::parse(v)
                .map(BlobLocation::S3)
                .map_err(|e| ConfigError::Invalid(format!("blobs: {e}"))),
            Some(v) => match v.strip_prefix("file:") {
                Some(path) if !path.is_empty() => Ok(BlobLocation::File(PathBuf::from(path))),
                _ => Err(ConfigError::Invalid(format!(
                    "blobs = {v:?} is neither file:PATH nor s3://bucket/prefix"
                ))),
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

    /// Pool sizes for the PostgreSQL backend.
    pub fn postgres_options(&self) -> PostgresOptions {
        PostgresOptions {
            max_connections: self.metadata_pool_size,
            lock_connections: self.metadata_lock_pool_size,
            ..PostgresOptions::default()
        }
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

    #[test]
    fn env_overrides_file_values_and_rahsia_is_refused() {
        let mut c: Config = toml::from_str("max_downloads = 5\nlockout_threshold = 4").unwrap();
        assert_eq!(c.max_downloads, 5);
        c.apply_env(|k| (k == "KEPIL_STORE_MAX_DOWNLOADS").then(|| "7".to_string()))
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
        let c = Config::load(Some(&path), &overrides).unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.data_dir, PathBuf::from("/tmp/other"));
        assert_eq!(c.max_blob_size, 1024);
        assert_eq!(c.public_url.as_deref(), Some("https://kepil.agensi.gov.my"));
        assert!(c.tls.is_some());
        std::fs::write(&path, "no_such_key = 1\n").unwrap();
        assert!(Config::load(Some(&path), &Overrides::default()).is_err());
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
        c.apply_env(|k| (k == "KEPIL_STORE_METADATA").then(|| url.to_string()))
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
        c.apply_env(|k| match k {
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
        c.apply_env(|k| (k == "AWS_SECRET_ACCESS_KEY").then(|| "env-secret".into()))
            .unwrap();
        assert!(
            c.s3.secret_access_key.is_none(),
            "no mixing of file and environment"
        );
        c.apply_env(|k| (k == "KEPIL_STORE_BLOBS").then(|| "file:/x".into()))
            .unwrap();
        assert_eq!(c.blobs.as_deref(), Some("file:/x"));
    }
}
