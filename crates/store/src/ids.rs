//! Ids and tokens: random bytes as unpadded base64url; only SHA-256 hashes of tokens are kept.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// 16 random bytes (transfer and grant ids, uploader token ids).
pub fn new_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    kepil_protocol::b64_encode(&bytes)
}

/// 32 random bytes (uploader, owner and download tokens, nonces).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    kepil_protocol::b64_encode(&bytes)
}

/// What is stored in place of a token.
pub fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Exactly the shape `new_id` produces: 22 base64url characters decoding to 16 bytes.
pub fn is_valid_id(id: &str) -> bool {
    id.len() == 22
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && kepil_protocol::b64_decode(id).is_some_and(|b| b.len() == 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_22_chars_and_validate() {
        let id = new_id();
        assert_eq!(id.len(), 22);
        assert!(is_valid_id(&id));
        assert!(!is_valid_id("../../../../etc/passwd"));
        assert!(!is_valid_id("AAAAAAAAAAAAAAAAAAAA/."));
        assert_eq!(new_token().len(), 43);
    }
}
