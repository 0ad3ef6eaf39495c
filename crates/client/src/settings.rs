//! Where Kepil keeps things and which store, token and language a run uses.
//!
//! Precedence for every setting: explicit value (flag / app field) > environment
//! (`KEPIL_STORE`, `KEPIL_TOKEN`, `KEPIL_LANG`, `KEPIL_SCANNER`) > config file > built-in default.

use std::path::{Path, PathBuf};

use kepil_core::message::Lang;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::SecretString;
use crate::error::ConfigError;
use crate::secrets::SecretStore;

/// The three per-user directories. `KEPIL_CONFIG_DIR` moves all of them (tests, portable
/// installs); `KEPIL_CACHE_DIR` and `KEPIL_DATA_DIR` move one each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dirs {
    /// `config.toml`, `credentials.toml` (fallback secret store).
    pub config: PathBuf,
    /// Journals of unfinished uploads (`spool/`, no secrets), deleted when an upload completes.
    pub cache: PathBuf,
    /// The sender's history of transfers.
    pub data: PathBuf,
}

impl Dirs {
    pub fn from_env() -> Result<Dirs, ConfigError> {
        let env_dir = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let base = env_dir("KEPIL_CONFIG_DIR");
        let config = match &base {
            Some(dir) => dir.clone(),
            None => dirs::config_dir()
                .ok_or(ConfigError::NoHomeDirectory)?
                .join("kepil"),
        };
        let cache = match (env_dir("KEPIL_CACHE_DIR"), &base) {
            (Some(dir), _) => dir,
            (None, Some(dir)) => dir.join("cache"),
            (None, None) => dirs::cache_dir()
                .ok_or(ConfigError::NoHomeDirectory)?
                .join("kepil"),
        };
        let data = match (env_dir("KEPIL_DATA_DIR"), &base) {
            (Some(dir), _) => dir,
            (None, Some(dir)) => dir.join("data"),
            (None, None) => dirs::data_dir()
                .ok_or(ConfigError::NoHomeDirectory)?
                .join("kepil"),
        };
        Ok(Dirs {
            config,
            cache,
            data,
        })
    }

    /// All three under one directory.
    pub fn under(root: &Path) -> Dirs {
        Dirs {
            config: root.to_path_buf(),
            cache: root.join("cache"),
            data: root.join("data"),
        }
    }

    pub fn config_file(&self) -> PathBuf {
        self.config.join("config.toml")
    }
    pub fn spool_dir(&self) -> PathBuf {
        self.cache.join("spool")
    }
}

/// `config.toml`. Unknown keys are kept out on purpose (deny) so a typo is reported, not ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Store base URL, e.g. `https://kepil.example.gov.my`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<String>,
    /// `ms` or `en`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// Shown to recipients as the sender (usually the sender's official address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<String>,
    /// The malware scanner (clamd: `unix:/path` or `tcp://host:port`) used where the system
    /// policy names none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scanner: Option<String>,
    /// A PEM file of CA certificates to trust besides the operating system's (a store or an
    /// identity provider on a CA the system does not know yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_certificate: Option<PathBuf>,
    /// Where the app composes the link's email: `system`, `gmail` or `outlook`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail: Option<MailComposer>,
}

/// Where the email with the link is written: the system's mail program (`mailto:`), Gmail on
/// the web (MyGovUC runs on Google Workspace, guideline 1.2.2) or Outlook on the web.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailComposer {
    #[default]
    System,
    Gmail,
    Outlook,
}

impl MailComposer {
    pub fn parse(text: &str) -> Option<MailComposer> {
        match text.trim().to_ascii_lowercase().as_str() {
            "system" => Some(MailComposer::System),
            "gmail" => Some(MailComposer::Gmail),
            "outlook" => Some(MailComposer::Outlook),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            MailComposer::System => "system",
            MailComposer::Gmail => "gmail",
            MailComposer::Outlook => "outlook",
        }
    }
}

impl ConfigFile {
    /// A missing file is an empty config; an unreadable or malformed one is an error, because
    /// silently ignoring an agency's settings would send to the wrong store.
    pub fn load(dirs: &Dirs) -> Result<ConfigFile, ConfigError> {
        let path = dirs.config_file();
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|e| ConfigError::BadConfigFile {
                path,
                reason: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ConfigFile::default()),
            Err(e) => Err(ConfigError::Io { path, source: e }),
        }
    }

    pub fn save(&self, dirs: &Dirs) -> Result<(), ConfigError> {
        let path = dirs.config_file();
        let text = toml::to_string_pretty(self).map_err(|e| ConfigError::BadConfigFile {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        crate::write_private(&path, text.as_bytes())
            .map_err(|e| ConfigError::Io { path, source: e })
    }
}

/// Parses a store URL. Plain `http` is allowed only for loopback, so a typo cannot send
/// ciphertext and tokens in clear across a network.
pub fn parse_store_url(text: &str) -> Result<Url, ConfigError> {
    let mut url = Url::parse(text.trim()).map_err(|_| ConfigError::BadStoreUrl {
        url: text.to_string(),
    })?;
    let loopback = matches!(
        url.host(),
        Some(url::Host::Ipv4(ip)) if ip.is_loopback()
    ) || matches!(url.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback())
        || url.host_str() == Some("localhost");
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => {
            return Err(ConfigError::BadStoreUrl {
                url: text.to_string(),
            });
        }
    }
    if url.query().is_some() || url.fragment().is_some() || url.host().is_none() {
        return Err(ConfigError::BadStoreUrl {
            url: text.to_string(),
        });
    }
    // A prefix is kept as a directory so joining "api/v1/..." stays under it.
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

fn env_text(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The malware scanner named for this run where the system policy names none: `KEPIL_SCANNER`,
/// else `scanner` in the config file.
pub fn resolve_scanner(config: &ConfigFile) -> Option<String> {
    env_text("KEPIL_SCANNER").or_else(|| config.scanner.clone())
}

/// The CA file for this run: `explicit` (`--ca-certificate`), else `KEPIL_CA_CERTIFICATE`, else
/// `ca_certificate` in the config file.
pub fn resolve_ca_certificate(explicit: Option<&Path>, config: &ConfigFile) -> Option<PathBuf> {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| env_text("KEPIL_CA_CERTIFICATE").map(PathBuf::from))
        .or_else(|| config.ca_certificate.clone())
}

/// Trusts the CA certificates of the PEM file at `path` for every later store and identity
/// provider connection of this process, besides the system's roots.
pub fn trust_ca_file(path: &Path) -> Result<usize, crate::error::NetError> {
    let pem = std::fs::read(path)
        .map_err(|e| crate::error::NetError::BadCertificate(format!("{}: {e}", path.display())))?;
    crate::api::trust_ca_pem(&pem).map_err(|e| match e {
        crate::error::NetError::BadCertificate(why) => {
            crate::error::NetError::BadCertificate(format!("{}: {why}", path.display()))
        }
        other => other,
    })
}

/// The store URL `--store` or `KEPIL_STORE` asked for, if either did.
pub fn asked_store(explicit: Option<&str>) -> Result<Option<Url>, ConfigError> {
    explicit
        .map(str::to_string)
        .or_else(|| env_text("KEPIL_STORE"))
        .map(|text| parse_store_url(&text))
        .transpose()
}

/// The store URL for this run.
pub fn resolve_store(explicit: Option<&str>, config: &ConfigFile) -> Result<Url, ConfigError> {
    let text = explicit
        .map(str::to_string)
        .or_else(|| env_text("KEPIL_STORE"))
        .or_else(|| config.store.clone())
        .ok_or(ConfigError::NoStore)?;
    parse_store_url(&text)
}

/// The uploader token: explicit > `KEPIL_TOKEN` > the secret store entry saved by `login`.
pub fn resolve_token(
    explicit: Option<SecretString>,
    store: &Url,
    secrets: &SecretStore,
) -> Result<SecretString, ConfigError> {
    if let Some(token) = explicit {
        return Ok(token);
    }
    if let Some(token) = env_text("KEPIL_TOKEN") {
        return Ok(SecretString::new(token.trim()));
    }
    secrets
        .get(&uploader_token_key(store))?
        .ok_or_else(|| ConfigError::NoToken {
            store: store.to_string(),
        })
}

/// The secret-store key of the uploader token for a store.
pub fn uploader_token_key(store: &Url) -> String {
    format!("uploader-token:{}", store.as_str().trim_end_matches('/'))
}

/// Saves the uploader token for a store (`kepil login`, the app's settings page); answers
/// where it went ("keyring" or "file").
pub fn save_token(
    store: &Url,
    token: &SecretString,
    secrets: &SecretStore,
) -> Result<&'static str, ConfigError> {
    Ok(secrets.set(&uploader_token_key(store), token)?)
}

/// The language: explicit > `KEPIL_LANG` > config > the locale (`LC_ALL`, `LC_MESSAGES`,
/// `LANG`) > Bahasa Melayu.
pub fn resolve_lang(explicit: Option<&str>, config: &ConfigFile) -> Lang {
    let chosen = explicit
        .map(str::to_string)
        .or_else(|| env_text("KEPIL_LANG"))
        .or_else(|| config.lang.clone());
    if let Some(lang) = chosen.as_deref().and_then(parse_lang) {
        return lang;
    }
    for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        if let Some(value) = env_text(var) {
            if let Some(lang) = parse_lang(&value) {
                return lang;
            }
            // The first set variable decides, as in POSIX locale resolution.
            break;
        }
    }
    Lang::Ms
}

/// `ms`, `ms_MY.UTF-8`, `bm`, `en`, `en_GB`, `english`, `melayu`...
pub fn parse_lang(text: &str) -> Option<Lang> {
    let lower = text.trim().to_ascii_lowercase();
    if lower.starts_with("ms") || lower.starts_with("bm") || lower.starts_with("melayu") {
        Some(Lang::Ms)
    } else if lower.starts_with("en") {
        Some(Lang::En)
    } else {
        None
    }
}

/// The sender shown in the manifest: explicit > config > `USER@host`.
pub fn resolve_sender(explicit: Option<&str>, config: &ConfigFile) -> String {
    if let Some(sender) = explicit.map(str::trim).filter(|s| !s.is_empty()) {
        return sender.to_string();
    }
    if let Some(sender) = config.sender.as_deref().filter(|s| !s.is_empty()) {
        return sender.to_string();
    }
    let user = env_text("USER")
        .or_else(|| env_text("USERNAME"))
        .unwrap_or_else(|| "unknown".into());
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| env_text("COMPUTERNAME"));
    match host {
        Some(host) => format!("{user}@{host}"),
        None => user,
    }
}

/// `Name <address>`, `address` or `Name`: the display name and the address a sender text
/// gives.
fn split_sender(text: &str) -> (Option<String>, Option<String>) {
    let text = text.trim();
    if let (Some(open), true) = (text.rfind('<'), text.ends_with('>')) {
        let address = text[open + 1..text.len() - 1].trim();
        let name = text[..open].trim().trim_matches('"').trim();
        let name = (!name.is_empty()).then(|| name.to_string());
        return (name, (!address.is_empty()).then(|| address.to_string()));
    }
    if text.contains('@') && !text.contains(char::is_whitespace) {
        return (None, Some(text.to_string()));
    }
    let name: String = text
        .chars()
        .filter(|c| !c.is_control() && *c != '<' && *c != '>')
        .collect();
    let name = name.trim();
    ((!name.is_empty()).then(|| name.to_string()), None)
}

/// The sender sealed in the package. Signed in, it is the signed-in address (the identity
/// the store vouches for), with at most a display name added: `--from "Alice Tan"` gives
/// `Alice Tan <alice@agency.gov.my>`, and another address is refused (a `sender` in
/// config.toml naming another address is passed over, as an old setting). Not signed in, it
/// is [`resolve_sender`]'s.
pub fn sender_for(
    explicit: Option<&str>,
    config: &ConfigFile,
    identity: Option<&kepil_protocol::identity::Identity>,
) -> Result<String, crate::error::SendError> {
    let Some(identity) = identity else {
        return Ok(resolve_sender(explicit, config));
    };
    let email = identity.email.as_str();
    let with_name = |name: Option<String>| match name {
        Some(name) => format!("{name} <{email}>"),
        None => email.to_string(),
    };
    if let Some(text) = explicit.map(str::trim).filter(|s| !s.is_empty()) {
        let (name, address) = split_sender(text);
        if let Some(address) = address
            && !address.eq_ignore_ascii_case(email)
        {
            return Err(crate::error::SendError::SenderMismatch {
                given: address,
                signed_in: email.to_string(),
            });
        }
        return Ok(with_name(name));
    }
    if let Some(text) = config.sender.as_deref().filter(|s| !s.trim().is_empty()) {
        let (name, address) = split_sender(text);
        if address.is_none_or(|a| a.eq_ignore_ascii_case(email)) {
            return Ok(with_name(name));
        }
    }
    Ok(email.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_urls_need_https_except_loopback() {
        assert!(parse_store_url("https://kepil.example.gov.my").is_ok());
        assert!(parse_store_url("http://127.0.0.1:8080").is_ok());
        assert!(parse_store_url("http://localhost:1").is_ok());
        assert!(parse_store_url("http://kepil.example.gov.my").is_err());
        assert!(parse_store_url("ftp://x").is_err());
        assert_eq!(
            parse_store_url("https://h/prefix").unwrap().as_str(),
            "https://h/prefix/"
        );
    }

    #[test]
    fn lang_names() {
        assert_eq!(parse_lang("ms_MY.UTF-8"), Some(Lang::Ms));
        assert_eq!(parse_lang("en_GB.UTF-8"), Some(Lang::En));
        assert_eq!(parse_lang("EN"), Some(Lang::En));
        assert_eq!(parse_lang("C"), None);
    }

    #[test]
    fn config_file_round_trips_and_rejects_typos() {
        let dir = tempfile::tempdir().unwrap();
        let dirs = Dirs::under(dir.path());
        assert_eq!(ConfigFile::load(&dirs).unwrap(), ConfigFile::default());
        let cfg = ConfigFile {
            store: Some("https://s".into()),
            lang: Some("en".into()),
            sender: None,
            scanner: Some("unix:/run/clamav/clamd.ctl".into()),
            ca_certificate: Some("/etc/ssl/agensi-ca.pem".into()),
            mail: Some(MailComposer::Gmail),
        };
        cfg.save(&dirs).unwrap();
        assert_eq!(ConfigFile::load(&dirs).unwrap(), cfg);
        std::fs::write(dirs.config_file(), "stroe = \"x\"\n").unwrap();
        assert!(ConfigFile::load(&dirs).is_err());
    }

    #[test]
    fn signed_in_the_sender_is_the_signed_in_address_with_at_most_a_name() {
        use kepil_protocol::identity::Identity;
        let alice = Identity {
            email: "alice@agency.gov.my".into(),
            name: Some("Alice Tan".into()),
            provider: "mygovuc".into(),
        };
        let none = ConfigFile::default();
        let me = Some(&alice);
        assert_eq!(sender_for(None, &none, me).unwrap(), "alice@agency.gov.my");
        assert_eq!(
            sender_for(Some("Alice Tan"), &none, me).unwrap(),
            "Alice Tan <alice@agency.gov.my>"
        );
        assert_eq!(
            sender_for(Some("\"Alice T.\" <ALICE@agency.gov.my>"), &none, me).unwrap(),
            "Alice T. <alice@agency.gov.my>"
        );
        assert_eq!(
            sender_for(Some("Alice@Agency.gov.my"), &none, me).unwrap(),
            "alice@agency.gov.my"
        );
        for other in ["bob@agency.gov.my", "Alice <alice@evil.example>"] {
            assert!(
                matches!(
                    sender_for(Some(other), &none, me),
                    Err(crate::error::SendError::SenderMismatch { .. })
                ),
                "{other}"
            );
        }
        let old = ConfigFile {
            sender: Some("someone@else.my".into()),
            ..ConfigFile::default()
        };
        assert_eq!(sender_for(None, &old, me).unwrap(), "alice@agency.gov.my");
        let named = ConfigFile {
            sender: Some("Alice Tan (JPA)".into()),
            ..ConfigFile::default()
        };
        assert_eq!(
            sender_for(None, &named, me).unwrap(),
            "Alice Tan (JPA) <alice@agency.gov.my>"
        );
        // Not signed in: as before.
        assert_eq!(sender_for(Some("x@y.my"), &none, None).unwrap(), "x@y.my");
    }
}
