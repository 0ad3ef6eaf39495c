//! Test support shared by the workspace's tests, never shipped: the storage conformance suite
//! every backend must pass, a real store on loopback and its HTTP helpers, and real PostgreSQL
//! and SeaweedFS (S3) servers as fixtures. Missing tools fail a test, naming the package to
//! install, rather than skipping it.

pub mod canary;
pub mod conformance;
pub mod postgres;
pub mod seaweed;
pub mod store;
