import { z } from 'zod';

/**
 * Configuration schema building blocks and the `core` section.
 *
 * Every key of the appliance's YAML file is built with one of the
 * `configField` builders below. Each builder attaches, as zod metadata, the
 * one-line description and the "what is allowed" text (`expected`), so that
 * the start-up error line (`config error: registrar.path_mode = 7: expected
 * an integer from 0 to 2`), the generated docs/configuration.md and the
 * range checks all come from the same declaration and cannot disagree.
 * The builders live here because every engine lib already depends on
 * @pbx/sip; apps/server composes the sections and formats the errors.
 */

/**
 * Metadata carried by every configuration key (zod `.meta()`). A type alias,
 * not an interface, so it fits zod's index-signature metadata type.
 */
export type ConfigFieldMeta = {
  /** One-line summary (from the Kamailio module document where there is one). */
  description: string;
  /** What is allowed, phrased to follow "expected": `an integer from 0 to 2`. */
  expected: string;
  /** Short type name for the docs table: `integer`, `flag`, `string`, … */
  type: string;
  /** Unit of a number (seconds, milliseconds, bytes), shown in the docs. */
  unit?: string;
  /** A PBX-lite addition, not a parameter of the Kamailio module. */
  extension?: boolean;
  /** Kamailio's default where ours differs on purpose (the reason is in `note`). */
  kamailioDefault?: string;
  /** Anything an operator must know beyond the summary (our meaning, differences). */
  note?: string;
  /** `true`: replaced by `[redacted]` in any output; `'url-password'`: only the URL's password is. */
  secret?: true | 'url-password';
};

/** Metadata of one section (a top-level key of the YAML file). */
export type ConfigSectionMeta = {
  description: string;
  /** The Kamailio module whose parameter names the section uses, if any. */
  kamailioModule?: string;
  /** Kamailio parameters of that module deliberately not accepted, with the reason. */
  omitted?: Record<string, string>;
};

/** Documentation common to every field builder. */
export interface ConfigFieldDoc {
  description: string;
  unit?: string;
  extension?: boolean;
  kamailioDefault?: string;
  note?: string;
}

/** The metadata of a field built by `configField`, or of a section object. */
export function configMeta(schema: z.ZodType): Partial<ConfigFieldMeta & ConfigSectionMeta> | undefined {
  return z.globalRegistry.get(schema) as Partial<ConfigFieldMeta & ConfigSectionMeta> | undefined;
}

/**
 * Peels the wrappers zod adds (`default`, `prefault`, `optional`, a
 * preprocess pipe…) and returns each layer, outermost first, so a caller can
 * find both the metadata (on the outermost) and the object or array shape
 * (innermost).
 */
export function configSchemaLayers(schema: z.ZodType): z.ZodType[] {
  const layers: z.ZodType[] = [];
  let s: z.ZodType | undefined = schema;
  for (let i = 0; s && i < 16; i++) {
    layers.push(s);
    const def = s._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType; out?: z.ZodType };
    if (def.innerType) s = def.innerType;
    else if (def.type === 'pipe') s = def.out && def.out._zod.def.type !== 'transform' ? def.out : def.in;
    else s = undefined;
  }
  return layers;
}

/** The nearest metadata on a schema's layers. */
export function configMetaDeep(schema: z.ZodType): Partial<ConfigFieldMeta & ConfigSectionMeta> | undefined {
  for (const layer of configSchemaLayers(schema)) {
    const m = configMeta(layer);
    if (m) return m;
  }
  return undefined;
}

/** The shape of an object schema under its wrappers, or undefined. */
export function configObjectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  for (const layer of configSchemaLayers(schema)) {
    if (layer instanceof z.ZodObject) return layer.shape as Record<string, z.ZodType>;
  }
  return undefined;
}

/** The element schema of an array schema under its wrappers, or undefined. */
export function configArrayElement(schema: z.ZodType): z.ZodType | undefined {
  for (const layer of configSchemaLayers(schema)) {
    if (layer instanceof z.ZodArray) return layer.element as z.ZodType;
  }
  return undefined;
}

/** Parameters of an issue added by `addConfigIssue`. */
export type ConfigIssueParams = { configMessage: true; value?: unknown };

/**
 * Reports a cross-field problem from a `superRefine` or `transform`. The
 * message is the whole tail of the error line (after `key = value: `), so
 * it must say what is allowed. `value` is shown when the key is absent from
 * the file (its default is the offending value).
 */
export function addConfigIssue(
  ctx: { addIssue(issue: { code: 'custom'; path?: PropertyKey[]; message: string; params?: Record<string, unknown> }): void },
  path: PropertyKey[],
  message: string,
  value?: unknown,
): void {
  const params: ConfigIssueParams = value === undefined ? { configMessage: true } : { configMessage: true, value };
  ctx.addIssue({ code: 'custom', path, message, params });
}

function meta(doc: ConfigFieldDoc, type: string, expected: string, extra: Partial<ConfigFieldMeta> = {}): ConfigFieldMeta {
  const m: ConfigFieldMeta = { description: doc.description, expected, type, ...extra };
  if (doc.unit) m.unit = doc.unit;
  if (doc.extension) m.extension = true;
  if (doc.kamailioDefault !== undefined) m.kamailioDefault = doc.kamailioDefault;
  if (doc.note) m.note = doc.note;
  return m;
}

function intRangeText(min: number, max: number | undefined): string {
  return max === undefined ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
}

/** YAML `~`/`null` on an optional key means "unset", the Kamailio NULL default. */
const nullToUnset = (v: unknown): unknown => (v === null ? undefined : v);

/** Kamailio 0/1 switches also accept YAML true/false. */
const boolToSwitch = (v: unknown): unknown => (typeof v === 'boolean' ? (v ? 1 : 0) : v);

function assertDefault(ok: boolean, what: string): void {
  // A default outside its own range is a bug in the schema, not in the operator's file.
  if (!ok) throw new Error(`config schema: default ${what} is not allowed by its own range`);
}

/**
 * Builders for configuration keys. Each returns a zod schema whose output is
 * the plain value (number, string, boolean…) with the default applied.
 */
export const configField = {
  /** An integer in [min, max] (max omitted: no upper bound). */
  int(def: number, range: { min: number; max?: number }, doc: ConfigFieldDoc) {
    const { min, max } = range;
    assertDefault(Number.isInteger(def) && def >= min && (max === undefined || def <= max), String(def));
    let s = z.number().int().min(min);
    if (max !== undefined) s = s.max(max);
    return s.default(def).meta(meta(doc, 'integer', intRangeText(min, max)));
  },

  /** A Kamailio on/off integer parameter: 0 or 1 (YAML true/false accepted). */
  switch(def: 0 | 1, doc: ConfigFieldDoc) {
    return z
      .preprocess(boolToSwitch, z.number().int().min(0).max(1))
      .default(def)
      .meta(meta(doc, '0/1', '0 or 1 (or true/false)'));
  },

  /**
   * A Kamailio message/branch flag number. Kamailio flags are bits 0..31;
   * `-1` is the documented "no flag / feature disabled" value.
   */
  flag(def: number, doc: ConfigFieldDoc) {
    assertDefault(Number.isInteger(def) && def >= -1 && def <= 31, String(def));
    return z
      .number()
      .int()
      .min(-1)
      .max(31)
      .default(def)
      .meta(meta(doc, 'flag', 'a flag number from 0 to 31 (or -1 for none)'));
  },

  /** A boolean (our extensions; Kamailio's own switches use `switch`). */
  bool(def: boolean, doc: ConfigFieldDoc) {
    return z.boolean().default(def).meta(meta(doc, 'boolean', 'true or false'));
  },

  /** A string with a default; `pattern` restricts it and `expected` then says how. */
  string(def: string, doc: ConfigFieldDoc, check?: { pattern: RegExp; expected: string }) {
    assertDefault(!check || check.pattern.test(def), JSON.stringify(def));
    const s = check ? z.string().regex(check.pattern) : z.string();
    return s.default(def).meta(meta(doc, 'string', check?.expected ?? 'a string'));
  },

  /**
   * A string that is unset by default (Kamailio's "NULL" default). YAML
   * `~` also means unset. An empty string is refused: it is never a useful
   * value for these keys and usually a quoting mistake.
   */
  optionalString(doc: ConfigFieldDoc, check?: { pattern: RegExp; expected: string }, opts: { secret?: boolean } = {}) {
    const base = check ? z.string().regex(check.pattern) : z.string().min(1);
    const extra: Partial<ConfigFieldMeta> = opts.secret ? { secret: true } : {};
    return z
      .preprocess(nullToUnset, base.optional())
      .meta(meta(doc, opts.secret ? 'string (secret)' : 'string', check?.expected ?? 'a non-empty string', extra));
  },

  /** One of a fixed set of strings. */
  oneOf<const T extends readonly [string, ...string[]]>(values: T, def: T[number], doc: ConfigFieldDoc) {
    return z
      .enum(values)
      .default(def as never)
      .meta(meta(doc, 'enum', `one of ${values.join(', ')}`));
  },

  /** A non-empty list of distinct values from a fixed set. */
  listOf<const T extends readonly [string, ...string[]]>(values: T, def: readonly T[number][], doc: ConfigFieldDoc) {
    return z
      .array(z.enum(values))
      .min(1)
      .refine((a) => new Set(a).size === a.length)
      .default(() => [...def] as T[number][])
      .meta(meta(doc, 'list', `a non-empty list of distinct values from ${values.join(', ')}`));
  },

  /** A list of strings each matching a pattern. */
  listMatching(pattern: RegExp, itemText: string, def: readonly string[], doc: ConfigFieldDoc) {
    assertDefault(def.every((d) => pattern.test(d)), JSON.stringify(def));
    return z
      .array(z.string().regex(pattern))
      .default(() => [...def])
      .meta(meta(doc, 'list', `a list of ${itemText}`));
  },
};

// ---------------------------------------------------------------------------
// core: the SIP core (transport limits, RFC 3261 timers, digest auth, trace)
// ---------------------------------------------------------------------------

const f = configField;

/** The `core` section: our own names, snake_case like Kamailio's core parameters. */
export const coreConfigSchema = z
  .object({
    t1_ms: f.int(500, { min: 1, max: 60_000 }, {
      unit: 'milliseconds',
      description: 'RFC 3261 T1, the round-trip time estimate; retransmission intervals start here (RFC 3261 §17.1.1.1).',
    }),
    t2_ms: f.int(4000, { min: 1, max: 600_000 }, {
      unit: 'milliseconds',
      description: 'RFC 3261 T2, the cap on non-INVITE request and INVITE response retransmit intervals; must be >= t1_ms.',
    }),
    t4_ms: f.int(5000, { min: 0, max: 600_000 }, {
      unit: 'milliseconds',
      description: 'RFC 3261 T4, the maximum time a message stays in the network (Timers I, K).',
    }),
    max_message_size: f.int(65_535, { min: 1024, max: 16_777_216 }, {
      unit: 'bytes',
      description: 'Largest SIP message accepted on any transport; a larger one is rejected or dropped.',
    }),
    max_headers: f.int(256, { min: 8, max: 10_000 }, {
      description: 'Most header lines accepted in one SIP message.',
    }),
    max_line_length: f.int(8192, { min: 256, max: 1_048_576 }, {
      unit: 'bytes',
      description: 'Longest start line or header line accepted.',
    }),
    tcp_idle_timeout: f.int(120, { min: 1, max: 86_400 }, {
      unit: 'seconds',
      description: 'Seconds a TCP/TLS/WS connection may stay idle before the server closes it.',
      note: "Kamailio's core tcp_connection_lifetime, same default (120). RFC 5626 flows use outbound.tcp_connection_lifetime.",
    }),
    tls_certificate: f.optionalString({
      description: 'PEM certificate (chain) file for TLS and WSS listeners; unset = a self-signed one generated into DATA_DIR.',
    }),
    tls_private_key: f.optionalString({
      description: 'PEM private key file for tls_certificate; set both or neither.',
    }),
    nonce_expire: f.int(30, { min: 1, max: 3600 }, {
      unit: 'seconds',
      description: 'Seconds a digest nonce stays valid (Kamailio auth nonce_expire, same default).',
    }),
    auth_algorithms: f.listOf(['SHA-256', 'MD5'] as const, ['SHA-256', 'MD5'], {
      description: 'Digest algorithms offered, one WWW-/Proxy-Authenticate challenge each, in order of preference (RFC 8760 §2.4).',
      note: 'Most desk phones only know MD5 and answer the second challenge; SHA-256-capable clients pick the first.',
    }),
    realm: f.optionalString({
      description: 'Digest realm of challenges; unset = the domain of the request.',
    }),
    auth_secret: f.optionalString(
      {
        description: 'Secret that signs digest nonces; unset = one generated into DATA_DIR on first start.',
        note: 'Set the same value on nodes sharing one database so a nonce from one is accepted by another.',
      },
      undefined,
      { secret: true },
    ),
    server_header: f.string('PBX-lite', {
      description: 'Value of the Server/User-Agent header on locally generated messages; empty = no header.',
    }),
    trace_max_messages: f.int(1000, { min: 1, max: 100_000 }, {
      description: 'The SIP trace (admin API) stops after capturing this many messages.',
    }),
    trace_max_minutes: f.int(10, { min: 1, max: 1440 }, {
      unit: 'minutes',
      description: 'The SIP trace stops after this many minutes.',
    }),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.t2_ms < c.t1_ms) addConfigIssue(ctx, ['t2_ms'], `expected an integer >= core.t1_ms (${c.t1_ms})`, c.t2_ms);
    if ((c.tls_certificate === undefined) !== (c.tls_private_key === undefined)) {
      const missing = c.tls_certificate === undefined ? 'tls_certificate' : 'tls_private_key';
      const other = missing === 'tls_certificate' ? 'tls_private_key' : 'tls_certificate';
      addConfigIssue(ctx, [missing], `required when core.${other} is set (set both or neither)`);
    }
  })
  .meta({ description: 'The SIP core: RFC 3261 timers, message limits, connections, TLS files, digest authentication, SIP trace.' } satisfies ConfigSectionMeta);

export type CoreConfig = z.infer<typeof coreConfigSchema>;
