import { connect, type Socket } from 'node:net';

/**
 * The MSRP bench client: two connections A and B to a relay, both AUTHed,
 * A sending SEND chunks to B (To-Path: B's Use-Path, B). Built to cost the
 * relay's side of the measurement as little as possible: frames are
 * prebuilt buffers, B only counts end-lines (tids are fixed-width, bodies
 * are 'x' bytes, so the scan cannot be fooled), A discards what it gets.
 * `Failure-Report: no`, as Kamailio's own reference client sends.
 */
export interface MsrpBenchResult {
  frames: number;
  bodyBytes: number;
  secs: number;
  framesPerSec: number;
  mbPerSec: number;
}

const TID_DIGITS = 9;

function tidOf(n: number): string {
  return 's' + String(n).padStart(TID_DIGITS, '0');
}

async function open(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port }, () => {
      s.setNoDelay(true);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** AUTH without credentials (SIP_AUTH=off here; Kamailio's bench cfg skips the challenge); resolves the Use-Path. */
function auth(s: Socket, host: string, port: number, self: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const on = (d: Buffer) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('-------authx1');
      if (end < 0) return;
      s.off('data', on);
      const m = /Use-Path: (\S+)/i.exec(buf);
      if (!/^MSRP authx1 200/.test(buf) || !m) reject(new Error('AUTH failed: ' + buf.slice(0, 200)));
      else resolve(m[1]!);
    };
    s.on('data', on);
    s.write(`MSRP authx1 AUTH\r\nTo-Path: msrp://${host}:${port};tcp\r\nFrom-Path: ${self}\r\n-------authx1$\r\n`);
  });
}

export class MsrpBenchPair {
  private constructor(
    readonly a: Socket,
    readonly b: Socket,
    private readonly toPath: string,
    private readonly fromPath: string,
  ) {
    a.on('data', () => {});
  }

  static async open(host: string, port: number): Promise<MsrpBenchPair> {
    const a = await open(host, port);
    const b = await open(host, port);
    const uriA = `msrp://${host}:${a.localPort}/benchA;tcp`;
    const uriB = `msrp://${host}:${b.localPort}/benchB;tcp`;
    await auth(a, host, port, uriA);
    const useB = await auth(b, host, port, uriB);
    return new MsrpBenchPair(a, b, `${useB} ${uriB}`, uriA);
  }

  /** A pair over two connected sockets without AUTH (for a relay that only pipes bytes: the same frames, the same client work). */
  static over(a: Socket, b: Socket): MsrpBenchPair {
    a.setNoDelay(true);
    b.setNoDelay(true);
    return new MsrpBenchPair(a, b, `msrp://127.0.0.1:${b.remotePort}/benchB;tcp`, `msrp://127.0.0.1:${a.localPort}/benchA;tcp`);
  }

  /** The chunks of one message of `size` bytes in `chunk`-byte SENDs, numbered from `first`. */
  message(first: number, msgNo: number, size: number, chunk: number, body: Buffer): Buffer[] {
    const out: Buffer[] = [];
    const n = Math.ceil(size / chunk);
    for (let c = 0; c < n; c++) {
      const t = tidOf(first + c);
      const from = c * chunk + 1;
      const len = Math.min(chunk, size - c * chunk);
      out.push(
        Buffer.from(
          `MSRP ${t} SEND\r\nTo-Path: ${this.toPath}\r\nFrom-Path: ${this.fromPath}\r\nMessage-ID: m${msgNo}\r\n` +
            `Byte-Range: ${from}-${from + len - 1}/${size}\r\nFailure-Report: no\r\nContent-Type: text/plain\r\n\r\n`,
          'latin1',
        ),
        len === body.length ? body : body.subarray(0, len),
        Buffer.from(`\r\n-------${t}${c === n - 1 ? '$' : '+'}\r\n`, 'latin1'),
      );
    }
    return out;
  }

  /**
   * Calls `onLast` for each complete message ('$' end-line) B receives,
   * `onFrame` for each chunk. Reads are scanned in place; only the few
   * bytes where an end-line may straddle two reads are copied.
   */
  watch(onFrame: () => void, onLast: () => void): () => void {
    const mark = Buffer.from('\n-------s', 'latin1');
    const flagAt = mark.length + TID_DIGITS;
    let tail = Buffer.alloc(0);
    /** Counts end-lines starting before `startLimit` whose flag byte is inside `buf`. */
    const scan = (buf: Buffer, startLimit: number) => {
      let p = 0;
      for (;;) {
        const i = buf.indexOf(mark, p);
        if (i < 0 || i >= startLimit || i + flagAt >= buf.length) return;
        onFrame();
        if (buf[i + flagAt] === 36) onLast();
        p = i + flagAt + 1;
      }
    };
    const on = (d: Buffer) => {
      if (tail.length > 0) scan(Buffer.concat([tail, d.subarray(0, flagAt + 1)]), tail.length);
      scan(d, d.length);
      // An end-line that starts in the last flagAt bytes is incomplete here: keep them for the next read.
      tail = Buffer.from(d.subarray(Math.max(0, d.length - flagAt)));
    };
    this.b.on('data', on);
    return () => this.b.off('data', on);
  }

  /** Throughput: `n` messages of `size` bytes in `chunk`-byte SENDs, at most `window` messages in flight. */
  async throughput(n: number, size: number, chunk: number, window: number): Promise<MsrpBenchResult> {
    const body = Buffer.alloc(Math.min(chunk, size), 'x');
    const perMsg = Math.ceil(size / chunk);
    let sent = 0;
    let got = 0;
    let frames = 0;
    const t0 = process.hrtime.bigint();
    await new Promise<void>((resolve) => {
      const pump = () => {
        if (sent - got >= window || sent >= n) return;
        this.a.cork();
        while (sent < n && sent - got < window) {
          for (const b of this.message(sent * perMsg, sent, size, chunk, body)) this.a.write(b);
          sent++;
        }
        this.a.uncork();
      };
      const stop = this.watch(
        () => frames++,
        () => {
          got++;
          if (got === n) {
            stop();
            resolve();
          } else pump();
        },
      );
      pump();
    });
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    return { frames, bodyBytes: n * size, secs, framesPerSec: frames / secs, mbPerSec: (n * size) / 1e6 / secs };
  }

  /** Latency of single messages, one at a time: A's write to B's receipt of the end-line, in ms. */
  async latency(n: number, size: number): Promise<number[]> {
    const body = Buffer.alloc(size, 'x');
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const frame = Buffer.concat(this.message(1_000_000 + i, i, size, size, body));
      const t0 = process.hrtime.bigint();
      await new Promise<void>((resolve) => {
        const stop = this.watch(
          () => {},
          () => {
            stop();
            resolve();
          },
        );
        this.a.write(frame);
      });
      out.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return out;
  }

  close(): void {
    this.a.destroy();
    this.b.destroy();
  }
}
