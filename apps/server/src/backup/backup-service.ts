import { BACKUP_FORMAT, BACKUP_VERSION, backupFileSchema, countsOf, type BackupCounts, type BackupFile } from './backup-format.js';
import { BackupError } from './backup-errors.js';
import { backupTables, type SqlQuery } from './backup-tables.js';
import { bindingOf, bindingRecord } from './binding-record.js';
import type { BindingStore } from './binding-store.js';

export interface BackupServiceDeps {
  query: SqlQuery;
  /** Runs `fn` in one database transaction (TypeORM's DataSource.transaction, or BEGIN/COMMIT on one client). */
  transaction<T>(fn: (tx: SqlQuery) => Promise<T>): Promise<T>;
  bindings: BindingStore;
  /** Lets engines that write a table from memory write it now, so the export reads their current state (SCA's write-behind). */
  beforeExport?: () => Promise<void>;
  /** Quiesces engines whose write-behind would overwrite restored rows (SCA); run before the tables change. */
  beforeRestore?: () => Promise<void>;
  /**
   * Tells the running engines that tables changed behind them (credentials
   * cache, msilo's index, SCA's subscriptions); absent offline. Runs after a
   * failed restore too, so what beforeRestore stopped runs again.
   */
  afterRestore?: () => Promise<void>;
  /** What the file's `source` says about where it came from (informational). */
  source: { appliance: string; backend: string; dbMode: number };
  now?: () => number;
}

export interface RestoreOptions {
  /** Replace what the target holds instead of refusing a non-empty target. */
  replace?: boolean;
}

export interface RestoreResult {
  restored: BackupCounts;
  /** Bindings in the file that had expired by now: not installed. */
  expiredBindings: number;
  replaced: boolean;
}

/** Validation problems listed in a 400 at most (a broken file would otherwise answer with thousands). */
const MAX_FIELD_ERRORS = 20;

/**
 * Backup and restore of an appliance's users: subscribers, bindings,
 * stored messages and SCA subscriptions as one file (backup-format.ts).
 * Framework-free: the REST controller and the offline CLI hand it a query
 * function, a transaction runner and a binding store.
 *
 * A restore goes into an empty appliance (refused otherwise, unless
 * `replace`): the three tables in one transaction, then the bindings
 * through the location service, then the engines reload what they cache.
 */
export class BackupService {
  private readonly now: () => number;
  private restoring = false;

  constructor(private readonly deps: BackupServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  async export(): Promise<BackupFile> {
    const q = this.deps.query;
    const useDomain = this.deps.bindings.useDomain;
    await this.deps.beforeExport?.();
    const now = this.now();
    const subscribers = await backupTables.readSubscribers(q);
    const bindings = (await this.deps.bindings.all()).filter((b) => b.expires > now).map((b) => bindingRecord(b, useDomain));
    const messages = await backupTables.readMessages(q);
    const scaSubscriptions = await backupTables.readScaSubscriptions(q);
    return {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      createdAt: new Date(now).toISOString(),
      source: { ...this.deps.source },
      subscribers,
      bindings,
      messages,
      scaSubscriptions,
    };
  }

  /** Checks a file (parsed JSON, or its text) and fills defaults; BackupError `invalid_file` names each bad field. */
  validate(input: unknown): BackupFile {
    let value = input;
    if (typeof input === 'string') {
      try {
        value = JSON.parse(input);
      } catch (err) {
        throw new BackupError('invalid_file', 'The backup file is not JSON', [{ field: '(file)', message: (err as Error).message }]);
      }
    }
    const r = backupFileSchema.safeParse(value);
    if (r.success) return r.data;
    const errors = r.error.issues.slice(0, MAX_FIELD_ERRORS).map((i) => ({ field: i.path.join('.') || '(file)', message: i.message }));
    const first = errors[0]!;
    throw new BackupError('invalid_file', `Not a valid backup file: ${first.field}: ${first.message}`, errors);
  }

  /** What the target holds now, per section. */
  async holdings(): Promise<BackupCounts> {
    const t = await backupTables.counts(this.deps.query);
    const bindings = (await this.deps.bindings.all()).length;
    return { subscribers: t.subscribers, bindings, messages: t.messages, scaSubscriptions: t.scaSubscriptions };
  }

  async restore(input: unknown, opts: RestoreOptions = {}): Promise<RestoreResult> {
    const file = this.validate(input);
    if (this.restoring) throw new BackupError('restore_in_progress');
    this.restoring = true;
    try {
      return await this.install(file, opts.replace === true);
    } finally {
      this.restoring = false;
    }
  }

  private async install(file: BackupFile, replace: boolean): Promise<RestoreResult> {
    if (!replace) {
      const held = await this.holdings();
      const what = (Object.keys(held) as Array<keyof BackupCounts>).filter((k) => held[k] > 0);
      if (what.length > 0) {
        throw new BackupError(
          'target_not_empty',
          `The appliance already holds ${what.map((k) => `${held[k]} ${LABEL[k]}`).join(', ')}: restore into an empty appliance, or replace its data (API: replace=true, CLI: --replace)`,
        );
      }
    }
    const now = this.now();
    const store = this.deps.bindings;
    const live = file.bindings.filter((b) => Date.parse(b.expires) > now);
    const bindings = live.map((r) => bindingOf(r, store.useDomain, now));
    let installed = 0;
    await this.deps.beforeRestore?.();
    try {
      await this.deps.transaction(async (tx) => {
        if (replace) await backupTables.clear(tx);
        await backupTables.insertSubscribers(tx, file.subscribers, new Date(now));
        await backupTables.insertMessages(tx, file.messages);
        await backupTables.insertScaSubscriptions(tx, file.scaSubscriptions);
        if (store.transactional) installed = await store.restore(bindings, replace, tx);
      });
      if (!store.transactional) installed = await store.restore(bindings, replace);
    } finally {
      await this.deps.afterRestore?.();
    }
    return {
      restored: { ...countsOf(file), bindings: installed },
      expiredBindings: file.bindings.length - live.length,
      replaced: replace,
    };
  }
}

const LABEL: Record<keyof BackupCounts, string> = {
  subscribers: 'subscriber(s)',
  bindings: 'binding(s)',
  messages: 'stored message(s)',
  scaSubscriptions: 'SCA subscription(s)',
};
