//! What leaves the app for the recipient, besides the link itself: the `mailto:` draft (link
//! and instructions, never the password), the SMS text (password only, never the link), and the
//! password's QR code.

use kepil_core::message::Lang;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// RFC 6068: everything but unreserved characters is encoded in mailto components.
const MAILTO: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub fn email_body(link: &str, classification: &str, expires: &str) -> String {
    format!(
        "[BM]\r\n\
Anda menerima lampiran {classification} melalui Kepil.\r\n\
1. Buka pautan ini dalam aplikasi Kepil: {link}\r\n\
2. Kata laluan TIDAK disertakan dalam e-mel ini. Pengirim akan memberikannya melalui saluran \
lain (SMS atau telefon). Jangan balas e-mel ini untuk memintanya.\r\n\
3. Pautan tamat pada {expires}.\r\n\
\r\n\
[EN]\r\n\
You have received a {classification} attachment through Kepil.\r\n\
1. Open this link in the Kepil app: {link}\r\n\
2. The password is NOT in this email. The sender will give it to you by another channel \
(SMS or phone). Do not reply to this email to ask for it.\r\n\
3. The link expires on {expires}.\r\n"
    )
}

/// `mailto:` with recipient, subject and body. Takes no password argument on purpose.
pub fn mailto(to: &str, subject: &str, link: &str, classification: &str, expires: &str) -> String {
    let subject = if subject.trim().is_empty() {
        format!("[{classification}] Kepil")
    } else {
        format!("[{classification}] {subject}")
    };
    let enc = |s: &str| utf8_percent_encode(s, MAILTO).to_string();
    format!(
        "mailto:{}?subject={}&body={}",
        enc(to.trim()),
        enc(&subject),
        enc(&email_body(link, classification, expires))
    )
}

/// The SMS text: the password and what it is for, no link (the link goes by email).
pub fn sms_text(password: &str, subject: &str, lang: Lang) -> String {
    let about = if subject.trim().is_empty() {
        String::new()
    } else {
        format!(" ({})", subject.trim())
    };
    match lang {
        Lang::Ms => format!(
            "Kepil: kata laluan lampiran{about} ialah {password}. Pautan dihantar melalui e-mel."
        ),
        Lang::En => format!(
            "Kepil: the password for the attachment{about} is {password}. The link comes by email."
        ),
    }
}

/// SVG markup of a QR code of `text` (medium error correction).
pub fn qr_svg(text: &str) -> Result<String, qrcode::types::QrError> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M)?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailto_carries_link_and_instructions_encoded() {
        let url = mailto(
            "a@b.gov.my",
            "Minit & nota",
            "https://s/t/ID#SECRET",
            "SULIT",
            "2026-12-01",
        );
        assert!(
            url.starts_with("mailto:a%40b.gov.my?subject=%5BSULIT%5D%20Minit%20%26%20nota&body=")
        );
        assert!(!url.contains('#'), "the fragment must be encoded");
        let decoded = percent_encoding::percent_decode_str(&url)
            .decode_utf8()
            .unwrap();
        assert!(decoded.contains("https://s/t/ID#SECRET"));
        assert!(decoded.contains("TIDAK disertakan"));
        assert!(decoded.contains("NOT in this email"));
    }

    #[test]
    fn qr_is_svg() {
        let svg = qr_svg("ABCD-EFGH-JKMN-PQRS").unwrap();
        assert!(svg.contains("<svg"));
    }
}
