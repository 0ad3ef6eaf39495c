//! Administration of uploader tokens, shared by `kepil-store token ...` and tests.
//! Works while a server runs on the same metadata (SQLite WAL allows it; PostgreSQL is
//! shared anyway).

use crate::StoreError;
use crate::config::Config;
use crate::ids;
use std::sync::Arc;

use crate::backends::open_metadata;
use crate::storage::fs::create_private_dir;
use crate::storage::{MetadataStore, UploaderToken};

/// What `token list` shows: never the token, which only its holder has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: String,
    pub user: String,
    pub created_at: i64,
    pub revoked: bool,
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

/// Creates an uploader token for `user` and returns it; only its SHA-256 is stored.
pub async fn create_token(config: &Config, user: &str) -> Result<String, StoreError> {
    check_user(user)?;
    let store = open(config).await?;
    let token = ids::new_token();
    store
        .insert_uploader_token(&UploaderToken {
            id: ids::new_id(),
            user: user.to_string(),
            token_hash: ids::hash_token(&token),
            created_at: now(),
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
            created_at: t.created_at,
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
