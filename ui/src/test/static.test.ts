/// <reference types="node" />
// Static guards on the UI sources: no markup injection, nothing loaded from the network.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const UI = resolve(__dirname, '../..');

function files(dir: string, exts: string[]): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'test' ? [] : files(p, exts);
    return exts.some((e) => p.endsWith(e)) ? [p] : [];
  });
}

describe('UI sources', () => {
  const sources = files(join(UI, 'src'), ['.svelte', '.ts', '.css']);

  it('never render markup from data ({@html}, innerHTML, outerHTML, insertAdjacentHTML)', () => {
    for (const f of sources) {
      const src = readFileSync(f, 'utf8');
      expect(src, f).not.toMatch(/\{@html|innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    }
  });

  it('load nothing from the network (no remote URLs in src, css or index.html)', () => {
    for (const f of [...sources, join(UI, 'index.html')]) {
      const src = readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => !/^\s*(\/\/|\*|\/\*)/.test(l) && !/'(set|err)\.[a-z_.]+':/.test(l) && !/placeholder|hint/i.test(l))
        .join('\n');
      expect(src, f).not.toMatch(/(src|href|url\()\s*=?\s*["']?https?:\/\//);
      expect(src, f).not.toMatch(/@import\s+url\(/);
      expect(src, f).not.toMatch(/\bfetch\(|XMLHttpRequest|new WebSocket/);
    }
  });

  it('index.html has no inline script', () => {
    const html = readFileSync(join(UI, 'index.html'), 'utf8');
    for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
      expect(m[1]).toMatch(/\bsrc=/);
      expect((m[2] ?? '').trim()).toBe('');
    }
  });

  it('the QR code is shown as an <img> from a data: URL', () => {
    const card = readFileSync(join(UI, 'src/components/ResultCard.svelte'), 'utf8');
    expect(card).toMatch(/data:image\/svg\+xml;charset=utf-8,\$\{encodeURIComponent\(svg\)\}/);
    expect(card).toMatch(/<img class="qr" src=\{qr\}/);
  });
});
