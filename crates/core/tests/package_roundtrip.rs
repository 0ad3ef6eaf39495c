//! Round trips, exact lengths, progress, naming and the sender-side errors of `package`.

mod common;

use std::collections::HashSet;
use std::fs::OpenOptions;
use std::path::PathBuf;

use common::*;
use kepil_core::classification::Classification;
use kepil_core::message::{Coded, Lang};
use kepil_core::package::{
    Cancel, DecryptError, EncryptError, MAX_MANIFEST_LEN, MAX_RECIPIENTS, PackageReader, Plan,
    Progress, encrypt,
};
use proptest::prelude::*;
use time::Duration;

const CHUNK: i64 = 64 * 1024;

fn size_strategy() -> impl Strategy<Value = usize> {
    prop_oneof![
        Just(0usize),
        Just(1usize),
        // Exact multiples of the 64 KiB age chunk and one byte either side.
        (1i64..=3, -1i64..=1).prop_map(|(k, d)| (k * CHUNK + d) as usize),
        0usize..300_000,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    /// Any set of files round-trips byte for byte, for any recipient, and the age file is
    /// exactly `encrypted_len` long.
    #[test]
    fn any_files_round_trip(
        sizes in prop::collection::vec(size_strategy(), 0..5),
        n in 1usize..4,
        pick in 0usize..4,
        seed in any::<u64>(),
    ) {
        let inputs = tempfile::tempdir().unwrap();
        let files = write_files(inputs.path(), &sizes, seed);
        let plan = Plan::new(details(), files.iter().map(|(p, _)| p)).unwrap();
        let (ids, recipients) = identities(n);
        let ciphertext = encrypt_vec(&plan, &recipients);
        prop_assert_eq!(ciphertext.len() as u64, plan.encrypted_len(n));

        let identity = &ids[pick % n];
        let reader = PackageReader::open(&ciphertext[..], identity).unwrap();
        prop_assert_eq!(reader.manifest(), plan.manifest());
        prop_assert_eq!(reader.payload_len(), plan.payload_len());
        let out = tempfile::tempdir().unwrap();
        let saved = reader.extract_to(out.path(), &mut |_| {}, &Cancel::new()).unwrap();
        prop_assert_eq!(saved.len(), files.len());
        for (i, ((_, data), s)) in files.iter().zip(&saved).enumerate() {
            prop_assert_eq!(&s.name, &format!("f{i}.bin"));
            prop_assert_eq!(s.path.parent(), Some(out.path()));
            prop_assert_eq!(s.size, data.len() as u64);
            prop_assert!(std::fs::read(&s.path).unwrap() == *data, "file {} differs", i);
        }
        // Nothing but the saved files: no temporary file left over.
        prop_assert_eq!(entries(out.path()).len(), files.len());
    }
}

/// A file of `size` zero bytes (sparse; contents do not matter for lengths).
fn sized_file(dir: &std::path::Path, size: u64) -> PathBuf {
    let path = dir.join("data.bin");
    let f = OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .open(&path)
        .unwrap();
    f.set_len(size).unwrap();
    path
}

/// A one-file plan whose payload is exactly `target` bytes (the manifest's length depends on
/// the digits of the size, so search around the estimate).
fn plan_with_payload(dir: &std::path::Path, target: u64) -> Plan {
    let probe = Plan::new(details(), [sized_file(dir, 0)]).unwrap();
    let overhead = probe.payload_len();
    let guess = target.saturating_sub(overhead);
    for size in guess.saturating_sub(12)..=guess + 12 {
        let plan = Plan::new(details(), [sized_file(dir, size)]).unwrap();
        if plan.payload_len() == target {
            return plan;
        }
    }
    panic!("no file size gives payload {target}");
}

#[test]
fn encrypted_len_is_exact_at_chunk_boundaries_and_for_many_recipients() {
    let dir = tempfile::tempdir().unwrap();
    let (_, all) = identities(MAX_RECIPIENTS);
    let mut checked = 0;
    for k in 1..=4i64 {
        for d in [-1i64, 0, 1] {
            let target = (k * CHUNK + d) as u64;
            let plan = plan_with_payload(dir.path(), target);
            assert_eq!(plan.payload_len(), target);
            for n in [1usize, 2, 3, 7] {
                let ct = encrypt_vec(&plan, &all[..n]);
                assert_eq!(
                    ct.len() as u64,
                    plan.encrypted_len(n),
                    "payload {target}, {n} recipients"
                );
                checked += 1;
            }
        }
    }
    // The largest header allowed.
    let plan = plan_with_payload(dir.path(), CHUNK as u64);
    let ct = encrypt_vec(&plan, &all);
    assert_eq!(ct.len() as u64, plan.encrypted_len(MAX_RECIPIENTS));
    assert!(checked > 40);
}

#[test]
fn progress_is_monotonic_and_reaches_the_total_both_ways() {
    let f = fixture(&[3 << 20, 0, 70_000], 1);
    let mut seen: Vec<Progress> = vec![];
    encrypt(
        &f.plan,
        &f.recipients,
        std::io::sink(),
        &mut |p| seen.push(p),
        &Cancel::new(),
    )
    .unwrap();
    assert!(seen.len() >= 4, "progress reported per buffer: {seen:?}");
    assert!(seen.windows(2).all(|w| w[0].done <= w[1].done));
    assert!(seen.iter().all(|p| p.total == f.plan.payload_len()));
    assert_eq!(seen.last().unwrap().done, f.plan.payload_len());

    let out = tempfile::tempdir().unwrap();
    let mut seen: Vec<Progress> = vec![];
    PackageReader::open(&f.ciphertext[..], &f.ids[0])
        .unwrap()
        .extract_to(out.path(), &mut |p| seen.push(p), &Cancel::new())
        .unwrap();
    assert!(seen.windows(2).all(|w| w[0].done <= w[1].done));
    assert_eq!(seen.last().unwrap().done, f.plan.payload_len());
}

#[test]
fn manifest_is_available_before_anything_is_written() {
    let f = fixture(&[10, 20], 2);
    let out = tempfile::tempdir().unwrap();
    let reader = PackageReader::open(&f.ciphertext[..], &f.ids[1]).unwrap();
    let m = reader.manifest();
    assert_eq!(m.format_version, 2);
    assert_eq!(m.classification, Classification::Sulit);
    assert_eq!(m.sender, "pegawai@agensi.gov.my");
    assert_eq!(m.files.len(), 2);
    assert_eq!((m.files[1].name.as_str(), m.files[1].size), ("f1.bin", 20));
    // Timestamps are whole seconds in UTC, so the manifest length is predictable.
    assert_eq!(m.created_at.nanosecond(), 0);
    assert!(m.created_at.offset().is_utc());
    assert_empty(out.path(), "after open");
}

#[cfg(unix)]
#[test]
fn temporary_files_are_hidden_private_and_in_the_destination() {
    use std::os::unix::fs::PermissionsExt;
    let f = fixture(&[2 << 20], 1);
    let out = tempfile::tempdir().unwrap();
    let mut observed = vec![];
    PackageReader::open(&f.ciphertext[..], &f.ids[0])
        .unwrap()
        .extract_to(
            out.path(),
            &mut |_| {
                for e in std::fs::read_dir(out.path()).unwrap() {
                    let e = e.unwrap();
                    let mode = e.metadata().unwrap().permissions().mode() & 0o777;
                    observed.push((e.file_name().to_string_lossy().into_owned(), mode));
                }
            },
            &Cancel::new(),
        )
        .unwrap();
    assert!(!observed.is_empty());
    for (name, mode) in &observed {
        if name != "f0.bin" {
            assert!(
                name.starts_with(".kepil-") && name.ends_with(".part"),
                "{name}"
            );
            assert_eq!(*mode, 0o600, "{name}");
        }
    }
    assert_eq!(entries(out.path()), ["f0.bin"]);
}

#[test]
fn existing_files_are_never_overwritten_and_duplicates_are_numbered() {
    let inputs = tempfile::tempdir().unwrap();
    std::fs::create_dir(inputs.path().join("a")).unwrap();
    std::fs::create_dir(inputs.path().join("b")).unwrap();
    let a = inputs.path().join("a/Laporan.pdf");
    let b = inputs.path().join("b/Laporan.pdf");
    std::fs::write(&a, b"first").unwrap();
    std::fs::write(&b, b"second").unwrap();
    let plan = Plan::new(details(), [&a, &b]).unwrap();
    // Folders are not revealed: both are listed under their base name.
    assert!(
        plan.manifest()
            .files
            .iter()
            .all(|f| f.name == "Laporan.pdf")
    );
    let (ids, rs) = identities(1);
    let ct = encrypt_vec(&plan, &rs);

    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("Laporan.pdf"), b"precious").unwrap();
    let saved = PackageReader::open(&ct[..], &ids[0])
        .unwrap()
        .extract_to(out.path(), &mut |_| {}, &Cancel::new())
        .unwrap();
    assert_eq!(
        std::fs::read(out.path().join("Laporan.pdf")).unwrap(),
        b"precious"
    );
    let names: Vec<_> = saved
        .iter()
        .map(|s| s.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["Laporan (2).pdf", "Laporan (3).pdf"]);
    assert_eq!(std::fs::read(&saved[0].path).unwrap(), b"first");
    assert_eq!(std::fs::read(&saved[1].path).unwrap(), b"second");
}

#[test]
fn plan_refuses_what_must_not_be_sent() {
    let inputs = tempfile::tempdir().unwrap();
    let files = write_files(inputs.path(), &[5], 1);
    let path = &files[0].0;

    let mut d = details();
    d.classification = Classification::Rahsia;
    let e = Plan::new(d, [path]).unwrap_err();
    assert_eq!(e.code(), "classification_refused");

    let e = Plan::new(details(), [inputs.path()]).unwrap_err();
    assert!(matches!(e, EncryptError::NotAFile { .. }), "{e:?}");

    let missing = inputs.path().join("missing.pdf");
    match Plan::new(details(), [&missing]).unwrap_err() {
        EncryptError::Io { path, .. } => assert_eq!(path, missing),
        other => panic!("{other:?}"),
    }

    let mut d = details();
    d.expires_at = d.created_at - Duration::hours(1);
    assert!(matches!(
        Plan::new(d, [path]).unwrap_err(),
        EncryptError::InvalidDetails { .. }
    ));

    let mut d = details();
    d.message = "x".repeat(MAX_MANIFEST_LEN as usize);
    assert!(matches!(
        Plan::new(d, [path]).unwrap_err(),
        EncryptError::ManifestTooLarge { .. }
    ));

    let plan = Plan::new(details(), [path]).unwrap();
    let cancel = Cancel::new();
    let e = encrypt(&plan, &[], Vec::new(), &mut |_| {}, &cancel).unwrap_err();
    assert!(matches!(e, EncryptError::NoRecipients));
    let (_, many) = identities(MAX_RECIPIENTS + 1);
    let e = encrypt(&plan, &many, Vec::new(), &mut |_| {}, &cancel).unwrap_err();
    assert!(matches!(
        e,
        EncryptError::TooManyRecipients {
            count: 257,
            max: 256
        }
    ));
}

#[test]
fn a_file_that_changes_size_after_planning_is_an_error() {
    let inputs = tempfile::tempdir().unwrap();
    let files = write_files(inputs.path(), &[100_000, 10], 3);
    let (_, rs) = identities(1);

    let plan = Plan::new(details(), files.iter().map(|(p, _)| p)).unwrap();
    std::fs::write(&files[0].0, bytes(100_001, 1)).unwrap();
    match encrypt(&plan, &rs, Vec::new(), &mut |_| {}, &Cancel::new()).unwrap_err() {
        EncryptError::FileChanged {
            path,
            expected,
            found,
        } => {
            assert_eq!(path, files[0].0);
            assert_eq!((expected, found), (100_000, 100_001));
        }
        other => panic!("{other:?}"),
    }

    let plan = Plan::new(details(), files.iter().map(|(p, _)| p)).unwrap();
    std::fs::write(&files[1].0, b"short").unwrap();
    let e = encrypt(&plan, &rs, Vec::new(), &mut |_| {}, &Cancel::new()).unwrap_err();
    assert!(
        matches!(
            e,
            EncryptError::FileChanged {
                expected: 10,
                found: 5,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(e.code(), "package_file_changed");
}

#[test]
fn a_file_that_grows_while_being_read_is_caught() {
    // The size matches at open time but more data appears while reading: the final probe
    // read must notice.
    let inputs = tempfile::tempdir().unwrap();
    let files = write_files(inputs.path(), &[3 << 20], 3);
    let plan = Plan::new(details(), files.iter().map(|(p, _)| p)).unwrap();
    let (_, rs) = identities(1);
    let path = files[0].0.clone();
    let mut grown = false;
    let e = encrypt(
        &plan,
        &rs,
        Vec::new(),
        &mut |p| {
            if !grown && p.done > 1 << 20 {
                use std::io::Write;
                let mut f = OpenOptions::new().append(true).open(&path).unwrap();
                f.write_all(b"more").unwrap();
                grown = true;
            }
        },
        &Cancel::new(),
    )
    .unwrap_err();
    assert!(grown);
    assert!(matches!(e, EncryptError::FileChanged { .. }), "{e:?}");
}

#[test]
fn cancel_stops_encryption() {
    let f = fixture(&[4 << 20], 1);
    let cancel = Cancel::new();
    let c2 = cancel.clone();
    let mut calls = 0;
    let e = encrypt(
        &f.plan,
        &f.recipients,
        std::io::sink(),
        &mut |_| {
            calls += 1;
            if calls == 2 {
                c2.cancel();
            }
        },
        &cancel,
    )
    .unwrap_err();
    assert!(matches!(e, EncryptError::Cancelled));
    assert!(calls < 5, "stopped within a buffer: {calls} progress calls");
}

#[test]
fn error_codes_are_unique_and_messages_exist_in_both_languages() {
    let io = || std::io::Error::other("x");
    let p = || PathBuf::from("/tmp/x");
    let enc = vec![
        EncryptError::NoRecipients,
        EncryptError::TooManyRecipients { count: 1, max: 1 },
        EncryptError::InvalidDetails { reason: "r" },
        EncryptError::NotAFile { path: p() },
        EncryptError::Io {
            path: p(),
            source: io(),
        },
        EncryptError::FileChanged {
            path: p(),
            expected: 1,
            found: 2,
        },
        EncryptError::ManifestTooLarge { len: 1, max: 1 },
        EncryptError::TooManyFiles { count: 2, max: 1 },
        EncryptError::Write { source: io() },
        EncryptError::Cancelled,
        EncryptError::Internal { detail: "d".into() },
    ];
    let dec = vec![
        DecryptError::NotAnAgeFile,
        DecryptError::Armored,
        DecryptError::HeaderCorrupt,
        DecryptError::UnsupportedFormatVersion {
            version: "2".into(),
        },
        DecryptError::WrongKey,
        DecryptError::Tampered,
        DecryptError::Corrupt,
        DecryptError::Truncated,
        DecryptError::NotAKepilPackage,
        DecryptError::ManifestTooLarge { len: 1, max: 1 },
        DecryptError::ManifestInvalid { reason: "r".into() },
        DecryptError::ClassificationRefused {
            classification: kepil_core::classification::Classification::Rahsia,
        },
        DecryptError::TooManyFiles { count: 2, max: 1 },
        DecryptError::ManifestMismatch,
        DecryptError::FileHashMismatch { name: "n".into() },
        DecryptError::TrailingData,
        DecryptError::Cancelled,
        DecryptError::Read { source: io() },
        DecryptError::DestinationNotWritable {
            path: p(),
            source: io(),
        },
        DecryptError::DiskFull { path: p() },
        DecryptError::Io {
            path: p(),
            source: io(),
        },
    ];
    let check = |codes: &mut HashSet<&'static str>, e: &dyn Coded, display: String| {
        let code = e.code();
        assert!(codes.insert(code), "duplicate code {code}");
        assert!(
            code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
            "{code}"
        );
        let (ms, en) = (e.message(Lang::Ms), e.message(Lang::En));
        assert!(!ms.is_empty() && !en.is_empty() && ms != en, "{code}");
        assert_eq!(display, en, "{code}: Display is the English message");
    };
    let mut codes = HashSet::new();
    for e in &enc {
        check(&mut codes, e, e.to_string());
    }
    let mut codes = HashSet::new();
    for e in &dec {
        check(&mut codes, e, e.to_string());
    }
    // Every integrity failure tells the user nothing was saved.
    for e in &dec {
        assert!(
            e.message(Lang::En).contains("No file was saved"),
            "{}",
            e.code()
        );
        assert!(
            e.message(Lang::Ms).contains("Tiada fail disimpan"),
            "{}",
            e.code()
        );
    }
}

#[test]
fn extracting_into_a_missing_folder_says_so() {
    let f = fixture(&[10], 1);
    let missing = f._inputs.path().join("nope");
    let e = PackageReader::open(&f.ciphertext[..], &f.ids[0])
        .unwrap()
        .extract_to(&missing, &mut |_| {}, &Cancel::new())
        .unwrap_err();
    assert!(
        matches!(e, DecryptError::DestinationNotWritable { .. }),
        "{e:?}"
    );
    assert_eq!(e.code(), "destination_not_writable");
}

#[test]
fn the_reader_and_the_plan_can_move_to_a_worker_thread() {
    // The app opens a package on one thread and extracts on another; the plan is shared.
    fn send<T: Send>() {}
    fn sync<T: Sync>() {}
    send::<PackageReader<std::fs::File>>();
    send::<Plan>();
    sync::<Plan>();
    send::<Cancel>();
    sync::<Cancel>();
    send::<EncryptError>();
    send::<DecryptError>();
}
