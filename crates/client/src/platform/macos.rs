//! macOS: the policy in `/Library/Application Support/Kepil`, trusted on the same terms as on
//! Linux (owned by root, writable by nobody else); saved files quarantined the way browsers
//! quarantine downloads.
//!
//! A saved file gets two extended attributes: `com.apple.quarantine`, which makes Gatekeeper
//! and Launch Services treat it as downloaded, and `com.apple.metadata:kMDItemWhereFroms`,
//! the binary property list of where it came from that Finder shows under "Where from" and
//! that [`read_origin`] reads back. The property-list code is plain bytes, so its tests run on
//! every Unix; marking a real file is tested only on macOS, which this project's machines are
//! not (docs/platforms.md).

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

pub use super::unix::check_protected as check_policy_protected;

pub fn policy_path() -> PathBuf {
    PathBuf::from("/Library/Application Support/Kepil/policy.toml")
}

const QUARANTINE: &str = "com.apple.quarantine";
const WHERE_FROMS: &str = "com.apple.metadata:kMDItemWhereFroms";

/// Quarantines `path` and records `origin` as where it came from. Returns whether both were
/// set (a file system without extended attributes takes neither).
pub fn mark_origin(path: &Path, origin: &str) -> bool {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let quarantined = xattr::set(path, QUARANTINE, quarantine(seconds).as_bytes()).is_ok();
    let recorded = xattr::set(path, WHERE_FROMS, &where_froms(&[origin])).is_ok();
    quarantined && recorded
}

/// The first place `path` is recorded as coming from, as [`mark_origin`] (or a browser)
/// recorded it.
pub fn read_origin(path: &Path) -> Option<String> {
    let plist = xattr::get(path, WHERE_FROMS).ok().flatten()?;
    read_where_froms(&plist)?.into_iter().next()
}

/// `flags;time;agent;event`: 0x0081 is "downloaded" as browsers set it, the time is hex Unix
/// seconds, and no event id is given because Kepil writes nothing to the system's quarantine
/// events database.
fn quarantine(unix_seconds: u64) -> String {
    format!("0081;{unix_seconds:08x};Kepil;")
}

/// A binary property list (`bplist00`) holding one array of strings.
fn where_froms(items: &[&str]) -> Vec<u8> {
    let mut out = b"bplist00".to_vec();
    let mut offsets = Vec::with_capacity(items.len() + 1);
    // Object 0 is the array, objects 1… its strings; one-byte references keep it simple and
    // cover far more entries than a file ever has.
    let items = &items[..items.len().min(254)];
    offsets.push(out.len());
    marker(&mut out, 0xA0, items.len());
    out.extend((1..=items.len()).map(|i| i as u8));
    for item in items {
        offsets.push(out.len());
        if item.is_ascii() {
            marker(&mut out, 0x50, item.len());
            out.extend_from_slice(item.as_bytes());
        } else {
            let units: Vec<u16> = item.encode_utf16().collect();
            marker(&mut out, 0x60, units.len());
            out.extend(units.iter().flat_map(|u| u.to_be_bytes()));
        }
    }
    let table_at = out.len();
    let width = int_width(table_at as u64);
    for offset in &offsets {
        out.extend_from_slice(&(*offset as u64).to_be_bytes()[8 - width..]);
    }
    out.extend_from_slice(&[0; 6]);
    out.push(width as u8);
    out.push(1);
    out.extend_from_slice(&(offsets.len() as u64).to_be_bytes());
    out.extend_from_slice(&0u64.to_be_bytes());
    out.extend_from_slice(&(table_at as u64).to_be_bytes());
    out
}

/// An object's marker byte with its count, the count following as an integer object when it
/// does not fit in the low nibble.
fn marker(out: &mut Vec<u8>, kind: u8, count: usize) {
    if count < 15 {
        out.push(kind | count as u8);
        return;
    }
    out.push(kind | 0x0F);
    let width = int_width(count as u64);
    out.push(0x10 | width.trailing_zeros() as u8);
    out.extend_from_slice(&(count as u64).to_be_bytes()[8 - width..]);
}

fn int_width(n: u64) -> usize {
    match n {
        0..=0xFF => 1,
        0x100..=0xFFFF => 2,
        0x1_0000..=0xFFFF_FFFF => 4,
        _ => 8,
    }
}

/// The strings of a binary property list whose top object is an array of strings (or one
/// string); `None` for anything else. Every offset is checked against the data: the
/// attribute is on a file a user controls.
fn read_where_froms(data: &[u8]) -> Option<Vec<String>> {
    if data.len() < 8 + 32 || !data.starts_with(b"bplist00") {
        return None;
    }
    let trailer = &data[data.len() - 32..];
    let offset_width = usize::from(trailer[6]);
    let ref_width = usize::from(trailer[7]);
    let count = be(&trailer[8..16])?;
    let top = be(&trailer[16..24])?;
    let table_at = be(&trailer[24..32])?;
    if !(1..=8).contains(&offset_width) || !(1..=8).contains(&ref_width) || top >= count {
        return None;
    }
    let object_at = |index: usize| -> Option<usize> {
        if index >= count {
            return None;
        }
        let at = table_at.checked_add(index.checked_mul(offset_width)?)?;
        be(data.get(at..at.checked_add(offset_width)?)?)
    };
    let string = |index: usize| -> Option<String> {
        let at = object_at(index)?;
        let (kind, len, body) = object(data, at)?;
        match kind {
            0x5 => String::from_utf8(data.get(body..body.checked_add(len)?)?.to_vec()).ok(),
            0x6 => {
                let bytes = data.get(body..body.checked_add(len.checked_mul(2)?)?)?;
                let units: Vec<u16> = bytes
                    .chunks_exact(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect();
                String::from_utf16(&units).ok()
            }
            _ => None,
        }
    };
    let at = object_at(top)?;
    let (kind, len, body) = object(data, at)?;
    if kind != 0xA {
        return string(top).map(|s| vec![s]);
    }
    (0..len)
        .map(|i| {
            let at = body.checked_add(i.checked_mul(ref_width)?)?;
            string(be(data.get(at..at.checked_add(ref_width)?)?)?)
        })
        .collect()
}

/// An object's kind (high nibble), count, and where its body starts.
fn object(data: &[u8], at: usize) -> Option<(u8, usize, usize)> {
    let m = *data.get(at)?;
    let (kind, nibble) = (m >> 4, usize::from(m & 0x0F));
    if nibble != 0x0F {
        return Some((kind, nibble, at + 1));
    }
    let int = *data.get(at + 1)?;
    if int >> 4 != 0x1 || int & 0x0F > 3 {
        return None;
    }
    let width = 1usize << (int & 0x0F);
    let len = be(data.get(at + 2..at + 2 + width)?)?;
    Some((kind, len, at + 2 + width))
}

/// A big-endian unsigned integer of 1 to 8 bytes, if it fits in `usize`.
fn be(bytes: &[u8]) -> Option<usize> {
    if bytes.is_empty() || bytes.len() > 8 {
        return None;
    }
    let n = bytes.iter().fold(0u64, |n, &b| (n << 8) | u64::from(b));
    usize::try_from(n).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quarantine_value_is_what_gatekeeper_reads() {
        assert_eq!(quarantine(0x6553_f100), "0081;6553f100;Kepil;");
        assert_eq!(quarantine(0), "0081;00000000;Kepil;");
    }

    #[test]
    fn where_froms_is_a_binary_plist_of_the_origin() {
        let origin = "https://kepil.agensi.gov.my/t/GRANT123";
        let plist = where_froms(&[origin]);
        // Laid out by hand from Apple's format: the array at 8 (one reference, to object 1),
        // the 38-character ASCII string at 10 (its length as a one-byte integer object), the
        // offset table at 51, the trailer (1-byte offsets and references, 2 objects, top 0).
        let mut expected = b"bplist00\xa1\x01\x5f\x10\x26".to_vec();
        expected.extend_from_slice(origin.as_bytes());
        expected.extend_from_slice(&[0x08, 0x0a]);
        expected.extend_from_slice(&[0, 0, 0, 0, 0, 0, 1, 1]);
        expected.extend_from_slice(&2u64.to_be_bytes());
        expected.extend_from_slice(&0u64.to_be_bytes());
        expected.extend_from_slice(&51u64.to_be_bytes());
        assert_eq!(plist, expected);
        assert_eq!(read_where_froms(&plist), Some(vec![origin.to_string()]));
    }

    #[test]
    fn where_froms_round_trips_long_and_non_ascii_text() {
        let long = format!("https://kepil.agensi.gov.my/t/{}", "A".repeat(300));
        let items = [long.as_str(), "https://pautan.contoh/é", "short"];
        let plist = where_froms(&items);
        let read = read_where_froms(&plist).unwrap();
        assert_eq!(read, items.map(str::to_string));
    }

    #[test]
    fn a_damaged_plist_reads_as_nothing() {
        let plist = where_froms(&["https://kepil.agensi.gov.my/t/X"]);
        assert_eq!(read_where_froms(b"bplist00"), None);
        assert_eq!(read_where_froms(&plist[..plist.len() - 1]), None);
        for i in 8..plist.len() {
            let mut bad = plist.clone();
            bad[i] ^= 0xFF;
            // Whatever it reads, it does not panic or read past the data.
            let _ = read_where_froms(&bad);
        }
        let mut not_plist = plist.clone();
        not_plist[0] = b'x';
        assert_eq!(read_where_froms(&not_plist), None);
    }

    #[cfg(target_os = "macos")]
    #[test]
    fn a_saved_file_is_quarantined_and_says_where_it_came_from() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("surat.pdf");
        std::fs::write(&file, b"x").unwrap();
        let origin = "https://kepil.agensi.gov.my/t/GRANT123";
        assert!(mark_origin(&file, origin), "APFS takes extended attributes");
        assert_eq!(read_origin(&file).as_deref(), Some(origin));
        let q = xattr::get(&file, QUARANTINE).unwrap().unwrap();
        assert!(q.starts_with(b"0081;") && q.ends_with(b";Kepil;"));
    }
}
