/**
 * Default reason phrases (RFC 3261 §21 and the extensions this appliance
 * speaks: 3265/6665, 3329, 3903, 4028, 4412, 5079, 5360, 5626, 5839, 6086,
 * 8599, 8224, 8688).
 */
export const REASON_PHRASES: Readonly<Record<number, string>> = {
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  182: 'Queued',
  183: 'Session Progress',
  199: 'Early Dialog Terminated',
  200: 'OK',
  202: 'Accepted',
  204: 'No Notification',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  305: 'Use Proxy',
  380: 'Alternative Service',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  410: 'Gone',
  412: 'Conditional Request Failed',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  417: 'Unknown Resource-Priority',
  420: 'Bad Extension',
  421: 'Extension Required',
  422: 'Session Interval Too Small',
  423: 'Interval Too Brief',
  424: 'Bad Location Information',
  428: 'Use Identity Header',
  429: 'Provide Referrer Identity',
  430: 'Flow Failed',
  433: 'Anonymity Disallowed',
  436: 'Bad Identity-Info',
  437: 'Unsupported Certificate',
  438: 'Invalid Identity Header',
  439: 'First Hop Lacks Outbound Support',
  440: 'Max-Breadth Exceeded',
  469: 'Bad Info Package',
  470: 'Consent Needed',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  484: 'Address Incomplete',
  485: 'Ambiguous',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  489: 'Bad Event',
  491: 'Request Pending',
  493: 'Undecipherable',
  494: 'Security Agreement Required',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Server Time-out',
  505: 'Version Not Supported',
  513: 'Message Too Large',
  555: 'Push Notification Service Not Supported',
  580: 'Precondition Failure',
  600: 'Busy Everywhere',
  603: 'Decline',
  604: 'Does Not Exist Anywhere',
  606: 'Not Acceptable',
  607: 'Unwanted',
  608: 'Rejected',
};

/** The default phrase for a status, or a class-generic one for unknown codes (§21: treat as x00). */
export function reasonPhrase(status: number): string {
  const p = REASON_PHRASES[status];
  if (p) return p;
  const cls = Math.floor(status / 100) * 100;
  return REASON_PHRASES[cls] ?? 'Unknown';
}

/** `SIP/2.0 <status> <default phrase>` + CRLF per status, made on first use (the common case of a response). */
const STATUS_LINES: Array<string | undefined> = [];

/** The status line with its CRLF (§7.2); the one with the default phrase is cached. */
export function statusLine(status: number, reason: string): string {
  if (status >= 100 && status <= 699 && Number.isInteger(status) && reason === reasonPhrase(status)) {
    let line = STATUS_LINES[status];
    if (line === undefined) line = STATUS_LINES[status] = 'SIP/2.0 ' + status + ' ' + reason + '\r\n';
    return line;
  }
  return 'SIP/2.0 ' + status + ' ' + reason + '\r\n';
}
