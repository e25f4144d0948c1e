/** Shapes of the admin API's answers (apps/server controllers). */

/** `{ module: { stat_name: value } }`, as on `GET /api/stats`. */
export type StatsSnapshot = Record<string, Record<string, number>>;

export interface StatsPoint {
  /** Epoch milliseconds. */
  at: number;
  stats: StatsSnapshot;
}

export interface StatsHistory {
  intervalSec: number;
  points: StatsPoint[];
}

export interface Listener {
  protocol: 'sip' | 'msrp' | 'http' | (string & {});
  transport: 'udp' | 'tcp' | 'tls' | 'ws' | 'wss' | 'http' | (string & {});
  address: string;
  port: number;
}

export interface SystemInfo {
  name: string;
  version: string;
  role?: string;
  startedAt: string;
  uptimeSec: number;
  database: { backend: 'pglite' | 'postgres' | (string & {}); location: string };
  listeners: Listener[];
  domains: string[];
  auth: boolean;
}

export interface Subscriber {
  id: number;
  username: string;
  domain: string;
  createdAt: string;
  updatedAt: string;
}

export interface SubscriberPage {
  items: Subscriber[];
  total: number;
}

export type SubscriberSort = 'username' | 'domain' | 'createdAt' | 'updatedAt';

export interface LoginResult {
  token: string;
  expiresAt: string;
}

/** The error body every failing API call answers with. */
export interface ApiErrorBody {
  statusCode?: number;
  message?: string | string[];
  errors?: Array<{ field: string; message: string }>;
}
