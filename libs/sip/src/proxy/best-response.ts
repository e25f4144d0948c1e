import type { SipResponse } from '../message/index.js';

/**
 * 4xx responses a proxy prefers, since they let the UAC resubmit (RFC 3261
 * §16.7 step 6: "such as 401, 407, 415, 420, and 484").
 */
const PREFERRED_4XX = [401, 407, 415, 420, 484];

function rank(status: number): number {
  // 6xx first (§16.7 step 6: "If there are any 6xx responses, one of those MUST be chosen"),
  // then the lowest class; within 4xx the preferred codes; then the lowest code.
  if (status >= 600) return status - 600;
  if (status >= 200 && status < 300) return -1000 + status;
  const cls = Math.floor(status / 100);
  const pref = cls === 4 ? PREFERRED_4XX.indexOf(status) : -1;
  return 1000 * cls + (pref >= 0 ? pref : 100 + (status % 100));
}

/**
 * RFC 3261 §16.7 step 6: the best final response of a response context. A
 * 2xx always wins (it is forwarded at once anyway); then any 6xx; otherwise
 * the lowest class, preferring 401/407/415/420/484 within 4xx; ties go to the
 * response received first. Provisional responses are ignored.
 */
export function selectBestResponse(responses: readonly (SipResponse | null | undefined)[]): SipResponse | undefined {
  let best: SipResponse | undefined;
  let bestRank = Infinity;
  for (const r of responses) {
    if (!r || r.status < 200) continue;
    const k = rank(r.status);
    if (k < bestRank) {
      best = r;
      bestRank = k;
    }
  }
  return best;
}

/**
 * RFC 3261 §16.7 step 7: when the chosen response is a 401 or 407, "the
 * proxy MUST collect any WWW-Authenticate and Proxy-Authenticate header
 * field values from all other 401 (Unauthorized) and 407 (Proxy
 * Authentication Required) responses received so far in this response
 * context and add them to this response without modification".
 */
export function aggregateChallenges(best: SipResponse, responses: readonly (SipResponse | null | undefined)[]): void {
  if (best.status !== 401 && best.status !== 407) return;
  for (const r of responses) {
    if (!r || r === best || (r.status !== 401 && r.status !== 407)) continue;
    for (const v of r.getAll('WWW-Authenticate')) best.addHeader('WWW-Authenticate', v);
    for (const v of r.getAll('Proxy-Authenticate')) best.addHeader('Proxy-Authenticate', v);
  }
}
