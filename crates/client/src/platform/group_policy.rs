//! The system policy as Group Policy writes it: values under `HKLM\Software\Policies\Kepil`,
//! turned into the TOML table a policy file would hold, so that both go through the same
//! `SystemPolicy` deserialisation and checks (`deny_unknown_fields`, `validate`).
//!
//! This module is the single source of truth for the registry names: `windows.rs` reads the
//! key into a [`Key`] and calls [`to_table`], the Group Policy template
//! (`packaging/windows/kepil.admx`) writes exactly the names of [`SETTINGS`] and
//! [`TRUST_STORES_KEY`], and the tests below hold the three together. It is plain data, so it
//! is built and tested on every platform, not only on Windows.
//!
//! Encoding (docs/platforms.md has the table):
//! - one subkey per TOML section (`Store`, `Send`, `Ui`, `Sms`, `SignIn`, `Scan`, `Trust`,
//!   `Secrets`), one value per key, named in PascalCase (`store.ca_certificate` is
//!   `Store\CaCertificate`);
//! - text and choices are `REG_SZ`, numbers `REG_DWORD` (or `REG_QWORD`), switches `REG_DWORD`
//!   0 or 1;
//! - `send.classifications` is one `REG_MULTI_SZ`, a classification per string;
//! - `trust.stores` is the key `Trust\Stores`: each value is one store, its *name* the store's
//!   URL and its `REG_SZ` data the store's name (empty for none). That is what an ADMX `list`
//!   element with `explicitValue` writes; numbered subkeys with `Url`/`Name` values would
//!   read as well but no Group Policy template can create them.
//!
//! Names compare without regard to case, as the registry's do. A value or subkey Kepil does
//! not know is an error, as an unknown key in the file is: a typo must not silently unlock
//! what IT meant to lock.

use std::collections::BTreeMap;

/// Where Group Policy keeps Kepil's settings, under `HKEY_LOCAL_MACHINE`.
pub const ROOT: &str = r"Software\Policies\Kepil";

/// The key, under [`ROOT`], whose values are the other stores this desktop trusts.
pub const TRUST_STORES_KEY: &str = r"Trust\Stores";

/// A registry value, reduced to the types the policy uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `REG_SZ`.
    Text(String),
    /// `REG_DWORD`.
    Dword(u32),
    /// `REG_QWORD`.
    Qword(u64),
    /// `REG_MULTI_SZ`.
    MultiText(Vec<String>),
    /// Anything else (`REG_EXPAND_SZ`, `REG_BINARY`, a `REG_DWORD` of the wrong length…), by
    /// the name of its type, so that the error can tell IT what it found.
    Other(String),
}

impl Value {
    fn type_name(&self) -> &str {
        match self {
            Value::Text(_) => "REG_SZ",
            Value::Dword(_) => "REG_DWORD",
            Value::Qword(_) => "REG_QWORD",
            Value::MultiText(_) => "REG_MULTI_SZ",
            Value::Other(t) => t,
        }
    }
}

/// One registry key as read: its values and its subkeys, by the names the registry returned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Key {
    pub values: BTreeMap<String, Value>,
    pub subkeys: BTreeMap<String, Key>,
}

impl Key {
    fn is_empty(&self) -> bool {
        self.values.is_empty() && self.subkeys.values().all(Key::is_empty)
    }

    fn subkey(&self, name: &str) -> Option<&Key> {
        self.subkeys
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, k)| k)
    }
}

/// What a registry value holds, and so which types it may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `REG_SZ`: text, a URL, a path, or one of a few words.
    Text,
    /// `REG_DWORD` or `REG_QWORD`.
    Number,
    /// `REG_DWORD` 0 (false) or 1 (true).
    Switch,
    /// `REG_MULTI_SZ`.
    List,
}

/// One policy key: where Group Policy writes it and where the TOML file has it.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    /// The subkey of [`ROOT`].
    pub key: &'static str,
    /// The value's name in that subkey.
    pub value: &'static str,
    /// The TOML section.
    pub section: &'static str,
    /// The TOML key in that section.
    pub field: &'static str,
    pub kind: Kind,
}

const fn setting(
    key: &'static str,
    value: &'static str,
    section: &'static str,
    field: &'static str,
    kind: Kind,
) -> Setting {
    Setting {
        key,
        value,
        section,
        field,
        kind,
    }
}

/// Every key of `SystemPolicy` but `trust.stores` (see [`TRUST_STORES_KEY`]).
pub const SETTINGS: &[Setting] = &[
    setting("Store", "Url", "store", "url", Kind::Text),
    setting("Store", "Name", "store", "name", Kind::Text),
    setting(
        "Store",
        "CaCertificate",
        "store",
        "ca_certificate",
        Kind::Text,
    ),
    setting("Store", "LocalStore", "store", "local_store", Kind::Switch),
    setting(
        "Send",
        "Classifications",
        "send",
        "classifications",
        Kind::List,
    ),
    setting(
        "Send",
        "MaxExpiryHours",
        "send",
        "max_expiry_hours",
        Kind::Number,
    ),
    setting(
        "Send",
        "MaxDownloads",
        "send",
        "max_downloads",
        Kind::Number,
    ),
    setting("Send", "MaxSizeMib", "send", "max_size_mib", Kind::Number),
    setting("Ui", "Lang", "ui", "lang", Kind::Text),
    setting("Ui", "Mail", "ui", "mail", Kind::Text),
    setting("Sms", "Endpoint", "sms", "endpoint", Kind::Text),
    setting("Sms", "Secret", "sms", "secret", Kind::Text),
    setting("SignIn", "Required", "sign_in", "required", Kind::Switch),
    setting("SignIn", "Provider", "sign_in", "provider", Kind::Text),
    setting("Scan", "Scanner", "scan", "scanner", Kind::Text),
    setting("Scan", "Send", "scan", "send", Kind::Text),
    setting("Scan", "Receive", "scan", "receive", Kind::Text),
    setting(
        "Scan",
        "MaxSignatureAgeHours",
        "scan",
        "max_signature_age_hours",
        Kind::Number,
    ),
    setting("Trust", "OtherStores", "trust", "other_stores", Kind::Text),
    setting(
        "Secrets",
        "FileFallback",
        "secrets",
        "file_fallback",
        Kind::Switch,
    ),
];

/// The policy Group Policy wrote, as a policy file's TOML table; `root` is the key [`ROOT`]
/// as read. `Ok(None)` when no value is set anywhere below it: Group Policy leaves the empty
/// key behind when every policy goes back to "Not Configured", and that must not hide a
/// policy file IT deployed instead. The `Err` names the registry value and what is wrong with
/// it, for IT.
pub fn to_table(root: &Key) -> Result<Option<toml::Table>, String> {
    if root.is_empty() {
        return Ok(None);
    }
    let mut table = toml::Table::new();
    if let Some((name, _)) = root.values.iter().next() {
        return Err(format!(
            r#"HKLM\{ROOT} holds the value "{name}"; Kepil's settings are in its subkeys (Store, Send, …)"#
        ));
    }
    for (key_name, key) in &root.subkeys {
        let path = format!(r"{ROOT}\{key_name}");
        let settings: Vec<&Setting> = SETTINGS
            .iter()
            .filter(|s| s.key.eq_ignore_ascii_case(key_name))
            .collect();
        if settings.is_empty() {
            return Err(format!(
                "HKLM\\{ROOT} has the subkey \"{key_name}\", which Kepil does not know"
            ));
        }
        for sub_name in key.subkeys.keys() {
            let full = format!(r"{key_name}\{sub_name}");
            if !full.eq_ignore_ascii_case(TRUST_STORES_KEY) {
                return Err(format!(
                    "HKLM\\{path} has the subkey \"{sub_name}\", which Kepil does not know"
                ));
            }
        }
        for (value_name, value) in &key.values {
            let Some(s) = settings
                .iter()
                .find(|s| s.value.eq_ignore_ascii_case(value_name))
            else {
                return Err(format!(
                    "HKLM\\{path} has the value \"{value_name}\", which Kepil does not know"
                ));
            };
            let converted = convert(s.kind, value)
                .map_err(|why| format!("HKLM\\{path}\\{value_name} {why}"))?;
            section(&mut table, s.section).insert(s.field.to_string(), converted);
        }
    }
    let stores = root
        .subkey("Trust")
        .and_then(|t| t.subkey("Stores"))
        .map(trust_stores)
        .transpose()?
        .unwrap_or_default();
    if !stores.is_empty() {
        section(&mut table, "trust").insert("stores".to_string(), toml::Value::Array(stores));
    }
    Ok(Some(table))
}

fn section<'a>(table: &'a mut toml::Table, name: &str) -> &'a mut toml::Table {
    match table
        .entry(name.to_string())
        .or_insert_with(|| toml::Value::Table(toml::Table::new()))
    {
        toml::Value::Table(t) => t,
        // Only this module inserts into `table`, and only tables at the top.
        _ => unreachable!("top-level entries are sections"),
    }
}

fn convert(kind: Kind, value: &Value) -> Result<toml::Value, String> {
    let found = value.type_name();
    match (kind, value) {
        (Kind::Text, Value::Text(s)) => Ok(toml::Value::String(s.clone())),
        (Kind::Text, _) => Err(format!("is {found}; Kepil reads it as text (REG_SZ)")),
        (Kind::Number, Value::Dword(n)) => Ok(toml::Value::Integer(i64::from(*n))),
        (Kind::Number, Value::Qword(n)) => i64::try_from(*n)
            .map(toml::Value::Integer)
            .map_err(|_| format!("is {n}, larger than Kepil takes")),
        (Kind::Number, _) => Err(format!(
            "is {found}; Kepil reads it as a number (REG_DWORD or REG_QWORD)"
        )),
        (Kind::Switch, Value::Dword(0)) => Ok(toml::Value::Boolean(false)),
        (Kind::Switch, Value::Dword(1)) => Ok(toml::Value::Boolean(true)),
        (Kind::Switch, Value::Dword(n)) => Err(format!(
            "is {n}; Kepil reads it as a switch, 0 (off) or 1 (on)"
        )),
        (Kind::Switch, _) => Err(format!(
            "is {found}; Kepil reads it as a switch (REG_DWORD 0 or 1)"
        )),
        (Kind::List, Value::MultiText(items)) => Ok(toml::Value::Array(
            items
                .iter()
                .map(|i| i.trim())
                // The editor's multi-line box and REG_MULTI_SZ's terminator leave empty lines;
                // they name nothing.
                .filter(|i| !i.is_empty())
                .map(|i| toml::Value::String(i.to_string()))
                .collect(),
        )),
        (Kind::List, _) => Err(format!(
            "is {found}; Kepil reads it as a list (REG_MULTI_SZ, one entry per line)"
        )),
    }
}

fn trust_stores(key: &Key) -> Result<Vec<toml::Value>, String> {
    let path = format!(r"{ROOT}\{TRUST_STORES_KEY}");
    if let Some(name) = key.subkeys.keys().next() {
        return Err(format!(
            "HKLM\\{path} has the subkey \"{name}\"; each trusted store is a value there (its name the store's URL, its data the store's name)"
        ));
    }
    key.values
        .iter()
        .map(|(url, value)| {
            if url.trim().is_empty() {
                return Err(format!(
                    "HKLM\\{path} has a value without a name; each value's name is a store's URL"
                ));
            }
            let Value::Text(name) = value else {
                return Err(format!(
                    "HKLM\\{path}\\{url} is {}; Kepil reads the store's name as text (REG_SZ)",
                    value.type_name()
                ));
            };
            let mut entry = toml::Table::new();
            entry.insert("url".to_string(), toml::Value::String(url.clone()));
            if !name.trim().is_empty() {
                entry.insert("name".to_string(), toml::Value::String(name.clone()));
            }
            Ok(toml::Value::Table(entry))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::PathBuf;

    use kepil_core::classification::Classification;

    use super::*;
    use crate::system_policy::{
        OtherStores, ScanRule, ScanSection, SecretsSection, SendSection, SignInSection, SmsSection,
        StoreSection, SystemPolicy, TrustSection, TrustedStoreEntry, UiSection,
    };

    fn text(s: &str) -> Value {
        Value::Text(s.to_string())
    }

    /// What Group Policy writes when every Kepil policy is enabled.
    fn every_policy() -> Key {
        let mut root = Key::default();
        let mut put = |key: &str, value: &str, v: Value| {
            root.subkeys
                .entry(key.to_string())
                .or_default()
                .values
                .insert(value.to_string(), v);
        };
        put("Store", "Url", text("https://kepil.agensi.gov.my"));
        put("Store", "Name", text("Kepil Agensi"));
        put(
            "Store",
            "CaCertificate",
            text(r"C:\ProgramData\Kepil\ca.pem"),
        );
        put("Store", "LocalStore", Value::Dword(0));
        put(
            "Send",
            "Classifications",
            Value::MultiText(vec!["TERHAD".into(), " SULIT ".into(), String::new()]),
        );
        put("Send", "MaxExpiryHours", Value::Dword(168));
        put("Send", "MaxDownloads", Value::Dword(3));
        put("Send", "MaxSizeMib", Value::Qword(2048));
        put("Ui", "Lang", text("ms"));
        put("Ui", "Mail", text("gmail"));
        put(
            "Sms",
            "Endpoint",
            text("https://sms.agensi.gov.my/api/send?to={phone}"),
        );
        put("Sms", "Secret", text("agensi"));
        put("SignIn", "Required", Value::Dword(1));
        put("SignIn", "Provider", text("mygovuc"));
        put("Scan", "Scanner", text("tcp://127.0.0.1:3310"));
        put("Scan", "Send", text("required"));
        put("Scan", "Receive", text("optional"));
        put("Scan", "MaxSignatureAgeHours", Value::Dword(48));
        put("Trust", "OtherStores", text("refuse"));
        put("Secrets", "FileFallback", Value::Dword(0));
        let stores = root
            .subkeys
            .entry("Trust".into())
            .or_default()
            .subkeys
            .entry("Stores".into())
            .or_default();
        stores
            .values
            .insert("https://kepil.jpa.gov.my".into(), text("JPA"));
        stores
            .values
            .insert("https://kepil.mampu.gov.my".into(), text(""));
        root
    }

    fn policy(root: &Key) -> Result<SystemPolicy, String> {
        let table = to_table(root)?.expect("values are set");
        toml::Value::Table(table)
            .try_into::<SystemPolicy>()
            .map_err(|e| e.to_string())
    }

    #[test]
    fn every_policy_key_round_trips_into_system_policy() {
        let p = policy(&every_policy()).unwrap();
        // Destructured without `..`: a key added to SystemPolicy stops this test from
        // compiling until it has a registry name here and in the ADMX.
        let SystemPolicy {
            store:
                StoreSection {
                    url,
                    name,
                    ca_certificate,
                    local_store,
                },
            send:
                SendSection {
                    classifications,
                    max_expiry_hours,
                    max_downloads,
                    max_size_mib,
                },
            ui: UiSection { lang, mail },
            sms,
            sign_in: SignInSection { required, provider },
            scan:
                ScanSection {
                    scanner,
                    send,
                    receive,
                    max_signature_age_hours,
                },
            trust:
                TrustSection {
                    stores,
                    other_stores,
                },
            secrets: SecretsSection { file_fallback },
        } = p;
        assert_eq!(url.as_deref(), Some("https://kepil.agensi.gov.my"));
        assert_eq!(name.as_deref(), Some("Kepil Agensi"));
        assert_eq!(
            ca_certificate,
            Some(PathBuf::from(r"C:\ProgramData\Kepil\ca.pem"))
        );
        assert_eq!(local_store, Some(false));
        assert_eq!(
            classifications,
            Some(vec![Classification::Terhad, Classification::Sulit])
        );
        assert_eq!(max_expiry_hours, Some(168));
        assert_eq!(max_downloads, Some(3));
        assert_eq!(max_size_mib, Some(2048));
        assert_eq!(lang.as_deref(), Some("ms"));
        assert_eq!(mail, Some(crate::settings::MailComposer::Gmail));
        let SmsSection { endpoint, secret } = sms.expect("sms is set");
        assert_eq!(endpoint, "https://sms.agensi.gov.my/api/send?to={phone}");
        assert_eq!(secret.as_deref(), Some("agensi"));
        assert_eq!(required, Some(true));
        assert_eq!(provider.as_deref(), Some("mygovuc"));
        assert_eq!(scanner.as_deref(), Some("tcp://127.0.0.1:3310"));
        assert_eq!(send, Some(ScanRule::Required));
        assert_eq!(receive, Some(ScanRule::Optional));
        assert_eq!(max_signature_age_hours, Some(48));
        assert_eq!(other_stores, Some(OtherStores::Refuse));
        assert_eq!(file_fallback, Some(false));
        assert_eq!(
            stores,
            vec![
                TrustedStoreEntry {
                    url: "https://kepil.jpa.gov.my".into(),
                    name: Some("JPA".into()),
                },
                TrustedStoreEntry {
                    url: "https://kepil.mampu.gov.my".into(),
                    name: None,
                },
            ]
        );
    }

    #[test]
    fn every_setting_is_exercised_and_named_once() {
        let root = every_policy();
        let mut registry = BTreeSet::new();
        let mut fields = BTreeSet::new();
        for s in SETTINGS {
            assert!(
                root.subkey(s.key)
                    .is_some_and(|k| k.values.contains_key(s.value)),
                "{}\\{} is not in the round-trip test",
                s.key,
                s.value
            );
            assert!(
                registry.insert((s.key.to_lowercase(), s.value.to_lowercase())),
                "{}\\{} twice",
                s.key,
                s.value
            );
            assert!(
                fields.insert((s.section, s.field)),
                "{}.{} twice",
                s.section,
                s.field
            );
        }
    }

    #[test]
    fn an_empty_key_is_no_policy_and_names_ignore_case() {
        let mut root = Key::default();
        assert_eq!(to_table(&root).unwrap(), None);
        root.subkeys.insert("Store".into(), Key::default());
        root.subkeys
            .entry("Trust".into())
            .or_default()
            .subkeys
            .insert("Stores".into(), Key::default());
        assert_eq!(to_table(&root).unwrap(), None);

        let mut lower = Key::default();
        lower
            .subkeys
            .entry("signin".into())
            .or_default()
            .values
            .insert("REQUIRED".into(), Value::Dword(1));
        assert!(policy(&lower).unwrap().sign_in_required());
    }

    fn one(key: &str, value: &str, v: Value) -> Key {
        let mut root = Key::default();
        root.subkeys
            .entry(key.to_string())
            .or_default()
            .values
            .insert(value.to_string(), v);
        root
    }

    #[test]
    fn wrong_types_and_unknown_names_are_errors_that_say_where() {
        let cases = [
            (
                one("Store", "Urll", text("https://x")),
                r"Store has the value",
            ),
            (one("Stor", "Url", text("https://x")), "subkey \"Stor\""),
            (
                one("Send", "MaxDownloads", text("3")),
                r"Send\MaxDownloads is REG_SZ",
            ),
            (one("Store", "LocalStore", Value::Dword(2)), "0 (off) or 1"),
            (
                one("Store", "Url", Value::Other("REG_EXPAND_SZ".into())),
                "REG_EXPAND_SZ",
            ),
            (
                one("Send", "Classifications", text("TERHAD")),
                "REG_MULTI_SZ",
            ),
            (
                one("Send", "MaxSizeMib", Value::Qword(u64::MAX)),
                "larger than",
            ),
        ];
        for (root, expected) in cases {
            let e = to_table(&root).unwrap_err();
            assert!(e.contains(expected), "{e:?} lacks {expected:?}");
            assert!(e.starts_with(r"HKLM\Software\Policies\Kepil"), "{e}");
        }
        let mut stray = Key::default();
        stray.values.insert("Url".into(), text("https://x"));
        assert!(to_table(&stray).unwrap_err().contains("subkeys"));

        let mut numbered = Key::default();
        numbered
            .subkeys
            .entry("Trust".into())
            .or_default()
            .subkeys
            .entry("Stores".into())
            .or_default()
            .subkeys
            .insert("1".into(), one("x", "Url", text("https://x")));
        assert!(to_table(&numbered).unwrap_err().contains("value there"));
    }

    #[test]
    fn what_the_file_would_refuse_the_registry_cannot_slip_through() {
        // sms.secret without sms.endpoint, as a file without the endpoint would be.
        assert!(policy(&one("Sms", "Secret", text("agensi"))).is_err());
        assert!(policy(&one("Scan", "Send", text("always"))).is_err());
        assert!(policy(&one("Send", "MaxDownloads", Value::Qword(1 << 40))).is_err());
    }

    // The Group Policy template (packaging/windows) must write exactly the names read here.

    fn packaging(file: &str) -> String {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../packaging/windows")
            .join(file);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// What an ADMX policy writes: the subkey of ROOT, the value name (`None` for a list's
    /// key), the kind the element stands for.
    type Write = (String, Option<String>, &'static str);

    fn admx_writes() -> (BTreeSet<Write>, Admx) {
        let xml = packaging("kepil.admx");
        let doc = roxmltree::Document::parse(&xml).expect("kepil.admx is well-formed XML");
        let mut writes = BTreeSet::new();
        let mut admx = Admx::default();
        let root_prefix = format!("{ROOT}\\");
        let relative = |key: &str| -> String {
            key.strip_prefix(&root_prefix)
                .unwrap_or_else(|| panic!("{key} is not under {ROOT}"))
                .to_string()
        };
        for node in doc.descendants().filter(|n| n.is_element()) {
            for attr in node.attributes() {
                let v = attr.value();
                if let Some(id) = v.strip_prefix("$(string.") {
                    admx.strings.insert(id.trim_end_matches(')').to_string());
                }
            }
        }
        for policy in doc.descendants().filter(|n| {
            n.has_tag_name("policy") && n.parent().is_some_and(|p| p.has_tag_name("policies"))
        }) {
            let name = policy.attribute("name").unwrap().to_string();
            assert_eq!(policy.attribute("class"), Some("Machine"), "{name}");
            let key = policy.attribute("key").expect("policy key");
            if let Some(value) = policy.attribute("valueName") {
                // A policy that is itself the switch: enabled 1, disabled 0.
                let enabled = policy
                    .children()
                    .find(|c| c.has_tag_name("enabledValue"))
                    .and_then(|e| e.children().find(|c| c.has_tag_name("decimal")))
                    .and_then(|d| d.attribute("value"));
                let disabled = policy
                    .children()
                    .find(|c| c.has_tag_name("disabledValue"))
                    .and_then(|e| e.children().find(|c| c.has_tag_name("decimal")))
                    .and_then(|d| d.attribute("value"));
                assert_eq!((enabled, disabled), (Some("1"), Some("0")), "{name}");
                writes.insert((relative(key), Some(value.to_string()), "switch"));
            }
            let mut element_ids = BTreeSet::new();
            if let Some(elements) = policy.children().find(|c| c.has_tag_name("elements")) {
                for e in elements.children().filter(|c| c.is_element()) {
                    let id = e.attribute("id").expect("element id").to_string();
                    element_ids.insert(id);
                    let key = relative(e.attribute("key").unwrap_or(key));
                    let kind = match e.tag_name().name() {
                        "text" | "enum" => "text",
                        "decimal" => "number",
                        "multiText" => "list",
                        "list" => {
                            assert_eq!(e.attribute("explicitValue"), Some("true"), "{name}");
                            writes.insert((key, None, "stores"));
                            continue;
                        }
                        other => panic!("{name}: element {other} is not one Kepil reads"),
                    };
                    if kind == "text" {
                        assert_ne!(
                            e.attribute("expandable"),
                            Some("true"),
                            "{name}: REG_SZ only"
                        );
                    }
                    if kind == "number" {
                        assert_ne!(
                            e.attribute("storeAsText"),
                            Some("true"),
                            "{name}: REG_DWORD"
                        );
                    }
                    let value = e.attribute("valueName").expect("valueName").to_string();
                    writes.insert((key, Some(value), kind));
                }
            }
            if let Some(p) = policy.attribute("presentation") {
                let id = p
                    .strip_prefix("$(presentation.")
                    .and_then(|p| p.strip_suffix(')'))
                    .expect("$(presentation.…)");
                admx.presentations.insert(id.to_string(), element_ids);
            } else {
                assert!(
                    element_ids.is_empty(),
                    "{name} has elements but no presentation"
                );
            }
            admx.policies += 1;
        }
        (writes, admx)
    }

    #[derive(Debug, Default)]
    struct Admx {
        policies: usize,
        strings: BTreeSet<String>,
        /// Presentation id → the element ids its controls must refer to.
        presentations: BTreeMap<String, BTreeSet<String>>,
    }

    #[test]
    fn the_admx_writes_exactly_the_names_group_policy_reads() {
        let (writes, admx) = admx_writes();
        let mut expected: BTreeSet<_> = SETTINGS
            .iter()
            .map(|s| {
                let kind = match s.kind {
                    Kind::Text => "text",
                    Kind::Number => "number",
                    Kind::Switch => "switch",
                    Kind::List => "list",
                };
                (s.key.to_string(), Some(s.value.to_string()), kind)
            })
            .collect();
        expected.insert((TRUST_STORES_KEY.to_string(), None, "stores"));
        let missing: Vec<_> = expected.difference(&writes).collect();
        let unknown: Vec<_> = writes.difference(&expected).collect();
        assert!(
            missing.is_empty() && unknown.is_empty(),
            "not in the ADMX: {missing:?}; in the ADMX but not read: {unknown:?}"
        );
        // One policy per key, so each can be locked on its own.
        assert_eq!(admx.policies, SETTINGS.len() + 1);
    }

    #[test]
    fn both_admls_define_every_string_and_presentation_the_admx_uses() {
        let (_, admx) = admx_writes();
        for lang in ["en-US", "ms-MY"] {
            let xml = packaging(&format!("{lang}/kepil.adml"));
            let doc = roxmltree::Document::parse(&xml)
                .unwrap_or_else(|e| panic!("{lang}/kepil.adml: {e}"));
            let strings: BTreeSet<String> = doc
                .descendants()
                .filter(|n| n.has_tag_name("string"))
                .map(|n| {
                    let id = n.attribute("id").expect("string id");
                    let body = n.text().unwrap_or_default();
                    assert!(!body.trim().is_empty(), "{lang}: string {id} is empty");
                    id.to_string()
                })
                .collect();
            let missing: Vec<_> = admx.strings.difference(&strings).collect();
            assert!(missing.is_empty(), "{lang} lacks strings {missing:?}");
            let unused: Vec<_> = strings.difference(&admx.strings).collect();
            assert!(
                unused.is_empty(),
                "{lang} has strings no policy uses: {unused:?}"
            );

            let presentations: BTreeMap<String, BTreeSet<String>> = doc
                .descendants()
                .filter(|n| n.has_tag_name("presentation"))
                .map(|p| {
                    let refs = p
                        .descendants()
                        .filter_map(|c| c.attribute("refId"))
                        .map(str::to_string)
                        .collect();
                    (
                        p.attribute("id").expect("presentation id").to_string(),
                        refs,
                    )
                })
                .collect();
            assert_eq!(presentations, admx.presentations, "{lang}: presentations");
        }
    }
}
