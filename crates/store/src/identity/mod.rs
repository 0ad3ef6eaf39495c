//! Who uploads: people signed in through the agency's OpenID provider, and machine tokens.
//! The configuration is always here; checking ID tokens needs the `oidc` feature (in
//! `server`), so the desktop app's embedded store carries no JOSE or HTTP client.

pub mod config;
#[cfg(feature = "oidc")]
mod verifier;

pub use config::{IdentityConfig, ProviderConfig};

/// What a valid ID token says about a person, after the store's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub provider: String,
    pub subject: String,
    /// Lower case.
    pub email: String,
    pub name: Option<String>,
    pub groups: Vec<String>,
}

/// Why an ID token was not accepted. The address, where the token had one, goes to the audit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("ID token refused: {0}")]
    Invalid(String),
    #[error("ID token expired")]
    Expired,
    #[error("the ID token has no e-mail address")]
    NoEmail,
    #[error("{0}: e-mail not verified by the provider")]
    EmailUnverified(String),
    #[error("{0}: domain not allowed")]
    DomainNotAllowed(String),
    #[error("{0}: not in a required group")]
    GroupRequired(String),
    #[error("identity provider unreachable: {0}")]
    Unavailable(String),
}

impl VerifyError {
    /// The address the refused token claimed, for the audit.
    pub fn claimed(&self) -> Option<&str> {
        match self {
            VerifyError::EmailUnverified(e)
            | VerifyError::DomainNotAllowed(e)
            | VerifyError::GroupRequired(e) => Some(e),
            _ => None,
        }
    }
}

/// A display name as the store keeps it: printable, at most 100 characters.
pub fn clip_name(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_control())
        .take(100)
        .collect::<String>()
        .trim()
        .to_string()
}

/// The providers' key checking, or the reason there is none.
#[derive(Debug, Clone)]
pub struct Identities {
    #[cfg(feature = "oidc")]
    verifier: Option<verifier::Verifier>,
}

impl Identities {
    /// Fails when providers are configured in a build without `oidc`: the store never
    /// falls back to accepting only tokens when sign-in was asked for.
    pub fn new(config: &IdentityConfig) -> Result<Identities, crate::StoreError> {
        #[cfg(feature = "oidc")]
        {
            let verifier = if config.providers.is_empty() {
                None
            } else {
                Some(
                    verifier::Verifier::new(config)
                        .map_err(|e| crate::StoreError::Invalid(e.to_string()))?,
                )
            };
            Ok(Identities { verifier })
        }
        #[cfg(not(feature = "oidc"))]
        {
            if config.providers.is_empty() {
                Ok(Identities {})
            } else {
                Err(crate::StoreError::Invalid(
                    "[identity] names OpenID providers, but this build has no sign-in support: \
                     run the kepil-store server binary (feature \"oidc\")"
                        .into(),
                ))
            }
        }
    }

    /// Fetches the providers' keys once, logging what fails (see `Verifier::warm`).
    pub async fn warm(&self) {
        #[cfg(feature = "oidc")]
        if let Some(v) = &self.verifier {
            for (provider, e) in v.warm().await {
                tracing::warn!(%provider, error = %e, "identity provider not reachable at start");
            }
        }
    }

    pub async fn verify(
        &self,
        provider: &str,
        id_token: &str,
        nonce: Option<&str>,
    ) -> Result<Claims, VerifyError> {
        #[cfg(feature = "oidc")]
        if let Some(v) = &self.verifier {
            return v.verify(provider, id_token, nonce).await;
        }
        let _ = (id_token, nonce);
        Err(VerifyError::Invalid(format!(
            "no provider {provider:?} here"
        )))
    }
}
