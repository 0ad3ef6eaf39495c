//! Shared server state and the small extractors every handler uses.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use bytes::Bytes;
use kepil_protocol::BlobChecksum;
use serde::de::DeserializeOwned;

use crate::audit::Audit;
use crate::clock::Clock;
use crate::config::Config;
use crate::domain::senders::{self, Sender};
use crate::error::{AppError, AppResult};
use crate::metrics::Metrics;
use crate::ratelimit::RateLimiter;
use crate::sealing::Blobs;
use crate::storage::MetadataStore;

#[derive(Debug, Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub meta: Arc<dyn MetadataStore>,
    /// The blob backend behind the at-rest sealing layer.
    pub blobs: Blobs,
    pub audit: Audit,
    pub metrics: Arc<Metrics>,
    pub clock: Clock,
    pub limiter: Arc<RateLimiter>,
    /// Base URL for upload URLs and tus `Location`, without a trailing slash.
    pub public_url: Arc<str>,
    /// Running checksum of each upload in progress, with the offset it covers. Lost on a
    /// restart, in which case completion reads the blob back from storage.
    pub hashers: Arc<Mutex<HashMap<String, (u64, BlobChecksum)>>>,
    /// Checks sign-ins against the configured OpenID providers.
    pub identities: crate::identity::Identities,
}

impl AppState {
    /// Opens the data directory and the backends without serving HTTP: for tests of
    /// `crate::domain` and embedders that route requests themselves. The sweeper does not run.
    pub async fn open(config: Config) -> Result<AppState, crate::StoreError> {
        config.validate()?;
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", config.listen));
        Ok(crate::server::open_state(config, public_url).await?.0)
    }

    /// The sender behind `Authorization: Bearer` (a session or a machine token), when they
    /// may upload.
    pub async fn uploader(&self, headers: &HeaderMap) -> AppResult<Sender> {
        Ok(senders::uploader(self, bearer(headers)).await?)
    }
}

pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = token.trim();
    (!token.is_empty() && token.len() <= 128).then_some(token)
}

/// A request body for the JSON routes, with axum's plain-text rejections (body too large,
/// unreadable) turned into our `{code, message}` errors.
#[derive(Debug)]
pub struct JsonBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, AppError> {
        match Bytes::from_request(req, state).await {
            Ok(b) => Ok(JsonBody(b)),
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(AppError::new(
                    kepil_protocol::ErrorCode::PayloadTooLarge,
                    "The request body is too large for this route.",
                ))
            }
            Err(_) => Err(AppError::bad_request("unreadable request body")),
        }
    }
}

/// Parses a JSON body into our error shape (axum's own rejection is plain text).
pub fn parse_json<T: DeserializeOwned>(body: &Bytes) -> AppResult<T> {
    serde_json::from_slice(body).map_err(|e| {
        // serde's message names the field, never echoes a value.
        AppError::bad_request(format!("invalid JSON body: {e}"))
    })
}

/// The client's address: the socket peer, or the last `X-Forwarded-For` hop when a trusted
/// proxy is declared (the last hop is the one the proxy itself appended).
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    pub fn text(&self) -> String {
        self.0.to_string()
    }
}

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if state.config.behind_proxy
            && let Some(ip) = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .and_then(|v| v.trim().parse::<IpAddr>().ok())
        {
            return Ok(ClientIp(ip));
        }
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::from([0, 0, 0, 0]));
        Ok(ClientIp(ip))
    }
}
