import { z } from 'zod';
import { configField as f, type ConfigSectionMeta } from '@pbx/sip';

/**
 * The `sca` section: the parameters of the Kamailio sca module
 * (seeds/kamailio-sca.txt, §3) except the database ones (the database is
 * global: DATABASE_URL; the table is sca_subscriptions), plus
 * notify_max_failures and max_appearances (the BroadWorks document's number
 * of lines per shared AoR; Kamailio has no limit).
 */
export const scaConfigSchema = z
  .object({
    hash_table_size: f.int(9, { min: 1, max: 20 }, {
      description: 'Size, as a power of two, of the table holding call-info subscriptions and appearance state (9 = 512 slots).',
    }),
    call_info_max_expires: f.int(3600, { min: 1 }, {
      unit: 'seconds',
      description: 'Maximum call-info subscription time; a longer Expires is lowered to it.',
    }),
    line_seize_max_expires: f.int(15, { min: 1 }, {
      unit: 'seconds',
      description: 'Maximum line-seize subscription time; kept short so an idle client cannot hold an appearance.',
    }),
    purge_expired_interval: f.int(120, { min: 1 }, {
      unit: 'seconds',
      description: 'Interval between purges of expired subscriptions (each gets a terminated;expired NOTIFY).',
    }),
    db_update_interval: f.int(300, { min: 1 }, {
      unit: 'seconds',
      description: 'Interval between writes of call-info subscriptions to the database (also written at shutdown).',
    }),
    max_appearances: f.int(10, { min: 1, max: 999 }, {
      extension: true,
      description: 'Appearances (lines) per shared AoR; a line-seize when all are in use is refused with 480 and Retry-After.',
    }),
    notify_max_failures: f.int(3, { min: 1, max: 100 }, {
      extension: true,
      description: 'Consecutive NOTIFY failures (408 or timeout) after which a subscription is dropped.',
    }),
  })
  .strict()
  .meta({
    description: 'Shared call appearances: call-info and line-seize subscriptions (Kamailio sca module).',
    kamailioModule: 'sca',
    omitted: {
      db_url: 'the database is global, set by DATABASE_URL',
      subs_table: 'the table is always sca_subscriptions (see migrations)',
    },
  } satisfies ConfigSectionMeta);

export type ScaConfig = z.infer<typeof scaConfigSchema>;
