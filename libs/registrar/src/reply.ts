import { createResponse, type SipRequest, type SipResponse } from '@pbx/sip';
import type { Aor } from './aor.js';
import type { Binding } from './binding.js';
import type { RegistrarConfig } from './config.js';
import type { RegistrarError } from './errors.js';
import { pubGruu, tempGruu } from './gruu.js';

/** What the 200 needs to know about the REGISTER besides the bindings. */
export interface OkParams {
  aor: Aor;
  /** Supported: gruu and gruu_enabled. */
  gruu: boolean;
  /** Outbound applied: Require: outbound and Flow-Timer. */
  outbound: boolean;
  replyPath: string | null;
}

/**
 * The 200 OK to a REGISTER (RFC 3261 §10.3 step 8, Kamailio reply.c): one
 * Contact value per current binding with its remaining `expires`, `q` when
 * not the default, `received` (received_param, seed §3.12), pub-gruu and
 * temp-gruu (RFC 5627 §5.2, only when the REGISTER said Supported: gruu),
 * `+sip.instance` and `reg-id`; then Path (RFC 3327 §5.3, per path_mode),
 * `Require: outbound` and Flow-Timer when outbound was applied (RFC 5626
 * §6), `Supported: outbound` with outbound_mode 1 or 2, and Date.
 */
export function okReply(req: SipRequest, p: OkParams, bindings: readonly Binding[], cfg: RegistrarConfig, now: number, toTag: string, date: string): SipResponse {
  const headers: Array<[string, string]> = [];
  if (bindings.length) {
    let v = '';
    for (const b of bindings) {
      if (b.expires <= now) continue;
      if (v) v += ', ';
      v += contactValue(b, p, cfg, now);
    }
    if (v) headers.push(['Contact', v]);
  }
  if (p.replyPath !== null) headers.push(['Path', p.replyPath]);
  if (p.outbound) headers.push(['Require', 'outbound']);
  if (cfg.outbound_mode !== 0) headers.push(['Supported', 'outbound']);
  if (p.outbound && cfg.flow_timer > 0) headers.push(['Flow-Timer', String(cfg.flow_timer)]);
  headers.push(['Date', date]);
  return createResponse(req, 200, 'OK', { toTag, headers });
}

export function contactValue(b: Binding, p: OkParams, cfg: RegistrarConfig, now: number): string {
  let v = '<' + b.contact + '>';
  if (b.q !== cfg.default_q) v += ';q=' + String(b.q / 1000);
  v += ';expires=' + b.remaining(now);
  if (b.received !== null && cfg.received_param !== '') v += ';' + cfg.received_param + '="' + b.received + '"';
  if (b.instance !== null) {
    if (p.gruu) v += ';pub-gruu="' + pubGruu(p.aor, b.instance) + '";temp-gruu="' + tempGruu(p.aor, b.ruid) + '"';
    v += ';+sip.instance="' + b.instance.replace(/["\\]/g, '\\$&') + '"';
  }
  if (b.regId > 0) v += ';reg-id=' + b.regId;
  return v;
}

/**
 * A rejection (Kamailio reg_send_reply's error branch): the status and
 * reason of the error table, and the header the rule asks for — Min-Expires
 * with 423 (RFC 3261 §10.3 step 7), Unsupported with 420 (§8.2.2.3; with
 * the Path for path_mode 2, seed §3.19), Require: outbound with 421 (seed
 * §3.26), Retry-After on any 5xx when retry_after > 0 (seed §3.14).
 */
export function errorReply(req: SipRequest, err: RegistrarError, cfg: RegistrarConfig, toTag: string): SipResponse {
  const headers: Array<[string, string]> = [];
  switch (err.code) {
    case 'interval_too_brief':
      headers.push(['Min-Expires', String(cfg.min_expires)]);
      break;
    case 'path_unsupported':
      headers.push(['Unsupported', 'path']);
      if (err.extra.path) headers.push(['Path', err.extra.path]);
      break;
    case 'outbound_unsupported':
    case 'extension_unsupported':
      headers.push(['Unsupported', (err.extra.unsupported ?? ['outbound']).join(', ')]);
      break;
    case 'outbound_required':
      headers.push(['Require', 'outbound'], ['Supported', 'outbound']);
      break;
  }
  if (err.status >= 500 && err.status < 600 && cfg.retry_after > 0) headers.push(['Retry-After', String(cfg.retry_after)]);
  return createResponse(req, err.status, err.reason, { toTag, headers });
}
