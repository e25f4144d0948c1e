import { FrameHead } from './frame-head.js';

/** The continuation flag of an end-line (RFC 4975 §9): `$` last chunk, `+` more chunks follow, `#` aborted. */
export type ContinuationFlag = '$' | '+' | '#';

/** What the framer hands up, in order per frame: head, any number of body chunks, end. */
export interface FrameSink {
  head(h: FrameHead): void;
  /** A slice of the received bytes (not a copy): use or write it before returning, or copy it. */
  body(chunk: Buffer): void;
  end(flag: ContinuationFlag): void;
  /**
   * Framing is lost (garbage, an over-long head): nothing more can be parsed
   * on this stream and the connection should close. `head` is set when the
   * transaction id was read, so a 400 can still be sent first.
   */
  lost(reason: string, head: FrameHead | null): void;
}

export interface FramerLimits {
  /** Bytes from the start line through the end of the headers (default 16 KiB). */
  maxHeadSize?: number;
}

export const DEFAULT_MAX_HEAD_SIZE = 16 * 1024;

/** RFC 4975 §9: transact-id = ident = ALPHANUM 3*31ident-char; ident-char = alphanum / "." / "-" / "+" / "%" / "=". */
const TID = /^[A-Za-z0-9][A-Za-z0-9.\-+%=]{3,31}$/;
const METHOD = /^[A-Z]+$/;
const CR = 13;
const LF = 10;
const DASHES = '-------';

/**
 * Streaming MSRP framer (RFC 4975 §7, §9). Frames may be split across or
 * merged within reads; a body is never buffered: it is passed up in the
 * slices it arrived in, holding back only the few bytes that could be the
 * start of the end-line ("\r\n-------" transact-id flag CRLF). The head is
 * the only part ever copied, and only when it straddles two reads; its size
 * is bounded by `maxHeadSize`.
 */
export class MsrpFramer {
  private readonly maxHead: number;
  /** Head bytes of an incomplete head carried over from earlier reads. */
  private partial: Buffer | null = null;
  /** The frame whose body is being read, or null while reading a head. */
  private cur: FrameHead | null = null;
  /** "\r\n-------<tid>": what ends the current body. */
  private marker: Buffer = Buffer.alloc(0);
  /** Body bytes held back because they may start the end marker. */
  private carry: Buffer | null = null;
  private dead = false;

  constructor(private readonly sink: FrameSink, limits: FramerLimits = {}) {
    this.maxHead = limits.maxHeadSize ?? DEFAULT_MAX_HEAD_SIZE;
  }

  /** True once framing was lost: further input is ignored. */
  get lost(): boolean {
    return this.dead;
  }

  push(chunk: Buffer): void {
    if (this.dead) return;
    let data = chunk;
    let pos = 0;
    while (pos < data.length && !this.dead) {
      if (this.cur !== null) {
        if (this.carry !== null) {
          data = Buffer.concat([this.carry, data.subarray(pos)]);
          pos = 0;
          this.carry = null;
        }
        pos = this.readBody(data, pos);
      } else {
        if (this.partial !== null) {
          data = Buffer.concat([this.partial, data.subarray(pos)]);
          pos = 0;
          this.partial = null;
        }
        const next = this.readHead(data, pos);
        if (next < 0) {
          if (!this.dead) {
            if (data.length - pos > this.maxHead) this.fail('frame head exceeds ' + this.maxHead + ' bytes', null);
            else this.partial = Buffer.from(data.subarray(pos));
          }
          return;
        }
        pos = next;
      }
    }
  }

  /** Parses one head starting at `start`; returns the offset after it, or -1 when more bytes are needed. */
  private readHead(data: Buffer, start: number): number {
    let eol = data.indexOf('\r\n', start, 'latin1');
    if (eol < 0) {
      if (data.length - start > 512) this.fail('no MSRP start line', null);
      else if (!startsLikeMsrp(data, start)) this.fail('not an MSRP frame', null);
      return -1;
    }
    const first = data.toString('latin1', start, eol);
    const sp1 = first.indexOf(' ');
    const sp2 = first.indexOf(' ', sp1 + 1);
    if (first.slice(0, sp1) !== 'MSRP' || sp2 < 0) {
      this.fail('not an MSRP start line', null);
      return -1;
    }
    const tid = first.slice(sp1 + 1, sp2);
    if (!TID.test(tid)) {
      this.fail('bad transaction id', null);
      return -1;
    }
    const h = new FrameHead(tid);
    const rest = first.slice(sp2 + 1);
    const code = rest.length >= 3 ? /^(\d{3})(?: (.*))?$/.exec(rest) : null;
    if (code !== null) {
      h.status = Number(code[1]);
      h.comment = code[2] ?? '';
    } else if (METHOD.test(rest)) h.method = rest;
    else h.invalid = 'bad method';
    const endLine = DASHES + tid;
    let p = eol + 2;
    for (let n = 0; ; n++) {
      eol = data.indexOf('\r\n', p, 'latin1');
      if (eol < 0) return -1;
      if (eol - start > this.maxHead) {
        this.fail('frame head exceeds ' + this.maxHead + ' bytes', h);
        return -1;
      }
      if (eol === p) {
        // Blank line: Content-Type 2CRLF data CRLF end-line.
        h.hasBody = true;
        this.finishHead(h);
        this.cur = h;
        this.marker = Buffer.from('\r\n' + endLine, 'latin1');
        this.sink.head(h);
        return eol + 2;
      }
      const line = data.toString('latin1', p, eol);
      if (line.startsWith(DASHES)) {
        // An end-line straight after the headers: a frame without body.
        if (line.length !== endLine.length + 1 || !line.startsWith(endLine) || !isFlag(line.charCodeAt(endLine.length))) {
          this.fail('end-line does not match the transaction id', h);
          return -1;
        }
        this.finishHead(h);
        this.sink.head(h);
        if (!this.dead) this.sink.end(line[endLine.length] as ContinuationFlag);
        return eol + 2;
      }
      this.header(h, line);
      p = eol + 2;
    }
  }

  private header(h: FrameHead, line: string): void {
    const c = line.indexOf(':');
    if (c <= 0) {
      h.invalid ??= 'header line without a colon';
      return;
    }
    const name = line.slice(0, c);
    if (name.length === 7 && name.toLowerCase() === 'to-path') h.toPath = splitPath(line.slice(c + 1));
    else if (name.length === 9 && name.toLowerCase() === 'from-path') h.fromPath = splitPath(line.slice(c + 1));
    else h.lines.push(line);
  }

  /** RFC 4975 §7.1: To-Path and From-Path are mandatory in requests and responses. */
  private finishHead(h: FrameHead): void {
    if (h.toPath.length === 0) h.invalid ??= 'To-Path missing';
    else if (h.fromPath.length === 0) h.invalid ??= 'From-Path missing';
  }

  /** Passes body bytes up until the end marker; returns the offset after the end-line, or data.length. */
  private readBody(data: Buffer, pos: number): number {
    const m = this.marker;
    const at = data.indexOf(m, pos);
    if (at >= 0) {
      if (data.length < at + m.length + 3) {
        // The end-line is not complete yet: keep it (and pass up what precedes it).
        if (at > pos) this.sink.body(data.subarray(pos, at));
        this.carry = Buffer.from(data.subarray(at));
        return data.length;
      }
      const flag = data[at + m.length]!;
      if (!isFlag(flag) || data[at + m.length + 1] !== CR || data[at + m.length + 2] !== LF) {
        this.fail('bad end-line', this.cur);
        return data.length;
      }
      if (at > pos) this.sink.body(data.subarray(pos, at));
      this.cur = null;
      this.sink.end(String.fromCharCode(flag) as ContinuationFlag);
      return at + m.length + 3;
    }
    // Hold back a tail that could be the start of the marker.
    let keep = data.length;
    const from = Math.max(pos, data.length - m.length + 1);
    for (let i = data.lastIndexOf(CR, data.length - 1); i >= from; i = i > 0 ? data.lastIndexOf(CR, i - 1) : -1) {
      if (data.compare(m, 0, data.length - i, i, data.length) === 0) keep = i;
    }
    if (keep > pos) this.sink.body(data.subarray(pos, keep));
    if (keep < data.length) this.carry = Buffer.from(data.subarray(keep));
    return data.length;
  }

  private fail(reason: string, head: FrameHead | null): void {
    this.dead = true;
    this.partial = null;
    this.carry = null;
    this.sink.lost(reason, head);
  }
}

function isFlag(c: number): boolean {
  return c === 36 /* $ */ || c === 43 /* + */ || c === 35 /* # */;
}

/** Whether what we have of an unterminated first line can still become "MSRP ". */
function startsLikeMsrp(data: Buffer, start: number): boolean {
  const n = Math.min(5, data.length - start);
  return data.toString('latin1', start, start + n) === 'MSRP '.slice(0, n);
}

/** RFC 4975 §9: a path is URIs separated by single spaces. */
function splitPath(v: string): string[] {
  const out: string[] = [];
  for (const u of v.split(' ')) if (u.length > 0) out.push(u);
  return out;
}
