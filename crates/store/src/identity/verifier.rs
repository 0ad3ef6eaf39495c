//! Checking ID tokens against a provider: discovery, its signing keys (cached, fetched again
//! on a key id not seen yet, as after a rotation, and every `keys_refresh_secs`), and the
//! claims the store's rules ask for. JOSE is `jsonwebtoken`'s; nothing here parses a JWT.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;
use serde_json::Value;
use tokio::sync::Mutex;

use super::config::{IdentityConfig, ProviderConfig};
use super::{Claims, VerifyError};

/// Seconds of clock difference tolerated between the provider and the store.
const LEEWAY_SECS: u64 = 60;
/// A token naming an unknown key makes the store fetch the keys again, but not more often
/// than this: a stream of junk tokens must not turn into a stream of requests to the provider.
const MIN_REFETCH: Duration = Duration::from_secs(30);
/// Bounds on what a provider may answer (a discovery document, a key set).
const MAX_DOCUMENT: usize = 256 * 1024;

#[derive(Debug, Deserialize)]
struct Discovery {
    issuer: String,
    jwks_uri: String,
    #[serde(default)]
    id_token_signing_alg_values_supported: Vec<String>,
}

#[derive(Debug)]
struct Keys {
    algorithms: Vec<Algorithm>,
    jwks_uri: String,
    by_kid: HashMap<String, (Algorithm, DecodingKey)>,
    fetched: Instant,
}

#[derive(Debug)]
struct Provider {
    config: ProviderConfig,
    keys: Mutex<Option<Keys>>,
    /// When a token with a key id not in the cache last made us fetch the keys.
    unknown_kid_fetch: Mutex<Option<Instant>>,
}

/// The providers of `[identity]`, with their keys.
#[derive(Debug, Clone)]
pub struct Verifier {
    http: reqwest::Client,
    providers: Arc<Vec<Provider>>,
    refresh: Duration,
}

fn algorithm(name: &str) -> Option<Algorithm> {
    // Asymmetric only: an HS256 token "signed" with a public client id, or `none`, is never
    // accepted.
    Some(match name {
        "RS256" => Algorithm::RS256,
        "RS384" => Algorithm::RS384,
        "RS512" => Algorithm::RS512,
        "PS256" => Algorithm::PS256,
        "PS384" => Algorithm::PS384,
        "PS512" => Algorithm::PS512,
        "ES256" => Algorithm::ES256,
        "ES384" => Algorithm::ES384,
        "EdDSA" => Algorithm::EdDSA,
        _ => return None,
    })
}

impl Verifier {
    pub fn new(config: &IdentityConfig) -> Result<Verifier, VerifyError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| VerifyError::Unavailable(e.to_string()))?;
        Ok(Verifier {
            http,
            providers: Arc::new(
                config
                    .providers
                    .iter()
                    .map(|p| Provider {
                        config: p.clone(),
                        keys: Mutex::new(None),
                        unknown_kid_fetch: Mutex::new(None),
                    })
                    .collect(),
            ),
            refresh: Duration::from_secs(config.keys_refresh_secs),
        })
    }

    /// Fetches every provider's discovery document and keys, so that a misconfigured issuer
    /// shows in the log at start rather than at the first sign-in. Failures are returned, not
    /// fatal: a provider that is down for a minute must not keep the store from starting.
    pub async fn warm(&self) -> Vec<(String, VerifyError)> {
        let mut failures = vec![];
        for p in self.providers.iter() {
            let mut keys = p.keys.lock().await;
            match self.fetch(&p.config).await {
                Ok(k) => *keys = Some(k),
                Err(e) => failures.push((p.config.id.clone(), e)),
            }
        }
        failures
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, VerifyError> {
        let unavailable = |e: String| VerifyError::Unavailable(format!("{url}: {e}"));
        let response = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        if !response.status().is_success() {
            return Err(unavailable(format!("HTTP {}", response.status())));
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_DOCUMENT as u64)
        {
            return Err(unavailable("answer too large".into()));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        if body.len() > MAX_DOCUMENT {
            return Err(unavailable("answer too large".into()));
        }
        serde_json::from_slice(&body).map_err(|e| unavailable(e.to_string()))
    }

    async fn fetch(&self, p: &ProviderConfig) -> Result<Keys, VerifyError> {
        let url = format!(
            "{}/.well-known/openid-configuration",
            p.issuer.trim_end_matches('/')
        );
        let discovery: Discovery = self.get_json(&url).await?;
        if discovery.issuer != p.issuer {
            return Err(VerifyError::Unavailable(format!(
                "{url} names the issuer {:?}, not {:?}",
                discovery.issuer, p.issuer
            )));
        }
        let mut algorithms: Vec<Algorithm> = discovery
            .id_token_signing_alg_values_supported
            .iter()
            .filter_map(|a| algorithm(a))
            .collect();
        if algorithms.is_empty() {
            algorithms.push(Algorithm::RS256);
        }
        let set: JwkSet = self.get_json(&discovery.jwks_uri).await?;
        let mut by_kid = HashMap::new();
        for jwk in &set.keys {
            let Some(kid) = jwk.common.key_id.clone() else {
                continue;
            };
            let alg = jwk
                .common
                .key_algorithm
                .and_then(|a| algorithm(&format!("{a:?}")));
            // A key that cannot be read (another curve, a symmetric key) is skipped rather
            // than failing the whole set: the provider may publish keys for other uses.
            if let Ok(key) = DecodingKey::from_jwk(jwk) {
                by_kid.insert(kid, (alg.unwrap_or(algorithms[0]), key));
            }
        }
        Ok(Keys {
            algorithms,
            jwks_uri: discovery.jwks_uri,
            by_kid,
            fetched: Instant::now(),
        })
    }

    /// The key for `kid`, fetching the key set again when it is not known (a rotation) or
    /// the cached set is old.
    async fn key(
        &self,
        p: &Provider,
        kid: &str,
    ) -> Result<(Vec<Algorithm>, Algorithm, DecodingKey), VerifyError> {
        let mut keys = p.keys.lock().await;
        let stale = keys
            .as_ref()
            .is_none_or(|k| k.fetched.elapsed() >= self.refresh);
        let missing = keys.as_ref().is_some_and(|k| !k.by_kid.contains_key(kid));
        let mut refetch = stale;
        if missing && !stale {
            let mut last = p.unknown_kid_fetch.lock().await;
            if last.is_none_or(|at| at.elapsed() >= MIN_REFETCH) {
                *last = Some(Instant::now());
                refetch = true;
            }
        }
        if refetch {
            match self.fetch(&p.config).await {
                Ok(k) => *keys = Some(k),
                // Keep verifying with the keys we have while the provider is unreachable.
                Err(e) if keys.is_none() => return Err(e),
                Err(e) => tracing::warn!(provider = %p.config.id, error = %e, "key refresh failed"),
            }
        }
        let k = keys.as_ref().ok_or_else(|| {
            VerifyError::Unavailable(format!("no keys for provider {}", p.config.id))
        })?;
        let (alg, key) = k.by_kid.get(kid).ok_or_else(|| {
            VerifyError::Invalid(format!(
                "signed with key {kid:?}, which {} does not publish",
                k.jwks_uri
            ))
        })?;
        Ok((k.algorithms.clone(), *alg, key.clone()))
    }

    /// Checks `id_token` from `provider` and the store's rules for it; `nonce`, when given,
    /// must be the token's. Returns who it names.
    pub async fn verify(
        &self,
        provider: &str,
        id_token: &str,
        nonce: Option<&str>,
    ) -> Result<Claims, VerifyError> {
        let p = self
            .providers
            .iter()
            .find(|p| p.config.id == provider)
            .ok_or_else(|| VerifyError::Invalid(format!("no provider {provider:?} here")))?;
        let c = &p.config;
        let header = decode_header(id_token)
            .map_err(|e| VerifyError::Invalid(format!("not a signed JWT: {e}")))?;
        let kid = header
            .kid
            .ok_or_else(|| VerifyError::Invalid("the token names no key (kid)".into()))?;
        let (algorithms, key_alg, key) = self.key(p, &kid).await?;
        if !algorithms.contains(&header.alg) || header.alg != key_alg {
            return Err(VerifyError::Invalid(format!(
                "signed with {:?}, which the provider's key does not use",
                header.alg
            )));
        }
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&c.issuer]);
        validation.set_audience(&[&c.client_id]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECS;
        let data = decode::<Value>(id_token, &key, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            match e.kind() {
                ErrorKind::ExpiredSignature => VerifyError::Expired,
                ErrorKind::InvalidIssuer => VerifyError::Invalid("issued by another issuer".into()),
                ErrorKind::InvalidAudience => {
                    VerifyError::Invalid("issued for another client (audience)".into())
                }
                ErrorKind::InvalidSignature => VerifyError::Invalid("bad signature".into()),
                other => VerifyError::Invalid(format!("{other:?}")),
            }
        })?;
        let claims = data.claims;
        let text = |name: &str| claims.get(name).and_then(Value::as_str);
        // With several audiences, OpenID Connect Core 3.1.3.7 wants `azp` to be us.
        if claims.get("aud").is_some_and(Value::is_array)
            && claims.get("aud").and_then(Value::as_array).map(Vec::len) != Some(1)
            && text("azp") != Some(&c.client_id)
        {
            return Err(VerifyError::Invalid(
                "issued for several clients, and not authorised for this one (azp)".into(),
            ));
        }
        if let Some(expected) = nonce
            && text("nonce") != Some(expected)
        {
            return Err(VerifyError::Invalid(
                "the nonce is not the sign-in's".into(),
            ));
        }
        if let Some(iat) = claims.get("iat").and_then(Value::as_i64)
            && iat > time::OffsetDateTime::now_utc().unix_timestamp() + LEEWAY_SECS as i64
        {
            return Err(VerifyError::Invalid("issued in the future".into()));
        }
        let subject = text("sub").unwrap_or_default().to_string();
        let email = text(&c.email_claim)
            .filter(|e| e.contains('@'))
            .ok_or(VerifyError::NoEmail)?
            .to_ascii_lowercase();
        let claimed = email.clone();
        if c.require_email_verified
            && claims.get("email_verified") != Some(&Value::Bool(true))
            // Some providers send the flag as a string.
            && text("email_verified") != Some("true")
        {
            return Err(VerifyError::EmailUnverified(claimed));
        }
        let domain = email.rsplit('@').next().unwrap_or_default();
        if !c.allowed_domains.is_empty()
            && !c
                .allowed_domains
                .iter()
                .any(|d| d.eq_ignore_ascii_case(domain))
        {
            return Err(VerifyError::DomainNotAllowed(claimed));
        }
        if !c.hosted_domains.is_empty()
            && !text("hd")
                .is_some_and(|hd| c.hosted_domains.iter().any(|d| d.eq_ignore_ascii_case(hd)))
        {
            return Err(VerifyError::DomainNotAllowed(claimed));
        }
        if let Some(tid) = &c.tenant_id
            && text("tid") != Some(tid)
        {
            return Err(VerifyError::DomainNotAllowed(claimed));
        }
        let groups: Vec<String> = match claims.get(&c.groups_claim) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            Some(Value::String(one)) => vec![one.clone()],
            _ => vec![],
        };
        if !c.required_groups.is_empty() && !groups.iter().any(|g| c.required_groups.contains(g)) {
            return Err(VerifyError::GroupRequired(claimed));
        }
        Ok(Claims {
            provider: c.id.clone(),
            subject,
            email,
            name: text("name").map(crate::identity::clip_name),
            groups,
        })
    }
}
