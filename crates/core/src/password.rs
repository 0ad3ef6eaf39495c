//! Machine-generated passwords that survive being read aloud over the phone or sent by SMS.
//!
//! A password is 16 symbols of Crockford's base32 alphabet,
//! `0123456789ABCDEFGHJKMNPQRSTVWXYZ`: digits and capital letters without I, L, O and U.
//! I, L and O are left out because they look like 1 and 0; U because it is heard as "you" and
//! confused with V. 16 symbols × 5 bits = 80 bits from the OS CSPRNG, which, behind Argon2id
//! and the store's lockout, is far beyond any offline guessing budget (see design.md).
//!
//! It is shown as four groups of four joined by `-` (`7K3M-Q9XD-2HRT-B8ZW`) because groups of
//! four are what people naturally read out and write down. Parsing is forgiving in exactly the
//! ways people make mistakes: spaces or dashes anywhere (or none), lower case, O for 0 and
//! I/L for 1. A U is refused rather than guessed, because a wrong guess would burn one of the
//! ten tries the store allows.
//!
//! The Argon2id input is the 16 canonical symbols (upper case, no dashes) as ASCII bytes.

use std::fmt;

use rand::RngCore as _;
use unicode_normalization::UnicodeNormalization as _;
use zeroize::{Zeroize, Zeroizing};

use crate::message::{Coded, coded_error_display};
use crate::secret::{REDACTED, SecretString};

/// The 32 symbols, in value order (Crockford base32).
pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Symbols in a password.
pub const LEN: usize = 16;
/// Symbols per displayed group.
pub const GROUP: usize = 4;
/// Entropy of a generated password.
pub const BITS: u32 = 80;

/// A Kepil password. Secret: wiped on drop, prints as `<redacted>`, never serialised.
#[derive(Clone, PartialEq, Eq)]
pub struct Password {
    /// The grouped display form, `XXXX-XXXX-XXXX-XXXX`.
    grouped: SecretString,
}

impl Password {
    /// A fresh password from the operating system's CSPRNG.
    pub fn generate() -> Password {
        // 10 random bytes are exactly 80 bits = 16 symbols of 5 bits: uniform, no rejection
        // sampling needed.
        let mut random = Zeroizing::new([0u8; 10]);
        rand::rngs::OsRng.fill_bytes(random.as_mut());
        Password::from_canonical(&encode_symbols(&random))
    }

    /// Reads a password typed or pasted by a person.
    ///
    /// Tolerates spaces, tabs, line breaks and dashes (including typographic dashes that word
    /// processors insert) anywhere; lower case; full-width characters; O for 0 and I or L
    /// for 1.
    pub fn parse(text: &str) -> Result<Password, PasswordError> {
        // NFKC folds full-width letters (common with some input methods) to ASCII.
        let normalized = Zeroizing::new(text.nfkc().collect::<String>());
        let mut symbols = Zeroizing::new(Vec::with_capacity(LEN));
        let mut position = 0usize;
        for c in normalized.chars() {
            if c.is_whitespace() || is_dash(c) {
                continue;
            }
            position += 1;
            let upper = c.to_ascii_uppercase();
            let symbol = match upper {
                'O' => b'0',
                'I' | 'L' => b'1',
                'U' => return Err(PasswordError::LetterU { position }),
                c if c.is_ascii() && ALPHABET.contains(&(c as u8)) => c as u8,
                other => {
                    return Err(PasswordError::BadCharacter {
                        character: other,
                        position,
                    });
                }
            };
            symbols.push(symbol);
        }
        match symbols.len() {
            0 => Err(PasswordError::Empty),
            LEN => {
                let mut canonical = Zeroizing::new([0u8; LEN]);
                canonical.copy_from_slice(&symbols);
                Ok(Password::from_canonical(&canonical))
            }
            found => Err(PasswordError::WrongLength { found }),
        }
    }

    /// The grouped form `XXXX-XXXX-XXXX-XXXX`, for showing to the sender and dictating.
    pub fn expose(&self) -> &str {
        self.grouped.expose()
    }

    /// The 16 canonical symbols, the exact bytes fed to Argon2id.
    pub(crate) fn canonical_bytes(&self) -> Zeroizing<[u8; LEN]> {
        let mut out = Zeroizing::new([0u8; LEN]);
        for (slot, b) in out
            .iter_mut()
            .zip(self.grouped.expose().bytes().filter(|b| *b != b'-'))
        {
            *slot = b;
        }
        out
    }

    fn from_canonical(symbols: &[u8; LEN]) -> Password {
        let mut grouped = String::with_capacity(LEN + LEN / GROUP - 1);
        for (i, b) in symbols.iter().enumerate() {
            if i > 0 && i % GROUP == 0 {
                grouped.push('-');
            }
            grouped.push(char::from(*b));
        }
        Password {
            grouped: SecretString::new(grouped),
        }
    }
}

/// Big-endian base32 (Crockford alphabet) of 80 bits: the same bit order as RFC 4648.
fn encode_symbols(random: &[u8; 10]) -> Zeroizing<[u8; LEN]> {
    let mut symbols = Zeroizing::new([0u8; LEN]);
    for (i, symbol) in symbols.iter_mut().enumerate() {
        let bit = i * 5;
        let byte = bit / 8;
        let offset = bit % 8;
        // A 16-bit window covers a 5-bit group that straddles two bytes.
        let mut window =
            (u16::from(random[byte]) << 8) | random.get(byte + 1).map_or(0, |b| u16::from(*b));
        let value = (window >> (11 - offset)) & 0x1f;
        window.zeroize();
        *symbol = ALPHABET[usize::from(value)];
    }
    symbols
}

fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '_' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}'
    )
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Reading a typed password failed. The messages never repeat the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordError {
    /// Nothing but spaces and dashes.
    Empty,
    /// Not 16 letters and digits.
    WrongLength { found: usize },
    /// A character that is never part of a Kepil password.
    BadCharacter { character: char, position: usize },
    /// The letter U, which Kepil passwords never contain (it is probably a V).
    LetterU { position: usize },
}

impl Coded for PasswordError {
    fn code(&self) -> &'static str {
        match self {
            PasswordError::Empty => "password_empty",
            PasswordError::WrongLength { .. } => "password_wrong_length",
            PasswordError::BadCharacter { .. } => "password_bad_character",
            PasswordError::LetterU { .. } => "password_letter_u",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            PasswordError::Empty => vec![],
            PasswordError::WrongLength { found } => {
                vec![("found", found.to_string()), ("expected", LEN.to_string())]
            }
            PasswordError::BadCharacter {
                character,
                position,
            } => vec![
                ("character", printable(*character)),
                ("position", position.to_string()),
            ],
            PasswordError::LetterU { position } => vec![("position", position.to_string())],
        }
    }
}

/// Shows control and invisible characters as `U+XXXX` instead of writing them raw.
fn printable(c: char) -> String {
    if c.is_control() || c.is_whitespace() || !c.is_alphanumeric() && !c.is_ascii_graphic() {
        format!("U+{:04X}", u32::from(c))
    } else {
        c.to_string()
    }
}

coded_error_display!(PasswordError);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Lang;
    use std::collections::HashSet;

    fn is_canonical_grouped(s: &str) -> bool {
        let groups: Vec<&str> = s.split('-').collect();
        groups.len() == 4
            && groups
                .iter()
                .all(|g| g.len() == 4 && g.bytes().all(|b| ALPHABET.contains(&b)))
    }

    #[test]
    fn alphabet_is_32_unambiguous_symbols() {
        let set: HashSet<u8> = ALPHABET.iter().copied().collect();
        assert_eq!(set.len(), 32);
        for bad in b"ILOU" {
            assert!(!set.contains(bad));
        }
        assert!(
            ALPHABET
                .iter()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        );
        assert!(u32::try_from(LEN).unwrap() * 5 >= BITS && BITS >= 80);
    }

    #[test]
    fn generated_passwords_have_the_documented_shape() {
        for _ in 0..200 {
            let p = Password::generate();
            assert!(is_canonical_grouped(p.expose()), "{}", p.expose());
            assert_eq!(p.expose().len(), 19);
            assert_eq!(Password::parse(p.expose()).unwrap(), p);
            assert_eq!(
                &*p.canonical_bytes(),
                p.expose().replace('-', "").as_bytes()
            );
        }
    }

    #[test]
    fn generated_passwords_use_every_symbol_and_do_not_repeat() {
        // 2 000 passwords × 16 symbols: each symbol is expected ~1 000 times, so a missing
        // symbol or a stuck bit would show. Duplicates at 80 bits would mean a broken RNG.
        let mut counts = [0u32; 32];
        let mut seen = HashSet::new();
        for _ in 0..2_000 {
            let p = Password::generate();
            for b in p.canonical_bytes().iter() {
                let idx = ALPHABET.iter().position(|a| a == b).unwrap();
                counts[idx] += 1;
            }
            assert!(seen.insert(p.expose().to_owned()));
        }
        for (i, n) in counts.iter().enumerate() {
            assert!(
                (700..1_300).contains(n),
                "symbol {} seen {n} times",
                ALPHABET[i] as char
            );
        }
    }

    #[test]
    fn symbols_are_big_endian_base32() {
        assert_eq!(&*encode_symbols(&[0; 10]), b"0000000000000000");
        assert_eq!(&*encode_symbols(&[0xff; 10]), b"ZZZZZZZZZZZZZZZZ");
        // RFC 4648: base32("fooba") = "MZXW6YTB"; the same 5-bit values in Crockford's
        // alphabet read "CSQPYRK1".
        assert_eq!(&*encode_symbols(b"foobafooba"), b"CSQPYRK1CSQPYRK1");
        // Each single set bit lands in the expected symbol, so no bit is dropped or doubled.
        for bit in 0..80 {
            let mut random = [0u8; 10];
            random[bit / 8] = 0x80 >> (bit % 8);
            let symbols = encode_symbols(&random);
            for (i, s) in symbols.iter().enumerate() {
                let want = if i == bit / 5 {
                    ALPHABET[16 >> (bit % 5)]
                } else {
                    b'0'
                };
                assert_eq!(*s, want, "bit {bit} symbol {i}");
            }
        }
    }

    #[test]
    fn parse_tolerates_how_people_type() {
        let want = Password::parse("7K3M-Q9XD-2HRT-B8ZW").unwrap();
        assert_eq!(want.expose(), "7K3M-Q9XD-2HRT-B8ZW");
        for typed in [
            "7K3MQ9XD2HRTB8ZW",
            "7k3m-q9xd-2hrt-b8zw",
            "7K3M Q9XD 2HRT B8ZW",
            "  7K3M-Q9XD\n2HRT-B8ZW\r\n",
            "7K3M – Q9XD — 2HRT ‐ B8ZW",
            "7-K-3-M-Q-9-X-D-2-H-R-T-B-8-Z-W",
            "7K3M_Q9XD_2HRT_B8ZW",
            "７Ｋ３Ｍ－Ｑ９ＸＤ－２ＨＲＴ－Ｂ８ＺＷ",
            "\t7K3M\u{00A0}Q9XD 2HRT B8ZW",
        ] {
            assert_eq!(Password::parse(typed).as_ref(), Ok(&want), "{typed:?}");
        }
    }

    #[test]
    fn parse_maps_look_alikes() {
        let want = Password::parse("0000-1111-1111-ABCD").unwrap();
        for typed in [
            "OOOO-IIII-LLLL-ABCD",
            "oooo-iiii-llll-abcd",
            "0o0O-1iIl-L1lI-abcd",
        ] {
            assert_eq!(Password::parse(typed).as_ref(), Ok(&want), "{typed}");
        }
    }

    #[test]
    fn parse_refuses_u_with_a_hint() {
        let err = Password::parse("ABCD-EFGH-JKMN-PQRU").unwrap_err();
        assert_eq!(err, PasswordError::LetterU { position: 16 });
        assert!(err.message(Lang::En).contains('V'));
        assert!(err.message(Lang::Ms).contains("huruf V"));
        assert_eq!(
            Password::parse("u").unwrap_err(),
            PasswordError::LetterU { position: 1 }
        );
    }

    #[test]
    fn parse_reports_wrong_length() {
        for (typed, found) in [
            ("ABCD-EFGH-JKMN-PQR", 15),
            ("ABCD-EFGH-JKMN-PQRST", 17),
            ("A", 1),
            ("ABCD EFGH JKMN PQRS ABCD", 20),
        ] {
            let err = Password::parse(typed).unwrap_err();
            assert_eq!(err, PasswordError::WrongLength { found }, "{typed}");
            assert!(err.message(Lang::En).contains(&found.to_string()));
            assert!(err.message(Lang::En).contains("16"));
            assert!(err.message(Lang::Ms).contains("16"));
        }
    }

    #[test]
    fn parse_reports_empty() {
        for typed in ["", "   ", "----", "\n"] {
            assert_eq!(Password::parse(typed).unwrap_err(), PasswordError::Empty);
        }
    }

    #[test]
    fn parse_reports_bad_characters_and_where() {
        for (typed, character, position) in [
            ("ABCD-EFGH-JKMN-PQR#", '#', 16),
            ("ÀBCD-EFGH-JKMN-PQRS", 'À', 1),
            ("AB.D-EFGH-JKMN-PQRS", '.', 3),
            ("https://x/t/abc", ':', 6),
            ("ABCD\u{202E}EFGH", '\u{202E}', 5),
        ] {
            let err = Password::parse(typed).unwrap_err();
            assert_eq!(
                err,
                PasswordError::BadCharacter {
                    character,
                    position
                },
                "{typed:?}"
            );
        }
        let err = Password::parse("ABCD\u{202E}EFGH").unwrap_err();
        let msg = err.message(Lang::En);
        assert!(msg.contains("U+202E") && !msg.contains('\u{202E}'), "{msg}");
    }

    #[test]
    fn password_never_formats_its_value() {
        let p = Password::parse("7K3M-Q9XD-2HRT-B8ZW").unwrap();
        for shown in [format!("{p:?}"), format!("{p}"), format!("{:?}", vec![&p])] {
            assert!(!shown.contains("7K3M"), "{shown}");
            assert!(shown.contains(REDACTED));
        }
        let err = Password::parse("7K3M-Q9XD-2HRT-B8Z").unwrap_err();
        for lang in Lang::ALL {
            assert!(!err.message(lang).contains("7K3M"));
        }
    }
}
