import { EMPTY } from '../../components/format';
import { ExpiresIn } from '../registrations/expires-in';
import { subscriptionKey } from './apply-changes';
import type { ScaSubscriptionView } from './types';

const EVENT_HINTS = {
  'call-info': 'Receives the state of every line (BroadWorks §2)',
  'line-seize': 'Holds a line while it dials (BroadWorks §3)',
} as const;

/** The phones subscribed to one shared AoR: their package, Contact, seized line and time left. */
export function SubscriberTable({ aor, items }: { aor: string; items: ScaSubscriptionView[] }) {
  if (items.length === 0) return <p className="muted sca-no-subscribers">No phone subscribes to {aor}.</p>;
  return (
    <div className="sca-subscribers-scroll">
      <table className="simple-table sca-subscribers" aria-label={`Subscribers of ${aor}`}>
        <thead>
          <tr>
            <th>Event</th>
            <th>Contact</th>
            <th>Line</th>
            <th>Expires</th>
            <th className="num">NOTIFY failures</th>
          </tr>
        </thead>
        <tbody>
          {items.map((s) => (
            <tr key={subscriptionKey(s)} data-event={s.event} data-subscriber={s.subscriber}>
              <td>
                <span className={`pill sca-event sca-event-${s.event}`} title={EVENT_HINTS[s.event]}>
                  {s.event}
                </span>
              </td>
              <td className="mono break">{s.subscriber}</td>
              <td>{s.index ?? <span className="muted">{EMPTY}</span>}</td>
              <td>
                {/* Whole seconds, rounded down as the clock it counts against is: a 600 s subscription never shows 10:01. */}
                <ExpiresIn at={Math.floor(s.expiresAt / 1000)} />
              </td>
              <td className={`num${s.failures > 0 ? ' sca-failures' : ''}`}>{s.failures}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
