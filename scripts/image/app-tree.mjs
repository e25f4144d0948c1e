import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pruneNodeModules } from './prune-node-modules.mjs';
import { run } from './run.mjs';

/** The workspaces whose package.json the install needs (the lockfile names them all). */
function workspaceDirs(root) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const dirs = [];
  for (const pattern of pkg.workspaces) {
    if (pattern.endsWith('/*')) {
      const parent = pattern.slice(0, -2);
      for (const name of readdirSync(join(root, parent)).sort()) {
        if (existsSync(join(root, parent, name, 'package.json'))) dirs.push(`${parent}/${name}`);
      }
    } else if (existsSync(join(root, pattern, 'package.json'))) {
      dirs.push(pattern);
    }
  }
  return dirs;
}

/** The folders holding node_modules after an install: the root and any workspace with its own. */
function nodeModulesDirs(dir) {
  return [
    'node_modules',
    ...workspaceDirs(dir).map((w) => `${w}/node_modules`).filter((p) => existsSync(join(dir, p))),
  ];
}

/**
 * Production dependencies of the server (`npm ci --omit=dev` for the
 * @pbx/server workspace only, so the dashboard's React packages, which are
 * built into web/dist, stay out), pruned, in a staging directory outside the
 * source tree. Cached by the lockfile and every package.json.
 */
export async function productionDependencies(root, cacheDir) {
  const inputs = ['package.json', 'package-lock.json', ...workspaceDirs(root).map((w) => `${w}/package.json`)];
  // Keyed by what decides the install: the lockfile and each manifest's
  // dependency fields (a new npm script does not call for a new install).
  const hash = createHash('sha256').update(readFileSync(join(root, 'package-lock.json')));
  for (const f of inputs.filter((f) => f.endsWith('package.json'))) {
    const { name, version, workspaces, dependencies, optionalDependencies, peerDependencies, devDependencies } = JSON.parse(readFileSync(join(root, f), 'utf8'));
    hash.update(JSON.stringify([f, name, version, workspaces, dependencies, optionalDependencies, peerDependencies, devDependencies]));
  }
  hash.update(readFileSync(new URL('./prune-node-modules.mjs', import.meta.url)));
  const dir = join(cacheDir, `deps-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(join(dir, '.complete'))) return { dir, dirs: nodeModulesDirs(dir), cached: true };

  for (const old of readdirSync(cacheDir).filter((f) => f.startsWith('deps-'))) rmSync(join(cacheDir, old), { recursive: true, force: true });
  for (const f of inputs) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(root, f), join(dir, f));
  }
  // --ignore-scripts: no dependency needs an install script at run time
  // (argon2 is prebuilt); --prefer-offline reuses the cache `npm ci` filled.
  await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--workspace=@pbx/server'], { cwd: dir });
  const dirs = nodeModulesDirs(dir);
  for (const d of dirs) pruneNodeModules(join(dir, d));
  mkdirSync(join(dir, '.complete'));
  return { dir, dirs, cached: false };
}

/** Compiled output that runs: no tests, declarations, source maps or build info. */
const NOT_RUNTIME = /(\.(spec|test)\.js|\.d\.ts|\.map|\.tsbuildinfo)$/;

/**
 * Lays the app out under `appDir` as in the repository (so the server finds
 * web/dist and package.json where it looks): package.json files, the built
 * output of every workspace, the dashboard, the entrypoint and the
 * production node_modules.
 */
export function copyApp(root, deps, appDir) {
  const missing = ['apps/server/dist/main.js', 'web/dist/index.html'].filter((f) => !existsSync(join(root, f)));
  if (missing.length) throw new Error(`not built: ${missing.join(', ')} missing (run \`npm run build\` first)`);
  mkdirSync(appDir, { recursive: true });
  cpSync(join(root, 'package.json'), join(appDir, 'package.json'));
  for (const w of workspaceDirs(root)) {
    if (w === 'web') continue;
    cpSync(join(root, w, 'package.json'), join(appDir, w, 'package.json'));
    const dist = join(root, w, 'dist');
    if (!existsSync(dist)) throw new Error(`not built: ${w}/dist missing (run \`npm run build\` first)`);
    cpSync(dist, join(appDir, w, 'dist'), { recursive: true, filter: (src) => statSync(src).isDirectory() || !NOT_RUNTIME.test(src) });
  }
  cpSync(join(root, 'web/dist'), join(appDir, 'web/dist'), { recursive: true });
  for (const f of ['entrypoint.mjs', 'env-config.mjs']) cpSync(join(root, 'docker', f), join(appDir, 'docker', f));
  // verbatimSymlinks: the workspace links (node_modules/@pbx/sip -> ../../libs/sip) stay relative.
  for (const d of deps.dirs) cpSync(join(deps.dir, d), join(appDir, d), { recursive: true, verbatimSymlinks: true });
}

/** Total size of the regular files under a directory (symlinks count as links). */
export function treeSize(dir) {
  let total = 0;
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) total += treeSize(p);
    else if (ent.isFile()) total += statSync(p).size;
  }
  return total;
}

// docker/Dockerfile lays the app out with the same code:
// node scripts/image/app-tree.mjs <dir with the production node_modules> <app dir>
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [depsDir, appDir] = process.argv.slice(2);
  if (!depsDir || !appDir) {
    console.error('usage: node scripts/image/app-tree.mjs <deps dir> <app dir>');
    process.exit(64);
  }
  const root = fileURLToPath(new URL('../../', import.meta.url));
  copyApp(root, { dir: depsDir, dirs: nodeModulesDirs(depsDir) }, appDir);
}
