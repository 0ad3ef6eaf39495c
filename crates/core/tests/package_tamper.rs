//! Hostile and damaged input: every failure has the right error and leaves nothing on disk.

mod common;

use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};

use common::*;
use kepil_core::message::Coded;
use kepil_core::package::{Cancel, DecryptError, MAX_HEADER_LEN, MAX_MANIFEST_LEN, PackageReader};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Bytes of one encrypted STREAM chunk on the wire.
const WIRE_CHUNK: usize = 64 * 1024 + 16;

/// Header (without nonce) length for `n` X25519 stanzas, as laid out by the writer.
fn header_len(n: usize) -> usize {
    22 + 98 * n + 48
}

/// Short name of an error for assertions and messages.
fn kind(e: &DecryptError) -> &'static str {
    e.code()
}

fn fail(ciphertext: &[u8], identity: &dyn age::Identity, context: &str) -> &'static str {
    let (result, out) = extract(ciphertext, identity);
    let e = match result {
        Ok(saved) => panic!("{context}: decrypted although damaged: {saved:?}"),
        Err(e) => e,
    };
    assert_empty(out.path(), context);
    kind(&e)
}

#[test]
fn every_header_bit_and_random_payload_bits_fail_with_the_right_error() {
    // Two recipients; we hold the first. Three STREAM chunks.
    let f = fixture(&[150_000, 30_000], 2);
    let me = &f.ids[0];
    let h = header_len(2);
    let stream_start = h + 16;
    let stanza1 = 22..22 + 98;
    let stanza2 = 22 + 98..22 + 196;

    let mut positions: Vec<usize> = (0..stream_start).collect();
    let mut rng = StdRng::seed_from_u64(0x6b6570696c);
    positions.extend((0..150).map(|_| rng.gen_range(stream_start..f.ciphertext.len())));
    // The first and last bytes of every chunk, including the final tag.
    for k in 0..3 {
        positions.push(stream_start + k * WIRE_CHUNK);
    }
    positions.push(f.ciphertext.len() - 1);

    let mut counts = std::collections::BTreeMap::new();
    for &pos in &positions {
        let bits: Vec<u8> = if pos < stream_start {
            (0..8).collect()
        } else {
            vec![rng.gen_range(0..8)]
        };
        for bit in bits {
            let mut ct = f.ciphertext.clone();
            ct[pos] ^= 1 << bit;
            let context = format!("bit {bit} of byte {pos}");
            let got = fail(&ct, me, &context);
            let allowed: &[&str] = if pos < 22 {
                // "age-encryption.org/v1\n"
                &[
                    "package_not_age",
                    "package_header_corrupt",
                    "package_version_unsupported",
                ]
            } else if stanza1.contains(&pos) {
                // Our stanza: unreadable, or it no longer unwraps with our key.
                &["package_header_corrupt", "package_wrong_key"]
            } else if stanza2.contains(&pos) || pos < h {
                // Someone else's stanza or the MAC line: our key still unwraps the file key,
                // and the header MAC catches the change (or the header no longer parses).
                &["package_header_corrupt", "package_tampered"]
            } else {
                // The payload nonce or the ciphertext: a chunk fails authentication.
                &["package_corrupt"]
            };
            assert!(
                allowed.contains(&got),
                "{context}: got {got}, allowed {allowed:?}"
            );
            *counts.entry(got).or_insert(0) += 1;
        }
    }
    // Every class of failure was actually exercised.
    for code in [
        "package_not_age",
        "package_header_corrupt",
        "package_version_unsupported",
        "package_wrong_key",
        "package_tampered",
        "package_corrupt",
    ] {
        assert!(counts.contains_key(code), "{code} never seen: {counts:?}");
    }
}

#[test]
fn truncation_anywhere_fails_as_truncated_and_leaves_nothing() {
    let f = fixture(&[150_000, 30_000], 1);
    let me = &f.ids[0];
    let total = f.ciphertext.len();
    let stream_start = header_len(1) + 16;
    assert_eq!(
        total,
        stream_start + 2 * WIRE_CHUNK + (total - stream_start - 2 * WIRE_CHUNK)
    );

    let mut cuts = vec![
        0,
        1,
        10,
        21,
        22,
        23,
        50,
        100,
        header_len(1) - 1,
        header_len(1),
    ];
    cuts.extend(header_len(1) + 1..=stream_start);
    for k in 0..=3 {
        let b = stream_start + k * WIRE_CHUNK;
        for d in [-17i64, -16, -1, 0, 1, 16] {
            let c = b as i64 + d;
            if c > stream_start as i64 && (c as usize) < total {
                cuts.push(c as usize);
            }
        }
    }
    cuts.extend([total - 17, total - 16, total - 1]);
    cuts.sort();
    cuts.dedup();

    for cut in cuts {
        let context = format!("cut at {cut} of {total}");
        let got = fail(&f.ciphertext[..cut], me, &context);
        let expected = if cut > stream_start && cut < stream_start + WIRE_CHUNK {
            // The cut first chunk looks like a short final chunk and fails authentication
            // before the manifest (and so the expected length) is known: reported as
            // damaged, which is indistinguishable from a truncation at that point.
            "package_corrupt"
        } else {
            "package_truncated"
        };
        assert_eq!(got, expected, "{context}");
    }
}

#[test]
fn a_stanza_from_another_file_fails_the_header_mac() {
    // Same recipient, two packages: swap in the other file's stanza. Our key unwraps *that*
    // file key, which does not authenticate this header.
    let a = fixture(&[1000], 1);
    let (ids, rs) = (a.ids, a.recipients);
    let b_plan = a.plan.clone();
    let b = encrypt_vec(&b_plan, &rs);
    let mut forged = a.ciphertext.clone();
    forged[22..22 + 98].copy_from_slice(&b[22..22 + 98]);
    assert_ne!(forged, a.ciphertext);
    let got = fail(&forged, &ids[0], "swapped stanza");
    assert_eq!(got, "package_tampered");
    let e = PackageReader::open(&forged[..], &ids[0]).unwrap_err();
    assert!(matches!(e, DecryptError::Tampered));
}

#[test]
fn a_wrong_identity_is_a_wrong_key() {
    let f = fixture(&[1000], 3);
    let stranger = age::x25519::Identity::generate();
    let e = PackageReader::open(&f.ciphertext[..], &stranger).unwrap_err();
    assert!(matches!(e, DecryptError::WrongKey), "{e:?}");
    assert_eq!(
        fail(&f.ciphertext, &stranger, "stranger"),
        "package_wrong_key"
    );
}

#[test]
fn cancel_mid_extract_leaves_nothing() {
    let f = fixture(&[1 << 20, 2 << 20], 1);
    let out = tempfile::tempdir().unwrap();
    let cancel = Cancel::new();
    let c2 = cancel.clone();
    let mut saw_temp = false;
    let e = PackageReader::open(&f.ciphertext[..], &f.ids[0])
        .unwrap()
        .extract_to(
            out.path(),
            &mut |p| {
                if p.done > 1_500_000 {
                    saw_temp |= !entries(out.path()).is_empty();
                    c2.cancel();
                }
            },
            &cancel,
        )
        .unwrap_err();
    assert!(matches!(e, DecryptError::Cancelled), "{e:?}");
    assert!(saw_temp, "the first file was already staged when cancelled");
    assert_empty(out.path(), "after cancel");
}

#[test]
fn a_panic_mid_extract_leaves_nothing() {
    let f = fixture(&[300_000, 300_000], 1);
    let out = tempfile::tempdir().unwrap();
    let reader = PackageReader::open(&f.ciphertext[..], &f.ids[0]).unwrap();
    let result = catch_unwind(AssertUnwindSafe(|| {
        reader.extract_to(
            out.path(),
            &mut |p| {
                if p.done > 400_000 {
                    panic!("UI thread died");
                }
            },
            &Cancel::new(),
        )
    }));
    assert!(result.is_err());
    assert_empty(out.path(), "after panic");
}

/// age-encrypts a hand-made payload to a fresh identity and tries to extract it.
fn extract_raw(
    payload: &[u8],
) -> (
    Result<Vec<kepil_core::package::SavedFile>, DecryptError>,
    tempfile::TempDir,
) {
    let id = age::x25519::Identity::generate();
    let ct = age_encrypt(payload, &id.to_public());
    extract(&ct, &id)
}

fn raw_fail(payload: &[u8], context: &str) -> DecryptError {
    let (result, out) = extract_raw(payload);
    assert_empty(out.path(), context);
    result.expect_err(context)
}

#[test]
fn manifest_length_is_bounded_before_allocation() {
    // A length prefix of 4 GiB followed by almost nothing: rejected on the prefix alone.
    let mut p = raw_payload(1, b"", &[], &[]);
    p[10..14].copy_from_slice(&u32::MAX.to_be_bytes());
    match raw_fail(&p, "u32::MAX") {
        DecryptError::ManifestTooLarge { len, max } => {
            assert_eq!(
                (len, max),
                (u64::from(u32::MAX), u64::from(MAX_MANIFEST_LEN))
            );
        }
        other => panic!("{other:?}"),
    }
    p[10..14].copy_from_slice(&(MAX_MANIFEST_LEN + 1).to_be_bytes());
    assert!(matches!(
        raw_fail(&p, "max+1"),
        DecryptError::ManifestTooLarge { .. }
    ));

    // Exactly at the limit is accepted.
    let base = manifest_json(&[("a.txt", 3)]);
    let mut value: serde_json::Value = serde_json::from_slice(&base).unwrap();
    let pad = MAX_MANIFEST_LEN as usize - base.len();
    value["message"] = serde_json::Value::String(format!("m{}", "x".repeat(pad)));
    let json = serde_json::to_vec(&value).unwrap();
    assert_eq!(json.len(), MAX_MANIFEST_LEN as usize);
    let p = raw_payload(1, &json, &[(b"abc".to_vec(), sha256(b"abc"))], &[]);
    let (result, _out) = extract_raw(&p);
    assert_eq!(result.unwrap().len(), 1);
}

#[test]
fn trailing_data_is_rejected_in_plaintext_and_ciphertext() {
    let json = manifest_json(&[("a.txt", 3)]);
    let p = raw_payload(1, &json, &[(b"abc".to_vec(), sha256(b"abc"))], b"x");
    assert!(matches!(
        raw_fail(&p, "plaintext"),
        DecryptError::TrailingData
    ));

    let f = fixture(&[100_000], 1);
    for extra in [1usize, 16, 17, WIRE_CHUNK, WIRE_CHUNK + 5] {
        let mut ct = f.ciphertext.clone();
        ct.extend(bytes(extra, extra as u64));
        assert_eq!(
            fail(&ct, &f.ids[0], "ciphertext"),
            "package_trailing_data",
            "{extra}"
        );
    }
}

#[test]
fn hostile_names_are_saved_sanitised_inside_the_folder() {
    let names = [
        "../../etc/passwd",
        "..\\..\\Windows\\system.ini",
        "/abs/path.txt",
        "C:evil.txt",
        "CON",
        "nul.txt",
        "invoice\u{202E}fdp.exe",
        "..",
        "",
        "a\u{0}b\nc.txt",
        "same.txt",
        "SAME.txt",
    ];
    let files: Vec<(&str, u64)> = names.iter().map(|n| (*n, 2)).collect();
    let json = manifest_json(&files);
    let contents: Vec<(Vec<u8>, [u8; 32])> = (0..names.len())
        .map(|i| {
            let d = vec![b'0' + i as u8, b'\n'];
            let h = sha256(&d);
            (d, h)
        })
        .collect();
    let p = raw_payload(1, &json, &contents, &[]);
    let (result, out) = extract_raw(&p);
    let saved = result.unwrap();
    assert_eq!(saved.len(), names.len());
    for (i, s) in saved.iter().enumerate() {
        assert_eq!(s.name, names[i]);
        assert_eq!(s.path.parent(), Some(out.path()), "{:?}", s.path);
        assert_eq!(std::fs::read(&s.path).unwrap(), contents[i].0);
        let file_name = s.path.file_name().unwrap().to_str().unwrap();
        assert!(
            !file_name.contains(['/', '\\', '\u{202E}', '\0', '\n']),
            "{file_name:?}"
        );
        assert!(file_name != ".." && !file_name.is_empty());
    }
    let on_disk = entries(out.path());
    assert!(on_disk.contains(&"passwd".to_owned()), "{on_disk:?}");
    assert!(on_disk.contains(&"_CON".to_owned()), "{on_disk:?}");
    assert!(
        on_disk.contains(&"invoicefdp.exe".to_owned()),
        "{on_disk:?}"
    );
    // Case-insensitive de-duplication (Windows and macOS file systems).
    assert!(on_disk.contains(&"SAME (2).txt".to_owned()), "{on_disk:?}");
    assert_eq!(on_disk.len(), names.len());
    assert!(!out.path().parent().unwrap().join("passwd").exists());
}

#[test]
fn inconsistent_payloads_fail_and_leave_nothing() {
    let abc = (b"abc".to_vec(), sha256(b"abc"));

    // The second file's hash is wrong: the first, already staged, is removed too.
    let json = manifest_json(&[("a.txt", 3), ("b.txt", 3)]);
    let p = raw_payload(
        1,
        &json,
        &[abc.clone(), (b"abd".to_vec(), sha256(b"abc"))],
        &[],
    );
    match raw_fail(&p, "hash") {
        DecryptError::FileHashMismatch { name } => assert_eq!(name, "b.txt"),
        other => panic!("{other:?}"),
    }

    // The manifest promises more than the payload holds.
    let json = manifest_json(&[("a.txt", 3), ("b.txt", 100)]);
    let p = raw_payload(1, &json, std::slice::from_ref(&abc), b"short");
    assert!(matches!(
        raw_fail(&p, "short"),
        DecryptError::ManifestMismatch
    ));
    // ... or the hash is cut off.
    let json = manifest_json(&[("a.txt", 3)]);
    let mut p = raw_payload(1, &json, std::slice::from_ref(&abc), &[]);
    p.truncate(p.len() - 1);
    assert!(matches!(
        raw_fail(&p, "hash cut"),
        DecryptError::ManifestMismatch
    ));

    // Not ours, newer, or broken.
    assert!(matches!(
        raw_fail(b"%PDF-1.7 hello", "pdf"),
        DecryptError::NotAKepilPackage
    ));
    assert!(matches!(
        raw_fail(b"", "empty payload"),
        DecryptError::NotAKepilPackage
    ));
    let p = raw_payload(3, &json, std::slice::from_ref(&abc), &[]);
    assert!(matches!(
        raw_fail(&p, "v3"),
        DecryptError::UnsupportedFormatVersion { .. }
    ));
    let v3 = String::from_utf8(json.clone())
        .unwrap()
        .replace("\"format_version\":1", "\"format_version\":3");
    let p = raw_payload(1, v3.as_bytes(), std::slice::from_ref(&abc), &[]);
    assert!(matches!(
        raw_fail(&p, "manifest v3"),
        DecryptError::UnsupportedFormatVersion { .. }
    ));
    // The prefix and the manifest must name the same format.
    let p = raw_payload(2, &json, std::slice::from_ref(&abc), &[]);
    assert!(matches!(
        raw_fail(&p, "v2 prefix, v1 manifest"),
        DecryptError::ManifestInvalid { .. }
    ));
    for bad in [
        &b"{not json"[..],
        b"{\"format_version\":1}",
        b"[]",
        br#"{"format_version":1,"classification":"TERHAD","sender":"a","created_at":"2025-01-01T00:00:00Z","expires_at":"2025-01-02T00:00:00Z","subject":"","message":"","files":[{"name":"a","size":18446744073709551615},{"name":"b","size":1}]}"#,
        br#"{"format_version":1,"classification":"SECRETISH","sender":"a","created_at":"2025-01-01T00:00:00Z","expires_at":"2025-01-02T00:00:00Z","subject":"","message":"","files":[]}"#,
    ] {
        let p = raw_payload(1, bad, &[], &[]);
        let e = raw_fail(&p, "bad manifest");
        assert!(matches!(e, DecryptError::ManifestInvalid { .. }), "{e:?}");
    }
    let p = raw_payload(1, &json, &[], &[]);
    let mut cut = p.clone();
    cut.truncate(14 + json.len() - 1);
    assert!(matches!(
        raw_fail(&cut, "manifest cut"),
        DecryptError::ManifestInvalid { .. }
    ));
}

#[test]
fn foreign_inputs_are_named_for_what_they_are() {
    let id = age::x25519::Identity::generate();
    let open = |bytes: &[u8]| PackageReader::open(bytes, &id).unwrap_err();
    assert!(matches!(open(b"%PDF-1.7\n..."), DecryptError::NotAnAgeFile));
    assert!(matches!(open(b""), DecryptError::Truncated));
    assert!(matches!(
        open(b"age-encryption.org/"),
        DecryptError::Truncated
    ));
    assert!(matches!(
        open(b"-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n"),
        DecryptError::Armored
    ));
    match open(b"age-encryption.org/v2\nwhatever\n") {
        DecryptError::UnsupportedFormatVersion { version } => {
            assert_eq!(version, "age-encryption.org/v2");
        }
        other => panic!("{other:?}"),
    }
}

/// A reader that serves `prefix` then an endless stream of `fill`, counting what it served.
struct Endless {
    prefix: Vec<u8>,
    fill: u8,
    served: u64,
}

impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(8192);
        for (i, b) in buf[..n].iter_mut().enumerate() {
            let at = self.served as usize + i;
            *b = self.prefix.get(at).copied().unwrap_or(self.fill);
        }
        self.served += n as u64;
        Ok(n)
    }
}

#[test]
fn an_endless_header_is_cut_off_early() {
    let id = age::x25519::Identity::generate();
    // A stanza argument that never ends, and a stanza list that never ends.
    for (prefix, fill) in [
        (b"age-encryption.org/v1\n-> X25519 ".to_vec(), b'A'),
        (b"age-encryption.org/v1\n".to_vec(), b'\n'),
    ] {
        let mut input = Endless {
            prefix,
            fill,
            served: 0,
        };
        let e = PackageReader::open(&mut input, &id).unwrap_err();
        assert!(matches!(e, DecryptError::HeaderCorrupt), "{e:?}");
        assert!(
            input.served <= MAX_HEADER_LEN + 16 * 1024,
            "read {} bytes",
            input.served
        );
    }
    // Many well-formed stanzas over the limit.
    let mut header = b"age-encryption.org/v1\n".to_vec();
    while (header.len() as u64) < MAX_HEADER_LEN + 100 {
        header.extend_from_slice(b"-> x-grease a b\nAAAA\n");
    }
    let mut input = Endless {
        prefix: header,
        fill: b'\n',
        served: 0,
    };
    assert!(matches!(
        PackageReader::open(&mut input, &id).unwrap_err(),
        DecryptError::HeaderCorrupt
    ));
}

/// Format 1 (SHA-256 after each file) is still read, so a package from an older Kepil opens;
/// format 2 uses BLAKE3, and each format's hash is the only one it accepts.
#[test]
fn each_format_checks_files_with_its_own_hash() {
    let data = b"laporan suku tahun".to_vec();
    let v1 = manifest_json(&[("a.txt", data.len() as u64)]);
    let v2 = String::from_utf8(v1.clone())
        .unwrap()
        .replace("\"format_version\":1", "\"format_version\":2")
        .into_bytes();
    let blake3 = *blake3::hash(&data).as_bytes();

    let (result, out) = extract_raw(&raw_payload(1, &v1, &[(data.clone(), sha256(&data))], &[]));
    let saved = result.expect("format 1 with SHA-256");
    assert_eq!(std::fs::read(&saved[0].path).unwrap(), data);
    drop(out);
    let (result, out) = extract_raw(&raw_payload(2, &v2, &[(data.clone(), blake3)], &[]));
    let saved = result.expect("format 2 with BLAKE3");
    assert_eq!(std::fs::read(&saved[0].path).unwrap(), data);
    drop(out);

    for (version, json, hash, context) in [
        (1, &v1, blake3, "format 1 with BLAKE3"),
        (2, &v2, sha256(&data), "format 2 with SHA-256"),
    ] {
        let p = raw_payload(version, json, &[(data.clone(), hash)], &[]);
        assert!(
            matches!(raw_fail(&p, context), DecryptError::FileHashMismatch { .. }),
            "{context}"
        );
    }
}

/// Once the manifest gives the payload's length, a full chunk is decrypted as the last one or
/// not by where it ends: a payload that ends exactly on a chunk boundary must still open, and
/// a stream cut at that boundary or run on past it must still fail with the precise error.
#[test]
fn a_payload_ending_on_a_chunk_boundary_opens_and_its_damage_is_named() {
    const CHUNK: u64 = 64 * 1024;
    // Grow the file until prefix + manifest + file + hash fill exactly four chunks (the size
    // keeps its digit count, so the manifest's length does not move).
    let mut size = 200_000usize;
    let f = loop {
        let f = fixture(&[size], 1);
        let len = f.plan.payload_len();
        if len.is_multiple_of(CHUNK) {
            break f;
        }
        size += (CHUNK - len % CHUNK) as usize;
    };
    assert_eq!(f.plan.payload_len(), 4 * CHUNK);
    let me = &f.ids[0];
    let total = f.ciphertext.len();
    let stream_start = header_len(1) + 16;
    assert_eq!(total, stream_start + 4 * WIRE_CHUNK);

    let (result, _out) = extract(&f.ciphertext, me);
    let saved = result.expect("a payload of whole chunks opens");
    assert_eq!(saved.len(), 1);
    assert_eq!(std::fs::read(&saved[0].path).unwrap(), f.files[0].1);

    // The last full chunk missing: the one before it was not sealed as the last.
    assert_eq!(
        fail(
            &f.ciphertext[..total - WIRE_CHUNK],
            me,
            "cut at the boundary"
        ),
        "package_truncated"
    );
    for extra in [1usize, 16, WIRE_CHUNK] {
        let mut ct = f.ciphertext.clone();
        ct.extend(bytes(extra, 3));
        assert_eq!(
            fail(&ct, me, "run on past the end"),
            "package_trailing_data",
            "{extra}"
        );
    }
    // The last chunk's tag damaged.
    let mut ct = f.ciphertext.clone();
    ct[total - 1] ^= 1;
    assert_eq!(fail(&ct, me, "last tag"), "package_corrupt");
}
