//! `kepil`: the terminal face of Kepil. Every operation is a call into `kepil-client`; this file
//! only parses arguments, asks the user, draws progress and prints.

mod account;
mod output;
mod progress;
mod signin;

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use kepil_client::api::StoreClient;
use kepil_client::bearer::Bearer;
use kepil_client::error::{ConfigError, ReceiveError, SendError};
use kepil_client::progress::Cancel;
use kepil_client::scan::{Direction, ScanSetup};
use kepil_client::secrets::SecretStore;
use kepil_client::send::{SendContext, SendRequest};
use kepil_client::settings::{self, ConfigFile, Dirs};
use kepil_client::store_trust::{StoreTrust, StoreView};
use kepil_client::system_policy::SystemPolicy;
use kepil_client::{duration, manage, receive, recipients, send};
use kepil_core::classification::Classification;
use kepil_core::link::Link;
use kepil_core::message::{Coded, Lang};
use kepil_core::password::Password;

use crate::output::{Failure, t};

// glibc hands the network's short-lived receive buffers and the upload pieces back to the
// kernel as they are freed, and every new one is then faulted in again: a tenth of the CPU of
// a receive went to page faults (90 000 per GiB; 400 with mimalloc, which keeps freed memory
// for reuse).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "kepil",
    version,
    about = "Send and receive classified attachments (TERHAD/SULIT) through a Kepil store."
)]
struct Cli {
    /// Language of messages: ms (Bahasa Melayu) or en. Default: KEPIL_LANG, config, locale.
    #[arg(long, global = true, value_name = "ms|en")]
    lang: Option<String>,
    /// A PEM file of CA certificates to trust besides the system's, e.g. an agency CA not yet
    /// rolled out. Default: KEPIL_CA_CERTIFICATE, `ca_certificate` in config.toml.
    #[arg(long, global = true, value_name = "FILE")]
    ca_certificate: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Encrypt files and upload them: one link and password per recipient.
    Send(SendArgs),
    /// Prove the password, show what was sent and save the files.
    Receive(ReceiveArgs),
    /// Show downloads, failed tries and locks of a transfer you sent.
    Status(StatusArgs),
    /// Revoke a transfer you sent, or one recipient of it.
    Revoke(RevokeArgs),
    /// Give a locked recipient its tries back, once you have checked with them (by phone)
    /// that the wrong passwords were theirs. The link and the password stay the same.
    Unlock(UnlockArgs),
    /// Print the age identity of a link (after the password), for any age tool.
    Identity(IdentityArgs),
    /// Download the raw ciphertext (a standard age file) after the password.
    Fetch(FetchArgs),
    /// Sign in with the store's identity provider (or save a machine token with --token).
    Login(LoginArgs),
    /// Sign out of a store: end the session and forget it and its refresh token here.
    Logout(LogoutArgs),
    /// Who the store takes you for: the signed-in person or the machine token, until when,
    /// administrator or not.
    Whoami(AccountArgs),
    /// Your live transfers on the store, sent from any computer (needs sign-in).
    Transfers(AccountArgs),
    /// Administrators: find, revoke, disable and enable senders.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Debug, Args)]
struct AccountArgs {
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Debug, Args)]
struct LogoutArgs {
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// A sender's live transfers.
    Search {
        /// The sender's e-mail address.
        sender: String,
        #[command(flatten)]
        account: AccountArgs,
    },
    /// Revoke one transfer, or every live transfer of a sender.
    Revoke {
        #[arg(
            long,
            value_name = "ID",
            allow_hyphen_values = true,
            required_unless_present = "sender",
            conflicts_with = "sender"
        )]
        transfer: Option<String>,
        #[arg(long, value_name = "EMAIL")]
        sender: Option<String>,
        #[command(flatten)]
        account: AccountArgs,
    },
    /// Stop an identity from sending (its sessions end).
    Disable {
        email: String,
        #[command(flatten)]
        account: AccountArgs,
    },
    /// Let a disabled identity send again.
    Enable {
        email: String,
        #[command(flatten)]
        account: AccountArgs,
    },
}

impl AdminCommand {
    fn account(&self) -> &AccountArgs {
        match self {
            AdminCommand::Search { account, .. }
            | AdminCommand::Revoke { account, .. }
            | AdminCommand::Disable { account, .. }
            | AdminCommand::Enable { account, .. } => account,
        }
    }
}

#[derive(Debug, Args)]
struct StoreArgs {
    /// Store URL. Default: KEPIL_STORE, then `store` in config.toml.
    #[arg(long, value_name = "URL")]
    store: Option<String>,
}

#[derive(Debug, Args)]
struct SendArgs {
    /// Files to send.
    #[arg(value_name = "FILE", required_unless_present = "resume")]
    files: Vec<PathBuf>,
    /// terhad, sulit or terbuka. RAHSIA and RAHSIA BESAR are refused.
    #[arg(
        long,
        short = 'c',
        value_name = "CLASS",
        required_unless_present = "resume"
    )]
    classification: Option<String>,
    /// A recipient (usually an email address); repeat for several, each gets its own link and password.
    #[arg(
        long = "to",
        value_name = "RECIPIENT",
        required_unless_present = "resume"
    )]
    to: Vec<String>,
    /// How long the links live, e.g. 3d, 12h, 90m. Default: the store's default.
    #[arg(long, value_name = "DURATION")]
    expires: Option<String>,
    /// Downloads allowed per recipient. Default: the store's default.
    #[arg(long, value_name = "N")]
    max_downloads: Option<u32>,
    /// Subject or file reference shown to the recipient (encrypted).
    #[arg(long, default_value = "")]
    subject: String,
    /// A note to the recipient (encrypted).
    #[arg(long, default_value = "")]
    message: String,
    /// Sender shown to recipients. Default: `sender` in config.toml, else USER@host.
    #[arg(long, value_name = "SENDER")]
    from: Option<String>,
    /// Finish an interrupted upload (the newest if several need naming, give its ID).
    #[arg(long, value_name = "ID", num_args = 0..=1, default_missing_value = "", conflicts_with_all = ["files", "classification", "to"])]
    resume: Option<String>,
    /// Print only JSON on stdout.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    store: StoreArgs,
}

/// Which store a link may lead to (docs/cli.md, "Trusted stores").
#[derive(Debug, Args)]
struct StoreTrustArgs {
    /// Contact this store (`host` or `host:port`, as shown) although this computer does not
    /// know it: only when its sender told you, through a channel you already know, that it is
    /// their agency's.
    #[arg(long, value_name = "HOST")]
    allow_store: Option<String>,
}

#[derive(Debug, Args)]
struct PasswordArgs {
    /// Read the password from the first line of standard input instead of the terminal.
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Debug, Args)]
struct ReceiveArgs {
    /// The link from the email (mangled forms from mail gateways are accepted).
    link: String,
    /// Directory to save into (created if missing).
    #[arg(long, short = 'o', default_value = ".")]
    output: PathBuf,
    /// Save without asking.
    #[arg(long, short = 'y')]
    yes: bool,
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    password: PasswordArgs,
    #[command(flatten)]
    trust: StoreTrustArgs,
}

#[derive(Debug, Args)]
struct StatusArgs {
    /// Transfer ID or one of its links.
    // Base64url ids may start with '-'; they must not be taken for flags.
    #[arg(allow_hyphen_values = true)]
    id: String,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct RevokeArgs {
    /// Transfer ID (revokes every recipient) or a link (revokes that recipient).
    #[arg(allow_hyphen_values = true)]
    id: String,
    /// Revoke only this recipient.
    #[arg(long, value_name = "RECIPIENT")]
    recipient: Option<String>,
    #[arg(long)]
    json: bool,
    /// The store, for a transfer this computer has no owner token of (signed in, a transfer
    /// ID from `kepil transfers` is revoked through your session).
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Debug, Args)]
struct UnlockArgs {
    /// Transfer ID or the recipient's link.
    #[arg(allow_hyphen_values = true)]
    id: String,
    /// The recipient to unlock (needed when the transfer has several and no link is given).
    #[arg(long, value_name = "RECIPIENT")]
    recipient: Option<String>,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct IdentityArgs {
    link: String,
    #[command(flatten)]
    password: PasswordArgs,
    #[command(flatten)]
    trust: StoreTrustArgs,
}

#[derive(Debug, Args)]
struct FetchArgs {
    link: String,
    /// Where to write the age file (must not exist).
    #[arg(long, short = 'o', value_name = "FILE")]
    output: PathBuf,
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    password: PasswordArgs,
    #[command(flatten)]
    trust: StoreTrustArgs,
}

#[derive(Debug, Args)]
struct LoginArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The identity provider, when the store offers several.
    #[arg(long, value_name = "ID", conflicts_with_all = ["token", "token_stdin"])]
    provider: Option<String>,
    /// No browser on this computer: sign in with a code on another device, or by pasting
    /// the address the sign-in ended on.
    #[arg(long, conflicts_with_all = ["token", "token_stdin"])]
    no_browser: bool,
    /// Save a machine (uploader) token instead of signing in, asked on the terminal.
    #[arg(long)]
    token: bool,
    /// Save a machine token read from standard input.
    #[arg(long)]
    token_stdin: bool,
    /// Also save the store URL as the default in config.toml.
    #[arg(long)]
    save_store: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let dirs = match Dirs::from_env() {
        Ok(d) => d,
        Err(e) => return output::fail(&Failure::new(&e), Lang::Ms, false),
    };
    let config = match ConfigFile::load(&dirs) {
        Ok(c) => c,
        Err(e) => {
            let lang = settings::resolve_lang(cli.lang.as_deref(), &ConfigFile::default());
            return output::fail(&Failure::new(&e), lang, false);
        }
    };
    let lang = settings::resolve_lang(cli.lang.as_deref(), &config);
    let json = match &cli.command {
        Command::Send(a) => a.json,
        Command::Receive(a) => a.json,
        Command::Status(a) => a.json,
        Command::Revoke(a) => a.json,
        Command::Unlock(a) => a.json,
        Command::Fetch(a) => a.json,
        Command::Whoami(a) | Command::Transfers(a) => a.json,
        Command::Admin(a) => a.account().json,
        _ => false,
    };
    // Read once for the whole run; a policy that cannot be read fails the commands that need
    // it (closed), not the ones that do not.
    let policy = SystemPolicy::load_system().map_err(|e| Failure::new(&e));
    if let Err(failure) = trust_certificates(&policy, cli.ca_certificate.as_deref(), &config) {
        return output::fail(&failure, lang, json);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kepil: {e}");
            return ExitCode::from(1);
        }
    };
    let cancel = Cancel::new();
    {
        let cancel = cancel.clone();
        runtime.spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                cancel.cancel();
            }
        });
    }
    let app = App {
        dirs,
        config,
        policy,
        lang,
        json,
        cancel,
    };
    let result = runtime.block_on(app.run(cli.command));
    // A line of pasted input may still be awaited on its own thread; nothing else is left.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => output::fail(&failure, lang, json),
    }
}

/// Every connection of this run trusts the system's roots, the system policy's CA and the one
/// named for this run. A policy that cannot be read is left to the commands that need it,
/// which fail closed on it.
fn trust_certificates(
    policy: &Result<SystemPolicy, Failure>,
    explicit: Option<&Path>,
    config: &ConfigFile,
) -> Result<(), Failure> {
    if let Ok(policy) = policy {
        policy.apply_trust().map_err(|e| Failure::new(&e))?;
    }
    if let Some(path) = settings::resolve_ca_certificate(explicit, config) {
        settings::trust_ca_file(&path).map_err(|e| Failure::new(&e))?;
    }
    Ok(())
}

struct App {
    dirs: Dirs,
    config: ConfigFile,
    policy: Result<SystemPolicy, Failure>,
    lang: Lang,
    json: bool,
    cancel: Cancel,
}

type Res = Result<(), Failure>;

impl App {
    async fn run(&self, command: Command) -> Res {
        match command {
            Command::Send(a) => self.send(a).await,
            Command::Receive(a) => self.receive(a).await,
            Command::Status(a) => self.status(a).await,
            Command::Revoke(a) => self.revoke(a).await,
            Command::Unlock(a) => self.unlock(a).await,
            Command::Identity(a) => self.identity(a).await,
            Command::Fetch(a) => self.fetch(a).await,
            Command::Login(a) => self.login(a).await,
            Command::Logout(a) => self.logout(a).await,
            Command::Whoami(a) => self.whoami(a).await,
            Command::Transfers(a) => self.transfers(a).await,
            Command::Admin(a) => self.admin(a).await,
        }
    }

    /// The secret store under the system policy's `[secrets] file_fallback` (a policy that
    /// cannot be read forbids the file, as it allows nothing it might have forbidden).
    fn secrets(&self) -> Arc<SecretStore> {
        let allowed = self
            .system_policy()
            .is_ok_and(|p| p.file_fallback_allowed());
        Arc::new(SecretStore::open(&self.dirs).with_file_fallback(allowed))
    }

    /// The store for this run: the system policy's where it names one (another one asked for
    /// with --store or KEPIL_STORE is `store_locked`, and config.toml's gives way), else
    /// --store, KEPIL_STORE or config.toml.
    fn store_url(&self, explicit: Option<&str>) -> Result<url::Url, Failure> {
        let policy = self.system_policy()?;
        if policy.store.url.is_none() {
            return settings::resolve_store(explicit, &self.config).map_err(|e| Failure::new(&e));
        }
        let asked = settings::asked_store(explicit).map_err(|e| Failure::new(&e))?;
        policy
            .store_for(asked)
            .and_then(|store| store.ok_or(ConfigError::NoStore))
            .map_err(|e| Failure::new(&e))
    }

    /// The managed desktop's system policy, which the terminal applies as the app does: the
    /// store, its CA, classifications and caps, sign-in, scanning, trusted stores and where
    /// secrets may be kept (docs/policy.md). A policy that cannot be read fails closed.
    fn system_policy(&self) -> Result<SystemPolicy, Failure> {
        self.policy.clone()
    }

    fn context(&self, store: &url::Url, secrets: Arc<SecretStore>) -> Result<SendContext, Failure> {
        let client = StoreClient::new(store.clone()).map_err(|e| Failure::new(&e))?;
        let policy = self.system_policy()?;
        // KEPIL_TOKEN, else the session of `kepil login`, else a saved machine token; only
        // the session where the system policy requires sign-in.
        let token =
            Bearer::resolve_with(&client, &secrets, &policy).map_err(|e| Failure::new(&e))?;
        Ok(SendContext {
            client,
            token,
            dirs: self.dirs.clone(),
            secrets,
            progress: progress::bars(self.lang),
            cancel: self.cancel.clone(),
            scan: self.scan_setup(&policy, Direction::Send)?,
            system_policy: policy,
        })
    }

    /// The policy's `[scan]`, else `KEPIL_SCANNER` or `scanner` in config.toml.
    fn scan_setup(
        &self,
        policy: &SystemPolicy,
        direction: Direction,
    ) -> Result<ScanSetup, Failure> {
        let configured = settings::resolve_scanner(&self.config);
        ScanSetup::resolve(policy, configured.as_deref(), direction).map_err(|e| Failure::new(&e))
    }

    async fn send(&self, a: SendArgs) -> Res {
        let secrets = self.secrets();
        if let Some(id) = a.resume {
            return self.resume(id, secrets).await;
        }
        // The classification decides everything else, so it is checked first: a RAHSIA
        // request fails here, before any file is opened or the store is contacted.
        let class_text = a.classification.unwrap_or_default();
        let classification: Classification = class_text
            .parse()
            .map_err(|e: kepil_core::classification::ClassificationError| Failure::new(&e))?;
        classification
            .check_sendable()
            .map_err(|e| Failure::new(&SendError::from(e)))?;
        let expires_in = match a.expires.as_deref() {
            Some(text) => Some(duration::parse(text).ok_or_else(|| {
                Failure::coded(
                    "bad_duration",
                    vec![("input", text.chars().take(40).collect())],
                )
            })?),
            None => None,
        };
        // The same rules as the app's Send screen (kepil-client's recipients module).
        let recipients = recipients::check_emails(&a.to).map_err(|e| Failure::new(&e))?;
        let store = self.store_url(a.store.store.as_deref())?;
        let ctx = self.context(&store, secrets)?;
        // Signed in, the sealed sender is the signed-in address (a display name may be added).
        let sender = settings::sender_for(a.from.as_deref(), &self.config, ctx.token.identity())
            .map_err(|e| Failure::new(&e))?;
        let request = SendRequest {
            files: a.files,
            classification,
            recipients,
            expires_in,
            max_downloads: a.max_downloads,
            subject: a.subject,
            message: a.message,
            sender,
        };
        let sent = send::send(&ctx, request)
            .await
            .map_err(|e| Failure::new(&e))?;
        output::print_sent(&sent, self.lang, self.json);
        Ok(())
    }

    async fn resume(&self, id: String, secrets: Arc<SecretStore>) -> Res {
        let pending = send::pending_uploads(&self.dirs);
        let journal = if id.is_empty() {
            match pending.as_slice() {
                [] => return Err(Failure::new(&SendError::NothingToResume)),
                [one] => one.clone(),
                many => {
                    return Err(Failure::new(&SendError::ResumeAmbiguous {
                        ids: many.iter().map(|j| j.transfer_id.clone()).collect(),
                    }));
                }
            }
        } else {
            pending
                .into_iter()
                .find(|j| j.transfer_id == id)
                .ok_or_else(|| Failure::new(&SendError::NothingToResume))?
        };
        let store = settings::parse_store_url(&journal.store).map_err(|e| Failure::new(&e))?;
        let ctx = self.context(&store, secrets)?;
        let sent = send::resume(&ctx, &journal)
            .await
            .map_err(|e| Failure::new(&e))?;
        output::print_sent(&sent, self.lang, self.json);
        Ok(())
    }

    fn read_password(&self, args: &PasswordArgs) -> Result<Password, Failure> {
        let text = if args.password_stdin {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| Failure::coded("stdin", vec![("reason", e.to_string())]))?;
            line
        } else {
            rpassword::prompt_password(t(self.lang, "Kata laluan: ", "Password: ")).map_err(
                |_| Failure::coded("no_terminal", vec![("flag", "--password-stdin".into())]),
            )?
        };
        let password =
            Password::parse(text.trim()).map_err(|e| Failure::new(&ReceiveError::from(e)));
        drop(kepil_client::SecretString::new(text));
        password
    }

    fn parse_link(&self, text: &str) -> Result<Link, Failure> {
        Link::parse(text).map_err(|e| Failure::new(&ReceiveError::from(e)))
    }

    /// The link, once its store is one this computer trusts, or one the person named with
    /// `--allow-store` or confirmed on the terminal: nothing is contacted before.
    fn trusted_link(
        &self,
        text: &str,
        trust: &StoreTrustArgs,
        stdin_taken: bool,
    ) -> Result<(Link, StoreView), Failure> {
        let link = self.parse_link(text)?;
        let policy = self.system_policy()?;
        let configured = settings::resolve_store(None, &self.config).ok();
        let view = StoreTrust::new(&policy, configured.as_ref(), None).judge(link.store_base());
        let allowed = trust
            .allow_store
            .as_deref()
            .is_some_and(|h| h.trim().eq_ignore_ascii_case(&view.host));
        match view.check(allowed) {
            Ok(()) => Ok((link, view)),
            Err(e @ ReceiveError::StoreUnconfirmed { .. })
                if !self.json && !stdin_taken && std::io::stdin().is_terminal() =>
            {
                eprintln!(
                    "kepil: {}",
                    kepil_core::text::visible(&e.message(self.lang))
                );
                eprint!(
                    "{}",
                    t(
                        self.lang,
                        &format!("Hubungi storan {}? [y/T] ", view.host),
                        &format!("Contact the store {}? [y/N] ", view.host),
                    )
                );
                let _ = std::io::stderr().flush();
                let mut answer = String::new();
                std::io::stdin().lock().read_line(&mut answer).ok();
                if is_yes(&answer) {
                    Ok((link, view))
                } else {
                    Err(Failure::new(&e))
                }
            }
            Err(e) => Err(Failure::new(&e)),
        }
    }

    /// Asks for the password only when the grant needs one (TERBUKA links are link-only).
    async fn password_for(
        &self,
        link: &Link,
        args: &PasswordArgs,
    ) -> Result<Option<Password>, Failure> {
        let (_, info) = receive::lookup(link).await.map_err(|e| Failure::new(&e))?;
        if info.classification.requires_password() {
            Ok(Some(self.read_password(args)?))
        } else {
            Ok(None)
        }
    }

    async fn receive(&self, a: ReceiveArgs) -> Res {
        let (link, store) = self.trusted_link(&a.link, &a.trust, a.password.password_stdin)?;
        // A required scanner that is missing or stale refuses here, before the password is
        // proved (which counts a download).
        let scanning = self
            .scan_setup(&self.system_policy()?, Direction::Receive)?
            .prepare_now()
            .await
            .map_err(|e| Failure::new(&ReceiveError::Scan(e)))?;
        let password = self.password_for(&link, &a.password).await?;
        let bars = progress::bars(self.lang);
        let unlocked = receive::unlock(&link, password.as_ref(), &bars)
            .await
            .map_err(|e| Failure::new(&e))?;
        let incoming = unlocked
            .open(bars.clone(), self.cancel.clone())
            .await
            .map_err(|e| Failure::new(&e))?;
        // Everything the recipient should weigh is on the screen before the question, and
        // before anything is written when --yes skips it: the sender as the store verified it,
        // the names as they will be saved, and every warning.
        let warnings = incoming.warnings();
        if !self.json || !a.yes {
            output::show_manifest(
                incoming.manifest(),
                incoming.trust(),
                &incoming.preview(&a.output),
                &a.output,
                &scanning,
                &store,
                self.lang,
            );
        }
        output::show_warnings(&warnings, self.lang);
        if !a.yes && !self.confirm(&a.output, a.password.password_stdin, !warnings.is_empty())? {
            return Err(Failure::new(&ReceiveError::Declined));
        }
        let manifest = incoming.manifest().clone();
        let trust = incoming.trust().clone();
        let saved = incoming
            .save(&a.output, &scanning)
            .await
            .map_err(|e| Failure::new(&e))?;
        progress::clear();
        output::print_saved(
            &manifest, &trust, &warnings, &saved, &scanning, self.lang, self.json,
        );
        Ok(())
    }

    /// y/N on the terminal. Standard input is used only when it is the terminal and not the
    /// password's source; otherwise `/dev/tty`. After warnings the question says so.
    fn confirm(
        &self,
        dir: &std::path::Path,
        stdin_taken: bool,
        warned: bool,
    ) -> Result<bool, Failure> {
        let dir = kepil_core::text::visible(&dir.display().to_string());
        let question = if warned {
            t(
                self.lang,
                &format!("Simpan juga fail-fail ini ke {dir} walaupun ada amaran di atas? [y/T] "),
                &format!("Save these files to {dir} despite the warnings above? [y/N] "),
            )
        } else {
            t(
                self.lang,
                &format!("Simpan fail-fail ini ke {dir}? [y/T] "),
                &format!("Save these files to {dir}? [y/N] "),
            )
        };
        eprint!("{question}");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        if !stdin_taken && std::io::stdin().is_terminal() {
            std::io::stdin().lock().read_line(&mut answer).ok();
        } else if let Ok(tty) = std::fs::File::open("/dev/tty") {
            std::io::BufReader::new(tty).read_line(&mut answer).ok();
        } else {
            return Err(Failure::coded(
                "no_terminal",
                vec![("flag", "--yes".into())],
            ));
        }
        Ok(is_yes(&answer))
    }

    async fn identity(&self, a: IdentityArgs) -> Res {
        let (link, _) = self.trusted_link(&a.link, &a.trust, a.password.password_stdin)?;
        let password = self.password_for(&link, &a.password).await?;
        let identity = receive::identity(&link, password.as_ref(), &progress::silent())
            .await
            .map_err(|e| Failure::new(&e))?;
        println!("{}", identity.expose());
        Ok(())
    }

    async fn fetch(&self, a: FetchArgs) -> Res {
        let (link, _) = self.trusted_link(&a.link, &a.trust, a.password.password_stdin)?;
        let password = self.password_for(&link, &a.password).await?;
        let bars = progress::bars(self.lang);
        let unlocked = receive::unlock(&link, password.as_ref(), &bars)
            .await
            .map_err(|e| Failure::new(&e))?;
        let size = unlocked
            .fetch_raw(&a.output, bars, self.cancel.clone())
            .await
            .map_err(|e| Failure::new(&e))?;
        progress::clear();
        if self.json {
            println!(
                "{}",
                serde_json::json!({"output": a.output, "size": size, "downloads_left": unlocked.downloads_left()})
            );
        } else {
            eprintln!(
                "{}",
                t(
                    self.lang,
                    &format!(
                        "{} bait disimpan ke {} (fail age). Dapatkan kunci dengan `kepil identity`.",
                        size,
                        a.output.display()
                    ),
                    &format!(
                        "{} bytes saved to {} (an age file). Get the key with `kepil identity`.",
                        size,
                        a.output.display()
                    ),
                )
            );
        }
        Ok(())
    }

    async fn status(&self, a: StatusArgs) -> Res {
        let secrets = self.secrets();
        let owned = manage::find(&self.dirs, &secrets, &a.id).map_err(|e| Failure::new(&e))?;
        let status = owned.status().await.map_err(|e| Failure::new(&e))?;
        output::print_status(&status, self.lang, self.json);
        Ok(())
    }

    async fn unlock(&self, a: UnlockArgs) -> Res {
        let secrets = self.secrets();
        let owned = manage::find(&self.dirs, &secrets, &a.id).map_err(|e| Failure::new(&e))?;
        let grant = owned
            .unlock(a.recipient.as_deref())
            .await
            .map_err(|e| Failure::new(&e))?;
        output::print_unlocked(&owned, &grant, self.lang, self.json);
        Ok(())
    }
}

/// A yes to a y/N question (`ya` in Malay).
fn is_yes(answer: &str) -> bool {
    matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "ya" | "yes"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfer_ids_that_start_with_a_dash_are_ids_not_flags() {
        for argv in [
            ["kepil", "status", "-2abcdefghijklmnopqrstu", "--json"],
            ["kepil", "status", "--json", "-2abcdefghijklmnopqrstu"],
        ] {
            let cli = Cli::try_parse_from(argv).expect("parses");
            let Command::Status(args) = cli.command else {
                panic!("not status")
            };
            assert_eq!(args.id, "-2abcdefghijklmnopqrstu");
            assert!(args.json);
        }
        let cli = Cli::try_parse_from([
            "kepil",
            "revoke",
            "-_abcdefghijklmnopqrstu",
            "--recipient",
            "a@b.gov.my",
        ])
        .expect("parses");
        let Command::Revoke(args) = cli.command else {
            panic!("not revoke")
        };
        assert_eq!(args.id, "-_abcdefghijklmnopqrstu");
        assert_eq!(args.recipient.as_deref(), Some("a@b.gov.my"));
    }

    #[test]
    fn sign_in_commands_parse() {
        let cli = Cli::try_parse_from(["kepil", "login", "--provider", "mygovuc", "--no-browser"])
            .expect("parses");
        let Command::Login(args) = cli.command else {
            panic!("not login")
        };
        assert_eq!(args.provider.as_deref(), Some("mygovuc"));
        assert!(args.no_browser && !args.token);
        // A machine token is not signed in with a provider.
        assert!(Cli::try_parse_from(["kepil", "login", "--token", "--provider", "x"]).is_err());
        assert!(Cli::try_parse_from(["kepil", "login", "--token-stdin", "--no-browser"]).is_err());
        let cli = Cli::try_parse_from([
            "kepil",
            "admin",
            "revoke",
            "--transfer",
            "-2abcdefghijklmnopqrstu",
            "--json",
        ])
        .expect("parses");
        let Command::Admin(AdminCommand::Revoke {
            transfer,
            sender,
            account,
        }) = cli.command
        else {
            panic!("not admin revoke")
        };
        assert_eq!(transfer.as_deref(), Some("-2abcdefghijklmnopqrstu"));
        assert!(sender.is_none() && account.json);
        // One transfer or one sender, not both, not neither.
        assert!(Cli::try_parse_from(["kepil", "admin", "revoke"]).is_err());
        assert!(
            Cli::try_parse_from([
                "kepil",
                "admin",
                "revoke",
                "--transfer",
                "T",
                "--sender",
                "a@b.my"
            ])
            .is_err()
        );
        for argv in [
            vec!["kepil", "whoami", "--json"],
            vec!["kepil", "transfers", "--store", "https://s.example"],
            vec!["kepil", "logout"],
            vec!["kepil", "admin", "search", "a@agency.gov.my"],
            vec!["kepil", "admin", "disable", "a@agency.gov.my"],
            vec!["kepil", "admin", "enable", "a@agency.gov.my"],
        ] {
            assert!(Cli::try_parse_from(&argv).is_ok(), "{argv:?}");
        }
    }
}
