// The shared table of recipient input (crates/client/tests/data/recipients.json): the UI's
// pre-check must answer what kepil-client (the authority) answers.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isValidEmail, normalisePhone } from '../lib/validate';

interface Table {
  emails: { input: string; valid: boolean }[];
  phones: { input: string; normalised: string | null }[];
}

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const table = JSON.parse(readFileSync(join(root, 'crates/client/tests/data/recipients.json'), 'utf8')) as Table;

describe('the shared recipient table', () => {
  it.each(table.emails)('email $input → $valid', ({ input, valid }) => {
    expect(isValidEmail(input)).toBe(valid);
  });

  it.each(table.phones)('phone $input → $normalised', ({ input, normalised }) => {
    expect(normalisePhone(input)).toBe(normalised);
  });
});
