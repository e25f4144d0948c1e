import type { ScaSubscriptionRow, ScaSubscriptionStore } from './subscription-store.js';

/**
 * Runs one SQL statement with `$n` parameters and resolves with its rows
 * (TypeORM's DataSource.query, pg's or PGlite's query). Statements that
 * change rows are written as a SELECT over a data-modifying CTE so every
 * driver answers plain rows.
 */
export type SqlQuery = (sql: string, params?: unknown[]) => Promise<unknown[]>;

const COLUMNS = 'subscriber, aor, event, expires, state, app_idx, call_id, from_tag, to_tag, record_route, notify_cseq, subscribe_cseq, server_id';

/**
 * sca_subscriptions in PostgreSQL (embedded PGlite or a server). `save`
 * upserts every live subscription in one statement (arrays unnested, so one
 * round trip whatever the count) and deletes the rows of this server that
 * are no longer live, keyed by the table's unique key
 * (subscriber, call_id, from_tag, to_tag).
 */
export class PostgresScaStore implements ScaSubscriptionStore {
  constructor(private readonly query: SqlQuery) {}

  async load(serverId: number): Promise<ScaSubscriptionRow[]> {
    return (await this.query(`SELECT ${COLUMNS} FROM sca_subscriptions WHERE server_id = $1 ORDER BY id`, [serverId])) as ScaSubscriptionRow[];
  }

  async save(serverId: number, rows: readonly ScaSubscriptionRow[]): Promise<void> {
    const col = <K extends keyof ScaSubscriptionRow>(k: K) => rows.map((r) => r[k]);
    await this.query(
      `WITH live AS (
         SELECT * FROM unnest($2::text[], $3::text[], $4::int[], $5::int[], $6::int[], $7::int[], $8::text[], $9::text[], $10::text[], $11::text[], $12::int[], $13::int[])
           AS t(subscriber, aor, event, expires, state, app_idx, call_id, from_tag, to_tag, record_route, notify_cseq, subscribe_cseq)
       ),
       gone AS (
         DELETE FROM sca_subscriptions s WHERE s.server_id = $1
           AND NOT EXISTS (SELECT 1 FROM live l WHERE l.subscriber = s.subscriber AND l.call_id = s.call_id AND l.from_tag = s.from_tag AND l.to_tag = s.to_tag)
         RETURNING 1
       ),
       up AS (
         INSERT INTO sca_subscriptions (${COLUMNS})
         SELECT subscriber, aor, event, expires, state, app_idx, call_id, from_tag, to_tag, record_route, notify_cseq, subscribe_cseq, $1 FROM live
         ON CONFLICT (subscriber, call_id, from_tag, to_tag) DO UPDATE SET
           aor = EXCLUDED.aor, event = EXCLUDED.event, expires = EXCLUDED.expires, state = EXCLUDED.state, app_idx = EXCLUDED.app_idx,
           record_route = EXCLUDED.record_route, notify_cseq = EXCLUDED.notify_cseq, subscribe_cseq = EXCLUDED.subscribe_cseq,
           server_id = EXCLUDED.server_id
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM gone) AS deleted, (SELECT count(*) FROM up) AS written`,
      [
        serverId,
        col('subscriber'),
        col('aor'),
        col('event'),
        col('expires'),
        col('state'),
        col('app_idx'),
        col('call_id'),
        col('from_tag'),
        col('to_tag'),
        col('record_route'),
        col('notify_cseq'),
        col('subscribe_cseq'),
      ],
    );
  }
}
