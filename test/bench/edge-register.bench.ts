/**
 * REGISTER/s through the RFC 5626 edge (role: edge) to the appliance's
 * registrar, against the same registrar alone, UDP, SIPp as the load
 * (../shared/kamailio-reference/sipp/reg.xml: one REGISTER per call, a
 * distinct AoR per call). One registrar process serves both paths; the two
 * searches are stepped in turn (support/rate-search.ts: the rate goes up
 * ×1.6 until a step fails twice, then the bracket is bisected once), each
 * step starting on idle servers. The bar: edge + registrar ≥ 0.45×
 * the registrar alone (the two hops share the machine's two cores).
 *
 *   node scripts/run-bench.mjs edge-register
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEdgePair } from '../edge/bench-pair.js';
import { describeStep, loadAverage, ratio, RateSearch, runSipp, searchInTurn, sippVersion, waitUntilIdle, fmtInt } from './support/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const REG_XML = join(ROOT, '../shared/kamailio-reference/sipp/reg.xml');
const STEP_SEC = 5;
const BUDGET_MS = Number(process.env.EDGE_BENCH_BUDGET_MS ?? 150_000);

interface Target {
  name: string;
  key: string;
  port: number;
  pids: number[];
}

async function main(): Promise<void> {
  if (!sippVersion()) throw new Error('SIPp (Debian package sip-tester) is required');
  const pair = await startEdgePair();
  try {
    const targets: Target[] = [
      { name: 'registrar', key: 'r', port: pair.registrar.sip('udp').port, pids: [pair.registrar.proc.pid!] },
      { name: 'edge+reg', key: 'e', port: pair.edge.sip('udp').port, pids: [pair.edge.proc.pid!, pair.registrar.proc.pid!] },
    ];
    const plan = { start: 1_000, factor: 1.6, max: 40_000, min: 100, refine: 1, retries: 1 };
    const searches = targets.map((target) => ({ target, search: new RateSearch(plan) }));
    let step = 0;
    console.log(`edge REGISTER/s (UDP, SIPp reg.xml, ${STEP_SEC} s steps), load average ${loadAverage().join(' ')}`);
    await searchInTurn(
      searches,
      async (t, rate) => {
        for (const pid of t.pids) await waitUntilIdle(pid, { maxMs: 5_000 });
        step++;
        return runSipp({ scenario: REG_XML, host: '127.0.0.1', port: t.port, rate, calls: rate * STEP_SEC, keys: { pfx: `${t.key}${step}_`, cport: '5099' } });
      },
      { budgetMs: BUDGET_MS, onStep: (t, r) => console.log(describeStep(t.name, r)) },
    );
    const best = searches.map((s) => s.search.result().best?.achievedRate ?? null);
    console.log(`\nmax sustained REGISTER/s: registrar alone ${best[0] === null ? '-' : fmtInt(best[0])}, edge + registrar ${best[1] === null ? '-' : fmtInt(best[1])}`);
    console.log(`ratio edge+registrar / registrar alone: ${ratio(best[1], best[0]) ?? '-'} (bar: ≥ 0.45)`);
    console.log(`load average after: ${loadAverage().join(' ')} (other work on the machine moves every figure)`);
  } finally {
    await pair.stop();
  }
}

await main();
