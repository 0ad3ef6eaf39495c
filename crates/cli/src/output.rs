//! What `kepil` prints: human text on stderr/stdout, or JSON only on stdout with `--json`.

use std::process::ExitCode;

use kepil_client::manage::OwnedTransfer;
use kepil_client::send::Sent;
use kepil_client::signin::{SignedIn, SignedOut};
use kepil_core::message::{Coded, Lang};
use kepil_core::package::{Manifest, SavedFile};
use kepil_protocol::TransferStatus;
use kepil_protocol::identity::{AdminOutcome, CredentialKind, TransferSummary, Whoami};
use serde_json::json;

pub fn t(lang: Lang, ms: &str, en: &str) -> String {
    match lang {
        Lang::Ms => ms.to_string(),
        Lang::En => en.to_string(),
    }
}

/// An error ready to print in either language, with its exit code: a code and its params,
/// worded by the message catalogue (i18n/<lang>/*.ftl) when printed.
#[derive(Debug)]
pub struct Failure {
    code: String,
    params: Vec<(&'static str, String)>,
}

impl Failure {
    pub fn new(error: &dyn Coded) -> Failure {
        Failure {
            code: error.code().to_string(),
            params: error.params(),
        }
    }

    /// One of the CLI's own codes (messages in i18n/<lang>/cli.ftl).
    pub fn coded(code: &str, params: Vec<(&'static str, String)>) -> Failure {
        Failure {
            code: code.to_string(),
            params,
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        kepil_core::catalogue::describe(lang, &self.code, &self.params)
    }

    /// Exit codes (documented in docs/cli.md): scripts branch on these.
    pub fn exit_code(&self) -> u8 {
        match self.code.as_str() {
            "bad_duration"
            | "no_terminal"
            | "empty_token"
            | "no_files"
            | "no_recipients"
            | "duplicate_recipient"
            | "recipient_invalid"
            | "classification_unknown"
            | "link_invalid"
            | "bad_store_url"
            | "no_store"
            | "no_token"
            | "nothing_to_resume"
            | "resume_ambiguous"
            | "bad_config_file"
            | "not_signed_in"
            | "sign_in_unavailable"
            | "provider_unknown"
            | "provider_choice"
            | "sign_in_bad_redirect"
            | "sender_mismatch"
            | "transfer_id_invalid" => 2,
            "classification_refused"
            | "classification_not_accepted"
            | "expiry_too_long"
            | "too_many_downloads"
            | "too_large"
            | "quota_exceeded"
            | "sign_in_required"
            | "token_not_allowed"
            | "provider_locked"
            | "policy_invalid" => 3,
            "wrong_password" | "locked" | "password_required" | "password_invalid" => 4,
            "unavailable" | "expired" | "revoked" | "used_up" | "not_ready"
            | "unknown_transfer" | "no_owner_token" | "unknown_recipient" => 5,
            "network"
            | "upload_interrupted"
            | "rate_limited"
            | "http_error"
            | "provider_unreachable"
            | "provider_discovery" => 6,
            c if c.starts_with("decrypt")
                || c.starts_with("package")
                || c.contains("integrity")
                || c.contains("tamper")
                || c.contains("hash") =>
            {
                7
            }
            "cancelled" | "declined" | "sign_in_cancelled" => 10,
            _ if self.code.starts_with("password") => 4,
            _ if self.code.starts_with("link") => 2,
            _ => 1,
        }
    }
}

pub fn fail(failure: &Failure, lang: Lang, json: bool) -> ExitCode {
    crate::progress::clear();
    let message = failure.message(lang);
    if json {
        let params: serde_json::Map<String, serde_json::Value> = failure
            .params
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        println!(
            "{}",
            json!({"error": {"code": failure.code, "message": message, "params": params}})
        );
    }
    eprintln!("kepil: {message} [{}]", failure.code);
    ExitCode::from(failure.exit_code())
}

/// Manifest text comes from the sender and may hold terminal escapes; they are shown inert.
pub fn clean(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

pub fn print_sent(sent: &Sent, lang: Lang, json: bool) {
    crate::progress::clear();
    if json {
        let recipients: Vec<_> = sent
            .recipients
            .iter()
            .map(|r| {
                json!({
                    "recipient": r.recipient,
                    "link": r.link.expose(),
                    "password": r.password.as_ref().map(|p| p.expose()),
                })
            })
            .collect();
        println!(
            "{}",
            json!({"transfer": sent.transfer_id, "expires_at": rfc3339(sent.expires_at), "recipients": recipients})
        );
        return;
    }
    println!(
        "{} {}",
        t(lang, "Pemindahan:", "Transfer:"),
        sent.transfer_id
    );
    println!(
        "{} {}",
        t(lang, "Luput:", "Expires:"),
        rfc3339(sent.expires_at)
    );
    for r in &sent.recipients {
        println!();
        println!("{} {}", t(lang, "Penerima:", "Recipient:"), r.recipient);
        println!(
            "  {} {}",
            t(lang, "Pautan (e-mel):", "Link (email):"),
            r.link.expose()
        );
        match &r.password {
            Some(p) => println!(
                "  {} {}",
                t(
                    lang,
                    "Kata laluan (SMS/telefon, JANGAN dalam e-mel):",
                    "Password (SMS/phone, NOT in the email):"
                ),
                p.expose()
            ),
            None => println!(
                "  {}",
                t(
                    lang,
                    "Tiada kata laluan (TERBUKA).",
                    "No password (TERBUKA)."
                )
            ),
        }
    }
}

pub fn show_manifest(m: &Manifest, lang: Lang) {
    crate::progress::clear();
    let w = &mut std::io::stderr();
    use std::io::Write;
    let _ = writeln!(
        w,
        "{} {}",
        t(lang, "Klasifikasi:", "Classification:"),
        m.classification.as_str()
    );
    let _ = writeln!(w, "{} {}", t(lang, "Daripada:", "From:"), clean(&m.sender));
    if !m.subject.is_empty() {
        let _ = writeln!(
            w,
            "{} {}",
            t(lang, "Perkara:", "Subject:"),
            clean(&m.subject)
        );
    }
    if !m.message.is_empty() {
        let _ = writeln!(w, "{} {}", t(lang, "Mesej:", "Message:"), clean(&m.message));
    }
    let _ = writeln!(w, "{}", t(lang, "Fail:", "Files:"));
    for f in &m.files {
        let _ = writeln!(w, "  {}  ({})", clean(&f.name), human_size(f.size));
    }
}

pub fn print_saved(manifest: &Manifest, saved: &[SavedFile], lang: Lang, json: bool) {
    if json {
        let files: Vec<_> = saved
            .iter()
            .map(|s| json!({"name": s.name, "path": s.path, "size": s.size}))
            .collect();
        println!(
            "{}",
            json!({
                "classification": manifest.classification.as_str(),
                "sender": manifest.sender,
                "subject": manifest.subject,
                "message": manifest.message,
                "files": files,
            })
        );
        return;
    }
    for s in saved {
        println!("{} {}", t(lang, "Disimpan:", "Saved:"), s.path.display());
    }
}

pub fn print_status(status: &TransferStatus, lang: Lang, json: bool) {
    if json {
        println!("{}", serde_json::to_string(status).unwrap_or_default());
        return;
    }
    println!(
        "{} {}",
        t(lang, "Pemindahan:", "Transfer:"),
        status.transfer_id
    );
    println!(
        "{} {}",
        t(lang, "Klasifikasi:", "Classification:"),
        status.classification.as_str()
    );
    println!("{} {}", t(lang, "Saiz:", "Size:"), human_size(status.size));
    println!(
        "{} {}",
        t(lang, "Luput:", "Expires:"),
        rfc3339(status.expires_at)
    );
    let state = if status.expired {
        t(lang, "luput", "expired")
    } else if status.upload_complete {
        t(lang, "sedia", "ready")
    } else {
        t(lang, "muat naik belum selesai", "upload not finished")
    };
    println!("{} {state}", t(lang, "Keadaan:", "State:"));
    for g in &status.grants {
        let mut flags = vec![];
        if g.revoked {
            flags.push(t(lang, "dibatalkan", "revoked"));
        }
        if g.locked {
            flags.push(t(lang, "dikunci", "locked"));
        }
        println!(
            "  {}  {} {}/{}  {} {}  {}",
            g.label,
            t(lang, "muat turun", "downloads"),
            g.downloads,
            g.max_downloads,
            t(lang, "cubaan gagal", "failed tries"),
            g.failed_proofs,
            flags.join(", ")
        );
    }
}

pub fn print_revoked(owned: &OwnedTransfer, revoked: &[String], lang: Lang, json: bool) {
    if json {
        println!(
            "{}",
            json!({"transfer": owned.entry.transfer_id, "revoked": revoked})
        );
        return;
    }
    for id in revoked {
        let label = owned
            .entry
            .recipients
            .iter()
            .find(|r| &r.grant_id == id)
            .map(|r| r.label.as_str())
            .unwrap_or(id.as_str());
        println!("{} {label}", t(lang, "Dibatalkan:", "Revoked:"));
    }
}

pub fn print_revoked_by_id(transfer_id: &str, lang: Lang, json: bool) {
    if json {
        println!("{}", json!({"transfer": transfer_id, "revoked": "all"}));
        return;
    }
    println!(
        "{} {transfer_id} {}",
        t(lang, "Dibatalkan:", "Revoked:"),
        t(lang, "(semua penerima)", "(every recipient)")
    );
}

pub fn print_signed_in(store: &url::Url, signed: &SignedIn, lang: Lang) {
    let who = match &signed.identity.name {
        Some(name) => format!("{} <{}>", clean(name), signed.identity.email),
        None => signed.identity.email.clone(),
    };
    let until = rfc3339(signed.expires_at);
    let (renew_ms, renew_en) = if signed.renewable {
        ("dan diperbaharui sendiri", "and renews itself")
    } else {
        ("; log masuk semula selepas itu", "; sign in again then")
    };
    eprintln!(
        "{}",
        t(
            lang,
            &format!(
                "Log masuk ke {store} sebagai {who} ({}). Sesi sah hingga {until} {renew_ms}. Disimpan ({}).",
                signed.provider, signed.saved_to
            ),
            &format!(
                "Signed in to {store} as {who} ({}). The session lasts until {until} {renew_en}. Saved ({}).",
                signed.provider, signed.saved_to
            ),
        )
    );
}

pub fn print_signed_out(store: &url::Url, out: &SignedOut, lang: Lang) {
    let Some(identity) = &out.identity else {
        eprintln!(
            "{}",
            t(
                lang,
                &format!("Tiada log masuk ke {store}; tiada apa-apa untuk dilupakan."),
                &format!("Not signed in to {store}; nothing to forget."),
            )
        );
        return;
    };
    let email = &identity.email;
    eprintln!(
        "{}",
        t(
            lang,
            &format!(
                "{email} telah log keluar dari {store}; sesi dan token penyegar dilupakan di komputer ini."
            ),
            &format!(
                "{email} signed out of {store}; the session and the refresh token are forgotten on this computer."
            ),
        )
    );
    if let Some(e) = &out.store_error {
        eprintln!(
            "{}",
            t(
                lang,
                &format!(
                    "Stor tidak dapat dimaklumkan ({}): sesi di sana kekal sah sehingga tamat tempohnya.",
                    e.message(lang)
                ),
                &format!(
                    "The store could not be told ({}): the session there stays valid until it expires.",
                    e.message(lang)
                ),
            )
        );
    }
}

pub fn print_whoami(store: &url::Url, who: &Whoami, lang: Lang, json: bool) {
    if json {
        println!("{}", serde_json::to_string(who).unwrap_or_default());
        return;
    }
    let identity = &who.identity;
    let name = identity
        .name
        .as_deref()
        .map(|n| format!(" ({})", clean(n)))
        .unwrap_or_default();
    println!(
        "{} {}{name}",
        t(lang, "Identiti:", "Identity:"),
        identity.email
    );
    println!("{} {store}", t(lang, "Stor:", "Store:"));
    let how = match who.kind {
        CredentialKind::Session => format!(
            "{} {}",
            t(lang, "log masuk melalui", "signed in with"),
            identity.provider
        ),
        CredentialKind::Token => t(lang, "token mesin", "machine token"),
    };
    println!("{} {how}", t(lang, "Cara:", "How:"));
    let until = who
        .expires_at
        .map(rfc3339)
        .unwrap_or_else(|| t(lang, "tiada had", "no expiry"));
    println!("{} {until}", t(lang, "Sah hingga:", "Valid until:"));
    let admin = if who.admin {
        t(lang, "ya", "yes")
    } else {
        t(lang, "tidak", "no")
    };
    println!("{} {admin}", t(lang, "Pentadbir:", "Administrator:"));
}

pub fn print_transfers(list: &[TransferSummary], lang: Lang, json: bool) {
    if json {
        println!("{}", serde_json::to_string(list).unwrap_or_default());
        return;
    }
    if list.is_empty() {
        eprintln!(
            "{}",
            t(
                lang,
                "Tiada pemindahan yang masih hidup.",
                "No live transfers."
            )
        );
        return;
    }
    for s in list {
        let state = if s.upload_complete {
            t(lang, "sedia", "ready")
        } else {
            t(lang, "muat naik belum selesai", "upload not finished")
        };
        println!(
            "{}  {}  {}  {} {}  {} {}  {} {}  {}  {}",
            s.transfer_id,
            s.classification.as_str(),
            human_size(s.size),
            t(lang, "luput", "expires"),
            rfc3339(s.expires_at),
            s.grants,
            t(lang, "penerima", "recipients"),
            s.downloads,
            t(lang, "muat turun", "downloads"),
            state,
            clean(&s.sender),
        );
    }
}

pub fn print_admin_outcome(action: &str, out: &AdminOutcome, lang: Lang, json: bool) {
    if json {
        println!("{}", json!({"action": action, "changed": out.changed}));
        return;
    }
    let n = out.changed;
    let text = match action {
        "revoke" => t(
            lang,
            &format!("{n} pemindahan dibatalkan."),
            &format!("{n} transfer(s) revoked."),
        ),
        "disable" => t(
            lang,
            &format!("{n} identiti dilumpuhkan."),
            &format!("{n} identity disabled."),
        ),
        _ => t(
            lang,
            &format!("{n} identiti dibenarkan semula."),
            &format!("{n} identity enabled."),
        ),
    };
    println!("{text}");
}
