/**
 * SIP strings from the parser are wire strings: one char per byte (latin1
 * view). The database and the admin API hold text, so bytes are decoded as
 * UTF-8 on the way in; the request builder encodes text as UTF-8 on the way
 * out. ASCII, the usual case, passes through untouched.
 */
export function wireToText(s: string): string {
  // A loop, not /[\x80-\xff]/: it runs on five strings of every stored MESSAGE, and the
  // regular expression went through V8's runtime on the parser's sliced strings.
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return Buffer.from(s, 'latin1').toString('utf8');
  return s;
}
