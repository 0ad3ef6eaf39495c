//! Who a transfer goes to: the recipient addresses and SMS phone numbers both faces accept.
//! The CLI (`kepil send --to`) and the app (`send_start`) check them here, so they accept the
//! same input; the app's UI pre-checks with the same rules (ui/src/lib/validate.ts) and
//! tests/data/recipients.json is the table of cases both are tested against.

use kepil_core::message::Coded;
use thiserror::Error;

/// Input a sender typed that cannot be used. Messages: i18n/<lang>/client.ftl.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RecipientError {
    #[error("no recipients")]
    NoRecipients,
    #[error("recipient {recipient:?} is not a valid email address")]
    Invalid { recipient: String },
    #[error("recipient {recipient:?} is named twice")]
    Duplicate { recipient: String },
    #[error("phone number {phone:?} is not valid")]
    PhoneInvalid { phone: String },
}

impl Coded for RecipientError {
    fn code(&self) -> &'static str {
        match self {
            RecipientError::NoRecipients => "no_recipients",
            RecipientError::Invalid { .. } => "recipient_invalid",
            RecipientError::Duplicate { .. } => "duplicate_recipient",
            RecipientError::PhoneInvalid { .. } => "phone_invalid",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            RecipientError::NoRecipients => vec![],
            RecipientError::Invalid { recipient } | RecipientError::Duplicate { recipient } => {
                vec![("recipient", recipient.clone())]
            }
            RecipientError::PhoneInvalid { phone } => vec![("phone", phone.clone())],
        }
    }
}

/// A practical address check: one `@`, a local part of the usual characters (no leading,
/// trailing or doubled dot, at most 64), a domain of at least two DNS labels, at most 254 in
/// all. Surrounding whitespace is ignored.
pub fn is_valid_email(email: &str) -> bool {
    const LOCAL_EXTRA: &str = ".!#$%&'*+/=?^_`{|}~-";
    let e = email.trim();
    if e.len() > 254 {
        return false;
    }
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || LOCAL_EXTRA.contains(c))
        && domain.split('.').count() >= 2
        && domain.split('.').all(label_ok)
}

/// A phone number for SMS in international form: Malaysian numbers in local form
/// (`012-345 6789`) become `+60123456789`, `00…` becomes `+…`, `+…` is kept; spaces, dashes,
/// dots and brackets are ignored. `None` when it is not a usable number: a Malaysian one must
/// be a mobile number (`+601` and 8 or 9 more digits), any other 8 to 15 digits.
pub fn normalise_phone(phone: &str) -> Option<String> {
    let p: String = phone
        .trim()
        .chars()
        .filter(|c| !(c.is_whitespace() || matches!(c, '-' | '(' | ')' | '.')))
        .collect();
    let digits = if let Some(rest) = p.strip_prefix('+') {
        rest.to_string()
    } else if let Some(rest) = p.strip_prefix("00") {
        rest.to_string()
    } else if let Some(rest) = p.strip_prefix('0') {
        format!("60{rest}")
    } else if p.starts_with("60") {
        p
    } else {
        return None;
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let ok = match digits.strip_prefix("60") {
        Some(national) => national.starts_with('1') && (9..=10).contains(&national.len()),
        None => (8..=15).contains(&digits.len()),
    };
    ok.then(|| format!("+{digits}"))
}

/// The recipient addresses of one send, trimmed, in order: at least one, each valid, none
/// named twice (ignoring case).
pub fn check_emails<S: AsRef<str>>(emails: &[S]) -> Result<Vec<String>, RecipientError> {
    if emails.is_empty() {
        return Err(RecipientError::NoRecipients);
    }
    let mut out: Vec<String> = Vec::with_capacity(emails.len());
    for e in emails {
        let e = e.as_ref().trim();
        if !is_valid_email(e) {
            return Err(RecipientError::Invalid {
                recipient: e.to_string(),
            });
        }
        if out.iter().any(|o| o.eq_ignore_ascii_case(e)) {
            return Err(RecipientError::Duplicate {
                recipient: e.to_string(),
            });
        }
        out.push(e.to_string());
    }
    Ok(out)
}

/// An optional phone number: blank is none, anything else must normalise.
pub fn check_phone(phone: Option<&str>) -> Result<Option<String>, RecipientError> {
    match phone.map(str::trim).filter(|p| !p.is_empty()) {
        None => Ok(None),
        Some(p) => normalise_phone(p)
            .map(Some)
            .ok_or_else(|| RecipientError::PhoneInvalid {
                phone: p.to_string(),
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert!(is_valid_email("ali@jpm.gov.my"));
        assert!(is_valid_email("  a.b+c@x-y.gov.my "));
        for bad in [
            "",
            "a",
            "a@x",
            "@x.my",
            "a@.my",
            "a@x.",
            "a@@x.my",
            "a b@x.my",
            "a@x..my",
            ".a@x.my",
            "a.@x.my",
            "a..b@x.my",
            "a@-x.my",
            "a@x-.my",
            "a,b@x.my",
            "a;b@x.my",
            "<a@x.my>",
            "a@x_y.my",
        ] {
            assert!(!is_valid_email(bad), "{bad:?}");
        }
        assert!(!is_valid_email(&format!("{}@x.my", "a".repeat(65))));
        assert!(is_valid_email(&format!("{}@x.my", "a".repeat(64))));
    }

    #[test]
    fn phones() {
        assert_eq!(
            normalise_phone("012-345 6789").as_deref(),
            Some("+60123456789")
        );
        assert_eq!(
            normalise_phone("+60 12-345 6789").as_deref(),
            Some("+60123456789")
        );
        assert_eq!(
            normalise_phone("011-2345 6789").as_deref(),
            Some("+601123456789")
        );
        assert_eq!(
            normalise_phone("0065 9123 4567").as_deref(),
            Some("+6591234567")
        );
        assert_eq!(
            normalise_phone("(03) 8888 8888"),
            None,
            "a landline gets no SMS"
        );
        for bad in [
            "",
            "12345",
            "+",
            "+12ab3456789",
            "0123",
            "+1234567",
            "+1234567890123456",
        ] {
            assert_eq!(normalise_phone(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn lists() {
        assert_eq!(
            check_emails(&[" a@x.my ", "b@x.my"]).unwrap(),
            vec!["a@x.my", "b@x.my"]
        );
        assert_eq!(check_emails::<&str>(&[]), Err(RecipientError::NoRecipients));
        let e = check_emails(&["a@x.my", "A@X.my"]).unwrap_err();
        assert_eq!(e.code(), "duplicate_recipient");
        assert_eq!(e.params(), vec![("recipient", "A@X.my".to_string())]);
        let e = check_emails(&["not an address"]).unwrap_err();
        assert_eq!(e.code(), "recipient_invalid");
        assert_eq!(check_phone(Some("  ")), Ok(None));
        assert_eq!(check_phone(None), Ok(None));
        assert_eq!(
            check_phone(Some("012-345 6789")),
            Ok(Some("+60123456789".to_string()))
        );
        assert_eq!(
            check_phone(Some(" 12 ")).unwrap_err().params(),
            vec![("phone", "12".to_string())]
        );
    }
}
