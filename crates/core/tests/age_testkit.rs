//! The C2SP age test vectors (CCTV), run through Kepil's own age-decryption layer
//! (`package::open_age` + `AgeReader::read`, the same calls `PackageReader` makes), so the
//! error mapping users see is pinned against the reference vectors.
//!
//! Vectors live in `tests/data/age-testkit/` (copied from `shared/testdata/age-testkit/`, the
//! upstream format is described in its README). Each file: `key: value` header lines, a blank
//! line, the age file (zlib-compressed when `compressed: zlib`).
//!
//! Every vector is run. Those the age crate (0.12.1) or Kepil deliberately handle differently
//! from `expect:` are listed in `EXCEPTIONS` with the reason and the outcome that is asserted
//! instead; the test fails if an exception no longer matches a vector or a vector is missing.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::str::FromStr;

use kepil_core::package::{DecryptError, open_age};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Success([u8; 32]),
    PayloadFailure([u8; 32]),
    HeaderFailure,
    HmacFailure,
    NoMatch,
    ArmorFailure,
}

#[derive(Debug)]
struct Vector {
    name: String,
    expect: Expect,
    identities: Vec<String>,
    passphrases: Vec<String>,
    armored: bool,
    age_file: Vec<u8>,
}

fn hex32(s: &str) -> [u8; 32] {
    assert_eq!(s.len(), 64, "bad hash {s}");
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex");
    }
    out
}

fn parse(name: &str, bytes: &[u8]) -> Vector {
    let split = bytes
        .windows(2)
        .position(|w| w == b"\n\n")
        .unwrap_or_else(|| panic!("{name}: no blank line after the header"));
    let header = std::str::from_utf8(&bytes[..split]).expect("utf-8 header");
    let body = &bytes[split + 2..];

    let mut expect = None;
    let mut payload = None;
    let mut identities = vec![];
    let mut passphrases = vec![];
    let mut armored = false;
    let mut compressed = false;
    for line in header.lines() {
        let (key, value) = line
            .split_once(": ")
            .unwrap_or_else(|| panic!("{name}: bad header line {line:?}"));
        match key {
            "expect" => expect = Some(value.to_owned()),
            "payload" => payload = Some(hex32(value)),
            "file key" | "comment" => {}
            "identity" => identities.push(value.to_owned()),
            "passphrase" => passphrases.push(value.to_owned()),
            "armored" => armored = value == "yes",
            "compressed" => {
                assert_eq!(value, "zlib", "{name}: unknown compression");
                compressed = true;
            }
            other => panic!("{name}: unknown testkit key {other:?}"),
        }
    }
    let expect = match expect.as_deref() {
        Some("success") => Expect::Success(payload.expect("payload hash")),
        Some("payload failure") => Expect::PayloadFailure(payload.expect("payload hash")),
        Some("header failure") => Expect::HeaderFailure,
        Some("HMAC failure") => Expect::HmacFailure,
        Some("no match") => Expect::NoMatch,
        Some("armor failure") => Expect::ArmorFailure,
        other => panic!("{name}: unknown expect {other:?}"),
    };
    let age_file = if compressed {
        let mut out = vec![];
        flate2::read::ZlibDecoder::new(body)
            .read_to_end(&mut out)
            .expect("zlib");
        out
    } else {
        body.to_vec()
    };
    Vector {
        name: name.to_owned(),
        expect,
        identities,
        passphrases,
        armored,
        age_file,
    }
}

/// What Kepil's age layer did with a vector.
#[derive(Debug)]
enum Outcome {
    /// `open_age` failed: header, key or MAC stage.
    Open(DecryptError),
    /// The header opened; the payload stream then ended (`error: None`) or failed.
    Stream {
        sha256: [u8; 32],
        error: Option<DecryptError>,
    },
}

fn run(v: &Vector, identity: &dyn age::Identity) -> Outcome {
    let mut reader = match open_age(&v.age_file[..], identity) {
        Ok(r) => r,
        Err(e) => return Outcome::Open(e),
    };
    let mut payload = vec![];
    let mut buf = vec![0u8; 100_000];
    let error = loop {
        match reader.read(&mut buf) {
            Ok(0) => break None,
            Ok(n) => payload.extend_from_slice(&buf[..n]),
            Err(e) => break Some(e),
        }
    };
    Outcome::Stream {
        sha256: Sha256::digest(&payload).into(),
        error,
    }
}

/// The outcome a vector's `expect:` requires from our layer, or why not.
fn check_expected(v: &Vector, out: &Outcome) -> Result<(), String> {
    use DecryptError as D;
    let ok = match (&v.expect, out) {
        (
            Expect::Success(h),
            Outcome::Stream {
                sha256,
                error: None,
            },
        ) => sha256 == h,
        (
            Expect::PayloadFailure(h),
            Outcome::Stream {
                sha256,
                error: Some(e),
            },
        ) => {
            // age reports a stream that simply stops at a chunk boundary as end of file
            // (truncated); everything else as a failed chunk (corrupt). What decrypted before
            // the failure must match the vector's hash: no partial chunk is ever released.
            let truncated = [
                "stream_no_chunks",
                "stream_no_final_full",
                "stream_no_final_two_chunks_full",
            ]
            .contains(&v.name.as_str());
            sha256 == h
                && if truncated {
                    matches!(e, D::Truncated)
                } else {
                    matches!(e, D::Corrupt)
                }
        }
        (Expect::HeaderFailure, Outcome::Open(e)) => match v.name.as_str() {
            "version_unsupported" => matches!(e, D::UnsupportedFormatVersion { .. }),
            // The input ends inside the header or the nonce, or before the header's MAC line
            // ever completes: age's parser waits for more and hits end of file.
            "empty" | "stream_no_nonce" | "stream_short_nonce" | "hmac_missing"
            | "hmac_truncated" => matches!(e, D::Truncated),
            _ => matches!(e, D::HeaderCorrupt),
        },
        (Expect::HmacFailure, Outcome::Open(e)) => matches!(e, D::Tampered),
        (Expect::NoMatch, Outcome::Open(e)) => matches!(e, D::WrongKey),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{}: expected {:?}, got {out:?}", v.name, v.expect))
    }
}

/// How a vector outside what Kepil's layer is meant to open is handled instead.
#[derive(Clone, Copy, Debug)]
enum Exception {
    /// Armored vectors: Kepil packages are binary, so armor is refused up front with
    /// `Armored`, whatever the armor's own validity.
    RefuseArmor,
    /// Armored vectors whose BEGIN line itself is malformed: not recognised as armor, so
    /// "not an age file".
    NotAge,
    /// Passphrase (scrypt) vectors: Kepil grants are X25519 only, and the layer takes one
    /// X25519 identity. Run with a fresh X25519 identity: must never succeed, and must fail
    /// at the header stage (no match, or a header error).
    NoPassphrase,
    /// ML-KEM-768+X25519 hybrid vectors (`AGE-SECRET-KEY-PQ-1`): not implemented by age
    /// 0.12.1. Run with the vector's X25519 identity if it has one, else a fresh one: must
    /// never succeed, and must fail at the header stage.
    NoHybrid,
    /// age 0.12.1 still accepts legacy stanzas without the final short body line (its own
    /// testkit.rs lists the same two): the file decrypts; the header MAC still covers it.
    LegacyStanzaAccepted,
}

/// Vector name (or prefix ending in `_*`) → exception and reason. Checked against the
/// vectors: an unused entry fails the test.
const EXCEPTIONS: &[(&str, Exception)] = &[
    ("armor_garbage_leading", Exception::NotAge),
    ("armor_lowercase", Exception::NotAge),
    ("armor_whitespace_begin", Exception::NotAge),
    ("armor_wrong_type", Exception::NotAge),
    ("armor_*", Exception::RefuseArmor),
    ("scrypt*", Exception::NoPassphrase),
    ("hybrid*", Exception::NoHybrid),
    ("stanza_missing_body", Exception::LegacyStanzaAccepted),
    ("stanza_missing_final_line", Exception::LegacyStanzaAccepted),
];

fn exception_for(name: &str) -> Option<(&'static str, Exception)> {
    EXCEPTIONS
        .iter()
        .copied()
        .find(|(pat, _)| match pat.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => *pat == name,
        })
}

fn check_exception(v: &Vector, exc: Exception) -> Result<(), String> {
    use DecryptError as D;
    let fresh = age::x25519::Identity::generate();
    let x25519_identity = v
        .identities
        .iter()
        .filter(|s| s.starts_with("AGE-SECRET-KEY-1"))
        .map(|s| age::x25519::Identity::from_str(s).expect("identity"))
        .next();
    let header_failed = |out: &Outcome| {
        matches!(
            out,
            Outcome::Open(D::WrongKey | D::HeaderCorrupt | D::UnsupportedFormatVersion { .. })
        )
    };
    let (ok, out) = match exc {
        Exception::RefuseArmor => {
            assert!(v.armored, "{}: listed as armored", v.name);
            let out = run(v, x25519_identity.as_ref().unwrap_or(&fresh));
            (matches!(out, Outcome::Open(D::Armored)), out)
        }
        Exception::NotAge => {
            assert!(v.armored, "{}: listed as armored", v.name);
            let out = run(v, x25519_identity.as_ref().unwrap_or(&fresh));
            (matches!(out, Outcome::Open(D::NotAnAgeFile)), out)
        }
        Exception::NoPassphrase => {
            assert!(!v.passphrases.is_empty(), "{}: listed as scrypt", v.name);
            let out = run(v, &fresh);
            (header_failed(&out), out)
        }
        Exception::NoHybrid => {
            assert!(
                v.identities
                    .iter()
                    .any(|s| s.starts_with("AGE-SECRET-KEY-PQ-1")),
                "{}: listed as hybrid",
                v.name
            );
            let out = run(v, x25519_identity.as_ref().unwrap_or(&fresh));
            (header_failed(&out), out)
        }
        Exception::LegacyStanzaAccepted => {
            assert_eq!(v.expect, Expect::HeaderFailure);
            let out = run(v, x25519_identity.as_ref().expect("identity"));
            (matches!(out, Outcome::Stream { error: None, .. }), out)
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{} ({exc:?}): got {out:?}", v.name))
    }
}

#[test]
fn age_testkit_vectors_through_kepil_age_layer() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/age-testkit");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/data/age-testkit")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != "README.md")
        .collect();
    names.sort();
    // The copy must be complete: a vector silently missing would be a test silently skipped.
    assert_eq!(names.len(), 143, "expected the 143 CCTV age vectors");

    let mut failures = vec![];
    let mut used = BTreeMap::new();
    let (mut ran, mut excepted) = (0, 0);
    for name in &names {
        let v = parse(name, &std::fs::read(dir.join(name)).expect("read vector"));
        let result = match exception_for(name) {
            Some((pattern, exc)) => {
                *used.entry(pattern).or_insert(0) += 1;
                excepted += 1;
                check_exception(&v, exc)
            }
            None => {
                assert!(!v.armored, "{name}: armored vector without an exception");
                // One X25519 identity, or none where the file fails before any key is used
                // ("empty").
                assert!(
                    v.identities.len() <= 1,
                    "{name}: expected one X25519 identity"
                );
                let identity = match v.identities.first() {
                    Some(s) => age::x25519::Identity::from_str(s)
                        .unwrap_or_else(|e| panic!("{name}: identity: {e}")),
                    None => age::x25519::Identity::generate(),
                };
                ran += 1;
                check_expected(&v, &run(&v, &identity))
            }
        };
        if let Err(e) = result {
            failures.push(e);
        }
    }
    for (pattern, _) in EXCEPTIONS {
        assert!(
            used.contains_key(pattern),
            "exception {pattern} matches no vector"
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        names.len(),
        failures.join("\n")
    );
    // Pinned, so a change to the exception table or the vectors is a deliberate one:
    // 33 armored + 25 scrypt + 18 hybrid + 2 legacy stanzas are exceptions.
    assert_eq!((ran, excepted), (65, 78));
    eprintln!("age testkit: {ran} vectors as specified, {excepted} under documented exceptions");
}
