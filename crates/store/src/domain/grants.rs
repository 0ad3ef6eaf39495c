//! A grant as its recipient meets it: public facts, a single-use challenge, the proof that
//! counts the download and issues a download token, and the check of that token before the
//! blob is served.
//!
//! What an unauthenticated caller can learn is the design's (docs/architecture.md, "Store HTTP
//! API"): unknown, expired, revoked and used-up grants all look alike until a *valid* proof,
//! which alone learns the specific reason; a wrong proof on a live grant counts towards the
//! lockout.
//!
//! A grant created with an open key (every grant from a current client) tells its facts only
//! through [`open`], to a caller whose MAC of a challenge nonce shows it holds the link's
//! secret; `GET` of it ([`public_info`]) and an open without that MAC are answered
//! [`GrantError::Unavailable`], exactly as an id that never existed, and [`challenge`] gives a
//! nonce for any well-formed id. So a link's path alone tells nothing: not whether the grant
//! is live, used, revoked, expired or purged, nor when it expires.
//!
//! A grant created with a link key (every grant from a current client) first asks for proof
//! of the link itself: a proof whose `link_mac` is absent or wrong counts nothing, burns only
//! its nonce, and is answered [`ProofError::Unavailable`], the very answer of an unknown id,
//! whether the grant is live, used, revoked, expired or locked. Only past that check does a
//! wrong password count towards the lockout, or a locked grant say so. A grant without a link
//! key (created by an older client) keeps the earlier rule: any wrong proof counts.

use kepil_protocol::KdfParams;

use crate::audit::Event;
use crate::ids;
use crate::metrics::inc;
use crate::state::AppState;
use crate::storage::{GrantRow, Redeemed, StorageError, TransferRow};

/// Why a grant cannot be read or proven, in the words the caller may hear.
#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    /// Unknown, or (to a caller without a valid proof) expired, revoked or used up.
    #[error("not available")]
    Unavailable,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Why a proof did not give a download token.
#[derive(Debug, thiserror::Error)]
pub enum ProofError {
    #[error("not available")]
    Unavailable,
    #[error("the nonce is not 32 bytes of base64url")]
    BadNonce,
    #[error("the mac is not 32 bytes of base64url")]
    BadMac,
    /// The nonce was unknown, expired, already used or issued for another grant.
    #[error("the challenge expired or was already used")]
    ChallengeExpired,
    #[error("wrong password ({tries_left} tries left)")]
    WrongPassword { tries_left: u32 },
    #[error("locked after too many wrong passwords")]
    Locked,
    /// Told only to a valid proof.
    #[error("expired")]
    Expired,
    #[error("revoked")]
    Revoked,
    #[error("used up")]
    UsedUp,
    /// A valid proof while the sender's upload is still running.
    #[error("the upload has not finished")]
    NotReady,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<GrantError> for ProofError {
    fn from(e: GrantError) -> Self {
        match e {
            GrantError::Unavailable => ProofError::Unavailable,
            GrantError::Storage(e) => ProofError::Storage(e),
        }
    }
}

/// A grant and its transfer, by the id from a link; anything wrong is `Unavailable`.
pub async fn load(s: &AppState, grant_id: &str) -> Result<(GrantRow, TransferRow), GrantError> {
    if !ids::is_valid_id(grant_id) {
        return Err(GrantError::Unavailable);
    }
    let grant = s
        .meta
        .get_grant(grant_id)
        .await?
        .ok_or(GrantError::Unavailable)?;
    let transfer = s
        .meta
        .get_transfer(&grant.transfer_id)
        .await?
        .ok_or(GrantError::Unavailable)?;
    Ok((grant, transfer))
}

/// The grant's key-derivation parameters (public: the recipient needs them to derive).
pub fn kdf_of(g: &GrantRow) -> KdfParams {
    KdfParams {
        version: g.kdf_version,
        m_kib: g.kdf_m_kib,
        t: g.kdf_t,
        p: g.kdf_p,
    }
}

/// Why a grant can no longer be downloaded, told only to a caller with a valid proof.
fn dead_reason(g: &GrantRow, t: &TransferRow, now: i64) -> Option<ProofError> {
    if g.revoked_at.is_some() || t.revoked_at.is_some() {
        Some(ProofError::Revoked)
    } else if g.downloads >= g.max_downloads {
        Some(ProofError::UsedUp)
    } else if t.expires_at <= now || t.purged_at.is_some() {
        Some(ProofError::Expired)
    } else {
        None
    }
}

/// A fresh single-use challenge.
#[derive(Debug)]
pub struct Challenge {
    pub nonce: String,
    pub expires_at: i64,
}

/// Issues a challenge for any well-formed `grant_id`, without looking it up: the answer is the
/// same for a live, dead, purged or never-issued grant. A nonce bound to an id without a grant
/// can never be redeemed and expires like any other.
pub async fn challenge(s: &AppState, grant_id: &str) -> Result<Challenge, GrantError> {
    if !ids::is_valid_id(grant_id) {
        return Err(GrantError::Unavailable);
    }
    let nonce = ids::new_token();
    let expires_at = s.clock.now().saturating_add(s.config.nonce_ttl_secs as i64);
    s.meta
        .insert_nonce(grant_id, &ids::hash_token(&nonce), expires_at)
        .await?;
    Ok(Challenge { nonce, expires_at })
}

/// A grant's public facts by `GET`, for grants from older clients only: one with an open key
/// answers `Unavailable` here whatever its state, and is read through [`open`].
pub async fn public_info(
    s: &AppState,
    grant_id: &str,
) -> Result<(GrantRow, TransferRow), GrantError> {
    let (g, t) = load(s, grant_id).await?;
    if g.open_key.is_some() {
        return Err(GrantError::Unavailable);
    }
    Ok((g, t))
}

/// A grant's public facts for the holder of its link: `open_mac` must be
/// HMAC-SHA256(open_key, nonce) with a live nonce from [`challenge`] for this grant. A pure
/// read: the nonce stays usable for the proof, nothing is counted. Everything else (an unknown
/// id, a grant from an older client, a missing or wrong MAC, a stale nonce) is `Unavailable`.
pub async fn open(
    s: &AppState,
    grant_id: &str,
    nonce: &str,
    open_mac: &str,
    ip: &str,
) -> Result<(GrantRow, TransferRow), GrantError> {
    let (g, t) = load(s, grant_id).await?;
    let Some(open_key) = &g.open_key else {
        return Err(GrantError::Unavailable);
    };
    let nonce_bytes = kepil_protocol::b64_decode(nonce).filter(|n| n.len() == 32);
    let mac = kepil_protocol::b64_decode(open_mac).filter(|m| m.len() == 32);
    let holds = match (&nonce_bytes, &mac) {
        (Some(n), Some(m)) => mac_matches(open_key, n, m),
        _ => false,
    };
    if !holds {
        inc(&s.metrics.opens_without_link, 1);
        s.audit
            .record(
                Event::OpenNoLink,
                Some(&g.transfer_id),
                Some(&g.id),
                Some(ip),
                None,
            )
            .await;
        return Err(GrantError::Unavailable);
    }
    // Checked after the MAC so that the nonce table is read only for the link's holder.
    if !s
        .meta
        .nonce_is_live(&g.id, &ids::hash_token(nonce), s.clock.now())
        .await?
    {
        return Err(GrantError::Unavailable);
    }
    Ok((g, t))
}

/// A counted download: the token that fetches the blob.
#[derive(Debug)]
pub struct Issued {
    pub download_token: String,
    pub expires_at: i64,
    pub size: u64,
    pub downloads_left: u32,
    /// The transfer's sender as the store knows them (verified by sign-in, or a token's
    /// account).
    pub sender: kepil_protocol::identity::Identity,
}

/// Who sent `t`: the signed-in person (with the name their provider gave), or the account of
/// the machine token that uploaded it.
async fn sender_of(
    s: &AppState,
    t: &TransferRow,
) -> Result<kepil_protocol::identity::Identity, StorageError> {
    let name = match &t.sender_provider {
        Some(_) => s.meta.get_identity(&t.user).await?.and_then(|i| i.name),
        None => None,
    };
    Ok(kepil_protocol::identity::Identity {
        email: t.user.clone(),
        name,
        provider: t.sender_provider.clone().unwrap_or_else(|| "token".into()),
    })
}

/// Constant-time check of HMAC-SHA256(auth_key, nonce) through the core library.
fn mac_matches(auth_key: &[u8], nonce: &[u8], mac: &[u8]) -> bool {
    let Ok(key) = <[u8; 32]>::try_from(auth_key) else {
        return false;
    };
    kepil_core::kdf::AuthKey::from_bytes(key).verify(nonce, mac)
}

/// Whether `link_mac` is HMAC-SHA256(link_key, nonce). When it is not (absent, malformed or
/// wrong), the nonce is burnt (it was single use), the refusal is counted in a metric and the
/// audit, and nothing about the grant changes or is told: the caller hears `unavailable`.
async fn link_proof_holds(
    s: &AppState,
    g: &GrantRow,
    link_key: &[u8],
    nonce: &str,
    link_mac: Option<&str>,
    ip: &str,
) -> Result<bool, StorageError> {
    let nonce_bytes = kepil_protocol::b64_decode(nonce).filter(|n| n.len() == 32);
    let link_mac = link_mac
        .and_then(kepil_protocol::b64_decode)
        .filter(|m| m.len() == 32);
    if let (Some(n), Some(m)) = (&nonce_bytes, &link_mac)
        && mac_matches(link_key, n, m)
    {
        return Ok(true);
    }
    if nonce_bytes.is_some() {
        s.meta
            .consume_nonce(&g.id, &ids::hash_token(nonce), s.clock.now())
            .await?;
    }
    inc(&s.metrics.proofs_without_link, 1);
    s.audit
        .record(
            Event::ProofNoLink,
            Some(&g.transfer_id),
            Some(&g.id),
            Some(ip),
            None,
        )
        .await;
    Ok(false)
}

/// Checks a proof (`nonce` from [`challenge`], `mac` = HMAC-SHA256(auth_key, nonce), both
/// base64url, and for a grant with a link key `link_mac` = HMAC-SHA256(link_key, nonce)) and,
/// when it is valid and the grant live, counts the download and issues a token. The nonce is
/// burnt on every path; a wrong password with a valid link MAC (or on a grant without a link
/// key) counts towards the lockout, a proof without a valid link MAC counts nothing.
pub async fn prove(
    s: &AppState,
    grant_id: &str,
    nonce: &str,
    mac: &str,
    link_mac: Option<&str>,
    ip: &str,
) -> Result<Issued, ProofError> {
    let (g, t) = load(s, grant_id).await?;
    if let Some(link_key) = &g.link_key
        && !link_proof_holds(s, &g, link_key, nonce, link_mac, ip).await?
    {
        return Err(ProofError::Unavailable);
    }
    let nonce_bytes = kepil_protocol::b64_decode(nonce)
        .filter(|n| n.len() == 32)
        .ok_or(ProofError::BadNonce)?;
    let mac = kepil_protocol::b64_decode(mac)
        .filter(|m| m.len() == 32)
        .ok_or(ProofError::BadMac)?;
    let now = s.clock.now();
    let nonce_hash = ids::hash_token(nonce);
    let dead = dead_reason(&g, &t, now);
    let stale = |dead: &Option<ProofError>| {
        if dead.is_some() {
            ProofError::Unavailable
        } else {
            ProofError::ChallengeExpired
        }
    };
    // Checking the MAC first only costs CPU; the nonce is burnt on every path below.
    let valid = mac_matches(&g.auth_key, &nonce_bytes, &mac);
    let audit = |event| {
        s.audit
            .record(event, Some(&t.id), Some(&g.id), Some(ip), None)
    };

    if valid && !g.locked && dead.is_none() && t.complete {
        // Hot path: burn the nonce and count the download in one transaction.
        let token = ids::new_token();
        let token_expires = now.saturating_add(s.config.download_token_ttl_secs as i64);
        let outcome = s
            .meta
            .redeem(
                &g.id,
                &nonce_hash,
                &ids::hash_token(&token),
                token_expires,
                now,
            )
            .await?;
        if outcome == Redeemed::StaleNonce {
            return Err(stale(&dead));
        }
        inc(&s.metrics.proofs_ok, 1);
        audit(Event::ProofOk).await;
        return match outcome {
            Redeemed::Issued(downloads_left) => {
                inc(&s.metrics.tokens_issued, 1);
                audit(Event::TokenIssued).await;
                Ok(Issued {
                    download_token: token,
                    expires_at: token_expires,
                    size: t.size,
                    downloads_left,
                    sender: sender_of(s, &t).await?,
                })
            }
            _ => {
                // Lost a race (another proof took the last download, a lock or a revoke
                // landed): answer from the state now.
                let (g, t) = load(s, grant_id).await?;
                if g.locked {
                    return Err(ProofError::Locked);
                }
                Err(dead_reason(&g, &t, s.clock.now()).unwrap_or(ProofError::UsedUp))
            }
        };
    }

    if !s.meta.consume_nonce(&g.id, &nonce_hash, now).await? {
        return Err(stale(&dead));
    }
    if g.locked {
        return Err(ProofError::Locked);
    }
    if !valid {
        if dead.is_some() {
            return Err(ProofError::Unavailable);
        }
        inc(&s.metrics.proofs_failed, 1);
        audit(Event::ProofFailed).await;
        let threshold = s.config.lockout_threshold;
        let outcome = s.meta.record_failed_proof(&g.id, threshold).await?;
        if outcome.locked_now {
            inc(&s.metrics.grants_locked, 1);
            audit(Event::Locked).await;
        }
        if outcome.locked {
            return Err(ProofError::Locked);
        }
        return Err(ProofError::WrongPassword {
            tries_left: threshold.saturating_sub(outcome.failed_proofs),
        });
    }

    // A valid proof on a dead grant learns why; on an unfinished upload, to wait.
    inc(&s.metrics.proofs_ok, 1);
    audit(Event::ProofOk).await;
    Err(dead.unwrap_or(ProofError::NotReady))
}

/// Why a download token does not open a blob.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    /// No token, an unknown or expired one, or one issued for another grant.
    #[error("missing or invalid download token")]
    Unauthorized,
    #[error("not available")]
    Unavailable,
    #[error("the upload has not finished")]
    NotReady,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<GrantError> for DownloadError {
    fn from(e: GrantError) -> Self {
        match e {
            GrantError::Unavailable => DownloadError::Unavailable,
            GrantError::Storage(e) => DownloadError::Storage(e),
        }
    }
}

/// The grant and transfer a download token opens, checked live now.
pub async fn open_download(
    s: &AppState,
    grant_id: &str,
    download_token: &str,
) -> Result<(GrantRow, TransferRow), DownloadError> {
    if !ids::is_valid_id(grant_id) {
        return Err(DownloadError::Unavailable);
    }
    let now = s.clock.now();
    let row = s
        .meta
        .find_download_token(&ids::hash_token(download_token))
        .await?
        .filter(|r| r.grant_id == grant_id && r.expires_at > now)
        .ok_or(DownloadError::Unauthorized)?;
    let (g, t) = load(s, &row.grant_id).await?;
    if g.revoked_at.is_some() || !t.is_live(now) {
        return Err(DownloadError::Unavailable);
    }
    if !t.complete {
        return Err(DownloadError::NotReady);
    }
    Ok((g, t))
}
