import type { Clock } from '@pbx/core';
import { Flow, type FlowBinding } from './flow.js';
import { flowKey, type FlowAddress } from './flow-address.js';

export type FlowCloseReason = 'connection closed' | 'closed by admin' | 'udp flow expired' | 'edge stopped';

/** What the table reports; the server turns these into flow.* events. */
export interface FlowTableListener {
  opened?(flow: Flow): void;
  /** No traffic for longer than its Flow-Timer (RFC 5626 §4.4.1): the UA's keep-alives stopped. */
  silent?(flow: Flow): void;
  closed?(flow: Flow, reason: FlowCloseReason): void;
}

export interface FlowTableOptions {
  clock: Clock;
  /**
   * UDP flows have no connection to lose: one with no traffic for this long
   * is forgotten (requests for it then get 430). The edge uses
   * `outbound.tcp_connection_lifetime`, the stream flows' idle lifetime.
   */
  udpLifetimeMs: number;
  /** Silence threshold when the flow has no Flow-Timer of its own (0 = only flows with one go silent). */
  defaultFlowTimerMs: number;
  /** For stream flows the transport knows the last traffic better than we do (responses, pongs): asked at sweep time. */
  lastActivity?(flow: Flow): number | undefined;
  listener?: FlowTableListener;
}

/**
 * The edge's flows (RFC 5626 §5): created when a REGISTER or a
 * dialog-forming request comes over them, touched by every request and
 * keep-alive, closed when their connection closes (stream), when they
 * stay quiet past the UDP lifetime, or by the operator. `sweep()` runs on
 * a timer and never on the packet path.
 */
export class FlowTable {
  private readonly flows = new Map<string, Flow>();
  /** Flow-Timer (ms) per flow id, from the 2xx to its REGISTER. */
  private readonly timers = new Map<string, number>();
  private readonly o: FlowTableOptions;

  constructor(o: FlowTableOptions) {
    this.o = o;
  }

  get size(): number {
    return this.flows.size;
  }

  get(id: string): Flow | undefined {
    return this.flows.get(id);
  }

  /** The flow a message arrived on, if the edge already knows it. */
  find(addr: FlowAddress): Flow | undefined {
    return this.flows.get(flowKey(addr));
  }

  /** The flow for `addr`, created (and reported opened, with `binding` when given) when new. */
  open(addr: FlowAddress, binding?: FlowBinding): Flow {
    const id = flowKey(addr);
    let f = this.flows.get(id);
    if (f) {
      if (binding) f.binding = binding;
      return f;
    }
    f = new Flow(addr, this.o.clock.now());
    if (binding) f.binding = binding;
    this.flows.set(id, f);
    this.o.listener?.opened?.(f);
    return f;
  }

  /** A REGISTER went over the flow: remember whose it is. */
  bind(flow: Flow, binding: FlowBinding): void {
    flow.binding = binding;
  }

  /** The registrar's 2xx set a Flow-Timer for this flow (seconds; 0 clears it). */
  setFlowTimer(flow: Flow, seconds: number): void {
    if (seconds > 0) this.timers.set(flow.id, seconds * 1000);
    else this.timers.delete(flow.id);
  }

  flowTimerMs(flow: Flow): number {
    return this.timers.get(flow.id) ?? this.o.defaultFlowTimerMs;
  }

  /** A request (or response) of `bytes` came in over the flow. */
  received(flow: Flow, bytes: number, request: boolean): void {
    flow.lastSeenAt = this.o.clock.now();
    flow.silent = false;
    flow.bytesIn += bytes;
    if (request) flow.requestsIn++;
  }

  /** A message of `bytes` went out over the flow. */
  sent(flow: Flow, bytes: number, request: boolean): void {
    flow.bytesOut += bytes;
    if (request) flow.requestsOut++;
  }

  /** A STUN Binding or CRLF keep-alive came in (RFC 5626 §4.4). */
  keepAlive(flow: Flow, bytesIn: number, bytesOut: number): void {
    const now = this.o.clock.now();
    flow.lastSeenAt = now;
    flow.lastKeepAliveAt = now;
    flow.keepAlives++;
    flow.silent = false;
    flow.bytesIn += bytesIn;
    flow.bytesOut += bytesOut;
  }

  /** Whether a request may still be sent over the flow (§5.3: otherwise 430). */
  alive(id: string): boolean {
    const f = this.flows.get(id);
    return f !== undefined && !f.closed;
  }

  close(id: string, reason: FlowCloseReason): Flow | undefined {
    const f = this.flows.get(id);
    if (!f) return undefined;
    this.flows.delete(id);
    this.timers.delete(id);
    f.closed = true;
    this.o.listener?.closed?.(f, reason);
    return f;
  }

  /** The transport closed a stream connection: its flow (if any) is gone. */
  connectionClosed(transport: string, connectionId: number): Flow | undefined {
    return this.close(`${transport}-${connectionId}`, 'connection closed');
  }

  list(): Flow[] {
    return [...this.flows.values()];
  }

  /**
   * Silence and UDP expiry; run periodically. Bounded: one pass over the
   * table, walked in place (a Map's iterator survives the deletes that
   * closing an expired flow makes).
   */
  sweep(): void {
    const now = this.o.clock.now();
    for (const f of this.flows.values()) {
      let quiet = now - f.lastSeenAt;
      const timer = this.flowTimerMs(f);
      if (f.stream && !f.silent && timer > 0 && quiet > timer && this.o.lastActivity) {
        // Only a flow that looks quiet asks the transport (responses and pongs we did not see): 10,000 busy
        // flows cost no call here.
        const t = this.o.lastActivity(f);
        if (t !== undefined && t > f.lastSeenAt) {
          f.lastSeenAt = t;
          quiet = now - t;
        }
      }
      if (!f.stream && quiet > this.o.udpLifetimeMs) {
        this.close(f.id, 'udp flow expired');
        continue;
      }
      if (!f.silent && timer > 0 && quiet > timer) {
        f.silent = true;
        this.o.listener?.silent?.(f);
      }
    }
  }

  /** Drops every flow (reported closed with `reason`). */
  clear(reason: FlowCloseReason): void {
    for (const id of [...this.flows.keys()]) this.close(id, reason);
  }
}
