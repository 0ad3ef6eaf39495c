//! The ClamAV scanner against a real clamd (test-support's, with its own signatures): clean and
//! infected streams over the Unix socket and TCP, a signature split across writes or buried
//! deep in a stream, clamd's size limit, a stopped clamd, and something that is not clamd.

use std::io::{Read, Write};
use std::time::Duration;

use kepil_client::error::ScanError;
use kepil_client::scan::{Clamd, ClamdAddress, Scanner, Verdict};
use kepil_core::message::{Coded, Lang};
use kepil_test_support::clamd::{self, EICAR, EICAR_SIGNATURE, MARKER, MARKER_SIGNATURE};

fn scanner(address: &str) -> Clamd {
    Clamd::new(ClamdAddress::parse(address).unwrap())
}

fn scan(scanner: &Clamd, pieces: &[&[u8]]) -> Result<Verdict, ScanError> {
    let mut session = scanner.start("Laporan.pdf")?;
    for piece in pieces {
        session.write(piece)?;
    }
    session.finish()
}

#[test]
fn clean_and_infected_streams_over_both_transports() {
    let daemon = clamd::Clamd::start();
    for address in [daemon.unix_address(), daemon.tcp_address()] {
        let s = scanner(&address);
        let engine = s.engine().unwrap();
        assert!(engine.engine.starts_with("ClamAV 1."), "{engine:?}");
        // The fixture's own database carries no version or date; an official one does.
        assert_eq!(engine.signatures, None);

        let clean = vec![b'a'; 3 << 20];
        assert_eq!(scan(&s, &[&clean]).unwrap(), Verdict::Clean, "{address}");
        assert_eq!(
            scan(&s, &[EICAR]).unwrap(),
            Verdict::Infected {
                signature: EICAR_SIGNATURE.into()
            },
            "{address}"
        );
        // Split across writes, one byte at a time at the seam: the engine sees one stream.
        let (head, tail) = EICAR.split_at(30);
        let mut pieces: Vec<&[u8]> = vec![head];
        pieces.extend(tail.chunks(1));
        assert_eq!(
            scan(&s, &pieces).unwrap(),
            Verdict::Infected {
                signature: EICAR_SIGNATURE.into()
            }
        );
    }
    let log = daemon.log();
    assert!(log.contains(EICAR_SIGNATURE), "{log}");
}

#[test]
fn a_signature_deep_in_a_large_stream_is_found() {
    let daemon = clamd::Clamd::start();
    let s = scanner(&daemon.unix_address());
    let mut big = vec![0x5au8; 24 << 20];
    let at = 17 << 20;
    big[at..at + MARKER.len()].copy_from_slice(MARKER);
    // Written in odd-sized pieces, as a file is read for encryption.
    let pieces: Vec<&[u8]> = big.chunks(65_521).collect();
    assert_eq!(
        scan(&s, &pieces).unwrap(),
        Verdict::Infected {
            signature: MARKER_SIGNATURE.into()
        }
    );
    // The same bytes without the marker are clean: the marker is what was found.
    big[at..at + MARKER.len()].fill(0x5a);
    assert_eq!(scan(&s, &[&big]).unwrap(), Verdict::Clean);
}

#[test]
fn a_stream_over_clamds_limit_is_refused_not_passed() {
    let daemon = clamd::Clamd::start_with_limit("1M");
    let s = scanner(&daemon.unix_address());
    let e = scan(&s, &[&vec![b'x'; 3 << 20]]).unwrap_err();
    assert_eq!(e.code(), "scan_too_large", "{e:?}");
    assert!(e.message(Lang::En).contains("Laporan.pdf"));
    assert!(e.message(Lang::En).contains("StreamMaxLength"));
}

#[test]
fn a_stopped_clamd_is_unreachable_with_its_address() {
    let mut daemon = clamd::Clamd::start();
    let address = daemon.unix_address();
    let s = scanner(&address);
    assert_eq!(scan(&s, &[b"hello"]).unwrap(), Verdict::Clean);
    daemon.stop();
    for e in [s.engine().unwrap_err(), s.start("a.pdf").err().unwrap()] {
        assert_eq!(e.code(), "scanner_unreachable", "{e:?}");
        let en = e.message(Lang::En);
        let ms = e.message(Lang::Ms);
        assert!(en.contains(&address) && en.contains("clamd"), "{en}");
        assert!(ms.contains(&address) && ms.contains("clamd"), "{ms}");
    }
    let tcp = scanner(&daemon.tcp_address());
    assert_eq!(tcp.engine().unwrap_err().code(), "scanner_unreachable");
    daemon.restart();
    assert_eq!(
        scan(&s, &[EICAR]).unwrap(),
        Verdict::Infected {
            signature: EICAR_SIGNATURE.into()
        }
    );
}

#[test]
fn something_that_is_not_clamd_is_not_believed() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut buf = [0u8; 64];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
        }
    });
    let mut s = scanner(&format!("tcp://127.0.0.1:{port}"));
    s.verdict_timeout = Duration::from_secs(5);
    assert_eq!(s.engine().unwrap_err().code(), "scanner_protocol");
    let e = scan(&s, &[b"hello"]).unwrap_err();
    assert!(
        matches!(e.code(), "scanner_protocol" | "scanner_failed"),
        "{e:?}"
    );
}
