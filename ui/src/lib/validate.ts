// Validation of recipients: a fast pre-check with the rules of kepil-client's recipients module
// (the authority, used by send_start and by `kepil send --to`). Pure functions; both are tested
// against one table, crates/client/tests/data/recipients.json (src/test/recipients.test.ts).

export type FieldError = 'required' | 'email_invalid' | 'email_duplicate' | 'phone_invalid';

export interface RecipientRow {
  email: string;
  phone: string;
}

export interface RecipientErrors {
  email?: FieldError;
  phone?: FieldError;
}

// A practical address check: one @, a dotted domain, no spaces or angle brackets.
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function isValidEmail(email: string): boolean {
  const e = email.trim();
  if (e.length > 254 || !EMAIL.test(e)) return false;
  const [local] = e.split('@');
  return !!local && local.length <= 64 && !local.startsWith('.') && !local.endsWith('.') && !local.includes('..');
}

/**
 * Normalises a phone number for SMS: Malaysian numbers in local form (012-345 6789) become
 * +60123456789; international numbers (+country...) are kept. Returns null when invalid.
 */
export function normalisePhone(phone: string): string | null {
  const p = phone.trim().replace(/[\s\-().]/g, '');
  if (p === '') return null;
  let digits: string;
  if (p.startsWith('+')) digits = p.slice(1);
  else if (p.startsWith('00')) digits = p.slice(2);
  else if (p.startsWith('0')) digits = `60${p.slice(1)}`;
  else if (p.startsWith('60')) digits = p;
  else return null;
  if (!/^\d+$/.test(digits)) return null;
  if (digits.startsWith('60')) {
    // Malaysian mobile numbers: 01X + 7 or 8 digits → 60 1X XXXXXXX(X).
    if (!/^601\d{8,9}$/.test(digits)) return null;
  } else if (digits.length < 8 || digits.length > 15) {
    return null;
  }
  return `+${digits}`;
}

export function validateRecipients(rows: RecipientRow[]): RecipientErrors[] {
  const seen = new Map<string, number>();
  return rows.map((r) => {
    const errs: RecipientErrors = {};
    const email = r.email.trim().toLowerCase();
    if (email === '') errs.email = 'required';
    else if (!isValidEmail(email)) errs.email = 'email_invalid';
    else if (seen.has(email)) errs.email = 'email_duplicate';
    else seen.set(email, 1);
    if (r.phone.trim() !== '' && normalisePhone(r.phone) === null) errs.phone = 'phone_invalid';
    return errs;
  });
}

export function hasErrors(errs: RecipientErrors[]): boolean {
  return errs.some((e) => e.email !== undefined || e.phone !== undefined);
}
