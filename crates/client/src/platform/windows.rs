//! Windows: the policy from Group Policy's registry key, else from
//! `%ProgramData%\Kepil\policy.toml` when only administrators can change that file and its
//! folder; saved files carry the Mark of the Web.
//!
//! The workspace forbids `unsafe`, so the Win32 calls go through crates that wrap them
//! safely: `winreg` for the registry, `windows-permissions` for a file's security descriptor
//! (read as SDDL text and judged by [`super::sddl`], whose rules are tested on every
//! platform). Nothing here has been built or run on Windows by this project's own machines;
//! docs/platforms.md says what was checked and what was not.
//!
//! Limits of the file check, stated so nobody relies on more: it looks at the file and its
//! folder, as the Unix check does, not at `ProgramData` above them (whose default permissions
//! let users create folders but not remove another's); and it judges the access list as
//! written, without asking Windows for anyone's effective rights, so a deny entry is never
//! credited (a protected file can be refused, a writable one is not accepted).

use std::io;
use std::path::{Path, PathBuf};

use windows_permissions::constants::{SeObjectType, SecurityInformation};
use windows_permissions::wrappers::{
    ConvertSecurityDescriptorToStringSecurityDescriptor, GetNamedSecurityInfo,
};
use winreg::RegKey;
use winreg::enums::{
    HKEY_LOCAL_MACHINE, KEY_READ, KEY_WOW64_64KEY, REG_DWORD, REG_MULTI_SZ, REG_QWORD, REG_SZ,
};
use winreg::types::FromRegValue;

use super::group_policy;

/// `%ProgramData%\Kepil\policy.toml`, with ProgramData as the machine defines it in the
/// registry rather than the environment variable: a user can start the app with another
/// `ProgramData` in its environment, and a policy path the user picks is no policy.
pub fn policy_path() -> PathBuf {
    program_data().join("Kepil").join("policy.toml")
}

fn program_data() -> PathBuf {
    let hklm = RegKey::predef(HKEY_LOCAL_MACHINE);
    let read = |key: &str, value: &str| -> Option<String> {
        hklm.open_subkey_with_flags(key, KEY_READ | KEY_WOW64_64KEY)
            .ok()?
            .get_value::<String, _>(value)
            .ok()
            .filter(|v| !v.trim().is_empty())
    };
    // ProfileList keeps it unexpanded ("%SystemDrive%\ProgramData"); the system drive is that
    // of the Windows folder, also from the registry.
    let Some(folder) = read(
        r"SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList",
        "ProgramData",
    ) else {
        return PathBuf::from(r"C:\ProgramData");
    };
    let drive = read(
        r"SOFTWARE\Microsoft\Windows NT\CurrentVersion",
        "SystemRoot",
    )
    .and_then(|root| root.get(..2).map(str::to_string))
    .filter(|d| d.ends_with(':'))
    .unwrap_or_else(|| "C:".to_string());
    let expanded = replace_ignoring_case(&folder, "%SystemDrive%", &drive);
    if expanded.contains('%') {
        // Another variable Kepil would have to take from the environment.
        return PathBuf::from(r"C:\ProgramData");
    }
    PathBuf::from(expanded)
}

fn replace_ignoring_case(text: &str, from: &str, to: &str) -> String {
    match text.to_ascii_lowercase().find(&from.to_ascii_lowercase()) {
        Some(i) => format!("{}{to}{}", &text[..i], &text[i + from.len()..]),
        None => text.to_string(),
    }
}

/// `Ok` when the file and its folder are owned by SYSTEM, Administrators or TrustedInstaller
/// and no one else may change them (see [`super::sddl`]); under `test_override` the user
/// running the test counts as an administrator. The `Err` is the reason, for IT's log.
pub fn check_policy_protected(path: &Path, test_override: bool) -> Result<(), String> {
    let me = if test_override {
        Some(
            windows_permissions::utilities::current_process_sid()
                .map_err(|e| format!("cannot tell which user runs Kepil: {e}"))?
                .to_string(),
        )
    } else {
        None
    };
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    for (what, p) in [("file", path), ("folder", folder)] {
        let sddl = descriptor(p).map_err(|e| {
            format!(
                "cannot read the owner and permissions of the {what} {}: {e}",
                p.display()
            )
        })?;
        super::sddl::check(&sddl, me.as_deref())
            .map_err(|why| format!("the {what} {} {why}", p.display()))?;
    }
    Ok(())
}

/// The owner and DACL of `path`, in SDDL.
fn descriptor(path: &Path) -> io::Result<String> {
    let parts = SecurityInformation::Owner | SecurityInformation::Dacl;
    let sd = GetNamedSecurityInfo(path.as_os_str(), SeObjectType::SE_FILE_OBJECT, parts)?;
    let sddl = ConvertSecurityDescriptorToStringSecurityDescriptor(&sd, parts)?;
    sddl.into_string()
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "SDDL that is not Unicode"))
}

/// The Mark of the Web: an NTFS alternate data stream `<file>:Zone.Identifier` saying zone 3
/// (Internet) and where the file came from, so SmartScreen and Office Protected View treat
/// it as downloaded. Returns whether the stream was written.
pub fn mark_origin(path: &Path, origin: &str) -> bool {
    let mut stream = path.as_os_str().to_owned();
    stream.push(":Zone.Identifier");
    let text = format!("[ZoneTransfer]\r\nZoneId=3\r\nHostUrl={origin}\r\n");
    std::fs::write(stream, text).is_ok()
}

/// The policy Group Policy wrote under `HKLM\Software\Policies\Kepil`, as the TOML table a
/// policy file would hold; `Ok(None)` when the key does not exist or holds no value. Only
/// administrators (and Group Policy, as SYSTEM) can write under `HKLM\Software\Policies`, so
/// no ownership check is needed here.
pub fn managed_policy() -> Result<Option<toml::Table>, String> {
    let hklm = RegKey::predef(HKEY_LOCAL_MACHINE);
    let key = match hklm.open_subkey_with_flags(group_policy::ROOT, KEY_READ | KEY_WOW64_64KEY) {
        Ok(key) => key,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(format!(
                "cannot open HKLM\\{} to read Group Policy: {e}",
                group_policy::ROOT
            ));
        }
    };
    group_policy::to_table(&read_key(&key, group_policy::ROOT)?)
}

fn read_key(key: &RegKey, path: &str) -> Result<group_policy::Key, String> {
    let mut out = group_policy::Key::default();
    for value in key.enum_values() {
        let (name, value) =
            value.map_err(|e| format!("cannot read a value of HKLM\\{path}: {e}"))?;
        out.values.insert(name, convert(&value));
    }
    for name in key.enum_keys() {
        let name = name.map_err(|e| format!("cannot list the subkeys of HKLM\\{path}: {e}"))?;
        let sub_path = format!(r"{path}\{name}");
        let sub = key
            .open_subkey_with_flags(&name, KEY_READ | KEY_WOW64_64KEY)
            .map_err(|e| format!("cannot open HKLM\\{sub_path}: {e}"))?;
        out.subkeys.insert(name, read_key(&sub, &sub_path)?);
    }
    Ok(out)
}

fn convert(value: &winreg::RegValue) -> group_policy::Value {
    use group_policy::Value;
    let other = || Value::Other(format!("{:?} of {} bytes", value.vtype, value.bytes.len()));
    match value.vtype {
        REG_SZ => String::from_reg_value(value).map_or_else(|_| other(), Value::Text),
        REG_DWORD => u32::from_reg_value(value).map_or_else(|_| other(), Value::Dword),
        REG_QWORD => u64::from_reg_value(value).map_or_else(|_| other(), Value::Qword),
        REG_MULTI_SZ => {
            Vec::<String>::from_reg_value(value).map_or_else(|_| other(), Value::MultiText)
        }
        _ => Value::Other(format!("{:?}", value.vtype)),
    }
}

// These run only on Windows, which this project's machines are not; the rules behind the
// permission check are tested everywhere in `sddl`.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mark_of_the_web_is_a_stream_beside_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("surat.pdf");
        std::fs::write(&file, b"x").unwrap();
        let origin = "https://kepil.agensi.gov.my/t/GRANT123";
        assert!(
            mark_origin(&file, origin),
            "NTFS takes alternate data streams"
        );
        let mut stream = file.as_os_str().to_owned();
        stream.push(":Zone.Identifier");
        assert_eq!(
            std::fs::read_to_string(stream).unwrap(),
            format!("[ZoneTransfer]\r\nZoneId=3\r\nHostUrl={origin}\r\n")
        );
        assert_eq!(std::fs::read(&file).unwrap(), b"x");
    }

    #[test]
    fn a_file_of_the_test_user_is_trusted_under_the_override() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("policy.toml");
        std::fs::write(&file, "").unwrap();
        if let Err(e) = check_policy_protected(&file, true) {
            panic!("a file in the test user's own temporary folder: {e}");
        }
        assert!(check_policy_protected(&dir.path().join("missing.toml"), true).is_err());
    }

    #[test]
    fn the_policy_path_is_the_machines_program_data() {
        let path = policy_path();
        assert!(path.is_absolute(), "{}", path.display());
        assert!(path.ends_with(r"Kepil\policy.toml"), "{}", path.display());
        assert_eq!(
            replace_ignoring_case(r"%SYSTEMDRIVE%\ProgramData", "%SystemDrive%", "D:"),
            r"D:\ProgramData"
        );
    }

    #[test]
    fn reading_group_policy_works_with_or_without_the_key() {
        if let Err(e) = managed_policy() {
            panic!("{e}");
        }
    }
}
