import {
  CONTENT_LENGTH_CONFLICT,
  CONTENT_LENGTH_INVALID,
  CONTENT_LENGTH_MISSING,
  readContentLength,
} from './content-length.js';
import { CRLFCRLF, scanCrlf, type CrlfState } from './keep-alive.js';

export interface StreamFramerSink {
  /** One whole message: start line, headers, CRLF, Content-Length bytes of body. */
  message(data: Buffer): void;
  /** A double CRLF between messages: answer with one CRLF (RFC 5626 §3.5.1). */
  ping(): void;
  /** Framing is lost; the framer accepts nothing more and the connection must close. */
  error(reason: string): void;
}

export interface StreamFramerLimits {
  maxMessageSize: number;
  maxHeaderSize: number;
}

/**
 * Cuts a TCP/TLS byte stream into SIP messages (RFC 3261 §18.3):
 *
 *   "In the case of stream-oriented transports such as TCP, the
 *    Content-Length header field indicates the size of the body. ... The
 *    Content-Length header field MUST be used with stream oriented
 *    transports." (§18.3, §20.14)
 *
 * Reads are kept as a list of chunks; a message that lies inside one chunk
 * is handed on as a view of it, and bytes are copied only when a header
 * section or a message straddles chunk boundaries (as ws's `consume()`).
 * The end of the header section is searched with the native `indexOf` inside
 * a chunk plus a 4-state automaton for a CRLFCRLF split across chunks, so
 * bytes fed one at a time cost O(1) each.
 */
export class StreamFramer {
  private chunks: Buffer[] = [];
  /** Bytes held in `chunks`, counted from the current message start. */
  private buffered = 0;
  /** True while no message byte has been seen: CR/LF here are keep-alives. */
  private atStart = true;
  private crlfState: CrlfState = 0;
  /** Offset just past the CRLFCRLF, -1 until found. */
  private headerEnd = -1;
  /** headerEnd + Content-Length, -1 until the header section is read. */
  private messageEnd = -1;
  /** Header search resumes at chunk `scanChunk`, byte `scanByte`; `scanBase` = bytes before that chunk. */
  private scanChunk = 0;
  private scanByte = 0;
  private scanBase = 0;
  /** Partial CRLFCRLF match carried over a chunk boundary (0..3). */
  private matchState = 0;
  private dead = false;

  constructor(
    private readonly limits: StreamFramerLimits,
    private readonly sink: StreamFramerSink,
  ) {}

  /** Bytes held for an incomplete message. */
  get pending(): number {
    return this.buffered;
  }

  /** Stop: drop buffered data and ignore later pushes (the connection is closing). */
  stop(): void {
    this.dead = true;
    this.chunks = [];
    this.buffered = 0;
  }

  push(chunk: Buffer): void {
    if (this.dead || chunk.length === 0) return;
    if (this.atStart) {
      chunk = this.skipKeepAlives(chunk);
      if (this.dead || chunk.length === 0) return;
    }
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    this.drain();
  }

  /** CR/LF in front of a message: count pings, drop the rest; returns what is left. */
  private skipKeepAlives(chunk: Buffer): Buffer {
    const scan = scanCrlf(chunk, 0, this.crlfState);
    this.crlfState = scan.state;
    for (let p = 0; p < scan.pings && !this.dead; p++) this.sink.ping();
    if (scan.end === chunk.length) return chunk.subarray(chunk.length);
    this.atStart = false;
    this.crlfState = 0;
    return scan.end === 0 ? chunk : chunk.subarray(scan.end);
  }

  private drain(): void {
    while (!this.dead) {
      if (this.messageEnd < 0) {
        if (!this.findHeaderEnd()) {
          if (this.buffered > this.limits.maxHeaderSize) {
            this.fail(`header section exceeds ${this.limits.maxHeaderSize} bytes`);
          }
          return;
        }
        if (this.headerEnd > this.limits.maxHeaderSize) {
          this.fail(`header section of ${this.headerEnd} bytes exceeds ${this.limits.maxHeaderSize}`);
          return;
        }
        const header = this.headerSection();
        const length = readContentLength(header, 0, header.length);
        if (length < 0) {
          this.fail(
            length === CONTENT_LENGTH_MISSING
              ? 'missing Content-Length, mandatory on stream transports (RFC 3261 §18.3)'
              : length === CONTENT_LENGTH_INVALID
                ? 'invalid Content-Length'
                : length === CONTENT_LENGTH_CONFLICT
                  ? 'conflicting Content-Length headers'
                  : 'bad Content-Length',
          );
          return;
        }
        this.messageEnd = this.headerEnd + length;
        if (this.messageEnd > this.limits.maxMessageSize) {
          this.fail(`message of ${this.messageEnd} bytes exceeds ${this.limits.maxMessageSize}`);
          return;
        }
      }
      if (this.buffered < this.messageEnd) return;
      const message = this.take(this.messageEnd);
      this.headerEnd = -1;
      this.messageEnd = -1;
      this.scanChunk = 0;
      this.scanByte = 0;
      this.scanBase = 0;
      this.matchState = 0;
      this.sink.message(message);
      if (this.dead) return;
      // What follows a message may again be keep-alives (RFC 5626 §4.4.1 "between messages").
      this.atStart = true;
      this.crlfState = 0;
      while (this.chunks.length > 0 && this.atStart && !this.dead) {
        const first = this.chunks[0]!;
        const rest = this.skipKeepAlives(first);
        this.buffered -= first.length - rest.length;
        if (rest.length === 0) this.chunks.shift();
        else this.chunks[0] = rest;
      }
      if (this.chunks.length === 0) return;
    }
  }

  /** Find the CRLFCRLF ending the header section, resuming where the last search stopped. */
  private findHeaderEnd(): boolean {
    let state = this.matchState;
    let base = this.scanBase;
    const chunks = this.chunks;
    for (let ci = this.scanChunk; ci < chunks.length; ci++) {
      const c = chunks[ci]!;
      let i = ci === this.scanChunk ? this.scanByte : 0;
      // Finish a partial match carried over the boundary, byte by byte.
      while (state !== 0 && i < c.length) {
        state = step(state, c[i++]!);
        if (state === 4) {
          this.headerEnd = base + i;
          return true;
        }
      }
      if (i < c.length) {
        const k = c.indexOf(CRLFCRLF, i);
        if (k >= 0) {
          this.headerEnd = base + k + 4;
          return true;
        }
        // No match in this chunk: only its last 3 bytes can start one.
        for (let t = Math.max(i, c.length - 3); t < c.length; t++) state = step(state, c[t]!);
      }
      if (ci === chunks.length - 1) {
        this.scanChunk = ci;
        this.scanByte = c.length;
        this.scanBase = base;
      } else base += c.length;
    }
    this.matchState = state;
    return false;
  }

  /** The header section as one buffer; when it straddles chunks, merge the chunks once. */
  private headerSection(): Buffer {
    const first = this.chunks[0]!;
    if (this.headerEnd <= first.length) return first.subarray(0, this.headerEnd);
    const merged = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [merged];
    return merged.subarray(0, this.headerEnd);
  }

  /** Remove and return the first `n` bytes; a view when they lie in one chunk. */
  private take(n: number): Buffer {
    const chunks = this.chunks;
    const first = chunks[0]!;
    let out: Buffer;
    if (n <= first.length) {
      out = first.subarray(0, n);
      if (n === first.length) chunks.shift();
      else chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let off = 0;
      while (off < n) {
        const c = chunks[0]!;
        const need = n - off;
        if (c.length <= need) {
          c.copy(out, off);
          off += c.length;
          chunks.shift();
        } else {
          c.copy(out, off, 0, need);
          chunks[0] = c.subarray(need);
          off = n;
        }
      }
    }
    this.buffered -= n;
    return out;
  }

  private fail(reason: string): void {
    this.stop();
    this.sink.error(reason);
  }
}

/** KMP automaton for "\r\n\r\n": state = length of the matched prefix (4 = found). */
function step(state: number, b: number): number {
  if (b === 0x0d) return state === 2 ? 3 : 1;
  if (b === 0x0a) return state === 1 ? 2 : state === 3 ? 4 : 0;
  return 0;
}
