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
}

export type PbxEventName = keyof PbxEventMap;
