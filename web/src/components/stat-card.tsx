import { useEffect, useRef, useState, type ReactNode } from 'react';
import { formatNumber } from './format';

interface StatCardProps {
  label: string;
  value: number | undefined;
  /** What the figure counts, and where it comes from. */
  hint?: ReactNode;
  tone?: 'default' | 'warn';
}

/**
 * One headline figure. "—" when the engine behind it has not reported;
 * a brief highlight when a live update changes it.
 */
export function StatCard({ label, value, hint, tone = 'default' }: StatCardProps) {
  const prev = useRef(value);
  const [flash, setFlash] = useState(0);
  useEffect(() => {
    if (prev.current !== undefined && value !== undefined && prev.current !== value) setFlash((n) => n + 1);
    prev.current = value;
  }, [value]);

  return (
    <section className={`card stat-card${tone === 'warn' && value ? ' stat-warn' : ''}`} aria-label={label}>
      <h3 className="stat-label">{label}</h3>
      <p key={flash} className={`stat-value${flash ? ' stat-flash' : ''}`} data-value={value ?? ''}>
        {formatNumber(value)}
      </p>
      {hint && <p className="stat-hint muted">{hint}</p>}
    </section>
  );
}
