import { Counter, type StatsRegistry } from '@pbx/core';
import type { RegistrarConfig } from './config.js';

/**
 * The registrar module's statistics under Kamailio's names (registrar.c
 * mod_stats; seed §6): the three configuration values it exports and the
 * accepted/rejected counters. Kamailio names the default expiry statistic
 * `default_expire` (the seed's heading spells it "defaults_expires").
 */
export interface RegistrarStats {
  acceptedRegs: Counter;
  rejectedRegs: Counter;
}

export function registerRegistrarStats(stats: StatsRegistry | undefined, cfg: RegistrarConfig): RegistrarStats {
  if (!stats) return { acceptedRegs: new Counter('accepted_regs', 'registrar', ''), rejectedRegs: new Counter('rejected_regs', 'registrar', '') };
  stats.gauge('registrar', 'max_expires', 'Value of the max_expires parameter', () => cfg.max_expires);
  stats.gauge('registrar', 'max_contacts', 'Value of the max_contacts parameter', () => cfg.max_contacts);
  stats.gauge('registrar', 'default_expire', 'Value of the default_expires parameter', () => cfg.default_expires);
  stats.gauge('registrar', 'default_expires_range', 'Value of the default_expires_range parameter', () => cfg.default_expires_range);
  stats.gauge('registrar', 'expires_range', 'Value of the expires_range parameter', () => cfg.expires_range);
  return {
    acceptedRegs: stats.counter('registrar', 'accepted_regs', 'Accepted registrations (REGISTERs answered 200)'),
    rejectedRegs: stats.counter('registrar', 'rejected_regs', 'Rejected registrations (REGISTERs answered with an error)'),
  };
}

