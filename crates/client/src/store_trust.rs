//! Which stores this computer trusts, decided before a link's store is contacted (MyGovUC
//! guideline 3.2 A iii 1–3: open only what comes from the expected sender through the expected
//! channel). A phishing mail can carry a link to a look-alike store and an SMS a password; the
//! store is then the party that "verifies" the sender, so it must be one the agency trusts.
//!
//! Trusted: the system policy's own store (`store.url`), the stores it lists (`[trust]
//! stores`), and the store the person configured themselves. Any other store is contacted only
//! after the person has seen which store it is and confirmed, or never when the policy says
//! `other_stores = "refuse"`. The host is shown as the URL library normalises it, so an
//! internationalised (IDN) look-alike shows as its punycode (`xn--…`), never as the Unicode
//! that imitates a real name.

use url::Url;

use crate::error::ReceiveError;
use crate::system_policy::{OtherStores, SystemPolicy};

/// How a link's store stands on this computer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Named by the system policy or configured by the person.
    Trusted,
    /// This computer's own in-process store (the app's local store).
    Local,
    /// Any other store: contacted only once the person has confirmed it.
    Unknown,
    /// Any other store, where the policy refuses them.
    Refused,
}

/// A store as a person should recognise it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreView {
    /// `host` or `host:port`, in ASCII: punycode for an internationalised name.
    pub host: String,
    /// The name the policy gives it, if any.
    pub name: Option<String>,
    /// The host is an internationalised name (shown as punycode).
    pub idn: bool,
    pub standing: Standing,
}

impl StoreView {
    /// What may happen now: `confirmed` is the person's yes to this very store.
    pub fn check(&self, confirmed: bool) -> Result<(), ReceiveError> {
        match self.standing {
            Standing::Trusted | Standing::Local => Ok(()),
            Standing::Unknown if confirmed => Ok(()),
            Standing::Unknown => Err(ReceiveError::StoreUnconfirmed {
                host: self.host.clone(),
                idn: self.idn,
            }),
            Standing::Refused => Err(ReceiveError::StoreRefused {
                host: self.host.clone(),
                idn: self.idn,
            }),
        }
    }
}

/// The stores a computer trusts.
#[derive(Debug, Clone, Default)]
pub struct StoreTrust {
    trusted: Vec<(Url, Option<String>)>,
    local: Option<Url>,
    refuse_others: bool,
}

impl StoreTrust {
    /// From the system policy, the person's configured store (`None` when a policy locks the
    /// store: then only the policy's word counts), and the app's local store if one runs.
    pub fn new(policy: &SystemPolicy, configured: Option<&Url>, local: Option<&Url>) -> StoreTrust {
        let mut trusted: Vec<(Url, Option<String>)> = vec![];
        if let Some(url) = policy
            .store
            .url
            .as_deref()
            .and_then(|u| crate::settings::parse_store_url(u).ok())
        {
            trusted.push((url, policy.store.name.clone()));
        }
        for entry in &policy.trust.stores {
            if let Ok(url) = crate::settings::parse_store_url(&entry.url) {
                trusted.push((url, entry.name.clone()));
            }
        }
        if policy.store.url.is_none()
            && let Some(url) = configured
        {
            trusted.push((url.clone(), None));
        }
        StoreTrust {
            trusted,
            local: local.cloned(),
            refuse_others: policy.trust.other_stores == Some(OtherStores::Refuse),
        }
    }

    /// How `store` (a link's store base) stands here.
    pub fn judge(&self, store: &Url) -> StoreView {
        let host = host_of(store);
        let idn = host.split('.').any(|label| label.starts_with("xn--"));
        if let Some((_, name)) = self.trusted.iter().find(|(t, _)| same_store(t, store)) {
            return StoreView {
                host,
                name: name.clone(),
                idn,
                standing: Standing::Trusted,
            };
        }
        let standing = if self.local.as_ref().is_some_and(|l| same_store(l, store)) {
            Standing::Local
        } else if self.refuse_others {
            Standing::Refused
        } else {
            Standing::Unknown
        };
        StoreView {
            host,
            name: None,
            idn,
            standing,
        }
    }
}

/// `host` or `host:port` as the URL library normalised it (lower case, punycode): how a person
/// recognises a store, here and in what the store vouches for (`receive::Trust::store`).
pub fn host_of(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// The same scheme, host, port and path prefix (a trailing slash aside).
fn same_store(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
        && a.path().trim_end_matches('/') == b.path().trim_end_matches('/')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::system_policy::{TrustSection, TrustedStoreEntry};

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn the_policys_stores_and_the_persons_are_trusted_and_the_rest_asked_or_refused() {
        let mut policy = SystemPolicy::default();
        let mine = url("https://kepil.saya.gov.my/");
        let trust = StoreTrust::new(&policy, Some(&mine), None);
        assert_eq!(trust.judge(&mine).standing, Standing::Trusted);
        assert_eq!(
            trust.judge(&url("https://kepil.saya.gov.my")).standing,
            Standing::Trusted
        );
        let other = trust.judge(&url("https://kepil.lain.example:8443/prefix"));
        assert_eq!(other.standing, Standing::Unknown);
        assert_eq!(other.host, "kepil.lain.example:8443");
        assert!(other.check(false).is_err());
        assert!(other.check(true).is_ok());
        // Another port or prefix is another store.
        for near in [
            "https://kepil.saya.gov.my:8443/",
            "https://kepil.saya.gov.my/x",
            "http://kepil.saya.gov.my/",
        ] {
            assert_eq!(
                trust.judge(&url(near)).standing,
                Standing::Unknown,
                "{near}"
            );
        }

        policy.store.url = Some("https://kepil.agensi.gov.my".into());
        policy.store.name = Some("Kepil Agensi".into());
        policy.trust = TrustSection {
            stores: vec![TrustedStoreEntry {
                url: "https://kepil.jpa.gov.my".into(),
                name: Some("JPA".into()),
            }],
            other_stores: Some(OtherStores::Refuse),
        };
        let trust = StoreTrust::new(&policy, Some(&mine), None);
        let agency = trust.judge(&url("https://kepil.agensi.gov.my/"));
        assert_eq!(
            (agency.standing, agency.name.as_deref()),
            (Standing::Trusted, Some("Kepil Agensi"))
        );
        assert_eq!(
            trust
                .judge(&url("https://kepil.jpa.gov.my"))
                .name
                .as_deref(),
            Some("JPA")
        );
        // A locked store: the person's own configuration no longer counts.
        let refused = trust.judge(&mine);
        assert_eq!(refused.standing, Standing::Refused);
        assert!(matches!(
            refused.check(true),
            Err(ReceiveError::StoreRefused { .. })
        ));
    }

    #[test]
    fn store_names_keep_an_explicit_port() {
        assert_eq!(host_of(&url("https://kepil.gov.my/")), "kepil.gov.my");
        assert_eq!(host_of(&url("http://127.0.0.1:8080/x/")), "127.0.0.1:8080");
    }

    #[test]
    fn a_look_alike_host_shows_as_punycode_and_the_local_store_is_known() {
        let trust = StoreTrust::new(
            &SystemPolicy::default(),
            Some(&url("https://kepil.agensi.gov.my")),
            Some(&url("http://127.0.0.1:41234/")),
        );
        // Cyrillic "і" in place of the Latin "i".
        let fake = trust.judge(&url("https://kep\u{456}l.agensi.gov.my/"));
        assert_eq!(fake.standing, Standing::Unknown);
        assert!(fake.idn);
        assert!(fake.host.starts_with("xn--"), "{}", fake.host);
        assert!(fake.host.is_ascii());
        assert_eq!(
            trust.judge(&url("http://127.0.0.1:41234")).standing,
            Standing::Local
        );
        assert_eq!(
            trust.judge(&url("http://127.0.0.1:41235")).standing,
            Standing::Unknown
        );
    }
}
