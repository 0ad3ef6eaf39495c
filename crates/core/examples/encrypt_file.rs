//! Encrypts one file into a Kepil package, for benchmarks and manual tests.
//!
//! `cargo run --release -p kepil-core --example encrypt_file -- age1RECIPIENT INPUT OUTPUT`
//!
//! Prints the throughput on stderr. The package opens with `age -d -i IDENTITY` or with the
//! `decrypt_file` example.

use std::process::ExitCode;
use std::time::Instant;

use kepil_core::classification::Classification;
use kepil_core::message::{Coded, Lang};
use kepil_core::package::{Cancel, Details, Plan, encrypt};
use time::{Duration, OffsetDateTime};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [recipient, input, output] = args.as_slice() else {
        eprintln!("usage: encrypt_file age1RECIPIENT INPUT OUTPUT");
        return ExitCode::from(2);
    };
    let recipient: age::x25519::Recipient = match recipient.parse() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("bad recipient: {e}");
            return ExitCode::from(2);
        }
    };
    let now = OffsetDateTime::now_utc();
    let details = Details {
        classification: Classification::Terhad,
        sender: "bench@example.gov.my".into(),
        subject: "encrypt_file example".into(),
        message: String::new(),
        created_at: now,
        expires_at: now + Duration::days(7),
        scan: None,
    };
    let start = Instant::now();
    let result = Plan::new(details, [input]).and_then(|plan| {
        let out = std::fs::File::create(output)
            .map_err(|source| kepil_core::package::EncryptError::Write { source })?;
        encrypt(&plan, &[recipient], out, &mut |_| {}, &Cancel::new())?;
        Ok(plan)
    });
    match result {
        Ok(plan) => {
            let secs = start.elapsed().as_secs_f64();
            eprintln!(
                "encrypted {} bytes in {secs:.2} s: {:.0} MB/s (package {} bytes)",
                plan.payload_len(),
                plan.payload_len() as f64 / secs / 1e6,
                plan.encrypted_len(1)
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{} ({})", e.message(Lang::En), e.code());
            ExitCode::FAILURE
        }
    }
}
