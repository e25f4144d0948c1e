/**
 * docker/env-config.mjs: configuration file keys from PBX__<SECTION>__<KEY>
 * variables, laid over a mounted PBX_CONFIG (the image's entrypoint uses it
 * before the server reads its configuration).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'yaml';

type Env = Record<string, string | undefined>;
interface EnvConfigModule {
  settingsFromEnv(env: Env): Record<string, unknown> | undefined;
  mergeSettings(base: unknown, over: unknown): unknown;
  effectiveConfigFile(env: Env): string | undefined;
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const mod = (await import(pathToFileURL(join(ROOT, 'docker/env-config.mjs')).href)) as EnvConfigModule;

describe('image configuration from PBX__ environment variables', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pbx-env-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('PBX__SECTION__KEY sets section.key, values read as YAML scalars, empty values ignored, other variables untouched', () => {
    assert.deepEqual(
      mod.settingsFromEnv({
        PBX__USRLOC__DB_MODE: '1',
        PBX__REGISTRAR__USE_PATH: 'true',
        PBX__CORE__AUTH_ALGORITHMS: '[MD5, SHA-256]',
        PBX__CORE__TLS_CERTIFICATE: '/etc/pbx-lite/tls/sip.crt',
        PBX__ROLE: 'edge',
        PBX__MSILO__EXPIRE_TIME: '',
        PBX_CONFIG: '/etc/pbx-lite/pbx.yaml',
        HTTP_PORT: '8080',
      }),
      {
        usrloc: { db_mode: 1 },
        registrar: { use_path: true },
        core: { auth_algorithms: ['MD5', 'SHA-256'], tls_certificate: '/etc/pbx-lite/tls/sip.crt' },
        role: 'edge',
      },
    );
    assert.equal(mod.settingsFromEnv({ HTTP_PORT: '8080', PBX__X__Y: '' }), undefined, 'nothing to do');
    assert.throws(() => mod.settingsFromEnv({ PBX__USRLOC____DB_MODE: '1' }), /PBX__USRLOC____DB_MODE: expected PBX__<SECTION>__<KEY>/);
  });

  test('the environment wins over the mounted file, key by key', () => {
    assert.deepEqual(
      mod.mergeSettings({ usrloc: { db_mode: 2, timer_interval: 30 }, msilo: { expire_time: 100 } }, { usrloc: { db_mode: 1 } }),
      { usrloc: { db_mode: 1, timer_interval: 30 }, msilo: { expire_time: 100 } },
    );
  });

  test('the effective file is written into DATA_DIR (mode 0600) only when PBX__ variables are set', () => {
    const mounted = join(dir, 'pbx.yaml');
    writeFileSync(mounted, 'usrloc:\n  db_mode: 2\nregistrar:\n  max_contacts: 4\n');
    assert.equal(mod.effectiveConfigFile({ PBX_CONFIG: mounted, DATA_DIR: dir }), mounted, 'no PBX__ variable: the mounted file as it is');
    assert.equal(mod.effectiveConfigFile({ DATA_DIR: dir }), undefined);

    const file = mod.effectiveConfigFile({ PBX_CONFIG: mounted, DATA_DIR: dir, PBX__USRLOC__DB_MODE: '1' })!;
    assert.equal(file, join(dir, 'pbx-config.effective.yaml'));
    assert.deepEqual(parse(readFileSync(file, 'utf8')), { usrloc: { db_mode: 1 }, registrar: { max_contacts: 4 } });
    assert.equal(statSync(file).mode & 0o777, 0o600);

    const unreadable = join(dir, 'missing.yaml');
    assert.equal(mod.effectiveConfigFile({ PBX_CONFIG: unreadable, DATA_DIR: dir, PBX__USRLOC__DB_MODE: '1' }), unreadable, 'left to the server to report');
  });
});
