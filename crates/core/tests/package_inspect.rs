//! The plaintext inspection hook both ways (a malware scanner's place): what it sees, that a
//! stop leaves an encryption that can never complete and an extraction that saves nothing,
//! and the sender's scan sealed in the manifest.

mod common;

use common::*;
use kepil_core::package::{
    Cancel, DecryptError, EncryptError, Inspector, PackageReader, Plan, SenderScan, Stop,
    encrypt_inspected, stream_keys,
};
use time::OffsetDateTime;

/// Records what it is shown; stops at the end of the file whose bytes contain `marker`.
#[derive(Default)]
struct Recorder {
    marker: Option<&'static [u8]>,
    seen: Vec<(usize, String, Vec<u8>)>,
    ended: Vec<usize>,
}

impl Inspector for Recorder {
    fn begin(&mut self, index: usize, name: &str) -> Result<(), Stop> {
        self.seen.push((index, name.to_string(), Vec::new()));
        Ok(())
    }
    fn bytes(&mut self, data: &[u8]) -> Result<(), Stop> {
        self.seen
            .last_mut()
            .expect("begun")
            .2
            .extend_from_slice(data);
        Ok(())
    }
    fn end(&mut self) -> Result<(), Stop> {
        let (index, _, bytes) = self.seen.last().expect("begun");
        self.ended.push(*index);
        match self.marker {
            Some(m) if bytes.windows(m.len()).any(|w| w == m) => Err(Stop),
            _ => Ok(()),
        }
    }
}

const MARKER: &[u8] = b"KEPIL-TEST-MARKER";

fn plan_of(dir: &std::path::Path, contents: &[&[u8]]) -> Plan {
    let paths: Vec<_> = contents
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let p = dir.join(format!("f{i}.txt"));
            std::fs::write(&p, c).unwrap();
            p
        })
        .collect();
    Plan::new(details(), &paths).unwrap()
}

#[test]
fn encryption_shows_every_file_once_in_order_and_the_output_is_unchanged() {
    let f = fixture(&[0, 300_000, 5], 1);
    let keys = stream_keys(&f.recipients).unwrap();
    let mut recorder = Recorder::default();
    let inspected = encrypt_inspected(
        &f.plan,
        &keys,
        Vec::new(),
        &mut |_| {},
        &Cancel::new(),
        &mut recorder,
    )
    .unwrap();
    let plain =
        kepil_core::package::encrypt_with(&f.plan, &keys, Vec::new(), &mut |_| {}, &Cancel::new())
            .unwrap();
    assert_eq!(inspected, plain, "inspection must not change a byte");
    assert_eq!(recorder.ended, [0, 1, 2]);
    for ((index, name, bytes), (_, data)) in recorder.seen.iter().zip(&f.files) {
        assert_eq!(name, &format!("f{index}.bin"));
        assert_eq!(bytes, data);
    }
}

#[test]
fn a_stop_while_encrypting_leaves_a_package_that_never_opens() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan_of(
        dir.path(),
        &[b"clean", b"xx KEPIL-TEST-MARKER xx", b"never read"],
    );
    let (ids, recipients) = identities(1);
    let keys = stream_keys(&recipients).unwrap();
    let mut out = Vec::new();
    let mut recorder = Recorder {
        marker: Some(MARKER),
        ..Recorder::default()
    };
    let err = encrypt_inspected(
        &plan,
        &keys,
        &mut out,
        &mut |_| {},
        &Cancel::new(),
        &mut recorder,
    )
    .unwrap_err();
    assert!(matches!(err, EncryptError::Stopped), "{err:?}");
    // The third file was never shown: the stop came at the end of the second.
    assert_eq!(recorder.ended, [0, 1]);
    assert!((out.len() as u64) < plan.encrypted_len(1));
    // What was written (at most the first chunks) cannot be completed into a package.
    let (result, folder) = extract(&out, &ids[0]);
    assert!(result.is_err());
    assert!(std::fs::read_dir(folder.path()).unwrap().next().is_none());
}

#[test]
fn a_stop_while_extracting_saves_nothing_and_removes_the_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan_of(dir.path(), &[b"clean", b"KEPIL-TEST-MARKER", b"after"]);
    let (ids, recipients) = identities(1);
    let ciphertext = encrypt_vec(&plan, &recipients);
    let out = tempfile::tempdir().unwrap();
    let mut recorder = Recorder {
        marker: Some(MARKER),
        ..Recorder::default()
    };
    let err = PackageReader::open(&ciphertext[..], &ids[0])
        .unwrap()
        .extract_inspected(out.path(), &mut |_| {}, &Cancel::new(), &mut recorder)
        .unwrap_err();
    assert!(matches!(err, DecryptError::Stopped), "{err:?}");
    assert_eq!(recorder.ended, [0, 1]);
    assert!(
        std::fs::read_dir(out.path()).unwrap().next().is_none(),
        "the clean first file and the temporary files must be gone too"
    );

    // The same package without the marker rule extracts, and the inspector saw every byte.
    let mut recorder = Recorder::default();
    let saved = PackageReader::open(&ciphertext[..], &ids[0])
        .unwrap()
        .extract_inspected(out.path(), &mut |_| {}, &Cancel::new(), &mut recorder)
        .unwrap();
    assert_eq!(saved.len(), 3);
    assert_eq!(recorder.seen[1].2, MARKER);
}

#[test]
fn the_senders_scan_is_sealed_in_the_manifest_in_whole_seconds() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), b"a").unwrap();
    let now = OffsetDateTime::now_utc();
    let scan = SenderScan {
        engine: "ClamAV 1.4.6".into(),
        signatures: Some(27480),
        signatures_date: Some(now - time::Duration::hours(5)),
        scanned_at: now,
    };
    let mut d = details();
    d.scan = Some(scan.clone());
    let plan = Plan::new(d, [dir.path().join("a.txt")]).unwrap();
    let (ids, recipients) = identities(1);
    let ciphertext = encrypt_vec(&plan, &recipients);
    let reader = PackageReader::open(&ciphertext[..], &ids[0]).unwrap();
    let sealed = reader.manifest().scan.clone().expect("sealed");
    assert_eq!(sealed.engine, "ClamAV 1.4.6");
    assert_eq!(sealed.signatures, Some(27480));
    assert_eq!(sealed.scanned_at.nanosecond(), 0);
    assert_eq!(sealed.scanned_at.unix_timestamp(), now.unix_timestamp());
    assert_eq!(sealed.signatures_date.unwrap().nanosecond(), 0);

    // Without a scan the manifest has no such field (older readers see what they always saw).
    let plan = Plan::new(details(), [dir.path().join("a.txt")]).unwrap();
    assert!(plan.manifest().scan.is_none());
    assert!(!String::from_utf8_lossy(plan.manifest_json()).contains("scan"));
}
