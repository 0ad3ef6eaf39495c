// Translation: t(lang, key, params) for the UI's own strings (./ms.ts, ./en.ts) and
// describeError(err, lang) for errors, from the catalogue shared with Rust (./catalogue.ts).
// Pure; the reactive current language lives in ../state.svelte.ts.
import type { Lang, UiError } from '../ipc';
import { formatDuration, formatSize } from '../format';
import { en } from './en';
import { ms, type MessageKey } from './ms';
import { catalogueKeys, codeOf, messageParts, type MessageParts } from './catalogue';

export type { MessageKey, MessageParts };
export const dictionaries: Record<Lang, Record<MessageKey, string>> = { ms, en };
export const LANGS: Lang[] = ['ms', 'en'];

export type Params = Record<string, string | number>;

const PLACEHOLDER = /\{([a-z_]+)\}/gi;
/**
 * A word that agrees with a number: `{n|hour|hours}` is the `one` form when `n` is 1 in the
 * language's plural rules (Intl.PluralRules), else the `other` form. Malay nouns do not change
 * with number, so ms.ts has none; English needs them ("1 hour", "2 hours").
 */
const PLURAL = /\{([a-z_]+)\|([^|{}]*)\|([^|{}]*)\}/gi;
const pluralRules: Partial<Record<Lang, Intl.PluralRules>> = {};

export function interpolate(template: string, params: Params = {}, lang: Lang = 'ms'): string {
  const rules = (pluralRules[lang] ??= new Intl.PluralRules(lang));
  return template
    .replace(PLURAL, (whole, name: string, one: string, other: string) => {
      if (!Object.prototype.hasOwnProperty.call(params, name)) return whole;
      const n = Number(params[name]);
      return Number.isFinite(n) && rules.select(n) === 'one' ? one : other;
    })
    .replace(PLACEHOLDER, (whole, name: string) =>
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
  return interpolate(dict[key] ?? ms[key] ?? key, params, dict[key] !== undefined ? lang : 'ms');
}

/** Makes raw Rust params readable: durations and byte counts. */
function displayParams(code: string, params: Record<string, string>, lang: Lang): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    const n = Number(v);
    if (k.endsWith('_secs') && Number.isFinite(n)) out[k] = formatDuration(n, lang);
    else if (code === 'too_large' && (k === 'size' || k === 'limit') && Number.isFinite(n)) out[k] = formatSize(n, lang);
    else out[k] = v;
  }
  return out;
}

const CODE = /^[a-z0-9_]+$/;

/**
 * What happened and what to do, in `lang`, for a `{ code, params }` from the Rust side, from
 * the shared catalogue (./catalogue.ts). An unknown code gives a generic message with the code.
 */
export function describeErrorParts(err: UiError, lang: Lang): MessageParts {
  const code = err.code || 'unknown';
  const found = CODE.test(code) && code !== 'unknown' ? messageParts(lang, code, displayParams(code, err.params ?? {}, lang)) : null;
  return found ?? (messageParts(lang, 'unknown', { code: code.slice(0, 80) }) as MessageParts);
}

/** Both parts of the message as one text. */
export function describeError(err: UiError, lang: Lang): string {
  const { what, todo } = describeErrorParts(err, lang);
  return todo ? `${what} ${todo}` : what;
}

/** Every error code the catalogue words (minus the generic `unknown`). */
export function translatedCodes(): string[] {
  return [...new Set(catalogueKeys('ms').map(codeOf))].filter((c) => c !== 'unknown');
}
