//! Administration on the store host, shared by `kepil-store token ...`, `kepil-store admin
//! ...` and tests: machine tokens, and what the admin API does, without HTTP. Works while a
//! server runs on the same metadata (SQLite WAL allows it; PostgreSQL is shared anyway).

use crate::StoreError;
use crate::config::Config;
use crate::ids;
use std::sync::Arc;

use crate::backends::open_metadata;
use crate::domain::administration;
use crate::storage::fs::create_private_dir;
use crate::storage::{MetadataStore, UploaderToken};

/// What `token list` shows: never the token, which only its holder has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: String,
    pub user: String,
    pub name: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked: bool,
}

impl TokenInfo {
    /// `active`, `expired` or `revoked`, as `token list` shows it.
    pub fn state(&self, now: i64) -> &'static str {
        if self.revoked {
            "revoked"
        } else if self.expires_at <= now {
            "expired"
        } else {
            "active"
        }
    }
}

/// What `token create` makes: for whom, called what, for how long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    pub user: String,
    pub name: String,
    /// `None`: `identity.token_default_days`.
    pub days: Option<u32>,
}

fn now() -> i64 {
    crate::clock::Clock::default().now()
}

async fn open(config: &Config) -> Result<Arc<dyn MetadataStore>, StoreError> {
    if config.metadata.is_none() {
        create_private_dir(&config.data_dir).map_err(StoreError::Io)?;
    }
    Ok(open_metadata(config).await?)
}

fn check_user(user: &str) -> Result<(), StoreError> {
    let ok = user.len() <= 254
        && user.contains('@')
        && !user.starts_with('@')
        && !user.ends_with('@')
        && !user.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "not an email address: {user:?}"
        )))
    }
}

/// Creates a machine token for `user` with the default lifetime and no name (tests, the
/// desktop app's embedded store); see [`create_named_token`].
pub async fn create_token(config: &Config, user: &str) -> Result<String, StoreError> {
    create_named_token(
        config,
        &NewToken {
            user: user.to_string(),
            name: String::new(),
            days: None,
        },
    )
    .await
}

/// Creates a machine token and returns it; only its SHA-256 is stored. Every token expires
/// (guideline 4.3.1 e), after at most `identity.token_max_days`.
pub async fn create_named_token(config: &Config, new: &NewToken) -> Result<String, StoreError> {
    check_user(&new.user)?;
    let limits = &config.identity;
    let days = new.days.unwrap_or(limits.token_default_days);
    if days == 0 || days > limits.token_max_days {
        return Err(StoreError::Invalid(format!(
            "a token lives 1 to {} days (identity.token_max_days), not {days}",
            limits.token_max_days
        )));
    }
    let name = crate::identity::clip_name(&new.name);
    let store = open(config).await?;
    let token = ids::new_token();
    let created_at = now();
    store
        .insert_uploader_token(&UploaderToken {
            id: ids::new_id(),
            user: new.user.to_ascii_lowercase(),
            name,
            token_hash: ids::hash_token(&token),
            created_at,
            expires_at: created_at + i64::from(days) * 86_400,
            last_used_at: None,
            revoked_at: None,
        })
        .await?;
    store.close().await;
    Ok(token)
}

pub async fn list_tokens(config: &Config) -> Result<Vec<TokenInfo>, StoreError> {
    let store = open(config).await?;
    let tokens = store.list_uploader_tokens().await?;
    store.close().await;
    Ok(tokens
        .into_iter()
        .map(|t| TokenInfo {
            id: t.id,
            user: t.user,
            name: t.name,
            created_at: t.created_at,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
            revoked: t.revoked_at.is_some(),
        })
        .collect())
}

/// Revokes by token id (from `list_tokens`); false when no such active token exists.
pub async fn revoke_token(config: &Config, id: &str) -> Result<bool, StoreError> {
    let store = open(config).await?;
    let done = store.revoke_uploader_token(id, now()).await?;
    store.close().await;
    Ok(done)
}

/// Who `kepil-store admin` acts as in the audit: the account on the store host that ran it.
pub fn local_actor() -> String {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    format!("local:{user}")
}

/// `kepil-store admin transfers EMAIL`.
pub async fn live_transfers(
    config: &Config,
    sender: &str,
) -> Result<Vec<kepil_protocol::identity::TransferSummary>, StoreError> {
    let s = crate::state::AppState::open(config.clone()).await?;
    administration::live_transfers(&s, sender)
        .await
        .map_err(admin_error)
}

/// `kepil-store admin revoke --transfer ID` or `--sender EMAIL`: how many were revoked.
pub async fn revoke(
    config: &Config,
    transfer_id: Option<&str>,
    sender: Option<&str>,
) -> Result<u32, StoreError> {
    let s = crate::state::AppState::open(config.clone()).await?;
    let actor = local_actor();
    match (transfer_id, sender) {
        (Some(id), None) => administration::revoke_one(&s, &actor, None, id, None)
            .await
            .map(|()| 1),
        (None, Some(sender)) => administration::revoke_all(&s, &actor, sender, None).await,
        _ => Err(administration::AdminError::Ambiguous),
    }
    .map_err(admin_error)
}

/// `kepil-store admin disable|enable EMAIL`: false when it already was.
pub async fn set_disabled(
    config: &Config,
    email: &str,
    disabled: bool,
) -> Result<bool, StoreError> {
    let s = crate::state::AppState::open(config.clone()).await?;
    administration::set_disabled(&s, &local_actor(), email, disabled, None)
        .await
        .map_err(admin_error)
}

fn admin_error(e: administration::AdminError) -> StoreError {
    match e {
        administration::AdminError::Storage(e) => StoreError::Storage(e),
        administration::AdminError::Unavailable => {
            StoreError::Invalid("no such live transfer".into())
        }
        other => StoreError::Invalid(other.to_string()),
    }
}
