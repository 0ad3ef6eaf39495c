//! Throughput of package encryption and extraction on 256 MiB.
//!
//! `cargo bench -p kepil-core --bench package`. Encryption writes to `io::sink()` (reading the
//! file from the page cache); extraction reads the ciphertext from memory and writes into a
//! temporary folder, including the fsyncs and renames.

use std::io::{self, Write};
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kepil_core::classification::Classification;
use kepil_core::package::{Cancel, Details, PackageReader, Plan, encrypt};
use time::{Duration, OffsetDateTime};

const SIZE: usize = 256 * 1024 * 1024;

fn details() -> Details {
    let now = OffsetDateTime::now_utc();
    Details {
        classification: Classification::Sulit,
        sender: "bench@example.gov.my".into(),
        subject: "bench".into(),
        message: String::new(),
        created_at: now,
        expires_at: now + Duration::days(7),
        scan: None,
    }
}

/// A 256 MiB file of non-repeating bytes (a cheap xorshift, so it does not compress away on
/// any layer).
fn make_input(dir: &std::path::Path) -> PathBuf {
    let path = dir.join("input.bin");
    let mut f = io::BufWriter::new(std::fs::File::create(&path).expect("create input"));
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut block = vec![0u8; 1 << 20];
    for _ in 0..SIZE / block.len() {
        for chunk in block.chunks_exact_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chunk.copy_from_slice(&x.to_le_bytes());
        }
        f.write_all(&block).expect("write input");
    }
    f.flush().expect("flush input");
    path
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = make_input(dir.path());
    let identity = age::x25519::Identity::generate();
    let recipients = [identity.to_public()];
    let plan = Plan::new(details(), [&input]).expect("plan");
    let cancel = Cancel::new();

    let mut group = c.benchmark_group("package");
    group.sample_size(10);
    // Ten samples of 0.5–1.5 s each: give criterion the time instead of a warning.
    group.measurement_time(std::time::Duration::from_secs(20));
    group.throughput(Throughput::Bytes(SIZE as u64));

    group.bench_function("encrypt_256MiB", |b| {
        b.iter(|| {
            encrypt(&plan, &recipients, io::sink(), &mut |_| {}, &cancel).expect("encrypt");
        })
    });

    let mut ciphertext = Vec::with_capacity(plan.encrypted_len(1) as usize);
    encrypt(&plan, &recipients, &mut ciphertext, &mut |_| {}, &cancel).expect("encrypt");
    group.bench_function("decrypt_extract_256MiB", |b| {
        b.iter(|| {
            let out = tempfile::tempdir_in(dir.path()).expect("out dir");
            let reader = PackageReader::open(&ciphertext[..], &identity).expect("open");
            let saved = reader
                .extract_to(out.path(), &mut |_| {}, &cancel)
                .expect("extract");
            assert_eq!(saved.len(), 1);
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
