import type { Peer, ServerTransaction, SipRequest, SipResponse } from '@pbx/sip';

/** Sees the responses to a forwarded request (Kamailio onreply_route / failure_route calling sca_call_info_update). */
export type ResponseObserver = (res: SipResponse) => void;

/** What the request route needs to answer a request; stateful or stateless is the SIP server's business. */
export interface Responder {
  /**
   * Sends a response from the server itself. `headers` are appended after
   * the copied Via/From/To/Call-ID/CSeq; a To tag is added when missing.
   */
  reply(status: number, reason?: string, extra?: ReplyExtra): void;
  /** Sends a response an engine built itself (e.g. the registrar's 200 with the bindings). */
  respond(res: SipResponse): void;
}

export interface ReplyExtra {
  headers?: Array<[string, string]>;
  body?: Buffer | string;
  contentType?: string;
}

/** One request on its way through the route. */
export interface RequestContext extends Responder {
  readonly req: SipRequest;
  readonly source: Peer;
  /** The request's server transaction; null for an ACK to a 2xx and for OPTIONS the server answers statelessly. */
  readonly tx: ServerTransaction | null;
  /** Set by the AUTH block when the request carried valid credentials. */
  auth?: { username: string; realm: string };
}

/**
 * The blocks the engines fill, in the order of a kamailio.cfg request_route.
 * Each returns true when it took the request (answered or forwarded it), so
 * the route stops there; false lets the route go on to the next block.
 */
export interface RouteHooks {
  /** WITHINDLG: requests with a To tag (loose_route, then forward or absorb). */
  withinDialog?(ctx: RequestContext): boolean;
  /** REGISTRAR: REGISTER for a local domain, after AUTH (save()). */
  registrar?(ctx: RequestContext): boolean;
  /** SCA: SUBSCRIBE/PUBLISH/NOTIFY for call-info and line-seize. */
  sca?(ctx: RequestContext): boolean;
  /** LOCATION: requests for local users (lookup(), then forward; msilo stores MESSAGEs for offline users). */
  location?(ctx: RequestContext): boolean;
  /**
   * sca_call_info_update: sees each request the proxy is about to forward
   * (initial or in-dialog) and may return what sees its responses (1xx/2xx
   * from onReply, 487 after a CANCEL, the best failure from failure_route).
   */
  observeForward?(ctx: RequestContext): ResponseObserver | undefined;
  /** RELAY: anything left that is for a local domain. */
  relay?(ctx: RequestContext): boolean;
}
