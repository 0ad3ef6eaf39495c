//! Kepil core library: everything that must be right for a classified attachment to stay
//! secret, and nothing that touches a network or a screen.
//!
//! - [`classification`]: which classifications may be sent (guideline 3.2 A ii 6).
//! - [`password`]: phone-readable machine passwords.
//! - [`kdf`]: Argon2id + HKDF from (password, link secret, transfer id) to the age identity and
//!   the store's download `auth_key`.
//! - [`package`]: the age-encrypted package (manifest + files), streamed both ways.
//! - [`filename`]: sanitising untrusted file names from a manifest, and which types run code.
//! - [`text`]: untrusted text (a manifest's, a store's) made safe to show on a terminal.
//! - [`link`]: `https://STORE/t/ID#SECRET` links, tolerant of mail-gateway mangling.
//! - [`message`]: stable error codes with BM and EN messages.

#![forbid(unsafe_code)]

pub mod catalogue;
pub mod classification;
pub mod filename;
pub mod kdf;
pub mod link;
pub mod message;
pub mod package;
pub mod password;
pub mod secret;
pub mod text;
