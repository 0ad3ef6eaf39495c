//! Whether anyone but the administrators could change a file or folder on Windows, decided
//! from its security descriptor in SDDL, the text form Windows itself writes
//! (`ConvertSecurityDescriptorToStringSecurityDescriptorW`, read in `windows.rs`). Text in,
//! verdict out, so the rules are built and tested on every platform, not only on Windows.
//!
//! The rules, as strict as Unix's "owned by root, writable by nobody else":
//! - the owner is SYSTEM, Administrators or TrustedInstaller (an owner can always rewrite the
//!   access list, so a user who owns the file could give themselves the right to change it);
//! - no entry of the access list that applies to this object grants anyone else a right to
//!   change it: write or append data (for a folder: add files or subfolders), delete it or its
//!   children, change its permissions or owner, or the generic rights that include those.
//!   Writing extended attributes or attribute bits does not change what Kepil reads, and
//!   reading is everyone's business;
//! - a NULL access list (everyone may do anything) is refused.
//!
//! Deny entries are not credited: a grant the access list also denies still fails the check.
//! That can refuse a file a deny entry protects, never accept one that is writable, and a
//! policy IT writes has no reason for deny entries. Entries for CREATOR OWNER and CREATOR
//! GROUP (templates for what is created inside, granting nothing on the object) and OWNER
//! RIGHTS (the owner, checked above) grant no one else anything.

/// Who may own and change the system policy: LocalSystem, the Administrators group, and
/// TrustedInstaller (which owns what Windows installs).
const TRUSTED: &[&str] = &[
    "S-1-5-18",
    "S-1-5-32-544",
    "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464",
];

/// CREATOR OWNER, CREATOR GROUP and OWNER RIGHTS.
const PLACEHOLDERS: &[&str] = &["S-1-3-0", "S-1-3-1", "S-1-3-4"];

/// FILE_WRITE_DATA (FILE_ADD_FILE), FILE_APPEND_DATA (FILE_ADD_SUBDIRECTORY), FILE_DELETE_CHILD,
/// DELETE, WRITE_DAC, WRITE_OWNER, MAXIMUM_ALLOWED, GENERIC_ALL and GENERIC_WRITE.
const CHANGE_RIGHTS: u32 =
    0x2 | 0x4 | 0x40 | 0x1_0000 | 0x4_0000 | 0x8_0000 | 0x200_0000 | 0x1000_0000 | 0x4000_0000;

/// SDDL's two-letter names of well-known SIDs that the messages may need; any other alias is
/// kept as it is (and never trusted).
const ALIASES: &[(&str, &str, &str)] = &[
    ("SY", "S-1-5-18", "SYSTEM"),
    ("BA", "S-1-5-32-544", "Administrators"),
    ("BU", "S-1-5-32-545", "Users"),
    ("BG", "S-1-5-32-546", "Guests"),
    ("PU", "S-1-5-32-547", "Power Users"),
    ("AO", "S-1-5-32-548", "Account Operators"),
    ("SO", "S-1-5-32-549", "Server Operators"),
    ("BO", "S-1-5-32-551", "Backup Operators"),
    ("RD", "S-1-5-32-555", "Remote Desktop Users"),
    ("WD", "S-1-1-0", "Everyone"),
    ("AU", "S-1-5-11", "Authenticated Users"),
    ("IU", "S-1-5-4", "INTERACTIVE"),
    ("NU", "S-1-5-2", "NETWORK"),
    ("AN", "S-1-5-7", "ANONYMOUS LOGON"),
    ("SU", "S-1-5-6", "SERVICE"),
    ("LS", "S-1-5-19", "LOCAL SERVICE"),
    ("NS", "S-1-5-20", "NETWORK SERVICE"),
    ("AC", "S-1-15-2-1", "ALL APPLICATION PACKAGES"),
    ("CO", "S-1-3-0", "CREATOR OWNER"),
    ("CG", "S-1-3-1", "CREATOR GROUP"),
    ("OW", "S-1-3-4", "OWNER RIGHTS"),
];

/// SDDL's access-right names: the generic and standard rights, the directory-service names
/// Windows also uses for file rights (`DC` is FILE_WRITE_DATA, …), and the file and registry
/// combinations.
const RIGHTS: &[(&str, u32)] = &[
    ("GA", 0x1000_0000),
    ("GR", 0x8000_0000),
    ("GW", 0x4000_0000),
    ("GX", 0x2000_0000),
    ("RC", 0x2_0000),
    ("SD", 0x1_0000),
    ("WD", 0x4_0000),
    ("WO", 0x8_0000),
    ("CC", 0x1),
    ("DC", 0x2),
    ("LC", 0x4),
    ("SW", 0x8),
    ("RP", 0x10),
    ("WP", 0x20),
    ("DT", 0x40),
    ("LO", 0x80),
    ("CR", 0x100),
    ("FA", 0x1F_01FF),
    ("FR", 0x12_0089),
    ("FW", 0x12_0116),
    ("FX", 0x12_00A0),
    ("KA", 0xF_003F),
    ("KR", 0x2_0019),
    ("KW", 0x2_0006),
    ("KX", 0x2_0019),
    ("NR", 0x1),
    ("NW", 0x2),
    ("NX", 0x4),
];

/// `Ok` when the object whose descriptor `sddl` is (with its owner and access list) can be
/// changed by nobody but SYSTEM, Administrators, TrustedInstaller and `also_trusted` (the SID
/// of the user running a test, under the test override). The `Err` completes "the file … ",
/// for IT's log.
pub fn check(sddl: &str, also_trusted: Option<&str>) -> Result<(), String> {
    let parts = Parts::parse(sddl)?;
    let trusted =
        |sid: &Sid| TRUSTED.iter().any(|t| sid.is(t)) || also_trusted.is_some_and(|t| sid.is(t));
    let owner = Sid::parse(
        parts
            .owner
            .ok_or("has no owner in its security descriptor")?,
    )?;
    if !trusted(&owner) {
        return Err(format!(
            "belongs to {owner}, not to SYSTEM, Administrators or TrustedInstaller"
        ));
    }
    let Some(dacl) = parts.dacl else {
        return Err("has no access control list (a NULL DACL), so everyone may change it".into());
    };
    let (flags, aces) = split_aces(dacl)?;
    if flags.contains("NO_ACCESS_CONTROL") {
        return Err("has no access control list (a NULL DACL), so everyone may change it".into());
    }
    for ace in aces {
        let ace = Ace::parse(ace)?;
        if !ace.grants || ace.inherit_only {
            continue;
        }
        if ace.rights & CHANGE_RIGHTS == 0 {
            continue;
        }
        if trusted(&ace.sid) || PLACEHOLDERS.iter().any(|p| ace.sid.is(p)) {
            continue;
        }
        return Err(format!(
            "can be changed by {} (rights {:#x}); only SYSTEM, Administrators and TrustedInstaller may change it",
            ace.sid, ace.rights
        ));
    }
    Ok(())
}

/// The owner and DACL parts of an SDDL string (`O:…G:…D:…S:…`).
struct Parts<'a> {
    owner: Option<&'a str>,
    dacl: Option<&'a str>,
}

impl<'a> Parts<'a> {
    fn parse(sddl: &'a str) -> Result<Parts<'a>, String> {
        let bytes = sddl.as_bytes();
        // A part starts with its letter and a colon outside any parenthesis: SIDs, flags and
        // rights hold no colon, and what an ACE holds (a condition, an attribute) is inside
        // its parentheses.
        let mut starts = Vec::new();
        let mut depth = 0usize;
        let mut quoted = false;
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'"' => quoted = !quoted,
                b'(' if !quoted => depth += 1,
                b')' if !quoted => {
                    depth = depth.checked_sub(1).ok_or(
                        "has a security descriptor Kepil cannot read (a stray parenthesis)",
                    )?
                }
                b'O' | b'G' | b'D' | b'S'
                    if !quoted && depth == 0 && bytes.get(i + 1) == Some(&b':') =>
                {
                    starts.push((i, b));
                }
                _ => {}
            }
        }
        if depth != 0 || quoted || starts.first().is_none_or(|&(i, _)| i != 0) {
            return Err(format!(
                "has a security descriptor Kepil cannot read ({sddl:?})"
            ));
        }
        let mut parts = Parts {
            owner: None,
            dacl: None,
        };
        for (n, &(start, letter)) in starts.iter().enumerate() {
            let end = starts.get(n + 1).map_or(sddl.len(), |&(i, _)| i);
            let body = &sddl[start + 2..end];
            let slot = match letter {
                b'O' => &mut parts.owner,
                b'D' => &mut parts.dacl,
                _ => continue,
            };
            if slot.replace(body).is_some() {
                return Err(format!(
                    "has a security descriptor Kepil cannot read (two {}: parts)",
                    letter as char
                ));
            }
        }
        Ok(parts)
    }
}

/// A DACL's flags (`P`, `AI`, `NO_ACCESS_CONTROL`…) and the text of each ACE, without its
/// parentheses.
fn split_aces(dacl: &str) -> Result<(&str, Vec<&str>), String> {
    let unreadable = || format!("has an access control list Kepil cannot read ({dacl:?})");
    let first = dacl.find('(').unwrap_or(dacl.len());
    let (flags, mut rest) = dacl.split_at(first);
    let mut aces = Vec::new();
    while !rest.is_empty() {
        if !rest.starts_with('(') {
            return Err(unreadable());
        }
        let mut depth = 0usize;
        let mut quoted = false;
        let mut end = None;
        for (i, c) in rest.char_indices() {
            match c {
                '"' => quoted = !quoted,
                '(' if !quoted => depth += 1,
                ')' if !quoted => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let end = end.ok_or_else(unreadable)?;
        aces.push(&rest[1..end]);
        rest = &rest[end + 1..];
    }
    Ok((flags, aces))
}

struct Ace {
    /// An allow entry (plain, object, callback or callback object).
    grants: bool,
    /// `IO`: it only passes to what is created inside and does not apply to this object.
    inherit_only: bool,
    rights: u32,
    sid: Sid,
}

impl Ace {
    fn parse(text: &str) -> Result<Ace, String> {
        let unreadable =
            |why: &str| format!("has an access entry Kepil cannot read ({text:?}: {why})");
        let fields = split_fields(text);
        if fields.len() < 6 {
            return Err(unreadable("fewer than six fields"));
        }
        let grants = match fields[0] {
            "A" | "OA" | "XA" | "ZA" => true,
            "D" | "OD" | "XD" | "AU" | "AL" | "OU" | "OL" | "XU" | "ML" | "RA" | "SP" => false,
            _ => return Err(unreadable("unknown entry type")),
        };
        let flags = fields[1];
        if !flags.len().is_multiple_of(2) || !flags.is_ascii() {
            return Err(unreadable("flags"));
        }
        let inherit_only = (0..flags.len())
            .step_by(2)
            .any(|i| &flags[i..i + 2] == "IO");
        let rights = parse_rights(fields[2]).ok_or_else(|| unreadable("rights"))?;
        let sid = Sid::parse(fields[5])?;
        Ok(Ace {
            grants,
            inherit_only,
            rights,
            sid,
        })
    }
}

/// The `;`-separated fields of an ACE; a condition or attribute in the last field may itself
/// hold `;` inside parentheses or quotes.
fn split_fields(text: &str) -> Vec<&str> {
    let mut fields = Vec::new();
    let mut depth = 0usize;
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth = depth.saturating_sub(1),
            ';' if !quoted && depth == 0 => {
                fields.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    fields.push(&text[start..]);
    fields
}

fn parse_rights(text: &str) -> Option<u32> {
    if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        return u32::from_str_radix(hex, 16).ok();
    }
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().ok();
    }
    if text.is_empty() || !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len()).step_by(2).try_fold(0u32, |mask, i| {
        let code = &text[i..i + 2];
        RIGHTS
            .iter()
            .find(|(name, _)| *name == code)
            .map(|(_, bits)| mask | bits)
    })
}

/// A SID as SDDL names it: `S-1-…` or a two-letter alias.
struct Sid {
    /// `S-1-…` where the alias is known, else the alias.
    canonical: String,
    name: Option<&'static str>,
}

impl Sid {
    fn parse(text: &str) -> Result<Sid, String> {
        let text = text.trim();
        if let Some(&(_, sid, name)) = ALIASES.iter().find(|(a, _, _)| *a == text) {
            return Ok(Sid {
                canonical: sid.to_string(),
                name: Some(name),
            });
        }
        let is_sid = text.len() > 4
            && text[..4].eq_ignore_ascii_case("S-1-")
            && text[4..].bytes().all(|b| b.is_ascii_digit() || b == b'-');
        let is_alias = text.len() == 2 && text.bytes().all(|b| b.is_ascii_uppercase());
        if !is_sid && !is_alias {
            return Err(format!(
                "names an account Kepil cannot read ({text:?}) in its security descriptor"
            ));
        }
        let canonical = text.to_ascii_uppercase();
        let name = match canonical.as_str() {
            "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464" => {
                Some("TrustedInstaller")
            }
            other => ALIASES
                .iter()
                .find(|(_, sid, _)| *sid == other)
                .map(|&(_, _, name)| name),
        };
        Ok(Sid { canonical, name })
    }

    fn is(&self, sid: &str) -> bool {
        self.canonical.eq_ignore_ascii_case(sid)
    }
}

impl std::fmt::Display for Sid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.name {
            Some(name) => write!(f, "{name} ({})", self.canonical),
            None => f.write_str(&self.canonical),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ME: &str = "S-1-5-21-1004336348-1177238915-682003330-1001";
    const TI: &str = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464";

    #[test]
    fn a_folder_made_under_program_data_is_refused_until_its_inheritance_is_cut() {
        // What an administrator gets by creating C:\ProgramData\Kepil: ProgramData passes
        // "Users may create files and folders" to every folder inside.
        let inherited = "O:BAG:SYD:AI(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)(A;OICIIOID;GA;;;CO)(A;OICIID;0x1200a9;;;BU)(A;CIID;DCLCRPCR;;;BU)";
        let e = check(inherited, None).unwrap_err();
        assert!(
            e.contains("Users (S-1-5-32-545)") && e.contains("0x116"),
            "{e}"
        );
        // After `icacls … /inheritance:r /grant:r SYSTEM:(OI)(CI)F Administrators:(OI)(CI)F
        // Users:(OI)(CI)RX` (docs/platforms.md).
        let cut = "O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)";
        assert_eq!(check(cut, None), Ok(()));
        // The file inside inherits only the object entries: Users read it.
        let file = "O:BAG:SYD:AI(A;ID;FA;;;SY)(A;ID;FA;;;BA)(A;ID;0x1200a9;;;BU)";
        assert_eq!(check(file, None), Ok(()));
    }

    #[test]
    fn the_owner_must_be_an_administrator_unless_the_test_override_names_it() {
        let mine = format!("O:{ME}G:{ME}D:PAI(A;;FA;;;SY)(A;;FA;;;BA)(A;;FA;;;{ME})");
        let e = check(&mine, None).unwrap_err();
        assert!(e.starts_with(&format!("belongs to {ME}")), "{e}");
        assert_eq!(check(&mine, Some(ME)), Ok(()));
        let installed = format!("O:{TI}D:PAI(A;;FA;;;{TI})(A;;FA;;;SY)(A;;0x1200a9;;;BU)");
        assert_eq!(check(&installed, None), Ok(()));
        assert_eq!(check("O:SYD:(A;;FA;;;SY)", None), Ok(()));
        assert!(check("O:BUD:(A;;FA;;;SY)", None).is_err());
        assert!(
            check("G:SYD:(A;;FA;;;SY)", None)
                .unwrap_err()
                .contains("no owner")
        );
    }

    #[test]
    fn any_grant_of_change_to_someone_else_is_refused() {
        for ace in [
            "(A;;FA;;;WD)",
            "(A;;FW;;;AU)",
            "(A;;GA;;;BU)",
            "(A;;GW;;;IU)",
            "(A;;SD;;;BU)",
            "(A;;WD;;;BU)",
            "(A;;WO;;;BU)",
            "(A;;DT;;;BU)",
            "(A;;0x2;;;BU)",
            "(A;ID;0x4;;;S-1-5-21-1-2-3-1001)",
            "(XA;;FA;;;WD;(@User.Title == \"PM\"))",
            "(OA;;FA;;;WD)",
        ] {
            let sddl = format!("O:BAD:PAI(A;;FA;;;SY){ace}");
            assert!(check(&sddl, None).is_err(), "{ace} was accepted");
        }
    }

    #[test]
    fn what_cannot_change_the_contents_passes() {
        for ace in [
            // Read and execute; write attributes and extended attributes only.
            "(A;;0x1200a9;;;BU)",
            "(A;;FR;;;WD)",
            "(A;;0x110;;;BU)",
            "(A;;CRRP;;;BU)",
            // Inherit-only: for what is created inside, not for this object.
            "(A;OICIIO;FA;;;BU)",
            "(A;OICIIO;GA;;;CO)",
            // Deny entries and the owner's placeholder.
            "(D;;FA;;;WD)",
            "(A;;FA;;;OW)",
        ] {
            let sddl = format!("O:BAD:PAI(A;;FA;;;SY){ace}");
            assert_eq!(check(&sddl, None), Ok(()), "{ace}");
        }
        // A deny is not credited against a grant.
        assert!(check("O:BAD:(D;;FA;;;BU)(A;;FA;;;BU)", None).is_err());
    }

    #[test]
    fn a_null_dacl_or_an_unreadable_descriptor_fails_closed() {
        assert!(
            check("O:BAD:NO_ACCESS_CONTROL", None)
                .unwrap_err()
                .contains("NULL DACL")
        );
        assert!(check("O:BAG:SY", None).unwrap_err().contains("NULL DACL"));
        // An empty DACL: nobody but the owner (an administrator) may do anything.
        assert_eq!(check("O:BAD:P", None), Ok(()));
        for bad in [
            "",
            "garbage",
            "O:BAD:(A;;FA;;;SY",
            "O:BAD:(A;;FA;;SY)",
            "O:BAD:(A;;ZZ;;;SY)",
            "O:BAD:(Q;;FA;;;SY)",
            "O:BAD:(A;;FA;;;S-1-x)",
            "O:BAD:(A;;FA;;;SY)x",
            "O:BAO:SYD:(A;;FA;;;SY)",
        ] {
            assert!(check(bad, None).is_err(), "{bad:?} was accepted");
        }
    }
}
