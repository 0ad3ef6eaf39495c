//! JSON routes: policy, create transfer, grant info, challenge, proof, blob, status, revoke.

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
    GrantCreated, GrantInfo, GrantStatus, KdfParams, Proof, StorePolicy, TransferCreated,
    TransferStatus, paths,
};
use time::OffsetDateTime;

use crate::audit::Event;
use crate::error::{AppError, AppResult};
use crate::ids;
use crate::metrics::inc;
use crate::purge::purge_blob;
use crate::state::{AppState, ClientIp, JsonBody, bearer, parse_json};
use crate::storage::{GrantRow, PurgeReason, Redeemed, StorageError, TransferRow};

pub const MAX_GRANTS: usize = 50;
pub const MAX_LABEL_CHARS: usize = 320;

pub fn ts(secs: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn no_store<T: IntoResponse>(body: T) -> Response {
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
    let c = &s.config;

    if req.classification.check_sendable().is_err() {
        return Err(AppError::new(
            ErrorCode::ClassificationRefused,
            format!(
                "{} may not be sent through a temporary store (guideline 3.2 A ii 6).",
                req.classification.as_str()
            ),
        ));
    }
    let Some(limit) = c.limit_for(req.classification) else {
        return Err(AppError::new(
            ErrorCode::ClassificationRefused,
            format!(
                "This store does not accept {}.",
                req.classification.as_str()
            ),
        ));
    };
    if req.size == 0 {
        return Err(AppError::bad_request("size must be at least 1 byte"));
    }
    if req.size > c.max_blob_size {
        return Err(AppError::new(
            ErrorCode::TooLarge,
            "The file is larger than this store accepts.",
        )
        .with_limit(c.max_blob_size));
    }
    if req.expires_in_secs == 0 {
        return Err(AppError::bad_request("expires_in_secs must be at least 1"));
    }
    if req.expires_in_secs > limit.max_expiry_secs {
        return Err(AppError::new(
            ErrorCode::ExpiryTooLong,
            format!(
                "{} transfers may live at most {} seconds.",
                req.classification.as_str(),
                limit.max_expiry_secs
            ),
        )
        .with_limit(limit.max_expiry_secs));
    }
    if req.grants.is_empty() || req.grants.len() > MAX_GRANTS {
        return Err(AppError::bad_request(format!(
            "a transfer needs between 1 and {MAX_GRANTS} grants"
        ))
        .with_limit(MAX_GRANTS as u64));
    }

    // The client proposes the id because it is the HKDF context of the auth keys it sends
    // in this very request; the store only checks its shape and that it is unused.
    if !ids::is_valid_id(&req.transfer_id) {
        return Err(AppError::bad_request(
            "transfer_id must be 16 random bytes as unpadded base64url (22 characters)",
        ));
    }
    if s.meta.get_transfer(&req.transfer_id).await?.is_some() {
        return Err(conflict());
    }
    let now = s.clock.now();
    let transfer_id = req.transfer_id.clone();
    let mut grants = Vec::with_capacity(req.grants.len());
    for (position, spec) in req.grants.iter().enumerate() {
        let label_chars = spec.label.chars().count();
        if label_chars == 0
            || label_chars > MAX_LABEL_CHARS
            || spec.label.chars().any(char::is_control)
        {
            return Err(AppError::bad_request(format!(
                "grant label must be 1 to {MAX_LABEL_CHARS} printable characters"
            )));
        }
        let auth_key = kepil_protocol::b64_decode(&spec.auth_key)
            .filter(|k| k.len() == 32)
            .ok_or_else(|| AppError::bad_request("auth_key must be 32 bytes of base64url"))?;
        if let Err(e) = spec.kdf.check() {
            return Err(AppError::new(
                ErrorCode::KdfRejected,
                format!("Key-derivation parameters refused: {e}"),
            ));
        }
        let max_downloads = match spec.max_downloads {
            None => c.default_max_downloads,
            Some(0) => return Err(AppError::bad_request("max_downloads must be at least 1")),
            Some(n) if n > c.max_downloads => {
                return Err(AppError::new(
                    ErrorCode::TooManyDownloads,
                    format!("At most {} downloads per recipient.", c.max_downloads),
                )
                .with_limit(c.max_downloads as u64));
            }
            Some(n) => n,
        };
        grants.push(GrantRow {
            id: ids::new_id(),
            transfer_id: transfer_id.clone(),
            position: position as u32,
            label: spec.label.clone(),
            auth_key,
            kdf_version: spec.kdf.version,
            kdf_m_kib: spec.kdf.m_kib,
            kdf_t: spec.kdf.t,
            kdf_p: spec.kdf.p,
            max_downloads,
            downloads: 0,
            failed_proofs: 0,
            locked: false,
            revoked_at: None,
        });
    }

    let owner_token = ids::new_token();
    let expires_at = now.saturating_add(req.expires_in_secs as i64);
    let transfer = TransferRow {
        id: transfer_id.clone(),
        user: uploader.user.clone(),
        owner_hash: ids::hash_token(&owner_token),
        classification: req.classification.as_str().to_string(),
        size: req.size,
        created_at: now,
        expires_at,
        upload_offset: 0,
        upload_expires_at: now.saturating_add(c.upload_expiry_secs as i64),
        expected_checksum: None,
        complete: false,
        revoked_at: None,
        purged_at: None,
        blob_key: Some(s.blobs.new_wrapped_key(&transfer_id)),
        blob_state: None,
    };
    match s
        .meta
        .create_transfer(&transfer, &grants, c.uploader_quota)
        .await
    {
        Ok(()) => {}
        Err(StorageError::Conflict) => return Err(conflict()),
        Err(StorageError::QuotaExceeded { .. }) => {
            return Err(AppError::new(
                ErrorCode::QuotaExceeded,
                "Your storage quota on this store is used up; revoke or wait for older transfers.",
            )
            .with_limit(c.uploader_quota));
        }
        Err(e) => return Err(e.into()),
    }
    inc(&s.metrics.transfers_created, 1);
    s.audit
        .record(
            Event::Created,
            Some(&transfer_id),
            None,
            Some(&ip.text()),
            Some(req.size),
        )
        .await;

    let created = TransferCreated {
        transfer_id: transfer_id.clone(),
        owner_token,
        upload_url: format!("{}{}", s.public_url, paths::upload(&transfer_id)),
        expires_at: ts(expires_at),
        grants: grants
            .iter()
            .map(|g| GrantCreated {
                grant_id: g.id.clone(),
                label: g.label.clone(),
                max_downloads: g.max_downloads,
            })
            .collect(),
    };
    Ok(no_store((StatusCode::CREATED, Json(created))))
}

fn conflict() -> AppError {
    AppError::new(
        ErrorCode::Conflict,
        "This transfer id is already taken; derive the keys again with a new one.",
    )
}

/// Loads a grant and its transfer by an id from a path; anything wrong is `unavailable`.
async fn load_grant(s: &AppState, grant_id: &str) -> AppResult<(GrantRow, TransferRow)> {
    if !ids::is_valid_id(grant_id) {
        return Err(AppError::unavailable());
    }
    let grant = s
        .meta
        .get_grant(grant_id)
        .await?
        .ok_or_else(AppError::unavailable)?;
    let transfer = s
        .meta
        .get_transfer(&grant.transfer_id)
        .await?
        .ok_or_else(AppError::unavailable)?;
    Ok((grant, transfer))
}

/// Why a grant can no longer be downloaded, told only to a caller with a valid proof.
fn dead_reason(g: &GrantRow, t: &TransferRow, now: i64) -> Option<ErrorCode> {
    if g.revoked_at.is_some() || t.revoked_at.is_some() {
        Some(ErrorCode::Revoked)
    } else if g.downloads >= g.max_downloads {
        Some(ErrorCode::UsedUp)
    } else if t.expires_at <= now || t.purged_at.is_some() {
        Some(ErrorCode::Expired)
    } else {
        None
    }
}

fn kdf_of(g: &GrantRow) -> KdfParams {
    KdfParams {
        version: g.kdf_version,
        m_kib: g.kdf_m_kib,
        t: g.kdf_t,
        p: g.kdf_p,
    }
}

fn classification_of(t: &TransferRow) -> AppResult<Classification> {
    Classification::from_str(&t.classification)
        .map_err(|_| AppError::internal(format!("stored classification of {} unreadable", t.id)))
}

/// Pure read. Dead grants whose rows still exist answer exactly like live ones, so only a
/// valid proof tells them apart.
pub async fn grant_info(
    State(s): State<AppState>,
    Path(grant_id): Path<String>,
) -> AppResult<Response> {
    let (g, t) = load_grant(&s, &grant_id).await?;
    Ok(no_store(Json(GrantInfo {
        grant_id: g.id.clone(),
        transfer_id: t.id.clone(),
        classification: classification_of(&t)?,
        size: t.size,
        kdf: kdf_of(&g),
        expires_at: ts(t.expires_at),
        ready: t.complete,
    })))
}

fn rate_limit(s: &AppState, ip: ClientIp) -> AppResult<()> {
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
    let (g, _t) = load_grant(&s, &grant_id).await?;
    let nonce = ids::new_token();
    let expires_at = s.clock.now().saturating_add(s.config.nonce_ttl_secs as i64);
    s.meta
        .insert_nonce(&g.id, &ids::hash_token(&nonce), expires_at)
        .await?;
    Ok(no_store(Json(Challenge {
        nonce,
        expires_at: ts(expires_at),
    })))
}

/// Constant-time check of HMAC-SHA256(auth_key, nonce) through the core library.
fn mac_matches(auth_key: &[u8], nonce: &[u8], mac: &[u8]) -> bool {
    let Ok(key) = <[u8; 32]>::try_from(auth_key) else {
        return false;
    };
    kepil_core::kdf::AuthKey::from_bytes(key).verify(nonce, mac)
}

pub async fn proof(
    State(s): State<AppState>,
    ip: ClientIp,
    Path(grant_id): Path<String>,
    JsonBody(body): JsonBody,
) -> AppResult<Response> {
    rate_limit(&s, ip)?;
    let (g, t) = load_grant(&s, &grant_id).await?;
    let req: Proof = parse_json(&body)?;
    let nonce_bytes = kepil_protocol::b64_decode(&req.nonce)
        .filter(|n| n.len() == 32)
        .ok_or_else(|| AppError::bad_request("nonce must be 32 bytes of base64url"))?;
    let mac = kepil_protocol::b64_decode(&req.mac)
        .filter(|m| m.len() == 32)
        .ok_or_else(|| AppError::bad_request("mac must be 32 bytes of base64url"))?;
    let now = s.clock.now();
    let ip_text = ip.text();

    let nonce_hash = ids::hash_token(&req.nonce);
    let dead = dead_reason(&g, &t, now);
    let stale = || {
        if dead.is_some() {
            AppError::unavailable()
        } else {
            AppError::new(
                ErrorCode::ChallengeExpired,
                "The challenge expired or was already used; ask for a new one.",
            )
        }
    };
    // Checking the MAC first only costs CPU; the nonce is burnt on every path below.
    let valid = mac_matches(&g.auth_key, &nonce_bytes, &mac);

    if valid && !g.locked && dead.is_none() && t.complete {
        // Hot path: burn the nonce and count the download in one transaction.
        let token = ids::new_token();
        let token_expires = now.saturating_add(s.config.download_token_ttl_secs as i64);
        let outcome = s
            .meta
            .redeem(
                &g.id,
                &nonce_hash,
                &ids::hash_token(&token),
                token_expires,
                now,
            )
            .await?;
        if outcome == Redeemed::StaleNonce {
            return Err(stale());
        }
        inc(&s.metrics.proofs_ok, 1);
        s.audit
            .record(
                Event::ProofOk,
                Some(&t.id),
                Some(&g.id),
                Some(&ip_text),
                None,
            )
            .await;
        return match outcome {
            Redeemed::Issued(downloads_left) => {
                inc(&s.metrics.tokens_issued, 1);
                s.audit
                    .record(
                        Event::TokenIssued,
                        Some(&t.id),
                        Some(&g.id),
                        Some(&ip_text),
                        None,
                    )
                    .await;
                Ok(no_store(Json(DownloadGrant {
                    download_token: token,
                    expires_at: ts(token_expires),
                    size: t.size,
                    downloads_left,
                })))
            }
            _ => {
                // Lost a race (another proof took the last download, a lock or a revoke
                // landed): answer from the state now.
                let (g, t) = load_grant(&s, &grant_id).await?;
                if g.locked {
                    return Err(locked_error());
                }
                Err(reason_error(
                    dead_reason(&g, &t, s.clock.now()).unwrap_or(ErrorCode::UsedUp),
                ))
            }
        };
    }

    if !s.meta.consume_nonce(&g.id, &nonce_hash, now).await? {
        return Err(stale());
    }
    if g.locked {
        return Err(locked_error());
    }
    if !valid {
        if dead.is_some() {
            return Err(AppError::unavailable());
        }
        inc(&s.metrics.proofs_failed, 1);
        s.audit
            .record(
                Event::ProofFailed,
                Some(&t.id),
                Some(&g.id),
                Some(&ip_text),
                None,
            )
            .await;
        let threshold = s.config.lockout_threshold;
        let outcome = s.meta.record_failed_proof(&g.id, threshold).await?;
        if outcome.locked_now {
            inc(&s.metrics.grants_locked, 1);
            s.audit
                .record(
                    Event::Locked,
                    Some(&t.id),
                    Some(&g.id),
                    Some(&ip_text),
                    None,
                )
                .await;
        }
        if outcome.locked {
            return Err(locked_error());
        }
        let mut e = AppError::new(ErrorCode::WrongPassword, "The password is wrong.");
        e.0.tries_left = Some(threshold.saturating_sub(outcome.failed_proofs));
        return Err(e);
    }

    // A valid proof on a dead grant learns why; on an unfinished upload, to wait.
    inc(&s.metrics.proofs_ok, 1);
    s.audit
        .record(
            Event::ProofOk,
            Some(&t.id),
            Some(&g.id),
            Some(&ip_text),
            None,
        )
        .await;
    Err(match dead {
        Some(code) => reason_error(code),
        None => AppError::new(
            ErrorCode::NotReady,
            "The sender's upload has not finished yet; try again later.",
        ),
    })
}

fn locked_error() -> AppError {
    let mut e = AppError::new(
        ErrorCode::Locked,
        "Too many wrong passwords: this link is locked. Ask the sender for a new one.",
    );
    e.0.tries_left = Some(0);
    e
}

fn reason_error(code: ErrorCode) -> AppError {
    let message = match code {
        ErrorCode::Expired => "This transfer has expired; ask the sender to send it again.",
        ErrorCode::Revoked => "The sender revoked this link.",
        ErrorCode::UsedUp => "This link has no downloads left; ask the sender for a new one.",
        _ => "This link is not available.",
    };
    AppError::new(code, message)
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
    if !ids::is_valid_id(&grant_id) {
        return Err(AppError::unavailable());
    }
    let token = bearer(&headers).ok_or_else(AppError::unauthorized)?;
    let now = s.clock.now();
    let row = s
        .meta
        .find_download_token(&ids::hash_token(token))
        .await?
        .filter(|r| r.grant_id == grant_id && r.expires_at > now)
        .ok_or_else(AppError::unauthorized)?;
    let (g, t) = load_grant(&s, &row.grant_id).await?;
    if g.revoked_at.is_some() || !t.is_live(now) {
        return Err(AppError::unavailable());
    }
    if !t.complete {
        return Err(AppError::new(
            ErrorCode::NotReady,
            "The upload has not finished.",
        ));
    }
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
    if !ids::is_valid_id(transfer_id) {
        return Err(AppError::unavailable());
    }
    let t = s
        .meta
        .get_transfer(transfer_id)
        .await?
        .ok_or_else(AppError::unavailable)?;
    // Hashes of 256-bit random tokens: comparing them leaks nothing usable by timing.
    if t.owner_hash != ids::hash_token(token) {
        return Err(AppError::unavailable());
    }
    Ok(t)
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

/// Revokes the whole transfer and deletes its blob at once.
pub async fn revoke_and_purge(
    s: &AppState,
    t: &TransferRow,
    ip: Option<&str>,
    event: Event,
) -> AppResult<()> {
    let now = s.clock.now();
    if s.meta.revoke_transfer(&t.id, now).await? {
        s.audit.record(event, Some(&t.id), None, ip, None).await;
    }
    Ok(purge_blob(s, &t.id, PurgeReason::Revoked, ip).await?)
}

pub async fn revoke_transfer(
    State(s): State<AppState>,
    ip: ClientIp,
    Path(transfer_id): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let t = owned_transfer(&s, &transfer_id, &headers).await?;
    revoke_and_purge(&s, &t, Some(&ip.text()), Event::Revoked).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn revoke_grant(
    State(s): State<AppState>,
    ip: ClientIp,
    Path((transfer_id, grant_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let t = owned_transfer(&s, &transfer_id, &headers).await?;
    if !ids::is_valid_id(&grant_id) {
        return Err(AppError::unavailable());
    }
    let ip = ip.text();
    let left = s
        .meta
        .revoke_grant(&t.id, &grant_id, s.clock.now())
        .await?
        .ok_or_else(AppError::unavailable)?;
    s.audit
        .record(
            Event::Revoked,
            Some(&t.id),
            Some(&grant_id),
            Some(&ip),
            None,
        )
        .await;
    if left == 0 {
        revoke_and_purge(&s, &t, Some(&ip), Event::Revoked).await?;
    }
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
