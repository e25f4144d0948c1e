import { PgLocationStore, type Binding } from '@pbx/registrar';
import type { SqlQuery } from './backup-tables.js';

/**
 * Where a backup reads bindings from and a restore puts them. In the
 * running appliance that is the registrar engine (RegistrarEngine.allBindings
 * / restoreBindings: memory in usrloc.db_mode 0 and 2, so nothing newer than
 * the last write-back flush is missed, and the location service installs
 * restored ones so lookups see them at once); with the appliance stopped it
 * is the `location` table itself (tableBindings).
 */
export interface BindingStore {
  /** usrloc.use_domain of the target: whether AoR keys hold the domain. */
  readonly useDomain: boolean;
  /**
   * True when restore() writes through the SQL transaction it is given (the
   * table), so the bindings commit or roll back with the rest of a restore;
   * false for the engine, which writes through its own path and is called
   * after that transaction (PGlite has one connection: waiting on the engine
   * inside the transaction would wait on ourselves).
   */
  readonly transactional: boolean;
  /** Every unexpired binding. */
  all(): Promise<Binding[]>;
  /** Installs bindings; `replace` removes every current binding first. Resolves how many were installed. */
  restore(bindings: readonly Binding[], replace: boolean, tx?: SqlQuery): Promise<number>;
}

/** Bindings per statement (22 array parameters each). */
const WRITE_BATCH = 1000;

/**
 * The `location` table as a BindingStore, for the offline CLI (nothing
 * else runs, so the table is the whole truth). `query` may be a
 * transaction's, so a restore's bindings commit with the rest of it.
 */
export function tableBindings(query: SqlQuery, useDomain: boolean, now: () => number = Date.now): BindingStore {
  const store = (q: SqlQuery) => new PgLocationStore({ query: (sql, params) => q(sql, params), useDomain });
  return {
    useDomain,
    transactional: true,
    all: () => store(query).loadAll(now()),
    async restore(bindings, replace, tx = query) {
      if (replace) await tx('DELETE FROM location');
      for (let i = 0; i < bindings.length; i += WRITE_BATCH) await store(tx).write({ upserts: bindings.slice(i, i + WRITE_BATCH), deletes: [] });
      return bindings.length;
    },
  };
}
