import type { Counter, Gauge, StatsRegistry } from '@pbx/core';

/**
 * The relay's statistics (module `msrp` on /api/stats and /metrics).
 * Kamailio's msrp module exports none; the names follow its style
 * (snake_case nouns, as `kamcmd stats.get_statistics msrp:` would list them).
 */
export interface MsrpStats {
  connections: Gauge;
  sessions: Counter;
  closed: Counter;
  expired: Counter;
  frames: Counter;
  bytes: Counter;
  replies: Counter;
  authChallenges: Counter;
  noSession: Counter;
  failureReports: Counter;
  badFrames: Counter;
  strayResponses: Counter;
}

export function registerMsrpStats(stats: StatsRegistry, activeSessions: () => number): MsrpStats {
  stats.gauge('msrp', 'cmap_sessions', 'Sessions in the connection map', activeSessions);
  return {
    connections: stats.gauge('msrp', 'msrp_connections', 'Open MSRP connections (tcp, tls, ws, wss; in and out)'),
    sessions: stats.counter('msrp', 'auth_sessions', 'AUTH requests answered 200 (sessions saved in the connection map)'),
    closed: stats.counter('msrp', 'closed_sessions', 'Sessions removed because their connection closed or an admin closed them'),
    expired: stats.counter('msrp', 'expired_sessions', 'Sessions removed by the timer when their Expires ran out'),
    frames: stats.counter('msrp', 'relayed_frames', 'Requests (SEND, REPORT, AUTH) relayed to a next hop'),
    bytes: stats.counter('msrp', 'relayed_body_bytes', 'Body bytes relayed'),
    replies: stats.counter('msrp', 'relay_replies', 'Responses sent by the relay itself'),
    authChallenges: stats.counter('msrp', 'auth_challenges', 'AUTH requests answered 401 (or refused by the digest check)'),
    noSession: stats.counter('msrp', 'session_not_found', 'SEND/REPORT for a session not in the connection map (481)'),
    failureReports: stats.counter('msrp', 'failure_reports', 'Failure REPORTs generated (next hop failed or did not answer)'),
    badFrames: stats.counter('msrp', 'bad_frames', 'Malformed frames (400) and connections closed for lost framing'),
    strayResponses: stats.counter('msrp', 'stray_responses', 'Responses matching no forwarded transaction (dropped)'),
  };
}
