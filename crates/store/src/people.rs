//! The HTTP face of sign-in and of a person's own transfers: `POST /api/v1/sessions`,
//! `GET`/`DELETE /api/v1/session`, `GET /api/v1/me/transfers`, and
//! `DELETE /api/v1/me/transfers/{id}`. Parsing and answering only; `crate::domain` decides.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use kepil_protocol::identity::{CreateSession, SessionCreated};

use crate::api::no_store;
use crate::domain::{administration, senders};
use crate::error::AppResult;
use crate::state::{AppState, ClientIp, JsonBody, bearer, parse_json};

fn ts(secs: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(secs).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

pub async fn sign_in(
    State(s): State<AppState>,
    ip: ClientIp,
    JsonBody(body): JsonBody,
) -> AppResult<Response> {
    // Each attempt costs a verification and may cost a fetch from the provider: the same
    // per-address budget as download proofs.
    crate::api::rate_limit(&s, ip)?;
    let req: CreateSession = parse_json(&body)?;
    let session = senders::sign_in(&s, &req, &ip.text()).await?;
    Ok(no_store((
        StatusCode::CREATED,
        Json(SessionCreated {
            session_token: session.token,
            expires_at: ts(session.expires_at),
            identity: session.sender.identity(),
        }),
    )))
}

pub async fn whoami(State(s): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    let sender = senders::authenticate(&s, bearer(&headers)).await?;
    Ok(no_store(Json(sender.whoami())))
}

pub async fn sign_out(
    State(s): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
) -> AppResult<Response> {
    senders::sign_out(&s, bearer(&headers), &ip.text()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn my_transfers(State(s): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    let sender = senders::authenticate(&s, bearer(&headers)).await?;
    let list = administration::live_transfers(&s, &sender.email).await?;
    Ok(no_store(Json(list)))
}

pub async fn revoke_mine(
    State(s): State<AppState>,
    ip: ClientIp,
    Path(transfer_id): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let sender = senders::authenticate(&s, bearer(&headers)).await?;
    administration::revoke_one(
        &s,
        &sender.email,
        Some(&sender.email),
        &transfer_id,
        Some(&ip.text()),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
