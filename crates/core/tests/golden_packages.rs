//! Golden packages: Kepil packages written by earlier builds, kept as files, each with what
//! opening it must give (the saved files' contents, or the error code). A reader change that
//! would stop a package already in someone's mailbox from opening, or that would name a damage
//! differently, fails here. The files and their index are data: crates/test-support/data/golden.
//!
//! `KEPIL_WRITE_GOLDEN=1 cargo test -p kepil-core --test golden_packages` writes the set again
//! (only when the format deliberately changes), checking each new file against the expectation
//! written in `cases()` below before it is saved: expectations are authored, never recorded.

mod common;

use std::path::{Path, PathBuf};

use common::{age_encrypt, bytes, details, encrypt_vec, manifest_json, raw_payload, sha256};
use kepil_core::message::Coded;
use kepil_core::package::{Cancel, PackageReader, Plan};
use serde::{Deserialize, Serialize};

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-support/data/golden")
}

/// One golden file and what opening it with `identity` must give.
#[derive(Debug, Serialize, Deserialize)]
struct Case {
    file: String,
    /// Test key (not a secret: it opens only these files).
    identity: String,
    /// `"ok"` or the error code.
    expect: String,
    /// On `"ok"`: each saved file's manifest name and the SHA-256 of its contents.
    #[serde(default)]
    files: Vec<(String, String)>,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn open(path: &Path, identity: &str) -> Result<Vec<(String, String)>, String> {
    let identity: age::x25519::Identity = identity.parse().expect("identity");
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let out = tempfile::tempdir().unwrap();
    let saved = PackageReader::open(std::io::BufReader::new(file), &identity)
        .and_then(|r| r.extract_to(out.path(), &mut |_| {}, &Cancel::new()))
        .map_err(|e| e.code().to_string())?;
    Ok(saved
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                hex(&sha256(&std::fs::read(&s.path).unwrap())),
            )
        })
        .collect())
}

#[test]
fn every_golden_package_opens_or_fails_as_recorded() {
    if std::env::var_os("KEPIL_WRITE_GOLDEN").is_some() {
        write_golden();
    }
    let index = std::fs::read_to_string(golden_dir().join("index.json"))
        .expect("crates/test-support/data/golden/index.json");
    let cases: Vec<Case> = serde_json::from_str(&index).expect("index.json");
    assert!(cases.len() >= 10, "the golden set is complete");
    let mut codes: Vec<&str> = cases.iter().map(|c| c.expect.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    assert!(codes.len() >= 8, "several distinct outcomes: {codes:?}");
    for case in &cases {
        let got = open(&golden_dir().join(&case.file), &case.identity);
        match (case.expect.as_str(), got) {
            ("ok", Ok(files)) => assert_eq!(files, case.files, "{}", case.file),
            ("ok", Err(code)) => panic!("{} must open, failed with {code}", case.file),
            (want, Err(code)) => assert_eq!(code, want, "{}", case.file),
            (want, Ok(_)) => panic!("{} must fail with {want}, opened", case.file),
        }
    }
}

/// Writes every golden file and the index, after checking each against its expectation.
fn write_golden() {
    let dir = golden_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let a = age::x25519::Identity::generate();
    let b = age::x25519::Identity::generate();
    let key = |i: &age::x25519::Identity| {
        use age::secrecy::ExposeSecret;
        i.to_string().expose_secret().to_string()
    };
    let mut index = Vec::new();
    for (file, bytes, identity, expect) in cases(&a) {
        let identity = if identity == 'a' { &a } else { &b };
        let path = dir.join(file);
        std::fs::write(&path, &bytes).unwrap();
        let got = open(&path, &key(identity));
        let files = match (&expect, &got) {
            (Expect::Ok(names), Ok(files)) => {
                assert_eq!(
                    files.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
                    *names,
                    "{file}"
                );
                files.clone()
            }
            (Expect::Fails(code), Err(got)) => {
                assert_eq!(got, code, "{file}");
                vec![]
            }
            _ => panic!("{file}: expected {expect:?}, got {got:?}"),
        };
        index.push(Case {
            file: file.to_string(),
            identity: key(identity),
            expect: match expect {
                Expect::Ok(_) => "ok".into(),
                Expect::Fails(code) => code.to_string(),
            },
            files,
        });
    }
    let json = serde_json::to_string_pretty(&index).unwrap() + "\n";
    std::fs::write(dir.join("index.json"), json).unwrap();
}

#[derive(Debug)]
enum Expect {
    Ok(Vec<&'static str>),
    Fails(&'static str),
}

/// The golden set: (file, bytes, identity 'a' or 'b', expectation). Encrypted to `a`.
fn cases(a: &age::x25519::Identity) -> Vec<(&'static str, Vec<u8>, char, Expect)> {
    let to_a = a.to_public();
    let inputs = tempfile::tempdir().unwrap();
    let (laporan, lampiran) = (
        inputs.path().join("Laporan SULIT.pdf"),
        inputs.path().join("lampiran.xlsx"),
    );
    std::fs::write(&laporan, bytes(70_000, 1)).unwrap();
    std::fs::write(&lampiran, bytes(1_234, 2)).unwrap();
    let plan = Plan::new(details(), [&laporan, &lampiran]).unwrap();
    let v2 = encrypt_vec(&plan, std::slice::from_ref(&to_a));
    let two = vec!["Laporan SULIT.pdf", "lampiran.xlsx"];

    let data = bytes(5_000, 3);
    let m1 = manifest_json(&[("surat.txt", data.len() as u64)]);
    let v1 = age_encrypt(
        &raw_payload(1, &m1, &[(data.clone(), sha256(&data))], &[]),
        &to_a,
    );
    let v1_blake3 = age_encrypt(
        &raw_payload(
            1,
            &m1,
            &[(data.clone(), *blake3::hash(&data).as_bytes())],
            &[],
        ),
        &to_a,
    );
    let m2 = String::from_utf8(m1.clone())
        .unwrap()
        .replace("\"format_version\":1", "\"format_version\":2")
        .into_bytes();
    let hash2 = *blake3::hash(&data).as_bytes();
    let v2_trailing = age_encrypt(
        &raw_payload(2, &m2, &[(data.clone(), hash2)], b"extra"),
        &to_a,
    );
    let v2_short_file = age_encrypt(
        &raw_payload(2, &m2, &[(data[..100].to_vec(), hash2)], &[]),
        &to_a,
    );

    let mut flipped_chunk = v2.clone();
    let mid = flipped_chunk.len() / 2;
    flipped_chunk[mid] ^= 0x01;
    let mut flipped_mac = v2.clone();
    let mac_at = flipped_mac
        .windows(4)
        .position(|w| w == b"\n---")
        .expect("header MAC line")
        + 5;
    flipped_mac[mac_at] = if flipped_mac[mac_at] == b'A' {
        b'B'
    } else {
        b'A'
    };
    let truncated = v2[..v2.len() - 100].to_vec();
    let armored = b"-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCg==\n-----END AGE ENCRYPTED FILE-----\n".to_vec();
    vec![
        ("v2-two-files.age", v2.clone(), 'a', Expect::Ok(two)),
        ("v1-one-file.age", v1, 'a', Expect::Ok(vec!["surat.txt"])),
        (
            "v2-two-files.age",
            v2,
            'b',
            Expect::Fails("package_wrong_key"),
        ),
        (
            "v2-truncated.age",
            truncated,
            'a',
            Expect::Fails("package_truncated"),
        ),
        (
            "v2-chunk-flipped.age",
            flipped_chunk,
            'a',
            Expect::Fails("package_corrupt"),
        ),
        (
            "v2-header-mac-flipped.age",
            flipped_mac,
            'a',
            Expect::Fails("package_tampered"),
        ),
        (
            "v1-blake3-hash.age",
            v1_blake3,
            'a',
            Expect::Fails("package_file_hash_mismatch"),
        ),
        (
            "v2-trailing-data.age",
            v2_trailing,
            'a',
            Expect::Fails("package_trailing_data"),
        ),
        (
            "v2-short-file.age",
            v2_short_file,
            'a',
            // An authenticated stream whose file is shorter than its manifest says.
            Expect::Fails("package_manifest_mismatch"),
        ),
        (
            "not-age.bin",
            b"%PDF-1.7 not encrypted\n".to_vec(),
            'a',
            Expect::Fails("package_not_age"),
        ),
        (
            "armored.age",
            armored,
            'a',
            Expect::Fails("package_armored"),
        ),
    ]
}
