import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type Backend, type TestServer } from '../../support/server.js';

/** A PBX_CONFIG file's content: module section → Kamailio parameter name → value (docs/configuration.md). */
export type PbxConfig = Record<string, Record<string, string | number | boolean | readonly string[]>>;

export interface PbxOptions {
  readonly backend: Backend;
  /** `SIP_AUTH`: digest challenges on (true) or open lab mode (false). */
  readonly auth: boolean;
  readonly config: PbxConfig;
  /** An existing PostgreSQL database (backend 'postgres'); unset = startServer makes and drops its own. */
  readonly databaseUrl?: string;
  /** Node options of the server process before its script (e.g. `--cpu-prof`, `--inspect=127.0.0.1:0`). */
  readonly nodeArgs?: readonly string[];
}

export interface PbxInstance {
  readonly srv: TestServer;
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  /** Stops the server and removes its data and the config file. */
  stop(): Promise<void>;
}

/**
 * The PBX_CONFIG YAML of `config`: every value is written as JSON, which is
 * YAML flow syntax (strings quoted, lists in brackets).
 */
export function pbxConfigYaml(config: PbxConfig): string {
  return Object.entries(config)
    .map(([section, keys]) => `${section}:\n${Object.entries(keys).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}\n`).join('')}`)
    .join('');
}

/**
 * Our appliance on one UDP socket of 127.0.0.1 with `config` written to a
 * PBX_CONFIG file in a temporary folder; resolves once it logged `ready`.
 */
export async function startPbx(opts: PbxOptions): Promise<PbxInstance> {
  const dir = mkdtempSync(join(tmpdir(), 'pbx-bench-cfg-'));
  const cfg = join(dir, 'pbx.yaml');
  writeFileSync(cfg, pbxConfigYaml(opts.config));
  let srv: TestServer;
  try {
    srv = await startServer({
      backend: opts.backend,
      ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}),
      env: {
        SIP_LISTEN: 'udp:127.0.0.1:0',
        SIP_AUTH: opts.auth ? 'on' : 'off',
        PBX_CONFIG: cfg,
      },
      ...(opts.nodeArgs ? { nodeArgs: opts.nodeArgs } : {}),
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const sip = srv.sip('udp');
  return {
    srv,
    host: sip.address === '0.0.0.0' ? '127.0.0.1' : sip.address,
    port: sip.port,
    pid: srv.proc.pid!,
    async stop() {
      await srv.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
