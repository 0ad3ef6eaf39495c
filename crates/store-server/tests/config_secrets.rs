//! The real `kepil-store` binary given configurations that hold a secret (a random canary) in
//! a bad line, a database URL, an S3 setting or a variable: whatever it prints on stdout and
//! stderr, at the most verbose log level, never holds the canary, and its message still says
//! where the problem is.

use std::path::Path;
use std::process::Command;

use kepil_test_support::canary::{Canary, canaries_in};
use rand::RngCore;

const BIN: &str = env!("CARGO_BIN_EXE_kepil-store");

/// `canary-` and 16 random hex digits: in no message by chance.
fn canary() -> String {
    let mut bytes = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("canary-{hex}")
}

struct Run {
    ok: bool,
    /// stdout and stderr together.
    output: String,
}

/// Runs `kepil-store ARGS` with `config` (when given) as its config file and `env` set, and
/// checks that nothing it printed holds `secret`, also in part or in lower case.
fn run(dir: &Path, secret: &str, config: Option<&str>, env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut command = Command::new(BIN);
    for var in [
        "KEPIL_STORE_CONFIG",
        "KEPIL_STORE_METADATA",
        "KEPIL_STORE_LISTEN",
        "KEPIL_STORE_BLOBS",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_S3",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "PGPASSWORD",
    ] {
        command.env_remove(var);
    }
    // Everything any crate would log, sqlx's connection handling included.
    command.env("RUST_LOG", "trace").args(args);
    command.arg("--data-dir").arg(dir.join("data"));
    if let Some(text) = config {
        let path = dir.join("store.toml");
        std::fs::write(&path, text).unwrap();
        command.arg("--config").arg(&path);
    }
    command.envs(env.iter().copied());
    let out = command.output().unwrap();
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let canaries = [
        Canary {
            label: format!("the secret {secret}"),
            bytes: secret.as_bytes().to_vec(),
            ignore_case: true,
        },
        // Its random half alone: a message that clips or re-encodes the value.
        Canary {
            label: format!("part of {secret}"),
            bytes: secret.as_bytes()["canary-".len()..].to_vec(),
            ignore_case: true,
        },
    ];
    let found = canaries_in(output.as_bytes(), &canaries);
    assert!(found.is_empty(), "{found:?} printed by {args:?}:\n{output}");
    Run {
        ok: out.status.success(),
        output,
    }
}

fn assert_says(run: &Run, says: &[&str]) {
    assert!(!run.ok, "succeeded:\n{}", run.output);
    for s in says {
        assert!(run.output.contains(s), "{s:?} not in:\n{}", run.output);
    }
}

const SERVE: &[&str] = &["serve", "--listen", "127.0.0.1:0"];
/// Nothing listens on port 1 of loopback: connecting is refused at once.
const NOWHERE: &str = "127.0.0.1:1";

#[test]
fn a_bad_config_line_holding_a_secret_is_located_but_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let secret = canary();
    let url = format!("postgres://kepil:{secret}@db.agensi.gov.my/kepil");
    let cases = [
        // A type error on the secret's line.
        (
            format!("listen = \"127.0.0.1:0\"\nmetadata = [\"{url}\"]\n"),
            "line 2, column 12, key `metadata`: expected a string, found an array",
        ),
        (
            format!("[s3]\nsecret_access_key = {{ key = \"{secret}\" }}\n"),
            "line 2, column 21, key `s3.secret_access_key`: expected a string, found a table",
        ),
        // An unknown key's value.
        (
            format!("[s3]\nsecret_key = \"{secret}\"\n"),
            "line 2, column 1, key `s3.secret_key`: unknown key, expected one of `endpoint`",
        ),
        // A syntax error: the string the secret is in never ends.
        (
            format!("listen = \"127.0.0.1:0\"\nmetadata = \"{url}\n"),
            "line 2, column 76, key `metadata`: invalid basic string, expected `\"`",
        ),
        (
            format!("[s3]\nsecret_access_key = \"{secret}\" # rotated\nsecret_access_key = 1\n"),
            "line 3, column 1: duplicate key",
        ),
        // A value whose own error message quotes it.
        (
            format!(
                "[[classifications]]\nclassification = \"{secret}\"\nmax_expiry_secs = 60\n\
                 default_expiry_secs = 30\n"
            ),
            "line 2, column 18, key `classifications[0].classification`: Classification",
        ),
    ];
    for (config, says) in cases {
        let run = run(dir.path(), &secret, Some(&config), &[], SERVE);
        assert_says(&run, &["invalid config file", "store.toml", says]);
    }
}

#[test]
fn a_database_password_is_never_printed_when_connecting_fails() {
    let dir = tempfile::tempdir().unwrap();
    let secret = canary();
    // `kepil-store migrate --metadata URL`, nothing else configured.
    let migrate_with = |url: &str| {
        run(
            dir.path(),
            &secret,
            None,
            &[],
            &["migrate", "--metadata", url],
        )
    };
    let url = format!("postgres://kepil:{secret}@{NOWHERE}/kepil");
    let says = ["cannot connect to PostgreSQL", NOWHERE];

    // In the file, in KEPIL_STORE_METADATA (which overrides the file), and as the flag.
    let config = format!("metadata = \"{url}\"\n");
    let run_file = run(dir.path(), &secret, Some(&config), &[], &["migrate"]);
    assert_says(&run_file, &says);
    let env = [("KEPIL_STORE_METADATA", url.as_str())];
    let config = "metadata = \"sqlite:/nonexistent/store.db\"\n";
    assert_says(
        &run(dir.path(), &secret, Some(config), &env, &["migrate"]),
        &says,
    );
    assert_says(&migrate_with(&url), &says);

    // As a URL parameter, and as libpq's `sslpassword`, which the driver does not read (and
    // would have logged with its value).
    let url = format!("postgres://kepil@{NOWHERE}/kepil?password={secret}");
    assert_says(&migrate_with(&url), &says);
    let url = format!("postgres://kepil@{NOWHERE}/kepil?sslmode=require&sslpassword={secret}");
    assert_says(&migrate_with(&url), &["metadata", "`sslpassword`"]);
    // A password with an unencoded '/': the URL parses when what precedes it looks like a
    // port, with the password's tail in the path.
    let url = format!("postgres://kepil:12/{secret}@{NOWHERE}/kepil");
    assert_says(&migrate_with(&url), &["metadata", "percent-encoded"]);
    let url = format!("postgres://kepil:x/{secret}@{NOWHERE}/kepil");
    assert_says(
        &migrate_with(&url),
        &["metadata: invalid PostgreSQL URL", "invalid port number"],
    );
    // Not a database URL at all.
    let url = format!("mysql://kepil:{secret}@{NOWHERE}/kepil");
    assert_says(&migrate_with(&url), &["metadata must be"]);
}

#[test]
fn s3_keys_are_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let secret = canary();
    // Keys in the endpoint's user-info, in the file and in AWS_ENDPOINT_URL.
    let config = format!(
        "blobs = \"s3://kepil-blobs\"\n[s3]\nendpoint = \"http://AK:{secret}@{NOWHERE}\"\n\
         allow_http = true\naccess_key_id = \"AK\"\nsecret_access_key = \"SK\"\n"
    );
    assert_says(
        &run(dir.path(), &secret, Some(&config), &[], SERVE),
        &["s3.endpoint", "access_key_id"],
    );
    let endpoint = format!("http://AK:{secret}@{NOWHERE}");
    let env = [
        ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", "AK"),
        ("AWS_SECRET_ACCESS_KEY", "SK"),
    ];
    let config = "blobs = \"s3://kepil-blobs\"\n[s3]\nallow_http = true\n";
    assert_says(
        &run(dir.path(), &secret, Some(config), &env, SERVE),
        &["s3.endpoint"],
    );
    // Keys pasted into `blobs`.
    let blobs = format!("s3://AK:{secret}@kepil-blobs/dc1");
    assert_says(
        &run(
            dir.path(),
            &secret,
            None,
            &[("KEPIL_STORE_BLOBS", &blobs)],
            SERVE,
        ),
        &["blobs must be s3://bucket/prefix"],
    );
    // A valid configuration whose object store is not there: the keys go into the signed
    // requests, never into the message.
    let env = [
        ("AWS_ENDPOINT_URL", &format!("http://{NOWHERE}") as &str),
        ("AWS_ACCESS_KEY_ID", &format!("AK{secret}")),
        ("AWS_SECRET_ACCESS_KEY", &secret),
    ];
    assert_says(
        &run(dir.path(), &secret, Some(config), &env, SERVE),
        &["cannot reach S3", NOWHERE],
    );
}

#[test]
fn a_bad_variable_is_named_without_its_value() {
    let dir = tempfile::tempdir().unwrap();
    let secret = canary();
    for var in [
        "KEPIL_STORE_LISTEN",
        "KEPIL_STORE_MAX_DOWNLOADS",
        "KEPIL_STORE_BEHIND_PROXY",
    ] {
        assert_says(
            &run(dir.path(), &secret, None, &[(var, &secret)], SERVE),
            &[var],
        );
    }
}
