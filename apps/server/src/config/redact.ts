import type { z } from 'zod';
import { configMetaDeep, configObjectShape } from '@pbx/sip';
import { envSchema, type EnvVarMeta } from './env.js';
import type { AppConfig } from './load-config.js';
import { pbxConfigSchema } from './schema.js';

export const REDACTED = '[redacted]';

/**
 * A deep copy of the configuration safe to show (admin API, logs): every
 * key the schema marks `secret` is replaced by `[redacted]`, and only the
 * password of a `url-password` secret (DATABASE_URL) is. The copy is built
 * from the schema, key by key, so a field can only appear if the schema
 * knows it; unset optional keys appear as null so every key is visible.
 */
export function redactConfig(cfg: AppConfig): unknown {
  return { env: redactEnv(cfg.env as unknown as Record<string, unknown>), pbx: redactBySchema(pbxConfigSchema, cfg.pbx) };
}

function redactEnv(env: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const schema of Object.values(envSchema.shape)) {
    const m = configMetaDeep(schema as z.ZodType) as EnvVarMeta;
    out[m.field] = redactValue(env[m.field], m.secret);
  }
  return out;
}

function redactBySchema(schema: z.ZodType, value: unknown): unknown {
  const shape = configObjectShape(schema);
  if (!shape || value === null || typeof value !== 'object') return redactValue(value, configMetaDeep(schema)?.secret);
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(shape)) {
    out[key] = redactBySchema(field, (value as Record<string, unknown>)[key]);
  }
  return out;
}

function redactValue(v: unknown, secret: true | 'url-password' | undefined): unknown {
  if (v === undefined || v === null) return null;
  if (secret === 'url-password') return typeof v === 'string' ? redactUrlPassword(v) : REDACTED;
  if (secret) return REDACTED;
  return structuredClone(v);
}

/** `postgres://app:s3cret@db/pbx` → `postgres://app:[redacted]@db/pbx`. */
export function redactUrlPassword(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return REDACTED;
  }
  if (u.password === '') return url;
  return `${u.protocol}//${u.username}:${REDACTED}@${u.host}${u.pathname}${u.search}${u.hash}`;
}
