//! `[identity]`: the OpenID providers senders sign in with, how long a store session lasts,
//! who administers the store, and the rules for machine tokens. See docs/identity.md.

use serde::{Deserialize, Serialize};

use crate::config::ConfigError;

const HOUR: u64 = 60 * 60;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IdentityConfig {
    /// The providers a sender may sign in with (usually one: the agency's).
    pub providers: Vec<ProviderConfig>,
    /// How long a store session lasts after sign-in. The client refreshes it with the
    /// provider's refresh token, so a person the provider has disabled is out by then at the
    /// latest (guideline 4.3.2).
    pub session_ttl_secs: u64,
    /// Refuse machine tokens for new transfers: only signed-in people upload.
    pub sign_in_required: bool,
    /// Administrators by verified address (`pentadbir@agency.gov.my`).
    pub admins: Vec<String>,
    /// Administrators by a group the provider puts in the ID token.
    pub admin_groups: Vec<String>,
    /// Days a machine token lives when `token create` names none (guideline 4.3.1 e).
    pub token_default_days: u32,
    /// The most days `token create` accepts.
    pub token_max_days: u32,
    /// How often the providers' signing keys are fetched again even when none is missing.
    pub keys_refresh_secs: u64,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        IdentityConfig {
            providers: vec![],
            session_ttl_secs: 8 * HOUR,
            sign_in_required: false,
            admins: vec![],
            admin_groups: vec![],
            token_default_days: 90,
            token_max_days: 365,
            keys_refresh_secs: HOUR,
        }
    }
}

/// One OpenID provider: Google Workspace (MyGovUC), Microsoft Entra ID, Keycloak, …
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// The store's name for it, in `CreateSession` and the audit (`mygovuc`).
    pub id: String,
    /// What the sign-in button says.
    #[serde(default)]
    pub display_name: String,
    /// `https://accounts.google.com`, `https://login.microsoftonline.com/{tenant}/v2.0`,
    /// `https://sso.agency.gov.my/realms/kepil`. Plain http only on loopback (tests).
    pub issuer: String,
    /// The desktop (native, public) client the agency registered at the provider: ID tokens
    /// must be for it.
    pub client_id: String,
    /// Google's desktop clients only: the "client secret" Google issues with them and itself
    /// calls not secret. Told to clients in the store's policy.
    #[serde(default)]
    pub desktop_client_secret: Option<String>,
    /// Scopes the client asks for besides `openid`.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// E-mail domains accepted (`agency.gov.my`); empty: any the provider vouches for.
    #[serde(default)]
    pub allowed_domains: Vec<String>,
    /// Values of Google's `hd` (hosted domain) claim accepted; empty: not checked. With Google
    /// this is what proves the account belongs to the Workspace and is not a consumer account.
    #[serde(default)]
    pub hosted_domains: Vec<String>,
    /// Entra ID: the `tid` (tenant) every token must carry.
    #[serde(default)]
    pub tenant_id: Option<String>,
    /// The claim holding the address: `email`, or for Entra ID `preferred_username`.
    #[serde(default = "default_email_claim")]
    pub email_claim: String,
    /// Refuse a token whose `email_verified` is not true. Entra ID sends no such claim: there
    /// the `tenant_id` check is what ties the address to the agency.
    #[serde(default = "yes")]
    pub require_email_verified: bool,
    /// The claim listing the person's groups or roles (`groups`, Entra's `roles`).
    #[serde(default = "default_groups_claim")]
    pub groups_claim: String,
    /// Senders must be in one of these (`kepil-senders`); empty: anyone allowed above.
    #[serde(default)]
    pub required_groups: Vec<String>,
}

fn default_scopes() -> Vec<String> {
    vec!["email".into(), "profile".into(), "offline_access".into()]
}

fn default_email_claim() -> String {
    "email".into()
}

fn default_groups_claim() -> String {
    "groups".into()
}

fn yes() -> bool {
    true
}

impl IdentityConfig {
    pub fn provider(&self, id: &str) -> Option<&ProviderConfig> {
        self.providers.iter().find(|p| p.id == id)
    }

    /// Whether `email` or one of `groups` makes an administrator.
    pub fn is_admin(&self, email: &str, groups: &[String]) -> bool {
        self.admins.iter().any(|a| a.eq_ignore_ascii_case(email))
            || groups.iter().any(|g| self.admin_groups.contains(g))
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |m: String| Err(ConfigError::Invalid(m));
        if self.session_ttl_secs < 300 || self.session_ttl_secs > 24 * HOUR {
            return bad("identity.session_ttl_secs must be between 300 and 86400".into());
        }
        if self.token_default_days == 0 || self.token_default_days > self.token_max_days {
            return bad("identity.token_default_days must be between 1 and token_max_days".into());
        }
        if self.keys_refresh_secs < 60 {
            return bad("identity.keys_refresh_secs must be at least 60".into());
        }
        if self.sign_in_required && self.providers.is_empty() {
            return bad(
                "identity.sign_in_required needs at least one [[identity.providers]]".into(),
            );
        }
        for (i, p) in self.providers.iter().enumerate() {
            let ok_id = !p.id.is_empty()
                && p.id.len() <= 32
                && p.id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !ok_id || p.id == "token" {
                return bad(format!(
                    "identity.providers[{i}].id must be 1-32 of a-z, 0-9 and '-' (not \"token\")"
                ));
            }
            if self.providers[..i].iter().any(|o| o.id == p.id) {
                return bad(format!(
                    "identity.providers: the id {:?} is used twice",
                    p.id
                ));
            }
            let url = url::Url::parse(&p.issuer).map_err(|e| {
                ConfigError::Invalid(format!("identity.providers[{i}].issuer: {e}"))
            })?;
            let loopback = matches!(
                url.host(),
                Some(url::Host::Ipv4(a)) if a.is_loopback()
            ) || matches!(url.host(), Some(url::Host::Ipv6(a)) if a.is_loopback())
                || url.host_str() == Some("localhost");
            if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
                return bad(format!(
                    "identity.providers[{i}].issuer must be https:// (plain http only on loopback)"
                ));
            }
            if p.client_id.is_empty() {
                return bad(format!("identity.providers[{i}].client_id is empty"));
            }
            if p.email_claim.is_empty() || p.groups_claim.is_empty() {
                return bad(format!(
                    "identity.providers[{i}]: email_claim and groups_claim may not be empty"
                ));
            }
            if !p.require_email_verified && p.tenant_id.is_none() && p.allowed_domains.is_empty() {
                return bad(format!(
                    "identity.providers[{i}]: without require_email_verified, name a tenant_id \
                     or allowed_domains, or anyone could claim any address"
                ));
            }
        }
        Ok(())
    }
}
