import { z } from 'zod';

/**
 * The backup file: one JSON document holding what an appliance knows about
 * its users, so that a new appliance (a newer image, another machine) can
 * take over from it.
 *
 * ```json
 * {
 *   "format": "pbx-lite-backup",
 *   "version": 1,
 *   "createdAt": "2026-11-28T20:00:00.000Z",
 *   "source": { "appliance": "0.1.0", "backend": "pglite", "dbMode": 2 },
 *   "subscribers": [ { "username", "domain", "ha1", "ha1b", "ha1_sha256", "created_at", "updated_at" } ],
 *   "bindings": [ { "ruid", "username", "domain", "contact", "received", "path", "expires", "q", "callid", "cseq",
 *                   "last_modified", "flags", "cflags", "user_agent", "socket", "methods", "instance", "reg_id",
 *                   "server_id", "keepalive", "source" } ],
 *   "messages": [ { "src_addr", "dst_addr", "username", "domain", "inc_time", "exp_time", "snd_time", "ctype",
 *                   "body", "extra_hdrs", "callid" } ],
 *   "scaSubscriptions": [ { "subscriber", "aor", "event", "expires", "state", "app_idx", "call_id", "from_tag",
 *                           "to_tag", "record_route", "notify_cseq", "subscribe_cseq", "server_id" } ]
 * }
 * ```
 *
 * Each record is a row of the Kamailio-shaped table it comes from
 * (`subscriber`, `location`, `silo`, `sca_subscriptions`) under the
 * column's own name, so an operator can read the file against the schema.
 * Differences, each on purpose:
 * - no `id` columns: ids are the target database's; nothing refers to them;
 * - `subscriber.password` is absent: it is always empty (digests only);
 * - `location.expires` / `last_modified` are ISO-8601 times; `domain` is
 *   null when the source ran with `usrloc.use_domain` 0; `connection_id` is
 *   absent (a connection of the old process names nothing now); `source` is
 *   not a column: the hop the REGISTER came from (`proto:ip:port`), which
 *   memory-held bindings route by (without it, the received URI or the
 *   contact is used, as after a database load);
 * - `silo.body` is base64 (it is bytes); `silo.status` is absent: a stored
 *   message is restored as stored (a delivery lease of the old node means
 *   nothing to the new one);
 * - the admin account is not in the file: the target keeps its own.
 *
 * `version` changes when a reader of the old version would misread the
 * file; fields added with defaults keep it.
 */
export const BACKUP_FORMAT = 'pbx-lite-backup';
export const BACKUP_VERSION = 1;

const str = (max: number) => z.string().max(max, `at most ${max} characters`);
const int = z.number().int('an integer').min(-2_147_483_648).max(2_147_483_647);
const uint = z.number().int('an integer').min(0, 'not negative').max(2_147_483_647);
const isoTime = z.iso.datetime({ offset: true, message: 'an ISO-8601 date-time' });
const base64 = z.base64('base64-encoded bytes');

export const subscriberRecordSchema = z.object({
  username: str(64).min(1, 'required'),
  domain: str(64).min(1, 'required'),
  ha1: str(128),
  ha1b: str(128).default(''),
  ha1_sha256: str(128).default(''),
  created_at: isoTime.optional(),
  updated_at: isoTime.optional(),
});

export const bindingRecordSchema = z.object({
  ruid: str(64).min(1, 'required'),
  username: str(64).min(1, 'required'),
  domain: str(64).nullable(),
  contact: str(512).min(1, 'required'),
  received: str(255).nullable().default(null),
  path: str(512).nullable().default(null),
  expires: isoTime,
  q: z.number().min(0, 'from 0 to 1').max(1, 'from 0 to 1').default(1),
  callid: str(255).default('Default-Call-ID'),
  cseq: int.default(1),
  last_modified: isoTime.optional(),
  flags: int.default(0),
  cflags: int.default(0),
  user_agent: str(255).default(''),
  socket: str(64).nullable().default(null),
  methods: int.nullable().default(null),
  instance: str(255).nullable().default(null),
  reg_id: uint.default(0),
  server_id: uint.default(0),
  keepalive: int.default(0),
  source: str(300).nullable().optional(),
});

export const messageRecordSchema = z.object({
  src_addr: str(255),
  dst_addr: str(255),
  username: str(64).min(1, 'required'),
  domain: str(64),
  inc_time: uint,
  exp_time: uint,
  snd_time: uint.default(0),
  ctype: str(32).default('text/plain'),
  body: base64,
  extra_hdrs: z.string().nullable().default(null),
  callid: str(128).default(''),
});

export const scaSubscriptionRecordSchema = z.object({
  subscriber: str(255).min(1, 'required'),
  aor: str(255).min(1, 'required'),
  event: int.default(0),
  expires: int.default(0),
  state: int.default(0),
  app_idx: int.default(0),
  call_id: str(255),
  from_tag: str(64),
  to_tag: str(64),
  record_route: z.string().nullable().default(null),
  notify_cseq: int,
  subscribe_cseq: int,
  server_id: int.default(0),
});

export type SubscriberRecord = z.infer<typeof subscriberRecordSchema>;
export type BindingRecord = z.infer<typeof bindingRecordSchema>;
export type MessageRecord = z.infer<typeof messageRecordSchema>;
export type ScaSubscriptionRecord = z.infer<typeof scaSubscriptionRecordSchema>;

export const backupFileSchema = z
  .object({
    format: z.literal(BACKUP_FORMAT, { message: `must be "${BACKUP_FORMAT}"` }),
    version: z
      .number()
      .int('an integer')
      .min(1, 'must be 1 or more')
      .max(BACKUP_VERSION, `newer than this appliance reads (${BACKUP_VERSION}): upgrade the appliance first`),
    createdAt: isoTime.optional(),
    source: z.record(z.string(), z.unknown()).optional(),
    subscribers: z.array(subscriberRecordSchema).default([]),
    bindings: z.array(bindingRecordSchema).default([]),
    messages: z.array(messageRecordSchema).default([]),
    scaSubscriptions: z.array(scaSubscriptionRecordSchema).default([]),
  })
  .superRefine((f, ctx) => {
    // The tables' unique indexes, checked here so a duplicate is a 400 naming
    // the record rather than a database error half-way through.
    unique(ctx, f.subscribers, 'subscribers', 'username', (s) => `${s.username}\0${s.domain.toLowerCase()}`, 'the same username and domain as');
    unique(ctx, f.bindings, 'bindings', 'ruid', (b) => b.ruid, 'the same ruid as');
    unique(ctx, f.scaSubscriptions, 'scaSubscriptions', 'call_id', (s) => `${s.subscriber}\0${s.call_id}\0${s.from_tag}\0${s.to_tag}`, 'the same subscriber, call_id and tags as');
  });

export type BackupFile = z.infer<typeof backupFileSchema>;

function unique<T>(ctx: z.RefinementCtx, rows: readonly T[], section: string, field: string, key: (r: T) => string, what: string): void {
  const seen = new Map<string, number>();
  for (let i = 0; i < rows.length; i++) {
    const k = key(rows[i]!);
    const first = seen.get(k);
    if (first === undefined) seen.set(k, i);
    else ctx.addIssue({ code: 'custom', path: [section, i, field], message: `${what} ${section}.${first}` });
  }
}

/** The number of records per section: what an export wrote or a restore installed. */
export interface BackupCounts {
  subscribers: number;
  bindings: number;
  messages: number;
  scaSubscriptions: number;
}

export function countsOf(f: Pick<BackupFile, keyof BackupCounts>): BackupCounts {
  return { subscribers: f.subscribers.length, bindings: f.bindings.length, messages: f.messages.length, scaSubscriptions: f.scaSubscriptions.length };
}
