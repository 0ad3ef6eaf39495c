//! What the store does, apart from how it is asked over HTTP: who the caller is and signing
//! in, create, status and revoke a transfer, a grant's challenge and proof, an upload session,
//! purging, and what administrators do. Each operation takes the store's state and
//! typed inputs, returns typed outcomes, and fails with its own error enum; `crate::error` maps
//! every one of them to the wire (status, code, message) in one place, and the handlers in
//! `api` and `tus` only parse requests and write responses. Tests call these without HTTP.

pub mod administration;
pub mod grants;
pub mod purge;
pub mod senders;
pub mod transfers;
pub mod uploads;
