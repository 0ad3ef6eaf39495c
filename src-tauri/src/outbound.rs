//! What leaves the app for the recipient, besides the link itself: the `mailto:` draft (link
//! and instructions, never the password), the SMS text (password only, never the link), and the
//! password's QR code.

use kepil_client::settings::MailComposer;
use kepil_core::message::Lang;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// RFC 6068: everything but unreserved characters is encoded in mailto components.
const MAILTO: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The email's instructions in both languages. A link with a password says the password comes
/// by another channel; a TERBUKA link (no password) says none is needed.
pub fn email_body(link: &str, classification: &str, expires: &str, has_password: bool) -> String {
    let (ms_pw, en_pw) = if has_password {
        (
            "Kata laluan TIDAK disertakan dalam e-mel ini. Pengirim akan memberikannya melalui \
             saluran lain (SMS atau telefon). Jangan balas e-mel ini untuk memintanya.",
            "The password is NOT in this email. The sender will give it to you by another \
             channel (SMS or phone). Do not reply to this email to ask for it.",
        )
    } else {
        (
            "Tiada kata laluan diperlukan: lampiran TERBUKA ini dibuka dengan pautan sahaja.",
            "No password is needed: this TERBUKA attachment opens with the link alone.",
        )
    };
    format!(
        "[BM]\r\n\
Anda menerima lampiran {classification} melalui Kepil.\r\n\
1. Buka pautan ini dalam aplikasi Kepil: {link}\r\n\
2. {ms_pw}\r\n\
3. Pautan tamat pada {expires}.\r\n\
\r\n\
[EN]\r\n\
You have received a {classification} attachment through Kepil.\r\n\
1. Open this link in the Kepil app: {link}\r\n\
2. {en_pw}\r\n\
3. The link expires on {expires}.\r\n"
    )
}

/// What the email draft is made of. Takes no password on purpose.
pub struct Email<'a> {
    pub to: &'a str,
    pub link: &'a str,
    pub classification: &'a str,
    pub expires: &'a str,
    pub has_password: bool,
    /// The sealed subject, only when the sender chose to put it in the plain email subject
    /// (mail servers, gateways and archives see that line in the clear).
    pub subject: Option<&'a str>,
}

// The link carries its secret in the fragment: Debug shows neither it nor the subject.
impl std::fmt::Debug for Email<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Email")
            .field("to", &self.to)
            .field("link", &"<redacted>")
            .field("classification", &self.classification)
            .field("has_password", &self.has_password)
            .field("subject", &self.subject.map(|_| "<sealed>"))
            .finish()
    }
}

/// The email's subject line: neutral ("Kepil: lampiran SULIT / SULIT attachment") unless the
/// sender chose to add the sealed subject.
fn subject_line(e: &Email<'_>) -> String {
    let classification = e.classification;
    match e.subject.map(str::trim) {
        Some(s) if !s.is_empty() => format!("[{classification}] {s}"),
        _ => format!("Kepil: lampiran {classification} / {classification} attachment"),
    }
}

/// `mailto:` with recipient, subject and body, for the desktop's mail program.
pub fn mailto(e: &Email<'_>) -> String {
    let enc = |s: &str| utf8_percent_encode(s, MAILTO).to_string();
    format!(
        "mailto:{}?subject={}&body={}",
        enc(e.to.trim()),
        enc(&subject_line(e)),
        enc(&email_body(
            e.link,
            e.classification,
            e.expires,
            e.has_password
        ))
    )
}

/// The draft in the mail system the sender uses: Gmail's and Outlook on the web's documented
/// compose addresses, or `mailto:`. The web drafts carry the body in the address's query, as
/// typing it into the page would put it on the mail provider's servers; the password is never
/// in it.
pub fn compose_url(composer: MailComposer, e: &Email<'_>) -> String {
    let enc = |s: &str| utf8_percent_encode(s, MAILTO).to_string();
    let body = email_body(e.link, e.classification, e.expires, e.has_password);
    match composer {
        MailComposer::System => mailto(e),
        MailComposer::Gmail => format!(
            "https://mail.google.com/mail/?view=cm&fs=1&tf=1&to={}&su={}&body={}",
            enc(e.to.trim()),
            enc(&subject_line(e)),
            enc(&body)
        ),
        MailComposer::Outlook => format!(
            "https://outlook.office.com/mail/deeplink/compose?to={}&subject={}&body={}",
            enc(e.to.trim()),
            enc(&subject_line(e)),
            enc(&body)
        ),
    }
}

/// The SMS text: the password and what it is for, never the link (it goes by email), the
/// subject or the files' names (an SMS crosses the operator's network in the clear).
pub fn sms_text(password: &str, lang: Lang) -> String {
    match lang {
        Lang::Ms => {
            format!("Kepil: kata laluan lampiran ialah {password}. Pautan dihantar melalui e-mel.")
        }
        Lang::En => {
            format!(
                "Kepil: the password for the attachment is {password}. The link comes by email."
            )
        }
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

    fn email<'a>(subject: Option<&'a str>, has_password: bool) -> Email<'a> {
        Email {
            to: "a@b.gov.my",
            link: "https://s/t/ID#SECRET",
            classification: "SULIT",
            expires: "2026-12-01",
            has_password,
            subject,
        }
    }

    #[test]
    fn mailto_carries_link_and_instructions_encoded_under_a_neutral_subject() {
        let url = mailto(&email(None, true));
        assert!(
            url.starts_with(
                "mailto:a%40b.gov.my?subject=Kepil%3A%20lampiran%20SULIT%20%2F%20SULIT%20attachment&body="
            ),
            "{url}"
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
    fn the_sealed_subject_goes_in_the_subject_line_only_when_chosen() {
        let url = mailto(&email(Some("Minit & nota"), true));
        assert!(
            url.starts_with("mailto:a%40b.gov.my?subject=%5BSULIT%5D%20Minit%20%26%20nota&body="),
            "{url}"
        );
        // An empty subject chosen is still the neutral line.
        assert!(mailto(&email(Some("  "), true)).contains("subject=Kepil%3A%20lampiran"));
    }

    #[test]
    fn gmail_and_outlook_on_the_web_get_their_compose_addresses_with_the_same_draft() {
        let e = email(None, true);
        let gmail = compose_url(MailComposer::Gmail, &e);
        assert!(
            gmail.starts_with(
                "https://mail.google.com/mail/?view=cm&fs=1&tf=1&to=a%40b.gov.my&su=Kepil%3A%20lampiran%20SULIT"
            ),
            "{gmail}"
        );
        let outlook = compose_url(MailComposer::Outlook, &e);
        assert!(
            outlook.starts_with(
                "https://outlook.office.com/mail/deeplink/compose?to=a%40b.gov.my&subject=Kepil%3A%20lampiran%20SULIT"
            ),
            "{outlook}"
        );
        for url in [&gmail, &outlook] {
            let (_, query) = url.split_once('?').unwrap();
            // One query, its values encoded: the link's `#` and `&` cannot end it early.
            assert!(!query.contains('#'), "{url}");
            let decoded: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
            let body = &decoded.iter().find(|(k, _)| k == "body").unwrap().1;
            assert!(body.contains("https://s/t/ID#SECRET"), "{body}");
            assert!(body.contains("NOT in this email"), "{body}");
        }
        assert_eq!(compose_url(MailComposer::System, &e), mailto(&e));
    }

    #[test]
    fn a_terbuka_email_says_no_password_is_needed() {
        let url = mailto(&email(None, false));
        let decoded = percent_encoding::percent_decode_str(&url)
            .decode_utf8()
            .unwrap();
        assert!(decoded.contains("No password is needed"), "{decoded}");
        assert!(
            decoded.contains("Tiada kata laluan diperlukan"),
            "{decoded}"
        );
        assert!(!decoded.contains("NOT in this email"), "{decoded}");
    }

    #[test]
    fn the_sms_holds_the_password_and_nothing_about_the_files() {
        let text = sms_text("ABCD-EFGH-JKMN-PQRS", Lang::En);
        assert!(text.contains("ABCD-EFGH-JKMN-PQRS"));
        assert!(!text.contains("http"), "{text}");
    }

    #[test]
    fn qr_is_svg() {
        let svg = qr_svg("ABCD-EFGH-JKMN-PQRS").unwrap();
        assert!(svg.contains("<svg"));
    }
}
