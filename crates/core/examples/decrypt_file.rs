//! Opens a Kepil package and extracts its files, for benchmarks and manual tests.
//!
//! `cargo run --release -p kepil-core --example decrypt_file -- IDENTITY_FILE PACKAGE OUT_DIR`
//!
//! IDENTITY_FILE holds an `AGE-SECRET-KEY-1...` line (as written by `age-keygen` or exported
//! by Kepil). Prints the manifest and the throughput on stderr.

use std::process::ExitCode;
use std::time::Instant;

use kepil_core::message::{Coded, Lang};
use kepil_core::package::{Cancel, PackageReader};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [identity_file, package, out_dir] = args.as_slice() else {
        eprintln!("usage: decrypt_file IDENTITY_FILE PACKAGE OUT_DIR");
        return ExitCode::from(2);
    };
    let identity: Option<age::x25519::Identity> = std::fs::read_to_string(identity_file)
        .ok()
        .and_then(|text| {
            text.lines()
                .map(str::trim)
                .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
                .and_then(|l| l.parse().ok())
        });
    let Some(identity) = identity else {
        eprintln!("no AGE-SECRET-KEY-1 identity in {identity_file}");
        return ExitCode::from(2);
    };
    let start = Instant::now();
    let input = match std::fs::File::open(package) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("cannot open {package}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = PackageReader::open(input, &identity).and_then(|reader| {
        let m = reader.manifest();
        eprintln!(
            "{} file(s), {}, from {}: {}",
            m.files.len(),
            m.classification,
            m.sender,
            m.subject
        );
        let total = reader.payload_len();
        let saved = reader.extract_to(out_dir.as_ref(), &mut |_| {}, &Cancel::new())?;
        Ok((saved, total))
    });
    match result {
        Ok((saved, total)) => {
            let secs = start.elapsed().as_secs_f64();
            for s in &saved {
                eprintln!("saved {} ({} bytes)", s.path.display(), s.size);
            }
            eprintln!(
                "decrypted {total} bytes in {secs:.2} s: {:.0} MB/s",
                total as f64 / secs / 1e6
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{} ({})", e.message(Lang::En), e.code());
            ExitCode::FAILURE
        }
    }
}
