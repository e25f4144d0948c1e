import { ManualClock } from '@pbx/core';
import { parseMessage, type SipRequest, type SipResponse } from '@pbx/sip';
import { scaConfigSchema, type ScaConfig } from './config.js';
import { MemoryScaStore } from './memory-sca-store.js';
import { ScaEngine } from './sca-engine.js';
import type { ScaEventMap } from './sca-events.js';
import type { ScaSubscription } from './subscription.js';

export const AOR = 'sip:shared@example.com';

/** A NOTIFY the engine sent, and the answer the test gives it. */
export interface SentNotify {
  req: SipRequest;
  sub: ScaSubscription;
  answer(status: number): void;
}

/** An engine with a manual clock, a recording sender (answers 200 unless told) and an in-memory store. */
export function harness(overrides: Partial<ScaConfig> = {}, answer: (n: SentNotify) => number | undefined = () => 200) {
  const clock = new ManualClock(1_000_000);
  const sent: SentNotify[] = [];
  const events: Array<{ name: keyof ScaEventMap; payload: unknown }> = [];
  const store = new MemoryScaStore();
  const config = { ...scaConfigSchema.parse({}), ...overrides };
  const engine = new ScaEngine({
    config,
    clock,
    store,
    sender: {
      send: (req, sub) =>
        new Promise((resolve) => {
          const n: SentNotify = { req, sub, answer: (status) => resolve({ status }) };
          sent.push(n);
          const s = answer(n);
          if (s !== undefined) resolve({ status: s });
        }),
    },
    events: { emit: (name, payload) => events.push({ name, payload }) },
    contact: () => 'sip:127.0.0.1:5060',
  });
  return { engine, clock, sent, events, store, config };
}

export function parse(text: string): SipRequest {
  const r = parseMessage(Buffer.from(text));
  if (!r.ok || r.message.kind !== 'request') throw new Error('bad test request');
  return r.message;
}

export function parseResponse(text: string): SipResponse {
  const r = parseMessage(Buffer.from(text));
  if (!r.ok || r.message.kind !== 'response') throw new Error('bad test response');
  return r.message;
}

let n = 0;

/** A SUBSCRIBE from handset `phone` (its Contact is sip:shared@10.0.0.<phone>). */
export function subscribe(
  phone: number,
  event: 'call-info' | 'line-seize',
  o: { expires?: number; toTag?: string; callId?: string; cseq?: number; callInfo?: string; recordRoute?: string } = {},
): SipRequest {
  n++;
  return parse(
    [
      `SUBSCRIBE ${AOR} SIP/2.0`,
      `Via: SIP/2.0/UDP 10.0.0.${phone}:5060;branch=z9hG4bK${n}`,
      'Max-Forwards: 70',
      `From: <${AOR}>;tag=ph${phone}`,
      `To: <${AOR}>${o.toTag ? `;tag=${o.toTag}` : ''}`,
      `Call-ID: ${o.callId ?? `sub-${event}-${phone}-${n}`}`,
      `CSeq: ${o.cseq ?? 1} SUBSCRIBE`,
      `Event: ${event}`,
      ...(o.expires !== undefined ? [`Expires: ${o.expires}`] : []),
      `Contact: <sip:shared@10.0.0.${phone}:5060>`,
      ...(o.callInfo ? [`Call-Info: ${o.callInfo}`] : []),
      ...(o.recordRoute ? [`Record-Route: ${o.recordRoute}`] : []),
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
}

/** An INVITE from handset `phone` of the shared AoR to bob. */
export function invite(phone: number, o: { callId: string; toTag?: string; cseq?: number; callInfo?: string; sdp?: string; fromTag?: string; replaces?: string }): SipRequest {
  const body = o.sdp ?? '';
  return parse(
    [
      `INVITE sip:bob@example.com SIP/2.0`,
      `Via: SIP/2.0/UDP 10.0.0.${phone}:5060;branch=z9hG4bKi${++n}`,
      'Max-Forwards: 70',
      `From: <${AOR}>;tag=${o.fromTag ?? `call${phone}`}`,
      `To: "Bob" <sip:bob@example.com>${o.toTag ? `;tag=${o.toTag}` : ''}`,
      `Call-ID: ${o.callId}`,
      `CSeq: ${o.cseq ?? 1} INVITE`,
      `Contact: <sip:shared@10.0.0.${phone}:5060>`,
      ...(o.callInfo ? [`Call-Info: ${o.callInfo}`] : []),
      ...(o.replaces ? [`Replaces: ${o.replaces}`] : []),
      ...(body ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${body.length}`,
      '',
      body,
    ].join('\r\n'),
  );
}

export function bye(o: { callId: string; fromTag: string; toTag: string; fromAor: string; toAor: string }): SipRequest {
  return parse(
    [
      `BYE sip:x@10.0.0.9 SIP/2.0`,
      `Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKb${++n}`,
      'Max-Forwards: 70',
      `From: <${o.fromAor}>;tag=${o.fromTag}`,
      `To: <${o.toAor}>;tag=${o.toTag}`,
      `Call-ID: ${o.callId}`,
      'CSeq: 9 BYE',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
}

export function reply(req: SipRequest, status: number, o: { toTag?: string; contact?: string } = {}): SipResponse {
  const to = req.get('To')!;
  return parseResponse(
    [
      `SIP/2.0 ${status} X`,
      `Via: ${req.get('Via')}`,
      `From: ${req.get('From')}`,
      `To: ${/;tag=/.test(to) ? to : `${to};tag=${o.toTag ?? 'bobtag'}`}`,
      `Call-ID: ${req.callId()}`,
      `CSeq: ${req.get('CSeq')}`,
      ...(o.contact ? [`Contact: <${o.contact}>`] : []),
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
}

export const HOLD_SDP = 'v=0\r\no=- 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendonly\r\n';
export const RESUME_SDP = 'v=0\r\no=- 1 3 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n';

/** Lets the engine's promise chains (NOTIFY outcomes) run. */
export const settle = () => new Promise<void>((r) => setImmediate(r));
