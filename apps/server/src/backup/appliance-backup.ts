import type { AppContext } from '../app/app-context.js';
import { loadCredentials } from '../subscribers/credential-cache.js';
import { BackupService } from './backup-service.js';

/**
 * The backup service of the running appliance: the tables through its
 * database, the bindings through its registrar engine (memory in usrloc
 * db_mode 0–2), and after a restore the credentials cache, msilo's index
 * of owners with stored messages and SCA's subscriptions reloaded, so the
 * next REGISTER authenticates and gets its messages.
 */
export function applianceBackup(ctx: AppContext): BackupService {
  const ds = ctx.db.dataSource;
  const usrloc = ctx.config.pbx.usrloc;
  const log = ctx.logger.child({ module: 'backup' });
  return new BackupService({
    query: (sql, params) => ds.query(sql, params),
    transaction: (fn) => ds.transaction((em) => fn((sql, params) => em.query(sql, params))),
    bindings: {
      useDomain: usrloc.use_domain === 1,
      transactional: false,
      all: () => ctx.registrar.allBindings(),
      restore: (bindings, replace) => ctx.registrar.restoreBindings(bindings, replace),
    },
    // SCA keeps its subscriptions in memory and rewrites this node's rows of
    // sca_subscriptions from them (db_update_interval): flushed before an
    // export reads the table; stopped (one last flush) before a restore
    // writes it, and started again after, which loads the restored rows.
    beforeExport: async () => {
      await ctx.sca?.engine.flush();
    },
    beforeRestore: async () => {
      await ctx.sca?.engine.stop();
    },
    afterRestore: async () => {
      await loadCredentials(ds, ctx.credentials);
      await ctx.msilo.silo.reloadIndex();
      const sca = ctx.sca ? await ctx.sca.engine.start() : 0;
      log.info({ subscribers: ctx.credentials.size, scaSubscriptions: sca }, 'restore: credentials, stored-message index and SCA subscriptions reloaded');
    },
    source: { appliance: ctx.version, backend: ctx.db.backend, dbMode: usrloc.db_mode },
  });
}
