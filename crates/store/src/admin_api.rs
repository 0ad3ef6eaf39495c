//! The administrators' HTTP API (`/api/v1/admin/…`): a person's live transfers, revoking one
//! or all, disabling and enabling an identity. Only a bearer whose identity the configuration
//! names as an administrator gets past `senders::administrator`; every change is audited
//! with that identity. `kepil-store admin` does the same on the store host without HTTP.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use kepil_protocol::identity::{AdminOutcome, AdminRevoke, AdminSearch, IdentityAction};

use crate::api::no_store;
use crate::domain::administration::{self, AdminError};
use crate::domain::senders;
use crate::error::AppResult;
use crate::state::{AppState, ClientIp, JsonBody, bearer, parse_json};

pub async fn search(
    State(s): State<AppState>,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> AppResult<Response> {
    senders::administrator(&s, bearer(&headers)).await?;
    let req: AdminSearch = parse_json(&body)?;
    Ok(no_store(Json(
        administration::live_transfers(&s, &req.sender).await?,
    )))
}

pub async fn revoke(
    State(s): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> AppResult<Response> {
    let admin = senders::administrator(&s, bearer(&headers)).await?;
    let req: AdminRevoke = parse_json(&body)?;
    let ip = ip.text();
    let changed = match (&req.transfer_id, &req.sender) {
        (Some(id), None) => {
            administration::revoke_one(&s, &admin.email, None, id, Some(&ip)).await?;
            1
        }
        (None, Some(sender)) => {
            administration::revoke_all(&s, &admin.email, sender, Some(&ip)).await?
        }
        _ => return Err(AdminError::Ambiguous.into()),
    };
    Ok(no_store(Json(AdminOutcome { changed })))
}

async fn set_disabled(
    s: AppState,
    ip: ClientIp,
    headers: HeaderMap,
    body: bytes::Bytes,
    disabled: bool,
) -> AppResult<Response> {
    let admin = senders::administrator(&s, bearer(&headers)).await?;
    let req: IdentityAction = parse_json(&body)?;
    let changed =
        administration::set_disabled(&s, &admin.email, &req.email, disabled, Some(&ip.text()))
            .await?;
    Ok(no_store(Json(AdminOutcome {
        changed: changed as u32,
    })))
}

pub async fn disable(
    State(s): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> AppResult<Response> {
    set_disabled(s, ip, headers, body, true).await
}

pub async fn enable(
    State(s): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> AppResult<Response> {
    set_disabled(s, ip, headers, body, false).await
}
