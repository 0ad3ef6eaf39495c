/// <reference types="node" />
/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { resolve } from 'node:path';

// Tauri serves ui/dist (frontendDist) and uses http://localhost:5173 in dev (devUrl).
export default defineConfig({
  plugins: [svelte()],
  // Component tests mount Svelte's client build in happy-dom.
  resolve: process.env.VITEST ? { conditions: ['browser'] } : undefined,
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
    host: 'localhost',
    // The message catalogue lives at the repository root (i18n/<lang>/*.ftl), shared with the
    // Rust crates; src/lib/i18n/catalogue.ts imports it with `?raw`, so the build embeds it.
    fs: { allow: [resolve(import.meta.dirname), resolve(import.meta.dirname, '../i18n')] },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: ['es2022', 'chrome105', 'safari15'],
    // No inline script: the polyfill would be injected as an inline <script> in some setups.
    modulePreload: { polyfill: false },
    // Keep assets as files (no data: fonts/images inlined into CSS; CSP stays simple).
    assetsInlineLimit: 0,
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
