//! The system policy of a managed desktop: `/etc/kepil/policy.toml` (Linux),
//! `%ProgramData%\Kepil\policy.toml` (Windows), `/Library/Application Support/Kepil/policy.toml`
//! (macOS); `KEPIL_POLICY_FILE` names another file in test builds only (feature
//! `policy-file-env`). Written by agency IT, read-only for the user: every value it sets is
//! locked in the app. Format and the guideline clauses behind each key: docs/policy.md.
//!
//! It lives here rather than in the app so that both faces apply the same rules: the app
//! honours every key, the `kepil` command the `[sign_in]` section (a desktop that requires
//! sign-in takes no machine token in either face).
//!
//! Fail closed: a policy file that exists but cannot be read or parsed blocks sending (the app
//! shows `policy_invalid`) instead of being ignored, because ignoring it could send to a store
//! or at a classification the agency forbade.

use std::path::{Path, PathBuf};

use kepil_core::classification::Classification;
use kepil_core::message::Coded;
use kepil_protocol::{ClassificationPolicy, StorePolicy};
use serde::Deserialize;

use crate::error::{ConfigError, SignInError};

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemPolicy {
    #[serde(default)]
    pub store: StoreSection,
    #[serde(default)]
    pub send: SendSection,
    #[serde(default)]
    pub ui: UiSection,
    #[serde(default)]
    pub sms: Option<SmsSection>,
    #[serde(default)]
    pub sign_in: SignInSection,
    #[serde(default)]
    pub scan: ScanSection,
    #[serde(default)]
    pub trust: TrustSection,
    #[serde(default)]
    pub secrets: SecretsSection,
}

/// Where this desktop may keep tokens, sessions and the passwords of unfinished sends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsSection {
    /// `false`: only the system keyring; without one that answers, whatever needs a secret
    /// kept (a token, a sign-in, a send) stops with a clear message instead of writing the
    /// private file. Default `true`.
    pub file_fallback: Option<bool>,
}

/// The stores this desktop trusts besides `store.url` (see [`crate::store_trust`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustSection {
    /// Other agencies' stores this desktop exchanges with.
    #[serde(default)]
    pub stores: Vec<TrustedStoreEntry>,
    /// A link to any other store: `ask` (the default: shown, contacted only once confirmed)
    /// or `refuse`.
    pub other_stores: Option<OtherStores>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedStoreEntry {
    /// The store's base URL (https).
    pub url: String,
    /// How recipients see it named (the agency's name).
    pub name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OtherStores {
    Ask,
    Refuse,
}

/// Malware scanning on this desktop (guideline 3.2 A ii 7 and 3.2 A v 6); see
/// [`crate::scan::ScanSetup`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanSection {
    /// clamd's address: `unix:/run/clamav/clamd.ctl` or `tcp://host:3310`. Locks the scanner.
    pub scanner: Option<String>,
    /// `required`: no send without a clean scan of every file; `optional` (the default):
    /// scan when the scanner answers, else send marked as not scanned.
    pub send: Option<ScanRule>,
    /// The same for receiving: `required` saves nothing unscanned.
    pub receive: Option<ScanRule>,
    /// Signatures older than this many hours, or of unknown age, count as no scanner.
    pub max_signature_age_hours: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScanRule {
    Required,
    Optional,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSection {
    /// The agency's store; locks the store URL.
    pub url: Option<String>,
    /// Its name as recipients see it ("Kepil JPA"); the host is shown next to it.
    pub name: Option<String>,
    /// A PEM file with the agency's CA certificate for the store's TLS.
    pub ca_certificate: Option<PathBuf>,
    /// `false` disables the in-process local store (default `true`).
    pub local_store: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendSection {
    /// Classifications users of this desktop may send (a subset of TERBUKA, TERHAD, SULIT).
    pub classifications: Option<Vec<Classification>>,
    /// Longest expiry, in hours, whatever the store allows.
    pub max_expiry_hours: Option<u64>,
    /// Most downloads per recipient.
    pub max_downloads: Option<u32>,
    /// Largest transfer, in MiB.
    pub max_size_mib: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UiSection {
    /// `ms` or `en`: locks the language.
    pub lang: Option<String>,
    /// Where the link's email is composed: `gmail` (MyGovUC), `outlook` (Outlook on the web)
    /// or `system` (the desktop's mail program). Locks the choice.
    pub mail: Option<crate::settings::MailComposer>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInSection {
    /// `true`: senders on this desktop sign in with the agency's identity provider; no
    /// machine token is typed, saved or taken from `KEPIL_TOKEN` here.
    pub required: Option<bool>,
    /// The id (as the store's policy names it) of the provider to sign in with, when the
    /// store offers several.
    pub provider: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsSection {
    /// The gateway's HTTP endpoint; `{phone}` is replaced by the recipient's number
    /// (percent-encoded). The app POSTs JSON `{"phone": ..., "message": ...}` to it.
    pub endpoint: String,
    /// Name of the keyring entry (service `kepil`, key `sms-secret:<name>`) holding the
    /// gateway's secret, sent as `Authorization: Bearer <secret>`. Default `gateway`.
    #[serde(default)]
    pub secret: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read the system policy {path}: {reason}")]
    Unreadable { path: PathBuf, reason: String },
    #[error("the system policy {path} is invalid: {reason}")]
    Invalid { path: PathBuf, reason: String },
    /// Someone besides the administrator could have written it, so it is not IT's word.
    #[error("the system policy {path} is not protected: {reason}")]
    Unprotected { path: PathBuf, reason: String },
}

impl PolicyError {
    pub fn path(&self) -> &Path {
        match self {
            PolicyError::Unreadable { path, .. }
            | PolicyError::Invalid { path, .. }
            | PolicyError::Unprotected { path, .. } => path,
        }
    }
}

impl Coded for PolicyError {
    fn code(&self) -> &'static str {
        match self {
            PolicyError::Unreadable { .. } | PolicyError::Invalid { .. } => "policy_invalid",
            PolicyError::Unprotected { .. } => "policy_unprotected",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        // The reason goes to the log: it is for IT, and the person at the desk can only call
        // them.
        vec![("path", self.path().display().to_string())]
    }
}

/// Where Group Policy keeps Kepil's policy on Windows.
const MANAGED_POLICY_KEY: &str = r"HKLM\Software\Policies\Kepil";

/// Where the system policy lives on this OS ([`crate::platform::policy_path`]). Only a test
/// build (feature `policy-file-env`, which the app's `e2e` feature and the CLI's tests turn on)
/// lets `KEPIL_POLICY_FILE` name another file: in a shipped build the user's environment must
/// not replace IT's policy.
pub fn policy_path() -> PathBuf {
    test_override().unwrap_or_else(crate::platform::policy_path)
}

fn test_override() -> Option<PathBuf> {
    #[cfg(feature = "policy-file-env")]
    if let Some(p) = std::env::var_os("KEPIL_POLICY_FILE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    None
}

impl SystemPolicy {
    /// Whether secrets may go to the private file when the keyring cannot take them
    /// (`[secrets] file_fallback`, default true).
    pub fn file_fallback_allowed(&self) -> bool {
        self.secrets.file_fallback.unwrap_or(true)
    }

    /// This desktop's policy: Group Policy's registry key where the OS has one (Windows), else
    /// the file at [`policy_path`], which must be protected from everyone but the
    /// administrator (`policy_unprotected` otherwise). A missing file is the empty policy.
    pub fn load_system() -> Result<SystemPolicy, PolicyError> {
        let path = policy_path();
        let overridden = test_override().is_some();
        if !overridden {
            let managed =
                crate::platform::managed_policy().map_err(|reason| PolicyError::Unreadable {
                    path: path.clone(),
                    reason,
                })?;
            if let Some(table) = managed {
                // Errors name where IT set the values, not a file nobody wrote.
                return SystemPolicy::from_table(table, Path::new(MANAGED_POLICY_KEY));
            }
        }
        match std::fs::metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(SystemPolicy::default());
            }
            _ => {}
        }
        crate::platform::check_policy_protected(&path, overridden).map_err(|reason| {
            PolicyError::Unprotected {
                path: path.clone(),
                reason,
            }
        })?;
        SystemPolicy::load(&path)
    }

    /// A policy from Group Policy's registry values, checked like a file's; `path` names where
    /// the error says it came from.
    fn from_table(table: toml::Table, path: &Path) -> Result<SystemPolicy, PolicyError> {
        let policy: SystemPolicy =
            toml::Value::Table(table)
                .try_into()
                .map_err(|e: toml::de::Error| PolicyError::Invalid {
                    path: path.to_path_buf(),
                    reason: e.message().to_string(),
                })?;
        policy.validate(path)?;
        Ok(policy)
    }

    /// The file at `path`, without the ownership check of [`SystemPolicy::load_system`]. A
    /// missing file is the empty policy (nothing locked).
    pub fn load(path: &Path) -> Result<SystemPolicy, PolicyError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(SystemPolicy::default());
            }
            Err(e) => {
                return Err(PolicyError::Unreadable {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                });
            }
        };
        let policy: SystemPolicy = toml::from_str(&text).map_err(|e| PolicyError::Invalid {
            path: path.to_path_buf(),
            reason: e.message().to_string(),
        })?;
        policy.validate(path)?;
        Ok(policy)
    }

    fn validate(&self, path: &Path) -> Result<(), PolicyError> {
        let invalid = |reason: String| PolicyError::Invalid {
            path: path.to_path_buf(),
            reason,
        };
        if let Some(url) = &self.store.url {
            crate::settings::parse_store_url(url)
                .map_err(|_| invalid(format!("store.url {url:?} is not an https URL")))?;
        }
        if let Some(list) = &self.send.classifications
            && let Some(c) = list.iter().find(|c| !c.is_sendable())
        {
            return Err(invalid(format!(
                "send.classifications names {}, which may never be sent (guideline 3.2 A ii 6)",
                c.as_str()
            )));
        }
        if let Some(lang) = &self.ui.lang
            && crate::settings::parse_lang(lang).is_none()
        {
            return Err(invalid(format!("ui.lang {lang:?} is neither ms nor en")));
        }
        if let Some(sms) = &self.sms {
            let probe = sms.endpoint.replace("{phone}", "0");
            let url = url::Url::parse(&probe)
                .map_err(|_| invalid("sms.endpoint is not a URL".to_string()))?;
            let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
            if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
                return Err(invalid("sms.endpoint must use https".to_string()));
            }
        }
        if let Some(provider) = &self.sign_in.provider
            && (provider.trim().is_empty() || provider.trim() != provider)
        {
            return Err(invalid(format!(
                "sign_in.provider {provider:?} is not a provider id"
            )));
        }
        for entry in &self.trust.stores {
            crate::settings::parse_store_url(&entry.url).map_err(|_| {
                invalid(format!(
                    "trust.stores url {:?} is not an https URL",
                    entry.url
                ))
            })?;
        }
        if let Some(address) = &self.scan.scanner {
            crate::scan::ClamdAddress::parse(address)
                .map_err(|_| invalid(format!("scan.scanner {address:?} is not a scanner address (unix:/path or tcp://host:port)")))?;
        }
        for (name, rule) in [("send", self.scan.send), ("receive", self.scan.receive)] {
            if rule == Some(ScanRule::Required) && self.scan.scanner.is_none() {
                return Err(invalid(format!(
                    "scan.{name} is required but scan.scanner names no scanner"
                )));
            }
        }
        if self.scan.max_signature_age_hours == Some(0) {
            return Err(invalid(
                "scan.max_signature_age_hours must be at least 1".to_string(),
            ));
        }
        if let Some(ca) = &self.store.ca_certificate {
            let pem = std::fs::read_to_string(ca)
                .map_err(|e| invalid(format!("store.ca_certificate {}: {e}", ca.display())))?;
            if !pem.contains("-----BEGIN CERTIFICATE-----") {
                return Err(invalid(format!(
                    "store.ca_certificate {} holds no PEM certificate",
                    ca.display()
                )));
            }
        }
        Ok(())
    }

    /// Makes every store connection of this process trust the policy's CA certificate, besides
    /// the platform's roots. A certificate that cannot be used fails the policy (closed), so an
    /// agency store is never reached with weaker verification than IT configured.
    pub fn apply_trust(&self) -> Result<(), PolicyError> {
        let Some(ca) = &self.store.ca_certificate else {
            return Ok(());
        };
        crate::settings::trust_ca_file(ca)
            .map(|_| ())
            .map_err(|e| PolicyError::Invalid {
                path: ca.clone(),
                reason: format!("store.ca_certificate: {e}"),
            })
    }

    /// The store this desktop sends to: the policy's `store.url` where it sets one (asking
    /// for another is `store_locked`, never a silent switch), else what was asked for.
    pub fn store_for(&self, asked: Option<url::Url>) -> Result<Option<url::Url>, ConfigError> {
        let Some(locked) = &self.store.url else {
            return Ok(asked);
        };
        let locked = crate::settings::parse_store_url(locked)?;
        match asked {
            Some(asked) if asked != locked => Err(ConfigError::StoreLocked {
                store: locked.to_string(),
                wanted: asked.to_string(),
            }),
            _ => Ok(Some(locked)),
        }
    }

    /// The store's policy narrowed to what this desktop allows: classifications, expiries,
    /// downloads and size. A send is checked against this, and a value the sender left out
    /// takes the narrowed default, so a cap holds whether or not anyone asked for a value.
    pub fn narrow(&self, store: &StorePolicy) -> StorePolicy {
        let max_expiry = self.max_expiry_secs().unwrap_or(u64::MAX);
        let max_downloads = store
            .max_downloads
            .min(self.send.max_downloads.unwrap_or(u32::MAX));
        StorePolicy {
            max_blob_size: store
                .max_blob_size
                .min(self.max_size_bytes().unwrap_or(u64::MAX)),
            classifications: store
                .classifications
                .iter()
                .filter(|c| self.allows(c.classification))
                .map(|c| {
                    let max = c.max_expiry_secs.min(max_expiry);
                    ClassificationPolicy {
                        classification: c.classification,
                        max_expiry_secs: max,
                        default_expiry_secs: c.default_expiry_secs.min(max),
                    }
                })
                .collect(),
            default_max_downloads: store.default_max_downloads.min(max_downloads),
            max_downloads,
            ..store.clone()
        }
    }

    pub fn local_store_allowed(&self) -> bool {
        self.store.local_store.unwrap_or(true)
    }

    pub fn allows(&self, c: Classification) -> bool {
        c.is_sendable()
            && self
                .send
                .classifications
                .as_ref()
                .is_none_or(|list| list.contains(&c))
    }

    pub fn max_expiry_secs(&self) -> Option<u64> {
        self.send.max_expiry_hours.map(|h| h.saturating_mul(3600))
    }

    pub fn max_size_bytes(&self) -> Option<u64> {
        self.send.max_size_mib.map(|m| m.saturating_mul(1 << 20))
    }

    /// The names (as in `AppState`) of the settings this policy locks.
    pub fn locked(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut lock = |set: bool, name: &str| {
            if set {
                out.push(name.to_string());
            }
        };
        lock(self.store.url.is_some(), "storeUrl");
        lock(self.store.ca_certificate.is_some(), "caCertificate");
        lock(self.store.local_store.is_some(), "localStore");
        lock(self.send.classifications.is_some(), "classifications");
        lock(self.send.max_expiry_hours.is_some(), "maxExpiry");
        lock(self.send.max_downloads.is_some(), "maxDownloads");
        lock(self.send.max_size_mib.is_some(), "maxSize");
        lock(self.ui.lang.is_some(), "lang");
        lock(self.ui.mail.is_some(), "mail");
        lock(self.sms.is_some(), "sms");
        lock(self.sign_in_required(), "token");
        lock(self.sign_in.required.is_some(), "signIn");
        lock(self.sign_in.provider.is_some(), "signInProvider");
        lock(self.scan.scanner.is_some(), "scanner");
        out
    }

    /// Whether senders here must sign in (no machine token is accepted on this desktop).
    pub fn sign_in_required(&self) -> bool {
        self.sign_in.required.unwrap_or(false)
    }

    /// The provider IT chose for this desktop, if any.
    pub fn sign_in_provider(&self) -> Option<&str> {
        self.sign_in.provider.as_deref()
    }

    /// `token_not_allowed` when this desktop takes no machine token (`kepil login --token`,
    /// the app's token field, `KEPIL_TOKEN`).
    pub fn check_machine_token(&self) -> Result<(), ConfigError> {
        if self.sign_in_required() {
            Err(ConfigError::TokenNotAllowed)
        } else {
            Ok(())
        }
    }

    /// The provider id to look for among the store's: the policy's when it names one (asking
    /// for another is `provider_locked`), else what the person asked for.
    pub fn provider_wanted<'a>(
        &'a self,
        wanted: Option<&'a str>,
    ) -> Result<Option<&'a str>, SignInError> {
        match (self.sign_in_provider(), wanted.map(str::trim)) {
            (Some(locked), Some(asked)) if !asked.eq_ignore_ascii_case(locked) => {
                Err(SignInError::ProviderLocked {
                    provider: locked.to_string(),
                    wanted: asked.to_string(),
                })
            }
            (Some(locked), _) => Ok(Some(locked)),
            (None, asked) => Ok(asked),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<SystemPolicy, PolicyError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("policy.toml");
        std::fs::write(&path, text).unwrap();
        SystemPolicy::load(&path)
    }

    #[test]
    fn missing_file_locks_nothing() {
        let p = SystemPolicy::load(Path::new("/nonexistent/kepil/policy.toml")).unwrap();
        assert!(p.locked().is_empty());
        assert!(p.local_store_allowed());
        assert!(p.allows(Classification::Sulit));
        assert!(!p.allows(Classification::Rahsia));
    }

    #[test]
    fn full_policy_parses_and_locks() {
        let p = load(
            r#"
[store]
url = "https://kepil.agensi.gov.my"
local_store = false
[send]
classifications = ["TERHAD"]
max_expiry_hours = 48
max_downloads = 2
max_size_mib = 100
[ui]
lang = "ms"
mail = "gmail"
[sms]
endpoint = "https://sms.agensi.gov.my/send?to={phone}"
secret = "agensi"
"#,
        )
        .unwrap();
        assert!(!p.local_store_allowed());
        assert!(p.allows(Classification::Terhad));
        assert!(!p.allows(Classification::Sulit));
        assert_eq!(p.max_expiry_secs(), Some(48 * 3600));
        assert_eq!(p.max_size_bytes(), Some(100 << 20));
        assert_eq!(p.ui.mail, Some(crate::settings::MailComposer::Gmail));
        for name in [
            "storeUrl",
            "localStore",
            "classifications",
            "lang",
            "mail",
            "sms",
        ] {
            assert!(p.locked().contains(&name.to_string()), "{name}");
        }
        assert!(!p.sign_in_required());
        assert!(p.check_machine_token().is_ok());
    }

    #[test]
    fn sign_in_can_be_required_and_its_provider_chosen() {
        let p = load("[sign_in]\nrequired = true\nprovider = \"mygovuc\"\n").unwrap();
        assert!(p.sign_in_required());
        assert!(matches!(
            p.check_machine_token(),
            Err(ConfigError::TokenNotAllowed)
        ));
        for name in ["token", "signIn", "signInProvider"] {
            assert!(p.locked().contains(&name.to_string()), "{name}");
        }
        assert_eq!(p.provider_wanted(None).unwrap(), Some("mygovuc"));
        assert_eq!(p.provider_wanted(Some("MyGovUC")).unwrap(), Some("mygovuc"));
        assert!(matches!(
            p.provider_wanted(Some("entra")),
            Err(SignInError::ProviderLocked { .. })
        ));
        let open = SystemPolicy::default();
        assert_eq!(open.provider_wanted(Some("entra")).unwrap(), Some("entra"));
        assert_eq!(open.provider_wanted(None).unwrap(), None);
        // Required off keeps tokens; a provider alone locks only the choice.
        let p = load("[sign_in]\nrequired = false\nprovider = \"entra\"\n").unwrap();
        assert!(p.check_machine_token().is_ok());
        assert!(!p.locked().contains(&"token".to_string()));
        assert!(load("[sign_in]\nprovider = \"\"\n").is_err());
        assert!(load("[sign_in]\nrequire = true\n").is_err());
    }

    #[test]
    fn scanning_can_be_required_only_with_a_scanner() {
        let p = load(
            "[scan]\nscanner = \"unix:/run/clamav/clamd.ctl\"\nsend = \"required\"\nreceive = \"optional\"\nmax_signature_age_hours = 48\n",
        )
        .unwrap();
        assert_eq!(p.scan.send, Some(ScanRule::Required));
        assert_eq!(p.scan.receive, Some(ScanRule::Optional));
        assert!(p.locked().contains(&"scanner".to_string()));
        assert!(load("[scan]\nsend = \"required\"\n").is_err());
        assert!(load("[scan]\nscanner = \"clamd\"\n").is_err());
        assert!(load("[scan]\nscanner = \"/run/c.ctl\"\nsend = \"always\"\n").is_err());
        assert!(load("[scan]\nscanner = \"/run/c.ctl\"\nmax_signature_age_hours = 0\n").is_err());
    }

    #[test]
    fn trusted_stores_are_listed_with_their_names() {
        let p = load(
            "[store]\nurl = \"https://kepil.agensi.gov.my\"\nname = \"Kepil Agensi\"\n[trust]\nother_stores = \"refuse\"\n[[trust.stores]]\nurl = \"https://kepil.jpa.gov.my\"\nname = \"JPA\"\n",
        )
        .unwrap();
        assert_eq!(p.trust.other_stores, Some(OtherStores::Refuse));
        assert_eq!(p.trust.stores[0].name.as_deref(), Some("JPA"));
        assert!(load("[[trust.stores]]\nurl = \"http://kepil.jpa.gov.my\"\n").is_err());
        assert!(load("[trust]\nother_stores = \"maybe\"\n").is_err());
    }

    fn store_policy() -> StorePolicy {
        StorePolicy {
            max_blob_size: 1 << 30,
            classifications: [
                (Classification::Terbuka, 30 * 86_400),
                (Classification::Terhad, 14 * 86_400),
                (Classification::Sulit, 7 * 86_400),
            ]
            .into_iter()
            .map(|(classification, max)| ClassificationPolicy {
                classification,
                max_expiry_secs: max,
                default_expiry_secs: 3 * 86_400,
            })
            .collect(),
            default_max_downloads: 3,
            max_downloads: 10,
            lockout_threshold: 10,
            kdf_floor: kepil_core::kdf::KdfParams::DEFAULT,
            public_url: "https://kepil.agensi.gov.my/".into(),
            identity_providers: vec![],
            sign_in_required: false,
        }
    }

    #[test]
    fn the_desktop_caps_narrow_the_stores_policy_defaults_included() {
        let store = store_policy();
        assert_eq!(SystemPolicy::default().narrow(&store), store);
        let p = load(
            "[send]\nclassifications = [\"TERHAD\", \"SULIT\"]\nmax_expiry_hours = 48\nmax_downloads = 2\nmax_size_mib = 100\n",
        )
        .unwrap();
        let n = p.narrow(&store);
        let names: Vec<_> = n.classifications.iter().map(|c| c.classification).collect();
        assert_eq!(names, [Classification::Terhad, Classification::Sulit]);
        for c in &n.classifications {
            assert_eq!(c.max_expiry_secs, 48 * 3600);
            // The store's 3-day default would outlive the desktop's cap.
            assert_eq!(c.default_expiry_secs, 48 * 3600);
        }
        assert_eq!((n.max_downloads, n.default_max_downloads), (2, 2));
        assert_eq!(n.max_blob_size, 100 << 20);
        assert_eq!(n.public_url, store.public_url);
        // A cap looser than the store's changes nothing.
        let loose = load("[send]\nmax_expiry_hours = 9999\nmax_downloads = 50\n").unwrap();
        assert_eq!(loose.narrow(&store), store);
    }

    #[test]
    fn a_locked_store_is_used_and_another_one_asked_for_is_refused() {
        let url = |s: &str| url::Url::parse(s).unwrap();
        let open = SystemPolicy::default();
        assert_eq!(open.store_for(None).unwrap(), None);
        assert_eq!(
            open.store_for(Some(url("https://x.example/"))).unwrap(),
            Some(url("https://x.example/"))
        );
        let p = load("[store]\nurl = \"https://kepil.agensi.gov.my\"\n").unwrap();
        let locked = Some(url("https://kepil.agensi.gov.my/"));
        assert_eq!(p.store_for(None).unwrap(), locked);
        assert_eq!(
            p.store_for(Some(url("https://kepil.agensi.gov.my")))
                .unwrap(),
            locked
        );
        let e = p.store_for(Some(url("https://x.example/"))).unwrap_err();
        assert_eq!(e.code(), "store_locked");
    }

    #[test]
    fn rejects_typos_rahsia_and_plain_http() {
        assert!(load("[store]\nurll = \"https://x\"\n").is_err());
        assert!(load("[send]\nclassifications = [\"RAHSIA\"]\n").is_err());
        assert!(load("[store]\nurl = \"http://kepil.agensi.gov.my\"\n").is_err());
        assert!(load("[sms]\nendpoint = \"http://sms.example/{phone}\"\n").is_err());
        assert!(load("[ui]\nlang = \"fr\"\n").is_err());
        assert!(load("[ui]\nmail = \"yahoo\"\n").is_err());
    }
}
