/**
 * SIP strings from the parser are wire strings: one char per byte (latin1
 * view). The database and the admin API hold text, so bytes are decoded as
 * UTF-8 on the way in; the request builder encodes text as UTF-8 on the way
 * out. ASCII, the usual case, passes through untouched.
 */
export function wireToText(s: string): string {
  return /[\x80-\xff]/.test(s) ? Buffer.from(s, 'latin1').toString('utf8') : s;
}
