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
    let mut request = client
        .post(&url)
        .json(&serde_json::json!({ "phone": phone, "message": text }));
    if let Some(secret) = secret {
        request = request.bearer_auth(secret.expose());
    }
    let response = request.send().await.map_err(|e| {
        tracing::warn!("sms gateway: {}", e.without_url());
        UiError::new("sms_failed")
    })?;
    if !response.status().is_success() {
        return Err(UiError::new("sms_failed").with("status", response.status().as_u16()));
    }
    Ok(())
}
