//! The authorization code flow with PKCE (S256), a random state and nonce, and a loopback
//! redirect (RFC 8252): the browser signs the person in at the provider and comes back to
//! this computer with a code, which only the holder of the PKCE verifier can exchange.
//!
//! On a computer without a browser the same flow works by hand: the person opens the URL
//! elsewhere and pastes the address the sign-in ended on (it fails to load there, as nothing
//! listens on that computer's loopback); its code and state are read from it.

use std::borrow::Cow;
use std::future::Future;
use std::time::Duration;

use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{
    AuthorizationCode, CsrfToken, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    RequestTokenError,
};

use super::loopback::{Callback, Loopback, Page};
use super::provider::{Provider, ProviderTokens, error_chain};
use crate::SecretString;
use crate::error::SignInError;

/// One sign-in in progress: the authorization URL to open, and what checks and completes the
/// answer.
pub struct CodeFlow<'a> {
    provider: &'a Provider,
    loopback: Loopback,
    redirect: RedirectUrl,
    url: String,
    state: SecretString,
    nonce: Nonce,
    verifier: PkceCodeVerifier,
}

impl std::fmt::Debug for CodeFlow<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeFlow")
            .field("redirect", &self.redirect.as_str())
            .finish_non_exhaustive()
    }
}

impl<'a> CodeFlow<'a> {
    /// Listens on the loopback interface and builds the authorization request.
    pub async fn start(provider: &'a Provider) -> Result<CodeFlow<'a>, SignInError> {
        let loopback = Loopback::bind().await.map_err(|e| SignInError::Listener {
            reason: e.to_string(),
        })?;
        let redirect =
            RedirectUrl::new(loopback.redirect_uri()).map_err(|e| SignInError::Listener {
                reason: e.to_string(),
            })?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let client = provider.client().set_redirect_uri(redirect.clone());
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scopes(provider.scopes())
            .set_pkce_challenge(challenge);
        // Google hands desktop clients a refresh token for `access_type=offline`, not for
        // the `offline_access` scope (docs/identity.md); other providers are not sent it.
        if provider.is_google() {
            request = request.add_extra_param("access_type", "offline");
        }
        let (url, state, nonce) = request.url();
        Ok(CodeFlow {
            provider,
            loopback,
            redirect,
            url: url.to_string(),
            state: SecretString::new(state.secret().clone()),
            nonce,
            verifier,
        })
    }

    /// The URL to open in a browser. It carries the PKCE challenge, the state and the nonce,
    /// none of which lets anyone else finish this sign-in.
    pub fn authorize_url(&self) -> &str {
        &self.url
    }

    /// `http://127.0.0.1:PORT/callback`.
    pub fn redirect_uri(&self) -> &str {
        self.redirect.as_str()
    }

    /// Waits for the browser to come back, at most `timeout`.
    pub async fn wait_for_browser(self, timeout: Duration) -> Result<ProviderTokens, SignInError> {
        self.finish(timeout, std::future::pending()).await
    }

    /// Completes the sign-in from the address the person pasted.
    pub async fn finish_pasted(self, pasted: &str) -> Result<ProviderTokens, SignInError> {
        let params = pasted_params(pasted)?;
        self.complete(&params).await
    }

    /// Whichever comes first: the browser at the loopback listener, or `pasted` (the address
    /// the person copied from a browser elsewhere; `None` when there will be none, e.g. the
    /// input closed). Gives up after `timeout`.
    pub async fn finish<F>(
        mut self,
        timeout: Duration,
        pasted: F,
    ) -> Result<ProviderTokens, SignInError>
    where
        F: Future<Output = Option<String>>,
    {
        enum Answer {
            Browser(Callback),
            Pasted(String),
        }
        let wait = async {
            tokio::pin!(pasted);
            let mut pasted_open = true;
            loop {
                tokio::select! {
                    callback = self.loopback.next_callback() => return Answer::Browser(callback),
                    text = &mut pasted, if pasted_open => match text {
                        Some(text) => return Answer::Pasted(text),
                        None => pasted_open = false,
                    },
                }
            }
        };
        let answer =
            tokio::time::timeout(timeout, wait)
                .await
                .map_err(|_| SignInError::Timeout {
                    secs: timeout.as_secs(),
                })?;
        match answer {
            Answer::Pasted(text) => self.finish_pasted(&text).await,
            Answer::Browser(callback) => {
                let params = callback.params.clone();
                let result = self.complete(&params).await;
                let page = if result.is_ok() {
                    Page::Done
                } else {
                    Page::Failed
                };
                callback.answer(page).await;
                result
            }
        }
    }

    /// Checks the redirect's parameters and exchanges its code.
    async fn complete(self, params: &[(String, String)]) -> Result<ProviderTokens, SignInError> {
        let code = self.check(params)?;
        let provider = self.provider;
        let client = provider.client().set_redirect_uri(self.redirect.clone());
        let request = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| SignInError::ProviderRefused {
                error: "no_token_endpoint".into(),
                description: e.to_string(),
            })?
            .set_pkce_verifier(self.verifier)
            .set_redirect_uri(Cow::Borrowed(&self.redirect));
        let response = request
            .request_async(provider.http())
            .await
            .map_err(|e| token_error(provider, e))?;
        Ok(provider.accept(&response, Some(&self.nonce)).await?)
    }

    fn check(&self, params: &[(String, String)]) -> Result<String, SignInError> {
        let get = |name: &str| {
            params
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        if get("code").is_none() && get("error").is_none() {
            return Err(SignInError::BadRedirect {
                reason: "it carries neither a code nor an error".into(),
            });
        }
        // An error redirect carries the state too: one without ours belongs to another
        // sign-in (or to someone trying to slip theirs into this one).
        let ours = get("state").is_some_and(|s| SecretString::new(s) == self.state);
        if !ours {
            return Err(SignInError::StateMismatch);
        }
        // RFC 9207: a provider that names itself must be the one asked.
        if let Some(iss) = get("iss")
            && iss.trim_end_matches('/') != self.provider.info().issuer.trim_end_matches('/')
        {
            return Err(SignInError::BadRedirect {
                reason: format!("it comes from another issuer, {iss}"),
            });
        }
        if let Some(error) = get("error") {
            return Err(if error == "access_denied" {
                SignInError::Denied
            } else {
                SignInError::ProviderRefused {
                    error: error.to_string(),
                    description: get("error_description").unwrap_or_default().to_string(),
                }
            });
        }
        Ok(get("code").unwrap_or_default().to_string())
    }
}

/// The query of a pasted redirect address (whole URL, or only its `?code=…&state=…` part).
fn pasted_params(text: &str) -> Result<Vec<(String, String)>, SignInError> {
    let text: String = text.split_whitespace().collect();
    if text.is_empty() {
        return Err(SignInError::BadRedirect {
            reason: "nothing was pasted".into(),
        });
    }
    let query = match url::Url::parse(&text) {
        Ok(url) => url.query().unwrap_or_default().to_string(),
        Err(_) => text.trim_start_matches('?').to_string(),
    };
    Ok(url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect())
}

pub(crate) fn token_error<RE: std::error::Error + 'static>(
    provider: &Provider,
    error: RequestTokenError<
        RE,
        openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>,
    >,
) -> SignInError {
    match error {
        RequestTokenError::ServerResponse(r) => SignInError::ProviderRefused {
            error: r.error().to_string(),
            description: r.error_description().cloned().unwrap_or_default(),
        },
        other => SignInError::ProviderUnreachable {
            provider: provider.info().display_name.clone(),
            reason: error_chain(&other),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_addresses_give_their_query() {
        let params =
            pasted_params("  http://127.0.0.1:5555/callback?code=C&state=S&iss=http%3A%2F%2Fi\n")
                .unwrap();
        assert_eq!(params[0], ("code".into(), "C".into()));
        assert_eq!(params[2], ("iss".into(), "http://i".into()));
        // A terminal may wrap a long address over two lines.
        let params = pasted_params("http://127.0.0.1:5555/callback?code=C&st\nate=S").unwrap();
        assert_eq!(params[1], ("state".into(), "S".into()));
        let params = pasted_params("?code=C&state=S").unwrap();
        assert_eq!(params.len(), 2);
        assert!(matches!(
            pasted_params(" \n"),
            Err(SignInError::BadRedirect { .. })
        ));
    }
}
