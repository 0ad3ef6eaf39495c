//! Signing in with the agency's identity provider (OpenID Connect), for the store's sessions.
//!
//! The store advertises its providers in its policy ([`choose_provider`] picks one). The
//! client discovers the provider ([`Provider::discover`]) and signs the person in there with
//! one of three flows, all ending in [`ProviderTokens`] whose ID token passed the client's own
//! checks:
//! - [`CodeFlow`]: authorization code + PKCE with a loopback redirect (RFC 8252); the caller
//!   opens [`CodeFlow::authorize_url`] in a browser, however it likes;
//! - [`DeviceFlow`]: RFC 8628, for a computer without a browser, when the provider offers it;
//! - [`CodeFlow::finish_pasted`]: the same code flow with the browser elsewhere, the person
//!   pasting the address the sign-in ended on.
//!
//! [`session::establish`] then exchanges the ID token at the store for a session and keeps the
//! session and the refresh token in the secret store; [`session::SessionKeeper`] hands the
//! session out and renews it; [`session::sign_out`] ends it. No JWT or OAuth is written here:
//! discovery, PKCE, token requests and ID token checks are the `openidconnect` crate's.

mod code_flow;
mod device;
mod loopback;
mod provider;
pub mod session;

use kepil_protocol::StorePolicy;
use kepil_protocol::identity::IdentityProviderInfo;

pub use code_flow::CodeFlow;
pub use device::DeviceFlow;
pub use provider::{Provider, ProviderTokens};
pub use session::{SessionKeeper, SignedIn, SignedOut, establish, sign_out};

use crate::error::SignInError;

/// How long a browser or device sign-in may take before it is given up.
pub const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// The browser sign-in in one call: `open` is given the authorization URL (the CLI hands it
/// to the system's browser, the app to its opener, a test to its scripted browser) and the
/// answer is awaited at the loopback listener for at most `timeout`.
pub async fn with_browser(
    provider: &Provider,
    open: impl FnOnce(&str),
    timeout: std::time::Duration,
) -> Result<ProviderTokens, SignInError> {
    let flow = CodeFlow::start(provider).await?;
    open(flow.authorize_url());
    flow.wait_for_browser(timeout).await
}

/// [`choose_provider`] on a desktop whose system policy may name the provider: that one,
/// whatever the store offers besides (`provider_locked` if another is asked for).
pub fn choose_provider_with(
    store: &str,
    policy: &StorePolicy,
    wanted: Option<&str>,
    system: &crate::system_policy::SystemPolicy,
) -> Result<IdentityProviderInfo, SignInError> {
    choose_provider(store, policy, system.provider_wanted(wanted)?)
}

/// The provider to sign in with: the one named (by its id, any case), or the store's only one.
pub fn choose_provider(
    store: &str,
    policy: &StorePolicy,
    wanted: Option<&str>,
) -> Result<IdentityProviderInfo, SignInError> {
    let known = || {
        policy
            .identity_providers
            .iter()
            .map(|p| p.id.clone())
            .collect::<Vec<_>>()
    };
    match (wanted, policy.identity_providers.as_slice()) {
        (_, []) => Err(SignInError::NoProvider {
            store: store.to_string(),
        }),
        (Some(id), providers) => providers
            .iter()
            .find(|p| p.id.eq_ignore_ascii_case(id.trim()))
            .cloned()
            .ok_or_else(|| SignInError::UnknownProvider {
                provider: id.to_string(),
                known: known(),
            }),
        (None, [only]) => Ok(only.clone()),
        (None, _) => Err(SignInError::ChooseProvider { known: known() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kepil_protocol::{ClassificationPolicy, KdfParams};

    fn policy(ids: &[&str]) -> StorePolicy {
        StorePolicy {
            max_blob_size: 1,
            classifications: Vec::<ClassificationPolicy>::new(),
            default_max_downloads: 1,
            max_downloads: 1,
            lockout_threshold: 1,
            kdf_floor: KdfParams::DEFAULT,
            public_url: "https://s".into(),
            identity_providers: ids
                .iter()
                .map(|id| IdentityProviderInfo {
                    id: id.to_string(),
                    display_name: id.to_uppercase(),
                    issuer: format!("https://{id}.example"),
                    client_id: "kepil".into(),
                    desktop_client_secret: None,
                    scopes: vec!["email".into()],
                })
                .collect(),
            sign_in_required: false,
        }
    }

    #[test]
    fn the_only_provider_or_the_one_named() {
        assert!(matches!(
            choose_provider("s", &policy(&[]), None),
            Err(SignInError::NoProvider { .. })
        ));
        assert_eq!(
            choose_provider("s", &policy(&["mygovuc"]), None)
                .unwrap()
                .id,
            "mygovuc"
        );
        let two = policy(&["mygovuc", "entra"]);
        assert!(matches!(
            choose_provider("s", &two, None),
            Err(SignInError::ChooseProvider { known }) if known == ["mygovuc", "entra"]
        ));
        assert_eq!(
            choose_provider("s", &two, Some("Entra")).unwrap().id,
            "entra"
        );
        assert!(matches!(
            choose_provider("s", &two, Some("okta")),
            Err(SignInError::UnknownProvider { .. })
        ));
    }

    #[test]
    fn a_system_policy_picks_the_provider_among_several() {
        use crate::system_policy::{SignInSection, SystemPolicy};
        let two = policy(&["mygovuc", "entra"]);
        let system = SystemPolicy {
            sign_in: SignInSection {
                required: None,
                provider: Some("entra".into()),
            },
            ..SystemPolicy::default()
        };
        assert_eq!(
            choose_provider_with("s", &two, None, &system).unwrap().id,
            "entra"
        );
        assert!(matches!(
            choose_provider_with("s", &two, Some("mygovuc"), &system),
            Err(SignInError::ProviderLocked { .. })
        ));
        // A store that does not offer the desktop's provider is not signed in to with another.
        assert!(matches!(
            choose_provider_with("s", &policy(&["mygovuc"]), None, &system),
            Err(SignInError::UnknownProvider { .. })
        ));
    }
}
