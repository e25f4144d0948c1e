import type { z } from 'zod';
import { configMetaDeep, configObjectShape, type ConfigFieldMeta } from '@pbx/sip';
import { envSchema, type EnvVarMeta } from './env.js';
import { pbxConfigSchema } from './schema.js';

/** A table cell: no line breaks, pipes escaped. */
function cell(s: string): string {
  return s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

function code(s: string): string {
  return `\`${s}\``;
}

/** A default as it would be written in the YAML file. */
function showDefault(v: unknown): string {
  if (v === undefined || v === null) return 'unset';
  if (typeof v === 'string') return code(JSON.stringify(v));
  if (Array.isArray(v)) return code(`[${v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', ')}]`);
  return code(String(v));
}

function allowedText(expected: string): string {
  return expected.replace(/^an? /, '');
}

function describe(m: Partial<ConfigFieldMeta>): string {
  let s = m.description ?? '';
  if (m.extension) s += ' *PBX-lite extension.*';
  if (m.kamailioDefault !== undefined) s += ` Kamailio's default is ${code(m.kamailioDefault)}.`;
  if (m.note) s += ` ${m.note}`;
  return cell(s);
}

function typeText(m: Partial<ConfigFieldMeta>): string {
  return m.unit ? `${m.type} (${m.unit})` : (m.type ?? '');
}

function fieldRows(shape: Record<string, z.ZodType>, defaults: Record<string, unknown>, keys: string[]): string[] {
  return keys.map((key) => {
    const m = configMetaDeep(shape[key]!) ?? {};
    return `| ${code(key)} | ${cell(typeText(m))} | ${showDefault(defaults[key])} | ${cell(allowedText(m.expected ?? ''))} | ${describe(m)} |`;
  });
}

/**
 * The configuration reference (docs/configuration.md), generated from the
 * same zod schemas that validate the file and the environment, so the two
 * cannot drift; config.spec.ts fails when the committed file is stale.
 */
export function configDocsMarkdown(): string {
  const out: string[] = [];
  out.push(
    '# Configuration reference',
    '',
    '<!-- Generated from the configuration schema by `npm run build && npm run docs:config`',
    '     (scripts/gen-config-docs.mjs). Do not edit: a test fails when this file is stale. -->',
    '',
    'PBX-lite reads its deployment settings from environment variables and its behaviour from',
    'one optional YAML file named by `PBX_CONFIG`. Every key of the file has a default (the',
    'Kamailio module documents\' defaults unless said otherwise), so an absent file, section or key',
    'means "the default". Section and key names are the Kamailio module and parameter names.',
    '',
    'A bad value, an unknown key or an unreadable file stops start-up (exit code 2) with one line',
    'naming the key, the value and what is allowed, for example:',
    '',
    '```',
    'config error: registrar.path_mode = 7: expected an integer from 0 to 2',
    'config error: msilo.skip_notification_flag = 40: expected a flag number from 0 to 31 (or -1 for none)',
    'config error: registrar.bogus_key: unknown key (allowed: default_expires, …)',
    '```',
    '',
    'Kamailio on/off parameters take `0` or `1` (YAML `true`/`false` also work). Parameters whose',
    'Kamailio default is NULL are unset by default; `~` (YAML null) also means unset. Kamailio',
    'flag numbers are 0 to 31, `-1` meaning none.',
    '',
    '## Environment variables',
    '',
    'An empty variable means the same as an unset one.',
    '',
    '| variable | default | allowed | description |',
    '|---|---|---|---|',
  );
  for (const [name, schema] of Object.entries(envSchema.shape)) {
    const m = configMetaDeep(schema as z.ZodType) as EnvVarMeta;
    const secret = m.secret ? (m.secret === 'url-password' ? ' Its password is redacted in output.' : ' Secret: redacted in output.') : '';
    out.push(`| ${code(name)} | ${cell(m.defaultText)} | ${cell(allowedText(m.expected))} | ${cell(m.description + secret)} |`);
  }

  const defaults = pbxConfigSchema.parse({}) as unknown as Record<string, Record<string, unknown>>;
  const top = pbxConfigSchema.shape;
  out.push(
    '',
    '## Configuration file (`PBX_CONFIG`)',
    '',
    '```yaml',
    'role: registrar',
    'registrar:',
    '  max_contacts: 10',
    '  use_path: 1',
    'usrloc:',
    '  db_mode: 2',
    'msilo:',
    '  from_address: "sip:registrar@example.org"',
    '```',
    '',
    '### Top-level keys',
    '',
    '| key | type | default | allowed | description |',
    '|---|---|---|---|---|',
    ...fieldRows(top, defaults, ['role']),
  );
  for (const [section, schema] of Object.entries(top)) {
    const shape = configObjectShape(schema);
    if (!shape) continue;
    const sm = configMetaDeep(schema) ?? {};
    out.push('', `### \`${section}\``, '', cell(sm.description ?? ''), '');
    out.push('| key | type | default | allowed | description |', '|---|---|---|---|---|');
    out.push(...fieldRows(shape, defaults[section] ?? {}, Object.keys(shape)));
    if (sm.omitted) {
      out.push('', `Kamailio ${sm.kamailioModule ?? section} parameters not accepted here:`, '');
      // Keys sharing one reason (msilo's sc_* column names) go on one line.
      const byReason = new Map<string, string[]>();
      for (const [key, why] of Object.entries(sm.omitted)) byReason.set(why, [...(byReason.get(why) ?? []), key]);
      for (const [why, keys] of byReason) out.push(`- ${keys.map(code).join(', ')}: ${why}.`);
    }
  }
  out.push('');
  return out.join('\n');
}
