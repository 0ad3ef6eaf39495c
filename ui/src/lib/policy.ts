// What the policy allows: classifications, expiry choices, download limits, locked settings.
import type { AppState, Policy } from './ipc';

export const ALL_CLASSIFICATIONS = ['TERBUKA', 'TERHAD', 'SULIT', 'RAHSIA', 'RAHSIA BESAR'] as const;
export type ClassificationName = (typeof ALL_CLASSIFICATIONS)[number];

/** Never sendable, whatever a policy says (guideline 3.2 A ii 6, 1.4.1 l iii). */
export const REFUSED: readonly string[] = ['RAHSIA', 'RAHSIA BESAR'];

/** The order shown in the chooser: the sendable ones first, most protected first. */
export const CHOOSER_ORDER: readonly ClassificationName[] = ['SULIT', 'TERHAD', 'TERBUKA', 'RAHSIA', 'RAHSIA BESAR'];

export function normaliseClassification(c: string): string {
  return c.trim().toUpperCase().replace(/[\s_-]+/g, ' ');
}

export function isRefused(c: string): boolean {
  return REFUSED.includes(normaliseClassification(c));
}

export type Sendability = 'ok' | 'refused' | 'not_allowed';

/** RAHSIA/RAHSIA BESAR are always refused; others only if the policy lists them. */
export function sendability(c: string, policy: Policy): Sendability {
  const n = normaliseClassification(c);
  if (REFUSED.includes(n)) return 'refused';
  return policy.classifications.map(normaliseClassification).includes(n) ? 'ok' : 'not_allowed';
}

export function requiresPassword(c: string): boolean {
  return normaliseClassification(c) !== 'TERBUKA';
}

export function defaultClassification(policy: Policy): string | null {
  for (const c of CHOOSER_ORDER) if (sendability(c, policy) === 'ok') return c;
  return null;
}

export interface ExpiryOption {
  secs: number;
  unit: 'h' | 'd';
  n: number;
}

const HOUR = 3600;
const DAY = 86400;
const CANDIDATES: ExpiryOption[] = [
  { secs: HOUR, unit: 'h', n: 1 },
  { secs: 4 * HOUR, unit: 'h', n: 4 },
  { secs: 12 * HOUR, unit: 'h', n: 12 },
  { secs: DAY, unit: 'd', n: 1 },
  { secs: 2 * DAY, unit: 'd', n: 2 },
  { secs: 3 * DAY, unit: 'd', n: 3 },
  { secs: 7 * DAY, unit: 'd', n: 7 },
  { secs: 14 * DAY, unit: 'd', n: 14 },
  { secs: 30 * DAY, unit: 'd', n: 30 },
];

function optionFor(secs: number): ExpiryOption {
  if (secs % DAY === 0) return { secs, unit: 'd', n: secs / DAY };
  return { secs, unit: 'h', n: Math.max(1, Math.round(secs / HOUR)) };
}

export function maxExpiry(policy: Policy, cls: string): number {
  const m = policy.maxExpirySecs[normaliseClassification(cls)];
  return typeof m === 'number' && m > 0 ? m : 7 * DAY;
}

/** Expiry choices up to the classification's maximum, always including the default and the maximum. */
export function expiryOptions(policy: Policy, cls: string): ExpiryOption[] {
  const max = maxExpiry(policy, cls);
  const secs = new Set(CANDIDATES.filter((c) => c.secs <= max).map((c) => c.secs));
  secs.add(max);
  secs.add(defaultExpiry(policy, cls));
  return [...secs].sort((a, b) => a - b).map((s) => CANDIDATES.find((c) => c.secs === s) ?? optionFor(s));
}

export function defaultExpiry(policy: Policy, cls: string): number {
  const max = maxExpiry(policy, cls);
  const d = policy.defaultExpirySecs[normaliseClassification(cls)];
  if (typeof d === 'number' && d > 0) return Math.min(d, max);
  return Math.min(3 * DAY, max);
}

/** Keeps a chosen expiry valid when the classification changes. */
export function clampExpiry(policy: Policy, cls: string, secs: number): number {
  const opts = expiryOptions(policy, cls).map((o) => o.secs);
  if (opts.includes(secs)) return secs;
  return defaultExpiry(policy, cls);
}

export function clampDownloads(policy: Policy, n: number): number {
  const max = Math.max(1, policy.maxDownloads);
  if (!Number.isFinite(n)) return Math.min(Math.max(1, policy.defaultMaxDownloads), max);
  return Math.min(max, Math.max(1, Math.round(n)));
}

export type SettingName = 'storeUrl' | 'lang' | 'token' | 'mail';

/** Whether a setting is locked by the system policy. Accepts snake or camel names from Rust. */
export function isLocked(state: AppState, name: SettingName): boolean {
  if (name === 'token' && state.tokenLocked) return true;
  if (name === 'storeUrl' && state.store.locked) return true;
  const aliases: Record<SettingName, string[]> = {
    storeUrl: ['storeUrl', 'store_url', 'store'],
    lang: ['lang', 'language'],
    token: ['token', 'uploaderToken', 'uploader_token'],
    mail: ['mail'],
  };
  return state.locked.some((l) => aliases[name].includes(l));
}
