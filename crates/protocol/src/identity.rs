//! Who is sending: sign-in through the agency's OpenID Connect provider, the store sessions it
//! leads to, and what a signed-in sender (or an administrator) may ask about their transfers.
//!
//! The client signs the officer in at the provider itself (authorization code + PKCE, RFC 8252
//! loopback redirect) and hands the store only the ID token, in a JSON body. The store checks
//! it against the provider's keys and answers with a session token, a bearer that lasts hours,
//! bound to that identity. Tokens of either kind travel in bodies and `Authorization` headers
//! only, never in a path or a query.

use kepil_core::secret::SecretString;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::Classification;

/// One OpenID provider the store accepts, as the store advertises it in its policy: what a
/// client needs to sign a person in there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityProviderInfo {
    /// The store's name for it (`mygovuc`), used in `CreateSession`.
    pub id: String,
    /// What a person recognises (`MyGovUC (Google)`).
    pub display_name: String,
    /// The issuer URL; discovery is at `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    /// The OAuth client id of the desktop (native, public) client the agency registered.
    pub client_id: String,
    /// Google's "desktop app" clients come with a client secret that Google itself documents
    /// as not secret (it ships inside every installed app); other providers have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desktop_client_secret: Option<String>,
    /// Scopes to ask for besides `openid` (`email`, `profile`, `offline_access`).
    pub scopes: Vec<String>,
}

/// `POST /api/v1/sessions`: exchange an ID token from one of the store's providers.
#[derive(Clone, Serialize, Deserialize)]
pub struct CreateSession {
    /// `IdentityProviderInfo::id`.
    pub provider: String,
    /// The compact JWS the provider issued; checked for signature, issuer, audience, expiry,
    /// nonce, verified e-mail and allowed domain.
    #[serde(with = "crate::secret_wire")]
    pub id_token: SecretString,
    /// The nonce the client put in its authorization request; the store refuses a token
    /// that carries another one. `None` for an ID token from a refresh or from the device
    /// flow (RFC 8628 has no nonce), which carry none (or, after a refresh, the original one,
    /// which is then not checked again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
}

impl std::fmt::Debug for CreateSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateSession")
            .field("provider", &self.provider)
            .field("id_token", &self.id_token)
            .field("nonce", &self.nonce)
            .finish()
    }
}

/// A person as the store knows them after sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The verified e-mail address (the ID token's `email` with `email_verified`).
    pub email: String,
    /// The provider's display name for the person, if it gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `IdentityProviderInfo::id`, or `token` for a machine token.
    pub provider: String,
}

/// The answer to `CreateSession`.
#[derive(Clone, Serialize, Deserialize)]
pub struct SessionCreated {
    /// Bearer for `Authorization`, wherever an uploader token is accepted.
    #[serde(with = "crate::secret_wire")]
    pub session_token: SecretString,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub identity: Identity,
}

impl std::fmt::Debug for SessionCreated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionCreated")
            .field("session_token", &self.session_token)
            .field("expires_at", &self.expires_at)
            .field("identity", &self.identity)
            .finish()
    }
}

/// How the caller of `GET /api/v1/session` authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    /// A store session from sign-in.
    Session,
    /// A machine token made with `kepil-store token create`.
    Token,
}

/// `GET /api/v1/session`: who the bearer is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Whoami {
    pub identity: Identity,
    pub kind: CredentialKind,
    /// When this credential stops working.
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    /// Whether the store's configuration names this identity (or one of its groups) as an
    /// administrator.
    pub admin: bool,
}

/// One live transfer, as its sender (from any computer, with `GET /api/v1/me/transfers`) or
/// an administrator (`POST /api/v1/admin/transfers/search`) sees it. Never a grant's label
/// beyond what the sender typed, never a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferSummary {
    pub transfer_id: String,
    pub sender: String,
    pub classification: Classification,
    pub size: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub upload_complete: bool,
    pub grants: u32,
    pub downloads: u32,
}

/// `POST /api/v1/admin/identities/disable` and `.../enable`: by e-mail, in the body, because
/// an address in a path ends up in access logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityAction {
    pub email: String,
}

/// The answer of an administrator's revoke or disable: how many things it changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminOutcome {
    pub changed: u32,
}

/// `POST /api/v1/admin/transfers/revoke`: one transfer, or all live transfers of one sender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminRevoke {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<String>,
}

/// `POST /api/v1/admin/transfers/search`: a person's live transfers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminSearch {
    pub sender: String,
}
