import type { AppearanceView } from './appearance.js';
import type { ScaSubscriptionView } from './subscription.js';

/** Events the SCA engine publishes (socket.io forwards them under these names). */
export interface ScaEventMap {
  /** An appearance changed state; `state: 'idle'` when it was released. `reason` says what moved it. */
  'sca.appearance.changed': AppearanceView & {
    reason: 'seize' | 'call' | 'hold' | 'retrieve' | 'release' | 'expired' | 'admin';
  };
  /** A subscription was added, refreshed or ended. */
  'sca.subscription.changed': ScaSubscriptionView & {
    action: 'added' | 'refreshed' | 'removed' | 'expired' | 'dropped';
  };
}

export type ScaEventName = keyof ScaEventMap;

export interface ScaEventSink {
  emit<K extends ScaEventName>(name: K, payload: ScaEventMap[K]): void;
}
