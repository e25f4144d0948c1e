import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** The parts of an OCI image config (image-spec config.md) a runtime acts on. */
export interface ImageConfig {
  user: string;
  entrypoint: string[];
  cmd: string[];
  env: Record<string, string>;
  workingDir: string;
  exposedPorts: string[];
  volumes: string[];
  labels: Record<string, string>;
  stopSignal: string | undefined;
}

export interface UnpackedImage {
  /** The tags of the archive's index (org.opencontainers.image.ref.name). */
  tags: string[];
  config: ImageConfig;
  /** Number of filesystem layers. */
  layers: number;
  rootfs: string;
}

const REF_NAME = 'org.opencontainers.image.ref.name';

function blob(layout: string, digest: string): any {
  const [alg, hex] = digest.split(':');
  return JSON.parse(readFileSync(join(layout, 'blobs', alg!, hex!), 'utf8'));
}

/**
 * Unpacks an OCI archive as a runtime would: the layout is read for the
 * tag's manifest and config, and `umoci unpack` applies the layers into a
 * root filesystem.
 */
export async function unpackImage(archive: string, tag: string, into: string): Promise<UnpackedImage> {
  const layout = join(into, 'layout');
  mkdirSync(layout, { recursive: true });
  await exec('tar', ['-xf', archive, '-C', layout]);
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; annotations?: Record<string, string> }> };
  const tags = index.manifests.map((m) => m.annotations?.[REF_NAME] ?? '');
  const entry = index.manifests.find((m) => m.annotations?.[REF_NAME] === tag);
  if (!entry) throw new Error(`${archive}: no tag ${tag} (tags: ${tags.join(', ')})`);
  const manifest = blob(layout, entry.digest) as { config: { digest: string }; layers: unknown[] };
  const c = (blob(layout, manifest.config.digest) as { config?: Record<string, any> }).config ?? {};
  const config: ImageConfig = {
    user: c.User ?? '',
    entrypoint: c.Entrypoint ?? [],
    cmd: c.Cmd ?? [],
    env: Object.fromEntries((c.Env ?? []).map((kv: string) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
    workingDir: c.WorkingDir ?? '/',
    exposedPorts: Object.keys(c.ExposedPorts ?? {}),
    volumes: Object.keys(c.Volumes ?? {}),
    labels: c.Labels ?? {},
    stopSignal: c.StopSignal,
  };
  const bundle = join(into, 'bundle');
  await exec('umoci', ['unpack', '--image', `${layout}:${tag}`, bundle], { maxBuffer: 16 * 1024 * 1024 });
  return { tags, config, layers: manifest.layers.length, rootfs: join(bundle, 'rootfs') };
}

/** The numeric uid:gid of an image's `User` (`uid[:gid]` or a name from its /etc/passwd). */
export function resolveUser(rootfs: string, user: string): { uid: number; gid: number } {
  const [u = 'root', g] = user.split(':');
  const passwd = readFileSync(join(rootfs, 'etc/passwd'), 'utf8').split('\n').map((l) => l.split(':'));
  const group = readFileSync(join(rootfs, 'etc/group'), 'utf8').split('\n').map((l) => l.split(':'));
  const pw = /^\d+$/.test(u) ? passwd.find((p) => p[2] === u) : passwd.find((p) => p[0] === u);
  const uid = /^\d+$/.test(u) ? Number(u) : Number(pw?.[2] ?? NaN);
  const gid = g === undefined ? Number(pw?.[3] ?? uid) : /^\d+$/.test(g) ? Number(g) : Number(group.find((x) => x[0] === g)?.[2] ?? NaN);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error(`user ${user} is not in the image's /etc/passwd`);
  return { uid, gid };
}

/** Total size of the regular files under a directory: the image's uncompressed size. */
export function treeSize(dir: string): number {
  let total = 0;
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) total += treeSize(p);
    else if (ent.isFile()) total += statSync(p).size;
  }
  return total;
}
