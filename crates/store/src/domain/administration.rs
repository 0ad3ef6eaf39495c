//! A person's live transfers, for the person (from any computer) and for administrators, and
//! what administrators do about them: revoke one or all (a SULIT file sent to the wrong
//! people), disable or enable an identity (an officer who left, guideline 4.3.1-4.3.2). Every
//! action is audited with the administrator's identity. The admin API and `kepil-store admin`
//! on the store host both come here.

use kepil_protocol::identity::TransferSummary;

use super::transfers;
use crate::audit::Event;
use crate::state::AppState;
use crate::storage::{StorageError, TransferRow};

fn ts(secs: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(secs).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// Normalises an address typed by an administrator the way sign-in stores it.
pub fn normalise(email: &str) -> Result<String, AdminError> {
    let e = email.trim().to_ascii_lowercase();
    let ok = e.len() <= 254
        && e.split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && !e.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(e)
    } else {
        Err(AdminError::BadAddress(email.chars().take(80).collect()))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("not an e-mail address: {0:?}")]
    BadAddress(String),
    /// Name a transfer or a sender, not both and not neither.
    #[error("name one transfer or one sender")]
    Ambiguous,
    #[error("no such live transfer")]
    Unavailable,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

async fn summary(s: &AppState, t: &TransferRow) -> Result<TransferSummary, StorageError> {
    let grants = s.meta.grants_of(&t.id).await?;
    Ok(TransferSummary {
        transfer_id: t.id.clone(),
        sender: t.user.clone(),
        classification: t
            .classification
            .parse()
            .unwrap_or(kepil_protocol::Classification::Sulit),
        size: t.size,
        created_at: ts(t.created_at),
        expires_at: ts(t.expires_at),
        upload_complete: t.complete,
        grants: grants.len() as u32,
        downloads: grants.iter().map(|g| g.downloads).sum(),
    })
}

/// The live transfers of `sender`, newest first.
pub async fn live_transfers(
    s: &AppState,
    sender: &str,
) -> Result<Vec<TransferSummary>, AdminError> {
    let sender = normalise(sender)?;
    let mut out = vec![];
    for t in s.meta.live_transfers_of(&sender, s.clock.now()).await? {
        out.push(summary(s, &t).await?);
    }
    Ok(out)
}

/// Revokes `transfer_id` when it is a live transfer of `owner` (`None`: of anyone, for an
/// administrator). An unknown id and someone else's are the same answer.
pub async fn revoke_one(
    s: &AppState,
    actor: &str,
    owner: Option<&str>,
    transfer_id: &str,
    ip: Option<&str>,
) -> Result<(), AdminError> {
    if !crate::ids::is_valid_id(transfer_id) {
        return Err(AdminError::Unavailable);
    }
    let t = s
        .meta
        .get_transfer(transfer_id)
        .await?
        .filter(|t| t.revoked_at.is_none() && t.purged_at.is_none())
        .filter(|t| owner.is_none_or(|o| o == t.user))
        .ok_or(AdminError::Unavailable)?;
    transfers::revoke(s, &t, Some(actor), ip, Event::Revoked).await?;
    Ok(())
}

/// Revokes every live transfer of `sender`; how many.
pub async fn revoke_all(
    s: &AppState,
    actor: &str,
    sender: &str,
    ip: Option<&str>,
) -> Result<u32, AdminError> {
    let sender = normalise(sender)?;
    let mut n = 0;
    for t in s.meta.live_transfers_of(&sender, s.clock.now()).await? {
        transfers::revoke(s, &t, Some(actor), ip, Event::Revoked).await?;
        n += 1;
    }
    Ok(n)
}

/// Disables (`true`) or enables an identity; false when it already was. Disabling ends the
/// person's sessions at once and refuses their machine tokens; their transfers stay until an
/// administrator revokes them (a recipient may still need what was sent).
pub async fn set_disabled(
    s: &AppState,
    actor: &str,
    email: &str,
    disabled: bool,
    ip: Option<&str>,
) -> Result<bool, AdminError> {
    let email = normalise(email)?;
    let changed = s
        .meta
        .set_identity_disabled(&email, disabled.then_some(actor), s.clock.now())
        .await?;
    if changed {
        let event = if disabled {
            Event::IdentityDisabled
        } else {
            Event::IdentityEnabled
        };
        tracing::info!(%actor, identity = %email, event = event.as_str(), "administration");
        s.audit.record_on(actor, event, &email, ip).await;
    }
    Ok(changed)
}
