//! Key derivation: (password, link secret, transfer id) → age identity + download `auth_key`.
//!
//! ```text
//! pw_key   = Argon2id(password = 16 canonical symbols (or empty when link-only),
//!                     salt = link_secret (16 bytes), m, t, p, version 0x13, 32 bytes)
//! prk      = HKDF-SHA256-Extract(salt = "kepil/v1", ikm = pw_key || link_secret)
//! identity = HKDF-Expand(prk, "kepil/v1/age-identity/" || transfer_id, 32) → age X25519 key
//! auth_key = HKDF-Expand(prk, "kepil/v1/auth-key/"     || transfer_id, 32)
//!
//! link_prk = HKDF-SHA256-Extract(salt = "kepil/v1/link", ikm = link_secret)
//! link_key = HKDF-Expand(link_prk, "kepil/v1/link-key/" || transfer_id, 32)
//! open_key = HKDF-Expand(link_prk, "kepil/v1/link-open", 32)
//! ```
//!
//! `link_key` depends on the link secret alone (no password, no Argon2): the store keeps it
//! next to `auth_key` and counts a wrong password only when the proof also carries a valid
//! HMAC with `link_key`, so that someone who has seen only a link's path (a mail gateway, a
//! proxy log) cannot burn a grant's tries or learn its state. Its own salt and label separate
//! it from the other two keys; knowing it says nothing about the link secret (a one-way HKDF
//! output of 128 bits of input) and nothing about `auth_key` or the identity.
//!
//! `open_key` is the same idea one step earlier: the store shows a grant's public facts
//! (transfer id, classification, size, expiry) only to a caller who answers a challenge with
//! it, so that a link's path alone tells nothing, not even whether the grant exists. It cannot
//! be bound to the transfer id, which is one of the facts it guards; the link secret is 128
//! random bits drawn for this one grant, which binds it to the grant well enough.
//!
//! The link secret is both Argon2's salt (unique per grant, so no precomputation) and part
//! of the HKDF input, so a link-only (TERBUKA) grant still has 128 bits of key material. The
//! transfer id in the HKDF info binds the keys to one transfer: the same link secret and
//! password reused elsewhere would give unrelated keys. The store receives only `auth_key`,
//! from which it cannot recover the identity (independent HKDF outputs).
//!
//! Argon2 parameters are public metadata stored with each grant, so a recipient's client reads
//! them from the store; [`KdfParams::check`] bounds them *before* any work, so that a hostile
//! or broken store cannot make a client allocate 4 TiB or spin for an hour.

use std::fmt;
use std::str::FromStr as _;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq as _;
use zeroize::{Zeroize as _, Zeroizing};

// The link secret is the link's own concept; derivation only reads it (one direction).
pub use crate::link::{LINK_SECRET_B64_LEN, LINK_SECRET_LEN, LinkSecret};
use crate::message::{Coded, coded_error_display};
use crate::password::Password;
use crate::secret::{REDACTED, SecretBytes, SecretString};

/// Bytes in every derived key.
pub const KEY_LEN: usize = 32;

const HKDF_SALT: &[u8] = b"kepil/v1";
const INFO_IDENTITY: &str = "kepil/v1/age-identity/";
const INFO_AUTH_KEY: &str = "kepil/v1/auth-key/";
const LINK_HKDF_SALT: &[u8] = b"kepil/v1/link";
const INFO_LINK_KEY: &str = "kepil/v1/link-key/";
const INFO_OPEN_KEY: &[u8] = b"kepil/v1/link-open";
const MAX_TRANSFER_ID_LEN: usize = 256;

/// Memory that [`derive_many`] allows all concurrent Argon2 instances together. A sender with
/// twenty recipients on an 8-core desktop must not try to allocate 20 × 1 GiB at once.
const PARALLEL_MEMORY_BUDGET_KIB: u32 = 512 * 1024;

/// Argon2id parameters: public metadata stored with each grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct KdfParams {
    /// Derivation scheme version; only 1 exists.
    pub version: u32,
    /// Argon2 memory in KiB.
    pub m_kib: u32,
    /// Argon2 passes.
    pub t: u32,
    /// Argon2 lanes.
    pub p: u32,
}

impl KdfParams {
    pub const VERSION: u32 = 1;
    /// 64 MiB: RFC 9106's second recommended setting, and the floor.
    pub const MIN_M_KIB: u32 = 64 * 1024;
    /// 1 GiB: more than a managed desktop can be expected to spare.
    pub const MAX_M_KIB: u32 = 1024 * 1024;
    pub const MIN_T: u32 = 3;
    pub const MAX_T: u32 = 10;
    pub const MIN_P: u32 = 1;
    pub const MAX_P: u32 = 8;

    /// RFC 9106 section 4, second recommendation: Argon2id, m = 64 MiB, t = 3, p = 4.
    /// About 0.2 s on a desktop; the 128-bit link secret and the store's lockout carry most
    /// of the load, so more is not better (design.md).
    pub const DEFAULT: KdfParams = KdfParams {
        version: 1,
        m_kib: 64 * 1024,
        t: 3,
        p: 4,
    };

    /// Checks the bounds; called before any Argon2 work and by the store on create.
    pub fn check(&self) -> Result<(), KdfError> {
        if self.version != Self::VERSION {
            return Err(KdfError::UnsupportedVersion {
                found: self.version,
                supported: Self::VERSION,
            });
        }
        if self.m_kib < Self::MIN_M_KIB {
            return Err(KdfError::MemoryTooLow {
                m_kib: self.m_kib,
                min: Self::MIN_M_KIB,
            });
        }
        if self.m_kib > Self::MAX_M_KIB {
            return Err(KdfError::MemoryTooHigh {
                m_kib: self.m_kib,
                max: Self::MAX_M_KIB,
            });
        }
        if self.t < Self::MIN_T {
            return Err(KdfError::TimeTooLow {
                t: self.t,
                min: Self::MIN_T,
            });
        }
        if self.t > Self::MAX_T {
            return Err(KdfError::TimeTooHigh {
                t: self.t,
                max: Self::MAX_T,
            });
        }
        if self.p < Self::MIN_P {
            return Err(KdfError::ParallelismTooLow {
                p: self.p,
                min: Self::MIN_P,
            });
        }
        if self.p > Self::MAX_P {
            return Err(KdfError::ParallelismTooHigh {
                p: self.p,
                max: Self::MAX_P,
            });
        }
        Ok(())
    }

    /// Whether every cost is at least `floor`'s (a store may demand more than the minimum).
    pub fn meets(&self, floor: &KdfParams) -> bool {
        self.version == floor.version
            && self.m_kib >= floor.m_kib
            && self.t >= floor.t
            && self.p >= floor.p
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The key that proves to the store that the caller knows the password and the link secret.
/// The sender gives it to the store when creating the transfer; the recipient derives it and
/// answers the store's challenge with [`prove`](Self::prove).
#[derive(Clone, PartialEq, Eq)]
pub struct AuthKey(SecretBytes<KEY_LEN>);

type HmacSha256 = Hmac<Sha256>;

impl AuthKey {
    /// For the store, which receives the key in the create-transfer request.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> AuthKey {
        AuthKey(SecretBytes::new(bytes))
    }

    /// For the store: reads the base64url form sent in the create-transfer request.
    pub fn from_base64url(text: &str) -> Result<AuthKey, AuthKeyError> {
        let mut decoded = Zeroizing::new([0u8; KEY_LEN + 3]);
        match URL_SAFE_NO_PAD.decode_slice(text.trim().as_bytes(), decoded.as_mut()) {
            Ok(KEY_LEN) => {
                let mut key = [0u8; KEY_LEN];
                key.copy_from_slice(&decoded[..KEY_LEN]);
                let auth = AuthKey::from_bytes(key);
                key.zeroize();
                Ok(auth)
            }
            Ok(found) => Err(AuthKeyError::WrongLength { found }),
            Err(base64::DecodeSliceError::OutputSliceTooSmall) => Err(AuthKeyError::WrongLength {
                found: text.trim().len() * 3 / 4,
            }),
            Err(base64::DecodeSliceError::DecodeError(_)) => Err(AuthKeyError::NotBase64url),
        }
    }

    pub fn expose_bytes(&self) -> &[u8; KEY_LEN] {
        self.0.expose_bytes()
    }

    /// Unpadded base64url, for the create-transfer request body only.
    pub fn to_base64url(&self) -> SecretString {
        SecretString::new(URL_SAFE_NO_PAD.encode(self.expose_bytes()))
    }

    /// HMAC-SHA256(auth_key, nonce): the answer to the store's challenge.
    pub fn prove(&self, nonce: &[u8]) -> [u8; 32] {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(self.expose_bytes())
            .expect("HMAC accepts keys of any length");
        mac.update(nonce);
        mac.finalize().into_bytes().into()
    }

    /// Store side: whether `mac` is the right answer for `nonce`, compared in constant time
    /// so that response timing does not help a guesser forge a MAC byte by byte.
    pub fn verify(&self, nonce: &[u8], mac: &[u8]) -> bool {
        let expected = Zeroizing::new(self.prove(nonce));
        expected.as_slice().ct_eq(mac).into()
    }
}

impl fmt::Debug for AuthKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// The key that proves to the store that the caller holds the whole link (its secret), not
/// only its path. Derived from the link secret alone ([`derive_link_key`]), so it costs no
/// Argon2 work; the sender gives it to the store with the grant, and a recipient's proof
/// carries [`prove`](Self::prove) of the challenge nonce next to the `auth_key` MAC.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkKey(AuthKey);

impl LinkKey {
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> LinkKey {
        LinkKey(AuthKey::from_bytes(bytes))
    }

    /// For the store: reads the base64url form sent in the create-transfer request.
    pub fn from_base64url(text: &str) -> Result<LinkKey, AuthKeyError> {
        AuthKey::from_base64url(text).map(LinkKey)
    }

    pub fn expose_bytes(&self) -> &[u8; KEY_LEN] {
        self.0.expose_bytes()
    }

    /// Unpadded base64url, for the create-transfer request body only.
    pub fn to_base64url(&self) -> SecretString {
        self.0.to_base64url()
    }

    /// HMAC-SHA256(link_key, nonce).
    pub fn prove(&self, nonce: &[u8]) -> [u8; 32] {
        self.0.prove(nonce)
    }

    /// Store side, in constant time.
    pub fn verify(&self, nonce: &[u8], mac: &[u8]) -> bool {
        self.0.verify(nonce, mac)
    }
}

impl fmt::Debug for LinkKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// The link key of a grant: HKDF-SHA256 of the link secret alone, bound to the transfer id.
/// Cheap (no Argon2), so a recipient's client can compute it before asking for a password.
pub fn derive_link_key(secret: &LinkSecret, transfer_id: &str) -> Result<LinkKey, KdfError> {
    check_transfer_id(transfer_id)?;
    Ok(link_key_checked(secret, transfer_id))
}

fn link_key_checked(secret: &LinkSecret, transfer_id: &str) -> LinkKey {
    link_hkdf(
        secret,
        &[INFO_LINK_KEY.as_bytes(), transfer_id.as_bytes()].concat(),
    )
}

/// The open key of a grant: HKDF-SHA256 of the link secret alone, with nothing else, since
/// the recipient needs it before the store has told them anything (see the module docs).
pub fn derive_open_key(secret: &LinkSecret) -> LinkKey {
    link_hkdf(secret, INFO_OPEN_KEY)
}

fn link_hkdf(secret: &LinkSecret, info: &[u8]) -> LinkKey {
    let hkdf = Hkdf::<Sha256>::new(Some(LINK_HKDF_SALT), secret.expose_bytes());
    let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
    hkdf.expand(info, bytes.as_mut())
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    LinkKey::from_bytes(*bytes)
}

/// The keys of one grant (one recipient).
#[derive(Clone)]
pub struct GrantKeys {
    /// Decrypts the package; the sender encrypts to its [`recipient`](Self::recipient).
    pub identity: age::x25519::Identity,
    /// Given to the store by the sender; used by the recipient to answer the challenge.
    pub auth_key: AuthKey,
    /// From the link secret alone; given to the store by the sender, and used by the
    /// recipient to show it holds the whole link (see [`LinkKey`]).
    pub link_key: LinkKey,
    /// From the link secret alone; given to the store by the sender, and used by the
    /// recipient to read the grant's public facts ([`derive_open_key`]).
    pub open_key: LinkKey,
}

impl GrantKeys {
    pub fn recipient(&self) -> age::x25519::Recipient {
        self.identity.to_public()
    }

    /// The identity in the standard `AGE-SECRET-KEY-1…` form, so the package can be opened
    /// with any age tool (no lock-in).
    pub fn export_identity(&self) -> SecretString {
        use age::secrecy::ExposeSecret as _;
        SecretString::new(self.identity.to_string().expose_secret().to_owned())
    }
}

impl fmt::Debug for GrantKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GrantKeys")
            .field("recipient", &self.recipient().to_string())
            .field("identity", &REDACTED)
            .field("auth_key", &self.auth_key)
            .field("link_key", &self.link_key)
            .field("open_key", &self.open_key)
            .finish()
    }
}

/// One recipient's inputs to [`derive_many`].
#[derive(Debug, Clone, Copy)]
pub struct GrantInput<'a> {
    /// `None` for a link-only (TERBUKA) grant.
    pub password: Option<&'a Password>,
    pub secret: &'a LinkSecret,
}

/// Derives one grant's keys. `password = None` means link-only (TERBUKA only: the caller
/// checks [`Classification::requires_password`](crate::classification::Classification::requires_password)).
pub fn derive(
    password: Option<&Password>,
    secret: &LinkSecret,
    transfer_id: &str,
    params: &KdfParams,
) -> Result<GrantKeys, KdfError> {
    params.check()?;
    check_transfer_id(transfer_id)?;
    derive_checked(password, secret, transfer_id, params)
}

/// Derives the keys of several grants of one transfer in parallel, in input order.
pub fn derive_many(
    inputs: &[GrantInput<'_>],
    transfer_id: &str,
    params: &KdfParams,
) -> Result<Vec<GrantKeys>, KdfError> {
    params.check()?;
    check_transfer_id(transfer_id)?;
    derive_many_checked(inputs, transfer_id, params)
}

fn derive_many_checked(
    inputs: &[GrantInput<'_>],
    transfer_id: &str,
    params: &KdfParams,
) -> Result<Vec<GrantKeys>, KdfError> {
    let by_memory = usize::try_from(PARALLEL_MEMORY_BUDGET_KIB / params.m_kib)
        .unwrap_or(1)
        .max(1);
    let at_once = by_memory.min(rayon::current_num_threads()).max(1);
    let mut out = Vec::with_capacity(inputs.len());
    // Chunks bound the memory in flight; each chunk runs on rayon (Argon2's own lanes share
    // the same pool, so nothing oversubscribes the CPU).
    for chunk in inputs.chunks(at_once) {
        let keys: Result<Vec<GrantKeys>, KdfError> = chunk
            .par_iter()
            .map(|input| derive_checked(input.password, input.secret, transfer_id, params))
            .collect();
        out.extend(keys?);
    }
    Ok(out)
}

fn check_transfer_id(transfer_id: &str) -> Result<(), KdfError> {
    if transfer_id.is_empty() || transfer_id.len() > MAX_TRANSFER_ID_LEN {
        return Err(KdfError::BadTransferId {
            len: transfer_id.len(),
        });
    }
    Ok(())
}

fn derive_checked(
    password: Option<&Password>,
    secret: &LinkSecret,
    transfer_id: &str,
    params: &KdfParams,
) -> Result<GrantKeys, KdfError> {
    let canonical = password.map(Password::canonical_bytes);
    let pw_bytes: &[u8] = canonical.as_ref().map_or(&[], |c| c.as_slice());

    let mut pw_key = Zeroizing::new([0u8; KEY_LEN]);
    argon2id_raw(
        pw_bytes,
        secret.expose_bytes(),
        &[],
        &[],
        params.m_kib,
        params.t,
        params.p,
        pw_key.as_mut(),
    )?;

    let mut ikm = Zeroizing::new([0u8; KEY_LEN + LINK_SECRET_LEN]);
    ikm[..KEY_LEN].copy_from_slice(pw_key.as_slice());
    ikm[KEY_LEN..].copy_from_slice(secret.expose_bytes());
    let hkdf = Hkdf::<Sha256>::new(Some(HKDF_SALT), ikm.as_slice());

    let mut identity_bytes = Zeroizing::new([0u8; KEY_LEN]);
    let mut auth_bytes = Zeroizing::new([0u8; KEY_LEN]);
    let info_identity = [INFO_IDENTITY.as_bytes(), transfer_id.as_bytes()].concat();
    let info_auth = [INFO_AUTH_KEY.as_bytes(), transfer_id.as_bytes()].concat();
    hkdf.expand(&info_identity, identity_bytes.as_mut())
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    hkdf.expand(&info_auth, auth_bytes.as_mut())
        .expect("32 bytes is a valid HKDF-SHA256 output length");

    Ok(GrantKeys {
        identity: identity_from_bytes(&identity_bytes)?,
        auth_key: AuthKey::from_bytes(*auth_bytes),
        link_key: link_key_checked(secret, transfer_id),
        open_key: derive_open_key(secret),
    })
}

/// age has no constructor from raw bytes, so go through its documented text form:
/// Bech32 with HRP `age-secret-key-`, upper case.
fn identity_from_bytes(bytes: &[u8; KEY_LEN]) -> Result<age::x25519::Identity, KdfError> {
    const HRP: bech32::Hrp = bech32::Hrp::parse_unchecked("age-secret-key-");
    let len = bech32::encoded_length::<bech32::Bech32>(HRP, bytes)
        .map_err(|_| KdfError::IdentityEncoding)?;
    // Pre-sized so the buffer never reallocates and leaves a copy of the key behind.
    let mut encoded = Zeroizing::new(String::with_capacity(len));
    bech32::encode_upper_to_fmt::<bech32::Bech32, _>(&mut *encoded, HRP, bytes)
        .map_err(|_| KdfError::IdentityEncoding)?;
    age::x25519::Identity::from_str(&encoded).map_err(|_| KdfError::IdentityEncoding)
}

/// Argon2id (version 0x13) with raw parameters and no bounds of our own, so that the RFC 9106
/// test vector (m = 32 KiB, with secret and associated data) runs through exactly the code
/// path [`derive`] uses. Public callers go through [`KdfParams::check`] first.
#[allow(clippy::too_many_arguments)]
pub(crate) fn argon2id_raw(
    password: &[u8],
    salt: &[u8],
    secret: &[u8],
    associated_data: &[u8],
    m_kib: u32,
    t: u32,
    p: u32,
    out: &mut [u8],
) -> Result<(), KdfError> {
    let failed = |e: argon2::Error| KdfError::Argon2 {
        reason: e.to_string(),
    };
    let mut builder = argon2::ParamsBuilder::new();
    builder
        .m_cost(m_kib)
        .t_cost(t)
        .p_cost(p)
        .output_len(out.len())
        .data(argon2::AssociatedData::new(associated_data).map_err(failed)?);
    let params = builder.build().map_err(failed)?;
    let argon = if secret.is_empty() {
        argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
    } else {
        argon2::Argon2::new_with_secret(
            secret,
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            params,
        )
        .map_err(failed)?
    };
    argon
        .hash_password_into(password, salt, out)
        .map_err(failed)
}

/// Deriving keys failed. Parameter errors come from the store's grant metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KdfError {
    UnsupportedVersion {
        found: u32,
        supported: u32,
    },
    MemoryTooLow {
        m_kib: u32,
        min: u32,
    },
    MemoryTooHigh {
        m_kib: u32,
        max: u32,
    },
    TimeTooLow {
        t: u32,
        min: u32,
    },
    TimeTooHigh {
        t: u32,
        max: u32,
    },
    ParallelismTooLow {
        p: u32,
        min: u32,
    },
    ParallelismTooHigh {
        p: u32,
        max: u32,
    },
    /// Empty or absurdly long transfer id.
    BadTransferId {
        len: usize,
    },
    /// Argon2 itself failed, in practice because memory could not be allocated.
    Argon2 {
        reason: String,
    },
    /// The derived key could not be turned into an age identity (a bug).
    IdentityEncoding,
}

impl Coded for KdfError {
    fn code(&self) -> &'static str {
        match self {
            KdfError::UnsupportedVersion { .. } => "kdf_unsupported_version",
            KdfError::MemoryTooLow { .. } => "kdf_memory_too_low",
            KdfError::MemoryTooHigh { .. } => "kdf_memory_too_high",
            KdfError::TimeTooLow { .. } => "kdf_time_too_low",
            KdfError::TimeTooHigh { .. } => "kdf_time_too_high",
            KdfError::ParallelismTooLow { .. } => "kdf_parallelism_too_low",
            KdfError::ParallelismTooHigh { .. } => "kdf_parallelism_too_high",
            KdfError::BadTransferId { .. } => "kdf_bad_transfer_id",
            KdfError::Argon2 { .. } => "kdf_failed",
            KdfError::IdentityEncoding => "kdf_identity_encoding",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        use KdfError::*;
        let pair = |a: &'static str, x: u32, b: &'static str, y: u32| {
            vec![(a, x.to_string()), (b, y.to_string())]
        };
        match self {
            UnsupportedVersion { found, supported } => {
                pair("found", *found, "supported", *supported)
            }
            MemoryTooLow { m_kib, min } => pair("m_kib", *m_kib, "min", *min),
            MemoryTooHigh { m_kib, max } => pair("m_kib", *m_kib, "max", *max),
            TimeTooLow { t, min } => pair("t", *t, "min", *min),
            TimeTooHigh { t, max } => pair("t", *t, "max", *max),
            ParallelismTooLow { p, min } => pair("p", *p, "min", *min),
            ParallelismTooHigh { p, max } => pair("p", *p, "max", *max),
            BadTransferId { len } => vec![
                ("len", len.to_string()),
                ("max", MAX_TRANSFER_ID_LEN.to_string()),
            ],
            Argon2 { reason } => vec![("reason", reason.clone())],
            IdentityEncoding => vec![],
        }
    }
}

coded_error_display!(KdfError);

/// Reading an `auth_key` sent to the store failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthKeyError {
    NotBase64url,
    WrongLength { found: usize },
}

impl Coded for AuthKeyError {
    fn code(&self) -> &'static str {
        match self {
            AuthKeyError::NotBase64url => "auth_key_bad_encoding",
            AuthKeyError::WrongLength { .. } => "auth_key_wrong_length",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            AuthKeyError::NotBase64url => vec![],
            AuthKeyError::WrongLength { found } => vec![
                ("found", found.to_string()),
                ("expected", KEY_LEN.to_string()),
            ],
        }
    }
}

coded_error_display!(AuthKeyError);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Lang;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Below our floor: only for exercising the derivation logic quickly through the unchecked
    /// path. Argon2 itself is pinned by the RFC vector and the known answers below.
    const CHEAP: KdfParams = KdfParams {
        version: 1,
        m_kib: 64,
        t: 1,
        p: 1,
    };

    fn cheap(password: Option<&Password>, secret: &LinkSecret, transfer_id: &str) -> GrantKeys {
        derive_checked(password, secret, transfer_id, &CHEAP).unwrap()
    }

    #[test]
    fn rfc9106_argon2id_test_vector() {
        // RFC 9106 section 5.3, through the same function `derive` uses.
        let mut tag = [0u8; 32];
        argon2id_raw(&[1; 32], &[2; 16], &[3; 8], &[4; 12], 32, 3, 4, &mut tag).unwrap();
        assert_eq!(
            hex(&tag),
            "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"
        );
    }

    #[test]
    fn raw_argon2_reports_impossible_parameters() {
        let mut out = [0u8; 32];
        // Argon2 needs at least 8 KiB per lane.
        let err = argon2id_raw(b"pw", &[0; 16], &[], &[], 8, 1, 4, &mut out).unwrap_err();
        assert_eq!(err.code(), "kdf_failed");
        // Salt shorter than Argon2's minimum.
        let err = argon2id_raw(b"pw", &[0; 4], &[], &[], 64, 1, 1, &mut out).unwrap_err();
        assert_eq!(err.code(), "kdf_failed");
    }

    /// One known answer of `crates/test-support/data/kdf-vectors.json` (see its comment for
    /// how the values were computed).
    #[derive(serde::Deserialize)]
    struct Vector {
        name: String,
        password: Option<String>,
        /// The 16 bytes of the link secret, as ASCII.
        link_secret: String,
        transfer_id: String,
        kdf: KdfParams,
        identity: String,
        recipient: String,
        auth_key_hex: String,
    }

    fn vectors() -> Vec<Vector> {
        #[derive(serde::Deserialize)]
        struct File {
            vectors: Vec<Vector>,
        }
        let text = include_str!("../../test-support/data/kdf-vectors.json");
        let file: File = serde_json::from_str(text).expect("kdf-vectors.json");
        assert!(file.vectors.len() >= 2, "with and without a password");
        file.vectors
    }

    fn secret_of(v: &Vector) -> LinkSecret {
        LinkSecret::from_bytes(v.link_secret.as_bytes().try_into().expect("16 bytes"))
    }

    fn assert_kat(keys: &GrantKeys, v: &Vector) {
        assert_eq!(keys.export_identity().expose(), v.identity, "{}", v.name);
        assert_eq!(keys.recipient().to_string(), v.recipient, "{}", v.name);
        assert_eq!(
            hex(keys.auth_key.expose_bytes()),
            v.auth_key_hex,
            "{}",
            v.name
        );
    }

    #[test]
    fn derive_gives_the_known_answers() {
        for v in vectors() {
            let password = v.password.as_deref().map(|p| Password::parse(p).unwrap());
            let keys = derive(password.as_ref(), &secret_of(&v), &v.transfer_id, &v.kdf).unwrap();
            assert_kat(&keys, &v);
        }
    }

    #[test]
    fn derive_many_matches_derive_in_order() {
        // Through the public, bounds-checked path, against the known answers (so this also
        // proves parallel derivation gives the sequential result).
        let vs = vectors();
        assert!(
            vs.iter()
                .all(|v| v.transfer_id == vs[0].transfer_id && v.kdf == vs[0].kdf)
        );
        let passwords: Vec<Option<Password>> = vs
            .iter()
            .map(|v| v.password.as_deref().map(|p| Password::parse(p).unwrap()))
            .collect();
        let secrets: Vec<LinkSecret> = vs.iter().map(secret_of).collect();
        let inputs: Vec<GrantInput<'_>> = passwords
            .iter()
            .zip(&secrets)
            .map(|(password, secret)| GrantInput {
                password: password.as_ref(),
                secret,
            })
            .collect();
        let keys = derive_many(&inputs, &vs[0].transfer_id, &vs[0].kdf).unwrap();
        assert_eq!(keys.len(), vs.len());
        for (k, v) in keys.iter().zip(&vs) {
            assert_kat(k, v);
        }
    }

    #[test]
    fn derive_many_keeps_order_across_chunks() {
        let passwords: Vec<Password> = (0..13).map(|_| Password::generate()).collect();
        let secrets: Vec<LinkSecret> = (0..13).map(|_| LinkSecret::generate()).collect();
        let inputs: Vec<GrantInput<'_>> = passwords
            .iter()
            .zip(&secrets)
            .enumerate()
            .map(|(i, (p, s))| GrantInput {
                password: (i % 3 != 0).then_some(p),
                secret: s,
            })
            .collect();
        let many = derive_many_checked(&inputs, "tr_order", &CHEAP).unwrap();
        assert_eq!(many.len(), inputs.len());
        for (input, keys) in inputs.iter().zip(&many) {
            let one = cheap(input.password, input.secret, "tr_order");
            assert_eq!(keys.auth_key, one.auth_key);
            assert_eq!(keys.recipient(), one.recipient());
        }
        assert!(
            derive_many(&[], "tr", &KdfParams::DEFAULT)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn every_input_changes_both_keys() {
        let p1 = Password::parse("AAAA-BBBB-CCCC-DDDD").unwrap();
        let p2 = Password::parse("AAAA-BBBB-CCCC-DDDE").unwrap();
        let s1 = LinkSecret::from_bytes([1; 16]);
        let s2 = LinkSecret::from_bytes([2; 16]);
        let base = cheap(Some(&p1), &s1, "tr_a");
        let again = cheap(Some(&p1), &s1, "tr_a");
        assert_eq!(base.auth_key, again.auth_key);
        assert_eq!(base.recipient(), again.recipient());
        for other in [
            cheap(Some(&p2), &s1, "tr_a"),
            cheap(Some(&p1), &s2, "tr_a"),
            cheap(Some(&p1), &s1, "tr_b"),
            cheap(None, &s1, "tr_a"),
        ] {
            assert_ne!(base.auth_key, other.auth_key);
            assert_ne!(base.recipient(), other.recipient());
        }
        // The two outputs are independent of each other.
        assert_ne!(
            base.auth_key.expose_bytes().as_slice(),
            base.export_identity().expose().as_bytes()
        );
    }

    const LINK_KEY_KAT: &str = "e9e004225b2262608f5421d844f42c7c974a796fd6b76285c5ab0c477788e5ad";

    #[test]
    fn link_key_depends_on_the_link_secret_and_transfer_alone() {
        let p1 = Password::parse("AAAA-BBBB-CCCC-DDDD").unwrap();
        let p2 = Password::parse("AAAA-BBBB-CCCC-DDDE").unwrap();
        let s1 = LinkSecret::from_bytes([1; 16]);
        let s2 = LinkSecret::from_bytes([2; 16]);
        let base = cheap(Some(&p1), &s1, "tr_a");
        // The password does not enter it; the secret and the transfer id do.
        assert_eq!(base.link_key, cheap(Some(&p2), &s1, "tr_a").link_key);
        assert_eq!(base.link_key, cheap(None, &s1, "tr_a").link_key);
        assert_eq!(base.link_key, derive_link_key(&s1, "tr_a").unwrap());
        assert_ne!(base.link_key, derive_link_key(&s2, "tr_a").unwrap());
        assert_ne!(base.link_key, derive_link_key(&s1, "tr_b").unwrap());
        // Domain-separated from the other keys.
        assert_ne!(base.link_key.expose_bytes(), base.auth_key.expose_bytes());
        assert!(derive_link_key(&s1, "").is_err());
        // Known answer. Python:
        // import hmac, hashlib
        // prk = hmac.new(b"kepil/v1/link", bytes([1]*16), hashlib.sha256).digest()
        // hmac.new(prk, b"kepil/v1/link-key/tr_a" + b"\x01", hashlib.sha256).hexdigest()
        assert_eq!(
            hex(derive_link_key(&s1, "tr_a").unwrap().expose_bytes()),
            LINK_KEY_KAT
        );
        let nonce = [9u8; 32];
        let mac = base.link_key.prove(&nonce);
        assert!(base.link_key.verify(&nonce, &mac));
        assert!(!base.auth_key.verify(&nonce, &mac));
        assert!(!format!("{:?}", base.link_key).contains(&hex(base.link_key.expose_bytes())));
    }

    #[test]
    fn the_open_key_depends_on_the_link_secret_alone() {
        let p = Password::parse("AAAA-BBBB-CCCC-DDDD").unwrap();
        let s1 = LinkSecret::from_bytes([1; 16]);
        let base = cheap(Some(&p), &s1, "tr_a");
        assert_eq!(base.open_key, cheap(None, &s1, "tr_b").open_key);
        assert_eq!(base.open_key, derive_open_key(&s1));
        assert_ne!(
            base.open_key,
            derive_open_key(&LinkSecret::from_bytes([2; 16]))
        );
        assert_ne!(base.open_key, base.link_key);
        // Known answer. Python:
        // prk = hmac.new(b"kepil/v1/link", bytes([1]*16), hashlib.sha256).digest()
        // hmac.new(prk, b"kepil/v1/link-open" + b"\x01", hashlib.sha256).hexdigest()
        assert_eq!(
            hex(derive_open_key(&s1).expose_bytes()),
            "9c515404c95232c6f5b83f740c17bd7a76c3c9b7e6768817c5e43058ebfb68f8"
        );
    }

    #[test]
    fn derived_identity_opens_what_its_recipient_encrypts() {
        let keys = cheap(None, &LinkSecret::generate(), "tr_age");
        let ciphertext = age::encrypt(&keys.recipient(), b"surat TERHAD").unwrap();
        assert_eq!(
            age::decrypt(&keys.identity, &ciphertext).unwrap(),
            b"surat TERHAD"
        );
        let exported: age::x25519::Identity = keys.export_identity().expose().parse().unwrap();
        assert_eq!(exported.to_public(), keys.recipient());
    }

    #[test]
    fn default_is_rfc9106_second_recommendation() {
        assert_eq!(
            KdfParams::DEFAULT,
            KdfParams {
                version: 1,
                m_kib: 65536,
                t: 3,
                p: 4
            }
        );
        assert_eq!(KdfParams::default(), KdfParams::DEFAULT);
        assert_eq!(KdfParams::DEFAULT.check(), Ok(()));
    }

    #[test]
    fn check_accepts_the_bounds_themselves() {
        for params in [
            KdfParams {
                version: 1,
                m_kib: 65536,
                t: 3,
                p: 1,
            },
            KdfParams {
                version: 1,
                m_kib: 1_048_576,
                t: 10,
                p: 8,
            },
        ] {
            assert_eq!(params.check(), Ok(()), "{params:?}");
        }
    }

    #[test]
    fn check_names_each_violated_bound() {
        let d = KdfParams::DEFAULT;
        let cases = [
            (
                KdfParams { version: 0, ..d },
                KdfError::UnsupportedVersion {
                    found: 0,
                    supported: 1,
                },
            ),
            (
                KdfParams { version: 2, ..d },
                KdfError::UnsupportedVersion {
                    found: 2,
                    supported: 1,
                },
            ),
            (
                KdfParams { m_kib: 65535, ..d },
                KdfError::MemoryTooLow {
                    m_kib: 65535,
                    min: 65536,
                },
            ),
            (
                KdfParams { m_kib: 0, ..d },
                KdfError::MemoryTooLow {
                    m_kib: 0,
                    min: 65536,
                },
            ),
            (
                KdfParams {
                    m_kib: 1_048_577,
                    ..d
                },
                KdfError::MemoryTooHigh {
                    m_kib: 1_048_577,
                    max: 1_048_576,
                },
            ),
            (
                KdfParams {
                    m_kib: u32::MAX,
                    ..d
                },
                KdfError::MemoryTooHigh {
                    m_kib: u32::MAX,
                    max: 1_048_576,
                },
            ),
            (
                KdfParams { t: 2, ..d },
                KdfError::TimeTooLow { t: 2, min: 3 },
            ),
            (
                KdfParams { t: 11, ..d },
                KdfError::TimeTooHigh { t: 11, max: 10 },
            ),
            (
                KdfParams { p: 0, ..d },
                KdfError::ParallelismTooLow { p: 0, min: 1 },
            ),
            (
                KdfParams { p: 9, ..d },
                KdfError::ParallelismTooHigh { p: 9, max: 8 },
            ),
        ];
        for (params, want) in cases {
            let err = params.check().unwrap_err();
            assert_eq!(err, want, "{params:?}");
            // The message names the bound so the administrator knows what to fix.
            for (_, value) in err.params() {
                assert!(
                    err.message(Lang::En).contains(&value),
                    "{}",
                    err.message(Lang::En)
                );
                assert!(
                    err.message(Lang::Ms).contains(&value),
                    "{}",
                    err.message(Lang::Ms)
                );
            }
        }
    }

    #[test]
    fn derive_checks_parameters_before_any_work() {
        // Unchecked, 4 TiB × 10 000 passes would never finish; checked, it fails at once.
        let hostile = KdfParams {
            version: 1,
            m_kib: u32::MAX,
            t: 10_000,
            p: 8,
        };
        let secret = LinkSecret::generate();
        let started = std::time::Instant::now();
        assert!(matches!(
            derive(None, &secret, "tr", &hostile),
            Err(KdfError::MemoryTooHigh { .. })
        ));
        let inputs = [GrantInput {
            password: None,
            secret: &secret,
        }];
        assert!(matches!(
            derive_many(&inputs, "tr", &hostile),
            Err(KdfError::MemoryTooHigh { .. })
        ));
        assert!(matches!(
            derive(None, &secret, "tr", &CHEAP),
            Err(KdfError::MemoryTooLow { .. })
        ));
        assert!(started.elapsed() < std::time::Duration::from_millis(200));
    }

    #[test]
    fn derive_rejects_bad_transfer_ids() {
        let secret = LinkSecret::generate();
        for id in [String::new(), "x".repeat(257)] {
            assert_eq!(
                derive(None, &secret, &id, &KdfParams::DEFAULT).unwrap_err(),
                KdfError::BadTransferId { len: id.len() }
            );
        }
    }

    #[test]
    fn kdf_params_serde_shape() {
        let json = serde_json::to_string(&KdfParams::DEFAULT).unwrap();
        assert_eq!(json, r#"{"version":1,"m_kib":65536,"t":3,"p":4}"#);
        let back: KdfParams = serde_json::from_str(&json).unwrap();
        assert_eq!(back, KdfParams::DEFAULT);
        // Deserialising does not check bounds (the caller must): hostile values still parse
        // so that the client can refuse them with a clear error.
        let hostile: KdfParams =
            serde_json::from_str(r#"{"version":1,"m_kib":4294967295,"t":3,"p":4}"#).unwrap();
        assert!(hostile.check().is_err());
    }

    #[test]
    fn meets_compares_against_a_floor() {
        let floor = KdfParams::DEFAULT;
        assert!(floor.meets(&floor));
        assert!(
            KdfParams {
                m_kib: 131072,
                ..floor
            }
            .meets(&floor)
        );
        assert!(KdfParams { t: 4, ..floor }.meets(&floor));
        assert!(!KdfParams { p: 2, ..floor }.meets(&floor));
        assert!(
            !KdfParams {
                version: 2,
                ..floor
            }
            .meets(&floor)
        );
        assert!(!floor.meets(&KdfParams { t: 4, ..floor }));
    }

    #[test]
    fn auth_key_prove_is_hmac_sha256() {
        // Python: hmac.new(b"\x0b" * 32, b"kepil-nonce-0001", hashlib.sha256).hexdigest()
        let key = AuthKey::from_bytes([0x0b; 32]);
        let mac = key.prove(b"kepil-nonce-0001");
        assert_eq!(
            hex(&mac),
            "a6ee9ca8b52c796d97cdf06d37cbf8072a7dd7d82d5f1a883149b476371945d3"
        );
        assert!(key.verify(b"kepil-nonce-0001", &mac));
        let mut wrong = mac;
        wrong[31] ^= 1;
        assert!(!key.verify(b"kepil-nonce-0001", &wrong));
        assert!(!key.verify(b"kepil-nonce-0002", &mac));
        assert!(!key.verify(b"kepil-nonce-0001", &mac[..31]));
        assert!(!key.verify(b"kepil-nonce-0001", &[]));
        assert!(!AuthKey::from_bytes([0x0c; 32]).verify(b"kepil-nonce-0001", &mac));
    }

    #[test]
    fn auth_key_base64url_round_trip_and_errors() {
        let bytes: [u8; 32] = core::array::from_fn(|i| i as u8);
        let key = AuthKey::from_bytes(bytes);
        let text = key.to_base64url();
        assert_eq!(text.expose(), "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
        assert_eq!(AuthKey::from_base64url(text.expose()).unwrap(), key);
        assert_eq!(
            AuthKey::from_base64url(text.expose())
                .unwrap()
                .expose_bytes(),
            &bytes
        );
        assert_eq!(
            AuthKey::from_base64url("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").unwrap_err(),
            AuthKeyError::NotBase64url
        );
        assert_eq!(
            AuthKey::from_base64url("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+").unwrap_err(),
            AuthKeyError::NotBase64url
        );
        assert_eq!(
            AuthKey::from_base64url(&URL_SAFE_NO_PAD.encode([0u8; 31])).unwrap_err(),
            AuthKeyError::WrongLength { found: 31 }
        );
        assert!(matches!(
            AuthKey::from_base64url(&URL_SAFE_NO_PAD.encode([0u8; 33])).unwrap_err(),
            AuthKeyError::WrongLength { .. }
        ));
        assert!(matches!(
            AuthKey::from_base64url(&URL_SAFE_NO_PAD.encode([0u8; 64])).unwrap_err(),
            AuthKeyError::WrongLength { .. }
        ));
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let secret = LinkSecret::from_bytes([0x41; 16]);
        let keys = cheap(None, &secret, "tr_debug");
        let identity = keys.export_identity().expose().to_owned();
        let auth_b64 = keys.auth_key.to_base64url().expose().to_owned();
        let auth_hex = hex(keys.auth_key.expose_bytes());
        let shown = [
            format!("{keys:?}"),
            format!("{keys:#?}"),
            format!("{:?}", keys.auth_key),
            format!("{:?}", keys.export_identity()),
            format!("{}", keys.export_identity()),
            format!("{secret:?}"),
            format!("{:?}", secret.to_base64url()),
            format!(
                "{:?}",
                GrantInput {
                    password: None,
                    secret: &secret
                }
            ),
        ];
        for s in shown {
            assert!(
                !s.contains(&identity) && !s.contains("AGE-SECRET-KEY"),
                "{s}"
            );
            assert!(!s.contains(&auth_b64) && !s.contains(&auth_hex), "{s}");
            assert!(!s.contains("QUFB") && !s.contains("65, 65"), "{s}");
        }
        // The public recipient is fine to show and helps debugging.
        assert!(format!("{keys:?}").contains(&keys.recipient().to_string()));
    }
}
