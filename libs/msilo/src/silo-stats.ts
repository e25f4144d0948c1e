import { StatsRegistry, type Counter } from '@pbx/core';

/** msilo statistics, the seed's names (§5). */
export const SILO_STATISTICS = {
  stored_messages: 'The number of messages stored by msilo.',
  dumped_messages: 'The number of dumped messages (delivered with a 2xx and deleted).',
  failed_messages: 'The number of failed dumped messages (no 2xx; the message stays stored).',
  dumped_reminders: 'The number of dumped reminder messages.',
  failed_reminders: 'The number of failed reminder messages.',
} as const;

export type SiloStatName = keyof typeof SILO_STATISTICS;

export type SiloCounters = Record<SiloStatName, Counter>;

/**
 * Registers the counters in `registry` under module `msilo` (or reuses them
 * when this registry already has them, so a restarted engine keeps counting).
 */
export function siloCounters(registry: StatsRegistry = new StatsRegistry()): SiloCounters {
  const out = {} as Record<SiloStatName, Counter>;
  for (const [name, help] of Object.entries(SILO_STATISTICS) as Array<[SiloStatName, string]>) {
    const existing = registry.get(name);
    out[name] = existing && existing.kind === 'counter' ? existing : registry.counter('msilo', name, help);
  }
  return out;
}
