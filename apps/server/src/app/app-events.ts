import type { PbxEventMap } from '@pbx/core';
import type { MsiloEventMap } from '@pbx/msilo';
import type { ContactView } from '../registrar/registration-view.js';

/**
 * Every event the appliance publishes, and so every socket.io event the
 * dashboard can listen to: the core's, the engines' own maps, and the
 * registrar's (whose payload is the admin API's contact view).
 */
export type AppEventMap = PbxEventMap & {
  /** msilo's events, with the dashboard's word for the message's state (stored, delivered, failed, expired, deleted). */
  [K in keyof MsiloEventMap]: MsiloEventMap[K] & { state: string };
} & {
    /** An AoR's bindings changed (REGISTER, expiry, admin unregister, lost connection); `contacts` is what remains. */
    'registration.changed': { aor: string; reason: 'added' | 'refreshed' | 'removed' | 'expired'; contacts: ContactView[] };
  };
