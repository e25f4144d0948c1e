import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type Backend, type TestServer } from '../support/index.js';

/** A registrar (usrloc db_mode 0, Path stored) and an edge in front of it, for the edge benchmarks. */
export interface EdgePair {
  registrar: TestServer;
  edge: TestServer;
  stop(): Promise<void>;
}

async function withConfig(yaml: string, env: Record<string, string>, backend: Backend = 'pglite'): Promise<{ srv: TestServer; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'pbx-edge-bench-'));
  writeFileSync(join(dir, 'pbx.yaml'), yaml);
  const srv = await startServer({ backend, env: { SIP_AUTH: 'off', PBX_CONFIG: join(dir, 'pbx.yaml'), ...env } });
  return { srv, dir };
}

/**
 * Open lab mode (no digest), every domain local; the registrar keeps Path
 * whatever the UA says (path_mode 0) so SIPp's plain REGISTERs work
 * through the edge. The edge listens on UDP and TCP of 127.0.0.1, with a
 * Flow-Timer of 30 s: the benchmarks' UAs keep their flows up with a
 * keep-alive every 25 s, within the 80–100 % of the Flow-Timer RFC 5626
 * §4.4.1 asks of them, so a flow goes silent only when its UA stops.
 */
export async function startEdgePair(edgeExtra = '', edgeBackend: Backend = 'pglite'): Promise<EdgePair> {
  const r = await withConfig('usrloc:\n  db_mode: 0\nregistrar:\n  use_path: 1\n  path_mode: 0\n  outbound_mode: 1\n', { SIP_LISTEN: 'udp:127.0.0.1:0' });
  const u = r.srv.sip('udp');
  const e = await withConfig(`role: edge\nedge:\n  registrar_uri: sip:${u.address}:${u.port}\n  flow_timer: 30\n${edgeExtra}`, {
    SIP_LISTEN: 'udp:127.0.0.1:0,tcp:127.0.0.1:0',
  }, edgeBackend);
  return {
    registrar: r.srv,
    edge: e.srv,
    async stop() {
      await e.srv.destroy();
      await r.srv.destroy();
      rmSync(e.dir, { recursive: true, force: true });
      rmSync(r.dir, { recursive: true, force: true });
    },
  };
}
