//! Packages a modified sender could build: sealed RAHSIA, more files than allowed, thousands
//! of files with one name. The reader must refuse the first two before anything is written and
//! name the third's files in linear time.

mod common;

use std::path::{Path, PathBuf};

use common::{age_encrypt, assert_empty, bytes, details, encrypt_vec, entries, raw_payload};
use kepil_core::classification::Classification;
use kepil_core::message::{Coded, Lang};
use kepil_core::package::{Cancel, DecryptError, EncryptError, MAX_FILES, PackageReader, Plan};

/// A format 2 manifest as a modified sender would write it.
fn manifest(classification: &str, files: &[(String, u64)]) -> Vec<u8> {
    let files: Vec<_> = files
        .iter()
        .map(|(name, size)| serde_json::json!({ "name": name, "size": size }))
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "format_version": 2,
        "classification": classification,
        "sender": "ketua@agensi.gov.my",
        "created_at": "2025-01-01T00:00:00Z",
        "expires_at": "2025-01-08T00:00:00Z",
        "subject": "s",
        "message": "m",
        "files": files,
    }))
    .unwrap()
}

/// The whole age file for `files` (name, contents) sealed as `classification`.
fn package(
    classification: &str,
    files: &[(String, Vec<u8>)],
    to: &age::x25519::Recipient,
) -> Vec<u8> {
    let listed: Vec<(String, u64)> = files
        .iter()
        .map(|(n, d)| (n.clone(), d.len() as u64))
        .collect();
    let m = manifest(classification, &listed);
    let parts: Vec<(Vec<u8>, [u8; 32])> = files
        .iter()
        .map(|(_, d)| (d.clone(), *blake3::hash(d).as_bytes()))
        .collect();
    age_encrypt(&raw_payload(2, &m, &parts, &[]), to)
}

#[test]
fn a_package_sealed_rahsia_is_refused_before_anything_is_written() {
    let id = age::x25519::Identity::generate();
    for (label, want) in [
        ("RAHSIA", Classification::Rahsia),
        ("RAHSIA BESAR", Classification::RahsiaBesar),
        ("top secret", Classification::RahsiaBesar),
    ] {
        let data = bytes(5_000, 1);
        let blob = package(label, &[("minit.pdf".into(), data)], &id.to_public());
        let e = PackageReader::open(&blob[..], &id).unwrap_err();
        match &e {
            DecryptError::ClassificationRefused { classification } => {
                assert_eq!(*classification, want)
            }
            other => panic!("{label}: {other:?}"),
        }
        assert_eq!(e.code(), "package_classification_refused");
        let en = e.message(Lang::En);
        let ms = e.message(Lang::Ms);
        assert!(en.contains(want.as_str()), "{en}");
        assert!(en.contains("ICT Security Officer"), "{en}");
        assert!(ms.contains("Pegawai Keselamatan ICT"), "{ms}");
        assert!(en.contains("1.4.1 l iii") && ms.contains("3.2 A ii 6"));
        assert!(en.contains("No file was saved"), "{en}");
    }
}

#[test]
fn the_open_classifications_still_open() {
    let id = age::x25519::Identity::generate();
    for label in ["TERBUKA", "TERHAD", "SULIT"] {
        let data = bytes(100, 2);
        let blob = package(label, &[("a.txt".into(), data.clone())], &id.to_public());
        let out = tempfile::tempdir().unwrap();
        let saved = PackageReader::open(&blob[..], &id)
            .unwrap()
            .extract_to(out.path(), &mut |_| {}, &Cancel::new())
            .unwrap();
        assert_eq!(std::fs::read(&saved[0].path).unwrap(), data, "{label}");
    }
}

#[test]
fn more_files_than_the_limit_are_refused_on_both_sides() {
    // The sender's side: refused before a single path is looked at (these do not exist).
    let e = Plan::new(
        details(),
        (0..=MAX_FILES).map(|i| PathBuf::from(format!("/nonexistent/{i}"))),
    )
    .unwrap_err();
    assert!(
        matches!(e, EncryptError::TooManyFiles { count, max } if count == MAX_FILES + 1 && max == MAX_FILES),
        "{e:?}"
    );
    assert_eq!(e.code(), "package_too_many_files");
    assert!(e.message(Lang::En).contains("10000"), "{e}");

    // The recipient's side: a modified sender's manifest with one file too many.
    let id = age::x25519::Identity::generate();
    let files: Vec<(String, Vec<u8>)> =
        (0..=MAX_FILES).map(|i| (format!("f{i}"), vec![])).collect();
    let blob = package("SULIT", &files, &id.to_public());
    let e = PackageReader::open(&blob[..], &id).unwrap_err();
    assert!(
        matches!(e, DecryptError::TooManyFiles { count, .. } if count == MAX_FILES + 1),
        "{e:?}"
    );
    assert!(e.message(Lang::En).contains("No file was saved"), "{e}");
}

/// A folder on tmpfs when there is one: ten thousand fsyncs on a real disk would make this
/// test about the disk rather than the code.
fn scratch() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir()
        && let Ok(dir) = tempfile::tempdir_in(shm)
    {
        return dir;
    }
    tempfile::tempdir().unwrap()
}

/// At the limit, every file with the same name: naming them one after the other from 2 each
/// time would try 50 million names (and as many `stat`s); the numbering picks up where it
/// stopped, so this runs in seconds. Asserted on what is saved, not on time.
#[test]
fn ten_thousand_files_of_one_name_are_all_saved_under_distinct_names() {
    let inputs = scratch();
    let paths: Vec<PathBuf> = (0..MAX_FILES)
        .map(|i| {
            let p = inputs.path().join(format!("f{i}"));
            std::fs::write(&p, if i % 1000 == 0 { b"x".as_slice() } else { b"" }).unwrap();
            p
        })
        .collect();
    let plan = Plan::new(details(), &paths).unwrap();
    // The same files under one name, as a modified sender would list them.
    let mut json: serde_json::Value = serde_json::from_slice(plan.manifest_json()).unwrap();
    for f in json["files"].as_array_mut().unwrap() {
        f["name"] = "a.txt".into();
    }
    let plan = Plan::from_manifest_json(&serde_json::to_vec(&json).unwrap(), &paths).unwrap();
    let id = age::x25519::Identity::generate();
    let blob = encrypt_vec(&plan, &[id.to_public()]);

    let out = scratch();
    let saved = PackageReader::open(&blob[..], &id)
        .unwrap()
        .extract_to(out.path(), &mut |_| {}, &Cancel::new())
        .unwrap();
    assert_eq!(saved.len(), MAX_FILES);
    for (i, s) in saved.iter().enumerate() {
        let want = if i == 0 {
            "a.txt".to_owned()
        } else {
            format!("a ({}).txt", i + 1)
        };
        assert_eq!(s.path, out.path().join(&want));
        assert_eq!(s.name, "a.txt");
    }
    let on_disk = entries(out.path());
    assert_eq!(on_disk.len(), MAX_FILES, "no temporary file left");
    assert_eq!(std::fs::read(out.path().join("a.txt")).unwrap(), b"x");
    assert_eq!(
        std::fs::read(out.path().join("a (1001).txt")).unwrap(),
        b"x"
    );
    assert_eq!(std::fs::read(out.path().join("a (2).txt")).unwrap(), b"");
}

#[test]
fn a_refused_package_leaves_the_destination_untouched() {
    let id = age::x25519::Identity::generate();
    let blob = package(
        "RAHSIA",
        &[("a.txt".into(), bytes(70_000, 3))],
        &id.to_public(),
    );
    let out = tempfile::tempdir().unwrap();
    let e = PackageReader::open(&blob[..], &id)
        .and_then(|r| r.extract_to(out.path(), &mut |_| {}, &Cancel::new()))
        .unwrap_err();
    assert_eq!(e.code(), "package_classification_refused");
    assert_empty(out.path(), "RAHSIA");
}
