import { GroupCommit, type Settled } from './group-commit.js';
import { BODY_HEAD_BYTES, type NewSiloMessage, type SiloRow, type SiloSummaryRow, SILO_STATUS_STORED } from './silo-message.js';
import type { OwnerCount } from './silo-index.js';
import { listPaging, type SiloListPage, type SiloListQuery, type SiloStore } from './silo-store.js';

/**
 * Runs one SQL statement with `$n` parameters and resolves with its rows:
 * the shape of TypeORM's `DataSource.query` (and of a thin wrapper around
 * `pg.Pool#query` or PGlite's `query`).
 *
 * TypeORM answers UPDATE and DELETE with `[rows, rowCount]` instead of the
 * rows, so every statement here that changes rows is written as a SELECT over
 * a data-modifying CTE: the answer is then plain rows on every driver.
 */
export type SqlQuery = (sql: string, params?: unknown[]) => Promise<unknown[]>;

export interface PostgresSiloStoreOptions {
  /** Most messages committed by one INSERT (default 500; 12 parameters each). */
  readonly maxInsertBatch?: number;
  /**
   * INSERT statements in flight at once (default 1). 1 makes ids follow the
   * order the stores arrived in, which is the delivery order a user sees.
   */
  readonly insertConcurrency?: number;
  /** DELETE statements in flight at once for confirmed deliveries (default 2). */
  readonly deleteConcurrency?: number;
  /**
   * Stores waiting for their INSERT at most (default 20,000, a few seconds
   * of the best store rate); beyond it insert() rejects with QueueFullError
   * at once and the MESSAGE is refused 503 (`overloaded`), instead of the
   * queue and its latency growing without bound.
   */
  readonly maxQueuedInserts?: number;
}

const COLUMNS = 'id, src_addr, dst_addr, username, domain, inc_time, exp_time, snd_time, ctype, body, extra_hdrs, callid, status';
const SUMMARY_COLUMNS = `id, src_addr, dst_addr, username, domain, inc_time, exp_time, snd_time, ctype, callid, status, octet_length(body) AS body_size, substring(body from 1 for ${BODY_HEAD_BYTES}) AS body_head`;
const INSERT_COLUMNS = '(src_addr, dst_addr, username, domain, inc_time, exp_time, snd_time, ctype, body, extra_hdrs, callid, status)';
const INSERT_ARITY = 12;

interface RawRow {
  id: number;
  src_addr: string;
  dst_addr: string;
  username: string;
  domain: string;
  inc_time: number;
  exp_time: number;
  snd_time: number;
  ctype: string;
  body?: Uint8Array | null;
  extra_hdrs?: string | null;
  callid: string;
  status: number;
  body_size?: number | null;
  body_head?: Uint8Array | null;
  total?: number;
}

const EMPTY = Buffer.alloc(0);

/** bytea arrives as a Buffer from pg and as a Uint8Array from PGlite. */
function bytes(v: Uint8Array | null | undefined): Buffer {
  if (v == null) return EMPTY;
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function toRow(r: RawRow): SiloRow {
  return {
    id: Number(r.id),
    srcAddr: r.src_addr,
    dstAddr: r.dst_addr,
    username: r.username,
    domain: r.domain,
    incTime: Number(r.inc_time),
    expTime: Number(r.exp_time),
    sndTime: Number(r.snd_time),
    contentType: r.ctype,
    body: bytes(r.body),
    extraHdrs: r.extra_hdrs ?? '',
    callId: r.callid,
    status: Number(r.status),
  };
}

function toSummary(r: RawRow): SiloSummaryRow {
  return {
    id: Number(r.id),
    srcAddr: r.src_addr,
    dstAddr: r.dst_addr,
    username: r.username,
    domain: r.domain,
    incTime: Number(r.inc_time),
    expTime: Number(r.exp_time),
    sndTime: Number(r.snd_time),
    contentType: r.ctype,
    callId: r.callid,
    status: Number(r.status),
    bodySize: Number(r.body_size ?? 0),
    bodyHead: bytes(r.body_head),
  };
}

/** The parameters of a batch, row after row in INSERT_COLUMNS order, in one array of its final size. */
function insertParams(batch: readonly NewSiloMessage[]): unknown[] {
  const out = new Array<unknown>(batch.length * INSERT_ARITY);
  let k = 0;
  for (const m of batch) {
    out[k++] = m.srcAddr;
    out[k++] = m.dstAddr;
    out[k++] = m.username;
    out[k++] = m.domain;
    out[k++] = m.incTime;
    out[k++] = m.expTime;
    out[k++] = m.sndTime;
    out[k++] = m.contentType;
    out[k++] = m.body;
    out[k++] = m.extraHdrs;
    out[k++] = m.callId;
    out[k++] = SILO_STATUS_STORED;
  }
  return out;
}

/**
 * The VALUES tuples `($1, …, $12), ($13, …)…` for the most rows asked so far,
 * and where each row's tuple ends: the text for n rows is a prefix of it, so
 * a group commit's statement is a slice, not placeholders built anew.
 */
let tuples = '';
const tupleEnds: number[] = [];

function insertStatement(rows: number): string {
  for (let r = tupleEnds.length; r < rows; r++) {
    const p: string[] = [];
    for (let c = 1; c <= INSERT_ARITY; c++) p.push(`$${r * INSERT_ARITY + c}`);
    tuples += `${r === 0 ? '' : ', '}(${p.join(', ')})`;
    tupleEnds.push(tuples.length);
  }
  return `INSERT INTO silo ${INSERT_COLUMNS} VALUES ${tuples.slice(0, tupleEnds[rows - 1])} RETURNING id`;
}

/**
 * The msilo store on PostgreSQL (server or embedded PGlite), in Kamailio's
 * `silo` table. Inserts and confirmation deletes are group-committed (see
 * GroupCommit): concurrent MESSAGEs share one INSERT statement, and each
 * store() still resolves only after the statement carrying it has committed.
 */
export class PostgresSiloStore implements SiloStore {
  private readonly inserts: GroupCommit<NewSiloMessage, number>;
  private readonly deletes: GroupCommit<number, boolean>;
  /** Statements run (tests and benchmarks read it to see the batching). */
  statements = 0;

  constructor(
    private readonly query: SqlQuery,
    opts: PostgresSiloStoreOptions = {},
  ) {
    this.inserts = new GroupCommit((b) => this.insertBatch(b), {
      maxBatch: opts.maxInsertBatch ?? 500,
      concurrency: opts.insertConcurrency ?? 1,
      maxQueued: opts.maxQueuedInserts ?? 20_000,
    });
    this.deletes = new GroupCommit((b) => this.deleteBatch(b), {
      maxBatch: 1000,
      concurrency: opts.deleteConcurrency ?? 2,
    });
  }

  private async q<T>(sql: string, params?: unknown[]): Promise<T[]> {
    this.statements++;
    return (await this.query(sql, params)) as T[];
  }

  insert(m: NewSiloMessage): Promise<number> {
    return this.inserts.submit(m);
  }

  private async insertBatch(batch: NewSiloMessage[]): Promise<Settled<number>[]> {
    try {
      const rows = await this.q<{ id: number }>(insertStatement(batch.length), insertParams(batch));
      // Ids come from one sequence in VALUES order; sorting pairs them with the batch.
      const ids = rows.map((r) => Number(r.id)).sort((a, b) => a - b);
      if (ids.length !== batch.length) throw new Error(`insert returned ${ids.length} ids for ${batch.length} rows`);
      return ids.map((value) => ({ ok: true, value }));
    } catch (err) {
      if (batch.length === 1) return [{ ok: false, error: err }];
      // One bad row must not fail its neighbours: retry them one by one, in order.
      const out: Settled<number>[] = [];
      for (const m of batch) out.push(...(await this.insertBatch([m])));
      return out;
    }
  }

  async count(username: string, domain: string): Promise<number> {
    const rows = await this.q<{ n: number }>('SELECT count(*)::int AS n FROM silo WHERE username = $1 AND domain = $2', [username, domain]);
    return Number(rows[0]?.n ?? 0);
  }

  async pending(username: string, domain: string, now: number, afterId: number, limit: number): Promise<SiloRow[]> {
    const rows = await this.q<RawRow>(
      `SELECT ${COLUMNS} FROM silo WHERE username = $1 AND domain = $2 AND snd_time = 0 AND exp_time > $3 AND id > $4 ORDER BY id LIMIT $5`,
      [username, domain, now, afterId, limit],
    );
    return rows.map(toRow);
  }

  async claim(username: string, domain: string, now: number, afterId: number, limit: number, leaseUntil: number): Promise<SiloRow[]> {
    // The row locks of FOR UPDATE SKIP LOCKED make two nodes' claims disjoint
    // while both run; `status <= now` keeps rows claimed earlier (and not
    // yet delivered or released) out until their lease ends.
    const rows = await this.q<RawRow>(
      `WITH c AS (UPDATE silo SET status = $6 WHERE id IN (
         SELECT id FROM silo WHERE username = $1 AND domain = $2 AND snd_time = 0 AND exp_time > $3 AND id > $4 AND status <= $3
         ORDER BY id LIMIT $5 FOR UPDATE SKIP LOCKED) RETURNING ${COLUMNS}) SELECT * FROM c ORDER BY id`,
      [username, domain, now, afterId, limit, leaseUntil],
    );
    return rows.map(toRow);
  }

  async claimDueReminders(now: number, limit: number, leaseUntil: number): Promise<SiloRow[]> {
    const rows = await this.q<RawRow>(
      `WITH c AS (UPDATE silo SET status = $3 WHERE id IN (
         SELECT id FROM silo WHERE snd_time <> 0 AND snd_time <= $1 AND status <= $1
         ORDER BY snd_time, id LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING ${COLUMNS}) SELECT * FROM c ORDER BY snd_time, id`,
      [now, limit, leaseUntil],
    );
    return rows.map(toRow);
  }

  async release(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.q(`WITH u AS (UPDATE silo SET status = ${SILO_STATUS_STORED} WHERE id = ANY($1::int[]) RETURNING id) SELECT id FROM u`, [ids]);
  }

  async countsByOwner(): Promise<OwnerCount[]> {
    const rows = await this.q<{ username: string; domain: string; n: number }>('SELECT username, domain, count(*)::int AS n FROM silo GROUP BY username, domain');
    return rows.map((r) => ({ username: r.username, domain: r.domain, count: Number(r.n) }));
  }

  async dueReminders(now: number, limit: number): Promise<SiloRow[]> {
    const rows = await this.q<RawRow>(`SELECT ${COLUMNS} FROM silo WHERE snd_time <> 0 AND snd_time <= $1 ORDER BY snd_time, id LIMIT $2`, [now, limit]);
    return rows.map(toRow);
  }

  async get(id: number): Promise<SiloRow | null> {
    const rows = await this.q<RawRow>(`SELECT ${COLUMNS} FROM silo WHERE id = $1`, [id]);
    return rows[0] ? toRow(rows[0]) : null;
  }

  async delete(ids: readonly number[]): Promise<number[]> {
    const gone = await Promise.all(ids.map((id) => this.deletes.submit(id)));
    return ids.filter((_, i) => gone[i]);
  }

  private async deleteBatch(ids: number[]): Promise<Settled<boolean>[]> {
    const rows = await this.q<{ id: number }>('WITH d AS (DELETE FROM silo WHERE id = ANY($1::int[]) RETURNING id) SELECT id FROM d', [ids]);
    const gone = new Set(rows.map((r) => Number(r.id)));
    return ids.map((id) => ({ ok: true, value: gone.has(id) }));
  }

  async clearSendTime(id: number): Promise<boolean> {
    const rows = await this.q<{ id: number }>(`WITH u AS (UPDATE silo SET snd_time = 0, status = ${SILO_STATUS_STORED} WHERE id = $1 RETURNING id) SELECT id FROM u`, [id]);
    return rows.length > 0;
  }

  async deleteExpired(now: number): Promise<SiloSummaryRow[]> {
    const rows = await this.q<RawRow>(
      `WITH d AS (DELETE FROM silo WHERE exp_time <= $1 RETURNING ${SUMMARY_COLUMNS}) SELECT * FROM d ORDER BY id`,
      [now],
    );
    return rows.map(toSummary);
  }

  async list(query: SiloListQuery): Promise<SiloListPage> {
    const { limit, offset } = listPaging(query);
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.username !== undefined) where.push(`username = $${params.push(query.username)}`);
    if (query.domain !== undefined) where.push(`domain = $${params.push(query.domain)}`);
    if (query.from !== undefined) where.push(`strpos(lower(src_addr), $${params.push(query.from.toLowerCase())}) > 0`);
    if (query.kind === 'stored') where.push('snd_time = 0');
    if (query.kind === 'scheduled') where.push('snd_time <> 0');
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const rows = await this.q<RawRow>(
      `SELECT ${SUMMARY_COLUMNS}, count(*) OVER ()::int AS total FROM silo ${filter} ORDER BY id LIMIT $${params.push(limit)} OFFSET $${params.push(offset)}`,
      params,
    );
    let total = Number(rows[0]?.total ?? 0);
    if (rows.length === 0 && offset > 0) {
      // Past the last page the window function has no row to report on.
      const c = await this.q<{ n: number }>(`SELECT count(*)::int AS n FROM silo ${filter}`, params.slice(0, -2));
      total = Number(c[0]?.n ?? 0);
    }
    return { total, rows: rows.map(toSummary) };
  }

  /** Resolves when no insert or delete is queued or in flight. */
  async flush(): Promise<void> {
    await Promise.all([this.inserts.idle(), this.deletes.idle()]);
  }
}
