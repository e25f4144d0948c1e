#!/usr/bin/env node
// Removes from a production node_modules what is never loaded at run time:
// TypeScript sources and declarations, source maps, documentation, test
// suites, and the TypeScript compiler that @nestjs/swagger asks for as a
// peer dependency (used only by its build-time plugin). Licences stay.
// Used by `npm run image` and by docker/Dockerfile, so both images carry
// the same files. Usage: node prune-node-modules.mjs <node_modules>...
import { existsSync, lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const DROP_PACKAGES = ['typescript', '@typescript', '@types', '.bin', '.cache'];
const DROP_FILE = /(\.map|\.[cm]?ts|\.md|\.markdown|\.tsbuildinfo)$|^(CHANGELOG|HISTORY)(\..*)?$/i;
const DROP_DIR = /^(test|tests|__tests__|coverage|\.github|example|examples)$/;

/** Deletes the unneeded files under one node_modules; returns bytes freed. */
export function pruneNodeModules(dir) {
  let freed = 0;
  for (const name of DROP_PACKAGES) freed += remove(join(dir, name));
  const walk = (d, depth) => {
    for (const ent of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, ent.name);
      if (ent.isDirectory()) {
        // A package's own test or example folder, not a dependency named so.
        if (depth > 0 && DROP_DIR.test(ent.name)) freed += remove(p);
        else walk(p, ent.name === 'node_modules' ? 0 : depth + 1);
      } else if (ent.isFile() && DROP_FILE.test(ent.name)) {
        freed += remove(p);
      }
    }
  };
  walk(dir, 0);
  return freed;
}

function remove(p) {
  let size = 0;
  try {
    const st = lstatSync(p);
    if (st.isDirectory()) {
      for (const ent of readdirSync(p)) size += remove(join(p, ent));
    } else {
      size = st.size;
    }
  } catch {
    return 0;
  }
  rmSync(p, { recursive: true, force: true });
  return size;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const dir of process.argv.slice(2)) {
    if (!existsSync(dir)) continue;
    const freed = pruneNodeModules(dir);
    process.stdout.write(`${dir}: ${(freed / 1e6).toFixed(1)} MB removed\n`);
  }
}
