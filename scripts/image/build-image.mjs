#!/usr/bin/env node
// `npm run image`: builds the appliance as an OCI image without a container
// engine and saves it as dist/pbx-lite-oci.tar (an OCI archive: `skopeo copy
// oci-archive:dist/pbx-lite-oci.tar docker-daemon:pbx-lite:latest`, `podman
// load -i`). Debian bookworm minbase from mmdebstrap (cached), this machine's
// Node.js binary, the built app (`npm run build` output) and its production
// dependencies; packed with umoci. Needs root (file owners in the layers),
// mmdebstrap, umoci and binutils. Prints the image's uncompressed size.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyApp, productionDependencies, treeSize } from './app-tree.mjs';
import { debianRootfs } from './debian-rootfs.mjs';
import { APP_DIR, IMAGE_NAME, SIZE_TARGET } from './image-spec.mjs';
import { OciBuild } from './oci-pack.mjs';
import { run, since } from './run.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CACHE = join(ROOT, '.tmp', 'image');
const ARCHIVE = join(ROOT, 'dist', `${IMAGE_NAME}-oci.tar`);
/** The tool each step needs and the Debian package that has it. */
const TOOLS = { mmdebstrap: 'mmdebstrap', umoci: 'umoci', strip: 'binutils', tar: 'tar', chroot: 'coreutils' };
const MIN_NODE = [20, 19];

function preflight() {
  if (process.getuid?.() !== 0) throw new Error('building the image needs root: the layers record file owners (root and the pbx user)');
  const missing = Object.entries(TOOLS).filter(([tool]) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length) throw new Error(`missing tools: ${missing.map(([t, p]) => `${t} (Debian package ${p})`).join(', ')}`);
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
    throw new Error(`the image carries this machine's Node.js, ${process.version}; it needs ${MIN_NODE.join('.')} or newer`);
  }
}

const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;

async function main() {
  const t0 = performance.now();
  preflight();
  mkdirSync(CACHE, { recursive: true });
  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;

  // The two downloads (Debian packages, npm packages) run side by side.
  const [base, deps] = await Promise.all([debianRootfs(CACHE), productionDependencies(ROOT, CACHE)]);
  console.log(`image: Debian base ${base.cached ? 'from cache' : 'built'}, production dependencies ${deps.cached ? 'from cache' : 'installed'} (${since(t0)})`);

  const oci = new OciBuild(join(CACHE, 'work'), version);
  await oci.init();
  await run('tar', ['-xpf', base.tarball, '-C', oci.rootfs, '--numeric-owner', '--exclude=./dev/*']);
  // The Node.js runtime: this machine's binary, without its debug symbols.
  mkdirSync(join(oci.rootfs, 'usr/local/bin'), { recursive: true });
  await run('strip', ['--strip-unneeded', '-o', join(oci.rootfs, 'usr/local/bin/node'), process.execPath]);
  const inImage = (await run('chroot', [oci.rootfs, '/usr/local/bin/node', '--version'])).trim();
  if (inImage !== process.version) throw new Error(`node in the image answered ${JSON.stringify(inImage)}, expected ${process.version}`);
  await oci.layer(`Debian bookworm minbase (mmdebstrap) + Node.js ${process.version}`);

  copyApp(ROOT, deps, join(oci.rootfs, APP_DIR));
  await oci.layer(`PBX-lite ${version}: built app and production dependencies`);
  const created = process.env.SOURCE_DATE_EPOCH ? new Date(Number(process.env.SOURCE_DATE_EPOCH) * 1000).toISOString() : new Date().toISOString();
  await oci.configure(created);
  await run('umoci', ['tag', '--image', oci.ref, 'latest']);

  const size = treeSize(oci.rootfs);
  const archiveSize = await oci.save(ARCHIVE);
  rmSync(join(CACHE, 'work'), { recursive: true, force: true });
  console.log(
    `image: ${ARCHIVE.slice(ROOT.length)} (tags ${version}, latest): ${mb(size)} uncompressed` +
      ` (target below ${mb(SIZE_TARGET)}), ${mb(archiveSize)} archive, built in ${since(t0)}`,
  );
  if (size >= SIZE_TARGET) console.warn(`image: WARNING ${mb(size)} is over the ${mb(SIZE_TARGET)} target`);
}

main().catch((err) => {
  console.error(`image: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
