#!/usr/bin/env node
// Build budget: the JavaScript a browser must fetch before the dashboard can
// render (the entry script and the chunks index.html preloads), gzipped.
// Pages are lazy chunks and are listed for information only. Exceeding the
// budget fails the build.
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BUDGET_KB = 250;
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const html = readFileSync(join(dist, 'index.html'), 'utf8');

const initial = new Set();
for (const m of html.matchAll(/<script\b[^>]*\btype="module"[^>]*\bsrc="([^"]+)"/g)) initial.add(m[1]);
for (const m of html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g)) initial.add(m[1]);
if (initial.size === 0) {
  console.error('budget: no entry script found in dist/index.html');
  process.exit(1);
}

const kb = (n) => (n / 1024).toFixed(1);
const gz = (file) => gzipSync(readFileSync(join(dist, file.replace(/^\//, ''))), { level: 9 }).length;

let total = 0;
const parts = [];
for (const src of initial) {
  const size = gz(src);
  total += size;
  parts.push(`${src.replace(/^\/assets\//, '')} ${kb(size)} KB`);
}
const lazy = readdirSync(join(dist, 'assets'))
  .filter((f) => f.endsWith('.js') && !initial.has(`/assets/${f}`))
  .map((f) => gz(`assets/${f}`));
const lazyTotal = lazy.reduce((a, b) => a + b, 0);

const ok = total <= BUDGET_KB * 1024;
console.log(
  `budget: initial JS ${kb(total)} KB gzipped (limit ${BUDGET_KB} KB) ${ok ? 'OK' : 'EXCEEDED'} [${parts.join(', ')}]; ` +
    `lazy chunks ${kb(lazyTotal)} KB gzipped in ${lazy.length} files`,
);
if (!ok) process.exit(1);
