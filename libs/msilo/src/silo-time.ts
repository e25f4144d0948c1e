/**
 * The three time formats msilo uses. All are UTC: the appliance runs in UTC
 * and a stored time must not shift with the host's zone (Kamailio uses the
 * local zone for ctime and the reminder time; we document UTC instead).
 */

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** RFC 3261 §20.17 Date value (RFC 1123 form, always GMT): `Sat, 13 Nov 2010 23:29:00 GMT`. */
export function sipDate(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toUTCString();
}

/**
 * C `ctime()` text without its newline, as Kamailio's add_date prefix shows
 * it: `Wed Jun  3 21:49:08 1993` (day of month padded with a space).
 */
export function ctimeText(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/**
 * Parses a reminder time as snd_time_avp holds it, `YYYYMMDDHHMMSS`
 * (e.g. 20060101201500), read as UTC. Returns Unix seconds, or null when
 * the text is not exactly that or names no real instant (Feb 30, 24:00…).
 */
export function parseSendTime(text: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  if (y < 2000) return null;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  // Date.UTC rolls over (Feb 30 -> Mar 2); a round trip catches it.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || back.getUTCHours() !== h || back.getUTCMinutes() !== mi || back.getUTCSeconds() !== s)
    return null;
  return ms / 1000;
}

/** The inverse of parseSendTime. */
export function formatSendTime(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`;
}
