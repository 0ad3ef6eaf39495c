//! Interoperability with the reference Go `age` tool (Debian package `age`, /usr/bin/age):
//! a Kepil package opens with `age -d` and the exported identity (no lock-in), and a file
//! encrypted by `age -r` to a derived recipient opens through Kepil's age layer.
//!
//! These tests FAIL (not skip) when the tool is missing: CI installs it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use kepil_core::kdf::{self, KdfParams, LinkSecret};
use kepil_core::package::{Cancel, PackageReader, Plan, encrypt, open_age};
use kepil_core::password::Password;

fn age_bin() -> PathBuf {
    let bin = PathBuf::from("/usr/bin/age");
    assert!(
        bin.exists(),
        "the age CLI is required for the interoperability tests: apt-get install age"
    );
    bin
}

fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().expect("run age");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Grant keys derived exactly as the app does (Argon2id + HKDF), for one recipient.
fn grant() -> kdf::GrantKeys {
    let password = Password::generate();
    let secret = LinkSecret::generate();
    kdf::derive(
        Some(&password),
        &secret,
        "tr_interop_test",
        &KdfParams::DEFAULT,
    )
    .expect("derive")
}

fn write_identity(dir: &Path, keys: &kdf::GrantKeys) -> PathBuf {
    let path = dir.join("identity.txt");
    let exported = keys.export_identity();
    assert!(exported.expose().starts_with("AGE-SECRET-KEY-1"));
    std::fs::write(&path, format!("{}\n", exported.expose())).unwrap();
    path
}

/// An independent parse of the payload layout (not Kepil's reader): magic, version,
/// manifest, then each file and its BLAKE3 hash (format 2), then nothing.
fn parse_payload(p: &[u8]) -> (serde_json::Value, Vec<Vec<u8>>) {
    assert_eq!(&p[..9], b"KEPIL\0PKG");
    assert_eq!(p[9], 2);
    let len = u32::from_be_bytes(p[10..14].try_into().unwrap()) as usize;
    let manifest: serde_json::Value = serde_json::from_slice(&p[14..14 + len]).unwrap();
    let mut at = 14 + len;
    let mut files = vec![];
    for f in manifest["files"].as_array().unwrap() {
        let size = f["size"].as_u64().unwrap() as usize;
        let data = p[at..at + size].to_vec();
        assert_eq!(
            &p[at + size..at + size + 32],
            blake3::hash(&data).as_bytes()
        );
        at += size + 32;
        files.push(data);
    }
    assert_eq!(at, p.len(), "nothing after the last file");
    (manifest, files)
}

#[test]
fn a_kepil_package_decrypts_with_the_age_cli_and_the_exported_identity() {
    let age = age_bin();
    let keys = grant();
    let other = age::x25519::Identity::generate();
    let dir = tempfile::tempdir().unwrap();
    // Several chunks, an empty file, an exact chunk multiple.
    let files = write_files(dir.path(), &[200_000, 0, 65_536], 11);
    let plan = Plan::new(details(), files.iter().map(|(p, _)| p)).unwrap();
    let recipients = [other.to_public(), keys.recipient()];
    let pkg = dir.path().join("package.age");
    let out = std::fs::File::create(&pkg).unwrap();
    encrypt(&plan, &recipients, out, &mut |_| {}, &Cancel::new()).unwrap();
    assert_eq!(
        std::fs::metadata(&pkg).unwrap().len(),
        plan.encrypted_len(2)
    );

    let identity = write_identity(dir.path(), &keys);
    let payload = run(Command::new(&age)
        .arg("-d")
        .arg("-i")
        .arg(&identity)
        .arg(&pkg));
    assert_eq!(payload.len() as u64, plan.payload_len());
    let (manifest, contents) = parse_payload(&payload);
    assert_eq!(manifest["classification"], "SULIT");
    assert_eq!(manifest["files"][2]["name"], "f2.bin");
    assert_eq!(contents.len(), 3);
    for ((_, data), got) in files.iter().zip(&contents) {
        assert_eq!(data, got);
    }
}

#[test]
fn a_file_encrypted_by_the_age_cli_opens_through_kepils_age_layer() {
    let age = age_bin();
    let keys = grant();
    let dir = tempfile::tempdir().unwrap();

    // Plain age layer: arbitrary bytes over several chunks.
    let plain = bytes(3 * 65_536 + 123, 5);
    let input = dir.path().join("plain.bin");
    std::fs::write(&input, &plain).unwrap();
    let enc = dir.path().join("plain.age");
    run(Command::new(&age)
        .arg("-r")
        .arg(keys.recipient().to_string())
        .arg("-o")
        .arg(&enc)
        .arg(&input));
    let ct = std::fs::read(&enc).unwrap();
    let mut reader = open_age(&ct[..], &keys.identity).unwrap();
    let mut got = vec![0u8; plain.len() + 10];
    let n = reader.read_full(&mut got).unwrap();
    assert_eq!(&got[..n], &plain[..]);

    // A Kepil payload encrypted by the Go tool extracts with the package reader.
    let json = manifest_json(&[("laporan.pdf", 5)]);
    let payload = raw_payload(1, &json, &[(b"hello".to_vec(), sha256(b"hello"))], &[]);
    std::fs::write(&input, &payload).unwrap();
    run(Command::new(&age)
        .arg("-r")
        .arg(keys.recipient().to_string())
        .arg("-o")
        .arg(&enc)
        .arg(&input));
    let ct = std::fs::read(&enc).unwrap();
    let out = tempfile::tempdir().unwrap();
    let saved = PackageReader::open(&ct[..], &keys.identity)
        .unwrap()
        .extract_to(out.path(), &mut |_| {}, &Cancel::new())
        .unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(std::fs::read(&saved[0].path).unwrap(), b"hello");

    // And the Go tool's files for someone else are a wrong key for us.
    let stranger = age::x25519::Identity::generate();
    assert!(matches!(
        open_age(&ct[..], &stranger).unwrap_err(),
        kepil_core::package::DecryptError::WrongKey
    ));
}
