//! Test support shared by the workspace's tests, never shipped: the storage conformance suite
//! every backend must pass, a real store on loopback and its HTTP helpers, and real PostgreSQL
//! and SeaweedFS (S3) servers as fixtures, a cutting/throttling TCP proxy, canary checks for
//! secrets, and a real OpenID Provider with a browser that signs in. What needs the store
//! library with every backend is behind the `store` feature, so the client's and the app's
//! tests do not build the server for a canary check; the OpenID Provider is behind `oidc`.
//! Missing tools fail a test, naming the package to install, rather than skipping it.

pub mod canary;
pub mod clamd;
#[cfg(feature = "store")]
pub mod conformance;
#[cfg(feature = "oidc")]
pub mod oidc;
pub mod postgres;
pub mod process;
pub mod proxy;
#[cfg(feature = "store")]
pub mod seaweed;
#[cfg(feature = "store")]
pub mod store;
