//! The one error shape that crosses into the webview: `{ "code": "...", "params": {...} }`.
//! `code` is the `Coded::code()` of the library error (or one of the app's own codes,
//! [`APP_CODES`]) and `params` are its `Coded::params()`; the UI looks the message up in the
//! same catalogue as the Rust side (i18n/<lang>/*.ftl). No variant of any library error holds
//! a secret, so the English text is logged; it never crosses.

use std::collections::BTreeMap;

use kepil_core::message::Coded;
use serde::Serialize;
use ts_rs::TS;

/// The app's own codes (beyond the library errors') and the params each may give; their
/// messages are in i18n/<lang>/app.ftl. src-tauri/tests/catalogue.rs fails when a
/// `UiError::new` uses a code that is neither a library code nor listed here.
pub const APP_CODES: &[(&str, &[&str])] = &[
    ("setting_locked", &["setting"]),
    ("token_empty", &[]),
    ("dialog_failed", &[]),
    ("file_not_dropped", &[]),
    ("unknown_file", &[]),
    ("unknown_folder", &[]),
    ("unknown_job", &[]),
    ("no_password", &[]),
    ("qr_failed", &[]),
    ("clipboard_failed", &[]),
    ("open_failed", &[]),
    ("sms_unavailable", &[]),
    ("sms_no_phone", &[]),
    ("sms_failed", &["status"]),
    ("nothing_unlocked", &[]),
    ("local_store_failed", &[]),
    ("mail_unknown", &["input"]),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct UiError {
    pub code: String,
    pub params: BTreeMap<String, String>,
}

impl UiError {
    pub fn new(code: &str) -> UiError {
        UiError {
            code: code.to_string(),
            params: BTreeMap::new(),
        }
    }

    pub fn with(mut self, key: &str, value: impl ToString) -> UiError {
        self.params.insert(key.to_string(), value.to_string());
        self
    }
}

impl UiError {
    /// A code and its params for the catalogue, not logged: a warning, not a failure.
    pub fn coded<C: Coded + ?Sized>(what: &C) -> UiError {
        UiError {
            code: what.code().to_string(),
            params: what
                .params()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        }
    }

    /// The code and params of a library error the app keeps (and so cannot hand over).
    pub fn of<E: Coded + std::fmt::Display + ?Sized>(error: &E) -> UiError {
        tracing::info!(code = error.code(), "{error}");
        UiError::coded(error)
    }
}

impl<E: Coded + std::fmt::Display> From<E> for UiError {
    fn from(error: E) -> UiError {
        UiError::of(&error)
    }
}

impl std::fmt::Display for UiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code)?;
        for (k, v) in &self.params {
            write!(f, " {k}={v}")?;
        }
        Ok(())
    }
}

pub type UiResult<T> = Result<T, UiError>;
