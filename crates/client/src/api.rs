//! The store's HTTP API, one method per route. Secrets go in bodies and `Authorization`
//! headers only; URLs carry ids, never a secret.

use std::sync::RwLock;
use std::time::Duration;

use kepil_protocol::identity::{
    AdminOutcome, AdminRevoke, AdminSearch, CreateSession, IdentityAction, SessionCreated,
    TransferSummary, Whoami,
};
use kepil_protocol::{
    ApiError, BlobChecksum, Challenge, CreateTransfer, DownloadGrant, GrantInfo, OpenGrant, Proof,
    StorePolicy, TransferCreated, TransferStatus, paths, tus,
};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use crate::SecretString;
use crate::error::NetError;

/// The largest JSON answer read from a store. The API's answers are a few KiB (a status with
/// 256 grants is about 60 KiB); anything larger is a broken or hostile store, and reading it
/// would let that store fill the recipient's memory.
pub const MAX_JSON_BODY: usize = 1 << 20;
/// The largest list of transfers read (a person's live transfers, an administrator's search):
/// the store does not page them, and one summary is about 300 bytes, so this holds some
/// 100 000 — more than any one sender keeps live.
pub const MAX_LIST_BODY: usize = 32 << 20;
/// The largest error body read: the store's JSON errors are a few hundred bytes. A longer one
/// (a proxy's HTML page, say) is treated as a non-Kepil answer without reading the rest.
pub const MAX_ERROR_BODY: usize = 64 << 10;
/// How long a whole JSON exchange (connect, send, the whole answer) may take. The read timeout
/// alone resets with every byte, so a store that trickles an endless answer would hold the
/// caller forever.
pub const JSON_TIMEOUT: Duration = Duration::from_secs(120);

/// Certificate authorities trusted besides the platform's roots: an agency store signed by the
/// agency's own CA (a managed desktop's policy names it). Process-wide on purpose: every
/// connection a managed desktop makes to its store must trust the same CA, including the ones
/// `receive` and `manage` open from a link or an id.
static EXTRA_ROOTS: RwLock<Vec<reqwest::Certificate>> = RwLock::new(Vec::new());

/// Trusts the CA certificates in `pem` (one or more PEM blocks) for every later
/// [`StoreClient`]; returns how many were added. Adds to the platform's roots, never replaces
/// them, and never turns off verification.
pub fn trust_ca_pem(pem: &[u8]) -> Result<usize, NetError> {
    let certs = reqwest::Certificate::from_pem_bundle(pem)
        .map_err(|e| NetError::BadCertificate(e.to_string()))?;
    if certs.is_empty() {
        return Err(NetError::BadCertificate(
            "no PEM certificate in the file".into(),
        ));
    }
    let added = certs.len();
    EXTRA_ROOTS
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .extend(certs);
    Ok(added)
}

/// A reqwest builder that trusts the operating system's certificate store and every CA added
/// with [`trust_ca_pem`]: for the store, an identity provider and the SMS gateway on the
/// agency's own CA. The roots compiled into the binary are left out, so a CA that IT removes
/// from the system store is no longer trusted here either.
pub fn http_builder() -> reqwest::ClientBuilder {
    let mut builder = reqwest::Client::builder()
        .tls_built_in_webpki_certs(false)
        .tls_built_in_native_certs(true);
    for cert in EXTRA_ROOTS
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .iter()
    {
        builder = builder.add_root_certificate(cert.clone());
    }
    builder
}

/// A client for one store. Cheap to clone (the connection pool is shared).
#[derive(Debug, Clone)]
pub struct StoreClient {
    http: reqwest::Client,
    base: Url,
}

impl StoreClient {
    /// `base` as returned by [`crate::settings::parse_store_url`] (ends with `/`).
    pub fn new(mut base: Url) -> Result<StoreClient, NetError> {
        // Joined paths must stay under a prefix (`https://host/kepil` + `api/v1/...`).
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let http = http_builder()
            .user_agent(concat!("kepil/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(20))
            // Between two reads, not for a whole transfer: a stalled connection is retried.
            .read_timeout(Duration::from_secs(60))
            .https_only(base.scheme() == "https")
            .build()
            .map_err(NetError::from)?;
        Ok(StoreClient { http, base })
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    fn url(&self, path: &str) -> Result<Url, NetError> {
        self.base
            .join(path.trim_start_matches('/'))
            .map_err(|_| NetError::BadUrl(path.to_string()))
    }

    /// A request to the store's JSON API: the whole exchange is bounded by [`JSON_TIMEOUT`].
    /// (The blob download and upload PATCHes stream gigabytes and are not.)
    fn request(&self, method: Method, path: &str) -> Result<RequestBuilder, NetError> {
        Ok(self
            .http
            .request(method, self.url(path)?)
            .timeout(JSON_TIMEOUT))
    }

    pub async fn policy(&self) -> Result<StorePolicy, NetError> {
        json(self.request(Method::GET, paths::POLICY)?.send().await?).await
    }

    pub async fn create_transfer(
        &self,
        token: &SecretString,
        body: &CreateTransfer,
    ) -> Result<TransferCreated, NetError> {
        let response = self
            .request(Method::POST, paths::TRANSFERS)?
            .bearer_auth(token.expose())
            .json(body)
            .send()
            .await?;
        json(response).await
    }

    /// tus HEAD: the store's offset for an upload.
    pub async fn upload_offset(
        &self,
        token: &SecretString,
        upload_url: &Url,
    ) -> Result<u64, NetError> {
        let response = self
            .http
            .head(upload_url.clone())
            .timeout(JSON_TIMEOUT)
            .bearer_auth(token.expose())
            .header(tus::TUS_RESUMABLE, tus::VERSION)
            .header("Cache-Control", "no-store")
            .send()
            .await?;
        let response = ok(response).await?;
        header_u64(&response, tus::UPLOAD_OFFSET)
    }

    /// tus PATCH of `data` (exactly `len` bytes, possibly streamed) at `offset`, with, on the
    /// final chunk, the whole blob's checksum. Answers the store's new offset.
    pub async fn upload_patch(
        &self,
        token: &SecretString,
        upload_url: &Url,
        offset: u64,
        data: impl Into<reqwest::Body>,
        len: u64,
        blob_checksum: Option<u64>,
    ) -> Result<u64, NetError> {
        let mut request = self
            .http
            .patch(upload_url.clone())
            .bearer_auth(token.expose())
            .header(tus::TUS_RESUMABLE, tus::VERSION)
            .header(tus::UPLOAD_OFFSET, offset)
            .header(reqwest::header::CONTENT_TYPE, tus::OFFSET_CONTENT_TYPE)
            // Given even for a streamed body: proxies and the store then know the length
            // up front (no chunked encoding).
            .header(reqwest::header::CONTENT_LENGTH, len);
        if let Some(checksum) = blob_checksum {
            request = request.header(tus::KEPIL_BLOB_CRC64, BlobChecksum::encode(checksum));
        }
        let response = ok(request.body(data.into()).send().await?).await?;
        header_u64(&response, tus::UPLOAD_OFFSET)
    }

    /// tus termination: drops an unfinished upload (the transfer stays; revoke removes it).
    pub async fn upload_terminate(
        &self,
        token: &SecretString,
        upload_url: &Url,
    ) -> Result<(), NetError> {
        let response = self
            .http
            .delete(upload_url.clone())
            .timeout(JSON_TIMEOUT)
            .bearer_auth(token.expose())
            .header(tus::TUS_RESUMABLE, tus::VERSION)
            .send()
            .await?;
        ok(response).await.map(drop)
    }

    /// Public grant metadata; changes nothing on the store (scanners may call it freely).
    pub async fn grant_info(&self, grant_id: &str) -> Result<GrantInfo, NetError> {
        json(
            self.request(Method::GET, &paths::grant(grant_id))?
                .send()
                .await?,
        )
        .await
    }

    /// The grant's public facts for the holder of its link; a pure read like
    /// [`grant_info`](Self::grant_info), which answers only for grants from older clients.
    pub async fn open(&self, grant_id: &str, open: &OpenGrant) -> Result<GrantInfo, NetError> {
        let response = self
            .request(Method::POST, &paths::open(grant_id))?
            .json(open)
            .send()
            .await?;
        json(response).await
    }

    pub async fn challenge(&self, grant_id: &str) -> Result<Challenge, NetError> {
        let response = self
            .request(Method::POST, &paths::challenge(grant_id))?
            .json(&serde_json::json!({}))
            .send()
            .await?;
        json(response).await
    }

    /// The one call that counts a download.
    pub async fn proof(&self, grant_id: &str, proof: &Proof) -> Result<DownloadGrant, NetError> {
        let response = self
            .request(Method::POST, &paths::proof(grant_id))?
            .json(proof)
            .send()
            .await?;
        json(response).await
    }

    /// The blob from byte `from` on (a `Range` request when `from > 0`). Checks that the store
    /// answered the range asked for, so a resumed download cannot splice wrong bytes.
    pub async fn blob(
        &self,
        grant_id: &str,
        download_token: &SecretString,
        from: u64,
    ) -> Result<Response, NetError> {
        // Not `request`: a blob may take hours; the client's read timeout catches a stall.
        let mut request = self
            .http
            .get(self.url(&paths::blob(grant_id))?)
            .bearer_auth(download_token.expose());
        if from > 0 {
            request = request.header(reqwest::header::RANGE, format!("bytes={from}-"));
        }
        let response = ok(request.send().await?).await?;
        let status = response.status();
        if from > 0 {
            let range_ok = status == StatusCode::PARTIAL_CONTENT
                && response
                    .headers()
                    .get(reqwest::header::CONTENT_RANGE)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.starts_with(&format!("bytes {from}-")));
            if !range_ok {
                return Err(NetError::Protocol(format!(
                    "asked for bytes from {from}, the store answered {status}"
                )));
            }
        }
        Ok(response)
    }

    pub async fn transfer_status(
        &self,
        transfer_id: &str,
        owner_token: &SecretString,
    ) -> Result<TransferStatus, NetError> {
        let response = self
            .request(Method::GET, &paths::transfer(transfer_id))?
            .bearer_auth(owner_token.expose())
            .send()
            .await?;
        json(response).await
    }

    pub async fn revoke_transfer(
        &self,
        transfer_id: &str,
        owner_token: &SecretString,
    ) -> Result<(), NetError> {
        let response = self
            .request(Method::DELETE, &paths::transfer(transfer_id))?
            .bearer_auth(owner_token.expose())
            .send()
            .await?;
        ok(response).await.map(drop)
    }

    /// Gives a locked grant its tries back (the link and password stay the same).
    pub async fn unlock_grant(
        &self,
        transfer_id: &str,
        grant_id: &str,
        owner_token: &SecretString,
    ) -> Result<(), NetError> {
        let response = self
            .request(Method::POST, &paths::grant_unlock(transfer_id, grant_id))?
            .bearer_auth(owner_token.expose())
            .json(&serde_json::json!({}))
            .send()
            .await?;
        ok(response).await.map(drop)
    }

    pub async fn revoke_grant(
        &self,
        transfer_id: &str,
        grant_id: &str,
        owner_token: &SecretString,
    ) -> Result<(), NetError> {
        let response = self
            .request(
                Method::DELETE,
                &paths::transfer_grant(transfer_id, grant_id),
            )?
            .bearer_auth(owner_token.expose())
            .send()
            .await?;
        ok(response).await.map(drop)
    }
}

impl StoreClient {
    /// Exchanges an ID token from one of the store's providers for a session.
    pub async fn create_session(&self, body: &CreateSession) -> Result<SessionCreated, NetError> {
        let response = self
            .request(Method::POST, paths::SESSIONS)?
            .json(body)
            .send()
            .await?;
        json(response).await
    }

    /// Who the bearer (a session or a machine token) is.
    pub async fn whoami(&self, bearer: &SecretString) -> Result<Whoami, NetError> {
        let response = self
            .request(Method::GET, paths::SESSION)?
            .bearer_auth(bearer.expose())
            .send()
            .await?;
        json(response).await
    }

    /// Ends the session the bearer is (sign out).
    pub async fn end_session(&self, bearer: &SecretString) -> Result<(), NetError> {
        let response = self
            .request(Method::DELETE, paths::SESSION)?
            .bearer_auth(bearer.expose())
            .send()
            .await?;
        ok(response).await.map(drop)
    }

    /// The bearer's live transfers, whichever computer sent them.
    pub async fn my_transfers(
        &self,
        bearer: &SecretString,
    ) -> Result<Vec<TransferSummary>, NetError> {
        let response = self
            .request(Method::GET, paths::MY_TRANSFERS)?
            .bearer_auth(bearer.expose())
            .send()
            .await?;
        json_limited(response, MAX_LIST_BODY).await
    }

    /// Revokes one of the bearer's own transfers without its owner token.
    pub async fn revoke_my_transfer(
        &self,
        bearer: &SecretString,
        transfer_id: &str,
    ) -> Result<(), NetError> {
        let response = self
            .request(Method::DELETE, &paths::my_transfer(transfer_id))?
            .bearer_auth(bearer.expose())
            .send()
            .await?;
        ok(response).await.map(drop)
    }

    pub async fn admin_search(
        &self,
        bearer: &SecretString,
        body: &AdminSearch,
    ) -> Result<Vec<TransferSummary>, NetError> {
        let response = self
            .request(Method::POST, paths::ADMIN_SEARCH)?
            .bearer_auth(bearer.expose())
            .json(body)
            .send()
            .await?;
        json_limited(response, MAX_LIST_BODY).await
    }

    pub async fn admin_revoke(
        &self,
        bearer: &SecretString,
        body: &AdminRevoke,
    ) -> Result<AdminOutcome, NetError> {
        self.admin_post(bearer, paths::ADMIN_REVOKE, body).await
    }

    /// Disables (`enable == false`) or enables an identity at the store.
    pub async fn admin_identity(
        &self,
        bearer: &SecretString,
        body: &IdentityAction,
        enable: bool,
    ) -> Result<AdminOutcome, NetError> {
        let path = if enable {
            paths::ADMIN_ENABLE
        } else {
            paths::ADMIN_DISABLE
        };
        self.admin_post(bearer, path, body).await
    }

    async fn admin_post<B: serde::Serialize, T: DeserializeOwned>(
        &self,
        bearer: &SecretString,
        path: &str,
        body: &B,
    ) -> Result<T, NetError> {
        let response = self
            .request(Method::POST, path)?
            .bearer_auth(bearer.expose())
            .json(body)
            .send()
            .await?;
        json(response).await
    }
}

/// Passes a 2xx through; turns anything else into [`NetError::Api`] (the store's JSON error)
/// or [`NetError::Http`] (a proxy's page, say).
async fn ok(response: Response) -> Result<Response, NetError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    // An error body that is too long or breaks off is not the store's JSON error.
    let body = read_limited(response, MAX_ERROR_BODY)
        .await
        .unwrap_or_default();
    match serde_json::from_slice::<ApiError>(&body) {
        Ok(mut error) => {
            if error.retry_after_secs.is_none() {
                error.retry_after_secs = retry_after;
            }
            Err(NetError::Api {
                status: status.as_u16(),
                error,
            })
        }
        Err(_) => Err(NetError::Http {
            status: status.as_u16(),
        }),
    }
}

async fn json<T: DeserializeOwned>(response: Response) -> Result<T, NetError> {
    json_limited(response, MAX_JSON_BODY).await
}

async fn json_limited<T: DeserializeOwned>(
    response: Response,
    limit: usize,
) -> Result<T, NetError> {
    let response = ok(response).await?;
    let body = read_limited(response, limit).await?;
    serde_json::from_slice(&body).map_err(|e| NetError::Protocol(format!("unexpected answer: {e}")))
}

/// The whole body, or [`NetError::AnswerTooLarge`] as soon as it is known to exceed `limit`
/// bytes: from `Content-Length` before reading anything, else once the bytes read pass it. So
/// at most `limit` bytes (plus one network chunk) are ever held, whatever the store sends.
async fn read_limited(mut response: Response, limit: usize) -> Result<Vec<u8>, NetError> {
    let too_large = NetError::AnswerTooLarge {
        limit: limit as u64,
    };
    let announced = response.content_length();
    if announced.is_some_and(|n| n > limit as u64) {
        return Err(too_large);
    }
    let mut body = Vec::with_capacity(announced.map_or(0, |n| n as usize).min(limit));
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > limit {
            return Err(too_large);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn header_u64(response: &Response, name: &str) -> Result<u64, NetError> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| {
            NetError::Protocol(format!("the store's answer lacks a valid {name} header"))
        })
}
