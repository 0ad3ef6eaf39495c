//! One of the store's identity providers, discovered: its endpoints and signing keys from
//! `{issuer}/.well-known/openid-configuration`, the OAuth client Kepil is registered as there,
//! and the checks of the ID tokens it issues. All protocol work is the `openidconnect` crate's.

use std::sync::Mutex;
use std::time::Duration;

use kepil_protocol::identity::IdentityProviderInfo;
use openidconnect::core::{
    CoreAuthDisplay, CoreClaimName, CoreClaimType, CoreClient, CoreClientAuthMethod, CoreGrantType,
    CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm,
    CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType, CoreTokenResponse,
};
use openidconnect::{
    AdditionalProviderMetadata, ClaimsVerificationError, ClientId, ClientSecret,
    DeviceAuthorizationUrl, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl,
    JsonWebKeySet, Nonce, OAuth2TokenResponse, ProviderMetadata, RefreshToken, RequestTokenError,
    TokenResponse,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::SecretString;
use crate::error::{SessionError, SignInError};

/// The discovery fields Kepil reads beyond OpenID Connect's: RFC 8628's device endpoint.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub(crate) struct DeviceMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    device_authorization_endpoint: Option<DeviceAuthorizationUrl>,
}

impl AdditionalProviderMetadata for DeviceMetadata {}

pub(crate) type Metadata = ProviderMetadata<
    DeviceMetadata,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

/// The client as discovery makes it: an authorization endpoint, maybe a token endpoint.
pub(crate) type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The same with the device endpoint set.
pub(crate) type DeviceClient = CoreClient<
    EndpointSet,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// What a sign-in at the provider gave, after the ID token passed the client's checks.
#[derive(Debug)]
pub struct ProviderTokens {
    /// The compact JWS, for `POST /api/v1/sessions`.
    pub id_token: SecretString,
    /// `None` when the provider issues none (then the session cannot be renewed).
    pub refresh_token: Option<SecretString>,
    /// The nonce of the authorization request (the store checks it again); `None` after a
    /// refresh or a device sign-in, whose ID tokens carry none.
    pub nonce: Option<String>,
    /// The ID token's `email`.
    pub email: String,
    /// The ID token's `name`, if any.
    pub name: Option<String>,
    /// The ID token's `exp`.
    pub id_token_expires_at: OffsetDateTime,
}

/// Why an ID token was not taken.
#[derive(Debug)]
pub(crate) enum Rejection {
    NoIdToken,
    Invalid(String),
    NoEmail,
}

impl From<Rejection> for SignInError {
    fn from(r: Rejection) -> SignInError {
        match r {
            Rejection::NoIdToken => SignInError::NoIdToken,
            Rejection::Invalid(reason) => SignInError::IdTokenRejected { reason },
            Rejection::NoEmail => SignInError::NoEmail,
        }
    }
}

impl From<Rejection> for SessionError {
    fn from(r: Rejection) -> SessionError {
        match r {
            Rejection::NoIdToken => SessionError::NoIdToken,
            Rejection::Invalid(reason) => SessionError::IdTokenRejected { reason },
            Rejection::NoEmail => SessionError::IdTokenRejected {
                reason: "no email claim".into(),
            },
        }
    }
}

/// A discovered provider. Cheap to keep; every flow builds its client from it.
#[derive(Debug)]
pub struct Provider {
    info: IdentityProviderInfo,
    // The keys are fetched again when a token names one the provider added since discovery.
    metadata: Mutex<Metadata>,
    http: reqwest::Client,
}

/// Plain `http` only for a provider on this computer (tests, a local Keycloak), as for stores.
fn check_issuer(issuer: &str) -> Result<IssuerUrl, SignInError> {
    let insecure = || SignInError::InsecureIssuer {
        issuer: issuer.to_string(),
    };
    let url = url::Url::parse(issuer).map_err(|_| insecure())?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => return Err(insecure()),
    }
    IssuerUrl::new(issuer.to_string()).map_err(|_| insecure())
}

impl Provider {
    /// Reads the provider's configuration and keys. The issuer the document names must be
    /// exactly `info.issuer` (checked by `openidconnect`), so a store cannot be pointed at one
    /// provider's endpoints under another's name.
    pub async fn discover(info: &IdentityProviderInfo) -> Result<Provider, SignInError> {
        let issuer = check_issuer(&info.issuer)?;
        let failed = |reason: String| SignInError::Discovery {
            issuer: info.issuer.clone(),
            reason,
        };
        let http = crate::api::http_builder()
            .user_agent(concat!("kepil/", env!("CARGO_PKG_VERSION")))
            // Following redirects would let a provider's answer send Kepil's requests anywhere
            // (the SSRF `openidconnect` warns of).
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(20))
            .timeout(Duration::from_secs(60))
            .https_only(issuer.url().scheme() == "https")
            .build()
            .map_err(|e| failed(e.to_string()))?;
        let metadata = Metadata::discover_async(issuer, &http)
            .await
            .map_err(|e| failed(error_chain(&e)))?;
        Ok(Provider {
            info: info.clone(),
            metadata: Mutex::new(metadata),
            http,
        })
    }

    pub fn info(&self) -> &IdentityProviderInfo {
        &self.info
    }

    pub(crate) fn is_google(&self) -> bool {
        url::Url::parse(&self.info.issuer)
            .is_ok_and(|u| u.host_str() == Some("accounts.google.com"))
    }

    /// Whether the provider offers RFC 8628 device sign-in.
    pub fn has_device_flow(&self) -> bool {
        self.metadata()
            .additional_metadata()
            .device_authorization_endpoint
            .is_some()
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    fn metadata(&self) -> Metadata {
        self.metadata
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn client(&self) -> Client {
        CoreClient::from_provider_metadata(
            self.metadata(),
            ClientId::new(self.info.client_id.clone()),
            self.info
                .desktop_client_secret
                .clone()
                .map(ClientSecret::new),
        )
    }

    pub(crate) fn device_client(&self) -> Option<DeviceClient> {
        let url = self
            .metadata()
            .additional_metadata()
            .device_authorization_endpoint
            .clone()?;
        Some(self.client().set_device_authorization_url(url))
    }

    /// The scopes to ask for besides `openid` (which `openidconnect` adds itself).
    pub(crate) fn scopes(&self) -> impl Iterator<Item = openidconnect::Scope> + '_ {
        self.info
            .scopes
            .iter()
            .filter(|s| s.as_str() != "openid" && !s.trim().is_empty())
            .map(|s| openidconnect::Scope::new(s.clone()))
    }

    /// Checks the ID token of a token response (signature, issuer, audience, expiry, and the
    /// nonce when one was sent) and reads the person from it.
    pub(crate) async fn accept(
        &self,
        response: &CoreTokenResponse,
        nonce: Option<&Nonce>,
    ) -> Result<ProviderTokens, Rejection> {
        let id_token = response.id_token().ok_or(Rejection::NoIdToken)?;
        let check = |client: &Client| {
            let verifier = client.id_token_verifier();
            let claims = match nonce {
                Some(nonce) => id_token.claims(&verifier, nonce),
                // Refreshed and device-flow tokens carry no nonce, or the original one.
                None => id_token.claims(&verifier, |_: Option<&Nonce>| Ok(())),
            };
            claims.cloned()
        };
        let claims = match check(&self.client()) {
            Ok(claims) => claims,
            Err(ClaimsVerificationError::SignatureVerification(_)) => {
                // A key the provider rotated in after discovery: fetch the set once more.
                self.refetch_keys().await?;
                check(&self.client()).map_err(|e| Rejection::Invalid(e.to_string()))?
            }
            Err(e) => return Err(Rejection::Invalid(e.to_string())),
        };
        let email = claims
            .email()
            .map(|e| e.as_str().to_string())
            .filter(|e| !e.is_empty())
            .ok_or(Rejection::NoEmail)?;
        let name = claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_string());
        let id_token_expires_at =
            OffsetDateTime::from_unix_timestamp(claims.expiration().timestamp())
                .map_err(|e| Rejection::Invalid(e.to_string()))?;
        Ok(ProviderTokens {
            id_token: SecretString::new(id_token.to_string()),
            refresh_token: response
                .refresh_token()
                .map(|t| SecretString::new(t.secret().clone())),
            nonce: nonce.map(|n| n.secret().clone()),
            email,
            name,
            id_token_expires_at,
        })
    }

    async fn refetch_keys(&self) -> Result<(), Rejection> {
        let uri = self.metadata().jwks_uri().clone();
        let keys = JsonWebKeySet::fetch_async(&uri, &self.http)
            .await
            .map_err(|e| Rejection::Invalid(format!("cannot fetch the keys: {e}")))?;
        let mut metadata = self.metadata.lock().unwrap_or_else(|p| p.into_inner());
        *metadata = metadata.clone().set_jwks(keys);
        Ok(())
    }

    /// A fresh ID token (and perhaps a new refresh token) for `refresh_token`. A provider that
    /// answers `invalid_grant` has ended the sign-in (signed out, expired, account disabled).
    pub async fn refresh(
        &self,
        refresh_token: &SecretString,
    ) -> Result<ProviderTokens, SessionError> {
        let provider = self.info.display_name.clone();
        let client = self.client();
        let token = RefreshToken::new(refresh_token.expose().to_string());
        // No scope: the grant's own (RFC 6749 §6). Asking again for one the provider dropped
        // at the sign-in (offline_access without prompt=consent) would fail the renewal.
        let request =
            client
                .exchange_refresh_token(&token)
                .map_err(|e| SessionError::Provider {
                    provider: provider.clone(),
                    reason: e.to_string(),
                })?;
        let response = request
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(ref r)
                    if matches!(
                        r.error(),
                        openidconnect::core::CoreErrorResponseType::InvalidGrant
                    ) =>
                {
                    SessionError::SignInEnded {
                        provider: provider.clone(),
                    }
                }
                other => SessionError::Provider {
                    provider: provider.clone(),
                    reason: error_chain(&other),
                },
            })?;
        let mut tokens = self.accept(&response, None).await?;
        // A provider that does not rotate refresh tokens answers none: the old one stays good.
        if tokens.refresh_token.is_none() {
            tokens.refresh_token = Some(SecretString::new(refresh_token.expose()));
        }
        Ok(tokens)
    }
}

/// An error and its sources on one line: `openidconnect`'s top-level messages ("Request
/// failed") say little alone.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        let text = inner.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = inner.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuers_need_https_except_on_loopback() {
        assert!(check_issuer("https://accounts.google.com").is_ok());
        assert!(check_issuer("http://127.0.0.1:4444").is_ok());
        assert!(check_issuer("http://localhost:8080/realms/agency").is_ok());
        for bad in ["http://idp.agency.gov.my", "ftp://x", "not a url"] {
            assert!(
                matches!(check_issuer(bad), Err(SignInError::InsecureIssuer { .. })),
                "{bad}"
            );
        }
    }
}
