import { LAMP_STATES, STATE_HINTS, STATE_LABELS } from './lamp-states';

/** What each lamp colour means (BroadWorks appearance states). */
export function LampLegend() {
  return (
    <ul className="lamp-legend" aria-label="Lamp colours">
      {LAMP_STATES.map((s) => (
        <li key={s} title={STATE_HINTS[s]} data-state={s}>
          <span className={`lamp-swatch lamp-${s}`} aria-hidden="true" />
          {STATE_LABELS[s]}
        </li>
      ))}
    </ul>
  );
}
