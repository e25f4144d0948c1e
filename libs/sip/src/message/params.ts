import { TOKEN } from './char-classes.js';

/**
 * An ordered list of `;name[=value]` parameters (URI parameters, header
 * parameters). Names compare case-insensitively (RFC 3261 §7.3.1, §19.1.4);
 * values are kept exactly as written so serialization reproduces the wire
 * text. `get()` returns the value with quotes removed; `getRaw()` as written.
 *
 * Stored flat — [lowerName, writtenName, rawValue|null, ...] — so parsing a
 * parameter list allocates one array, not an object per parameter.
 */
const EMPTY_KV: Array<string | null> = [];

export class Params {
  /** @internal flat [lower, written, raw] triplets; a shared empty array until first write. */
  kv: Array<string | null>;

  constructor(kv?: Array<string | null>) {
    this.kv = kv ?? EMPTY_KV;
  }

  private own(): Array<string | null> {
    if (this.kv === EMPTY_KV) this.kv = [];
    return this.kv;
  }

  static from(entries: Iterable<[string, string | null]>): Params {
    const p = new Params();
    for (const [k, v] of entries) p.set(k, v);
    return p;
  }

  get size(): number {
    return this.kv.length / 3;
  }

  private index(name: string): number {
    const kv = this.kv;
    const n = kv.length;
    if (n === 0) return -1;
    let lower = name;
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i);
      if (c >= 0x41 && c <= 0x5a) {
        lower = name.toLowerCase();
        break;
      }
    }
    for (let i = 0; i < n; i += 3) if (kv[i] === lower) return i;
    return -1;
  }

  has(name: string): boolean {
    return this.index(name) >= 0;
  }

  /**
   * Value with surrounding double quotes removed and quoted-pairs resolved.
   * `null` when the parameter is present without a value, `undefined` when absent.
   */
  get(name: string): string | null | undefined {
    const i = this.index(name);
    if (i < 0) return undefined;
    const v = this.kv[i + 2]!;
    return v === null ? null : unquote(v);
  }

  /** Value exactly as written (quotes kept). */
  getRaw(name: string): string | null | undefined {
    const i = this.index(name);
    return i < 0 ? undefined : this.kv[i + 2]!;
  }

  /**
   * Sets a parameter, replacing an existing one with the same name in place.
   * A value that is not a token (or host-like) is written as a quoted string.
   * Pass `null` for a parameter without value (`;lr`).
   */
  set(name: string, value: string | null | number, opts: { raw?: boolean } = {}): this {
    let v: string | null = value === null ? null : String(value);
    if (v !== null && !opts.raw && !isPlainValue(v)) v = quote(v);
    const i = this.index(name);
    if (i >= 0) this.kv[i + 2] = v;
    else this.own().push(name.toLowerCase(), name, v);
    return this;
  }

  delete(name: string): boolean {
    const i = this.index(name);
    if (i < 0) return false;
    this.own().splice(i, 3);
    return true;
  }

  /** [writtenName, unquotedValue] pairs in order. */
  *entries(): IterableIterator<[string, string | null]> {
    const kv = this.kv;
    for (let i = 0; i < kv.length; i += 3) {
      const v = kv[i + 2]!;
      yield [kv[i + 1]!, v === null ? null : unquote(v)];
    }
  }

  names(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.kv.length; i += 3) out.push(this.kv[i]!);
    return out;
  }

  clone(): Params {
    return new Params(this.kv.slice());
  }

  /** `;name=value;flag` — empty string when there are no parameters. */
  toString(): string {
    const kv = this.kv;
    let out = '';
    for (let i = 0; i < kv.length; i += 3) {
      out += ';' + kv[i + 1]!;
      const v = kv[i + 2];
      if (v !== null) out += '=' + v;
    }
    return out;
  }
}

/** Tokens and host values (IPv4, IPv6 with or without brackets, e.g. received=2001:db8::9, §20.42) need no quoting. */
function isPlainValue(v: string): boolean {
  if (v.length === 0) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (!((c < 256 && TOKEN[c] === 1) || c === 0x3a || c === 0x5b || c === 0x5d)) return false;
  }
  return true;
}

/** RFC 3261 §25.1 quoted-string: DQUOTE *(qdtext / quoted-pair) DQUOTE. */
export function quote(v: string): string {
  let out = '"';
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) out += '\\';
    out += v[i];
  }
  return out + '"';
}

/** Removes surrounding quotes and resolves quoted-pairs; other values are returned unchanged. */
export function unquote(v: string): string {
  const n = v.length;
  if (n < 2 || v.charCodeAt(0) !== 0x22 || v.charCodeAt(n - 1) !== 0x22) return v;
  if (v.indexOf('\\') < 0) return v.slice(1, n - 1);
  let out = '';
  for (let i = 1; i < n - 1; i++) {
    let c = v[i]!;
    if (c === '\\' && i + 1 < n - 1) c = v[++i]!;
    out += c;
  }
  return out;
}
