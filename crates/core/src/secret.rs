//! Shared pieces for secret values.
//!
//! Every secret type in Kepil follows the same rules, so that a stray `{:?}` in a log line, a
//! panic message or a `dbg!` can never leak a password, a link secret or a key:
//!
//! - it is wiped (zeroized) when dropped;
//! - `Debug` and `Display` print [`REDACTED`];
//! - it has no `Serialize`, so it cannot end up in JSON by accident;
//! - reading the value is an explicit, greppable call: `expose()` or `expose_bytes()`.
//!
//! Equality on secrets is constant time (via `subtle`) so that comparing, say, a typed
//! password with a stored one does not leak how many leading characters matched.

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// What every secret prints instead of its value.
pub const REDACTED: &str = "<redacted>";

/// A secret UTF-8 string: a rendered link, an exported age identity, a base64url key.
#[derive(Clone, Default, Zeroize, ZeroizeOnDrop)]
pub struct SecretString(String);

impl SecretString {
    /// Takes ownership of `value`; the caller should not keep other copies.
    pub fn new(value: impl Into<String>) -> Self {
        SecretString(value.into())
    }

    /// The secret text. Use it only to hand the value to the user or to the one place
    /// that needs it, never to log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        SecretString(value)
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl PartialEq for SecretString {
    fn eq(&self, other: &Self) -> bool {
        // Length is not secret for any of our values (they have fixed formats).
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

impl Eq for SecretString {}

/// A fixed-length secret byte array (link secrets, derived keys).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretBytes<const N: usize>([u8; N]);

impl<const N: usize> SecretBytes<N> {
    /// Takes the bytes by value; the caller's copy is the caller's to wipe.
    pub fn new(bytes: [u8; N]) -> Self {
        SecretBytes(bytes)
    }

    /// Fills the array from the operating system's CSPRNG.
    pub fn random() -> Self {
        use rand::RngCore as _;
        let mut bytes = SecretBytes([0u8; N]);
        rand::rngs::OsRng.fill_bytes(&mut bytes.0);
        bytes
    }

    pub fn expose_bytes(&self) -> &[u8; N] {
        &self.0
    }
}

impl<const N: usize> fmt::Debug for SecretBytes<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<const N: usize> fmt::Display for SecretBytes<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<const N: usize> PartialEq for SecretBytes<N> {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl<const N: usize> Eq for SecretBytes<N> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_string_never_formats_its_value() {
        let s = SecretString::new("hunter2-very-secret".to_owned());
        for shown in [
            format!("{s:?}"),
            format!("{s:#?}"),
            format!("{s}"),
            format!("{:?}", Some(&s)),
        ] {
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(shown.contains(REDACTED));
        }
        assert_eq!(s.expose(), "hunter2-very-secret");
        assert_eq!(s.len(), 19);
        assert!(!s.is_empty());
    }

    #[test]
    fn secret_bytes_never_format_their_value() {
        let b = SecretBytes::new([0xAB; 16]);
        for shown in [format!("{b:?}"), format!("{b}"), format!("{b:x?}")] {
            assert!(!shown.to_lowercase().contains("ab, ab"), "{shown}");
            assert!(!shown.contains("171"), "{shown}");
            assert_eq!(shown, REDACTED);
        }
        assert_eq!(b.expose_bytes(), &[0xAB; 16]);
    }

    #[test]
    fn equality_compares_values() {
        assert_eq!(SecretString::from("a".to_owned()), SecretString::new("a"));
        assert_ne!(SecretString::from("a".to_owned()), SecretString::new("b"));
        assert_ne!(SecretString::from("a".to_owned()), SecretString::new("ab"));
        assert_eq!(SecretBytes::new([1u8; 4]), SecretBytes::new([1u8; 4]));
        assert_ne!(SecretBytes::new([1u8; 4]), SecretBytes::new([1, 1, 1, 2]));
    }

    #[test]
    fn random_bytes_differ() {
        let a = SecretBytes::<16>::random();
        let b = SecretBytes::<16>::random();
        assert_ne!(a, b);
        assert_ne!(a.expose_bytes(), &[0u8; 16]);
    }

    #[test]
    fn zeroize_wipes_the_value() {
        let mut s = SecretString::new("wipe me");
        s.zeroize();
        assert!(s.expose().is_empty());
        let mut b = SecretBytes::new([7u8; 8]);
        b.zeroize();
        assert_eq!(b.expose_bytes(), &[0u8; 8]);
    }
}
