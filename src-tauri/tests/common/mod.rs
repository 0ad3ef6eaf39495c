//! Looking for secrets where they must not be: the shared canary checks.

#![allow(unused_imports)]

pub use kepil_test_support::canary::*;
