// Translation: t(lang, key, params) and describeError(err, lang). Pure; the reactive current
// language lives in ../state.svelte.ts.
import type { Lang, UiError } from '../ipc';
import { formatDuration, formatSize } from '../format';
import { en } from './en';
import { ms, type MessageKey } from './ms';

export type { MessageKey };
export const dictionaries: Record<Lang, Record<MessageKey, string>> = { ms, en };
export const LANGS: Lang[] = ['ms', 'en'];

export type Params = Record<string, string | number>;

const PLACEHOLDER = /\{([a-z_]+)\}/gi;

export function interpolate(template: string, params: Params = {}): string {
  return template.replace(PLACEHOLDER, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
}

export function normaliseLang(lang: string | null | undefined): Lang {
  return lang === 'en' ? 'en' : 'ms';
}

export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  const dict = dictionaries[lang] ?? ms;
  return interpolate(dict[key] ?? ms[key] ?? key, params);
}

function hasKey(lang: Lang, key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(dictionaries[lang], key);
}

/** Makes raw Rust params readable: durations and byte counts. */
function displayParams(code: string, params: Record<string, string>, lang: Lang): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries(params)) {
    const n = Number(v);
    if (k.endsWith('_secs') && Number.isFinite(n)) out[k] = formatDuration(n, lang);
    else if (code === 'too_large' && (k === 'size' || k === 'limit') && Number.isFinite(n)) out[k] = formatSize(n, lang);
    else out[k] = v;
  }
  return out;
}

/**
 * What happened and what to do, in `lang`, for a `{ code, params }` from the Rust side.
 * Uses `err.CODE` when every placeholder has a value, else `err.CODE.bare`; an unknown code
 * gives a generic message that includes the code.
 */
export function describeError(err: UiError, lang: Lang): string {
  const code = err.code || 'unknown';
  const key = `err.${code}`;
  if (!/^[a-z0-9_]+$/.test(code) || code === 'unknown' || code === 'title' || !hasKey(lang, key)) {
    return translate(lang, 'err.unknown', { code: code.slice(0, 80) });
  }
  const params = displayParams(code, err.params ?? {}, lang);
  const full = dictionaries[lang][key];
  const complete = placeholders(full).every((p) => params[p] !== undefined && params[p] !== '');
  const bareKey = `${key}.bare`;
  if (!complete && hasKey(lang, bareKey)) return dictionaries[lang][bareKey];
  return interpolate(full, params);
}

/** Every error code the UI translates (keys `err.X` without `.bare`, minus the generic ones). */
export function translatedCodes(): string[] {
  return Object.keys(ms)
    .filter((k) => k.startsWith('err.') && !k.endsWith('.bare'))
    .map((k) => k.slice(4))
    .filter((c) => c !== 'title' && c !== 'unknown');
}
