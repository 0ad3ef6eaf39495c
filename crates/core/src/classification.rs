//! Security classifications of official information and which of them Kepil may send.
//!
//! The guideline (Garis Panduan MyGovUC) allows official secrets classified TERHAD and SULIT
//! to be sent only through the encrypted attachment function (3.2 A ii 2–4, 1.4.1 i) and
//! forbids sending or storing RAHSIA and RAHSIA BESAR at all (3.2 A ii 6, 1.4.1 l iii).
//! Open information (TERBUKA) may be sent (3.2 A ii 1); Kepil carries it when it is too large
//! for an ordinary attachment.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::message::{Coded, Lang, clip, coded_error_display};

/// A classification of official information, lowest to highest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Classification {
    /// Open information (English: OPEN).
    Terbuka,
    /// Official secret, RESTRICTED.
    Terhad,
    /// Official secret, CONFIDENTIAL.
    Sulit,
    /// Official secret, SECRET: never sent through Kepil.
    Rahsia,
    /// Official secret, TOP SECRET: never sent through Kepil.
    RahsiaBesar,
}

impl Classification {
    /// Every classification, lowest first.
    pub const ALL: [Classification; 5] = [
        Classification::Terbuka,
        Classification::Terhad,
        Classification::Sulit,
        Classification::Rahsia,
        Classification::RahsiaBesar,
    ];

    /// The classifications the guideline lets Kepil send (3.2 A ii 1–2).
    pub const SENDABLE: [Classification; 3] = [
        Classification::Terbuka,
        Classification::Terhad,
        Classification::Sulit,
    ];

    /// The canonical Malay name, as printed on documents and used on the wire.
    pub fn as_str(&self) -> &'static str {
        match self {
            Classification::Terbuka => "TERBUKA",
            Classification::Terhad => "TERHAD",
            Classification::Sulit => "SULIT",
            Classification::Rahsia => "RAHSIA",
            Classification::RahsiaBesar => "RAHSIA BESAR",
        }
    }

    /// The usual English equivalent.
    pub fn english_name(&self) -> &'static str {
        match self {
            Classification::Terbuka => "OPEN",
            Classification::Terhad => "RESTRICTED",
            Classification::Sulit => "CONFIDENTIAL",
            Classification::Rahsia => "SECRET",
            Classification::RahsiaBesar => "TOP SECRET",
        }
    }

    /// A label for the UI: the Malay name always (it is what is stamped on the document),
    /// with the English equivalent in brackets for English users.
    pub fn label(&self, lang: Lang) -> String {
        match lang {
            Lang::Ms => self.as_str().to_owned(),
            Lang::En => format!("{} ({})", self.as_str(), self.english_name()),
        }
    }

    pub fn is_sendable(self) -> bool {
        Self::SENDABLE.contains(&self)
    }

    /// `Ok(self)` for TERBUKA, TERHAD and SULIT; RAHSIA and RAHSIA BESAR are refused
    /// (3.2 A ii 6, 1.4.1 l iii).
    pub fn check_sendable(self) -> Result<Self, ClassificationError> {
        if self.is_sendable() {
            Ok(self)
        } else {
            Err(ClassificationError::Refused {
                classification: self,
            })
        }
    }

    /// Whether a password is mandatory: TERHAD and SULIT may only be opened with a link *and*
    /// a password from a separate channel (3.2 A ii 4, 3.2 A iii 2). TERBUKA may be sent
    /// link-only. RAHSIA and RAHSIA BESAR answer `true` so that code that forgets to call
    /// [`check_sendable`](Self::check_sendable) still fails safe.
    pub fn requires_password(self) -> bool {
        self != Classification::Terbuka
    }
}

impl fmt::Display for Classification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Classification {
    type Err = ClassificationError;

    /// Accepts the Malay and English names in any case, with `-`, `_` or spaces between the
    /// two words of RAHSIA BESAR / TOP SECRET, and surrounding whitespace.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let words: Vec<String> = s
            .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
            .filter(|w| !w.is_empty())
            .map(str::to_uppercase)
            .collect();
        let joined = words.join(" ");
        let found = match joined.as_str() {
            "TERBUKA" | "OPEN" => Classification::Terbuka,
            "TERHAD" | "RESTRICTED" => Classification::Terhad,
            "SULIT" | "CONFIDENTIAL" => Classification::Sulit,
            "RAHSIA" | "SECRET" => Classification::Rahsia,
            "RAHSIA BESAR" | "TOP SECRET" => Classification::RahsiaBesar,
            _ => {
                return Err(ClassificationError::Unknown {
                    input: clip(s.trim(), 40),
                });
            }
        };
        // A separator belongs only *inside* a two-word name: "TER-HAD" or "SULIT-" is a
        // typo we should not guess about. Splitting above dropped empty pieces, so check
        // that the original trimmed text did not start or end with a separator.
        let trimmed = s.trim();
        if trimmed.starts_with(['-', '_']) || trimmed.ends_with(['-', '_']) {
            return Err(ClassificationError::Unknown {
                input: clip(trimmed, 40),
            });
        }
        Ok(found)
    }
}

impl Serialize for Classification {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Classification {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Parsing or checking a classification failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClassificationError {
    /// The text is not one of the known classifications.
    Unknown { input: String },
    /// RAHSIA or RAHSIA BESAR: the guideline forbids sending them (3.2 A ii 6).
    Refused { classification: Classification },
}

impl Coded for ClassificationError {
    fn code(&self) -> &'static str {
        match self {
            ClassificationError::Unknown { .. } => "classification_unknown",
            ClassificationError::Refused { .. } => "classification_refused",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            ClassificationError::Unknown { input } => vec![("input", input.clone())],
            ClassificationError::Refused { classification } => vec![
                ("classification", classification.as_str().to_owned()),
                (
                    "classification_en",
                    classification.english_name().to_owned(),
                ),
            ],
        }
    }
}

coded_error_display!(ClassificationError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_malay_and_english_names_in_any_case() {
        use Classification::*;
        for (input, want) in [
            ("TERBUKA", Terbuka),
            ("terbuka", Terbuka),
            ("Open", Terbuka),
            ("TERHAD", Terhad),
            ("restricted", Terhad),
            ("Sulit", Sulit),
            ("CONFIDENTIAL", Sulit),
            ("rahsia", Rahsia),
            ("Secret", Rahsia),
            ("RAHSIA BESAR", RahsiaBesar),
            ("rahsia-besar", RahsiaBesar),
            ("Rahsia_Besar", RahsiaBesar),
            ("  rahsia   besar\n", RahsiaBesar),
            ("TOP SECRET", RahsiaBesar),
            ("top-secret", RahsiaBesar),
            ("Top_Secret", RahsiaBesar),
            ("\tsulit ", Sulit),
        ] {
            assert_eq!(input.parse::<Classification>(), Ok(want), "{input:?}");
        }
    }

    #[test]
    fn unknown_names_list_what_is_accepted() {
        for bad in [
            "",
            "   ",
            "SULITT",
            "TER-HAD",
            "RAHSIABESAR",
            "-SULIT",
            "SULIT_",
            "TOP",
            "BESAR",
            "SECRET TOP",
            "UNCLASSIFIED",
        ] {
            let err = bad.parse::<Classification>().unwrap_err();
            assert_eq!(err.code(), "classification_unknown", "{bad:?}");
            for lang in Lang::ALL {
                let msg = err.message(lang);
                for name in ["TERBUKA", "TERHAD", "SULIT", "RAHSIA BESAR", "CONFIDENTIAL"] {
                    assert!(msg.contains(name), "{msg}");
                }
            }
        }
        let err = "SULITT".parse::<Classification>().unwrap_err();
        assert!(err.to_string().contains("\"SULITT\""));
        assert_eq!(err.params(), vec![("input", "SULITT".to_owned())]);
    }

    #[test]
    fn very_long_unknown_input_is_clipped() {
        let long = "X".repeat(10_000);
        let err = long.parse::<Classification>().unwrap_err();
        assert!(err.message(Lang::En).len() < 400);
    }

    #[test]
    fn only_terbuka_terhad_sulit_are_sendable() {
        use Classification::*;
        for c in [Terbuka, Terhad, Sulit] {
            assert_eq!(c.check_sendable(), Ok(c));
            assert!(c.is_sendable());
        }
        for c in [Rahsia, RahsiaBesar] {
            assert!(!c.is_sendable());
            let err = c.check_sendable().unwrap_err();
            assert_eq!(err.code(), "classification_refused");
            let ms = err.message(Lang::Ms);
            let en = err.message(Lang::En);
            assert!(ms.contains("3.2 A ii 6") && en.contains("3.2 A ii 6"));
            assert!(ms.contains("TIDAK DIBENARKAN"), "{ms}");
            assert!(en.contains("NOT ALLOWED"), "{en}");
            assert!(ms.contains(c.as_str()) && en.contains(c.as_str()));
            assert_eq!(err.to_string(), en);
        }
        assert_eq!(
            Classification::SENDABLE.to_vec(),
            vec![Terbuka, Terhad, Sulit]
        );
    }

    #[test]
    fn terhad_and_sulit_need_a_password_terbuka_does_not() {
        use Classification::*;
        assert!(!Terbuka.requires_password());
        assert!(Terhad.requires_password());
        assert!(Sulit.requires_password());
        // Refused anyway; answering `true` keeps a forgetful caller safe.
        assert!(Rahsia.requires_password());
        assert!(RahsiaBesar.requires_password());
    }

    #[test]
    fn serde_uses_the_canonical_malay_name() {
        for c in Classification::ALL {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            assert_eq!(serde_json::from_str::<Classification>(&json).unwrap(), c);
        }
        assert_eq!(
            serde_json::to_string(&Classification::RahsiaBesar).unwrap(),
            "\"RAHSIA BESAR\""
        );
        // Deserialising goes through FromStr, so a refused classification still parses (the
        // store must be able to read it in order to answer `classification_refused`).
        assert_eq!(
            serde_json::from_str::<Classification>("\"top-secret\"").unwrap(),
            Classification::RahsiaBesar
        );
        let err = serde_json::from_str::<Classification>("\"PUBLIC\"").unwrap_err();
        assert!(err.to_string().contains("not recognised"), "{err}");
    }

    #[test]
    fn display_labels_and_order() {
        assert_eq!(Classification::RahsiaBesar.to_string(), "RAHSIA BESAR");
        assert_eq!(Classification::Sulit.label(Lang::Ms), "SULIT");
        assert_eq!(
            Classification::Sulit.label(Lang::En),
            "SULIT (CONFIDENTIAL)"
        );
        assert!(Classification::Terbuka < Classification::Terhad);
        assert!(Classification::Sulit < Classification::Rahsia);
        for c in Classification::ALL {
            assert_eq!(c.as_str().parse::<Classification>(), Ok(c));
            assert_eq!(c.english_name().parse::<Classification>(), Ok(c));
        }
    }
}
