/**
 * The typed event surface shared by the server (publisher, socket.io
 * gateway) and the dashboard (subscriber). One event name per state change;
 * engines add theirs here as they land.
 */
export interface PbxEventMap {
  /** A subscriber was created, changed or deleted through the API. */
  'subscriber.changed': { action: 'created' | 'updated' | 'deleted'; id: number; username: string; domain: string };
  /** Periodic statistics snapshot for live dashboard counters. */
  'stats.tick': { at: number; stats: Record<string, Record<string, number>> };
  /** A SIP message matched a running trace capture. */
  'trace.message': {
    captureId: string;
    message: {
      seq: number;
      at: number;
      direction: 'in' | 'out';
      transport: string;
      remote: string;
      local: string;
      summary: string;
      callId: string | null;
      text: string;
    };
  };
  /** A trace capture ended (message or time limit reached, or stopped by the operator). */
  'trace.stopped': { captureId: string; reason: 'limit' | 'time' | 'stopped'; messages: number };
}

export type PbxEventName = keyof PbxEventMap;
