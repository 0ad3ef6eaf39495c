//! What `kepil` prints: human text on stderr/stdout, or JSON only on stdout with `--json`.

use std::process::ExitCode;

use kepil_client::ReceiveWarning;
use kepil_client::manage::OwnedTransfer;
use kepil_client::receive::{SenderCheck, ToSave, Trust};
use kepil_client::scan::{EngineInfo, NotScanned, Scanning};
use kepil_client::send::Sent;
use kepil_client::signin::{SignedIn, SignedOut};
use kepil_client::store_trust::{Standing, StoreView};
use kepil_core::message::{Coded, Lang};
use kepil_core::package::{Manifest, SavedFile, SenderScan};
use kepil_core::text::{visible, visible_clipped, visible_multiline};
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
#[derive(Debug, Clone)]
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
            | "transfer_id_invalid"
            | "bad_certificate" => 2,
            "classification_refused"
            | "package_classification_refused"
            | "classification_not_accepted"
            | "expiry_too_long"
            | "too_many_downloads"
            | "too_large"
            | "quota_exceeded"
            | "sign_in_required"
            | "token_not_allowed"
            | "provider_locked"
            | "policy_invalid"
            | "policy_unprotected"
            | "store_locked" => 3,
            "wrong_password" | "locked" | "password_required" | "password_invalid" => 4,
            "unavailable" | "expired" | "revoked" | "used_up" | "not_ready"
            | "unknown_transfer" | "no_owner_token" | "unknown_recipient" | "recipient_needed" => 5,
            "network"
            | "certificate_untrusted"
            | "upload_interrupted"
            | "rate_limited"
            | "http_error"
            | "answer_too_large"
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
    // The params already come marked; this is the last line of defence for a terminal.
    eprintln!("kepil: {} [{}]", visible(&message), failure.code);
    ExitCode::from(failure.exit_code())
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
            json!({
                "transfer": sent.transfer_id,
                "expires_at": rfc3339(sent.expires_at),
                "recipients": recipients,
                "scan": sent.scan.as_ref().map(scan_json),
            })
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
    println!("{}", sent_scan_line(sent.scan.as_ref(), lang));
    for r in &sent.recipients {
        println!();
        println!(
            "{} {}",
            t(lang, "Penerima:", "Recipient:"),
            visible(&r.recipient)
        );
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

/// The engine and its signatures, as a line shows them (a sender's text, made inert).
fn engine_text(engine: &EngineInfo) -> String {
    visible_clipped(&engine.to_string(), 120)
}

fn scan_json(scan: &SenderScan) -> serde_json::Value {
    json!({
        "engine": scan.engine,
        "signatures": scan.signatures,
        "signatures_date": scan.signatures_date.map(rfc3339),
        "scanned_at": rfc3339(scan.scanned_at),
    })
}

/// After a send: every file clean, or plainly not scanned (MyGovUC guideline 3.2 A ii 7).
fn sent_scan_line(scan: Option<&SenderScan>, lang: Lang) -> String {
    match scan {
        Some(s) => {
            let engine = engine_text(&s.into());
            t(
                lang,
                &format!("Imbasan perisian hasad: bersih ({engine})"),
                &format!("Malware scan: clean ({engine})"),
            )
        }
        None => t(
            lang,
            "Imbasan perisian hasad: TIDAK diimbas (tiada pengimbas pada komputer ini)",
            "Malware scan: NOT scanned (no scanner on this computer)",
        ),
    }
}

/// What the package says of the sender's scan: the sender's word, like the rest of it.
fn sender_scan_line(scan: Option<&SenderScan>, lang: Lang) -> String {
    match scan {
        Some(s) => {
            let engine = engine_text(&s.into());
            let at = rfc3339(s.scanned_at);
            t(
                lang,
                &format!("Imbasan di pihak penghantar: bersih, {at} ({engine})"),
                &format!("Scanned by the sender's agency: clean, {at} ({engine})"),
            )
        }
        None => t(
            lang,
            "Imbasan di pihak penghantar: tiada (tidak diimbas oleh penghantar)",
            "Scanned by the sender's agency: no (not scanned by the sender)",
        ),
    }
}

/// What this computer does before saving.
pub fn local_scan_line(scanning: &Scanning, lang: Lang) -> String {
    match scanning {
        Scanning::On { engine, .. } => {
            let engine = engine_text(engine);
            t(
                lang,
                &format!("Diimbas di komputer ini sebelum disimpan: {engine}"),
                &format!("Scanned on this computer before saving: {engine}"),
            )
        }
        Scanning::Off(NotScanned::NoScanner) => t(
            lang,
            "TIDAK diimbas di komputer ini: tiada pengimbas perisian hasad dikonfigurasi",
            "NOT scanned on this computer: no malware scanner is configured",
        ),
        Scanning::Off(NotScanned::Unavailable(e)) => {
            let why = visible(&e.message(lang));
            t(
                lang,
                &format!("TIDAK diimbas di komputer ini: {why}"),
                &format!("NOT scanned on this computer: {why}"),
            )
        }
    }
}

/// Longest a sender's or a store's one-line field is shown (a sender, a subject, a name).
const FIELD_CHARS: usize = 300;

/// The store the link led to, in human terms: the policy's name for it, its host, and why it
/// was contacted.
fn store_line(store: &StoreView, lang: Lang) -> String {
    let host = visible(&store.host);
    let shown = match &store.name {
        Some(name) => format!("{} ({host})", visible_clipped(name, FIELD_CHARS)),
        None => host,
    };
    match store.standing {
        Standing::Trusted => t(
            lang,
            &format!("Stor: {shown}, dipercayai oleh komputer ini"),
            &format!("Store: {shown}, trusted by this computer"),
        ),
        Standing::Local => t(
            lang,
            &format!("Stor: {shown}, stor tempatan komputer ini"),
            &format!("Store: {shown}, this computer's local store"),
        ),
        Standing::Unknown | Standing::Refused => t(
            lang,
            &format!("Stor: {shown}, TIDAK dikenali oleh komputer ini (anda membenarkannya)"),
            &format!("Store: {shown}, NOT known to this computer (you allowed it)"),
        ),
    }
}

/// Who sent it: what the store vouches for, then (apart) what the package claims.
fn sender_lines(trust: &Trust, lang: Lang) -> Vec<String> {
    let store = visible_clipped(&trust.store, FIELD_CHARS);
    let mut out = vec![];
    match &trust.verified_sender {
        Some(id) => {
            let who = match &id.name {
                Some(name) => format!(
                    "{} <{}>",
                    visible_clipped(name, FIELD_CHARS),
                    visible_clipped(&id.email, FIELD_CHARS)
                ),
                None => visible_clipped(&id.email, FIELD_CHARS),
            };
            out.push(if trust.is_service_token() {
                t(
                    lang,
                    &format!("Dihantar oleh akaun token perkhidmatan {who} — disahkan oleh stor {store}"),
                    &format!("Sent by the account of a service token, {who} — verified by the store {store}"),
                )
            } else {
                t(
                    lang,
                    &format!("Dihantar oleh {who} — disahkan oleh stor {store}"),
                    &format!("Sent by {who} — verified by the store {store}"),
                )
            });
        }
        None => out.push(t(
            lang,
            &format!("Penghantar: tidak disahkan oleh stor {store}"),
            &format!("Sender: not verified by the store {store}"),
        )),
    }
    let claimed = visible_clipped(&trust.sealed_sender, FIELD_CHARS);
    out.push(match trust.sender_check() {
        SenderCheck::Matches => t(
            lang,
            &format!("Daripada (seperti dalam pakej): {claimed}"),
            &format!("From (as the package says): {claimed}"),
        ),
        SenderCheck::Differs | SenderCheck::Unverified => t(
            lang,
            &format!("Daripada (dakwaan pakej, tidak disahkan): {claimed}"),
            &format!("From (the package's claim, not verified): {claimed}"),
        ),
    });
    out
}

/// What the recipient sees before deciding: the classification to handle the files as, the
/// sender as the store verified it and as the package claims it, the subject and message, and
/// the files under the names they will be saved with (a name that differs from the package's
/// is followed by the package's, its hidden characters shown as `<U+XXXX>`).
pub fn show_manifest(
    m: &Manifest,
    trust: &Trust,
    files: &[ToSave],
    dir: &std::path::Path,
    scanning: &Scanning,
    store: &StoreView,
    lang: Lang,
) {
    crate::progress::clear();
    let w = &mut std::io::stderr();
    use std::io::Write;
    let shown = trust.classification();
    let classification = if trust.classification_differs() {
        t(
            lang,
            &format!(
                "{} (pakej: {}, stor: {})",
                shown.as_str(),
                trust.sealed_classification.as_str(),
                trust.declared_classification.as_str()
            ),
            &format!(
                "{} (package: {}, store: {})",
                shown.as_str(),
                trust.sealed_classification.as_str(),
                trust.declared_classification.as_str()
            ),
        )
    } else {
        shown.as_str().to_owned()
    };
    let _ = writeln!(
        w,
        "{} {classification}",
        t(lang, "Klasifikasi:", "Classification:")
    );
    let _ = writeln!(w, "{}", store_line(store, lang));
    for line in sender_lines(trust, lang) {
        let _ = writeln!(w, "{line}");
    }
    let _ = writeln!(w, "{}", sender_scan_line(m.scan.as_ref(), lang));
    let _ = writeln!(w, "{}", local_scan_line(scanning, lang));
    if !m.subject.is_empty() {
        let _ = writeln!(
            w,
            "{} {}",
            t(lang, "Perkara:", "Subject:"),
            visible_clipped(&m.subject, FIELD_CHARS)
        );
    }
    if !m.message.is_empty() {
        let _ = writeln!(
            w,
            "{} {}",
            t(lang, "Mesej:", "Message:"),
            visible_multiline(&m.message)
        );
    }
    let dir = visible(&dir.display().to_string());
    let _ = writeln!(
        w,
        "{}",
        t(
            lang,
            &format!("Fail (akan disimpan dalam {dir} sebagai):"),
            &format!("Files (to be saved in {dir} as):"),
        )
    );
    for f in files {
        let mark = if f.danger.is_some() { "  (!)" } else { "" };
        let _ = writeln!(
            w,
            "  {}  ({}){mark}",
            visible(&f.saved_as),
            human_size(f.size)
        );
        if f.name != f.saved_as {
            let _ = writeln!(
                w,
                "      {} {}",
                t(lang, "nama dalam pakej:", "name in the package:"),
                visible_clipped(&f.name, FIELD_CHARS)
            );
        }
    }
}

/// Each warning on stderr, before the question (and with `--yes`, before saving).
pub fn show_warnings(warnings: &[ReceiveWarning], lang: Lang) {
    crate::progress::clear();
    let label = t(lang, "AMARAN", "WARNING");
    for warning in warnings {
        eprintln!("kepil: {label}: {}", visible(&warning.message(lang)));
    }
}

pub fn print_saved(
    manifest: &Manifest,
    trust: &Trust,
    warnings: &[ReceiveWarning],
    saved: &[SavedFile],
    scanning: &Scanning,
    lang: Lang,
    json: bool,
) {
    if json {
        let files: Vec<_> = saved
            .iter()
            .map(|s| json!({"name": s.name, "path": s.path, "size": s.size}))
            .collect();
        let warnings: Vec<_> = warnings
            .iter()
            .map(|w| {
                let params: serde_json::Map<String, serde_json::Value> = w
                    .params()
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), json!(v)))
                    .collect();
                json!({"code": w.code(), "message": w.message(lang), "params": params})
            })
            .collect();
        let verified = trust
            .verified_sender
            .as_ref()
            .map(|id| json!({"email": id.email, "name": id.name, "provider": id.provider}));
        println!(
            "{}",
            json!({
                "classification": trust.classification().as_str(),
                "sealed_classification": trust.sealed_classification.as_str(),
                "declared_classification": trust.declared_classification.as_str(),
                "sender": manifest.sender,
                "verified_sender": verified,
                "store": trust.store,
                "subject": manifest.subject,
                "message": manifest.message,
                "files": files,
                "warnings": warnings,
                "sender_scan": manifest.scan.as_ref().map(scan_json),
                "scanned_here": scanning.engine().map(|e| json!({
                    "engine": e.engine,
                    "signatures": e.signatures,
                    "signatures_date": e.signatures_date.map(rfc3339),
                })),
            })
        );
        return;
    }
    for s in saved {
        println!(
            "{} {}",
            t(lang, "Disimpan:", "Saved:"),
            visible(&s.path.display().to_string())
        );
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
        let locked = g.locked && !g.revoked && !status.expired;
        println!(
            "  {}  {} {}/{}  {} {}  {}",
            visible_clipped(&g.label, FIELD_CHARS),
            t(lang, "muat turun", "downloads"),
            g.downloads,
            g.max_downloads,
            t(lang, "cubaan gagal", "failed tries"),
            g.failed_proofs,
            flags.join(", ")
        );
        if locked {
            println!(
                "    {} kepil unlock {} --recipient {}",
                t(
                    lang,
                    "Jika cubaan itu milik penerima (semak melalui telefon):",
                    "If the tries were the recipient's (check by phone):"
                ),
                status.transfer_id,
                g.grant_id
            );
        }
    }
}

pub fn print_unlocked(owned: &OwnedTransfer, grant: &str, lang: Lang, json: bool) {
    if json {
        println!(
            "{}",
            json!({"transfer": owned.entry.transfer_id, "unlocked": grant})
        );
        return;
    }
    let label = owned
        .entry
        .recipients
        .iter()
        .find(|r| r.grant_id == grant)
        .map_or(grant, |r| r.label.as_str());
    println!(
        "{} {} {}",
        t(lang, "Dibuka kunci:", "Unlocked:"),
        visible(label),
        t(
            lang,
            "(pautan dan kata laluan yang sama; cubaan bermula semula)",
            "(same link and password; the tries start again)"
        )
    );
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
        println!("{} {}", t(lang, "Dibatalkan:", "Revoked:"), visible(label));
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
        Some(name) => format!(
            "{} <{}>",
            visible_clipped(name, FIELD_CHARS),
            visible_clipped(&signed.identity.email, FIELD_CHARS)
        ),
        None => visible_clipped(&signed.identity.email, FIELD_CHARS),
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
    let email = visible_clipped(&identity.email, FIELD_CHARS);
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
        .map(|n| format!(" ({})", visible_clipped(n, FIELD_CHARS)))
        .unwrap_or_default();
    println!(
        "{} {}{name}",
        t(lang, "Identiti:", "Identity:"),
        visible_clipped(&identity.email, FIELD_CHARS)
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
            visible_clipped(&s.sender, FIELD_CHARS),
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
