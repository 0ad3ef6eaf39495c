// In-app zoom with the keys every browser uses: Ctrl+= (or Ctrl++) larger, Ctrl+- smaller,
// Ctrl+0 back to 100 %. The level is CSS `zoom` on the root (WebKit scales layout, text and
// hit targets alike) and is remembered on this computer.

export const ZOOM_STEPS = [0.67, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2, 2.5];
const KEY = 'kepil.zoom';

/** The level after `key` with Ctrl held, or null when the key is not a zoom key. */
export function zoomAfter(level: number, key: string): number | null {
  const i = ZOOM_STEPS.findIndex((s) => s >= level - 1e-9);
  const at = i < 0 ? ZOOM_STEPS.length - 1 : i;
  if (key === '=' || key === '+') return ZOOM_STEPS[Math.min(at + 1, ZOOM_STEPS.length - 1)]!;
  if (key === '-' || key === '_') return ZOOM_STEPS[Math.max(at - 1, 0)]!;
  if (key === '0') return 1;
  return null;
}

export function applyZoom(level: number): void {
  document.documentElement.style.setProperty('--zoom', String(level));
  try {
    localStorage.setItem(KEY, String(level));
  } catch {
    /* storage unavailable: the level lasts for this session */
  }
}

export function savedZoom(): number {
  try {
    const n = Number(localStorage.getItem(KEY));
    return ZOOM_STEPS.includes(n) ? n : 1;
  } catch {
    return 1;
  }
}

/** A keydown handler for the window. */
export function zoomKeys(ev: KeyboardEvent): void {
  if (!(ev.ctrlKey || ev.metaKey) || ev.altKey) return;
  const current = Number(document.documentElement.style.getPropertyValue('--zoom')) || 1;
  const next = zoomAfter(current, ev.key);
  if (next === null) return;
  ev.preventDefault();
  applyZoom(next);
}
