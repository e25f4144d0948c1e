/**
 * Shapes of the SCA admin API (`/api/sca/…`) and of its socket.io events.
 * The views and the event map are the engine's own (type-only imports:
 * nothing of the server is bundled). Appearance indexes start at 1.
 */
import type { AppearanceState } from '../../../../libs/sca/src/appearance-state';
import type { AppearanceView } from '../../../../libs/sca/src/appearance';
import type { ScaEventMap } from '../../../../libs/sca/src/sca-events';
import type { ScaSubscriptionView } from '../../../../libs/sca/src/subscription';

export type { AppearanceState, AppearanceView, ScaSubscriptionView };

/** `GET /api/sca/appearances` (sca.all_appearances): the lines in use, the shared AoRs and how many lines each has. */
export interface AppearancesResponse {
  /** Every appearance that is not idle. */
  items: AppearanceView[];
  /** The AoRs with subscribers or lines in use. */
  aors: string[];
  /** Lines per shared AoR (`sca.max_appearances`). */
  maxAppearances: number;
  states: AppearanceState[];
}

/** `GET /api/sca/subscriptions` (sca.all_subscriptions). */
export interface SubscriptionsResponse {
  items: ScaSubscriptionView[];
}

export type AppearanceChanged = ScaEventMap['sca.appearance.changed'];
export type SubscriptionChanged = ScaEventMap['sca.subscription.changed'];

/** The states an admin may set with update (sca.update_appearance: not idle, which is release). */
export type UpdatableState = Exclude<AppearanceState, 'idle'>;
