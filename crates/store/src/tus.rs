//! tus 1.0 uploads: core, creation, checksum (sha256), termination and expiration.
//!
//! The upload resource `/api/v1/uploads/{transfer_id}` exists from create-transfer on, with
//! `Upload-Length` = the declared size; `POST /api/v1/uploads` lets generic tus clients attach
//! to it through the `transfer` metadata.
//!
//! Durability: a PATCH writes, then (on success) fsyncs, and only then records the new offset
//! in the database. Long PATCHes checkpoint the same way every `checkpoint_bytes`. After a
//! crash the recorded offset is therefore never beyond the durable bytes, and the writer
//! truncates anything beyond it before appending.

use std::time::{Duration, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use futures_util::StreamExt;
use kepil_protocol::{BlobChecksum, ErrorCode, paths, tus};
use sha2::{Digest, Sha256};

use crate::audit::Event;
use crate::domain::uploads;
use crate::error::{AppError, AppResult};
use crate::metrics::inc;
use crate::state::{AppState, ClientIp};
use crate::storage::{Checkpoint, TransferRow};

fn tus_headers(r: &mut Response) {
    let h = r.headers_mut();
    h.insert(tus::TUS_RESUMABLE, HeaderValue::from_static(tus::VERSION));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

fn http_date(unix: i64) -> Option<HeaderValue> {
    // HTTP dates end at 9999-12-31 (httpdate panics beyond); a row should never hold more.
    if !(0..=253_402_300_799).contains(&unix) {
        return None;
    }
    let t = UNIX_EPOCH + Duration::from_secs(unix as u64);
    HeaderValue::from_str(&httpdate::fmt_http_date(t)).ok()
}

fn check_version(headers: &HeaderMap) -> AppResult<()> {
    // Absent is tolerated (curl users); a different version is refused as tus requires.
    match headers.get(tus::TUS_RESUMABLE) {
        Some(v) if v.as_bytes() != tus::VERSION.as_bytes() => Err(AppError::new(
            ErrorCode::Unsupported,
            "Only tus 1.0.0 is supported.",
        )),
        _ => Ok(()),
    }
}

fn header_u64(headers: &HeaderMap, name: &str) -> AppResult<Option<u64>> {
    match headers.get(name) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Some)
            .ok_or_else(|| AppError::bad_request(format!("invalid {name} header"))),
    }
}

/// `Kepil-Blob-Crc64nvme` (the whole blob's checksum). The SHA-256 and BLAKE3 headers of
/// earlier builds are refused rather than ignored, so such a client is told to update instead
/// of never completing.
fn blob_checksum_header(headers: &HeaderMap) -> AppResult<Option<u64>> {
    if tus::KEPIL_BLOB_RETIRED
        .iter()
        .any(|h| headers.contains_key(*h))
    {
        return Err(retired_blob_hash());
    }
    match headers.get(tus::KEPIL_BLOB_CRC64) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .ok()
            .and_then(BlobChecksum::decode)
            .map(Some)
            .ok_or_else(|| {
                AppError::bad_request("Kepil-Blob-Crc64nvme must be base64url of 8 bytes")
            }),
    }
}

fn retired_blob_hash() -> AppError {
    AppError::new(
        ErrorCode::Unsupported,
        "This store checks whole uploads with CRC-64/NVME (Kepil-Blob-Crc64nvme or \
         `crc64nvme` metadata), not SHA-256 or BLAKE3: update Kepil and send again.",
    )
}

/// The transfer behind an upload URL, for the uploader whose token the request carries.
async fn upload_transfer(
    s: &AppState,
    headers: &HeaderMap,
    transfer_id: &str,
) -> AppResult<TransferRow> {
    let uploader = s.uploader(headers).await?;
    Ok(uploads::session(s, &uploader, transfer_id).await?)
}

pub async fn options(State(s): State<AppState>) -> Response {
    let mut r = StatusCode::NO_CONTENT.into_response();
    tus_headers(&mut r);
    let h = r.headers_mut();
    h.insert(tus::TUS_VERSION, HeaderValue::from_static(tus::VERSION));
    h.insert(
        tus::TUS_EXTENSION,
        HeaderValue::from_static(tus::EXTENSIONS),
    );
    h.insert(
        tus::TUS_CHECKSUM_ALGORITHM,
        HeaderValue::from_static(tus::CHECKSUM_ALGORITHMS),
    );
    h.insert(tus::TUS_MAX_SIZE, HeaderValue::from(s.config.max_blob_size));
    r
}

/// Parses `Upload-Metadata`: `key base64value,key base64value`; values are standard base64.
fn parse_metadata(value: &str) -> AppResult<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    for pair in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let mut it = pair.splitn(2, ' ');
        let key = it.next().unwrap_or_default().to_string();
        let value = match it.next() {
            Some(v) => STANDARD
                .decode(v.trim())
                .map_err(|_| AppError::bad_request("Upload-Metadata values must be base64"))?,
            None => Vec::new(),
        };
        out.push((key, value));
    }
    Ok(out)
}

/// tus creation: attaches a generic tus client to a transfer made by create-transfer.
pub async fn create(State(s): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    check_version(&headers)?;
    if headers.contains_key("upload-defer-length") {
        return Err(AppError::new(
            ErrorCode::Unsupported,
            "Upload-Defer-Length is not supported: the length is fixed at create-transfer.",
        ));
    }
    let length = header_u64(&headers, tus::UPLOAD_LENGTH)?
        .ok_or_else(|| AppError::bad_request("Upload-Length is required"))?;
    let meta = headers
        .get(tus::UPLOAD_METADATA)
        .and_then(|v| v.to_str().ok())
        .map(parse_metadata)
        .transpose()?
        .unwrap_or_default();
    // Only the two keys Kepil defines are read; anything else a client sends (a file name,
    // say) is dropped here and never stored or logged.
    let text = |key: &str| {
        meta.iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| String::from_utf8(v.clone()))
            .transpose()
            .map_err(|_| AppError::bad_request("metadata is not UTF-8"))
    };
    let transfer_id = text(tus::META_TRANSFER)?
        .ok_or_else(|| AppError::bad_request("Upload-Metadata must name the transfer"))?;
    if meta
        .iter()
        .any(|(k, _)| tus::META_RETIRED.contains(&k.as_str()))
    {
        return Err(retired_blob_hash());
    }
    let expected = text(tus::META_CRC64)?
        .map(|h| {
            BlobChecksum::decode(&h).ok_or_else(|| {
                AppError::bad_request("crc64nvme metadata must be base64url of 8 bytes")
            })
        })
        .transpose()?;
    let uploader = s.uploader(&headers).await?;
    let t = uploads::attach(&s, &uploader, transfer_id.trim(), length, expected).await?;
    let mut r = StatusCode::CREATED.into_response();
    tus_headers(&mut r);
    let location = format!("{}{}", s.public_url, paths::upload(&t.id));
    if let Ok(v) = HeaderValue::from_str(&location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r.headers_mut()
        .insert(tus::UPLOAD_OFFSET, HeaderValue::from(t.upload_offset));
    if let Some(v) = http_date(t.upload_expires_at) {
        r.headers_mut().insert(tus::UPLOAD_EXPIRES, v);
    }
    Ok(r)
}

pub async fn head(
    State(s): State<AppState>,
    Path(transfer_id): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let t = upload_transfer(&s, &headers, &transfer_id).await?;
    let mut r = StatusCode::OK.into_response();
    tus_headers(&mut r);
    let h = r.headers_mut();
    h.insert(tus::UPLOAD_OFFSET, HeaderValue::from(t.upload_offset));
    h.insert(tus::UPLOAD_LENGTH, HeaderValue::from(t.size));
    if !t.complete
        && let Some(v) = http_date(t.upload_expires_at)
    {
        h.insert(tus::UPLOAD_EXPIRES, v);
    }
    Ok(r)
}

pub async fn terminate(
    State(s): State<AppState>,
    ip: ClientIp,
    Path(transfer_id): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    check_version(&headers)?;
    let t = upload_transfer(&s, &headers, &transfer_id).await?;
    crate::domain::transfers::revoke(&s, &t, Some(&t.user), Some(&ip.text()), Event::Terminated)
        .await?;
    let mut r = StatusCode::NO_CONTENT.into_response();
    tus_headers(&mut r);
    Ok(r)
}

fn parse_checksum(headers: &HeaderMap) -> AppResult<Option<Vec<u8>>> {
    let Some(v) = headers.get(tus::UPLOAD_CHECKSUM) else {
        return Ok(None);
    };
    let v = v
        .to_str()
        .map_err(|_| AppError::bad_request("invalid Upload-Checksum"))?;
    let (algo, value) = v
        .trim()
        .split_once(' ')
        .ok_or_else(|| AppError::bad_request("Upload-Checksum must be `sha256 <base64>`"))?;
    if !algo.eq_ignore_ascii_case("sha256") {
        return Err(AppError::bad_request(
            "only the sha256 checksum algorithm is supported",
        ));
    }
    STANDARD
        .decode(value.trim())
        .ok()
        .filter(|d| d.len() == 32)
        .map(Some)
        .ok_or_else(|| AppError::bad_request("Upload-Checksum value must be base64 of 32 bytes"))
}

pub async fn patch(
    State(s): State<AppState>,
    ip: ClientIp,
    Path(transfer_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<Response> {
    check_version(&headers)?;
    let content_type = headers.get(header::CONTENT_TYPE).map(|v| v.as_bytes());
    if content_type != Some(tus::OFFSET_CONTENT_TYPE.as_bytes()) {
        return Err(AppError::new(
            ErrorCode::Unsupported,
            "PATCH needs Content-Type: application/offset+octet-stream",
        ));
    }
    let claimed = header_u64(&headers, tus::UPLOAD_OFFSET)?
        .ok_or_else(|| AppError::bad_request("Upload-Offset is required"))?;
    let checksum = parse_checksum(&headers)?;
    let blob_checksum = blob_checksum_header(&headers)?;

    // Authorise before waiting on the lock, then re-read the row under it.
    upload_transfer(&s, &headers, &transfer_id).await?;
    let _guard = s.meta.lock_upload(&transfer_id).await?;
    let t = upload_transfer(&s, &headers, &transfer_id).await?;
    uploads::check_offset(&t, claimed)?;
    if let Some(c) = blob_checksum {
        s.meta.set_expected_checksum(&t.id, c).await?;
    }
    let expected = blob_checksum.or(t.expected_checksum);

    let running = {
        let mut hashers = s.hashers.lock().unwrap_or_else(|p| p.into_inner());
        match hashers.remove(&t.id) {
            Some((off, h)) if off == t.upload_offset => Some(h),
            _ if t.upload_offset == 0 => Some(BlobChecksum::new()),
            _ => None,
        }
    };
    let mut hash = running;
    let mut chunk_hash = checksum.as_ref().map(|_| Sha256::new());
    let remaining = t.size - t.upload_offset;
    let mut written: u64 = 0;
    let mut since_checkpoint: u64 = 0;
    let mut durable = Checkpoint {
        len: t.upload_offset,
        state: t.blob_state.clone(),
    };
    let idle = Duration::from_secs(s.config.idle_timeout_secs.max(1));
    let mut writer = match s
        .blobs
        .open_writer(&t, t.upload_offset, t.blob_state.as_deref())
        .await
    {
        Ok(w) => w,
        Err(e) => {
            // A completion whose new offset never reached the database (it failed just after
            // the object store assembled the blob) leaves a state that no longer opens, next
            // to a whole blob. Record that and let the client finish with the hash, which is
            // then checked against the stored bytes.
            if t.upload_offset < t.size && s.blobs.backend().len(&t.id).await? == Some(t.size) {
                tracing::warn!("upload found whole after an unrecorded completion");
                record(&s, &t.id, t.upload_offset, t.size, None).await?;
                let mut e = AppError::new(
                    ErrorCode::OffsetMismatch,
                    format!(
                        "Every byte is already stored; send an empty PATCH at offset {} with \
                         Kepil-Blob-Crc64nvme.",
                        t.size
                    ),
                );
                e.0.limit = Some(t.size);
                return Err(e);
            }
            return Err(e.into());
        }
    };
    let mut stream = body.into_data_stream();
    let mut cut_off = false;

    loop {
        let next = match tokio::time::timeout(idle, stream.next()).await {
            Ok(n) => n,
            Err(_) => {
                cut_off = true;
                break;
            }
        };
        let chunk = match next {
            None => break,
            Some(Ok(c)) => c,
            Some(Err(_)) => {
                cut_off = true;
                break;
            }
        };
        if written + chunk.len() as u64 > remaining {
            writer.abort().await?;
            record(
                &s,
                &t.id,
                durable.len,
                durable.len,
                durable.state.as_deref(),
            )
            .await?;
            if durable.len != t.upload_offset {
                // A checkpoint moved the offset; the running hash no longer matches it.
                s.hashers
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&t.id);
            }
            return Err(AppError::new(
                ErrorCode::TooLarge,
                "More bytes than Upload-Length; the excess chunk was discarded.",
            )
            .with_limit(t.size));
        }
        writer.write(&chunk).await?;
        if let Some(h) = hash.as_mut() {
            h.update(&chunk);
        }
        if let Some(h) = chunk_hash.as_mut() {
            h.update(&chunk);
        }
        written += chunk.len() as u64;
        since_checkpoint += chunk.len() as u64;
        if checksum.is_none() && since_checkpoint >= s.config.checkpoint_bytes {
            let from = durable.len;
            durable = writer.sync().await?;
            record(&s, &t.id, from, durable.len, durable.state.as_deref()).await?;
            inc(&s.metrics.bytes_uploaded, since_checkpoint);
            since_checkpoint = 0;
        }
    }

    if let (Some(want), Some(h)) = (&checksum, chunk_hash)
        && (cut_off || h.finalize().as_slice() != want.as_slice())
    {
        writer.abort().await?;
        if let Some(h) = running {
            s.hashers
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(t.id.clone(), (t.upload_offset, h));
        }
        return Err(if cut_off {
            AppError::bad_request("The request body ended early; the chunk was discarded.")
        } else {
            AppError::new(
                ErrorCode::ChecksumMismatch,
                "The chunk's checksum did not match; it was discarded.",
            )
        });
    }

    let whole = t.upload_offset + written == t.size;
    if !whole || expected.is_none() {
        let done = writer.commit().await?;
        let new_offset = done.len;
        record(&s, &t.id, durable.len, new_offset, done.state.as_deref()).await?;
        inc(&s.metrics.bytes_uploaded, since_checkpoint);
        if let Some(h) = hash {
            s.hashers
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(t.id.clone(), (new_offset, h));
        }
        if whole {
            return Err(AppError::new(
                ErrorCode::NotReady,
                "All bytes arrived but no checksum of the whole blob was given: send a PATCH \
                 with an empty body and the Kepil-Blob-Crc64nvme header (or the crc64nvme \
                 creation metadata).",
            ));
        }
        if cut_off {
            tracing::info!(offset = new_offset, "upload interrupted; bytes so far kept");
        }
        return Ok(patched(new_offset, Some(upload_expiry(&s))));
    }
    let expected = expected.unwrap_or_default();

    // The last byte arrived: complete only when the whole blob's checksum matches.
    let new_offset = writer.complete().await?;
    record(&s, &t.id, durable.len, new_offset, None).await?;
    inc(&s.metrics.bytes_uploaded, since_checkpoint);
    let actual = match hash {
        Some(h) => h.value(),
        None => s.blobs.checksum(&t, t.size).await?,
    };
    if actual != expected {
        s.blobs.backend().truncate(&t.id, 0).await?;
        record(&s, &t.id, t.size, 0, None).await?;
        return Err(AppError::new(
            ErrorCode::BlobHashMismatch,
            "The whole blob's checksum did not match; the upload was reset to offset 0.",
        ));
    }
    s.meta.mark_complete(&t.id, actual).await?;
    inc(&s.metrics.uploads_completed, 1);
    s.audit
        .record(
            Event::UploadComplete,
            Some(&t.id),
            None,
            Some(&ip.text()),
            Some(t.size),
        )
        .await;
    Ok(patched(new_offset, None))
}

/// Records the new durable offset when the row still holds `from`. Otherwise another request
/// wrote this upload meanwhile (this one lost its upload lock, e.g. its database session
/// dropped): nothing is recorded and the client is told to ask for the offset again.
async fn record(
    s: &AppState,
    transfer_id: &str,
    from: u64,
    to: u64,
    state: Option<&str>,
) -> AppResult<()> {
    if s.meta
        .set_offset(transfer_id, from, to, upload_expiry(s), state)
        .await?
    {
        return Ok(());
    }
    tracing::warn!("upload changed under a PATCH; nothing recorded");
    Err(AppError::new(
        ErrorCode::Conflict,
        "Another request changed this upload at the same time; nothing was recorded. Ask for \
         the offset (HEAD) and resume from there.",
    ))
}

fn upload_expiry(s: &AppState) -> i64 {
    s.clock
        .now()
        .saturating_add(s.config.upload_expiry_secs as i64)
}

fn patched(offset: u64, expires: Option<i64>) -> Response {
    let mut r = StatusCode::NO_CONTENT.into_response();
    tus_headers(&mut r);
    r.headers_mut()
        .insert(tus::UPLOAD_OFFSET, HeaderValue::from(offset));
    if let Some(v) = expires.and_then(http_date) {
        r.headers_mut().insert(tus::UPLOAD_EXPIRES, v);
    }
    r
}
