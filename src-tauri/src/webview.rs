//! How the page's engine is set up (Linux: WebKitGTK). Kepil's screens are forms and text: no
//! 3D transforms, video or WebGL, so nothing gains from the GPU compositor, while starting it
//! costs the first screen about 1 s and the web process about 120 MiB (measured with
//! bench/app-startup.sh, where Mesa renders in software as on desktops without a usable GPU
//! driver). The page is drawn on the CPU unless `KEPIL_WEBVIEW_GPU=1`, and WebKit keeps no page
//! cache: the one page never navigates.

use tauri::{Runtime, WebviewWindow};

/// Applies the settings above to `window`'s webview, before its first paint.
pub fn tune<R: Runtime>(window: &WebviewWindow<R>) {
    let gpu = std::env::var("KEPIL_WEBVIEW_GPU").is_ok_and(|v| v == "1");
    #[cfg(target_os = "linux")]
    {
        let done = window.with_webview(move |webview| {
            use webkit2gtk::{
                CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
            };
            let view = webview.inner();
            if !gpu && let Some(settings) = WebViewExt::settings(&view) {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
            if let Some(context) = view.context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
        });
        if let Err(e) = done {
            tracing::warn!("the webview's settings were not applied: {e}");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (window, gpu);
}
