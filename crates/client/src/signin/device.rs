//! Device sign-in (RFC 8628) for a computer without a browser: the provider gives a short
//! code and an address; the person opens it on any other device, enters the code and signs in,
//! while this computer polls the provider until it answers with the tokens.

use std::time::Duration;

use openidconnect::core::CoreDeviceAuthorizationResponse;
use openidconnect::{DeviceCodeErrorResponseType, RequestTokenError};

use super::provider::{DeviceClient, Provider, ProviderTokens, error_chain};
use crate::error::SignInError;

pub struct DeviceFlow<'a> {
    provider: &'a Provider,
    client: DeviceClient,
    details: CoreDeviceAuthorizationResponse,
}

impl std::fmt::Debug for DeviceFlow<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceFlow")
            .field("verification_uri", &self.verification_uri())
            .finish_non_exhaustive()
    }
}

impl<'a> DeviceFlow<'a> {
    /// Asks the provider for a device code; `device_flow_unsupported` when its discovery
    /// document names no device endpoint.
    pub async fn start(provider: &'a Provider) -> Result<DeviceFlow<'a>, SignInError> {
        let client = provider
            .device_client()
            .ok_or(SignInError::DeviceFlowUnsupported)?;
        let details: CoreDeviceAuthorizationResponse = client
            .exchange_device_code()
            .add_scopes(provider.scopes())
            .request_async(provider.http())
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => SignInError::ProviderRefused {
                    error: r.error().to_string(),
                    description: r.error_description().cloned().unwrap_or_default(),
                },
                other => SignInError::ProviderUnreachable {
                    provider: provider.info().display_name.clone(),
                    reason: error_chain(&other),
                },
            })?;
        Ok(DeviceFlow {
            provider,
            client,
            details,
        })
    }

    /// The code the person types at [`Self::verification_uri`]. Short-lived and useless
    /// without the device code this computer keeps, so it may be shown.
    pub fn user_code(&self) -> &str {
        self.details.user_code().secret()
    }

    pub fn verification_uri(&self) -> &str {
        self.details.verification_uri().as_str()
    }

    /// The address with the code already in it, when the provider gives one.
    pub fn verification_uri_complete(&self) -> Option<&str> {
        self.details
            .verification_uri_complete()
            .map(|u| u.secret().as_str())
    }

    /// How long the code stays valid.
    pub fn expires_in(&self) -> Duration {
        self.details.expires_in()
    }

    /// Polls the provider (at the interval it asks for) until the person has signed in, the
    /// code expires or the sign-in is refused.
    pub async fn finish(self) -> Result<ProviderTokens, SignInError> {
        let provider = self.provider;
        let response = self
            .client
            .exchange_device_access_token(&self.details)
            .map_err(|e| SignInError::ProviderRefused {
                error: "no_token_endpoint".into(),
                description: e.to_string(),
            })?
            .request_async(provider.http(), tokio::time::sleep, None)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => match r.error() {
                    DeviceCodeErrorResponseType::AccessDenied => SignInError::Denied,
                    DeviceCodeErrorResponseType::ExpiredToken => SignInError::DeviceCodeExpired,
                    other => SignInError::ProviderRefused {
                        error: other.to_string(),
                        description: r.error_description().cloned().unwrap_or_default(),
                    },
                },
                other => SignInError::ProviderUnreachable {
                    provider: provider.info().display_name.clone(),
                    reason: error_chain(&other),
                },
            })?;
        Ok(provider.accept(&response, None).await?)
    }
}
