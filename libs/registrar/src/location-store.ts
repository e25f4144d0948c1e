import type { Binding } from './binding.js';

/** One atomic write: bindings to insert or replace (by ruid) and ruids to delete. */
export interface WriteBatch {
  readonly upserts: readonly Binding[];
  readonly deletes: readonly string[];
}

/** Admin listing parameters (GET /api/registrations). */
export interface LocationQuery {
  /** Case-insensitive substring of the AoR or the user agent. */
  search?: string;
  /** `contacts`: by the number of live bindings (an AoR with many phones first, with order desc). */
  sort?: 'aor' | 'expires' | 'lastModified' | 'userAgent' | 'contacts';
  order?: 'asc' | 'desc';
  offset?: number;
  limit?: number;
}

/** One page of AoRs, each with its bindings. */
export interface LocationPage {
  total: number;
  items: Array<{ aor: string; bindings: Binding[] }>;
}

/**
 * Persistence of the location service (usrloc's db layer). The service
 * decides when to call it from usrloc.db_mode: never (0), awaited before
 * the reply (1), batched on an interval (2), or as the only copy (3).
 * Implementations: PgLocationStore (the `location` table) and
 * MemoryLocationStore (tests, and a stand-in for db_mode 3 without a
 * database).
 *
 * Every read returns only unexpired bindings (`expires > now`), so an
 * expired row is never used even before a timer deletes it.
 */
export interface LocationStore {
  /** Every unexpired binding: the preload of db_mode 1 and 2. */
  loadAll(now: number): Promise<Binding[]>;
  /** The unexpired bindings of one AoR key (db_mode 3 reads). */
  loadAor(aor: string, now: number): Promise<Binding[]>;
  /** One unexpired binding by ruid (db_mode 3: temp-GRUU, unregister by ruid). */
  loadRuid(ruid: string, now: number): Promise<Binding | null>;
  /** Applies the whole batch or nothing. */
  write(batch: WriteBatch): Promise<void>;
  /** Deletes and returns one server's bindings made over a connection (usrloc.handle_lost_tcp in db_mode 3). */
  deleteByConnection(serverId: number, connectionId: number): Promise<Binding[]>;
  /** Deletes and returns bindings expired at `now` (usrloc.db_timer_clean in db_mode 3). */
  deleteExpired(now: number): Promise<Binding[]>;
  /** Forgets the connection ids a previous run of this server stored: they name nothing after a restart. */
  resetConnections(serverId: number): Promise<void>;
  /** One page of AoRs for the admin API (db_mode 3 lists from the database). */
  search(query: LocationQuery, now: number): Promise<LocationPage>;
}
