//! What a recipient (one derivation) and a sender of several recipients (`derive_many`) pay for
//! the default Argon2id parameters on this machine. design.md budgets about 0.2 s for one.

use criterion::{Criterion, criterion_group, criterion_main};
use kepil_core::kdf::{GrantInput, KdfParams, LinkSecret, derive, derive_many};
use kepil_core::password::Password;

const TRANSFER_ID: &str = "AAAAAAAAAAAAAAAAAAAAAA";

fn kdf(c: &mut Criterion) {
    let mut group = c.benchmark_group("kdf");
    group.sample_size(10);
    let password = Password::generate();
    let secret = LinkSecret::generate();
    let params = KdfParams::DEFAULT;
    group.bench_function("derive default (m=64MiB,t=3,p=4)", |b| {
        b.iter(|| derive(Some(&password), &secret, TRANSFER_ID, &params).expect("derive"))
    });

    let passwords: Vec<Password> = (0..4).map(|_| Password::generate()).collect();
    let secrets: Vec<LinkSecret> = (0..4).map(|_| LinkSecret::generate()).collect();
    let inputs: Vec<GrantInput<'_>> = passwords
        .iter()
        .zip(&secrets)
        .map(|(password, secret)| GrantInput {
            password: Some(password),
            secret,
        })
        .collect();
    group.bench_function("derive_many 4 recipients", |b| {
        b.iter(|| derive_many(&inputs, TRANSFER_ID, &params).expect("derive_many"))
    });
    group.finish();
}

criterion_group!(benches, kdf);
criterion_main!(benches);
