//! The IPC commands (docs/app.md), one module per screen (`account`: signing in, in Settings,
//! and the History tab of the signed-in person's transfers). Each is a thin layer over
//! kepil-client / kepil-core: it checks what the webview sent, calls the library, and turns the
//! answer into plain data. The one list of their names is `list.rs`.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub mod account;
pub mod app;
pub mod deliver;
pub mod files;
pub mod history;
pub mod interrupted;
pub mod receive;
pub mod scanning;
pub mod send;

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}
