import { spawnSync } from 'node:child_process';

/**
 * One Kamailio RPC command through `kamcmd` on the ctl module's binrpc
 * socket (test/bench/support/kamailio-registrar.cfg loads ctl when given
 * `-A 'CTLSOCK="unix:/path"'`); its output text, or undefined when kamcmd
 * is missing or the command failed.
 */
export function kamcmd(ctlSocket: string, ...command: string[]): string | undefined {
  const r = spawnSync('kamcmd', ['-s', ctlSocket, ...command], { encoding: 'utf8', timeout: 10_000 });
  return r.error || r.status !== 0 ? undefined : r.stdout;
}

/** Shared memory in use (`core.shmmem` real_used: allocations plus allocator overhead), bytes. */
export function kamailioShmUsed(ctlSocket: string): number | undefined {
  const out = kamcmd(ctlSocket, 'core.shmmem');
  const m = out ? /real_used:\s*(\d+)/.exec(out) : null;
  return m ? Number(m[1]) : undefined;
}

/** One statistic by its full name, e.g. `usrloc:location_contacts` (asked for by the name after the group: `group:` would list the whole group). */
export function kamailioStat(ctlSocket: string, name: string): number | undefined {
  const out = kamcmd(ctlSocket, 'stats.get_statistics', name.slice(name.indexOf(':') + 1));
  const m = out ? new RegExp(`${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*=\\s*(\\d+)`).exec(out) : null;
  return m ? Number(m[1]) : undefined;
}
