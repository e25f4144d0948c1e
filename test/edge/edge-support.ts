import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { startServer, type RequestSpec, type TestServer } from '../support/index.js';

export const DOMAIN = 'example.com';

/** Starts the appliance with `yaml` as its PBX_CONFIG. */
export function serverWith(yaml: string, env: Record<string, string> = {}): Promise<TestServer> {
  return startServer({ config: yaml, env: { SIP_AUTH: 'off', SIP_DOMAINS: DOMAIN, ...env } });
}

/** The seed's "Registrar Configuration" in our keys: use_path 1, path_mode 2, outbound_mode 2 would refuse non-outbound UAs, so 1. */
export const REGISTRAR_YAML = 'registrar:\n  use_path: 1\n  path_mode: 2\n  outbound_mode: 1\n';

/** An edge in front of `registrarPort` (UDP), Flow-Timer `flowTimer`, listening on UDP, TCP and WS. */
export function startEdge(registrar: { address: string; port: number }, flowTimer = 20, extra = ''): Promise<TestServer> {
  return serverWith(`role: edge\nedge:\n  registrar_uri: sip:${registrar.address}:${registrar.port}\n  flow_timer: ${flowTimer}\n${extra}`, {
    SIP_LISTEN: 'udp:127.0.0.1:0,tcp:127.0.0.1:0,ws:127.0.0.1:0',
  });
}

export function urn(): string {
  return `urn:uuid:${randomUUID()}`;
}

/** An outbound REGISTER (RFC 5626 §4.2): +sip.instance, reg-id, Supported: path, outbound. */
export function obRegister(user: string, host: string, inst: string, regId: number, o: Partial<RequestSpec> = {}): RequestSpec {
  return {
    method: 'REGISTER',
    uri: `sip:${DOMAIN}`,
    from: `sip:${user}@${DOMAIN}`,
    to: `sip:${user}@${DOMAIN}`,
    contact: `<sip:${user}@${host};ob>;+sip.instance="<${inst}>";reg-id=${regId}`,
    headers: ['Expires: 600', 'Supported: path, outbound'],
    ...o,
  };
}

/** A dashboard socket on `srv` (listen for events before causing them). */
export async function dashboardSocket(srv: TestServer, token: string): Promise<Socket> {
  const s = io(srv.httpUrl, { auth: { token }, transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('connect_error', reject);
  });
  return s;
}

/** The next `name` event whose payload `match`es, within `timeoutMs`. */
export function nextEvent<T>(s: Socket, name: string, match: (e: T) => boolean, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      s.off(name, on);
      reject(new Error(`no ${name} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (e: T) => {
      if (!match(e)) return;
      clearTimeout(timer);
      s.off(name, on);
      resolve(e);
    };
    s.on(name, on);
  });
}
