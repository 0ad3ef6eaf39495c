//! The shared table of recipient input (tests/data/recipients.json): kepil-client's answers.
//! ui/src/test/recipients.test.ts runs the same table through the UI's pre-check.

use kepil_client::recipients::{is_valid_email, normalise_phone};

fn table() -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/recipients.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn emails_agree_with_the_table() {
    for case in table()["emails"].as_array().unwrap() {
        let input = case["input"].as_str().unwrap();
        let valid = case["valid"].as_bool().unwrap();
        assert_eq!(is_valid_email(input), valid, "{input:?}");
    }
}

#[test]
fn phones_agree_with_the_table() {
    for case in table()["phones"].as_array().unwrap() {
        let input = case["input"].as_str().unwrap();
        let expected = case["normalised"].as_str();
        assert_eq!(normalise_phone(input).as_deref(), expected, "{input:?}");
    }
}
