import type { Counter, StatsRegistry } from '@pbx/core';

/** The edge's statistics (module `outbound`), on /api/stats and /metrics. */
export interface EdgeStats {
  flowsOpened: Counter;
  flowsClosed: Counter;
  flowsSilent: Counter;
  stunBindings: Counter;
  crlfKeepAlives: Counter;
  flowFailed: Counter;
  forgedTokens: Counter;
  registersRelayed: Counter;
  requestsToFlows: Counter;
  requestsToRegistrar: Counter;
}

export function registerEdgeStats(stats: StatsRegistry, activeFlows: () => number): EdgeStats {
  stats.gauge('outbound', 'active_flows', 'Flows the edge currently carries', activeFlows);
  return {
    flowsOpened: stats.counter('outbound', 'flows_opened', 'Flows opened (first REGISTER or request over a new connection / 5-tuple)'),
    flowsClosed: stats.counter('outbound', 'flows_closed', 'Flows closed (connection lost, UDP flow expired, closed by admin)'),
    flowsSilent: stats.counter('outbound', 'flows_silent', 'Flows that went quiet past their Flow-Timer'),
    stunBindings: stats.counter('outbound', 'stun_bindings', 'STUN Binding requests answered on SIP UDP ports (RFC 5626 §4.4.2)'),
    crlfKeepAlives: stats.counter('outbound', 'crlf_keepalives', 'Double-CRLF keep-alives answered on stream flows (RFC 5626 §4.4.1)'),
    flowFailed: stats.counter('outbound', 'flow_failed_replies', '430 Flow Failed replies (RFC 5626 §5.3)'),
    forgedTokens: stats.counter('outbound', 'forged_tokens', 'Requests refused with 403 for a forged or altered flow token'),
    registersRelayed: stats.counter('outbound', 'registers_relayed', 'REGISTERs relayed to the registrar with a Path flow token'),
    requestsToFlows: stats.counter('outbound', 'requests_to_flows', 'Requests sent to a UA over its flow'),
    requestsToRegistrar: stats.counter('outbound', 'requests_to_registrar', 'Requests from UAs relayed to the registrar'),
  };
}
