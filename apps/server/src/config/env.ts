import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';
import { addConfigIssue, type ConfigFieldMeta } from '@pbx/sip';

export type TransportName = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

export interface ListenSpec {
  transport: TransportName;
  /** An IPv4 address, a host name, or an IPv6 address without brackets. */
  host: string;
  /** 0 = let the operating system pick a free port. */
  port: number;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The deployment settings, from environment variables. */
export interface EnvConfig {
  databaseUrl?: string;
  dataDir: string;
  httpPort: number;
  httpHost: string;
  sipListen: ListenSpec[];
  msrpListen: ListenSpec[];
  sipDomains: string[];
  sipAuth: boolean;
  adminPassword?: string;
  logLevel: LogLevel;
  configFile?: string;
}

/** Metadata of one environment variable: the field it fills and its default as shown to operators. */
export type EnvVarMeta = ConfigFieldMeta & { field: keyof EnvConfig; defaultText: string };

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

function isHost(h: string): boolean {
  return isIP(h) !== 0 || HOST_NAME.test(h);
}

/** An unset variable and an empty one (`FOO=` in a compose file) both mean "use the default". */
const emptyToUnset = (v: unknown): unknown => (v === '' ? undefined : v);

function envVar<T extends z.ZodType>(schema: T, m: Omit<EnvVarMeta, 'type'> & { type?: string }) {
  return z.preprocess(emptyToUnset, schema).meta({ type: 'string', ...m } satisfies EnvVarMeta);
}

function portText(min: number): string {
  return `an integer from ${min} to 65535`;
}

/**
 * `transport:host:port[,…]`; an IPv6 host is written in brackets
 * (`udp:[::1]:5060`) because its own colons would be ambiguous.
 */
function listenList(name: string, transports: readonly TransportName[]) {
  const itemText = `transport:host:port with transport ${transports.join(', ')} (IPv6 host in brackets, port 0 to 65535)`;
  const expected = `a comma-separated list of ${itemText}`;
  const schema = z.string().transform((value, ctx): ListenSpec[] => {
    const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const out: ListenSpec[] = [];
    const fail = (message: string) => {
      addConfigIssue(ctx, [], message);
      return z.NEVER;
    };
    if (items.length === 0) return fail(`expected ${expected}`);
    for (const item of items) {
      const where = items.length > 1 ? `item ${JSON.stringify(item)}: ` : '';
      const m = /^([A-Za-z]+):(\[[^\]]*\]|[^:[\]]+):(\d{1,5})$/.exec(item);
      if (!m) return fail(`${where}expected ${itemText}`);
      const transport = m[1]!.toLowerCase() as TransportName;
      if (!transports.includes(transport)) return fail(`${where}expected ${itemText}; ${JSON.stringify(m[1])} is not a transport`);
      const bracketed = m[2]!.startsWith('[');
      const host = bracketed ? m[2]!.slice(1, -1) : m[2]!;
      if (bracketed ? isIP(host) !== 6 : !isHost(host)) {
        return fail(`${where}expected a host: an IPv4 address, a host name or an IPv6 address in brackets`);
      }
      const port = Number(m[3]);
      if (port > 65_535) return fail(`${where}expected a port from 0 to 65535`);
      if (out.some((o) => o.transport === transport && o.host === host && o.port === port && port !== 0)) {
        return fail(`${where}listed twice`);
      }
      out.push({ transport, host, port });
    }
    return out;
  });
  return { schema, expected, name };
}

const sipListen = listenList('SIP_LISTEN', ['udp', 'tcp', 'tls', 'ws', 'wss']);
const msrpListen = listenList('MSRP_LISTEN', ['tcp', 'tls', 'ws', 'wss']);

/**
 * The environment variables, each with its default, what is allowed and
 * the EnvConfig field it fills. Keys are the variable names so an error
 * names the variable the operator set.
 */
export const envSchema = z.object({
  DATABASE_URL: envVar(
    z
      .string()
      .refine((s) => {
        try {
          const u = new URL(s);
          return (u.protocol === 'postgres:' || u.protocol === 'postgresql:') && u.hostname !== '';
        } catch {
          return false;
        }
      })
      .optional(),
    {
      field: 'databaseUrl',
      defaultText: 'unset: embedded PGlite in DATA_DIR',
      expected: 'a postgres:// or postgresql:// URL with a host',
      description: 'PostgreSQL server to use instead of the embedded database.',
      secret: 'url-password',
    },
  ),
  DATA_DIR: envVar(z.string().default('./data').transform((s) => resolve(s)), {
    field: 'dataDir',
    defaultText: './data',
    expected: 'a directory path (made absolute from the working directory)',
    description: 'Embedded database, generated secrets and the self-signed TLS certificate.',
  }),
  HTTP_PORT: envVar(z.string().regex(/^\d{1,5}$/).transform(Number).pipe(z.number().int().min(0).max(65_535)).default(8080), {
    field: 'httpPort',
    type: 'integer',
    defaultText: '8080',
    expected: portText(0),
    description: 'Dashboard, REST API (/api), socket.io, OpenAPI (/api/docs) and /metrics; 0 = a free port.',
  }),
  HTTP_HOST: envVar(z.string().refine(isHost).default('0.0.0.0'), {
    field: 'httpHost',
    defaultText: '0.0.0.0',
    expected: 'an IP address or a host name',
    description: 'Address the HTTP listener binds.',
  }),
  SIP_LISTEN: envVar(sipListen.schema.prefault('udp:0.0.0.0:5060,tcp:0.0.0.0:5060'), {
    field: 'sipListen',
    type: 'list',
    defaultText: 'udp:0.0.0.0:5060,tcp:0.0.0.0:5060',
    expected: sipListen.expected,
    description: 'SIP listeners, e.g. tls:0.0.0.0:5061, ws:0.0.0.0:5066, udp:[::]:5060.',
  }),
  MSRP_LISTEN: envVar(msrpListen.schema.prefault('tcp:0.0.0.0:2855'), {
    field: 'msrpListen',
    type: 'list',
    defaultText: 'tcp:0.0.0.0:2855',
    expected: msrpListen.expected,
    description: 'MSRP relay listeners, e.g. tls:0.0.0.0:2856.',
  }),
  SIP_DOMAINS: envVar(
    z
      .string()
      .transform((s, ctx) => {
        // Domains compare case-insensitively (RFC 3261 §19.1.4): keep them lower-case.
        const domains = s.split(',').map((d) => d.trim().toLowerCase()).filter((d) => d !== '');
        const bad = domains.find((d) => !isHost(d));
        if (bad === undefined) return domains;
        addConfigIssue(ctx, [], `item ${JSON.stringify(bad)}: expected a domain name or an IP address`);
        return z.NEVER;
      })
      .default([]),
    {
      field: 'sipDomains',
      type: 'list',
      defaultText: 'empty: every domain is local',
      expected: 'a comma-separated list of domain names or IP addresses',
      description: 'Domains served as local (uri==myself); others are relayed or refused.',
    },
  ),
  SIP_AUTH: envVar(z.enum(['on', 'off']).default('on').transform((s) => s === 'on'), {
    field: 'sipAuth',
    type: 'enum',
    defaultText: 'on',
    expected: 'on or off',
    description: 'off = open lab mode: no digest challenges.',
  }),
  ADMIN_PASSWORD: envVar(z.string().min(8).optional(), {
    field: 'adminPassword',
    defaultText: 'unset: generated on first start, printed once',
    expected: 'a password of at least 8 characters',
    description: 'Password of the dashboard / API user admin (set on every start when given).',
    secret: true,
  }),
  LOG_LEVEL: envVar(z.enum(LOG_LEVELS).default('info'), {
    field: 'logLevel',
    type: 'enum',
    defaultText: 'info',
    expected: `one of ${LOG_LEVELS.join(', ')}`,
    description: 'pino log level.',
  }),
  PBX_CONFIG: envVar(z.string().transform((s) => resolve(s)).optional(), {
    field: 'configFile',
    defaultText: 'unset: built-in defaults',
    expected: 'a file path',
    description: 'The YAML configuration file (see the sections below).',
  }),
});

export type ParsedEnv = z.infer<typeof envSchema>;

/** Maps the parsed variables onto EnvConfig, leaving unset optional fields out. */
export function toEnvConfig(p: ParsedEnv): EnvConfig {
  const c: EnvConfig = {
    dataDir: p.DATA_DIR,
    httpPort: p.HTTP_PORT,
    httpHost: p.HTTP_HOST,
    sipListen: p.SIP_LISTEN,
    msrpListen: p.MSRP_LISTEN,
    sipDomains: p.SIP_DOMAINS,
    sipAuth: p.SIP_AUTH,
    logLevel: p.LOG_LEVEL,
  };
  if (p.DATABASE_URL !== undefined) c.databaseUrl = p.DATABASE_URL;
  if (p.ADMIN_PASSWORD !== undefined) c.adminPassword = p.ADMIN_PASSWORD;
  if (p.PBX_CONFIG !== undefined) c.configFile = p.PBX_CONFIG;
  return c;
}
