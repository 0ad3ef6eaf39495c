//! A real PostgreSQL 15 for tests: a throwaway cluster under a temporary directory, on a free
//! loopback port, stopped and removed on drop. Share one `Postgres` between several store
//! instances (or pools) to test what must be exact across instances.
//!
//! The Debian package `postgresql-15` provides the binaries (scripts/setup installs it); when
//! they are missing the test fails, naming the package, rather than skipping: a skipped
//! backend test would pass CI without testing anything. `KEPIL_TEST_PG_BIN` points elsewhere.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Test cluster superuser and password. The password makes the tests go through SCRAM
/// authentication and the password-redaction paths, as a real deployment does.
pub const PG_USER: &str = "kepil";
pub const PG_PASSWORD: &str = "pg-test-Secret-9f3a";

#[derive(Debug)]
pub struct Postgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    /// Run the server tools as the `postgres` user (they refuse to run as root).
    as_postgres: bool,
    /// How long `start` took, for the report.
    pub started_in: Duration,
    /// With TLS: the PEM file that verifies the server's certificate.
    tls_root: Option<PathBuf>,
}

fn bin_dir() -> PathBuf {
    let dir = std::env::var_os("KEPIL_TEST_PG_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/lib/postgresql/15/bin"));
    if !dir.join("initdb").exists() || !dir.join("pg_ctl").exists() {
        panic!(
            "PostgreSQL 15 server binaries (initdb, pg_ctl) not found in {}: install the Debian \
             package postgresql-15 (`apt-get install -y postgresql-15`; scripts/setup does it), \
             or set KEPIL_TEST_PG_BIN to their directory",
            dir.display()
        );
    }
    dir
}

fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    // /proc/self belongs to the process's effective user: no libc call needed.
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn check(what: &str, out: std::io::Result<Output>, log: Option<&Path>) -> Output {
    let out = out.unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    if !out.status.success() {
        let log = log
            .and_then(|p| std::fs::read_to_string(p).ok())
            .unwrap_or_default();
        panic!(
            "{what} failed ({}):\nstdout: {}\nstderr: {}\nserver log:\n{log}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    out
}

impl Postgres {
    /// initdb, start, create the `kepil` database. About a second.
    pub fn start() -> Postgres {
        Self::start_inner(false)
    }

    /// As `start`, with TLS on (a fresh self-signed certificate for 127.0.0.1 and localhost);
    /// [`Postgres::tls_url`] verifies it.
    pub fn start_tls() -> Postgres {
        Self::start_inner(true)
    }

    fn start_inner(tls: bool) -> Postgres {
        let begun = Instant::now();
        let bin = bin_dir();
        let as_postgres = running_as_root();
        let dir = tempfile::Builder::new()
            .prefix("kepil-pg")
            .tempdir()
            .unwrap();
        if as_postgres {
            chown_to_postgres(dir.path());
        }
        let pwfile = dir.path().join("pw");
        std::fs::write(&pwfile, PG_PASSWORD).unwrap();
        if as_postgres {
            chown_to_postgres(&pwfile);
        }
        let mut pg = Postgres {
            dir,
            bin,
            port: 0,
            as_postgres,
            started_in: Duration::ZERO,
            tls_root: None,
        };
        let data = pg.data_dir();
        check(
            "initdb",
            pg.tool("initdb")
                .arg("-D")
                .arg(&data)
                .args(["-U", PG_USER, "--auth=scram-sha-256", "--no-sync"])
                .args(["-E", "UTF8", "--locale=C"])
                .arg(format!("--pwfile={}", pwfile.display()))
                .output(),
            None,
        );
        std::fs::remove_file(&pwfile).unwrap();
        let mut server_opts = String::new();
        if tls {
            let cert = rcgen::generate_simple_self_signed(vec![
                "localhost".to_string(),
                "127.0.0.1".to_string(),
            ])
            .unwrap();
            let (crt, key) = (data.join("server.crt"), data.join("server.key"));
            std::fs::write(&crt, cert.cert.pem()).unwrap();
            std::fs::write(&key, cert.key_pair.serialize_pem()).unwrap();
            // PostgreSQL refuses a key readable by others.
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
            if as_postgres {
                chown_to_postgres(&crt);
                chown_to_postgres(&key);
            }
            let root = pg.dir.path().join("root.pem");
            std::fs::write(&root, cert.cert.pem()).unwrap();
            pg.tls_root = Some(root);
            server_opts.push_str(" -c ssl=on");
        }
        // A port probed free can be taken before the server binds it: try a few.
        let mut last = None;
        for _ in 0..3 {
            pg.port = free_port();
            let out = pg
                .tool("pg_ctl")
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(pg.log_path())
                .args(["-w", "-t", "30", "start", "-o"])
                .arg(format!(
                    "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off \
                     -c synchronous_commit=off -c full_page_writes=off -c max_connections=300\
                     {server_opts}",
                    pg.port,
                    pg.dir.path().display()
                ))
                .output();
            match out {
                Ok(o) if o.status.success() => {
                    last = None;
                    break;
                }
                other => last = Some(other),
            }
        }
        if let Some(out) = last {
            check("pg_ctl start", out, Some(&pg.log_path()));
        }
        pg.create_database("kepil");
        pg.started_in = begun.elapsed();
        eprintln!(
            "PostgreSQL 15 ready on 127.0.0.1:{} in {:?}",
            pg.port, pg.started_in
        );
        pg
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    fn tool(&self, name: &str) -> Command {
        let path = self.bin.join(name);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        };
        cmd.current_dir(self.dir.path());
        cmd
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of database `kepil`, password included.
    pub fn url(&self) -> String {
        self.url_of("kepil")
    }

    pub fn url_of(&self, database: &str) -> String {
        format!(
            "postgres://{PG_USER}:{PG_PASSWORD}@127.0.0.1:{}/{database}?sslmode=disable",
            self.port
        )
    }

    /// The URL of database `kepil` over TLS, verifying the server's certificate and name.
    pub fn tls_url(&self) -> String {
        let root = self.tls_root.as_ref().expect("started with start_tls");
        format!(
            "postgres://{PG_USER}:{PG_PASSWORD}@127.0.0.1:{}/kepil?sslmode=verify-full\
             &sslrootcert={}",
            self.port,
            root.display()
        )
    }

    /// Creates another empty database (a fresh schema for a test sharing this server) and
    /// returns its URL.
    pub fn create_database(&self, name: &str) -> String {
        check(
            "createdb",
            Command::new(self.bin.join("createdb"))
                .args([
                    "-h",
                    "127.0.0.1",
                    "-p",
                    &self.port.to_string(),
                    "-U",
                    PG_USER,
                ])
                .arg(name)
                .env("PGPASSWORD", PG_PASSWORD)
                .output(),
            Some(&self.log_path()),
        );
        self.url_of(name)
    }

    /// The server log so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }
}

fn chown_to_postgres(path: &Path) {
    let out = check(
        "id -u postgres",
        Command::new("id").args(["-u", "postgres"]).output(),
        None,
    );
    let uid: u32 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    let out = check(
        "id -g postgres",
        Command::new("id").args(["-g", "postgres"]).output(),
        None,
    );
    let gid: u32 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap();
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // Immediate: nothing to keep, and it takes milliseconds. The directory goes with
        // `dir` afterwards.
        let _ = self
            .tool("pg_ctl")
            .arg("-D")
            .arg(self.data_dir())
            .args(["-m", "immediate", "-w", "stop"])
            .output();
    }
}
