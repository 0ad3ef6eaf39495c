//! tus 1.0 uploads: core, creation, checksum (sha256), termination and expiration.
//!
//! The upload resource `/api/v1/uploads/{transfer_id}` exists from create-transfer on, with
//! `Upload-Length` = the declared size; `POST /api/v1/uploads` lets generic tus clients attach
//! to it through the `transfer` metadata.
//!
//! The handlers parse headers and answer; what a PATCH does to the upload (durability,
//! checkpoints, checksums) is `crate::domain::uploads::append`.

use std::time::{Duration, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use kepil_protocol::{BlobChecksum, ErrorCode, paths, tus};

use crate::audit::Event;
use crate::domain::uploads;
use crate::error::{AppError, AppResult};
use crate::state::{AppState, ClientIp};
use crate::storage::TransferRow;

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
    let request = uploads::Append {
        claimed,
        chunk_sha256: parse_checksum(&headers)?,
        blob_checksum: blob_checksum_header(&headers)?,
    };
    let uploader = s.uploader(&headers).await?;
    let done = uploads::append(
        &s,
        &uploader,
        &transfer_id,
        request,
        body.into_data_stream(),
        &ip.text(),
    )
    .await?;
    Ok(match done {
        uploads::Appended::Partial { offset, expires_at } => patched(offset, Some(expires_at)),
        uploads::Appended::Complete { offset } => patched(offset, None),
    })
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
