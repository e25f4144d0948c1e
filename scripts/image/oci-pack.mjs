import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { APP_DIR, DATA_DIR, ENTRYPOINT, ENV, EXPOSED_PORTS, LABELS, STOP_SIGNAL, USER } from './image-spec.mjs';
import { run } from './run.mjs';

/**
 * An OCI image built with umoci, no container engine: an empty image is
 * unpacked into a runtime bundle, each layer's files are added to the
 * bundle's rootfs and `umoci repack` records the difference as a layer
 * (1: Debian + Node.js, 2: the app), then the config is written and the
 * layout is saved as one OCI archive (`oci-archive:` for skopeo/podman).
 */
export class OciBuild {
  constructor(workDir, tag) {
    this.layout = join(workDir, 'oci');
    this.bundle = join(workDir, 'bundle');
    this.tag = tag;
    this.ref = `${this.layout}:${tag}`;
  }

  get rootfs() {
    return join(this.bundle, 'rootfs');
  }

  async init() {
    rmSync(this.layout, { recursive: true, force: true });
    rmSync(this.bundle, { recursive: true, force: true });
    await run('umoci', ['init', '--layout', this.layout]);
    await run('umoci', ['new', '--image', this.ref]);
    await run('umoci', ['unpack', '--image', this.ref, this.bundle]);
  }

  /** Records what was added to the rootfs since the last layer as a new layer. */
  async layer(createdBy) {
    await run('umoci', ['repack', '--refresh-bundle', '--history.created_by', createdBy, '--image', this.ref, this.bundle]);
  }

  /** The config: user, entrypoint, environment, working directory, ports, volume, labels. */
  async configure(created) {
    const args = [
      'config',
      '--image', this.ref,
      '--os', 'linux',
      '--architecture', ociArch(process.arch),
      '--created', created,
      '--author', 'PBX-lite',
      '--config.user', `${USER.uid}:${USER.gid}`,
      '--config.workingdir', APP_DIR,
      '--config.stopsignal', STOP_SIGNAL,
      '--clear', 'config.entrypoint', '--clear', 'config.cmd', '--clear', 'config.env',
      ...ENTRYPOINT.flatMap((a) => ['--config.entrypoint', a]),
      ...Object.entries(ENV).flatMap(([k, v]) => ['--config.env', `${k}=${v}`]),
      ...EXPOSED_PORTS.flatMap((p) => ['--config.exposedports', p]),
      '--config.volume', DATA_DIR,
      ...Object.entries(LABELS).flatMap(([k, v]) => ['--config.label', `${k}=${v}`]),
      '--history.created_by', 'pbx-lite config: user, entrypoint, environment, ports, volume',
    ];
    await run('umoci', args);
  }

  /** Garbage-collects unreferenced blobs and writes the layout as one tar archive. */
  async save(archive) {
    await run('umoci', ['gc', '--layout', this.layout]);
    mkdirSync(join(archive, '..'), { recursive: true });
    rmSync(archive, { force: true });
    await run('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '-C', this.layout, '-cf', archive, 'oci-layout', 'index.json', 'blobs']);
    return statSync(archive).size;
  }
}

function ociArch(arch) {
  return { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' }[arch] ?? arch;
}
