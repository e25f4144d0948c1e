import { aorKeyOf, splitAorKey } from './aor.js';
import { Binding } from './binding.js';
import type { LocationPage, LocationQuery, LocationStore, WriteBatch } from './location-store.js';
import { DEFAULT_PAGE, MAX_PAGE } from './location-query.js';
import { hopOf, parseSocket } from './register-request.js';

/** A query function with TypeORM DataSource.query's shape (also pg Pool via a wrapper): rows as objects. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PgQuery = (sql: string, params: unknown[]) => Promise<any[]>;

export interface PgLocationStoreOptions {
  query: PgQuery;
  /** usrloc.use_domain: whether the AoR key holds the domain (location.domain is NULL otherwise). */
  useDomain: boolean;
  /** Table name (Kamailio: the save()/lookup() "domain" argument); default `location`. */
  table?: string;
  /** usrloc.expires_type: 0 the expires/last_modified columns are timestamps (our schema), 1 integers (Unix seconds). */
  expiresType?: 0 | 1;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/** location.cseq is a signed integer; CSeq goes to 2**32-1 (§8.1.1.5). Clamping keeps later, higher CSeqs accepted. */
const INT_MAX = 2147483647;

/**
 * The usrloc database layer on PostgreSQL, against the `location` table of
 * migrations/src/1764000000000-initial-schema.ts (Kamailio 5.6 columns).
 *
 * A write batch is one statement — a data-modifying CTE deletes by ruid and
 * an INSERT … SELECT FROM unnest(arrays) upserts on the ruid unique index —
 * so it applies entirely or not at all whatever the pool does between
 * calls, and a batch of a thousand rows costs one round trip.
 *
 * Column use: username/domain hold the AoR key split per use_domain; socket
 * is the local socket `proto:ip:port`; received is the NAT source URI; the
 * remote hop of a binding is rebuilt from received, else from the contact.
 * connection_id is only meaningful with server_id = this node, and only
 * until restart (resetConnections).
 *
 * Deletes that return rows are written `WITH d AS (DELETE … RETURNING *)
 * SELECT …`: TypeORM's query() answers a bare DELETE with [rows, count]
 * instead of rows.
 */
export class PgLocationStore implements LocationStore {
  private readonly q: PgQuery;
  private readonly useDomain: boolean;
  private readonly t: string;
  private readonly writeSql: string;
  private readonly cols: string;
  private readonly tsIn: (param: string) => string;

  constructor(opts: PgLocationStoreOptions) {
    const table = opts.table ?? 'location';
    if (!IDENT.test(table)) throw new Error(`invalid location table name ${JSON.stringify(table)}`);
    this.q = opts.query;
    this.useDomain = opts.useDomain;
    this.t = table;
    const intTime = opts.expiresType === 1;
    // milliseconds → column value, and column → milliseconds
    this.tsIn = intTime ? (p) => `floor(${p} / 1000.0)::bigint` : (p) => `to_timestamp(${p} / 1000.0)`;
    const tsOut = intTime ? (c: string) => `(${c}::float8 * 1000)` : (c: string) => `round(extract(epoch from ${c}) * 1000)::float8`;
    this.cols = `ruid, username, domain, contact, received, path, ${tsOut('expires')} AS expires_ms, q::float8 AS q, callid, cseq,
      ${tsOut('last_modified')} AS last_modified_ms, flags, cflags, user_agent, socket, methods, instance, reg_id, server_id, connection_id, keepalive`;
    this.writeSql = `
      WITH gone AS (DELETE FROM ${table} WHERE ruid = ANY($1::varchar[]))
      INSERT INTO ${table} (ruid, username, domain, contact, received, path, expires, q, callid, cseq, last_modified,
                            flags, cflags, user_agent, socket, methods, instance, reg_id, server_id, connection_id, keepalive)
      SELECT r.ruid, r.username, r.domain, r.contact, r.received, r.path, ${this.tsIn('r.expires')}, r.q, r.callid, r.cseq,
             ${this.tsIn('r.lm')}, r.flags, r.cflags, r.ua, r.socket, r.methods, r.instance, r.reg_id, r.server_id, r.conn, r.keepalive
      FROM unnest($2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], $6::varchar[], $7::varchar[], $8::float8[],
                  $9::real[], $10::varchar[], $11::int[], $12::float8[], $13::int[], $14::int[], $15::varchar[], $16::varchar[],
                  $17::int[], $18::varchar[], $19::int[], $20::int[], $21::int[], $22::int[])
        AS r(ruid, username, domain, contact, received, path, expires, q, callid, cseq, lm, flags, cflags, ua, socket,
             methods, instance, reg_id, server_id, conn, keepalive)
      ON CONFLICT (ruid) DO UPDATE SET
        username = EXCLUDED.username, domain = EXCLUDED.domain, contact = EXCLUDED.contact, received = EXCLUDED.received,
        path = EXCLUDED.path, expires = EXCLUDED.expires, q = EXCLUDED.q, callid = EXCLUDED.callid, cseq = EXCLUDED.cseq,
        last_modified = EXCLUDED.last_modified, flags = EXCLUDED.flags, cflags = EXCLUDED.cflags,
        user_agent = EXCLUDED.user_agent, socket = EXCLUDED.socket, methods = EXCLUDED.methods,
        instance = EXCLUDED.instance, reg_id = EXCLUDED.reg_id, server_id = EXCLUDED.server_id,
        connection_id = EXCLUDED.connection_id, keepalive = EXCLUDED.keepalive`;
  }

  async loadAll(now: number): Promise<Binding[]> {
    const rows = await this.q(`SELECT ${this.cols} FROM ${this.t} WHERE expires > ${this.tsIn('$1::float8')}`, [now]);
    return rows.map((r) => this.binding(r));
  }

  async loadAor(aor: string, now: number): Promise<Binding[]> {
    const { username, domain } = splitAorKey(aor, this.useDomain);
    const rows = await this.q(
      `SELECT ${this.cols} FROM ${this.t} WHERE username = $1 AND domain IS NOT DISTINCT FROM $2 AND expires > ${this.tsIn('$3::float8')} ORDER BY id`,
      [username, domain, now],
    );
    return rows.map((r) => this.binding(r));
  }

  async loadRuid(ruid: string, now: number): Promise<Binding | null> {
    const rows = await this.q(`SELECT ${this.cols} FROM ${this.t} WHERE ruid = $1 AND expires > ${this.tsIn('$2::float8')}`, [ruid, now]);
    return rows.length ? this.binding(rows[0]) : null;
  }

  async write(batch: WriteBatch): Promise<void> {
    const u = batch.upserts;
    if (u.length === 0 && batch.deletes.length === 0) return;
    const col = <T>(f: (b: Binding) => T): T[] => u.map(f);
    const split = u.map((b) => splitAorKey(b.aor, this.useDomain));
    await this.q(this.writeSql, [
      [...batch.deletes],
      col((b) => b.ruid),
      split.map((s) => s.username),
      split.map((s) => s.domain),
      col((b) => b.contact),
      col((b) => b.received),
      col((b) => b.path),
      col((b) => b.expires),
      col((b) => b.q / 1000),
      col((b) => b.callId),
      col((b) => Math.min(b.cseq, INT_MAX)),
      col((b) => b.lastModified),
      col((b) => b.flags),
      col((b) => b.cflags),
      col((b) => b.userAgent),
      col((b) => b.socket),
      col((b) => b.methods),
      col((b) => b.instance),
      col((b) => b.regId),
      col((b) => b.serverId),
      col((b) => b.connectionId),
      col((b) => b.keepalive),
    ]);
  }

  async deleteByConnection(serverId: number, connectionId: number): Promise<Binding[]> {
    const rows = await this.q(`WITH d AS (DELETE FROM ${this.t} WHERE server_id = $1 AND connection_id = $2 RETURNING *) SELECT ${this.cols} FROM d`, [serverId, connectionId]);
    return rows.map((r) => this.binding(r));
  }

  async deleteExpired(now: number): Promise<Binding[]> {
    const rows = await this.q(`WITH d AS (DELETE FROM ${this.t} WHERE expires <= ${this.tsIn('$1::float8')} RETURNING *) SELECT ${this.cols} FROM d`, [now]);
    return rows.map((r) => this.binding(r));
  }

  async resetConnections(serverId: number): Promise<void> {
    await this.q(`UPDATE ${this.t} SET connection_id = 0 WHERE server_id = $1 AND connection_id <> 0`, [serverId]);
  }

  async search(query: LocationQuery, now: number): Promise<LocationPage> {
    const needle = query.search ? `%${query.search.replace(/[\\%_]/g, '\\$&')}%` : '';
    const dir = query.order === 'desc' ? 'DESC' : 'ASC';
    const order =
      query.sort === 'expires' ? `mx_exp ${dir}, username, domain`
      : query.sort === 'lastModified' ? `mx_lm ${dir}, username, domain`
      : query.sort === 'userAgent' ? `ua ${dir}, username, domain`
      : query.sort === 'contacts' ? `n ${dir}, username, domain`
      : `username ${dir}, domain ${dir}`;
    const limit = Math.min(MAX_PAGE, Math.max(1, query.limit ?? DEFAULT_PAGE));
    const offset = Math.max(0, query.offset ?? 0);
    const aors = await this.q(
      `WITH a AS (
         SELECT username, domain, max(expires) AS mx_exp, max(last_modified) AS mx_lm, min(user_agent) AS ua, count(*) AS n
         FROM ${this.t}
         WHERE expires > ${this.tsIn('$1::float8')}
           AND ($2 = '' OR (username || coalesce('@' || domain, '')) ILIKE $2 OR user_agent ILIKE $2)
         GROUP BY username, domain)
       SELECT username, domain, (SELECT count(*) FROM a)::int AS total FROM a ORDER BY ${order} LIMIT $3 OFFSET $4`,
      [now, needle, limit, offset],
    );
    let total = aors.length ? Number(aors[0].total) : 0;
    if (aors.length === 0 && offset > 0) {
      const c = await this.q(
        `SELECT count(DISTINCT (username, domain))::int AS n FROM ${this.t} WHERE expires > ${this.tsIn('$1::float8')}
           AND ($2 = '' OR (username || coalesce('@' || domain, '')) ILIKE $2 OR user_agent ILIKE $2)`,
        [now, needle],
      );
      total = Number(c[0]?.n ?? 0);
    }
    if (aors.length === 0) return { total, items: [] };
    const keys = aors.map((r) => aorKeyOf(r.username, r.domain));
    const rows = await this.q(
      `SELECT ${this.cols} FROM ${this.t} WHERE username = ANY($1::varchar[]) AND expires > ${this.tsIn('$2::float8')} ORDER BY id`,
      [[...new Set(aors.map((r) => r.username as string))], now],
    );
    const byKey = new Map<string, Binding[]>(keys.map((k) => [k, []]));
    for (const r of rows) byKey.get(aorKeyOf(r.username, r.domain))?.push(this.binding(r));
    return { total, items: keys.map((aor) => ({ aor, bindings: byKey.get(aor)! })) };
  }

  /** A row as a Binding; the remote hop comes from received, else the contact. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private binding(r: any): Binding {
    const sock = r.socket ? parseSocket(r.socket) : null;
    const hop = hopOf(r.received ?? r.contact);
    return new Binding({
      ruid: r.ruid,
      aor: aorKeyOf(r.username, this.useDomain ? r.domain : null),
      contact: r.contact,
      received: r.received ?? null,
      path: r.path ?? null,
      expires: Number(r.expires_ms),
      q: Math.round(Number(r.q) * 1000),
      callId: r.callid,
      cseq: Number(r.cseq),
      flags: Number(r.flags),
      cflags: Number(r.cflags),
      userAgent: r.user_agent ?? '',
      methods: r.methods === null || r.methods === undefined ? null : Number(r.methods),
      instance: r.instance ?? null,
      regId: Number(r.reg_id),
      serverId: Number(r.server_id),
      connectionId: Number(r.connection_id),
      keepalive: Number(r.keepalive),
      lastModified: Number(r.last_modified_ms),
      transport: sock?.transport ?? hop.transport,
      sourceAddress: hop.address,
      sourcePort: hop.port,
      localAddress: sock?.address ?? '',
      localPort: sock?.port ?? 0,
    });
  }
}
