/**
 * RFC 3261 §17 timer values, all derived from T1, T2 and T4 (Table 4 of
 * §A). One place so the four state machines can be audited against the RFC.
 */
export interface TimerBase {
  /** RTT estimate, default 500 ms. */
  t1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses, default 4 s. */
  t2: number;
  /** Maximum duration a message remains in the network, default 5 s. */
  t4: number;
}

export interface TransactionTimers extends TimerBase {
  /** A: INVITE request retransmit interval, UDP only; starts at T1, doubles. */
  a: number;
  /** B: INVITE transaction timeout, 64*T1. */
  b: number;
  /** C: proxy INVITE transaction timeout, > 3 min (§16.6 step 11). */
  c: number;
  /** D: wait time for response retransmits, > 32 s for UDP, 0 for reliable. */
  dUnreliable: number;
  /** E: non-INVITE request retransmit interval, UDP only; starts at T1, doubles up to T2. */
  e: number;
  /** F: non-INVITE transaction timeout, 64*T1. */
  f: number;
  /** G: INVITE response retransmit interval; starts at T1, doubles up to T2. */
  g: number;
  /** H: wait time for ACK receipt, 64*T1. */
  h: number;
  /** I: wait time for ACK retransmits, T4 for UDP, 0 for reliable. */
  iUnreliable: number;
  /** J: wait time for non-INVITE request retransmits, 64*T1 for UDP, 0 for reliable. */
  jUnreliable: number;
  /** K: wait time for response retransmits, T4 for UDP, 0 for reliable. */
  kUnreliable: number;
  /** L: RFC 6026 §8.7: wait time for accepted INVITE request retransmits, 64*T1. */
  l: number;
  /** M: RFC 6026 §8.4: wait time for retransmission of 2xx to INVITE or additional 2xx from other branches, 64*T1. */
  m: number;
}

export function transactionTimers({ t1, t2, t4 }: TimerBase): TransactionTimers {
  return {
    t1,
    t2,
    t4,
    a: t1,
    b: 64 * t1,
    c: 180_000,
    dUnreliable: Math.max(32_000, 64 * t1),
    e: t1,
    f: 64 * t1,
    g: t1,
    h: 64 * t1,
    iUnreliable: t4,
    jUnreliable: 64 * t1,
    kUnreliable: t4,
    l: 64 * t1,
    m: 64 * t1,
  };
}

/** The next retransmit interval: doubles, capped at T2 where the RFC caps it (E, G). */
export function backoff(current: number, cap: number | undefined): number {
  const next = current * 2;
  return cap === undefined ? next : Math.min(next, cap);
}
