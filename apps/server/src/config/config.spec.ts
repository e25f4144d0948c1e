import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { z } from 'zod';
import { configMetaDeep, configObjectShape } from '@pbx/sip';
import {
  ConfigError,
  configDocsMarkdown,
  envSchema,
  loadConfig,
  parseEnv,
  parsePbxConfig,
  pbxConfigSchema,
  redactConfig,
  type EnvVarMeta,
} from './index.js';

/** The one-line message loadConfig/parse* throw for a bad input. */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    assert.ok(!err.message.includes('\n'), `one line: ${err.message}`);
    return err.message;
  }
  assert.fail('no error');
}

const fileError = (raw: unknown) => errorOf(() => parsePbxConfig(raw));
const envError = (env: NodeJS.ProcessEnv) => errorOf(() => parseEnv(env));

describe('defaults are the Kamailio module documents\' defaults', () => {
  const d = parsePbxConfig({});

  test('registrar (seeds/kamailio-registrar.txt §3)', () => {
    assert.equal(d.role, 'registrar');
    assert.equal(d.registrar.default_expires, 3600);
    assert.equal(d.registrar.min_expires, 60);
    assert.equal(d.registrar.max_expires, 0);
    assert.equal(d.registrar.default_q, 0);
    assert.equal(d.registrar.append_branches, 1);
    assert.equal(d.registrar.received_param, 'received');
    assert.equal(d.registrar.max_contacts, 0);
    assert.equal(d.registrar.sock_flag, -1);
    assert.equal(d.registrar.path_mode, 2);
    assert.equal(d.registrar.use_path, 0);
    assert.equal(d.registrar.gruu_enabled, 1);
    assert.equal(d.registrar.outbound_mode, 0);
    assert.equal(d.registrar.flow_timer, 0);
    assert.equal(d.registrar.realm_prefix, undefined);
    assert.equal(d.registrar.memory_only, false);
    assert.equal(d.registrar.single_contact, false);
  });

  test('msilo (seeds/kamailio-msilo.txt §3)', () => {
    assert.equal(d.msilo.expire_time, 259_200);
    assert.equal(d.msilo.check_time, 60);
    assert.equal(d.msilo.send_time, 0);
    assert.equal(d.msilo.clean_period, 10);
    assert.equal(d.msilo.use_contact, 1);
    assert.equal(d.msilo.add_date, 1);
    assert.equal(d.msilo.add_contact, 0);
    assert.equal(d.msilo.skip_notification_flag, -1);
    assert.equal(d.msilo.from_address, undefined);
    assert.equal(d.msilo.send_time_header, 'X-Send-Time');
  });

  test('sca, msrp, outbound (their seed documents)', () => {
    assert.equal(d.sca.hash_table_size, 9);
    assert.equal(d.sca.call_info_max_expires, 3600);
    assert.equal(d.sca.line_seize_max_expires, 15);
    assert.equal(d.sca.purge_expired_interval, 120);
    assert.equal(d.sca.db_update_interval, 300);
    assert.equal(d.sca.notify_max_failures, 3);
    assert.equal(d.msrp.sipmsg, 1);
    assert.equal(d.msrp.cmap_size, 0);
    assert.equal(d.msrp.timer_interval, 60);
    assert.equal(d.msrp.auth_min_expires, 60);
    assert.equal(d.msrp.auth_max_expires, 3600);
    assert.equal(d.outbound.force_outbound_flag, -1);
    assert.equal(d.outbound.tcp_connection_lifetime, 120);
    assert.equal(d.edge.flow_timer, 0);
  });

  test('usrloc and core (ours, documented where they differ from Kamailio)', () => {
    assert.equal(d.usrloc.db_mode, 2);
    assert.equal(d.usrloc.timer_interval, 60);
    assert.equal(d.usrloc.handle_lost_tcp, 1);
    assert.equal(d.usrloc.nat_bflag, -1);
    assert.deepEqual(d.usrloc.preload, ['location']);
    assert.equal(d.usrloc.write_back_interval_ms, 1000);
    assert.equal(d.core.t1_ms, 500);
    assert.equal(d.core.t2_ms, 4000);
    assert.equal(d.core.t4_ms, 5000);
    assert.equal(d.core.nonce_expire, 30);
    assert.deepEqual(d.core.auth_algorithms, ['SHA-256', 'MD5']);
    assert.equal(d.core.server_header, 'PBX-lite');
    const usrloc = configObjectShape(pbxConfigSchema.shape.usrloc)!;
    assert.equal(configMetaDeep(usrloc.db_mode!)?.kamailioDefault, '0');
    assert.equal(configMetaDeep(usrloc.handle_lost_tcp!)?.kamailioDefault, '0');
  });

  test('a default list is a fresh copy each time', () => {
    const a = parsePbxConfig({});
    a.usrloc.preload.push('other');
    assert.deepEqual(parsePbxConfig({}).usrloc.preload, ['location']);
  });

  test('a section given in part keeps the defaults of the keys not given', () => {
    const c = parsePbxConfig({ registrar: { max_contacts: 10 }, msilo: { add_date: false, from_address: null } });
    assert.equal(c.registrar.max_contacts, 10);
    assert.equal(c.registrar.path_mode, 2);
    assert.equal(c.msilo.add_date, 0, 'YAML false is Kamailio 0');
    assert.equal(c.msilo.from_address, undefined, 'YAML null means unset');
  });
});

describe('every parameter of the seed documents is a key', () => {
  // Parameter names as listed in each seed document's §3 (column-name and
  // database parameters excepted where the section's metadata says why).
  const seeds: Record<string, string[]> = {
    registrar: [
      'default_expires', 'default_expires_range', 'expires_range', 'min_expires', 'max_expires', 'default_q', 'realm_prefix',
      'append_branches', 'aor_avp', 'case_sensitive', 'received_avp', 'received_param', 'max_contacts', 'retry_after', 'sock_flag',
      'sock_hdr_name', 'method_filtering', 'use_path', 'path_mode', 'path_use_received', 'path_check_local', 'reg_callid_avp',
      'xavp_cfg', 'xavp_rcd', 'gruu_enabled', 'outbound_mode', 'regid_mode', 'flow_timer',
    ],
    msilo: [
      'db_url', 'db_table', 'sc_mid', 'sc_from', 'sc_to', 'sc_uri_user', 'sc_uri_host', 'sc_body', 'sc_ctype', 'sc_exp_time',
      'sc_inc_time', 'sc_snd_time', 'sc_stored_hdrs', 'sc_callid', 'sc_status', 'from_address', 'contact_hdr', 'extra_hdrs',
      'offline_message', 'content_type_hdr', 'reminder', 'outbound_proxy', 'expire_time', 'check_time', 'send_time',
      'clean_period', 'use_contact', 'snd_time_avp', 'add_date', 'max_messages', 'add_contact', 'extra_hdrs_avp',
      'skip_notification_flag', 'use_mode',
    ],
    sca: ['hash_table_size', 'call_info_max_expires', 'line_seize_max_expires', 'purge_expired_interval', 'db_url', 'subs_table', 'db_update_interval'],
    msrp: ['sipmsg', 'cmap_size', 'timer_interval', 'auth_min_expires', 'auth_max_expires', 'use_path_addr', 'event_callback'],
    outbound: ['force_outbound_flag'],
  };
  for (const [section, params] of Object.entries(seeds)) {
    test(section, () => {
      const schema = pbxConfigSchema.shape[section as keyof typeof pbxConfigSchema.shape] as z.ZodType;
      const keys = Object.keys(configObjectShape(schema)!);
      const omitted = configMetaDeep(schema)?.omitted ?? {};
      for (const p of params) assert.ok(keys.includes(p) || p in omitted, `${section}.${p} is missing and not listed as omitted`);
    });
  }

  test('every key has a description, an allowed-values text and a type', () => {
    for (const [section, schema] of Object.entries(pbxConfigSchema.shape)) {
      const shape = configObjectShape(schema as z.ZodType);
      const fields = shape ? Object.entries(shape) : [[section, schema as z.ZodType] as const];
      for (const [key, field] of fields) {
        const m = configMetaDeep(field);
        assert.ok(m?.description && m.expected && m.type, `${section}.${key} lacks docs`);
      }
    }
    for (const [name, schema] of Object.entries(envSchema.shape)) {
      const m = configMetaDeep(schema as z.ZodType) as EnvVarMeta | undefined;
      assert.ok(m?.description && m.expected && m.field && m.defaultText, `${name} lacks docs`);
    }
  });
});

describe('a bad file value is one line naming key, value and what is allowed', () => {
  test('out of range', () => {
    assert.equal(fileError({ registrar: { path_mode: 7 } }), 'config error: registrar.path_mode = 7: expected an integer from 0 to 2');
    assert.equal(fileError({ registrar: { default_expires_range: 101 } }), 'config error: registrar.default_expires_range = 101: expected an integer from 0 to 100');
  });

  test('a flag beyond 31', () => {
    assert.equal(
      fileError({ msilo: { skip_notification_flag: 40 } }),
      'config error: msilo.skip_notification_flag = 40: expected a flag number from 0 to 31 (or -1 for none)',
    );
    assert.equal(
      fileError({ outbound: { force_outbound_flag: -2 } }),
      'config error: outbound.force_outbound_flag = -2: expected a flag number from 0 to 31 (or -1 for none)',
    );
  });

  test('wrong type', () => {
    assert.equal(fileError({ registrar: { max_contacts: 'ten' } }), 'config error: registrar.max_contacts = "ten": expected an integer >= 0');
    assert.equal(fileError({ registrar: { max_contacts: 1.5 } }), 'config error: registrar.max_contacts = 1.5: expected an integer >= 0');
    assert.equal(fileError({ registrar: { use_path: 'yes' } }), 'config error: registrar.use_path = "yes": expected 0 or 1 (or true/false)');
    assert.equal(fileError({ msilo: { dump_to_all_bindings: 1 } }), 'config error: msilo.dump_to_all_bindings = 1: expected true or false');
    assert.match(fileError({ registrar: 5 }), /^config error: registrar = 5: expected a mapping of default_expires, /);
  });

  test('unknown key and unknown section', () => {
    const line = fileError({ registrar: { bogus_key: 1 } });
    assert.match(line, /^config error: registrar\.bogus_key: unknown key \(allowed: default_expires, default_expires_range, .*, single_contact\)$/);
    assert.equal(
      fileError({ nosuchmodule: { a: 1 } }),
      'config error: nosuchmodule: unknown key (allowed: role, core, registrar, usrloc, msilo, sca, msrp, outbound, edge)',
    );
  });

  test('a Kamailio parameter we do not take says why', () => {
    assert.equal(
      fileError({ msilo: { db_url: 'mysql://x' } }),
      "config error: msilo.db_url: unknown key (Kamailio's msilo.db_url is not used here: the database is global, set by DATABASE_URL)",
    );
  });

  test('bad enum', () => {
    assert.equal(fileError({ role: 'proxy' }), 'config error: role = "proxy": expected one of registrar, edge');
    assert.equal(
      fileError({ core: { auth_algorithms: ['MD5', 'SHA-1'] } }),
      'config error: core.auth_algorithms[1] = "SHA-1": expected a non-empty list of distinct values from SHA-256, MD5',
    );
    assert.equal(
      fileError({ core: { auth_algorithms: ['MD5', 'MD5'] } }),
      'config error: core.auth_algorithms = ["MD5","MD5"]: expected a non-empty list of distinct values from SHA-256, MD5',
    );
  });

  test('pattern-checked strings', () => {
    assert.equal(fileError({ msilo: { reminder: 'registrar@example.org' } }), 'config error: msilo.reminder = "registrar@example.org": expected a SIP URI (sip:… or sips:…)');
    assert.equal(fileError({ msilo: { from_address: '' } }), 'config error: msilo.from_address = "": expected a SIP URI (sip:… or sips:…)');
    assert.equal(fileError({ core: { realm: '' } }), 'config error: core.realm = "": expected a non-empty string');
  });

  test('role edge without edge.registrar_uri', () => {
    assert.equal(fileError({ role: 'edge' }), 'config error: edge.registrar_uri: required when role is edge: expected a SIP URI sip:HOST:PORT');
    const ok = parsePbxConfig({ role: 'edge', edge: { registrar_uri: 'sip:[2001:db8::1]:5060;transport=tcp', flow_timer: 25 } });
    assert.equal(ok.edge.registrar_uri, 'sip:[2001:db8::1]:5060;transport=tcp');
    assert.equal(
      fileError({ edge: { registrar_uri: 'sip:registrar.example.org' } }),
      'config error: edge.registrar_uri = "sip:registrar.example.org": expected a SIP URI sip:HOST:PORT (optionally ;transport=tcp|tls|…)',
    );
    assert.equal(fileError({ edge: { registrar_uri: 'sip:10.0.0.1:70000' } }), 'config error: edge.registrar_uri = "sip:10.0.0.1:70000": expected a port from 1 to 65535');
  });

  test('cross-field rules of the seeds', () => {
    // seeds/kamailio-registrar.txt §3.28: flow_timer > 0 only with outbound_mode 1 or 2.
    assert.equal(
      fileError({ registrar: { flow_timer: 25 } }),
      'config error: registrar.flow_timer = 25: allowed only when registrar.outbound_mode is 1 or 2 (use 0)',
    );
    assert.equal(parsePbxConfig({ registrar: { flow_timer: 25, outbound_mode: 1 } }).registrar.flow_timer, 25);
    assert.equal(fileError({ core: { t1_ms: 5000 } }), 'config error: core.t2_ms = 4000: expected an integer >= core.t1_ms (5000)');
    assert.equal(
      fileError({ core: { tls_certificate: '/etc/pbx/cert.pem' } }),
      'config error: core.tls_private_key: required when core.tls_certificate is set (set both or neither)',
    );
    assert.equal(
      fileError({ msrp: { auth_min_expires: 7200 } }),
      'config error: msrp.auth_min_expires = 7200: expected an integer <= msrp.auth_max_expires (3600)',
    );
  });

  test('only the first problem is reported', () => {
    const line = fileError({ registrar: { path_mode: 7, max_contacts: 'ten' }, msilo: { skip_notification_flag: 40 } });
    assert.equal(line, 'config error: registrar.max_contacts = "ten": expected an integer >= 0');
  });
});

describe('the environment', () => {
  test('defaults', () => {
    const e = parseEnv({});
    assert.equal(e.databaseUrl, undefined);
    assert.ok(isAbsolute(e.dataDir) && e.dataDir.endsWith('/data'));
    assert.equal(e.httpPort, 8080);
    assert.equal(e.httpHost, '0.0.0.0');
    assert.deepEqual(e.sipListen, [
      { transport: 'udp', host: '0.0.0.0', port: 5060 },
      { transport: 'tcp', host: '0.0.0.0', port: 5060 },
    ]);
    assert.deepEqual(e.msrpListen, [{ transport: 'tcp', host: '0.0.0.0', port: 2855 }]);
    assert.deepEqual(e.sipDomains, []);
    assert.equal(e.sipAuth, true);
    assert.equal(e.adminPassword, undefined);
    assert.equal(e.logLevel, 'info');
    assert.equal(e.configFile, undefined);
  });

  test('values, IPv6 listeners in brackets, port 0, and an empty variable as unset', () => {
    const e = parseEnv({
      DATABASE_URL: 'postgresql://pbx:pw@db.example.org:5432/pbx',
      DATA_DIR: 'var/pbx',
      HTTP_PORT: '0',
      HTTP_HOST: '::1',
      SIP_LISTEN: 'udp:[::1]:5060, TCP:127.0.0.1:0,wss:[2001:db8::5]:8443',
      MSRP_LISTEN: 'tls:pbx.example.org:2856',
      SIP_DOMAINS: 'Example.ORG, 10.0.0.1,',
      SIP_AUTH: 'off',
      ADMIN_PASSWORD: 'correct horse',
      LOG_LEVEL: 'debug',
      PBX_CONFIG: '',
    });
    assert.equal(e.databaseUrl, 'postgresql://pbx:pw@db.example.org:5432/pbx');
    assert.equal(e.dataDir, join(process.cwd(), 'var/pbx'));
    assert.equal(e.httpPort, 0);
    assert.equal(e.httpHost, '::1');
    assert.deepEqual(e.sipListen, [
      { transport: 'udp', host: '::1', port: 5060 },
      { transport: 'tcp', host: '127.0.0.1', port: 0 },
      { transport: 'wss', host: '2001:db8::5', port: 8443 },
    ]);
    assert.deepEqual(e.msrpListen, [{ transport: 'tls', host: 'pbx.example.org', port: 2856 }]);
    assert.deepEqual(e.sipDomains, ['example.org', '10.0.0.1']);
    assert.equal(e.sipAuth, false);
    assert.equal(e.adminPassword, 'correct horse');
    assert.equal(e.logLevel, 'debug');
    assert.equal(e.configFile, undefined);
  });

  test('bad HTTP_PORT', () => {
    assert.equal(envError({ HTTP_PORT: 'abc' }), 'config error: HTTP_PORT = "abc": expected an integer from 0 to 65535');
    assert.equal(envError({ HTTP_PORT: '65536' }), 'config error: HTTP_PORT = "65536": expected an integer from 0 to 65535');
  });

  test('bad SIP_LISTEN / MSRP_LISTEN items', () => {
    const item = 'transport:host:port with transport udp, tcp, tls, ws, wss (IPv6 host in brackets, port 0 to 65535)';
    assert.equal(envError({ SIP_LISTEN: 'sctp:0.0.0.0:5060' }), `config error: SIP_LISTEN = "sctp:0.0.0.0:5060": expected ${item}; "sctp" is not a transport`);
    assert.equal(
      envError({ SIP_LISTEN: 'udp:0.0.0.0:5060,udp:::1:5060' }),
      `config error: SIP_LISTEN = "udp:0.0.0.0:5060,udp:::1:5060": item "udp:::1:5060": expected ${item}`,
    );
    assert.equal(envError({ SIP_LISTEN: 'udp:[nothex]:5060' }), 'config error: SIP_LISTEN = "udp:[nothex]:5060": expected a host: an IPv4 address, a host name or an IPv6 address in brackets');
    assert.equal(envError({ SIP_LISTEN: 'udp:0.0.0.0:99999' }), 'config error: SIP_LISTEN = "udp:0.0.0.0:99999": expected a port from 0 to 65535');
    assert.match(envError({ MSRP_LISTEN: 'udp:0.0.0.0:2855' }), /^config error: MSRP_LISTEN = "udp:0\.0\.0\.0:2855": expected transport:host:port with transport tcp, tls, ws, wss .*"udp" is not a transport$/);
  });

  test('other bad values', () => {
    assert.equal(envError({ SIP_AUTH: 'yes' }), 'config error: SIP_AUTH = "yes": expected on or off');
    assert.equal(envError({ LOG_LEVEL: 'loud' }), 'config error: LOG_LEVEL = "loud": expected one of fatal, error, warn, info, debug, trace, silent');
    assert.equal(envError({ ADMIN_PASSWORD: 'short' }), 'config error: ADMIN_PASSWORD = "short": expected a password of at least 8 characters');
    assert.equal(envError({ DATABASE_URL: 'mysql://db/pbx' }), 'config error: DATABASE_URL = "mysql://db/pbx": expected a postgres:// or postgresql:// URL with a host');
    assert.equal(envError({ SIP_DOMAINS: 'example.org,bad domain' }), 'config error: SIP_DOMAINS = "example.org,bad domain": item "bad domain": expected a domain name or an IP address');
  });
});

describe('the YAML file', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pbx-config-spec-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  test('is read when PBX_CONFIG names it', () => {
    const file = write('ok.yaml', 'registrar:\n  max_contacts: 10\n  use_path: true\nmsilo:\n  from_address: "sip:registrar@example.org"\n  reminder: ~\n');
    const c = loadConfig({ PBX_CONFIG: file });
    assert.equal(c.env.configFile, file);
    assert.equal(c.pbx.registrar.max_contacts, 10);
    assert.equal(c.pbx.registrar.use_path, 1);
    assert.equal(c.pbx.msilo.from_address, 'sip:registrar@example.org');
    assert.equal(c.pbx.msilo.reminder, undefined);
  });

  test('an empty file means all defaults; no PBX_CONFIG too', () => {
    assert.deepEqual(loadConfig({ PBX_CONFIG: write('empty.yaml', '') }).pbx, parsePbxConfig({}));
    assert.deepEqual(loadConfig({}).pbx, parsePbxConfig({}));
  });

  test('a value error from the file', () => {
    const file = write('bad-value.yaml', 'registrar:\n  path_mode: 7\n');
    assert.equal(errorOf(() => loadConfig({ PBX_CONFIG: file })), 'config error: registrar.path_mode = 7: expected an integer from 0 to 2');
  });

  test('an unreadable file names the file', () => {
    const missing = join(dir, 'missing.yaml');
    assert.equal(errorOf(() => loadConfig({ PBX_CONFIG: missing })), `config error: PBX_CONFIG = ${JSON.stringify(missing)}: cannot read the file (no such file)`);
    assert.equal(errorOf(() => loadConfig({ PBX_CONFIG: dir })), `config error: PBX_CONFIG = ${JSON.stringify(dir)}: cannot read the file (is a directory)`);
  });

  test('a YAML syntax error names the file, line and column', () => {
    const file = write('syntax.yaml', 'registrar:\n  path_mode: 1\n  foo: bar: baz\n');
    assert.equal(
      errorOf(() => loadConfig({ PBX_CONFIG: file })),
      `config error: ${file}: YAML syntax error at line 3, column 8: Nested mappings are not allowed in compact mappings`,
    );
    const dup = write('dup.yaml', 'registrar:\n  path_mode: 1\n  path_mode: 2\n');
    assert.equal(errorOf(() => loadConfig({ PBX_CONFIG: dup })), `config error: ${dup}: YAML syntax error at line 3, column 3: Map keys must be unique`);
  });

  test('a document that is not a mapping', () => {
    const file = write('list.yaml', '- registrar\n');
    assert.match(errorOf(() => loadConfig({ PBX_CONFIG: file })), /^config error: .*list\.yaml: expected a mapping of sections \(role, core, .*\), got a list$/);
  });

  test('the environment is checked first', () => {
    const file = write('bad-too.yaml', 'registrar:\n  path_mode: 7\n');
    assert.equal(errorOf(() => loadConfig({ PBX_CONFIG: file, HTTP_PORT: 'abc' })), 'config error: HTTP_PORT = "abc": expected an integer from 0 to 65535');
  });
});

describe('redaction', () => {
  const SECRET = 'sentinel-secret-value-1234';
  const cfg = loadConfig({ ADMIN_PASSWORD: SECRET, DATABASE_URL: `postgres://pbx:${SECRET}@db.example.org:5432/pbx` });
  cfg.pbx.core.auth_secret = SECRET;
  cfg.pbx.outbound.flow_token_secret = SECRET;
  cfg.pbx.core.tls_private_key = '/etc/pbx/key.pem';

  test('secrets are replaced, the rest is kept, the original is untouched', () => {
    const r = redactConfig(cfg) as { env: Record<string, unknown>; pbx: Record<string, Record<string, unknown>> };
    assert.equal(r.env.adminPassword, '[redacted]');
    assert.equal(r.env.databaseUrl, 'postgres://pbx:[redacted]@db.example.org:5432/pbx');
    assert.equal(r.pbx.core!.auth_secret, '[redacted]');
    assert.equal(r.pbx.outbound!.flow_token_secret, '[redacted]');
    assert.equal(r.pbx.core!.tls_private_key, '/etc/pbx/key.pem', 'a key path is not a secret');
    assert.equal(r.pbx.registrar!.path_mode, 2);
    assert.equal(r.env.httpPort, 8080);
    assert.equal(r.pbx.msilo!.from_address, null, 'unset keys are shown as null');
    assert.ok(!JSON.stringify(r).includes(SECRET));
    assert.equal(cfg.env.adminPassword, SECRET);
    assert.equal(cfg.pbx.core.auth_secret, SECRET);
  });

  test('every key the schema marks secret is redacted (driven by the metadata)', () => {
    const marked: string[] = [];
    for (const [section, schema] of Object.entries(pbxConfigSchema.shape)) {
      for (const [key, field] of Object.entries(configObjectShape(schema as z.ZodType) ?? {})) {
        if (configMetaDeep(field)?.secret) marked.push(`${section}.${key}`);
      }
    }
    assert.deepEqual(marked.sort(), ['core.auth_secret', 'outbound.flow_token_secret']);
  });

  test('a database URL without a password is shown as is', () => {
    const r = redactConfig(loadConfig({ DATABASE_URL: 'postgres://pbx@db/pbx' })) as { env: Record<string, unknown> };
    assert.equal(r.env.databaseUrl, 'postgres://pbx@db/pbx');
  });
});

describe('docs/configuration.md', () => {
  test('is what the schema generates (run `npm run build && npm run docs:config`)', () => {
    const file = new URL('../../../../docs/configuration.md', import.meta.url);
    const committed = readFileSync(file, 'utf8');
    assert.ok(committed === configDocsMarkdown(), 'docs/configuration.md is stale: run `npm run build && npm run docs:config`');
  });

  test('has a table per section and the environment variables', () => {
    const md = configDocsMarkdown();
    for (const s of ['core', 'registrar', 'usrloc', 'msilo', 'sca', 'msrp', 'outbound', 'edge']) assert.ok(md.includes(`### \`${s}\``), s);
    assert.match(md, /\| `path_mode` \| integer \| `2` \| integer from 0 to 2 \| /);
    assert.match(md, /\| `HTTP_PORT` \| 8080 \| integer from 0 to 65535 \| /);
    assert.match(md, /\| `db_mode` \| .*Kamailio's default is `0`\./);
  });
});
