#!/usr/bin/env node
// Writes docs/configuration.md from the configuration schema (the zod
// schemas that also validate the file and the environment). Run after a
// build: `npm run build && npm run docs:config`. apps/server's config.spec
// fails when the committed file differs from what this would write.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { configDocsMarkdown } = await import(join(root, 'apps/server/dist/config/config-docs.js'));
const out = join(root, 'docs/configuration.md');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, configDocsMarkdown());
console.log(`wrote ${out}`);
