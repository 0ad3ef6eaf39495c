//! The result card of a finished send: the password (shown, as a QR code, copied), the link,
//! the email draft and the SMS. Secrets stay on this side until the user asks for one.

use kepil_client::SecretString;
use kepil_core::link::Link;
use tauri::State;
use time::OffsetDateTime;

use super::rfc3339;
use crate::error::{UiError, UiResult};
use crate::outbound;
use crate::state::{Kepil, lock};

/// What a finished send handed to recipient `index`.
struct Delivered {
    link: SecretString,
    password: Option<SecretString>,
    recipient: String,
    phone: Option<String>,
    subject: String,
    classification: String,
    expires_at: OffsetDateTime,
}

fn delivered(kepil: &Kepil, job_id: &str, index: usize) -> UiResult<Delivered> {
    let sends = lock(&kepil.sends);
    let job = sends
        .get(job_id)
        .ok_or_else(|| UiError::new("unknown_job"))?;
    let sent = job
        .sent
        .as_ref()
        .ok_or_else(|| UiError::new("unknown_job"))?;
    let r = sent
        .recipients
        .get(index)
        .ok_or_else(|| UiError::new("unknown_job"))?;
    Ok(Delivered {
        link: r.link.clone(),
        password: r.password.clone(),
        recipient: r.recipient.clone(),
        phone: job.phones.get(index).cloned().flatten(),
        subject: job.subject.clone(),
        classification: job.classification.clone(),
        expires_at: sent.expires_at,
    })
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
