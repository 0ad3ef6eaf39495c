//! Encrypting again with saved `StreamKeys`: what lets an interrupted upload resume without
//! keeping the ciphertext.

mod common;

use std::path::PathBuf;

use common::*;
use kepil_core::message::Coded;
use kepil_core::package::{
    Cancel, EncryptError, PackageReader, Plan, StreamKeys, StreamKeysError, encrypt_with,
    stream_keys,
};

fn encrypt_keyed(plan: &Plan, keys: &StreamKeys) -> Vec<u8> {
    encrypt_with(plan, keys, Vec::new(), &mut |_| {}, &Cancel::new()).unwrap()
}

#[test]
fn saved_keys_and_manifest_reproduce_the_ciphertext_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let files = write_files(dir.path(), &[0, 1, 200_000, 64 * 1024], 7);
    let paths: Vec<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
    let plan = Plan::new(details(), &paths).unwrap();
    let (ids, recipients) = identities(2);
    let keys = stream_keys(&recipients).unwrap();
    let first = encrypt_keyed(&plan, &keys);
    assert_eq!(first.len() as u64, plan.encrypted_len(2));
    assert_eq!(
        keys.encrypted_len(plan.payload_len()),
        plan.encrypted_len(2)
    );
    assert!(first.starts_with(keys.header()));

    // What a resumed run has: the saved parts, the manifest bytes and the paths.
    let again = StreamKeys::from_parts(
        *keys.expose_file_key(),
        *keys.nonce(),
        keys.header().to_vec(),
    )
    .unwrap();
    let replan = Plan::from_manifest_json(plan.manifest_json(), &paths).unwrap();
    assert_eq!(replan.manifest(), plan.manifest());
    assert_eq!(encrypt_keyed(&replan, &again), first);

    // And it is a normal package for every recipient.
    for id in &ids {
        let reader = PackageReader::open(&first[..], id).unwrap();
        assert_eq!(reader.manifest(), plan.manifest());
    }
    // Fresh keys give another ciphertext.
    assert_ne!(
        encrypt_keyed(&plan, &stream_keys(&recipients).unwrap()),
        first
    );
}

#[test]
fn parts_that_do_not_belong_together_are_refused() {
    let (_, recipients) = identities(1);
    let keys = stream_keys(&recipients).unwrap();
    let header = keys.header().to_vec();
    let mut other_key = *keys.expose_file_key();
    other_key[0] ^= 1;
    assert_eq!(
        StreamKeys::from_parts(other_key, *keys.nonce(), header.clone()).unwrap_err(),
        StreamKeysError::WrongKey
    );
    let mut damaged = header.clone();
    let at = damaged.len() - 5;
    damaged[at] = if damaged[at] == b'A' { b'B' } else { b'A' };
    assert_eq!(
        StreamKeys::from_parts(*keys.expose_file_key(), *keys.nonce(), damaged).unwrap_err(),
        StreamKeysError::WrongKey
    );
    for bad in [
        &b""[..],
        b"age-encryption.org/v1\n",
        &header[..header.len() - 1],
    ] {
        assert_eq!(
            StreamKeys::from_parts(*keys.expose_file_key(), *keys.nonce(), bad.to_vec())
                .unwrap_err(),
            StreamKeysError::Malformed
        );
    }
    // The file key never shows in Debug.
    let shown = format!("{keys:?}");
    assert!(shown.contains("redacted"), "{shown}");
}

#[test]
fn a_file_whose_size_changed_since_is_refused_when_replanning() {
    let dir = tempfile::tempdir().unwrap();
    let files = write_files(dir.path(), &[1000], 3);
    let paths: Vec<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
    let plan = Plan::new(details(), &paths).unwrap();
    std::fs::write(&paths[0], b"shorter").unwrap();
    let err = Plan::from_manifest_json(plan.manifest_json(), &paths).unwrap_err();
    assert!(
        matches!(
            err,
            EncryptError::FileChanged {
                expected: 1000,
                found: 7,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), "package_file_changed");
    // A damaged manifest or another number of files is refused too.
    assert!(Plan::from_manifest_json(b"{", &paths).is_err());
    assert!(Plan::from_manifest_json(plan.manifest_json(), &[]).is_err());
}
