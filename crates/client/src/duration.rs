//! Human durations for expiries: `3d`, `12h`, `90m`, `45s`, `1w`, or combinations like `1d12h`.

use std::time::Duration;

/// Parses `3d`, `12h`, `90m`, `30s`, `2w` and concatenations (`1d12h`). A bare number is refused
/// because "3" could mean days or hours and an expiry must not be guessed.
pub fn parse(text: &str) -> Option<Duration> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    for ch in text.chars() {
        if ch.is_ascii_digit() {
            number.push(ch);
            continue;
        }
        let unit: u64 = match ch.to_ascii_lowercase() {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return None,
        };
        let value: u64 = number.parse().ok()?;
        number.clear();
        total = total.checked_add(value.checked_mul(unit)?)?;
    }
    if !number.is_empty() || total == 0 {
        return None;
    }
    Some(Duration::from_secs(total))
}

/// The inverse for messages: the largest whole unit up to days (`7d`, `36h`, `90m`).
pub fn format(secs: u64) -> String {
    for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60)] {
        if secs >= size && secs.is_multiple_of(size) {
            return format!("{}{unit}", secs / size);
        }
    }
    format!("{secs}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_combinations() {
        assert_eq!(parse("3d"), Some(Duration::from_secs(3 * 86_400)));
        assert_eq!(parse("12h"), Some(Duration::from_secs(12 * 3600)));
        assert_eq!(parse("90m"), Some(Duration::from_secs(90 * 60)));
        assert_eq!(parse("1d12h"), Some(Duration::from_secs(36 * 3600)));
        assert_eq!(parse(" 2W "), Some(Duration::from_secs(2 * 604_800)));
    }

    #[test]
    fn refuses_ambiguous_or_empty() {
        for bad in ["", "3", "d", "3x", "0d", "-1d", "99999999999999999999d"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_whole_units() {
        assert_eq!(format(3 * 86_400), "3d");
        assert_eq!(format(36 * 3600), "36h");
        assert_eq!(format(61), "61s");
        assert_eq!(format(1_209_600), "14d");
    }
}
