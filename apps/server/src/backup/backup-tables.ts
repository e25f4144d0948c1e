import type { MessageRecord, ScaSubscriptionRecord, SubscriberRecord } from './backup-format.js';

/** One SQL statement with `$n` parameters, resolving its rows (TypeORM's DataSource.query shape). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SqlQuery = (sql: string, params?: unknown[]) => Promise<any[]>;

/** Rows per INSERT: one round trip per thousand records, well under PostgreSQL's parameter limits (arrays are one parameter). */
const INSERT_BATCH = 1000;

/**
 * The three tables a backup copies row for row: `subscriber`, `silo` and
 * `sca_subscriptions` (bindings go through the location service, see
 * binding-store.ts). Reads are ordered by id so an export lists records in
 * the order they were made (msilo delivers in id order); writes are
 * `INSERT … SELECT FROM unnest(arrays)` in batches.
 */
export const backupTables = {
  async readSubscribers(q: SqlQuery): Promise<SubscriberRecord[]> {
    const rows = await q(
      `SELECT username, domain, ha1, ha1b, ha1_sha256, created_at, updated_at FROM subscriber ORDER BY id`,
    );
    return rows.map((r) => ({
      username: r.username,
      domain: r.domain,
      ha1: r.ha1,
      ha1b: r.ha1b,
      ha1_sha256: r.ha1_sha256,
      created_at: iso(r.created_at),
      updated_at: iso(r.updated_at),
    }));
  },

  async readMessages(q: SqlQuery): Promise<MessageRecord[]> {
    const rows = await q(
      `SELECT src_addr, dst_addr, username, domain, inc_time, exp_time, snd_time, ctype,
              encode(coalesce(body, ''::bytea), 'base64') AS body, extra_hdrs, callid
       FROM silo ORDER BY id`,
    );
    return rows.map((r) => ({
      src_addr: r.src_addr,
      dst_addr: r.dst_addr,
      username: r.username,
      domain: r.domain,
      inc_time: Number(r.inc_time),
      exp_time: Number(r.exp_time),
      snd_time: Number(r.snd_time),
      ctype: r.ctype,
      // encode(…, 'base64') wraps lines at 76 characters.
      body: String(r.body).replace(/\s+/g, ''),
      extra_hdrs: r.extra_hdrs ?? null,
      callid: r.callid,
    }));
  },

  async readScaSubscriptions(q: SqlQuery): Promise<ScaSubscriptionRecord[]> {
    const rows = await q(
      `SELECT subscriber, aor, event, expires, state, app_idx, call_id, from_tag, to_tag, record_route,
              notify_cseq, subscribe_cseq, server_id
       FROM sca_subscriptions ORDER BY id`,
    );
    return rows.map((r) => ({
      subscriber: r.subscriber,
      aor: r.aor,
      event: Number(r.event),
      expires: Number(r.expires),
      state: Number(r.state),
      app_idx: Number(r.app_idx),
      call_id: r.call_id,
      from_tag: r.from_tag,
      to_tag: r.to_tag,
      record_route: r.record_route ?? null,
      notify_cseq: Number(r.notify_cseq),
      subscribe_cseq: Number(r.subscribe_cseq),
      server_id: Number(r.server_id),
    }));
  },

  /** Rows in each table, for the "is the target empty" check. */
  async counts(q: SqlQuery): Promise<{ subscribers: number; messages: number; scaSubscriptions: number }> {
    const [r] = await q(
      `SELECT (SELECT count(*) FROM subscriber)::int AS s, (SELECT count(*) FROM silo)::int AS m,
              (SELECT count(*) FROM sca_subscriptions)::int AS c`,
    );
    return { subscribers: Number(r.s), messages: Number(r.m), scaSubscriptions: Number(r.c) };
  },

  /** Empties the three tables (restore with `replace`). */
  async clear(q: SqlQuery): Promise<void> {
    await q('DELETE FROM subscriber');
    await q('DELETE FROM silo');
    await q('DELETE FROM sca_subscriptions');
  },

  async insertSubscribers(q: SqlQuery, rows: readonly SubscriberRecord[], now: Date): Promise<void> {
    for (const b of batches(rows)) {
      const t = now.toISOString();
      await q(
        `INSERT INTO subscriber (username, domain, password, ha1, ha1b, ha1_sha256, created_at, updated_at)
         SELECT u, lower(d), '', h, hb, hs, c, m
         FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], $6::timestamptz[], $7::timestamptz[])
           AS r(u, d, h, hb, hs, c, m)`,
        [
          b.map((r) => r.username),
          b.map((r) => r.domain),
          b.map((r) => r.ha1),
          b.map((r) => r.ha1b),
          b.map((r) => r.ha1_sha256),
          b.map((r) => r.created_at ?? t),
          b.map((r) => r.updated_at ?? t),
        ],
      );
    }
  },

  async insertMessages(q: SqlQuery, rows: readonly MessageRecord[]): Promise<void> {
    for (const b of batches(rows)) {
      await q(
        `INSERT INTO silo (src_addr, dst_addr, username, domain, inc_time, exp_time, snd_time, ctype, body, extra_hdrs, callid, status)
         SELECT sa, da, u, d, it, et, st, ct, decode(bd, 'base64'), eh, ci, 0
         FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::int[], $6::int[], $7::int[],
                     $8::varchar[], $9::text[], $10::text[], $11::varchar[])
           WITH ORDINALITY AS r(sa, da, u, d, it, et, st, ct, bd, eh, ci, n)
         ORDER BY n`,
        [
          b.map((r) => r.src_addr),
          b.map((r) => r.dst_addr),
          b.map((r) => r.username),
          b.map((r) => r.domain),
          b.map((r) => r.inc_time),
          b.map((r) => r.exp_time),
          b.map((r) => r.snd_time),
          b.map((r) => r.ctype),
          b.map((r) => r.body),
          b.map((r) => r.extra_hdrs),
          b.map((r) => r.callid),
        ],
      );
    }
  },

  async insertScaSubscriptions(q: SqlQuery, rows: readonly ScaSubscriptionRecord[]): Promise<void> {
    for (const b of batches(rows)) {
      await q(
        `INSERT INTO sca_subscriptions (subscriber, aor, event, expires, state, app_idx, call_id, from_tag, to_tag,
                                        record_route, notify_cseq, subscribe_cseq, server_id)
         SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::int[], $4::int[], $5::int[], $6::int[], $7::varchar[],
                              $8::varchar[], $9::varchar[], $10::text[], $11::int[], $12::int[], $13::int[])`,
        [
          b.map((r) => r.subscriber),
          b.map((r) => r.aor),
          b.map((r) => r.event),
          b.map((r) => r.expires),
          b.map((r) => r.state),
          b.map((r) => r.app_idx),
          b.map((r) => r.call_id),
          b.map((r) => r.from_tag),
          b.map((r) => r.to_tag),
          b.map((r) => r.record_route),
          b.map((r) => r.notify_cseq),
          b.map((r) => r.subscribe_cseq),
          b.map((r) => r.server_id),
        ],
      );
    }
  },
};

function* batches<T>(rows: readonly T[]): Generator<readonly T[]> {
  for (let i = 0; i < rows.length; i += INSERT_BATCH) yield rows.slice(i, i + INSERT_BATCH);
}

function iso(v: unknown): string {
  return (v instanceof Date ? v : new Date(String(v))).toISOString();
}
