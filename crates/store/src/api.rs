//! JSON routes: policy, create transfer, grant info and open, challenge, proof, blob, status,
//! revoke, unlock.
//! Each parses its request, calls `crate::domain`, and writes the answer; errors become
//! answers through `crate::error`.

use kepil_protocol::identity::IdentityProviderInfo;
use std::pin::Pin;
use std::str::FromStr;
use std::task::{Context, Poll};

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::Stream;
use kepil_protocol::{
    Challenge, Classification, ClassificationPolicy, CreateTransfer, DownloadGrant, ErrorCode,
    GrantCreated, GrantInfo, GrantStatus, KdfParams, OpenGrant, Proof, StorePolicy,
    TransferCreated, TransferStatus, paths,
};
use time::OffsetDateTime;

use crate::audit::Event;
use crate::domain::{grants, transfers};
use crate::error::{AppError, AppResult};
use crate::metrics::inc;
use crate::state::{AppState, ClientIp, JsonBody, bearer, parse_json};
use crate::storage::{GrantRow, TransferRow};

pub fn ts(secs: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

pub(crate) fn no_store<T: IntoResponse>(body: T) -> Response {
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

pub async fn policy(State(s): State<AppState>) -> Response {
    let c = &s.config;
    no_store(Json(StorePolicy {
        max_blob_size: c.max_blob_size,
        classifications: c
            .classifications
            .iter()
            .map(|l| ClassificationPolicy {
                classification: l.classification,
                max_expiry_secs: l.max_expiry_secs,
                default_expiry_secs: l.default_expiry_secs,
            })
            .collect(),
        default_max_downloads: c.default_max_downloads,
        max_downloads: c.max_downloads,
        lockout_threshold: c.lockout_threshold,
        kdf_floor: KdfParams::DEFAULT,
        public_url: s.public_url.to_string(),
        identity_providers: c
            .identity
            .providers
            .iter()
            .map(|p| IdentityProviderInfo {
                id: p.id.clone(),
                display_name: if p.display_name.is_empty() {
                    p.id.clone()
                } else {
                    p.display_name.clone()
                },
                issuer: p.issuer.clone(),
                client_id: p.client_id.clone(),
                desktop_client_secret: p.desktop_client_secret.clone(),
                scopes: p.scopes.clone(),
            })
            .collect(),
        sign_in_required: c.identity.sign_in_required,
    }))
}

pub async fn create_transfer(
    State(s): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> AppResult<Response> {
    let uploader = s.uploader(&headers).await?;
    let req: CreateTransfer = parse_json(&body)?;
    let created = transfers::create(&s, &uploader, &req, &ip.text()).await?;
    let id = &created.transfer.id;
    Ok(no_store((
        StatusCode::CREATED,
        Json(TransferCreated {
            transfer_id: id.clone(),
            owner_token: created.owner_token,
            upload_url: format!("{}{}", s.public_url, paths::upload(id)),
            expires_at: ts(created.transfer.expires_at),
            grants: created
                .grants
                .iter()
                .map(|g| GrantCreated {
                    grant_id: g.id.clone(),
                    label: g.label.clone(),
                    max_downloads: g.max_downloads,
                })
                .collect(),
        }),
    )))
}

fn classification_of(t: &TransferRow) -> AppResult<Classification> {
    Classification::from_str(&t.classification)
        .map_err(|_| AppError::internal(format!("stored classification of {} unreadable", t.id)))
}

/// Pure read, for grants from older clients. Dead grants whose rows still exist answer exactly
/// like live ones, so only a valid proof tells them apart; a grant with an open key answers
/// only [`open`].
pub async fn grant_info(
    State(s): State<AppState>,
    Path(grant_id): Path<String>,
) -> AppResult<Response> {
    let (g, t) = grants::public_info(&s, &grant_id).await?;
    info_of(&g, &t)
}

/// Pure read for the holder of the link (a MAC of a challenge nonce with the open key). Not
/// rate-limited, like `GET` of the info: the challenge before it already took from the
/// address's bucket, and a receive then costs two of its tokens (challenge, proof), as before.
pub async fn open(
    State(s): State<AppState>,
    ip: ClientIp,
    Path(grant_id): Path<String>,
    JsonBody(body): JsonBody,
) -> AppResult<Response> {
    let req: OpenGrant = parse_json(&body)?;
    let (g, t) = grants::open(&s, &grant_id, &req.nonce, &req.open_mac, &ip.text()).await?;
    info_of(&g, &t)
}

fn info_of(g: &GrantRow, t: &TransferRow) -> AppResult<Response> {
    Ok(no_store(Json(GrantInfo {
        grant_id: g.id.clone(),
        transfer_id: t.id.clone(),
        classification: classification_of(t)?,
        size: t.size,
        kdf: grants::kdf_of(g),
        expires_at: ts(t.expires_at),
        ready: t.complete,
    })))
}

pub(crate) fn rate_limit(s: &AppState, ip: ClientIp) -> AppResult<()> {
    s.limiter.check(ip.0).map_err(|wait| {
        let mut e = AppError::new(
            ErrorCode::RateLimited,
            "Too many attempts from this address; wait and try again.",
        );
        e.0.retry_after_secs = Some(wait);
        e
    })
}

pub async fn challenge(
    State(s): State<AppState>,
    ip: ClientIp,
    Path(grant_id): Path<String>,
) -> AppResult<Response> {
    rate_limit(&s, ip)?;
    let c = grants::challenge(&s, &grant_id).await?;
    Ok(no_store(Json(Challenge {
        nonce: c.nonce,
        expires_at: ts(c.expires_at),
    })))
}

pub async fn proof(
    State(s): State<AppState>,
    ip: ClientIp,
    Path(grant_id): Path<String>,
    JsonBody(body): JsonBody,
) -> AppResult<Response> {
    rate_limit(&s, ip)?;
    let req: Proof = parse_json(&body)?;
    let issued = grants::prove(
        &s,
        &grant_id,
        &req.nonce,
        &req.mac,
        req.link_mac.as_deref(),
        &ip.text(),
    )
    .await?;
    Ok(no_store(Json(DownloadGrant {
        download_token: issued.download_token,
        expires_at: ts(issued.expires_at),
        size: issued.size,
        downloads_left: issued.downloads_left,
        sender: Some(issued.sender),
    })))
}

/// Parses a single `bytes=` range against `len`; `Err` for an unsatisfiable one.
fn parse_range(value: &str, len: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        // Multipart ranges: serve the whole body, as RFC 9110 allows.
        return Ok(None);
    }
    let (a, b) = spec.split_once('-').ok_or(())?;
    let (a, b) = (a.trim(), b.trim());
    let (start, end) = if a.is_empty() {
        let n: u64 = b.parse().map_err(|_| ())?;
        if n == 0 {
            return Err(());
        }
        (len.saturating_sub(n), len - 1)
    } else {
        let start: u64 = a.parse().map_err(|_| ())?;
        let end = if b.is_empty() {
            len.saturating_sub(1)
        } else {
            b.parse::<u64>().map_err(|_| ())?.min(len.saturating_sub(1))
        };
        (start, end)
    };
    if len == 0 || start >= len || start > end {
        return Err(());
    }
    Ok(Some((start, end)))
}

pub async fn blob(
    State(s): State<AppState>,
    ip: ClientIp,
    Path(grant_id): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let token = bearer(&headers).ok_or_else(AppError::unauthorized)?;
    let (g, t) = grants::open_download(&s, &grant_id, token).await?;
    let len = t.size;
    let range = match headers.get(header::RANGE).and_then(|v| v.to_str().ok()) {
        Some(v) => match parse_range(v, len) {
            Ok(r) => r,
            Err(()) => {
                let mut r = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
                if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                    r.headers_mut().insert(header::CONTENT_RANGE, v);
                }
                return Ok(r);
            }
        },
        None => None,
    };
    let (start, end) = range.unwrap_or((0, len.saturating_sub(1)));
    let count = end + 1 - start;
    let reader = s.blobs.read(&t, start, count).await?;
    let stream = CountingStream {
        inner: tokio_util::io::ReaderStream::with_capacity(reader, 256 * 1024),
        sent: 0,
        report: Some(DownloadReport {
            state: s.clone(),
            transfer_id: t.id.clone(),
            grant_id: g.id.clone(),
            ip: ip.text(),
        }),
    };
    let mut response = Response::new(Body::from_stream(stream));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(count));
    if range.is_some() {
        *response.status_mut() = StatusCode::PARTIAL_CONTENT;
        if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{len}")) {
            response.headers_mut().insert(header::CONTENT_RANGE, v);
        }
    }
    Ok(response)
}

#[derive(Debug)]
struct DownloadReport {
    state: AppState,
    transfer_id: String,
    grant_id: String,
    ip: String,
}

/// Counts the bytes actually handed to the connection and audits them when the body ends
/// (completed or cut off).
struct CountingStream<S> {
    inner: S,
    sent: u64,
    report: Option<DownloadReport>,
}

impl<S: Stream<Item = std::io::Result<Bytes>> + Unpin> Stream for CountingStream<S> {
    type Item = std::io::Result<Bytes>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let poll = Pin::new(&mut self.inner).poll_next(cx);
        if let Poll::Ready(Some(Ok(chunk))) = &poll {
            self.sent += chunk.len() as u64;
        }
        poll
    }
}

impl<S> Drop for CountingStream<S> {
    fn drop(&mut self) {
        let Some(r) = self.report.take() else { return };
        let sent = self.sent;
        inc(&r.state.metrics.bytes_downloaded, sent);
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                r.state
                    .audit
                    .record(
                        Event::Downloaded,
                        Some(&r.transfer_id),
                        Some(&r.grant_id),
                        Some(&r.ip),
                        Some(sent),
                    )
                    .await;
            });
        }
    }
}

/// The transfer named in the path, when the bearer is its owner token. A wrong token and an
/// unknown id answer alike.
async fn owned_transfer(
    s: &AppState,
    transfer_id: &str,
    headers: &HeaderMap,
) -> AppResult<TransferRow> {
    let token = bearer(headers).ok_or_else(AppError::unauthorized)?;
    Ok(transfers::owned(s, transfer_id, token).await?)
}

pub async fn status(
    State(s): State<AppState>,
    Path(transfer_id): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let t = owned_transfer(&s, &transfer_id, &headers).await?;
    let now = s.clock.now();
    let grants = s.meta.grants_of(&t.id).await?;
    Ok(no_store(Json(TransferStatus {
        transfer_id: t.id.clone(),
        classification: classification_of(&t)?,
        size: t.size,
        created_at: ts(t.created_at),
        expires_at: ts(t.expires_at),
        upload_complete: t.complete,
        expired: t.expires_at <= now,
        grants: grants
            .into_iter()
            .map(|g| GrantStatus {
                revoked: g.revoked_at.is_some() || t.revoked_at.is_some(),
                grant_id: g.id,
                label: g.label,
                downloads: g.downloads,
                max_downloads: g.max_downloads,
                failed_proofs: g.failed_proofs,
                locked: g.locked,
            })
            .collect(),
    })))
}

pub async fn revoke_transfer(
    State(s): State<AppState>,
    ip: ClientIp,
    Path(transfer_id): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let t = owned_transfer(&s, &transfer_id, &headers).await?;
    transfers::revoke(&s, &t, Some(&t.user), Some(&ip.text()), Event::Revoked).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn revoke_grant(
    State(s): State<AppState>,
    ip: ClientIp,
    Path((transfer_id, grant_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let t = owned_transfer(&s, &transfer_id, &headers).await?;
    transfers::revoke_grant(&s, &t, &grant_id, &ip.text()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn unlock_grant(
    State(s): State<AppState>,
    ip: ClientIp,
    Path((transfer_id, grant_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let t = owned_transfer(&s, &transfer_id, &headers).await?;
    transfers::unlock_grant(&s, &t, &grant_id, &ip.text()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Unknown routes and methods answer in the same JSON shape as everything else.
pub async fn fallback() -> AppError {
    AppError::unavailable()
}

pub async fn healthz() -> &'static str {
    "ok\n"
}

pub async fn readyz(State(s): State<AppState>) -> Response {
    match s.meta.ping().await {
        Ok(()) => "ready\n".into_response(),
        Err(e) => {
            tracing::error!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "not ready\n").into_response()
        }
    }
}

pub async fn metrics(State(s): State<AppState>) -> AppResult<Response> {
    let (active, bytes) = s.meta.stored_stats().await?;
    let mut r = s.metrics.render(active, bytes).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), Ok(Some((0, 9))));
        assert_eq!(parse_range("bytes=90-", 100), Ok(Some((90, 99))));
        assert_eq!(parse_range("bytes=-10", 100), Ok(Some((90, 99))));
        assert_eq!(parse_range("bytes=95-200", 100), Ok(Some((95, 99))));
        assert_eq!(parse_range("bytes=100-", 100), Err(()));
        assert_eq!(parse_range("items=1-2", 100), Ok(None));
    }
}
