//! Who is calling: a bearer is a store session (from sign-in) or a machine token, and either
//! names a person or account whose transfers, quota and audit entries are theirs. Signing in
//! (an ID token for a session) and out live here too.

use kepil_core::secret::SecretString;
use kepil_protocol::identity::{CreateSession, CredentialKind, Identity, Whoami};

use crate::audit::Event;
use crate::identity::VerifyError;
use crate::ids;
use crate::state::AppState;
use crate::storage::{IdentityRow, SessionRow, StorageError};

/// The caller behind a valid bearer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// The account: the verified address of a person, or the address a token was made for.
    pub email: String,
    pub name: Option<String>,
    pub kind: CredentialKind,
    /// The provider's id, or `token`.
    pub provider: String,
    pub expires_at: i64,
    pub admin: bool,
}

impl Sender {
    pub fn identity(&self) -> Identity {
        Identity {
            email: self.email.clone(),
            name: self.name.clone(),
            provider: self.provider.clone(),
        }
    }

    pub fn whoami(&self) -> Whoami {
        Whoami {
            identity: self.identity(),
            kind: self.kind,
            expires_at: time::OffsetDateTime::from_unix_timestamp(self.expires_at).ok(),
            admin: self.admin,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No bearer, an unknown one, a revoked token or an ended session: told alike.
    #[error("missing or invalid bearer")]
    Unauthorized,
    #[error("the token or session expired")]
    Expired,
    #[error("{0} is disabled at this store")]
    Disabled(String),
    #[error("machine tokens may not upload here")]
    SignInRequired,
    #[error("not an administrator")]
    Forbidden,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Whether an administrator disabled `email` here.
async fn disabled(s: &AppState, email: &str) -> Result<bool, StorageError> {
    Ok(s.meta
        .get_identity(email)
        .await?
        .is_some_and(|i| i.disabled_at.is_some()))
}

/// The caller behind `bearer`.
pub async fn authenticate(s: &AppState, bearer: Option<&str>) -> Result<Sender, AuthError> {
    let bearer = bearer.ok_or(AuthError::Unauthorized)?;
    let hash = ids::hash_token(bearer);
    let now = s.clock.now();
    let config = &s.config.identity;
    if let Some(session) = s.meta.find_session(&hash).await? {
        if session.ended_at.is_some() {
            return Err(AuthError::Unauthorized);
        }
        if session.expires_at <= now {
            return Err(AuthError::Expired);
        }
        let identity = s.meta.get_identity(&session.email).await?;
        if identity.as_ref().is_some_and(|i| i.disabled_at.is_some()) {
            return Err(AuthError::Disabled(session.email));
        }
        return Ok(Sender {
            admin: session.admin || config.is_admin(&session.email, &[]),
            name: identity.and_then(|i| i.name),
            email: session.email,
            kind: CredentialKind::Session,
            provider: session.provider,
            expires_at: session.expires_at,
        });
    }
    let token = s
        .meta
        .find_uploader_token(&hash)
        .await?
        .filter(|t| t.revoked_at.is_none())
        .ok_or(AuthError::Unauthorized)?;
    if token.expires_at <= now {
        return Err(AuthError::Expired);
    }
    if disabled(s, &token.user).await? {
        return Err(AuthError::Disabled(token.user));
    }
    s.meta.touch_uploader_token(&token.id, now).await?;
    Ok(Sender {
        admin: config.is_admin(&token.user, &[]),
        email: token.user,
        name: (!token.name.is_empty()).then_some(token.name),
        kind: CredentialKind::Token,
        provider: "token".into(),
        expires_at: token.expires_at,
    })
}

/// The caller, when allowed to upload: machine tokens are refused where the store requires
/// sign-in.
pub async fn uploader(s: &AppState, bearer: Option<&str>) -> Result<Sender, AuthError> {
    let sender = authenticate(s, bearer).await?;
    if sender.kind == CredentialKind::Token && s.config.identity.sign_in_required {
        return Err(AuthError::SignInRequired);
    }
    Ok(sender)
}

/// The caller, when an administrator.
pub async fn administrator(s: &AppState, bearer: Option<&str>) -> Result<Sender, AuthError> {
    let sender = authenticate(s, bearer).await?;
    if !sender.admin {
        return Err(AuthError::Forbidden);
    }
    Ok(sender)
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error(transparent)]
    Refused(#[from] VerifyError),
    #[error("{0} is disabled at this store")]
    Disabled(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// A new session, as the caller gets it: the token itself exists only here and in the answer.
#[derive(Debug)]
pub struct NewSession {
    pub token: SecretString,
    pub expires_at: i64,
    pub sender: Sender,
}

/// Checks the ID token of `req` and opens a session for the person it names.
pub async fn sign_in(
    s: &AppState,
    req: &CreateSession,
    ip: &str,
) -> Result<NewSession, SignInError> {
    let claims = match s
        .identities
        .verify(&req.provider, req.id_token.expose(), req.nonce.as_deref())
        .await
    {
        Ok(c) => c,
        Err(e) => {
            if !matches!(e, VerifyError::Unavailable(_)) {
                tracing::info!(provider = %req.provider, reason = %e, "sign-in refused");
                s.audit
                    .record_by(
                        e.claimed(),
                        Event::SignInRefused,
                        None,
                        None,
                        Some(ip),
                        None,
                    )
                    .await;
            }
            return Err(e.into());
        }
    };
    let now = s.clock.now();
    let stored = s
        .meta
        .upsert_identity(&IdentityRow {
            email: claims.email.clone(),
            provider: claims.provider.clone(),
            subject: claims.subject.clone(),
            name: claims.name.clone(),
            first_seen_at: now,
            last_seen_at: now,
            disabled_at: None,
            disabled_by: None,
        })
        .await?;
    if stored.disabled_at.is_some() {
        s.audit
            .record_by(
                Some(&claims.email),
                Event::SignInRefused,
                None,
                None,
                Some(ip),
                None,
            )
            .await;
        return Err(SignInError::Disabled(claims.email));
    }
    let config = &s.config.identity;
    let admin = config.is_admin(&claims.email, &claims.groups);
    let token = SecretString::new(ids::new_token());
    let expires_at = now.saturating_add(config.session_ttl_secs as i64);
    s.meta
        .insert_session(&SessionRow {
            token_hash: ids::hash_token(token.expose()),
            email: claims.email.clone(),
            provider: claims.provider.clone(),
            admin,
            created_at: now,
            expires_at,
            ended_at: None,
        })
        .await?;
    s.audit
        .record_by(
            Some(&claims.email),
            Event::SignedIn,
            None,
            None,
            Some(ip),
            None,
        )
        .await;
    Ok(NewSession {
        token,
        expires_at,
        sender: Sender {
            email: claims.email,
            name: claims.name,
            kind: CredentialKind::Session,
            provider: claims.provider,
            expires_at,
            admin,
        },
    })
}

/// Ends the caller's session (sign out). A machine token is not a session: nothing to end.
pub async fn sign_out(s: &AppState, bearer: Option<&str>, ip: &str) -> Result<(), AuthError> {
    let sender = authenticate(s, bearer).await?;
    if sender.kind == CredentialKind::Session
        && let Some(bearer) = bearer
        && s.meta
            .end_session(&ids::hash_token(bearer), s.clock.now())
            .await?
    {
        s.audit
            .record_by(
                Some(&sender.email),
                Event::SignedOut,
                None,
                None,
                Some(ip),
                None,
            )
            .await;
    }
    Ok(())
}
