import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVER_MAIN } from '../support/index.js';

/** Starts the real server with a config and returns its exit code and stderr. */
function startWith(yaml: string | undefined, env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'pbx-cfg-'));
  const file = join(dir, 'pbx.yaml');
  if (yaml !== undefined) writeFileSync(file, yaml);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SERVER_MAIN],
      { env: { PATH: process.env.PATH ?? '', DATA_DIR: dir, HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', PBX_CONFIG: file, ...env }, timeout: 20_000 },
      (err, _stdout, stderr) => {
        rmSync(dir, { recursive: true, force: true });
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr });
      },
    );
  });
}

describe('a bad configuration stops start-up with one line naming key, value and what is allowed', () => {
  const cases: Array<[string, string | undefined, Record<string, string>, RegExp]> = [
    ['out of range', 'registrar:\n  path_mode: 7\n', {}, /^config error: registrar\.path_mode = 7: .*0.*2/],
    ['flag out of range', 'msilo:\n  skip_notification_flag: 40\n', {}, /^config error: msilo\.skip_notification_flag = 40: .*31/],
    ['wrong type', 'registrar:\n  max_contacts: ten\n', {}, /^config error: registrar\.max_contacts = "ten": expected an integer/],
    ['unknown key', 'registrar:\n  bogus_key: 1\n', {}, /^config error: registrar\.bogus_key: unknown key/],
    ['unknown section', 'nosuchmodule:\n  a: 1\n', {}, /^config error: nosuchmodule: unknown key/],
    ['bad environment value', '{}\n', { HTTP_PORT: 'abc' }, /^config error: HTTP_PORT = "abc"/],
    ['bad listen spec', '{}\n', { SIP_LISTEN: 'sctp:0.0.0.0:5060' }, /^config error: SIP_LISTEN/],
    ['missing file', undefined, {}, /^config error: .*pbx\.yaml/],
  ];
  for (const [name, yaml, env, expected] of cases) {
    test(name, async () => {
      const { code, stderr } = await startWith(yaml, env);
      assert.notEqual(code, 0);
      const lines = stderr.trim().split('\n');
      assert.equal(lines.length, 1, `one line, got: ${stderr}`);
      assert.match(lines[0]!, expected);
    });
  }
});
