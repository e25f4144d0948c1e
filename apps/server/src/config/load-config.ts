import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { configArrayElement, configMetaDeep, configObjectShape, type ConfigIssueParams } from '@pbx/sip';
import { envSchema, toEnvConfig, type EnvConfig } from './env.js';
import { pbxConfigSchema, type PbxConfig } from './schema.js';

/** The whole effective configuration: deployment (environment) and behaviour (YAML file). */
export interface AppConfig {
  env: EnvConfig;
  pbx: PbxConfig;
}

/**
 * A configuration problem. The message is one line, for operators and
 * scripts alike: `config error: <key> = <value>: <what is allowed>`.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads the environment and, when PBX_CONFIG is set, the YAML file, and
 * validates both. Throws ConfigError naming the first problem only: one
 * fix at a time is what an operator can act on.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const e = parseEnv(env);
  const raw = e.configFile === undefined ? {} : readConfigFile(e.configFile);
  return { env: e, pbx: parsePbxConfig(raw) };
}

/** The environment variables alone. */
export function parseEnv(env: NodeJS.ProcessEnv): EnvConfig {
  const r = envSchema.safeParse(env);
  if (!r.success) throw new ConfigError(formatIssue(envSchema, r.error.issues[0]!, env));
  return toEnvConfig(r.data);
}

/** Validates an already-parsed document (the YAML file's content; `{}` for defaults). */
export function parsePbxConfig(raw: unknown): PbxConfig {
  const r = pbxConfigSchema.safeParse(raw);
  if (!r.success) throw new ConfigError(formatIssue(pbxConfigSchema, r.error.issues[0]!, raw));
  return r.data;
}

/** Reads and parses the YAML file; any failure is a ConfigError naming the file. */
export function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (code ?? String(err));
    throw new ConfigError(`config error: PBX_CONFIG = ${JSON.stringify(file)}: cannot read the file (${why})`);
  }
  const doc = parseDocument(text);
  const bad = doc.errors[0];
  if (bad) {
    const pos = bad.linePos?.[0];
    const what = bad.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    const at = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
    throw new ConfigError(`config error: ${file}: YAML syntax error${at}: ${what}`);
  }
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) return {}; // an empty file: all defaults
  if (typeof data !== 'object' || Array.isArray(data)) {
    const sections = Object.keys(pbxConfigSchema.shape).join(', ');
    throw new ConfigError(`config error: ${file}: expected a mapping of sections (${sections}), got ${describeKind(data)}`);
  }
  return data;
}

type Path = ReadonlyArray<PropertyKey>;

/** `registrar.path_mode`, `core.auth_algorithms[1]`, `SIP_LISTEN`. */
function pathText(path: Path): string {
  let s = '';
  for (const seg of path) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else s += s === '' ? String(seg) : `.${String(seg)}`;
  }
  return s;
}

function valueAt(input: unknown, path: Path): unknown {
  let v = input;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

/** A value as the operator wrote it: strings quoted, long structures shortened. */
function showValue(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : v === null ? 'null' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function describeKind(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  if (typeof v === 'string') return `the string ${showValue(v)}`;
  return `${typeof v} ${showValue(v)}`;
}

/** The schemas met walking `path` from `root`, outermost first. */
function schemasAlong(root: z.ZodType, path: Path): z.ZodType[] {
  const out: z.ZodType[] = [root];
  let s: z.ZodType | undefined = root;
  for (const seg of path) {
    if (!s) break;
    s = typeof seg === 'number' ? configArrayElement(s) : configObjectShape(s)?.[String(seg)];
    if (s) out.push(s);
  }
  return out;
}

/** What is allowed at `path`, from the nearest field's metadata. */
function expectedAt(root: z.ZodType, path: Path): string {
  const along = schemasAlong(root, path);
  const leaf = along.length === path.length + 1 ? along[along.length - 1] : undefined;
  if (leaf && configObjectShape(leaf)) {
    return `a mapping of ${Object.keys(configObjectShape(leaf)!).join(', ')}`;
  }
  for (let i = along.length - 1; i >= 0; i--) {
    const m = configMetaDeep(along[i]!);
    if (m?.expected) return m.expected;
  }
  return 'a valid value';
}

/** Turns one zod issue into the one-line message. */
export function formatIssue(root: z.ZodType, issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const where = pathText([...issue.path, key]);
    const owner = schemasAlong(root, issue.path).at(-1)!;
    const omitted = configMetaDeep(owner)?.omitted?.[key];
    if (omitted) return `config error: ${where}: unknown key (Kamailio's ${where} is not used here: ${omitted})`;
    const allowed = Object.keys(configObjectShape(owner) ?? {}).join(', ');
    return `config error: ${where}: unknown key (allowed: ${allowed})`;
  }
  const where = pathText(issue.path);
  const own = issue.code === 'custom' ? (issue.params as Partial<ConfigIssueParams> | undefined) : undefined;
  const value = valueAt(input, issue.path) ?? own?.value;
  const shown = value === undefined ? '' : ` = ${showValue(value)}`;
  // Cross-field checks word their own "what is allowed"; every other issue
  // takes it from the field's metadata.
  if (own?.configMessage) return `config error: ${where}${shown}: ${issue.message}`;
  return `config error: ${where}${shown}: expected ${expectedAt(root, issue.path)}`;
}

