//! ui/src/lib/bindings.ts, generated from the Rust types of the IPC contract (ts-rs) and the
//! one command list (`COMMANDS`). tests/ipc_contract.rs fails when the committed file differs
//! from [`typescript`]; `KEPIL_BLESS=1 cargo test -p kepil-app --test ipc_contract` rewrites it.

use ts_rs::{Config, TS};

use crate::channel::{JobEvent, JobFailed};
use crate::commands::{
    account, app, deliver, files, history, interrupted, receive, scanning, send,
};
use crate::error::UiError;
use crate::meter::ProgressPayload;

/// The language codes the app speaks (`AppState.lang`, `SettingsRequest.lang`).
#[derive(Debug)]
pub(crate) struct Lang;

impl TS for Lang {
    type WithoutGenerics = Self;
    type OptionInnerType = Self;
    fn name(_: &Config) -> String {
        "Lang".to_string()
    }
    fn inline(_: &Config) -> String {
        "\"ms\" | \"en\"".to_string()
    }
    fn decl(cfg: &Config) -> String {
        format!("type Lang = {};", Self::inline(cfg))
    }
    fn decl_concrete(cfg: &Config) -> String {
        Self::decl(cfg)
    }
}

/// The whole of ui/src/lib/bindings.ts.
pub fn typescript() -> String {
    // serde_json writes u64 as a JSON number, not a BigInt.
    let cfg = Config::new().with_large_int("number");
    let decls = [
        Lang::decl(&cfg),
        UiError::decl(&cfg),
        app::StoreState::decl(&cfg),
        app::PolicyView::decl(&cfg),
        app::SecretsView::decl(&cfg),
        account::ProviderView::decl(&cfg),
        account::SessionView::decl(&cfg),
        account::AccountState::decl(&cfg),
        app::AppState::decl(&cfg),
        app::SettingsInput::decl(&cfg),
        files::PickedFile::decl(&cfg),
        send::ClassificationCheck::decl(&cfg),
        send::RecipientInput::decl(&cfg),
        send::SendInput::decl(&cfg),
        scanning::ScanView::decl(&cfg),
        scanning::LocalScanView::decl(&cfg),
        deliver::DeliveryView::decl(&cfg),
        send::SentRecipientView::decl(&cfg),
        send::SendDone::decl(&cfg),
        interrupted::InterruptedView::decl(&cfg),
        ProgressPayload::decl(&cfg),
        JobFailed::decl(&cfg),
        JobEvent::<()>::decl(&cfg),
        receive::StoreTrustView::decl(&cfg),
        receive::ReceiveInfo::decl(&cfg),
        receive::ManifestFile::decl(&cfg),
        receive::ManifestView::decl(&cfg),
        receive::VerifiedSender::decl(&cfg),
        receive::TrustView::decl(&cfg),
        receive::UnlockedView::decl(&cfg),
        receive::PickedFolder::decl(&cfg),
        receive::ReceiveDone::decl(&cfg),
        history::HistoryRecipientView::decl(&cfg),
        history::HistoryItem::decl(&cfg),
        account::SignInStarted::decl(&cfg),
        account::SignedOutView::decl(&cfg),
        account::AccountTransfer::decl(&cfg),
        kepil_protocol::TransferStatus::decl(&cfg),
        kepil_protocol::GrantStatus::decl(&cfg),
        crate::DeepLinkPayload::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from src-tauri (crate kepil-app) by ts-rs: do not edit. Regenerate with\n\
         // `KEPIL_BLESS=1 cargo test -p kepil-app --test ipc_contract`; see docs/app.md.\n\n",
    );
    out.push_str("/** Every command the webview may call (src-tauri/src/commands/list.rs). */\n");
    out.push_str("export const COMMANDS = [\n");
    for c in crate::COMMANDS {
        out.push_str(&format!("  '{c}',\n"));
    }
    out.push_str("] as const;\n\nexport type Command = (typeof COMMANDS)[number];\n");
    for d in decls {
        out.push('\n');
        out.push_str("export ");
        out.push_str(&d);
        out.push('\n');
    }
    out
}
