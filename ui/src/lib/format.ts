// Formatting of sizes, speeds, durations, dates, passwords and links. Pure functions.
import type { Lang } from './ipc';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

function num(n: number, digits: number, lang: Lang): string {
  return n.toLocaleString(lang === 'ms' ? 'ms-MY' : 'en-GB', {
    minimumFractionDigits: 0,
    maximumFractionDigits: digits,
  });
}

/** 1536 → "1.5 KB" (binary multiples shown with the customary labels). */
export function formatSize(bytes: number, lang: Lang = 'ms'): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '–';
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  const digits = u === 0 ? 0 : v < 10 ? 1 : 0;
  return `${num(v, digits, lang)} ${UNITS[u]}`;
}

/** Bytes per second → "12.3 MB/s". */
export function formatSpeed(bytesPerSec: number, lang: Lang = 'ms'): string {
  if (!Number.isFinite(bytesPerSec) || bytesPerSec <= 0) return '–';
  const mb = bytesPerSec / (1024 * 1024);
  if (mb >= 0.1) return `${num(mb, mb < 10 ? 1 : 0, lang)} MB/s`;
  return `${num(bytesPerSec / 1024, 0, lang)} KB/s`;
}

const WORDS = {
  ms: { d: 'hari', h: 'jam', m: 'min', s: 'saat' },
  en: { d: 'd', h: 'h', m: 'min', s: 's' },
} as const;

/** Seconds → "1 jam 5 min" / "1 h 5 min"; the two most significant units. */
export function formatDuration(totalSecs: number, lang: Lang = 'ms'): string {
  if (!Number.isFinite(totalSecs) || totalSecs < 0) return '–';
  const w = WORDS[lang];
  const s = Math.round(totalSecs);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const parts: string[] = [];
  if (d) parts.push(`${d} ${w.d}`);
  if (h) parts.push(`${h} ${w.h}`);
  if (m && !d) parts.push(`${m} ${w.m}`);
  if (!d && !h && (sec || parts.length === 0)) parts.push(`${sec} ${w.s}`);
  return parts.slice(0, 2).join(' ');
}

/** Time left; null/unknown → "–". Under 1 s shows as "< 1 s". */
export function formatEta(etaSecs: number | null | undefined, lang: Lang = 'ms'): string {
  if (etaSecs === null || etaSecs === undefined || !Number.isFinite(etaSecs) || etaSecs < 0) return '–';
  if (etaSecs < 1) return lang === 'ms' ? '< 1 saat' : '< 1 s';
  return formatDuration(etaSecs, lang);
}

export function percent(done: number, total: number): number {
  if (!Number.isFinite(done) || !Number.isFinite(total) || total <= 0) return 0;
  return Math.max(0, Math.min(100, Math.floor((done / total) * 100)));
}

export function formatDateTime(iso: string, lang: Lang = 'ms'): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(lang === 'ms' ? 'ms-MY' : 'en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** "ABCDEFGHJKMNPQRS" or "abcd efgh..." → "ABCD-EFGH-JKMN-PQRS" for dictation. */
export function groupPassword(pw: string): string {
  const clean = pw.replace(/[^0-9A-Za-z]/g, '').toUpperCase();
  return (clean.match(/.{1,4}/g) ?? []).join('-');
}

/** Splits a grouped password into its groups, for large display. */
export function passwordGroups(pw: string): string[] {
  return groupPassword(pw).split('-').filter(Boolean);
}

/**
 * Cleans a pasted link for display and for sending to `receive_open`: removes line breaks
 * and spaces that mail clients insert, and surrounding <> or quotes. The Rust side does the
 * real parsing (Safe Links, %23); this only undoes what a textarea paste adds.
 */
export function cleanLink(raw: string): string {
  let s = raw.replace(/[\r\n\t ]+/g, '').trim();
  s = s.replace(/^[<"'(\[]+/, '').replace(/[>"')\].,;]+$/, '');
  return s;
}
