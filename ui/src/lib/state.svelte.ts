// App-wide reactive state: the AppState from Rust and the current language.
import type { AppState, Lang } from './ipc';
import { translate, describeError as describe, describeErrorParts, normaliseLang, type MessageKey, type MessageParts, type Params } from './i18n';
import type { UiError } from './ipc';

export const app = $state<{ state: AppState | null; lang: Lang; tab: TabId }>({ state: null, lang: 'ms', tab: 'send' });

export type TabId = 'send' | 'receive' | 'history' | 'settings';

export function setAppState(s: AppState): void {
  app.state = s;
  app.lang = normaliseLang(s.lang);
  if (typeof document !== 'undefined') document.documentElement.lang = app.lang;
}

export function setLang(lang: Lang): void {
  app.lang = lang;
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
}

/** Reactive translation: re-evaluates when the language changes. */
export function t(key: MessageKey, params?: Params): string {
  return translate(app.lang, key, params);
}

export function tErr(err: UiError): string {
  return describe(err, app.lang);
}

/** The error in two parts: what happened, what to do (shown as two lines). */
export function tErrParts(err: UiError): MessageParts {
  return describeErrorParts(err, app.lang);
}
