import type { PbxEventMap } from '@pbx/core';
import type { MsiloEventMap } from '@pbx/msilo';
import type { ScaEventMap } from '@pbx/sca';
import type { ContactView } from '../registrar/registration-view.js';
import type { MsrpAppEventMap } from '../msrp/msrp-engine.js';
import type { FlowView } from '../edge/flow-view.js';

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
    /** Edge role: a flow (connection or UDP 5-tuple) carried its first REGISTER or dialog-forming request. */
    'flow.opened': { flow: FlowView };
    /** Edge role: a flow had no traffic past its Flow-Timer (RFC 5626 §4.4.1). */
    'flow.silent': { flow: FlowView };
    /** Edge role: a flow closed (connection lost, UDP flow expired, closed by admin). */
    'flow.closed': { flow: FlowView; reason: string };
  } & MsrpAppEventMap & ScaEventMap;
