/// <reference types="node" />
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ms } from '../lib/i18n/ms';
import { en } from '../lib/i18n/en';
import { describeError, describeErrorParts, placeholders, translate, translatedCodes } from '../lib/i18n';
import { SOURCES, catalogueKeys, codeOf, messageParts } from '../lib/i18n/catalogue';

describe('dictionaries', () => {
  it('have identical key sets', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ms).sort());
  });

  it('have no empty strings', () => {
    for (const dict of [ms, en]) {
      for (const [k, v] of Object.entries(dict)) expect(v.trim(), k).not.toBe('');
    }
  });

  it('use the same placeholders in both languages', () => {
    for (const k of Object.keys(ms) as (keyof typeof ms)[]) {
      expect(placeholders(en[k]).sort(), k).toEqual(placeholders(ms[k]).sort());
    }
  });

  it('hold no error texts: those come from the catalogue (i18n/<lang>/*.ftl)', () => {
    expect(Object.keys(ms).filter((k) => k.startsWith('err.') && k !== 'err.title')).toEqual([]);
  });

  it('BM is really Malay and EN really English for the refusal', () => {
    expect(translate('ms', 'cls.refused_body')).toMatch(/TIDAK DIBENARKAN/);
    expect(translate('ms', 'cls.refused_body')).toMatch(/3\.2 A ii 6/);
    expect(translate('en', 'cls.refused_body')).toMatch(/NOT ALLOWED/);
    expect(translate('en', 'cls.refused_body')).toMatch(/1\.4\.1 l iii/);
  });
  it('agree with their numbers in English, and Malay has no plural forms to get wrong', () => {
    expect(translate('en', 'send.expiry_hours', { n: 1 })).toBe('1 hour');
    expect(translate('en', 'send.expiry_hours', { n: 12 })).toBe('12 hours');
    expect(translate('en', 'send.expiry_days', { n: 1 })).toBe('1 day');
    expect(translate('en', 'send.files_total', { count: 1, size: '2 KB' })).toBe('1 file, 2 KB');
    expect(translate('en', 'hist.summary', { size: '2 KB', n: 1 })).toBe('2 KB to 1 recipient');
    expect(translate('en', 'hist.summary', { size: '2 KB', n: 3 })).toBe('2 KB to 3 recipients');
    expect(translate('en', 'hist.recipients_done', { n: 1, max: 1 })).toBe('1 of 1 recipient downloaded');
    expect(translate('en', 'hist.downloads', { n: 2, max: 3 })).toBe('2 of 3 downloads used');
    expect(translate('ms', 'send.expiry_days', { n: 1 })).toBe('1 hari');
    for (const [k, v] of Object.entries(ms)) expect(v, k).not.toMatch(/\{[a-z_]+\|/);
    // Nothing left that writes a plural by hand.
    for (const [k, v] of Object.entries(en)) expect(v, k).not.toMatch(/\(s\)/);
  });
});

/** Codes the Rust side can send: every string in a `fn code` / `fn as_str` match in crates/ (and src-tauri/ if present). */
function rustCodes(): Set<string> {
  const root = resolve(__dirname, '../../..');
  const dirs = ['crates/core/src', 'crates/client/src', 'crates/protocol/src', 'src-tauri/src'].map((d) => join(root, d)).filter(existsSync);
  const codes = new Set<string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.rs')) {
        const src = readFileSync(p, 'utf8');
        const fnRe = /fn (code|as_str)\(&?self\)[^{]*\{/g;
        let m: RegExpExecArray | null;
        while ((m = fnRe.exec(src))) {
          const rest = src.slice(m.index + m[0].length);
          const end = rest.search(/\n\s{4}(pub )?fn |\n\}/);
          const body = end === -1 ? rest : rest.slice(0, end);
          for (const c of body.matchAll(/=>\s*"([a-z][a-z0-9_]*)"/g)) codes.add(c[1] as string);
        }
        // The app's own codes: UiError::new("code").
        for (const c of src.matchAll(/UiError::new\("([a-z][a-z0-9_]*)"\)/g)) codes.add(c[1] as string);
      }
    }
  };
  dirs.forEach(walk);
  return codes;
}

describe('error translation', () => {
  it('covers every error code in the Rust crates', () => {
    const codes = rustCodes();
    expect(codes.size).toBeGreaterThan(80);
    expect(codes).toContain('wrong_password');
    const translated = new Set(translatedCodes());
    const missing = [...codes].filter((c) => !translated.has(c) && !['ms', 'en', 'http', 'https'].includes(c));
    expect(missing).toEqual([]);
  });

  it('covers the app-level codes of docs/app.md', () => {
    for (const c of ['setting_locked', 'sms_unavailable', 'classification_refused', 'wrong_password', 'locked', 'expired', 'revoked', 'used_up', 'unavailable']) {
      expect(translatedCodes()).toContain(c);
    }
  });

  it('wrong_password says how many tries are left, in both languages', () => {
    const err = { code: 'wrong_password', params: { tries_left: '3' } };
    expect(describeError(err, 'ms')).toMatch(/Tinggal 3 cubaan/);
    expect(describeError(err, 'en')).toMatch(/3 tries left/);
    expect(describeError({ code: 'wrong_password', params: { tries_left: '1' } }, 'en')).toMatch(/One try left before/);
    expect(describeError({ code: 'wrong_password', params: { tries_left: '1' } }, 'ms')).toMatch(/Tinggal 1 cubaan lagi/);
  });

  it('wrong_password without tries_left uses the bare wording, no raw placeholder', () => {
    const s = describeError({ code: 'wrong_password', params: {} }, 'en');
    expect(s).toMatch(/^Wrong password\./);
    expect(s).not.toMatch(/\{|\}/);
  });

  it('unknown codes give a generic message with the code', () => {
    expect(describeError({ code: 'flux_capacitor', params: {} }, 'ms')).toMatch(/flux_capacitor/);
    expect(describeError({ code: 'flux_capacitor', params: {} }, 'en')).toMatch(/Unexpected error \(code: flux_capacitor\)/);
  });

  it('does not treat non-error keys as codes', () => {
    expect(describeError({ code: 'title', params: {} }, 'en')).toMatch(/code: title/);
    expect(describeError({ code: '../x', params: {} }, 'en')).toMatch(/Unexpected/);
  });

  it('formats seconds and bytes in params', () => {
    expect(describeError({ code: 'rate_limited', params: { retry_after_secs: '90' } }, 'en')).toMatch(/Wait 1 min 30 s/);
    expect(describeError({ code: 'too_large', params: { size: String(3 * 1024 ** 3), limit: String(2 * 1024 ** 3) } }, 'en')).toMatch(/3 GB.*2 GB/);
    expect(describeError({ code: 'expiry_too_long', params: { requested_secs: '1209600', limit_secs: '604800' } }, 'ms')).toMatch(/14 hari.*7 hari/);
  });

  it('every translated message says what to do (more than one sentence or an instruction)', () => {
    for (const code of translatedCodes()) {
      if (['cancelled', 'declined'].includes(code)) continue;
      for (const lang of ['ms', 'en'] as const) {
        const s = describeError({ code, params: {} }, lang);
        expect(s.split(/[.;!?](\s|$)/).filter((x) => x && x.trim()).length, `${lang} ${code}: ${s}`).toBeGreaterThanOrEqual(2);
      }
    }
  });
});

/** Every param name any catalogue message uses. */
function catalogueParams(): string[] {
  const names = new Set<string>();
  for (const lang of ['ms', 'en'] as const) {
    for (const source of Object.values(SOURCES[lang])) for (const m of source.matchAll(/\$([a-z_]+)/g)) names.add(m[1] as string);
  }
  return [...names];
}

describe('the shared catalogue in the UI bundle', () => {
  it('has the same keys in both languages, each a code', () => {
    expect(catalogueKeys('en').sort()).toEqual(catalogueKeys('ms').sort());
    expect(catalogueKeys('ms')).toContain('wrong_password-do');
  });

  it('resolves every code the UI can show, in both languages, with and without params', () => {
    const codes = new Set([...rustCodes(), ...translatedCodes(), 'ipc_error']);
    for (const c of ['ms', 'en', 'http', 'https']) codes.delete(c);
    const all = Object.fromEntries(catalogueParams().filter((p) => p !== 'cause').map((p) => [p, 'x']));
    const problems: string[] = [];
    for (const code of codes) {
      for (const lang of ['ms', 'en'] as const) {
        const full = messageParts(lang, code, all);
        if (!full) {
          problems.push(`${lang}: no message for ${code}`);
          continue;
        }
        if (!full.ok) problems.push(`${lang}: ${code} does not resolve with every param: ${full.what} ${full.todo}`);
        // The app sends some codes without their params: the text must still read well.
        const bare = describeErrorParts({ code, params: {} }, lang);
        const text = `${bare.what} ${bare.todo ?? ''}`;
        if (/\{\s*\$/.test(text)) problems.push(`${lang}: ${code} without params shows a placeholder: ${text}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('splits what happened from what to do, and prefers the app wording', () => {
    const p = describeErrorParts({ code: 'no_store', params: {} }, 'en');
    expect(p.what).toBe('No Kepil store is configured.');
    expect(p.todo).toBe('Enter the store address in Settings.');
    expect(describeError({ code: 'no_store', params: {} }, 'ms')).toMatch(/Tetapan/);
    expect(codeOf('no_store-do-app')).toBe('no_store');
  });

  it('names the file of a wrapped error and the cause of an interrupted upload', () => {
    expect(describeError({ code: 'package_file_unreadable', params: { path: 'Surat.pdf', reason: 'denied' } }, 'en')).toMatch(/Surat\.pdf/);
    expect(describeError({ code: 'upload_interrupted', params: { transfer_id: 'T1', cause: 'http_error', status: '502' } }, 'en')).toMatch(/HTTP 502\)\./);
  });

  it('keeps the guideline citations and puts no bidi isolation marks around params', () => {
    for (const lang of ['ms', 'en'] as const) {
      const s = describeError({ code: 'classification_refused', params: { classification: 'RAHSIA', classification_en: 'SECRET' } }, lang);
      expect(s).toMatch(/3\.2 A ii 6/);
      expect(s).toMatch(/1\.4\.1 l iii/);
      expect(s).not.toMatch(/[\u2068\u2069]/);
    }
  });
});
