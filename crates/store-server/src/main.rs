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
    #[arg(long, global = true, value_name = "URL")]
    metadata: Option<String>,
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
    /// Uploader tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create a token for USER and print it (shown once; only its hash is kept).
    Create {
        #[arg(long)]
        user: String,
    },
    /// List tokens (ids and users, never the tokens).
    List,
    /// Revoke a token by its id.
    Revoke {
        // Base64url ids may start with '-'; they must not be taken for flags.
        #[arg(allow_hyphen_values = true)]
        id: String,
    },
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
        metadata: cli.metadata.map(kepil_store::DatabaseUrl::new),
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
                TokenCommand::Create { user } => {
                    println!("{}", admin::create_token(&config, &user).await?);
                }
                TokenCommand::List => {
                    for t in admin::list_tokens(&config).await? {
                        let state = if t.revoked { "revoked" } else { "active" };
                        println!("{}\t{}\t{}\t{}", t.id, t.user, t.created_at, state);
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
    }
    Ok(())
}
