/**
 * The appliance image, built and booted here without a container engine
 * (issue 11): `npm run image` builds an OCI archive with mmdebstrap and
 * umoci; the test unpacks it with umoci, reads the entrypoint, user,
 * environment and working directory from the image config and runs them
 * with unshare + chroot on loopback, the data volume a bind-mounted host
 * directory, settings passed as `docker run -e` would.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import { ensureTlsCertificate } from '@pbx/sip';
import { SipTestClient } from '../support/index.js';
import { ChrootContainer, type Mount } from './chroot-container.js';
import { resolveUser, treeSize, unpackImage, type UnpackedImage } from './oci-image.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUILDER = join(ROOT, 'scripts/image/build-image.mjs');
const ARCHIVE = join(ROOT, 'dist/pbx-lite-oci.tar');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** First build: Debian packages and npm packages downloaded; later builds reuse both. */
const BUILD_TIMEOUT_MS = 15 * 60_000;
const SIZE_TARGET = 250 * 1000 * 1000;
const DOMAIN = 'example.com';
const PORTS = ['2855/tcp', '5060/tcp', '5060/udp', '5061/tcp', '5066/tcp', '8080/tcp'];

function freePort(kind: 'tcp' | 'udp'): Promise<number> {
  return new Promise((resolve, reject) => {
    if (kind === 'udp') {
      const s = createSocket('udp4');
      s.once('error', reject);
      s.bind(0, '127.0.0.1', () => {
        const { port } = s.address();
        s.close(() => resolve(port));
      });
    } else {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    }
  });
}

/** The certificate a TLS listener presents. */
function peerCertificate(port: number): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const raw = s.getPeerX509Certificate();
      s.destroy();
      if (raw) resolve(raw);
      else reject(new Error('no peer certificate'));
    });
    s.once('error', reject);
  });
}

/** The final stage of a Dockerfile as instruction → arguments (continuation lines joined). */
function dockerfileFinalStage(text: string): Array<[string, string]> {
  const joined = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const from = joined.map((l) => l.split(/\s+/)[0]!.toUpperCase()).lastIndexOf('FROM');
  return joined.slice(from).map((l) => {
    const i = l.search(/\s/);
    return [l.slice(0, i).toUpperCase(), l.slice(i + 1).trim()];
  });
}

interface Booted {
  c: ChrootContainer;
  httpUrl: string;
  sipUdp: number;
  tls: number;
  api(path: string, init?: { method?: string; body?: unknown; token?: string }): Promise<{ status: number; body: any }>;
  login(password: string): Promise<string>;
}

describe('appliance image: OCI archive built with mmdebstrap + umoci, booted with unshare + chroot', () => {
  let work: string;
  let image: UnpackedImage;
  let user: { uid: number; gid: number };
  let buildLog = '';
  const running: ChrootContainer[] = [];
  const dirs: string[] = [];

  before(
    async () => {
      // What `npm run image` runs once `npm run build` is done (npm test has just built).
      buildLog = await new Promise<string>((resolve, reject) => {
        execFile(process.execPath, [BUILDER], { cwd: ROOT, timeout: BUILD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
          if (err) reject(new Error(`image build failed: ${err.message}\n${stdout}${stderr}`));
          else resolve(stdout + stderr);
        });
      });
      process.stdout.write(`# ${buildLog.trim().split('\n').join('\n# ')}\n`);
      work = mkdtempSync(join(tmpdir(), 'pbx-image-'));
      image = await unpackImage(ARCHIVE, VERSION, work);
      user = resolveUser(image.rootfs, image.config.user);
    },
    { timeout: BUILD_TIMEOUT_MS + 120_000 },
  );

  after(async () => {
    for (const c of running) c.kill();
    await Promise.all(running.map((c) => c.exited));
    // The containers' mounts lived in their own mount namespaces; nothing of the host is under `work`.
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
    for (const d of [work, ...dirs]) {
      if (d && !mounts.includes(d)) rmSync(d, { recursive: true, force: true });
    }
  });

  /** A host directory for a volume, owned by the image's user as a fresh named volume is. */
  function volume(owner = user): string {
    const d = mkdtempSync(join(tmpdir(), 'pbx-volume-'));
    dirs.push(d);
    chownSync(d, owner.uid, owner.gid);
    return d;
  }

  /** `docker run -v data:/var/lib/pbx-lite -e …`: starts the image and waits for its start banner. */
  async function boot(data: string, env: Record<string, string> = {}, mounts: Mount[] = []): Promise<Booted> {
    const [http, sipUdp, tls, msrp] = await Promise.all([freePort('tcp'), freePort('udp'), freePort('tcp'), freePort('tcp')]);
    const c = ChrootContainer.start({
      rootfs: image.rootfs,
      config: image.config,
      ...user,
      env: {
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(http),
        SIP_LISTEN: `udp:127.0.0.1:${sipUdp},tls:127.0.0.1:${tls}`,
        MSRP_LISTEN: `tcp:127.0.0.1:${msrp}`,
        SIP_DOMAINS: DOMAIN,
        SIP_AUTH: 'off',
        ...env,
      },
      mounts: [{ source: data, target: image.config.env.DATA_DIR! }, ...mounts],
    });
    running.push(c);
    const banner = await c.waitForLine((l) => l === 'PBX-lite is running.', 'the start banner', 90_000);
    // The banner is one write ending in an empty line: every line of it is in.
    await c.waitForLine((l) => l === '', 'the end of the start banner', 10_000, banner);
    const httpUrl = `http://127.0.0.1:${http}`;
    const api: Booted['api'] = async (path, init = {}) => {
      const res = await fetch(httpUrl + path, {
        method: init.method ?? 'GET',
        headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };
    const login = async (password: string) => {
      const r = await api('/api/auth/login', { method: 'POST', body: { username: 'admin', password } });
      assert.equal(r.status, 200, `login: ${JSON.stringify(r.body)}`);
      return r.body.token as string;
    };
    return { c, httpUrl, sipUdp, tls, api, login };
  }

  const register = (ua: SipTestClient, name: string) =>
    ua.call({
      method: 'REGISTER',
      uri: `sip:${DOMAIN}`,
      from: `sip:${name}@${DOMAIN}`,
      to: `sip:${name}@${DOMAIN}`,
      contact: `<sip:${name}@127.0.0.1:${ua.localPort}>`,
      headers: ['Expires: 3600'],
    });

  test('the image declares a non-root user, its entrypoint, DATA_DIR as a volume, the SIP/MSRP/HTTP ports and a health check, and is below 250 MB', () => {
    const { config, rootfs } = image;
    assert.deepEqual(image.tags.sort(), [VERSION, 'latest'].sort());
    assert.notEqual(user.uid, 0, 'runs as a non-root user');
    assert.equal(readFileSync(join(rootfs, 'etc/passwd'), 'utf8').split('\n').find((l) => l.split(':')[2] === String(user.uid))?.split(':')[0], 'pbx');
    assert.equal(config.env.DATA_DIR, '/var/lib/pbx-lite');
    assert.deepEqual(config.volumes, [config.env.DATA_DIR]);
    assert.deepEqual([...config.exposedPorts].sort(), PORTS);
    assert.equal(config.stopSignal, 'SIGTERM');
    assert.equal(config.env.NODE_ENV, 'production');
    assert.ok(config.entrypoint[0]!.endsWith('/node'), 'Node.js itself is PID 1 (exec form, no shell)');
    assert.deepEqual(JSON.parse(config.labels['io.pbx-lite.healthcheck.test']!), [...config.entrypoint, 'healthcheck']);
    assert.equal(image.layers, 2, 'Debian + Node.js, then the app');

    const app = join(rootfs, config.workingDir);
    assert.ok(existsSync(join(app, 'web/dist/index.html')), 'the built dashboard is in the image');
    assert.ok(existsSync(join(app, 'node_modules/@nestjs/core')), 'production dependencies are in the image');
    for (const dev of ['typescript', 'playwright-core', 'socket.io-client', 'react', 'vite']) {
      assert.ok(!existsSync(join(app, 'node_modules', dev)), `no ${dev} (a dev or dashboard-build dependency)`);
    }
    const size = treeSize(rootfs);
    process.stdout.write(`# image: ${(size / 1e6).toFixed(1)} MB uncompressed\n`);
    assert.ok(size < SIZE_TARGET, `${(size / 1e6).toFixed(1)} MB is below the 250 MB target`);
  });

  test('docker/Dockerfile declares the same user, entrypoint, environment, working directory, ports, volume and health check', () => {
    const stage = dockerfileFinalStage(readFileSync(join(ROOT, 'docker/Dockerfile'), 'utf8'));
    const one = (name: string) => {
      const found = stage.filter(([n]) => n === name);
      assert.equal(found.length, 1, `one ${name} in the final stage`);
      return found[0]![1];
    };
    const { config } = image;
    assert.equal(one('USER'), config.user);
    assert.equal(one('WORKDIR'), config.workingDir);
    assert.deepEqual(JSON.parse(one('ENTRYPOINT')), config.entrypoint);
    assert.equal(stage.filter(([n]) => n === 'CMD').length, 0, 'no CMD, like the image');
    assert.equal(one('STOPSIGNAL'), config.stopSignal);
    assert.deepEqual(JSON.parse(one('VOLUME')), config.volumes);
    assert.deepEqual(one('EXPOSE').split(/\s+/).sort(), PORTS);
    const env = Object.fromEntries(
      stage.filter(([n]) => n === 'ENV').flatMap(([, args]) => [...args.matchAll(/(\w+)=("[^"]*"|\S+)/g)].map((m) => [m[1]!, m[2]!.replace(/^"|"$/g, '')])),
    );
    assert.deepEqual(env, Object.fromEntries(Object.entries(config.env).filter(([k]) => k !== 'PATH')));
    const hc = /^--interval=(\S+) --timeout=(\S+) --start-period=(\S+) --retries=(\d+) CMD (\[.*\])$/.exec(one('HEALTHCHECK'));
    assert.ok(hc, `HEALTHCHECK ${one('HEALTHCHECK')}`);
    assert.deepEqual(JSON.parse(hc[5]!), JSON.parse(config.labels['io.pbx-lite.healthcheck.test']!));
    assert.deepEqual(hc.slice(1, 5), ['interval', 'timeout', 'start-period', 'retries'].map((k) => config.labels[`io.pbx-lite.healthcheck.${k}`]));
  });

  test('docker/.env.example names every environment variable of the README configuration table', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Configuration'));
    const vars = [...table.slice(0, table.indexOf('\n## ', 5)).matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]!);
    assert.ok(vars.length >= 10, `found the table: ${vars.join(', ')}`);
    const example = readFileSync(join(ROOT, 'docker/.env.example'), 'utf8');
    for (const v of vars) assert.match(example, new RegExp(`^#? ?${v}=`, 'm'), `${v} in docker/.env.example`);
  });

  test('first start, stop, second start on the same data volume: health, generated admin password once, REGISTER 200 and MESSAGE stored (202) kept across SIGTERM (usrloc.db_mode 1 from a mounted PBX_CONFIG)', { timeout: 240_000 }, async () => {
    const data = volume();
    const etc = volume();
    writeFileSync(join(etc, 'pbx.yaml'), 'usrloc:\n  db_mode: 1\n');
    const mounts: Mount[] = [{ source: join(etc, 'pbx.yaml'), target: '/etc/pbx-lite/pbx.yaml', readOnly: true }];
    const env = { PBX_CONFIG: '/etc/pbx-lite/pbx.yaml' };
    const ua: SipTestClient[] = [];
    const sockets: Socket[] = [];
    try {
      // First start: no ADMIN_PASSWORD, so one is generated and printed once.
      const first = await boot(data, env, mounts);
      const shown = first.c.output.find((l) => l.includes('Admin login: admin / '));
      assert.ok(shown, 'the generated admin password is printed on first start');
      const password = shown.split('Admin login: admin / ')[1]!.trim();
      const health = await first.api('/api/health');
      assert.equal(health.status, 200);
      assert.equal(health.body.status, 'ok');
      assert.equal((await first.c.exec(JSON.parse(image.config.labels['io.pbx-lite.healthcheck.test']!), user.uid, user.gid)).code, 0, 'the HEALTHCHECK command passes inside the container');
      const token = await first.login(password);
      assert.equal((await first.api('/api/config', { token })).body.pbx.usrloc.db_mode, 1);

      // TLS: no certificate configured, so one is generated into the data volume.
      const generated = new X509Certificate(readFileSync(join(data, 'tls/sip.crt')));
      assert.equal((await peerCertificate(first.tls)).fingerprint256, generated.fingerprint256);

      const alice = await SipTestClient.open('udp', { address: '127.0.0.1', port: first.sipUdp });
      ua.push(alice);
      const reg = await register(alice, 'alice');
      assert.equal(reg.status, 200, `REGISTER over UDP: ${reg.status} ${reg.reason}`);
      const msg = await alice.call({ method: 'MESSAGE', uri: `sip:bob@${DOMAIN}`, from: `sip:alice@${DOMAIN}`, body: 'kept across a restart', contentType: 'text/plain' });
      assert.equal(msg.status, 202, 'msilo m_store: a MESSAGE to an offline user is accepted and stored');
      assert.equal((await first.api(`/api/messages?to=bob@${DOMAIN}`, { token })).body.total, 1);

      // docker stop: SIGTERM to PID 1, graceful exit 0.
      assert.equal(await first.c.stop('SIGTERM'), 0, `SIGTERM: graceful shutdown, exit 0\n${first.c.output.slice(-15).join('\n')}`);
      assert.ok(first.c.output.some((l) => l.includes('"msg":"stopped"')), 'the server logged its own orderly stop');

      // Second start, same volume: same password (not printed again), binding and message still there.
      const second = await boot(data, env, mounts);
      assert.ok(!second.c.output.some((l) => l.includes('Admin login:')), 'the password is printed on the first start only');
      const token2 = await second.login(password);
      const binding = await second.api(`/api/registrations/alice@${DOMAIN}`, { token: token2 });
      assert.equal(binding.status, 200, 'usrloc db_mode 1: the binding was written through and reloaded');
      assert.equal(binding.body.contacts.length, 1);
      assert.match(binding.body.contacts[0].contact, new RegExp(`127\\.0\\.0\\.1:${alice.localPort}`));
      const stored = await second.api(`/api/messages?to=bob@${DOMAIN}`, { token: token2 });
      assert.equal(stored.body.total, 1, 'the stored message survived the restart');
      assert.equal((await peerCertificate(second.tls)).fingerprint256, generated.fingerprint256, 'the generated certificate is reused from the volume');

      // bob comes online: msilo m_dump delivers what was stored before the restart.
      const events = io(second.httpUrl, { auth: { token: token2 }, transports: ['websocket'], reconnection: false });
      sockets.push(events);
      await new Promise<void>((resolve, reject) => {
        events.once('connect', resolve);
        events.once('connect_error', reject);
      });
      const dumped = new Promise<{ state: string }>((resolve) => events.once('message.dumped', resolve));
      const bob = await SipTestClient.open('udp', { address: '127.0.0.1', port: second.sipUdp });
      ua.push(bob);
      assert.equal((await register(bob, 'bob')).status, 200);
      const delivered = await bob.incoming('MESSAGE', 10_000);
      assert.match(delivered.body.toString(), /kept across a restart/);
      bob.answer(delivered, 200);
      assert.equal((await dumped).state, 'delivered', 'the 2xx ends the delivery');
      assert.equal((await second.api(`/api/messages?to=bob@${DOMAIN}`, { token: token2 })).body.total, 0, 'deleted after the 2xx');
      events.close();
      assert.equal(await second.c.stop('SIGTERM'), 0, second.c.output.slice(-15).join('\n'));
    } finally {
      for (const c of ua) c.close();
      for (const s of sockets) s.close();
    }
  });

  test('configuration: PBX__ variables over a mounted PBX_CONFIG, TLS certificate from a mounted path, ADMIN_PASSWORD; `migrate`; a bad value or an unwritable volume stops the start with a clear line', { timeout: 180_000 }, async () => {
    const data = volume();
    const etc = volume();
    writeFileSync(join(etc, 'pbx.yaml'), 'usrloc:\n  db_mode: 1\nregistrar:\n  default_expires: 600\n');
    // The operator's certificate, readable by the image's user.
    const certs = volume();
    const mine = await ensureTlsCertificate(certs, ['sip.example.com']);
    chownSync(join(certs, 'tls'), user.uid, user.gid);
    chownSync(join(certs, 'tls/sip.key'), user.uid, user.gid);
    const mounts: Mount[] = [
      { source: join(etc, 'pbx.yaml'), target: '/etc/pbx-lite/pbx.yaml', readOnly: true },
      { source: join(certs, 'tls'), target: '/etc/pbx-lite/tls', readOnly: true },
    ];
    const env = {
      PBX_CONFIG: '/etc/pbx-lite/pbx.yaml',
      PBX__REGISTRAR__DEFAULT_EXPIRES: '1800',
      PBX__MSILO__EXPIRE_TIME: '7200',
      PBX__CORE__TLS_CERTIFICATE: '/etc/pbx-lite/tls/sip.crt',
      PBX__CORE__TLS_PRIVATE_KEY: '/etc/pbx-lite/tls/sip.key',
      ADMIN_PASSWORD: 'chosen-admin-password',
    };
    const srv = await boot(data, env, mounts);
    assert.ok(!srv.c.output.some((l) => l.includes('Admin login:')), 'no generated password when ADMIN_PASSWORD is given');
    const token = await srv.login('chosen-admin-password');
    const cfg = (await srv.api('/api/config', { token })).body;
    assert.equal(cfg.pbx.usrloc.db_mode, 1, 'from the mounted file');
    assert.equal(cfg.pbx.registrar.default_expires, 1800, 'the environment wins over the file');
    assert.equal(cfg.pbx.msilo.expire_time, 7200, 'from the environment');
    assert.equal((await peerCertificate(srv.tls)).fingerprint256, new X509Certificate(mine.cert).fingerprint256, 'the mounted certificate is served');
    assert.ok(!existsSync(join(data, 'tls')), 'nothing generated when a certificate is mounted');
    assert.equal(await srv.c.stop('SIGTERM'), 0, srv.c.output.slice(-15).join('\n'));

    // The entrypoint's other command: `docker run … pbx-lite migrate`.
    const migrate = ChrootContainer.start({ rootfs: image.rootfs, config: image.config, ...user, env, mounts: [{ source: data, target: image.config.env.DATA_DIR! }, ...mounts], args: ['migrate'] });
    running.push(migrate);
    assert.equal(await migrate.exited, 0, migrate.output.join('\n'));
    assert.ok(migrate.output.some((l) => l.startsWith('schema is up to date')), migrate.output.join('\n'));

    // A bad value: exit code 2 and one line naming the key, the value and what is allowed.
    const bad = ChrootContainer.start({ rootfs: image.rootfs, config: image.config, ...user, env: { PBX__USRLOC__DB_MODE: '7' }, mounts: [{ source: volume(), target: image.config.env.DATA_DIR! }] });
    running.push(bad);
    assert.equal(await bad.exited, 2);
    assert.ok(bad.output.some((l) => /^config error: usrloc\.db_mode = 7: expected /.test(l)), bad.output.join('\n'));

    // A volume the image's user cannot write: says so and how to fix it.
    const rootOwned = volume({ uid: 0, gid: 0 });
    const denied = ChrootContainer.start({ rootfs: image.rootfs, config: image.config, ...user, mounts: [{ source: rootOwned, target: image.config.env.DATA_DIR! }] });
    running.push(denied);
    assert.equal(await denied.exited, 1);
    assert.ok(denied.output.some((l) => l.includes(`DATA_DIR /var/lib/pbx-lite is not writable by uid ${user.uid}`)), denied.output.join('\n'));
  });
});
