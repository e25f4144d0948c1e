import { parseUri, type SipRequest, type Uri } from '@pbx/sip';
import { wireToText } from './wire-text.js';

/**
 * The request a parameter's pseudo-variables are read from: the stored
 * MESSAGE for from_address / contact_hdr / offline_message /
 * content_type_hdr, the REGISTER (or the owner's AoR) for extra_hdrs, as in
 * Kamailio, where each is evaluated against the SIP message being handled.
 */
export interface PvContext {
  /** $ru: Request-URI. */
  readonly ru: string;
  /** $fu: From URI. */
  readonly fu: string;
  /** $tu: To URI. */
  readonly tu: string;
  /** $ci: Call-ID. */
  readonly ci: string;
  /** $rm: method. */
  readonly rm: string;
}

/** The pseudo-variables msilo's parameters may use (Kamailio pv module names). */
export const SUPPORTED_PVS = ['$ru', '$rU', '$rd', '$fu', '$fU', '$fd', '$tu', '$tU', '$td', '$ci', '$rm'] as const;

const PV = /\$(ru|rU|rd|fu|fU|fd|tu|tU|td|ci|rm)(?![A-Za-z0-9_])/g;

function part(uri: string, which: 'user' | 'host'): string {
  const r = parseUri(uri);
  if (!r.ok) return '';
  const u: Uri = r.uri;
  if (u.kind === 'sip') return which === 'user' ? (u.user ?? '') : u.host;
  if (u.kind === 'tel') return which === 'user' ? u.toString().slice(4).split(';')[0]! : '';
  return '';
}

/**
 * Replaces the supported pseudo-variables ($rU, $rd, $ru, $fU, $fu, $tU, $tu,
 * $fd, $td, $ci, $rm) with their values; any other `$…` text is left as
 * written. A missing value expands to the empty string, as in Kamailio.
 */
export function expandPv(template: string, ctx: PvContext): string {
  if (!template.includes('$')) return template;
  return template.replace(PV, (_m, name: string) => {
    switch (name) {
      case 'ru':
        return ctx.ru;
      case 'rU':
        return part(ctx.ru, 'user');
      case 'rd':
        return part(ctx.ru, 'host');
      case 'fu':
        return ctx.fu;
      case 'fU':
        return part(ctx.fu, 'user');
      case 'fd':
        return part(ctx.fu, 'host');
      case 'tu':
        return ctx.tu;
      case 'tU':
        return part(ctx.tu, 'user');
      case 'td':
        return part(ctx.tu, 'host');
      case 'ci':
        return ctx.ci;
      default:
        return ctx.rm;
    }
  });
}

/** The context of a received request; unreadable headers expand to ''. */
export function pvContextOf(req: SipRequest): PvContext {
  const safe = (f: () => string): string => {
    try {
      return wireToText(f());
    } catch {
      return '';
    }
  };
  return {
    ru: wireToText(req.requestUri),
    fu: safe(() => req.from().uri.toString()),
    tu: safe(() => req.to().uri.toString()),
    ci: safe(() => req.callId()),
    rm: req.method,
  };
}

/**
 * The context for a dump without the REGISTER at hand: what that REGISTER
 * would carry, the owner's AoR as From and To and `sip:domain` as R-URI.
 */
export function pvContextForOwner(username: string, domain: string): PvContext {
  const aor = `sip:${username}@${domain}`;
  return { ru: `sip:${domain}`, fu: aor, tu: aor, ci: '', rm: 'REGISTER' };
}
