//! Blobs in an S3-compatible object store: where they live and how to connect (always
//! compiled, so every build reads and checks the same configuration), and with the `s3`
//! feature the backend itself ([`S3BlobStore`]).

use kepil_core::secret::SecretString;
use serde::{Deserialize, Deserializer, Serialize};

#[cfg(feature = "s3")]
mod blobs;
#[cfg(feature = "s3")]
pub use blobs::S3BlobStore;

/// The smallest part S3 accepts (except for the last part of an upload).
pub const MIN_PART_SIZE: u64 = 5 << 20;
/// The largest part S3 accepts.
pub const MAX_PART_SIZE: u64 = 5 << 30;

/// Where the blobs live: a bucket and a key prefix (no leading or trailing `/`, may be empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    pub bucket: String,
    pub prefix: String,
}

impl S3Location {
    /// Parses `s3://bucket/prefix` (the prefix is optional).
    pub fn parse(url: &str) -> std::result::Result<Self, String> {
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| format!("{url:?} is not an s3:// URL (expected s3://bucket/prefix)"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let prefix = prefix.trim_end_matches('/');
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
            && !bucket.starts_with(['-', '.'])
            && !bucket.ends_with(['-', '.']);
        if !bucket_ok {
            return Err(format!(
                "{bucket:?} in {url:?} is not a valid S3 bucket name (3-63 lowercase letters, \
                 digits, '-' or '.')"
            ));
        }
        // The rules of object_store's `Path::parse`, checked here so that a build without the
        // S3 backend rejects the same locations.
        if !prefix.is_empty()
            && prefix
                .split('/')
                .any(|s| s.is_empty() || s == "." || s == ".." || s.chars().any(char::is_control))
        {
            return Err(format!(
                "the key prefix {prefix:?} in {url:?} is not valid: use segments separated by \
                 single '/', without '.' or '..'"
            ));
        }
        Ok(S3Location {
            bucket: bucket.to_string(),
            prefix: prefix.to_string(),
        })
    }
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
