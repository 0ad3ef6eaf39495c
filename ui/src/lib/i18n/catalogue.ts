// The message catalogue shared with the Rust side (kepil-core's `catalogue` module): the Fluent
// files i18n/<lang>/*.ftl at the repository root, embedded by Vite at build time (`?raw`), so
// the webview needs no file or network access. Key scheme (docs/architecture.md, "Messages"):
//   code = what happened; code-do = what to do; `.bare` = the wording when a param is missing;
//   code-app / code-do-app = the app's wording where it differs from the terminal's.
import { FluentBundle, FluentResource, type FluentVariable } from '@fluent/bundle';
import type { Lang } from '../ipc';
import msCore from '../../../../i18n/ms/core.ftl?raw';
import msClient from '../../../../i18n/ms/client.ftl?raw';
import msCli from '../../../../i18n/ms/cli.ftl?raw';
import msApp from '../../../../i18n/ms/app.ftl?raw';
import enCore from '../../../../i18n/en/core.ftl?raw';
import enClient from '../../../../i18n/en/client.ftl?raw';
import enCli from '../../../../i18n/en/cli.ftl?raw';
import enApp from '../../../../i18n/en/app.ftl?raw';

export const SOURCES: Record<Lang, Record<string, string>> = {
  ms: { 'core.ftl': msCore, 'client.ftl': msClient, 'cli.ftl': msCli, 'app.ftl': msApp },
  en: { 'core.ftl': enCore, 'client.ftl': enClient, 'cli.ftl': enCli, 'app.ftl': enApp },
};

function build(lang: Lang): FluentBundle {
  // No FSI/PDI marks around placeables: one language at a time in the webview.
  const bundle = new FluentBundle(lang, { useIsolating: false });
  for (const [name, source] of Object.entries(SOURCES[lang])) {
    const errors = bundle.addResource(new FluentResource(source));
    if (errors.length) throw new Error(`i18n/${lang}/${name}: ${errors.map(String).join('; ')}`);
  }
  return bundle;
}

const bundles: Record<Lang, FluentBundle> = { ms: build('ms'), en: build('en') };

const SUFFIXES = ['-do-app', '-do', '-app'];

/** The code a catalogue key belongs to: `wrong_password-do` → `wrong_password`. */
export function codeOf(key: string): string {
  for (const s of SUFFIXES) if (key.endsWith(s)) return key.slice(0, -s.length);
  return key;
}

/** Every message key of the catalogue in `lang` (terms, `-name`, are not keys). */
export function catalogueKeys(lang: Lang): string[] {
  return Object.values(SOURCES[lang]).flatMap((source) =>
    new FluentResource(source).body.map((entry) => entry.id).filter((id) => !id.startsWith('-')),
  );
}

interface Rendered {
  text: string;
  /** false when a param the message uses is missing and no `.bare` does without it. */
  ok: boolean;
}

function render(lang: Lang, id: string, args: Record<string, FluentVariable>): Rendered | null {
  const bundle = bundles[lang];
  const message = bundle.getMessage(id);
  if (!message?.value) return null;
  const errors: Error[] = [];
  const text = bundle.formatPattern(message.value, args, errors);
  if (!errors.length) return { text, ok: true };
  const bare = message.attributes['bare'];
  if (bare) {
    const bareErrors: Error[] = [];
    const bareText = bundle.formatPattern(bare, args, bareErrors);
    if (!bareErrors.length) return { text: bareText, ok: true };
  }
  return { text, ok: false };
}

export interface MessageParts {
  /** What happened. */
  what: string;
  /** What to do, when there is something to do. */
  todo: string | null;
  /** false when a part lacks a param (the text then shows the placeholder). */
  ok: boolean;
}

/**
 * What happened and what to do for `code`, in the app's wording (`code-app`, `code-do-app`)
 * where there is one. A `cause` param names a wrapped error's code: its placeable shows that
 * error's "what happened". `null` when the catalogue has no message for `code`.
 */
const COUNT_PARAMS = ['tries_left'];

export function messageParts(lang: Lang, code: string, params: Record<string, string>): MessageParts | null {
  const args: Record<string, FluentVariable> = { ...params };
  // As kepil-core's catalogue does (COUNT_PARAMS): counts are numbers, so that a message can
  // choose the word that agrees with them.
  for (const name of COUNT_PARAMS) {
    const n = Number(params[name]);
    if (params[name] !== undefined && Number.isInteger(n)) args[name] = n;
  }
  if (params.cause !== undefined) {
    const { cause, ...inner } = params;
    const innerWhat = render(lang, `${cause}-app`, inner) ?? render(lang, cause, inner);
    // Shown inside the outer sentence: "The upload stopped (… HTTP 502)."
    args.cause = (innerWhat?.text ?? cause).replace(/\.$/, '');
  }
  const what = render(lang, `${code}-app`, args) ?? render(lang, code, args);
  if (!what) return null;
  const todo = render(lang, `${code}-do-app`, args) ?? render(lang, `${code}-do`, args);
  return {
    what: what.text,
    todo: todo && todo.text.trim() ? todo.text : null,
    ok: what.ok && (todo?.ok ?? true),
  };
}
