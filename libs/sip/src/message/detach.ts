/**
 * A flat copy of a string taken from a received message, for anything kept
 * after the message is done with (table keys, bindings, nonce counts). V8 keeps
 * a slice of a longer string as a view on it, and a concatenation as a tree
 * of its parts, so a key built from a message's branch would otherwise keep
 * the whole message text alive for as long as the key lives. Concatenating
 * and slicing makes V8 flatten the pair into a new string first, so the
 * result only refers to that copy (three times cheaper than a Buffer round
 * trip). Slices shorter than 13 chars are copies already.
 */
export function detach(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}
