//! `kepil-store`: serve the store, migrate its database, or administer uploader tokens.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kepil_store::{Server, admin};

mod load;
use load::{LoadError, Overrides, load};

/// Everything `run` can fail with; printed as one line.
#[derive(Debug, thiserror::Error)]
enum RunError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Store(#[from] kepil_store::StoreError),
    #[error(transparent)]
    Storage(#[from] kepil_store::storage::StorageError),
}

#[derive(Debug, Parser)]
#[command(
    name = "kepil-store",
    version,
    about = "Kepil temporary store for encrypted attachments"
)]
struct Cli {
    /// TOML configuration file.
    #[arg(long, global = true, env = "KEPIL_STORE_CONFIG")]
    config: Option<PathBuf>,
    /// Data directory (overrides the file and KEPIL_STORE_DATA_DIR).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Blob backend: file:PATH or s3://bucket/prefix (overrides the file and
    /// KEPIL_STORE_BLOBS).
    #[arg(long, global = true)]
    blobs: Option<String>,
    /// Metadata backend, `sqlite:PATH` or `postgres://USER@HOST:PORT/DATABASE` (overrides the
    /// file and KEPIL_STORE_METADATA). Command lines are visible to other users: keep the
    /// password in PGPASSWORD or ~/.pgpass.
    #[arg(long, global = true, value_name = "URL", value_parser = database_url)]
    metadata: Option<kepil_store::DatabaseUrl>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the store until SIGTERM / Ctrl-C.
    Serve {
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// A TLS-terminating proxy is in front: allow plain HTTP off loopback and trust
        /// X-Forwarded-For.
        #[arg(long)]
        behind_proxy: bool,
    },
    /// Apply pending database migrations and exit. Safe while older instances serve:
    /// migrations only add. `serve` migrates SQLite itself, but on PostgreSQL refuses an
    /// older schema unless auto_migrate = true.
    Migrate,
    /// Machine tokens (service accounts, scripts): people sign in instead.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// What administrators do, here on the store host (the admin API does the same remotely):
    /// audited as `local:$USER`.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// List a person's live transfers.
    Transfers { email: String },
    /// Revoke one transfer, or every live transfer of a sender (a mis-sent SULIT file).
    Revoke {
        #[arg(
            long,
            allow_hyphen_values = true,
            conflicts_with = "sender",
            required_unless_present = "sender"
        )]
        transfer: Option<String>,
        #[arg(long)]
        sender: Option<String>,
    },
    /// Disable an identity: its sessions end now, new sign-ins and its tokens are refused.
    Disable { email: String },
    /// Enable a disabled identity again.
    Enable { email: String },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create a token for USER and print it (shown once; only its hash is kept).
    Create {
        #[arg(long)]
        user: String,
        /// What it is for (`scanner-export`), shown by `token list`.
        #[arg(long, default_value = "")]
        name: String,
        /// Days until it stops working (default: identity.token_default_days, 90).
        #[arg(long)]
        days: Option<u32>,
    },
    /// List tokens (never the tokens): id, user, name, created, expires, last used, state.
    List,
    /// Revoke a token by its id.
    Revoke {
        // Base64url ids may start with '-'; they must not be taken for flags.
        #[arg(allow_hyphen_values = true)]
        id: String,
    },
}

/// Straight into the type whose `Debug` hides the password: `Cli` derives `Debug`.
fn database_url(url: &str) -> Result<kepil_store::DatabaseUrl, std::convert::Infallible> {
    Ok(kepil_store::DatabaseUrl::new(url))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kepil-store: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kepil-store: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), RunError> {
    let mut overrides = Overrides {
        data_dir: cli.data_dir,
        blobs: cli.blobs,
        metadata: cli.metadata,
        ..Overrides::default()
    };
    match cli.command {
        Command::Serve {
            listen,
            behind_proxy,
        } => {
            overrides.listen = listen;
            overrides.behind_proxy = behind_proxy;
            let config = load(cli.config.as_deref(), &overrides)?;
            let server = Server::bind(config).await?;
            // Scripts and tests read the bound address from here (port 0 picks one).
            println!("listening on {}", server.base_url());
            server.run_until_signal().await;
        }
        Command::Migrate => {
            let config = load(cli.config.as_deref(), &overrides)?;
            let report = kepil_store::backends::migrate(&config).await?;
            println!("kepil-store migrate: {report}");
        }
        Command::Token { command } => {
            let config = load(cli.config.as_deref(), &overrides)?;
            match command {
                TokenCommand::Create { user, name, days } => {
                    let new = admin::NewToken { user, name, days };
                    println!("{}", admin::create_named_token(&config, &new).await?);
                }
                TokenCommand::List => {
                    let now = time::OffsetDateTime::now_utc().unix_timestamp();
                    for t in admin::list_tokens(&config).await? {
                        let last = t.last_used_at.map_or_else(|| "never".into(), date);
                        println!(
                            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                            t.id,
                            t.user,
                            if t.name.is_empty() { "-" } else { &t.name },
                            date(t.created_at),
                            date(t.expires_at),
                            last,
                            t.state(now)
                        );
                    }
                }
                TokenCommand::Revoke { id } => {
                    if !admin::revoke_token(&config, &id).await? {
                        return Err(kepil_store::StoreError::Invalid(format!(
                            "no active token with id {id}"
                        ))
                        .into());
                    }
                    println!("revoked {id}");
                }
            }
        }
        Command::Admin { command } => {
            let config = load(cli.config.as_deref(), &overrides)?;
            match command {
                AdminCommand::Transfers { email } => {
                    for t in admin::live_transfers(&config, &email).await? {
                        println!(
                            "{}\t{}\t{}\t{} bytes\t{} grants\t{} downloads\texpires {}",
                            t.transfer_id,
                            t.sender,
                            t.classification.as_str(),
                            t.size,
                            t.grants,
                            t.downloads,
                            date(t.expires_at.unix_timestamp())
                        );
                    }
                }
                AdminCommand::Revoke { transfer, sender } => {
                    let n = admin::revoke(&config, transfer.as_deref(), sender.as_deref()).await?;
                    println!("revoked {n} transfer(s)");
                }
                AdminCommand::Disable { email } => {
                    let changed = admin::set_disabled(&config, &email, true).await?;
                    println!(
                        "{email}: {}",
                        if changed {
                            "disabled"
                        } else {
                            "already disabled"
                        }
                    );
                }
                AdminCommand::Enable { email } => {
                    let changed = admin::set_disabled(&config, &email, false).await?;
                    println!(
                        "{email}: {}",
                        if changed { "enabled" } else { "not disabled" }
                    );
                }
            }
        }
    }
    Ok(())
}

/// A unix time as `2026-12-01T09:30:00Z`, for people reading `token list`.
fn date(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| secs.to_string())
}
