import { EMPTY } from '../../components/format';
import type { Contact } from './types';

const pad = (n: number) => String(n).padStart(2, '0');

/** Seconds left as a countdown: "42s", "59:07", "1:02:03", "3d 4h". */
export function formatCountdown(left: number): string {
  const s = Math.max(0, Math.floor(left));
  if (s < 60) return `${s}s`;
  if (s < 3_600) return `${Math.floor(s / 60)}:${pad(s % 60)}`;
  if (s < 86_400) return `${Math.floor(s / 3_600)}:${pad(Math.floor((s % 3_600) / 60))}:${pad(s % 60)}`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3_600)}h`;
}

/** Epoch seconds → ISO, for <time dateTime> and the shared date formatters. */
export const isoOf = (epochSec: number) => new Date(epochSec * 1000).toISOString();

/** q as RFC 3261 writes it: up to three decimals, at least one ("1.0", "0.5", "0.25"). */
export function formatQ(q: number): string {
  if (!Number.isFinite(q)) return EMPTY;
  const s = String(Math.round(q * 1000) / 1000);
  return s.includes('.') ? s : `${s}.0`;
}

/** `+sip.instance` without its `<urn:uuid:…>` wrapping, for a narrow cell. */
export function shortInstance(instance: string): string {
  return instance.replace(/^"?<?/, '').replace(/>?"?$/, '').replace(/^urn:uuid:/i, '');
}

/** "instance · reg-id 1", or — when the phone does not use outbound. */
export function formatInstance(c: Contact): string {
  if (!c.instance && c.regId === null) return EMPTY;
  const parts = [c.instance ? shortInstance(c.instance) : null, c.regId !== null ? `reg-id ${c.regId}` : null];
  return parts.filter(Boolean).join(' · ');
}

export function formatMethods(methods: string[] | null): string {
  return methods === null ? 'All methods' : methods.length === 0 ? 'None' : methods.join(', ');
}
