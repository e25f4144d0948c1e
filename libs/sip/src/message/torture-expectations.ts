import assert from 'node:assert/strict';
import type { SipParseErrorCode } from './errors.js';
import type { SipMessage, SipRequest, SipResponse } from './sip-message.js';

/**
 * What parseMessage must do with each RFC 4475 / RFC 5118 torture message
 * (fixtures/rfc4475/*.sip, fixtures/rfc5118/*.sip, byte-exact), and the values
 * the RFC says a parser finds in the valid ones.
 *
 * verdict:
 * - 'valid': parses; `check` spot-checks the values the RFC points out.
 * - 'reject': parseMessage fails with `code` (and `reason`); `canRespond` as given.
 * - 'app': syntactically fine; the RFC leaves the decision to the application
 *   layer (proxy/registrar/UA), so parseMessage accepts it and `check` pins
 *   what the application sees.
 */
export interface TortureCase {
  file: string;
  section: string;
  verdict: 'valid' | 'reject' | 'app';
  code?: SipParseErrorCode;
  reason?: string;
  canRespond?: boolean;
  check?: (m: SipMessage) => void;
  note?: string;
}

const req = (m: SipMessage): SipRequest => {
  assert.equal(m.kind, 'request');
  return m as SipRequest;
};
const res = (m: SipMessage): SipResponse => {
  assert.equal(m.kind, 'response');
  return m as SipResponse;
};
const sip = (u: unknown) => {
  assert.equal((u as { kind: string }).kind, 'sip');
  return u as import('./uri.js').SipUri;
};

export const RFC4475: TortureCase[] = [
  {
    file: 'wsinv',
    section: '3.1.1.1',
    verdict: 'valid',
    check: (m) => {
      const r = req(m);
      assert.equal(r.method, 'INVITE');
      assert.equal(sip(r.uri).user, 'vivekg');
      assert.ok(sip(r.uri).params.has('unknownparam'));
      assert.equal(r.to().tag, '1918181833n');
      assert.equal(r.from().displayName, 'J Rosenberg \\"');
      assert.equal(r.from().tag, '98asjd8');
      assert.equal(r.maxForwards(), 68);
      assert.deepEqual(r.cseq(), { seq: 9, method: 'INVITE' });
      assert.equal(r.callId(), 'wsinv.ndaksdj@192.0.2.1');
      const vias = r.vias();
      assert.equal(vias.length, 3);
      assert.deepEqual(
        vias.map((v) => [v.transport, v.host, v.branch]),
        [
          ['UDP', '192.0.2.2', '390skdjuw'],
          ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
          ['UDP', '192.168.255.111', 'z9hG4bK30239'],
        ],
      );
      assert.equal(r.get('Subject'), '');
      assert.equal(r.get('NewFangledHeader'), 'newfangled value continued newfangled value');
      assert.equal(r.get('UnknownHeaderWithUnusualValue'), ';;,,;;,;');
      const c = r.contacts()[0]!;
      assert.equal(c.displayName, 'Quoted string ""');
      assert.equal(c.params.get('newparam'), 'newvalue');
      assert.equal(c.params.get('secondparam'), null);
      assert.equal(c.q, 0.33);
      assert.ok(sip(r.route()[0]!.uri).lr);
      assert.equal(r.body.length, 150);
    },
  },
  {
    file: 'intmeth',
    section: '3.1.1.2',
    verdict: 'valid',
    check: (m) => {
      const r = req(m);
      assert.equal(r.method, "!interesting-Method0123456789_*+`.%indeed'~");
      const u = sip(r.uri);
      assert.equal(u.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
      assert.equal(u.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
      assert.equal(r.topVia()!.branch, "z9hG4bK-.!%66*_+`'~");
      assert.equal(r.to().displayName, 'BEL:\x07 NUL:\x00 DEL:\x7f');
      assert.equal(r.from().displayName, "token1~` token2'+_ token3*%!.-");
      assert.equal(r.from().params.get("fromParam''~+*_!.-%"), Buffer.from('работающий').toString('latin1'));
      assert.equal(r.from().tag, "_token~1'+`*%!-.");
      assert.equal(r.callId(), "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
      assert.equal(r.cseq().seq, 139122385);
      assert.equal(r.get("extensionHeader-!.%*+_`'~"), Buffer.from('\ufeff大停電').toString('latin1'));
    },
  },
  {
    file: 'esc01',
    section: '3.1.1.3',
    verdict: 'valid',
    check: (m) => {
      const r = req(m);
      assert.equal(sip(r.uri).user, 'sips%3Auser%40example.com');
      assert.equal(sip(r.to().uri).user, '%75se%72');
      assert.equal(sip(r.from().uri).user, 'I%20have%20spaces');
      const c = sip(r.contacts()[0]!.uri);
      assert.equal(c.user, 'cal%6Cer');
      assert.equal(c.params.get('%6C%72'), null);
      // name=value%41 is NOT valueA: unescaping is never recursive (RFC 4475).
      assert.equal(c.params.get('n%61me'), 'v%61lue%25%34%31');
      assert.equal(r.contentType()!.mediaType, 'application/sdp');
    },
  },
  {
    file: 'escnull',
    section: '3.1.1.4',
    verdict: 'valid',
    check: (m) => {
      const r = req(m);
      assert.equal(sip(r.to().uri).user, 'null-%00-null');
      const cs = r.contacts();
      assert.equal(cs.length, 2);
      assert.notEqual(sip(cs[0]!.uri).user, sip(cs[1]!.uri).user);
    },
  },
  {
    file: 'esc02',
    section: '3.1.1.5',
    verdict: 'valid',
    check: (m) => {
      const r = req(m);
      assert.equal(r.method, 'RE%47IST%45R');
      assert.notEqual(r.method, 'REGISTER');
      assert.equal(r.to().displayName, '%Z%45');
      assert.equal(r.contacts().length, 2, 'C%6Fntact is another header, not Contact');
      assert.equal(r.get('C%6Fntact'), '<sip:alias2@host2.example.com>');
      assert.equal(r.topVia()!.branch, 'z9hG4bK209%fzsnel234');
    },
  },
  { file: 'lwsdisp', section: '3.1.1.6', verdict: 'valid', check: (m) => assert.equal(req(m).from().displayName, 'caller') },
  {
    file: 'longreq',
    section: '3.1.1.7',
    verdict: 'valid',
    check: (m) => {
      const r = req(m);
      assert.equal(r.vias().length, 34);
      assert.equal(r.vias()[33]!.received, '192.0.2.5');
      assert.equal(sip(r.to().uri).port, 6000);
      assert.equal(r.from().tag!.length, 155);
      assert.equal(r.contentLength(), 150);
    },
  },
  {
    file: 'dblreq',
    section: '3.1.1.8',
    verdict: 'valid',
    note: '§18.3: the INVITE after the REGISTER is noise past Content-Length and is dropped',
    check: (m) => {
      const r = req(m);
      assert.equal(r.method, 'REGISTER');
      assert.equal(r.body.length, 0);
      assert.ok(!r.serialize().toString('latin1').includes('INVITE'));
    },
  },
  { file: 'semiuri', section: '3.1.1.9', verdict: 'valid', check: (m) => assert.equal(sip(req(m).uri).user, 'user;par=u%40example.net') },
  {
    file: 'transports',
    section: '3.1.1.10',
    verdict: 'valid',
    check: (m) => assert.deepEqual(req(m).vias().map((v) => v.transport), ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP']),
  },
  {
    file: 'mpart01',
    section: '3.1.1.11',
    verdict: 'valid',
    check: (m) => {
      const r = req(m);
      assert.equal(r.body.length, 553);
      assert.equal(r.contentType()!.boundary, '7a9cbec02ceef655');
      assert.equal(r.topVia()!.rport, null);
    },
  },
  {
    file: 'unreason',
    section: '3.1.1.12',
    verdict: 'valid',
    check: (m) => {
      const r = res(m);
      assert.equal(r.status, 200);
      assert.equal(Buffer.from(r.reason, 'latin1').toString('utf8'), '= 2**3 * 5**2 но сто девяносто девять - простое');
    },
  },
  { file: 'noreason', section: '3.1.1.13', verdict: 'valid', check: (m) => assert.equal(res(m).reason, '') },
  // §3.1.2 invalid messages
  { file: 'badinv01', section: '3.1.2.1', verdict: 'reject', code: 'bad_header', reason: 'Bad Via header', canRespond: false },
  { file: 'clerr', section: '3.1.2.2', verdict: 'reject', code: 'content_length_mismatch', reason: 'Content-Length mismatch', canRespond: true },
  { file: 'ncl', section: '3.1.2.3', verdict: 'reject', code: 'bad_header', reason: 'Bad Content-Length header', canRespond: true },
  { file: 'scalar02', section: '3.1.2.4', verdict: 'reject', code: 'bad_header', reason: 'Bad CSeq header', canRespond: false },
  { file: 'scalarlg', section: '3.1.2.5', verdict: 'reject', code: 'bad_header', reason: 'Bad CSeq header', canRespond: false },
  { file: 'quotbal', section: '3.1.2.6', verdict: 'reject', code: 'bad_header', reason: 'Bad To header', canRespond: false },
  { file: 'ltgtruri', section: '3.1.2.7', verdict: 'reject', code: 'bad_request_uri', reason: 'Invalid Request-URI', canRespond: true },
  { file: 'lwsruri', section: '3.1.2.8', verdict: 'reject', code: 'bad_request_line', reason: 'Malformed request line', canRespond: true },
  { file: 'lwsstart', section: '3.1.2.9', verdict: 'reject', code: 'bad_request_line', reason: 'Malformed request line', canRespond: true },
  { file: 'trws', section: '3.1.2.10', verdict: 'reject', code: 'bad_request_line', reason: 'Malformed request line', canRespond: true },
  { file: 'escruri', section: '3.1.2.11', verdict: 'reject', code: 'bad_request_uri', reason: 'Invalid Request-URI', canRespond: true },
  {
    file: 'baddate',
    section: '3.1.2.12',
    verdict: 'app',
    note: 'RFC 4475: rejecting is acceptable only if the Date matters; the Date header is not interpreted here, so the request is accepted',
    check: (m) => assert.equal(req(m).get('Date'), 'Fri, 01 Jan 2010 16:00:00 EST'),
  },
  {
    file: 'regbadct',
    section: '3.1.2.13',
    verdict: 'app',
    note: 'Contact is parsed on access: the registrar gets SipHeaderError "Bad Contact header" and answers 400',
    check: (m) => assert.throws(() => req(m).contact(), { name: 'SipHeaderError', reason: 'Bad Contact header' }),
  },
  {
    file: 'badaspec',
    section: '3.1.2.14',
    verdict: 'app',
    note: 'parsers must not break; To is structurally sound, its URI (with spaces inside <>) is invalid: the element reads to().uri, gets "Bad To header" and answers 400',
    check: (m) => assert.throws(() => req(m).to().uri, { name: 'SipHeaderError', reason: 'Bad To header', detail: 'URI scheme must start with a letter' }),
  },
  { file: 'baddn', section: '3.1.2.15', verdict: 'reject', code: 'bad_header', reason: 'Bad From header', canRespond: false },
  { file: 'badvers', section: '3.1.2.16', verdict: 'reject', code: 'bad_version', reason: 'Version Not Supported', canRespond: true },
  { file: 'mismatch01', section: '3.1.2.17', verdict: 'reject', code: 'cseq_method_mismatch', reason: 'CSeq method mismatch', canRespond: true },
  { file: 'mismatch02', section: '3.1.2.18', verdict: 'reject', code: 'cseq_method_mismatch', reason: 'CSeq method mismatch', canRespond: true, note: 'RFC allows 400 (501 preferred)' },
  { file: 'bigcode', section: '3.1.2.19', verdict: 'reject', code: 'bad_status_code', reason: 'Invalid status code', canRespond: false },
  // §3.2 transaction layer
  {
    file: 'badbranch',
    section: '3.2.1',
    verdict: 'app',
    note: 'parser must not break; the transaction layer sees a magic cookie without identifier',
    check: (m) => {
      assert.equal(req(m).topVia()!.branch, 'z9hG4bK');
      assert.equal(req(m).topVia()!.rfc3261Branch, true);
    },
  },
  // §3.3 application layer
  { file: 'insuf', section: '3.3.1', verdict: 'reject', code: 'missing_header', reason: 'Missing From', canRespond: false },
  {
    file: 'unkscm',
    section: '3.3.2',
    verdict: 'app',
    note: 'unknown scheme kept opaque; the application answers 416',
    check: (m) => assert.deepEqual([req(m).uri.kind, req(m).uri.scheme], ['absolute', 'nobodyknowsthisscheme']),
  },
  { file: 'novelsc', section: '3.3.3', verdict: 'app', check: (m) => assert.equal(req(m).uri.toString(), 'soap.beep://192.0.2.103:3002') },
  {
    file: 'unksm2',
    section: '3.3.4',
    verdict: 'app',
    check: (m) => {
      assert.equal(req(m).to().uri.scheme, 'isbn');
      assert.equal(req(m).from().uri.scheme, 'http');
      assert.equal(req(m).contacts()[0]!.uri.toString(), 'name:John_Smith');
    },
  },
  { file: 'bext01', section: '3.3.5', verdict: 'app', check: (m) => assert.deepEqual(req(m).require(), ['nothingSupportsThis', 'nothingSupportsThisEither']) },
  { file: 'invut', section: '3.3.6', verdict: 'app', check: (m) => assert.equal(req(m).contentType()!.mediaType, 'application/unknownformat') },
  { file: 'regaut01', section: '3.3.7', verdict: 'app', check: (m) => assert.deepEqual(req(m).getAll('Authorization'), ['NoOneKnowsThisScheme opaque-data=here']) },
  { file: 'multi01', section: '3.3.8', verdict: 'reject', code: 'duplicate_header', reason: 'Multiple From headers', canRespond: true, note: 'From, To, Call-ID, CSeq and Max-Forwards all repeat; From is reported first' },
  { file: 'mcl01', section: '3.3.9', verdict: 'reject', code: 'duplicate_header', reason: 'Multiple Content-Length headers', canRespond: true },
  { file: 'bcast', section: '3.3.10', verdict: 'app', check: (m) => assert.equal(res(m).vias()[1]!.host, '255.255.255.255') },
  { file: 'zeromf', section: '3.3.11', verdict: 'app', note: 'a proxy answers 483', check: (m) => assert.equal(req(m).maxForwards(), 0) },
  {
    file: 'cparam01',
    section: '3.3.12',
    verdict: 'app',
    note: 'without <>, ;unknownparam is a Contact header parameter',
    check: (m) => {
      const c = req(m).contacts()[0]!;
      assert.ok(c.params.has('unknownparam'));
      assert.ok(!sip(c.uri).params.has('unknownparam'));
    },
  },
  {
    file: 'cparam02',
    section: '3.3.13',
    verdict: 'app',
    note: 'inside <>, ;unknownparam is a URI parameter',
    check: (m) => {
      const c = req(m).contacts()[0]!;
      assert.ok(!c.params.has('unknownparam'));
      assert.ok(sip(c.uri).params.has('unknownparam'));
    },
  },
  {
    file: 'regescrt',
    section: '3.3.14',
    verdict: 'app',
    note: 'a registrar must not store the escaped Route header; it is visible as URI headers',
    check: (m) => assert.deepEqual(sip(req(m).contacts()[0]!.uri).headerList(), [['Route', '<sip:sip.example.com>']]),
  },
  { file: 'sdp01', section: '3.3.15', verdict: 'app', check: (m) => assert.deepEqual(req(m).getList('Accept'), ['text/nobodyKnowsThis']) },
  // §3.4 backward compatibility
  {
    file: 'inv2543',
    section: '3.4.1',
    verdict: 'app',
    note: 'RFC 2543 request: no Max-Forwards, no branch, no Content-Length (datagram: body runs to the end)',
    check: (m) => {
      const r = req(m);
      assert.equal(r.maxForwards(), undefined);
      assert.equal(r.topVia()!.branch, undefined);
      assert.ok(r.body.toString().startsWith('v=0'));
    },
  },
];

export const RFC5118: TortureCase[] = [
  {
    file: 'ipv6-good',
    section: '4.1',
    verdict: 'valid',
    check: (m) => {
      const r = req(m);
      assert.equal(sip(r.uri).host, '[2001:db8::10]');
      assert.equal(sip(r.uri).hostType, 'ipv6');
      assert.equal(r.topVia()!.host, '[2001:db8::9:1]');
      assert.equal(sip(r.contacts()[0]!.uri).hostname, '2001:db8::1');
    },
  },
  { file: 'ipv6-bad', section: '4.2', verdict: 'reject', code: 'bad_request_uri', reason: 'Invalid Request-URI', canRespond: true },
  {
    file: 'port-ambiguous',
    section: '4.3',
    verdict: 'valid',
    note: 'well-formed; the :5070 is part of the IPv6 address',
    check: (m) => {
      assert.equal(sip(req(m).uri).host, '[2001:db8::10:5070]');
      assert.equal(sip(req(m).uri).port, null);
    },
  },
  { file: 'port-unambiguous', section: '4.4', verdict: 'valid', check: (m) => assert.equal(sip(req(m).uri).port, 5070) },
  {
    file: 'via-received-param-with-delim',
    section: '4.5',
    verdict: 'valid',
    note: 'not strictly valid, but the top Via must parse (robustness)',
    check: (m) => assert.equal(req(m).topVia()!.received, '[2001:db8::9:255]'),
  },
  { file: 'via-received-param-no-delim', section: '4.5', verdict: 'valid', check: (m) => assert.equal(req(m).topVia()!.received, '2001:db8::9:255') },
  {
    file: 'ipv6-in-sdp',
    section: '4.6',
    verdict: 'reject',
    code: 'content_length_mismatch',
    reason: 'Content-Length mismatch',
    canRespond: true,
    note: 'the RFC text says Content-Length: 268 for a 251-byte body (a known error in the RFC); on a datagram that is a mismatch. The spec also checks a corrected copy.',
  },
  {
    file: 'mult-ip-in-header',
    section: '4.7',
    verdict: 'valid',
    check: (m) => {
      const v = req(m).vias();
      assert.deepEqual(v.map((x) => [x.host, x.port]), [
        ['[2001:db8::9:1]', 6050],
        ['192.0.2.1', null],
        ['[2001:db8::9:255]', null],
      ]);
      assert.equal(v[2]!.received, '192.0.2.200');
    },
  },
  { file: 'mult-ip-in-sdp', section: '4.8', verdict: 'valid', note: 'Content-Length 181 < 189 body bytes: truncated per §18.3', check: (m) => assert.equal(req(m).body.length, 181) },
  {
    file: 'ipv4-mapped-ipv6',
    section: '4.9',
    verdict: 'valid',
    check: (m) => {
      const v = req(m).topVia()!;
      assert.deepEqual([v.host, v.port], ['[::ffff:192.0.2.10]', 19823]);
      assert.equal(sip(req(m).contacts()[0]!.uri).host, '[::ffff:192.0.2.2]');
    },
  },
  {
    file: 'ipv6-bug-abnf-3-colons',
    section: '4.10',
    verdict: 'reject',
    code: 'bad_request_uri',
    reason: 'Invalid Request-URI',
    canRespond: true,
    note: 'RFC 5118 allows, but does not require, accepting the extra colon; we reject the Request-URI (a 400 can be built)',
  },
  { file: 'ipv6-correct-abnf-2-colons', section: '4.10', verdict: 'valid', check: (m) => assert.equal(sip(req(m).uri).host, '[2001:db8::192.0.2.1]') },
];
