//! The result card of a finished send, and of an earlier one in History while the keyring keeps
//! its links and passwords: the password (shown, as a QR code, copied), the link, the email
//! draft, the SMS, and what the sender has handed over. Secrets stay on this side until the
//! user asks for one.

use kepil_client::SecretString;
use kepil_client::error::HandoverError;
use kepil_client::handover;
use kepil_client::history::{Delivery, History};
use kepil_core::link::Link;
use serde::{Deserialize, Serialize};
use tauri::State;
use time::OffsetDateTime;
use ts_rs::TS;

use super::rfc3339;
use super::send::SentRecipientView;
use crate::error::{UiError, UiResult};
use crate::outbound;
use crate::state::{Kepil, lock};

/// What a finished send handed to recipient `index`.
struct Delivered {
    transfer_id: String,
    grant_id: String,
    link: SecretString,
    password: Option<SecretString>,
    recipient: String,
    phone: Option<String>,
    subject: String,
    classification: String,
    expires_at: OffsetDateTime,
}

/// Recipient `index` of a send: `send` is the id of a send job of this run, or the transfer id
/// of an earlier one whose links and passwords the keyring still keeps (History), where
/// `index` is the recipient's place in the history entry.
fn delivered(kepil: &Kepil, send: &str, index: usize) -> UiResult<Delivered> {
    {
        let sends = lock(&kepil.sends);
        if let Some(job) = sends.get(send) {
            let sent = job
                .sent
                .as_ref()
                .ok_or_else(|| UiError::new("unknown_job"))?;
            let r = sent
                .recipients
                .get(index)
                .ok_or_else(|| UiError::new("unknown_job"))?;
            return Ok(Delivered {
                transfer_id: sent.transfer_id.clone(),
                grant_id: r.grant_id.clone(),
                link: r.link.clone(),
                password: r.password.clone(),
                recipient: r.recipient.clone(),
                phone: job.phones.get(index).cloned().flatten(),
                subject: job.subject.clone(),
                classification: job.classification.clone(),
                expires_at: sent.expires_at,
            });
        }
    }
    let (entry, _) = History::open(&kepil.dirs)
        .find(send)?
        .filter(|(e, _)| e.transfer_id == send)
        .ok_or_else(|| UiError::new("unknown_job"))?;
    let gone = || HandoverError::Gone {
        transfer_id: entry.transfer_id.clone(),
    };
    let grant = entry.recipients.get(index).ok_or_else(gone)?;
    let handover = handover::load(&kepil.secrets, &entry.transfer_id)?.ok_or_else(gone)?;
    let r = handover
        .recipients
        .into_iter()
        .find(|r| r.grant_id == grant.grant_id)
        .ok_or_else(gone)?;
    Ok(Delivered {
        transfer_id: entry.transfer_id.clone(),
        grant_id: r.grant_id.clone(),
        link: r.link.clone(),
        password: r.password.clone(),
        recipient: r.recipient.clone(),
        phone: r.phone.clone(),
        subject: entry.subject.clone(),
        classification: entry.classification.clone(),
        expires_at: entry.expires_at,
    })
}

/// What the sender ticked as handed over to one recipient.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    pub link_sent: bool,
    pub password_given: bool,
}

impl From<Delivery> for DeliveryView {
    fn from(d: Delivery) -> Self {
        DeliveryView {
            link_sent: d.link_sent,
            password_given: d.password_given,
        }
    }
}

/// Records the sender's ticks for one recipient, kept across restarts; once the link and the
/// password are both handed over, Kepil forgets them.
#[tauri::command]
pub async fn delivery_mark(
    kepil: State<'_, Kepil>,
    job_id: String,
    index: usize,
    delivery: DeliveryView,
) -> UiResult<DeliveryView> {
    let d = delivered(&kepil, &job_id, index)?;
    let marked = handover::mark(
        &kepil.dirs,
        &kepil.secrets,
        &d.transfer_id,
        &d.grant_id,
        Delivery {
            link_sent: delivery.link_sent,
            password_given: delivery.password_given,
        },
    )?;
    Ok(marked.into())
}

/// The links and passwords of an earlier send still to hand over (History), one card each:
/// `index` is the recipient's place in the history entry, for the commands above.
#[tauri::command]
pub async fn handover_show(
    kepil: State<'_, Kepil>,
    transfer_id: String,
) -> UiResult<Vec<SentRecipientView>> {
    let entry = History::open(&kepil.dirs)
        .list()?
        .into_iter()
        .find(|e| e.transfer_id == transfer_id)
        .ok_or_else(|| UiError::new("unknown_job"))?;
    let handover = handover::load(&kepil.secrets, &transfer_id)?.ok_or(HandoverError::Gone {
        transfer_id: transfer_id.clone(),
    })?;
    Ok(entry
        .recipients
        .iter()
        .enumerate()
        .filter_map(|(index, h)| {
            let r = handover
                .recipients
                .iter()
                .find(|r| r.grant_id == h.grant_id)?;
            Some(SentRecipientView {
                index,
                recipient: r.recipient.clone(),
                phone: r.phone.clone(),
                link: r.link.expose().to_string(),
                has_password: r.password.is_some(),
                delivery: h.delivery.into(),
            })
        })
        .collect())
}

fn password_of(d: &Delivered) -> UiResult<&SecretString> {
    d.password
        .as_ref()
        .ok_or_else(|| UiError::new("no_password"))
}

#[tauri::command]
pub async fn reveal_password(
    kepil: State<'_, Kepil>,
    job_id: String,
    index: usize,
) -> UiResult<String> {
    let d = delivered(&kepil, &job_id, index)?;
    Ok(password_of(&d)?.expose().to_string())
}

#[tauri::command]
pub async fn password_qr(
    kepil: State<'_, Kepil>,
    job_id: String,
    index: usize,
) -> UiResult<String> {
    let d = delivered(&kepil, &job_id, index)?;
    outbound::qr_svg(password_of(&d)?.expose()).map_err(|_| UiError::new("qr_failed"))
}

/// Copies `text` and clears the clipboard after `after` if it still holds it.
fn copy_and_clear(kepil: &Kepil, text: SecretString, clear: bool) -> UiResult<()> {
    kepil.desktop.clipboard_write(text.expose()).map_err(|e| {
        tracing::warn!("clipboard: {e}");
        UiError::new("clipboard_failed")
    })?;
    if clear {
        let desktop = kepil.desktop.clone();
        let after = kepil.clipboard_clear_after;
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(after).await;
            if desktop.clipboard_read().as_deref() == Some(text.expose()) {
                let _ = desktop.clipboard_clear();
            }
        });
    }
    Ok(())
}

#[tauri::command]
pub async fn copy_password(kepil: State<'_, Kepil>, job_id: String, index: usize) -> UiResult<()> {
    let d = delivered(&kepil, &job_id, index)?;
    copy_and_clear(&kepil, password_of(&d)?.clone(), true)
}

#[tauri::command]
pub async fn copy_link(kepil: State<'_, Kepil>, job_id: String, index: usize) -> UiResult<()> {
    let d = delivered(&kepil, &job_id, index)?;
    copy_and_clear(&kepil, d.link, false)
}

#[tauri::command]
/// Opens the email draft. `include_subject`: the sender chose to put the sealed subject in the
/// email's plain subject line (off by default: mail servers and archives read it).
pub async fn compose_email(
    kepil: State<'_, Kepil>,
    job_id: String,
    index: usize,
    include_subject: Option<bool>,
) -> UiResult<()> {
    let d = delivered(&kepil, &job_id, index)?;
    let link = Link::parse(d.link.expose())?;
    let expires = rfc3339(d.expires_at);
    let url = outbound::compose_url(
        kepil.mail(),
        &outbound::Email {
            to: &d.recipient,
            link: link.to_https().expose(),
            classification: &d.classification,
            expires: &expires,
            has_password: d.password.is_some(),
            subject: include_subject
                .unwrap_or(false)
                .then_some(d.subject.as_str()),
        },
    );
    kepil.desktop.open_url(&url).map_err(|e| {
        tracing::warn!("compose email: {e}");
        UiError::new("open_failed")
    })
}

#[tauri::command]
pub async fn send_sms(kepil: State<'_, Kepil>, job_id: String, index: usize) -> UiResult<()> {
    let d = delivered(&kepil, &job_id, index)?;
    let system = kepil.policy()?.clone();
    let sms = system
        .sms
        .as_ref()
        .ok_or_else(|| UiError::new("sms_unavailable"))?;
    let phone = d
        .phone
        .clone()
        .ok_or_else(|| UiError::new("sms_no_phone"))?;
    let password = password_of(&d)?;
    let text = outbound::sms_text(password.expose(), kepil.lang());
    crate::sms::send(&kepil, sms, &phone, &text).await
}
