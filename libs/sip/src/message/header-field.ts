import { LOWER } from './header-names.js';
import { bytesOf } from './lexer.js';

/**
 * One header line of a materialized (edited or built) message. `raw` is the
 * exact received text of the line including its line ending, kept while the
 * field is untouched so serialization reproduces it byte for byte; it is null
 * for added or modified fields, which serialize as `name: value CRLF`.
 * Name and value of a raw line are derived from it on first use.
 */
export class HeaderField {
  private _name: string | undefined;
  private _value: string | undefined;
  private _bytes: Uint8Array | undefined;

  constructor(
    /** Known-header id (header-names.ts), 0 for extension headers. */
    public id: number,
    name: string | undefined,
    value: string | undefined,
    public raw: string | null = null,
  ) {
    this._name = name;
    this._value = value;
  }

  private split(): void {
    const raw = this.raw!;
    const colon = raw.indexOf(':');
    this._name ??= raw.slice(0, colon).trimEnd();
    this._value ??= raw
      .slice(colon + 1)
      .replace(/[ \t]*\r?\n[ \t]+/g, ' ')
      .trim();
  }

  /** Name as written (compact forms kept). */
  get name(): string {
    if (this._name === undefined) this.split();
    return this._name!;
  }

  /** Value, unfolded and trimmed (a wire string: one char per byte). */
  get value(): string {
    if (this._value === undefined) this.split();
    return this._value!;
  }

  /** @internal the value's bytes for the byte-level scanners (bytesOf), made once. */
  get valueBytes(): Uint8Array {
    return (this._bytes ??= bytesOf(this.value));
  }

  get key(): string {
    return this.id ? LOWER[this.id]! : this.name.toLowerCase();
  }
}
