//! How long to wait before trying a request again: exponential from 500 ms (KEPIL_RETRY_BASE_MS
//! in tests), at most 30 s; and which answers are worth it. One rule for the store's uploads and
//! downloads and the SMS gateway.

use std::time::Duration;

/// The pause before retry number `attempt + 1`.
pub fn delay(attempt: u32) -> Duration {
    let base_ms: u64 = std::env::var("KEPIL_RETRY_BASE_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    Duration::from_millis(base_ms.saturating_mul(1 << attempt.min(6))).min(Duration::from_secs(30))
}

/// HTTP answers worth another try: a timeout, too many requests, or a server or gateway that
/// is failing, restarting or overloaded.
pub fn transient_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}
