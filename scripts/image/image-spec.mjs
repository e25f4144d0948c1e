// What the appliance image declares: one place for the OCI config written by
// `npm run image` (oci-pack.mjs). docker/Dockerfile states the same user,
// entrypoint, environment, working directory, ports and volume; the image
// test checks that the two agree.

import { readFileSync } from 'node:fs';

export const IMAGE_NAME = 'pbx-lite';

/** Where the app lives in the image (the working directory). */
export const APP_DIR = '/opt/pbx-lite';

/** DATA_DIR in the image: embedded database, secrets, generated TLS certificate. A volume. */
export const DATA_DIR = '/var/lib/pbx-lite';

/**
 * The non-root user. Numeric in the config so a runtime can verify
 * "not root" without reading the image's /etc/passwd (Kubernetes
 * runAsNonRoot); named `pbx` inside the image.
 */
export const USER = { name: 'pbx', uid: 10001, gid: 10001 };

/**
 * Node itself is PID 1 (no shell, no init): the exec-form entrypoint is a
 * Node script that prepares the configuration and then loads the server in
 * the same process, so SIGTERM from `docker stop` reaches the server's own
 * handler and shutdown is graceful (exit 0). --expose-gc lets a first start
 * return initdb's memory at once (apps/server/src/database/embedded-postgres.ts);
 * --interrupt-budget=16384 has V8 optimize the SIP hot paths sooner, and
 * --heap-growing-percent=300 lets the old generation grow to four times what
 * is live before a full collection, so those pauses come less often (README,
 * "Measured figures"). The Node options are those of package.json's `start`.
 */
export const ENTRYPOINT = ['/usr/local/bin/node', ...startNodeOptions(), `${APP_DIR}/docker/entrypoint.mjs`];

/** The options of package.json's `start` script (`node <options> apps/server/dist/main.js`). */
function startNodeOptions() {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return pkg.scripts.start.split(/\s+/).filter((a) => a.startsWith('--'));
}

/** The deployment defaults of the image; every one can be overridden with `-e`. */
export const ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  NODE_ENV: 'production',
  DATA_DIR,
  HTTP_PORT: '8080',
  SIP_LISTEN: 'udp:0.0.0.0:5060,tcp:0.0.0.0:5060,tls:0.0.0.0:5061,ws:0.0.0.0:5066',
  MSRP_LISTEN: 'tcp:0.0.0.0:2855',
};

export const EXPOSED_PORTS = ['5060/udp', '5060/tcp', '5061/tcp', '5066/tcp', '2855/tcp', '8080/tcp'];

export const STOP_SIGNAL = 'SIGTERM';

/**
 * HEALTHCHECK is Docker's, not an OCI config field: it is kept as labels
 * (and in the Dockerfile). The probe asks GET /api/health.
 */
export const HEALTHCHECK = {
  test: [...ENTRYPOINT, 'healthcheck'],
  interval: '15s',
  timeout: '3s',
  startPeriod: '30s',
  retries: 3,
};

export const LABELS = {
  'org.opencontainers.image.title': 'PBX-lite',
  'org.opencontainers.image.description': 'SIP registrar, offline messages, shared call appearances, MSRP relay and outbound edge, run from a browser.',
  'org.opencontainers.image.licenses': 'GPL-2.0-or-later',
  'org.opencontainers.image.base.name': 'debian:bookworm (mmdebstrap minbase)',
  'io.pbx-lite.healthcheck.test': JSON.stringify(HEALTHCHECK.test),
  'io.pbx-lite.healthcheck.interval': HEALTHCHECK.interval,
  'io.pbx-lite.healthcheck.timeout': HEALTHCHECK.timeout,
  'io.pbx-lite.healthcheck.start-period': HEALTHCHECK.startPeriod,
  'io.pbx-lite.healthcheck.retries': String(HEALTHCHECK.retries),
};

/** Uncompressed size the image is kept below (bytes). */
export const SIZE_TARGET = 250 * 1000 * 1000;
