//! Stable error codes with messages in Bahasa Melayu and English.
//!
//! Every error enum in Kepil implements [`Coded`]: the `code` is a stable snake_case
//! identifier that scripts, the store's JSON errors and the UI can match on, and `params` are
//! the values its message names. The message itself — what happened and what the user should
//! do — is looked up in the catalogue (`i18n/<lang>/*.ftl`, see [`crate::catalogue`]), the
//! same files the desktop UI reads. `Display` on each error is the English message, so logs
//! and `anyhow` chains stay readable for developers.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The user's language. Bahasa Melayu is the default: Kepil serves the Malaysian public
/// service, whose working language it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Ms,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Ms, Lang::En];

    /// The ISO 639-1 code: "ms" or "en".
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Ms => "ms",
            Lang::En => "en",
        }
    }

    /// Picks the language from a locale such as `LANG`/`LC_ALL` (`en_US.UTF-8`, `ms_MY`,
    /// `C`), falling back to the default (BM) when the locale is missing or neither language.
    pub fn from_locale_or_default(locale: Option<&str>) -> Lang {
        locale.and_then(|l| l.parse().ok()).unwrap_or_default()
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Lang {
    type Err = LangError;

    /// Accepts "ms", "bm", "en" (any case), language names, and POSIX/BCP 47 locales
    /// such as `en_US.UTF-8`, `ms-MY`, `en_GB@euro`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let trimmed = s.trim();
        let language = trimmed
            .split(['_', '-', '.', '@'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match language.as_str() {
            "ms" | "bm" | "msa" | "may" | "zsm" | "melayu" | "malay" => Ok(Lang::Ms),
            "en" | "eng" | "english" | "inggeris" => Ok(Lang::En),
            _ => Err(LangError::Unknown {
                input: crate::message::clip(trimmed, 40),
            }),
        }
    }
}

/// What an error tells the user: a stable code and a message in their language.
pub trait Coded {
    /// Stable snake_case identifier, e.g. `classification_refused`. Never changes once
    /// released: scripts and translations key on it.
    fn code(&self) -> &'static str;

    /// Values the message names (a file, a limit), for the catalogue and for a UI (never
    /// secrets). A wrapper error gives the params of the error it wraps.
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![]
    }

    /// What happened and what to do, in `lang`: the catalogue's message for `code()`,
    /// filled with `params()`.
    fn message(&self, lang: Lang) -> String {
        crate::catalogue::describe(lang, self.code(), &self.params())
    }

    /// The same message in two parts (what happened; what to do), e.g. for two lines.
    fn message_parts(&self, lang: Lang) -> crate::catalogue::Parts {
        crate::catalogue::parts(lang, self.code(), &self.params())
    }
}

/// Parsing a language name or locale failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LangError {
    Unknown { input: String },
}

impl Coded for LangError {
    fn code(&self) -> &'static str {
        match self {
            LangError::Unknown { .. } => "language_unknown",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            LangError::Unknown { input } => vec![("input", input.clone())],
        }
    }
}

impl fmt::Display for LangError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for LangError {}

/// Shortens untrusted input echoed back in a message so that a pasted novel does not end up
/// in an error dialog; cuts on a character boundary. Control characters (which could rewrite a
/// terminal or a log line), bidi controls and invisible characters are shown as `<U+XXXX>`.
pub(crate) fn clip(input: &str, max_chars: usize) -> String {
    crate::text::visible_clipped(input, max_chars)
}

/// Implements `Display` (English message) and `std::error::Error` for a [`Coded`] enum.
macro_rules! coded_error_display {
    ($ty:ty) => {
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&$crate::message::Coded::message(
                    self,
                    $crate::message::Lang::En,
                ))
            }
        }

        impl ::std::error::Error for $ty {}
    };
}
pub(crate) use coded_error_display;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_defaults_to_malay() {
        assert_eq!(Lang::default(), Lang::Ms);
        assert_eq!(Lang::from_locale_or_default(None), Lang::Ms);
        assert_eq!(Lang::from_locale_or_default(Some("C")), Lang::Ms);
        assert_eq!(Lang::from_locale_or_default(Some("POSIX")), Lang::Ms);
        assert_eq!(Lang::from_locale_or_default(Some("en_US.UTF-8")), Lang::En);
    }

    #[test]
    fn lang_parses_codes_and_locales() {
        for (input, want) in [
            ("ms", Lang::Ms),
            ("MS", Lang::Ms),
            ("bm", Lang::Ms),
            ("BM", Lang::Ms),
            (" ms_MY.UTF-8 ", Lang::Ms),
            ("ms-MY", Lang::Ms),
            ("Melayu", Lang::Ms),
            ("en", Lang::En),
            ("EN", Lang::En),
            ("en_US.UTF-8", Lang::En),
            ("en_GB@euro", Lang::En),
            ("en-MY", Lang::En),
            ("en.UTF-8", Lang::En),
        ] {
            assert_eq!(input.parse::<Lang>(), Ok(want), "{input}");
        }
        for bad in ["", "fr_FR.UTF-8", "C", "zh", "enx", "m"] {
            let err = bad.parse::<Lang>().unwrap_err();
            assert_eq!(err.code(), "language_unknown", "{bad}");
        }
    }

    #[test]
    fn lang_serde_uses_iso_codes() {
        assert_eq!(serde_json::to_string(&Lang::Ms).unwrap(), "\"ms\"");
        assert_eq!(serde_json::to_string(&Lang::En).unwrap(), "\"en\"");
        assert_eq!(serde_json::from_str::<Lang>("\"en\"").unwrap(), Lang::En);
        assert_eq!(Lang::En.to_string(), "en");
    }

    #[test]
    fn clip_shortens_and_strips_controls() {
        assert_eq!(clip("abc", 5), "abc");
        assert_eq!(clip("abcdef", 3), "abc…");
        assert_eq!(clip("a\u{1b}[31mb", 10), "a<U+001B>[31mb");
        assert_eq!(clip("a\u{202E}b", 10), "a<U+202E>b");
        assert_eq!(clip("ééé", 2), "éé…");
    }
}
