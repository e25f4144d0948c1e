#!/usr/bin/env node
// Runs every compiled test file with Node's own test runner and ends with one
// line `N passed, M failed`. Unit specs sit beside the code (`*.spec.ts`,
// compiled into each package's dist/); cross-package tests are test/**/*.test.ts.
// Arguments narrow the run to files whose path contains one of them.
import { spawn } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const roots = [
  ...['libs', 'apps'].flatMap((d) => readdirSync(join(root, d)).map((p) => join(root, d, p, 'dist'))),
  join(root, 'migrations', 'dist'),
  join(root, 'test', 'dist'),
];

function walk(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(spec|test)\.js$/.test(name)) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = roots
  .flatMap((r) => walk(r, []))
  .filter((f) => !f.includes(`${join('test', 'dist', 'bench')}`))
  .filter((f) => filters.length === 0 || filters.some((x) => relative(root, f).includes(x)))
  .sort();

if (files.length === 0) {
  console.error('no test files found (did the build run?)');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const child = spawn(
  process.execPath,
  ['--test', '--test-reporter=spec', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, ...files],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_ENV: 'test' } },
);
// The reporter's summary (`ℹ pass N` …) comes before the list of failures,
// so the counts are taken from the lines as they stream past.
const counts = {};
let partial = '';
child.stdout.on('data', (d) => {
  process.stdout.write(d);
  const text = partial + d.toString();
  const lines = text.split('\n');
  partial = lines.pop() ?? '';
  for (const line of lines) {
    const m = /^ℹ (\w+) (\d+)/.exec(line);
    if (m) counts[m[1]] = Number(m[2]);
  }
});
child.on('close', (code) => {
  const num = (k) => counts[k] ?? 0;
  const passed = num('pass');
  const failed = num('fail') + num('cancelled');
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(code === 0 && failed === 0 ? 0 : 1);
});
