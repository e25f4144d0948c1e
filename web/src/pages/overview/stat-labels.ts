import type { StatsSnapshot } from '../../api/types';

/**
 * Friendly names for the statistics the engines export under their Kamailio
 * names (module docs, "Statistics" sections). Anything not listed here is
 * shown under its raw name, so a new engine's figures appear at once.
 */
const MODULES: Record<string, string> = {
  core: 'SIP core',
  tm: 'Transactions',
  registrar: 'Registrar',
  usrloc: 'Location service',
  msilo: 'Offline messages',
  sca: 'Shared call appearances',
  msrp: 'MSRP relay',
  outbound: 'Outbound',
};

const STATS: Record<string, string> = {
  'core.rcv_requests': 'Requests received',
  'core.rcv_replies': 'Replies received',
  'core.fwd_requests': 'Requests forwarded',
  'core.fwd_replies': 'Replies forwarded',
  'core.drop_requests': 'Requests dropped',
  'core.drop_replies': 'Replies dropped',
  'core.err_requests': 'Bad requests',
  'core.err_replies': 'Bad replies',
  'core.bad_URIs_rcvd': 'Bad URIs received',
  'core.bad_msg_hdr': 'Bad headers',
  'registrar.accepted_regs': 'Accepted registrations',
  'registrar.rejected_regs': 'Rejected registrations',
  'registrar.max_expires': 'Max expires (s)',
  'registrar.max_contacts': 'Max contacts per AoR',
  'registrar.default_expire': 'Default expires (s)',
  'registrar.default_expires_range': 'Default expires range (%)',
  'registrar.expires_range': 'Expires range (%)',
  'usrloc.registered_users': 'Registered users',
  'usrloc.location-users': 'Users in location table',
  'usrloc.location-contacts': 'Registered contacts',
  'usrloc.location-expires': 'Expired contacts',
  'msilo.stored_messages': 'Stored messages',
  'msilo.dumped_messages': 'Delivered messages',
  'msilo.failed_messages': 'Failed deliveries',
  'msilo.dumped_reminders': 'Reminders sent',
  'msilo.failed_reminders': 'Failed reminders',
};

const MODULE_ORDER = Object.keys(MODULES);

export function moduleLabel(module: string): string {
  return MODULES[module] ?? module;
}

export function statLabel(module: string, name: string): string {
  return STATS[`${module}.${name}`] ?? name;
}

/** Modules in a stable order: known engines first, then the rest by name. */
export function sortedModules(stats: StatsSnapshot): string[] {
  const rank = (m: string) => {
    const i = MODULE_ORDER.indexOf(m);
    return i < 0 ? MODULE_ORDER.length : i;
  };
  return Object.keys(stats).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * A statistic's value, or undefined when no module reported it. Looks in the
 * expected module first, then any module (Kamailio keeps `registered_users`
 * in usrloc, we may keep it in the registrar).
 */
export function readStat(stats: StatsSnapshot | undefined, module: string, name: string): number | undefined {
  if (!stats) return undefined;
  const direct = stats[module]?.[name];
  if (typeof direct === 'number') return direct;
  for (const m of Object.keys(stats)) {
    const v = stats[m]?.[name];
    if (typeof v === 'number') return v;
  }
  return undefined;
}
