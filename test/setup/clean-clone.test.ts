/**
 * The README's two set-up commands work from a clean clone: the committed
 * HEAD is cloned into a temporary folder (so uncommitted or ignored files of
 * this checkout cannot help), the README's first command installs, builds and
 * starts the appliance on its embedded database, an operator logs in with the
 * printed password and gets the dashboard, SIGTERM stops it with exit code 0;
 * then the README's second command runs the tests of one small package there.
 *
 * The commands are read from README.md's fenced blocks, so this breaks when
 * the README changes. npm uses its local cache first (`prefer-offline`).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeCommands, type ReadmeCommands } from './readme-commands.js';
import { ShellCommand } from './shell-command.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SERVER_MAIN = 'apps/server/dist/main.js';
// npm ci from the cache ~15–30 s, the build ~5–15 s, start-up ~2 s; generous for a loaded CI machine.
const START_TIMEOUT_MS = 6 * 60_000;
const STOP_TIMEOUT_MS = 15_000;
const TEST_TIMEOUT_MS = 5 * 60_000;
/** A small package whose specs need no database or network. */
const TEST_FILTER = 'libs/core';

/** Configuration the appliance reads from the environment (README: Configuration). */
const APPLIANCE_VARS = [
  'DATABASE_URL', 'DATA_DIR', 'HTTP_PORT', 'HTTP_HOST', 'SIP_LISTEN', 'MSRP_LISTEN',
  'SIP_DOMAINS', 'SIP_AUTH', 'ADMIN_PASSWORD', 'LOG_LEVEL', 'PBX_CONFIG',
];

/**
 * The environment of someone at a shell prompt: none of the variables npm or
 * Node's test runner set for this process (an inner `node --test` that sees
 * NODE_TEST_CONTEXT reports to its parent instead of printing), none of the
 * appliance's own settings, and npm told to use its cache first.
 */
function shellEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) {
    if (/^npm_/i.test(k) || k.startsWith('NODE_TEST') || APPLIANCE_VARS.includes(k)) delete env[k];
  }
  delete env.INIT_CWD;
  delete env.NODE_ENV;
  return {
    ...env,
    npm_config_prefer_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    ...extra,
  };
}

function isGitWorkTree(dir: string): boolean {
  try {
    return execFileSync('git', ['-C', dir, 'rev-parse', '--is-inside-work-tree'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() === 'true';
  } catch {
    return false;
  }
}

const skip = isGitWorkTree(ROOT) ? false : 'not a git checkout: nothing to clone';

describe('README set-up commands from a clean clone of HEAD', { skip }, () => {
  let work: string;
  let clone: string;
  let commands: ReadmeCommands;

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'pbx-clean-clone-'));
    clone = join(work, 'repo');
    execFileSync('git', ['clone', '--quiet', '--no-hardlinks', ROOT, clone], { stdio: ['ignore', 'ignore', 'pipe'] });
    commands = readmeCommands(readFileSync(join(clone, 'README.md'), 'utf8'));
  });
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('the first command installs, builds and starts; the printed password logs in; / is the dashboard; SIGTERM exits 0', { timeout: START_TIMEOUT_MS + 60_000 }, async () => {
    assert.match(commands.start, /\bnpm start\b/, 'the first command ends by starting the appliance');
    const dataDir = join(work, 'data');
    const cmd = new ShellCommand(commands.start, {
      cwd: clone,
      env: shellEnv({
        DATA_DIR: dataDir,
        HTTP_PORT: '0',
        HTTP_HOST: '127.0.0.1',
        SIP_LISTEN: 'udp:127.0.0.1:0',
        MSRP_LISTEN: 'tcp:127.0.0.1:0',
      }),
    });
    try {
      // The banner (README: "It prints where the dashboard is and … the generated admin password").
      const [ready, dashboardUrl, password] = await Promise.all([
        cmd.waitFor('"ready" log line', (l) => readyRecord(l), START_TIMEOUT_MS),
        cmd.waitFor('dashboard URL in the banner', (l) => /^\s*Dashboard and API: (http:\/\/\S+?)\/?\s/.exec(l)?.[1], START_TIMEOUT_MS),
        cmd.waitFor('generated admin password in the banner', (l) => /^\s*Admin login: admin \/ (\S+)\s*$/.exec(l)?.[1], START_TIMEOUT_MS),
      ]);
      assert.equal(dashboardUrl, ready.httpUrl, 'the banner shows the URL the server listens on');
      assert.ok(existsSync(join(dataDir, 'pgdata')), 'no DATABASE_URL: the embedded database lives in DATA_DIR');

      const login = await fetch(`${dashboardUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password }),
      });
      const body = (await login.json()) as { token?: unknown };
      assert.equal(login.status, 200, `login with the printed password: ${JSON.stringify(body)}`);
      assert.equal(typeof body.token, 'string');
      assert.ok((body.token as string).length > 0);

      const page = await fetch(`${dashboardUrl}/`);
      const html = await page.text();
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(html, /<div id="root">/, 'the built dashboard, not an API error');

      // Stop the server itself, as a supervisor or Ctrl-C would; npm passes its exit code on.
      const servers = cmd.groupPids((argv) => /(^|\/)node$/.test(argv[0] ?? '') && argv.some((a) => a.endsWith(SERVER_MAIN)));
      assert.equal(servers.length, 1, `one server process under the command, found ${servers.join(', ') || 'none'}`);
      process.kill(servers[0]!, 'SIGTERM');
      const { code, signal } = await cmd.exit(STOP_TIMEOUT_MS);
      assert.equal(signal, null, `the command chain ended by signal ${signal}:\n${cmd.tail()}`);
      assert.equal(code, 0, `exit code after SIGTERM:\n${cmd.tail()}`);
      assert.ok(cmd.output.some((l) => readMsg(l) === 'stopped'), 'graceful stop logged');
    } finally {
      cmd.killGroup();
    }
  });

  test(`the second command runs the tests (narrowed to ${TEST_FILTER}) and ends with "N passed, 0 failed"`, { timeout: TEST_TIMEOUT_MS + 30_000 }, async () => {
    assert.match(commands.test, /^npm test$/, 'the README test command is the one narrowed here');
    // scripts/run-tests.mjs narrows the run to files whose path contains an argument.
    const cmd = new ShellCommand(`${commands.test} -- ${TEST_FILTER}`, { cwd: clone, env: shellEnv({}) });
    try {
      const { code } = await cmd.exit(TEST_TIMEOUT_MS);
      const last = cmd.output.filter((l) => l.trim() !== '').at(-1) ?? '';
      const m = /^(\d+) passed, 0 failed$/.exec(last);
      assert.ok(m, `final line ${JSON.stringify(last)}:\n${cmd.tail()}`);
      assert.ok(Number(m[1]) > 0, 'some tests ran');
      assert.equal(code, 0);
    } finally {
      cmd.killGroup();
    }
  });
});

function readMsg(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return (JSON.parse(line) as { msg?: string }).msg;
  } catch {
    return undefined;
  }
}

function readyRecord(line: string): { httpUrl: string } | undefined {
  if (readMsg(line) !== 'ready') return undefined;
  const rec = JSON.parse(line) as { httpUrl?: unknown };
  return typeof rec.httpUrl === 'string' ? { httpUrl: rec.httpUrl } : undefined;
}
