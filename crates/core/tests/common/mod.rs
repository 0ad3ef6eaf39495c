//! Helpers shared by the package tests.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

use kepil_core::classification::Classification;
use kepil_core::package::{Cancel, DecryptError, Details, PackageReader, Plan, SavedFile, encrypt};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

pub fn details() -> Details {
    let now = OffsetDateTime::now_utc();
    Details {
        classification: Classification::Sulit,
        sender: "pegawai@agensi.gov.my".into(),
        subject: "Rujukan: KPM.100-1/2/3 Jld. 4 (5)".into(),
        message: "Sila ambil tindakan. Terima kasih.".into(),
        created_at: now,
        expires_at: now + Duration::days(7),
        scan: None,
    }
}

/// Deterministic, non-repeating bytes (xorshift), so files differ and chunks do not repeat.
pub fn bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Writes one file per size into `dir` (named `f0.bin`, `f1.bin`, ...) and returns the paths
/// with their contents.
pub fn write_files(dir: &Path, sizes: &[usize], seed: u64) -> Vec<(PathBuf, Vec<u8>)> {
    sizes
        .iter()
        .enumerate()
        .map(|(i, &size)| {
            let path = dir.join(format!("f{i}.bin"));
            let data = bytes(size, seed.wrapping_add(i as u64));
            std::fs::write(&path, &data).expect("write input");
            (path, data)
        })
        .collect()
}

pub fn identities(n: usize) -> (Vec<age::x25519::Identity>, Vec<age::x25519::Recipient>) {
    let ids: Vec<_> = (0..n).map(|_| age::x25519::Identity::generate()).collect();
    let rs = ids.iter().map(|i| i.to_public()).collect();
    (ids, rs)
}

pub fn encrypt_vec(plan: &Plan, recipients: &[age::x25519::Recipient]) -> Vec<u8> {
    encrypt(plan, recipients, Vec::new(), &mut |_| {}, &Cancel::new()).expect("encrypt")
}

/// A package of `sizes` files encrypted to `n` fresh recipients.
pub struct Fixture {
    pub _inputs: tempfile::TempDir,
    pub files: Vec<(PathBuf, Vec<u8>)>,
    pub plan: Plan,
    pub ids: Vec<age::x25519::Identity>,
    pub recipients: Vec<age::x25519::Recipient>,
    pub ciphertext: Vec<u8>,
}

pub fn fixture(sizes: &[usize], n: usize) -> Fixture {
    let inputs = tempfile::tempdir().expect("tempdir");
    let files = write_files(inputs.path(), sizes, 7);
    let plan = Plan::new(details(), files.iter().map(|(p, _)| p)).expect("plan");
    let (ids, recipients) = identities(n);
    let ciphertext = encrypt_vec(&plan, &recipients);
    Fixture {
        _inputs: inputs,
        files,
        plan,
        ids,
        recipients,
        ciphertext,
    }
}

/// Opens and extracts `ciphertext` into a fresh folder; returns the result and the folder.
pub fn extract(
    ciphertext: &[u8],
    identity: &dyn age::Identity,
) -> (Result<Vec<SavedFile>, DecryptError>, tempfile::TempDir) {
    let out = tempfile::tempdir().expect("out dir");
    let result = PackageReader::open(ciphertext, identity)
        .and_then(|r| r.extract_to(out.path(), &mut |_| {}, &Cancel::new()));
    (result, out)
}

/// Every entry of `dir`, hidden ones included.
pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

pub fn assert_empty(dir: &Path, context: &str) {
    let left = entries(dir);
    assert!(left.is_empty(), "{context}: files left behind: {left:?}");
}

/// Builds a raw Kepil payload by hand (for hostile-manifest tests): prefix, `manifest_json`
/// as given, then each `(bytes, hash)` pair verbatim, then `trailing`.
pub fn raw_payload(
    version: u8,
    manifest_json: &[u8],
    files: &[(Vec<u8>, [u8; 32])],
    trailing: &[u8],
) -> Vec<u8> {
    let mut p = Vec::new();
    p.extend_from_slice(b"KEPIL\0PKG");
    p.push(version);
    p.extend_from_slice(&(manifest_json.len() as u32).to_be_bytes());
    p.extend_from_slice(manifest_json);
    for (data, hash) in files {
        p.extend_from_slice(data);
        p.extend_from_slice(hash);
    }
    p.extend_from_slice(trailing);
    p
}

pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// A manifest JSON for `files` (name, size), otherwise valid.
pub fn manifest_json(files: &[(&str, u64)]) -> Vec<u8> {
    let files: Vec<_> = files
        .iter()
        .map(|(name, size)| serde_json::json!({ "name": name, "size": size }))
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "format_version": 1,
        "classification": "TERHAD",
        "sender": "a@b.gov.my",
        "created_at": "2025-01-01T00:00:00Z",
        "expires_at": "2025-01-08T00:00:00Z",
        "subject": "s",
        "message": "m",
        "files": files,
    }))
    .expect("json")
}

/// age-encrypts arbitrary plaintext to `recipient` (bypassing Kepil's encoder).
pub fn age_encrypt(plaintext: &[u8], recipient: &age::x25519::Recipient) -> Vec<u8> {
    let enc = age::Encryptor::with_recipients(std::iter::once(recipient as &dyn age::Recipient))
        .expect("encryptor");
    let mut out = Vec::new();
    let mut w = enc.wrap_output(&mut out).expect("wrap");
    w.write_all(plaintext).expect("write");
    w.finish().expect("finish");
    out
}
