//! `kepil login` (sign-in with the store's identity provider, or a machine token) and
//! `kepil logout`. The flows are kepil-client's; here are only the prompts and the browser.

use std::io::BufRead;

use kepil_client::api::StoreClient;
use kepil_client::error::{ConfigError, SignInError};
use kepil_client::progress::Cancel;
use kepil_client::secrets::FileReason;
use kepil_client::signin::{self, CodeFlow, DeviceFlow, Provider, ProviderTokens};
use kepil_client::{SecretString, settings};

use crate::output::{self, Failure, t};
use crate::{App, LoginArgs, LogoutArgs, Res};

/// One non-empty line of standard input, read on its own thread (a blocking read must not
/// hold up the runtime); `None` at the end of the input.
fn pasted_line() -> impl Future<Output = Option<String>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let mut line = String::new();
        let answer = loop {
            line.clear();
            match stdin.lock().read_line(&mut line) {
                Ok(0) | Err(_) => break None,
                Ok(_) if line.trim().is_empty() => continue,
                Ok(_) => break Some(line.trim().to_string()),
            }
        };
        let _ = tx.send(answer);
    });
    async move { rx.await.ok().flatten() }
}

/// `work`, or `sign_in_cancelled` as soon as Ctrl-C is pressed.
async fn or_cancelled<T>(
    cancel: &Cancel,
    work: impl Future<Output = Result<T, SignInError>>,
) -> Result<T, SignInError> {
    let watch = async {
        while !cancel.is_cancelled() {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    };
    tokio::select! {
        result = work => result,
        () = watch => Err(SignInError::Cancelled),
    }
}

impl App {
    pub(crate) async fn login(&self, a: LoginArgs) -> Res {
        let store = self.store_url(a.store.store.as_deref())?;
        let system = self.system_policy()?;
        if a.token || a.token_stdin {
            // Refused before the token is asked for, so nobody types one in vain.
            system.check_machine_token().map_err(|e| Failure::new(&e))?;
            return self.save_machine_token(&store, a.token_stdin, a.save_store);
        }
        let client = StoreClient::new(store.clone()).map_err(|e| Failure::new(&e))?;
        let policy = client.policy().await.map_err(|e| Failure::new(&e))?;
        // A store without sign-in is logged in to with a machine token, as before sign-in
        // existed; asking for a provider or a browserless sign-in there is a mistake. On a
        // desktop that requires sign-in it says so instead of prompting for a token.
        if policy.identity_providers.is_empty() && a.provider.is_none() && !a.no_browser {
            system.check_machine_token().map_err(|e| Failure::new(&e))?;
            return self.save_machine_token(&store, false, a.save_store);
        }
        let info =
            signin::choose_provider_with(store.as_str(), &policy, a.provider.as_deref(), &system)
                .map_err(|e| Failure::new(&e))?;
        let provider = or_cancelled(&self.cancel, Provider::discover(&info))
            .await
            .map_err(|e| Failure::new(&e))?;
        let tokens = if a.no_browser {
            self.sign_in_without_browser(&provider).await
        } else {
            self.sign_in_with_browser(&provider).await
        }
        .map_err(|e| Failure::new(&e))?;
        let secrets = self.secrets();
        let signed = signin::establish(&client, &secrets, &info, tokens)
            .await
            .map_err(|e| Failure::new(&e))?;
        if a.save_store {
            self.save_default_store(&store)?;
        }
        output::print_signed_in(&store, &signed, self.lang);
        Ok(())
    }

    async fn sign_in_with_browser(
        &self,
        provider: &Provider,
    ) -> Result<ProviderTokens, SignInError> {
        let flow = CodeFlow::start(provider).await?;
        let name = &provider.info().display_name;
        eprintln!(
            "{}\n{}",
            t(
                self.lang,
                &format!(
                    "Log masuk dengan {name} dalam pelayar. Jika pelayar tidak terbuka, buka alamat ini \
                     (atau, jika anda log masuk pada komputer lain, tampal di sini alamat tempat pelayar berakhir):"
                ),
                &format!(
                    "Sign in with {name} in your browser. If it does not open, visit this address \
                     (or, signed in on another computer, paste here the address the browser ended on):"
                ),
            ),
            flow.authorize_url()
        );
        // The URL is printed either way: no browser, or one that opens elsewhere, still works.
        let _ = open::that_detached(flow.authorize_url());
        or_cancelled(
            &self.cancel,
            flow.finish(signin::DEFAULT_TIMEOUT, pasted_line()),
        )
        .await
    }

    async fn sign_in_without_browser(
        &self,
        provider: &Provider,
    ) -> Result<ProviderTokens, SignInError> {
        if provider.has_device_flow() {
            let flow = or_cancelled(&self.cancel, DeviceFlow::start(provider)).await?;
            let uri = flow
                .verification_uri_complete()
                .unwrap_or(flow.verification_uri())
                .to_string();
            eprintln!(
                "{} {uri}\n{} {}",
                t(
                    self.lang,
                    "Log masuk pada mana-mana peranti di:",
                    "Sign in on any device at:"
                ),
                t(self.lang, "Kod:", "Code:"),
                flow.user_code(),
            );
            return or_cancelled(&self.cancel, flow.finish()).await;
        }
        let flow = CodeFlow::start(provider).await?;
        eprintln!(
            "{}\n{}\n{}",
            t(
                self.lang,
                "Buka alamat ini dalam pelayar pada mana-mana komputer dan log masuk:",
                "Open this address in a browser on any computer and sign in:"
            ),
            flow.authorize_url(),
            t(
                self.lang,
                "Pelayar kemudian gagal memuatkan halaman di http://127.0.0.1:…; salin alamat itu \
                 daripada bar alamat dan tampal di sini:",
                "The browser then fails to load a page at http://127.0.0.1:…; copy that address \
                 from its address bar and paste it here:"
            ),
        );
        let pasted = or_cancelled(&self.cancel, async {
            pasted_line().await.ok_or(SignInError::BadRedirect {
                reason: t(self.lang, "tiada input", "no input"),
            })
        })
        .await?;
        or_cancelled(&self.cancel, flow.finish_pasted(&pasted)).await
    }

    /// `kepil login --token`: what `kepil login` did before sign-in, for service accounts and
    /// stores without an identity provider.
    fn save_machine_token(&self, store: &url::Url, from_stdin: bool, save_store: bool) -> Res {
        let token = if from_stdin {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| Failure::coded("stdin", vec![("reason", e.to_string())]))?;
            SecretString::new(line.trim())
        } else {
            SecretString::new(
                rpassword::prompt_password(t(self.lang, "Token pemuat naik: ", "Uploader token: "))
                    .map_err(|_| {
                        Failure::coded("no_terminal", vec![("flag", "--token-stdin".into())])
                    })?
                    .trim(),
            )
        };
        if token.expose().is_empty() {
            return Err(Failure::coded("empty_token", vec![]));
        }
        let secrets = self.secrets();
        let backend =
            settings::save_token(store, &token, &secrets).map_err(|e| Failure::new(&e))?;
        if save_store {
            self.save_default_store(store)?;
        }
        if backend == "keyring" {
            eprintln!(
                "{}",
                t(
                    self.lang,
                    &format!("Token untuk {store} disimpan dalam storan kelayakan sistem."),
                    &format!("Token for {store} saved in the system keyring."),
                )
            );
        } else {
            let place = secrets.whereabouts();
            let why = match place.file {
                Some(FileReason::Forced) => t(
                    self.lang,
                    "KEPIL_NO_KEYRING memintanya",
                    "KEPIL_NO_KEYRING asks for it",
                ),
                Some(FileReason::NoKeyring) => t(
                    self.lang,
                    "komputer ini tiada storan kelayakan sistem",
                    "this computer has no system keyring",
                ),
                Some(FileReason::Unanswered) => t(
                    self.lang,
                    "storan kelayakan sistem tidak menjawab (mungkin dikunci)",
                    "the system keyring did not answer (it may be locked)",
                ),
                Some(FileReason::Refused) | None => t(
                    self.lang,
                    "storan kelayakan sistem menolaknya",
                    "the system keyring refused it",
                ),
            };
            eprintln!(
                "{}",
                t(
                    self.lang,
                    &format!(
                        "Token untuk {store} disimpan dalam fail peribadi {} (mod 0600), kerana {why}.",
                        place.path.display()
                    ),
                    &format!(
                        "Token for {store} saved in the private file {} (mode 0600), because {why}.",
                        place.path.display()
                    ),
                )
            );
        }
        Ok(())
    }

    fn save_default_store(&self, store: &url::Url) -> Res {
        let mut config = self.config.clone();
        config.store = Some(store.to_string());
        config
            .save(&self.dirs)
            .map_err(|e: ConfigError| Failure::new(&e))
    }

    pub(crate) async fn logout(&self, a: LogoutArgs) -> Res {
        let store = self.store_url(a.store.store.as_deref())?;
        let client = StoreClient::new(store.clone()).map_err(|e| Failure::new(&e))?;
        let secrets = self.secrets();
        let out = signin::sign_out(&client, &secrets)
            .await
            .map_err(|e| Failure::new(&e))?;
        output::print_signed_out(&store, &out, self.lang);
        Ok(())
    }
}
