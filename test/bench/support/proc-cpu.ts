import { readdirSync, readFileSync } from 'node:fs';

/** Kernel clock ticks per second for /proc/PID/stat (USER_HZ: 100 on Linux). */
const USER_HZ = 100;

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name start at field 3 (state).
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** `root` and every process below it (Kamailio's workers are children of its main process). */
export function processTree(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (f) parent.set(Number(name), Number(f[1]));
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of parent) if (ppid === tree[i]) tree.push(pid);
  }
  return tree;
}

/** CPU seconds (user + system) used so far by one process; 0 once it is gone. */
export function ownCpuSeconds(pid: number): number {
  const f = statFields(pid);
  // utime and stime are fields 14 and 15 of /proc/PID/stat (proc(5)).
  return f ? (Number(f[11]) + Number(f[12])) / USER_HZ : 0;
}

/** CPU seconds (user + system) used so far by `root` and its descendants that are still alive. */
export function cpuSeconds(root: number): number {
  return processTree(root).reduce((sum, pid) => sum + ownCpuSeconds(pid), 0);
}
