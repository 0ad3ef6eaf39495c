//! "Send by SMS" through the agency's gateway named in the system policy. The gateway's secret
//! comes from the keyring (`sms-secret:<name>`), never from the webview.

use std::time::Duration;

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use crate::error::{UiError, UiResult};
use crate::policy::SmsSection;
use crate::state::Kepil;

/// The secret-store key of the gateway secret.
pub fn secret_key(sms: &SmsSection) -> String {
    format!("sms-secret:{}", sms.secret.as_deref().unwrap_or("gateway"))
}

/// POSTs `{"phone": ..., "message": ...}` to the endpoint (with `{phone}` filled in).
pub async fn send(kepil: &Kepil, sms: &SmsSection, phone: &str, text: &str) -> UiResult<()> {
    // `send_start` kept it normalised (kepil-client's recipients module): `+60123456789`.
    let phone = kepil_client::recipients::check_phone(Some(phone))?
        .ok_or_else(|| UiError::new("sms_no_phone"))?;
    let url = sms.endpoint.replace(
        "{phone}",
        &utf8_percent_encode(&phone, NON_ALPHANUMERIC).to_string(),
    );
    let secret = kepil
        .secrets
        .get(&secret_key(sms))
        .map_err(|_| UiError::new("credentials_unavailable"))?;
    // The system's roots and the policy's CA, like every other connection.
    let client = kepil_client::api::http_builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|_| UiError::new("sms_failed"))?;
    // A gateway that is busy or briefly away gets two more tries; a refusal, a certificate
    // that fails or the last try's failure is reported as it is.
    let mut attempt = 0;
    loop {
        let mut request = client
            .post(&url)
            .json(&serde_json::json!({ "phone": phone, "message": text }));
        if let Some(secret) = &secret {
            request = request.bearer_auth(secret.expose());
        }
        let last = attempt + 1 >= ATTEMPTS;
        match request.send().await {
            Ok(response) if response.status().is_success() => return Ok(()),
            Ok(response)
                if last || !kepil_client::retry::transient_status(response.status().as_u16()) =>
            {
                return Err(UiError::new("sms_failed").with("status", response.status().as_u16()));
            }
            Ok(response) => {
                tracing::info!("sms gateway answered {}; trying again", response.status())
            }
            Err(e) => match kepil_client::error::NetError::from(e) {
                // Names the gateway's host only; the address holds the recipient's number.
                e @ kepil_client::error::NetError::UntrustedCertificate { .. } => {
                    tracing::warn!("sms gateway: {e}");
                    return Err(e.into());
                }
                kepil_client::error::NetError::Transport(e) => {
                    tracing::warn!("sms gateway: {}", e.without_url());
                    if last {
                        return Err(UiError::new("sms_failed"));
                    }
                }
                _ if last => return Err(UiError::new("sms_failed")),
                _ => {}
            },
        }
        tokio::time::sleep(kepil_client::retry::delay(attempt)).await;
        attempt += 1;
    }
}

/// Tries of one SMS, the first included.
const ATTEMPTS: u32 = 3;
