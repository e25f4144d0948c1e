import { createHash } from 'node:crypto';
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_DIR, USER } from './image-spec.mjs';
import { run } from './run.mjs';

const SUITE = 'bookworm';
const MIRRORS = [
  `deb http://deb.debian.org/debian ${SUITE} main`,
  `deb http://deb.debian.org/debian ${SUITE}-updates main`,
  `deb http://deb.debian.org/debian-security ${SUITE}-security main`,
];
/** libstdc++6 for the Node binary; everything else is Debian's minbase. */
const PACKAGES = ['libstdc++6'];
/** Documentation, manuals and translations are never read in an appliance; the packages' copyright files stay. */
const EXCLUDED_PATHS = ['/usr/share/doc/*', '/usr/share/man/*', '/usr/share/info/*', '/usr/share/locale/*', '/usr/share/lintian/*'];
const INCLUDED_PATHS = ['/usr/share/doc/*/copyright'];

/**
 * Customisation of the root filesystem: the non-root user, the data
 * directory it owns, and no package lists or logs left behind. `$1` is
 * the root filesystem (mmdebstrap hook convention).
 */
const CUSTOMIZE = [
  `chroot "$1" groupadd --system --gid ${USER.gid} ${USER.name}`,
  `chroot "$1" useradd --system --uid ${USER.uid} --gid ${USER.gid} --home-dir ${DATA_DIR} --no-create-home --shell /usr/sbin/nologin ${USER.name}`,
  `install -d -m 0750 -o ${USER.uid} -g ${USER.gid} "$1${DATA_DIR}"`,
  'rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/cache/debconf/*-old "$1"/var/log/* "$1"/var/lib/dpkg/*-old',
];

function mmdebstrapArgs(out) {
  return [
    '--variant=minbase',
    `--include=${PACKAGES.join(',')}`,
    // Merged /usr set up by mmdebstrap itself, so the `usrmerge` package
    // (and with it the whole of Perl, ~45 MB) is not installed.
    '--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr',
    ...EXCLUDED_PATHS.map((p) => `--dpkgopt=path-exclude=${p}`),
    ...INCLUDED_PATHS.map((p) => `--dpkgopt=path-include=${p}`),
    ...CUSTOMIZE.map((h) => `--customize-hook=${h}`),
    SUITE,
    out,
    ...MIRRORS,
  ];
}

/**
 * The Debian base of the image as a tarball, built by mmdebstrap once and
 * cached under `cacheDir` by a hash of everything that goes into it, so a
 * rebuild of the image costs only the app layer. Delete the cache to pick
 * up Debian's newest security updates.
 */
export async function debianRootfs(cacheDir) {
  const key = createHash('sha256').update(JSON.stringify(mmdebstrapArgs('OUT'))).digest('hex').slice(0, 16);
  const tarball = join(cacheDir, `rootfs-${SUITE}-${key}.tar`);
  if (existsSync(tarball)) return { tarball, cached: true };
  for (const old of readdirSync(cacheDir).filter((f) => /^rootfs-.*\.tar(\.part)?$/.test(f))) rmSync(join(cacheDir, old), { force: true });
  const part = `${tarball}.part.tar`;
  // The system's own tools (mmdebstrap's helpers are Python and Perl scripts
  // run through env): a user's PATH with pyenv shims or the like in front
  // would slow every package down or break it.
  await run('mmdebstrap', mmdebstrapArgs(part), { env: { ...process.env, PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
  renameSync(part, tarball);
  return { tarball, cached: false };
}
