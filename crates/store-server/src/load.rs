//! Reading the store's configuration: a TOML file, then `KEPIL_STORE_*` environment variables,
//! then command-line flags, each overriding the one before (docs/store.md lists them all).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use kepil_core::secret::SecretString;
use kepil_store::config::{ConfigError, TlsConfig};
use kepil_store::{Config, DatabaseUrl};

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
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
    #[error(transparent)]
    Config(#[from] ConfigError),
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
            toml::from_str(&text).map_err(|source| LoadError::Parse {
                path: path.to_path_buf(),
                source: Box::new(source),
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
    fn parse<T: std::str::FromStr>(var: &'static str, v: String) -> Result<T, LoadError> {
        v.trim()
            .parse()
            .map_err(|_| LoadError::Env { var, value: v })
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
}
