/**
 * Spec helper (not part of the package surface): how much heap what a
 * function keeps really holds, measured between full collections. Specs
 * that pin down "this table does not keep whole messages alive" use it.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// A spec process runs without --expose-gc; a new context created after the flag is set has gc().
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Runs `make` and returns what it made with the heap bytes still in use after it, once garbage is collected. */
export function retainedBytes<T>(make: () => T): { kept: T; bytes: number } {
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = make();
  gc();
  return { kept, bytes: process.memoryUsage().heapUsed - before };
}
