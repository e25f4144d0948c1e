import { StatsRegistry, type Counter } from '@pbx/core';

/** SCA counters (module `sca`). Kamailio's sca exports none; these are the events an operator watches. */
export const SCA_STATISTICS = {
  sca_subscribes: 'call-info and line-seize SUBSCRIBEs accepted (new, refresh and unsubscribe).',
  sca_subscribes_refused: 'SUBSCRIBEs refused (bad event, no free appearance, unknown dialog…).',
  sca_notifies_sent: 'NOTIFYs sent to SCA subscribers.',
  sca_notify_failures: 'NOTIFYs that got no 2xx (408, timeout, 481, other errors).',
  sca_subscriptions_dropped: 'Subscriptions ended by a 481 or by too many consecutive NOTIFY failures.',
  sca_subscriptions_expired: 'Subscriptions removed by the purge after they expired.',
  sca_appearance_changes: 'Appearance state changes (seize, call progress, hold, release).',
} as const;

export type ScaStatName = keyof typeof SCA_STATISTICS;
export type ScaCounters = Record<ScaStatName, Counter>;

/** Registers the counters (or reuses them, so a restarted engine keeps counting) plus two live gauges. */
export function scaCounters(registry: StatsRegistry, gauges?: { subscriptions(): number; appearances(): number }): ScaCounters {
  const out = {} as Record<ScaStatName, Counter>;
  for (const [name, help] of Object.entries(SCA_STATISTICS) as Array<[ScaStatName, string]>) {
    const existing = registry.get(name);
    out[name] = existing && existing.kind === 'counter' ? existing : registry.counter('sca', name, help);
  }
  if (gauges && !registry.get('sca_active_subscriptions')) {
    registry.gauge('sca', 'sca_active_subscriptions', 'Current call-info and line-seize subscriptions.', gauges.subscriptions);
    registry.gauge('sca', 'sca_active_appearances', 'Appearances not idle.', gauges.appearances);
  }
  return out;
}
