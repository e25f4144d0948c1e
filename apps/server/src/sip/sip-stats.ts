import type { Counter, StatsRegistry } from '@pbx/core';

/**
 * Core SIP counters, named as Kamailio's core and sl statistics so an
 * operator's dashboards carry over (`kamcmd stats.get_statistics core:`).
 */
export interface SipStats {
  rcvRequests: Counter;
  rcvReplies: Counter;
  fwdRequests: Counter;
  fwdReplies: Counter;
  dropRequests: Counter;
  dropReplies: Counter;
  errRequests: Counter;
  badMessages: Counter;
  sentReplies: Counter;
  sent1xx: Counter;
  sent2xx: Counter;
  sent3xx: Counter;
  sent4xx: Counter;
  sent5xx: Counter;
  sent6xx: Counter;
}

export function registerSipStats(stats: StatsRegistry): SipStats {
  return {
    rcvRequests: stats.counter('core', 'rcv_requests', 'SIP requests received'),
    rcvReplies: stats.counter('core', 'rcv_replies', 'SIP replies received'),
    fwdRequests: stats.counter('core', 'fwd_requests', 'SIP requests forwarded'),
    fwdReplies: stats.counter('core', 'fwd_replies', 'SIP replies forwarded'),
    dropRequests: stats.counter('core', 'drop_requests', 'SIP requests dropped (no response could be built)'),
    dropReplies: stats.counter('core', 'drop_replies', 'SIP replies dropped (no transaction, unparsable)'),
    errRequests: stats.counter('core', 'err_requests', 'SIP requests answered with 400 because they do not parse'),
    badMessages: stats.counter('core', 'bad_msg_hdr', 'Messages with a bad start line or header'),
    sentReplies: stats.counter('sl', 'sent_replies', 'Replies sent by the server itself'),
    sent1xx: stats.counter('sl', '1xx_replies', 'Provisional replies sent'),
    sent2xx: stats.counter('sl', '2xx_replies', 'Success replies sent'),
    sent3xx: stats.counter('sl', '3xx_replies', 'Redirect replies sent'),
    sent4xx: stats.counter('sl', '4xx_replies', 'Client-error replies sent'),
    sent5xx: stats.counter('sl', '5xx_replies', 'Server-error replies sent'),
    sent6xx: stats.counter('sl', '6xx_replies', 'Global-failure replies sent'),
  };
}

export function countReply(s: SipStats, status: number): void {
  s.sentReplies.inc();
  const c = status < 200 ? s.sent1xx : status < 300 ? s.sent2xx : status < 400 ? s.sent3xx : status < 500 ? s.sent4xx : status < 600 ? s.sent5xx : s.sent6xx;
  c.inc();
}
