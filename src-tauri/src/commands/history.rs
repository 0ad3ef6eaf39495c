//! The History screen: `history_list`, `history_status`, `history_revoke`, `history_unlock`.

use kepil_client::history::History;
use kepil_client::manage;
use kepil_protocol::TransferStatus;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use super::rfc3339;
use crate::error::UiResult;
use crate::state::Kepil;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "HistoryRecipient")]
pub struct HistoryRecipientView {
    pub label: String,
    pub grant_id: String,
    pub delivery: super::deliver::DeliveryView,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HistoryItem {
    pub transfer_id: String,
    pub store: String,
    pub created_at: String,
    pub expires_at: String,
    pub classification: String,
    pub size: u64,
    pub recipients: Vec<HistoryRecipientView>,
    /// Local to this computer, as the files' names: what tells transfers apart.
    pub subject: String,
    pub files: Vec<String>,
    /// The keyring still keeps links and passwords to hand over (`handover_show`).
    pub handover: bool,
}

#[tauri::command]
pub async fn history_list(kepil: State<'_, Kepil>) -> UiResult<Vec<HistoryItem>> {
    Ok(History::open(&kepil.dirs)
        .list()?
        .into_iter()
        .map(|e| HistoryItem {
            transfer_id: e.transfer_id,
            store: e.store,
            created_at: rfc3339(e.created_at),
            expires_at: rfc3339(e.expires_at),
            classification: e.classification,
            size: e.size,
            recipients: e
                .recipients
                .into_iter()
                .map(|r| HistoryRecipientView {
                    label: r.label,
                    grant_id: r.grant_id,
                    delivery: r.delivery.into(),
                })
                .collect(),
            subject: e.subject,
            files: e.files,
            handover: e.handover,
        })
        .collect())
}

#[tauri::command]
pub async fn history_status(
    kepil: State<'_, Kepil>,
    transfer_id: String,
) -> UiResult<TransferStatus> {
    let owned = manage::find(&kepil.dirs, &kepil.secrets, &transfer_id)?;
    Ok(owned.status().await?)
}

#[tauri::command]
pub async fn history_revoke(
    kepil: State<'_, Kepil>,
    transfer_id: String,
    recipient: Option<String>,
) -> UiResult<Vec<String>> {
    let owned = manage::find(&kepil.dirs, &kepil.secrets, &transfer_id)?;
    let grants = owned
        .revoke(&kepil.dirs, &kepil.secrets, recipient.as_deref())
        .await?;
    Ok(grants
        .iter()
        .map(|g| {
            owned
                .entry
                .recipients
                .iter()
                .find(|r| &r.grant_id == g)
                .map(|r| r.label.clone())
                .unwrap_or_else(|| g.clone())
        })
        .collect())
}

/// Gives a locked recipient its tries back (same link and password); answers its label.
#[tauri::command]
pub async fn history_unlock(
    kepil: State<'_, Kepil>,
    transfer_id: String,
    recipient: String,
) -> UiResult<String> {
    let owned = manage::find(&kepil.dirs, &kepil.secrets, &transfer_id)?;
    let grant = owned.unlock(Some(&recipient)).await?;
    Ok(owned
        .entry
        .recipients
        .iter()
        .find(|r| r.grant_id == grant)
        .map_or(grant.clone(), |r| r.label.clone()))
}
