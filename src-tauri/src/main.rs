// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]
#![forbid(unsafe_code)]

// Same reason as in `kepil` (crates/cli/src/main.rs): glibc returns freed network buffers to
// the kernel and faults new ones in; about a tenth of a receive's CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    kepil_app::run();
}
