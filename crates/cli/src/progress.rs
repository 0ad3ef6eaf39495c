//! Progress bars on stderr (only when it is a terminal): one per phase, with speed and time left.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex, OnceLock};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use kepil_client::progress::{Phase, ProgressEvent, ProgressFn};
use kepil_core::message::Lang;

use crate::output::t;

static MULTI: OnceLock<MultiProgress> = OnceLock::new();
static BARS: OnceLock<Mutex<HashMap<u8, ProgressBar>>> = OnceLock::new();

fn key(phase: Phase) -> u8 {
    match phase {
        Phase::Deriving => 0,
        Phase::Encrypting => 1,
        Phase::Uploading => 2,
        Phase::Downloading => 3,
        Phase::Saving => 4,
        Phase::Scanning => 5,
    }
}

fn label(phase: Phase, lang: Lang) -> String {
    match phase {
        Phase::Deriving => t(lang, "Menerbitkan kunci", "Deriving keys"),
        Phase::Encrypting => t(lang, "Menyulitkan", "Encrypting"),
        Phase::Uploading => t(lang, "Memuat naik", "Uploading"),
        Phase::Downloading => t(lang, "Memuat turun", "Downloading"),
        Phase::Saving => t(lang, "Menyahsulit", "Decrypting"),
        Phase::Scanning => t(lang, "Imbasan perisian hasad", "Malware scan"),
    }
}

pub fn silent() -> ProgressFn {
    Arc::new(|_| {})
}

/// Bars when stderr is a terminal, nothing otherwise (scripts, `--json` pipelines, CI).
pub fn bars(lang: Lang) -> ProgressFn {
    if !std::io::stderr().is_terminal() {
        return silent();
    }
    let multi = MULTI.get_or_init(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
    let bars = BARS.get_or_init(|| Mutex::new(HashMap::new()));
    Arc::new(move |event: ProgressEvent| {
        let mut bars = bars.lock().unwrap_or_else(|p| p.into_inner());
        let bar = bars.entry(key(event.phase)).or_insert_with(|| {
            let bar = multi.add(ProgressBar::new(event.total));
            // Counts, not bytes: recipients' keys, files with a scanner's verdict.
            let style = if matches!(event.phase, Phase::Deriving | Phase::Scanning) {
                ProgressStyle::with_template("{msg:20} {spinner} {pos}/{len}")
            } else {
                ProgressStyle::with_template(
                    "{msg:20} [{bar:30}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} {eta}",
                )
            }
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_message(label(event.phase, lang));
            bar
        });
        bar.set_length(event.total);
        bar.set_position(event.done);
        if event.done >= event.total && !bar.is_finished() {
            bar.finish();
        }
    })
}

/// Removes the bars before a final message.
pub fn clear() {
    if let Some(bars) = BARS.get() {
        let bars = bars.lock().unwrap_or_else(|p| p.into_inner());
        for bar in bars.values() {
            bar.finish_and_clear();
        }
    }
    if let Some(multi) = MULTI.get() {
        let _ = multi.clear();
    }
}
