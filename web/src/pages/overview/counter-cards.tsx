import type { StatsSnapshot } from '../../api/types';
import { useSubscriberCount } from '../../api/subscribers';
import { StatCard } from '../../components/stat-card';
import { readStat } from './stat-labels';

interface CardDef {
  label: string;
  module: string;
  name: string;
  hint: string;
  tone?: 'warn';
}

const CARDS: CardDef[] = [
  { label: 'Registered users', module: 'usrloc', name: 'registered_users', hint: 'Addresses of record with a live contact' },
  { label: 'Registered contacts', module: 'usrloc', name: 'location-contacts', hint: 'Devices currently registered' },
  { label: 'Accepted registrations', module: 'registrar', name: 'accepted_regs', hint: 'REGISTERs accepted since start' },
  { label: 'Rejected registrations', module: 'registrar', name: 'rejected_regs', hint: 'REGISTERs refused since start', tone: 'warn' },
  { label: 'Stored messages', module: 'msilo', name: 'stored_messages', hint: 'Offline MESSAGEs stored since start' },
  { label: 'Delivered messages', module: 'msilo', name: 'dumped_messages', hint: 'Stored messages delivered on registration' },
  { label: 'Failed messages', module: 'msilo', name: 'failed_messages', hint: 'Stored messages that could not be delivered', tone: 'warn' },
];

/** Headline figures; "—" where the engine behind a figure has not reported it. */
export function CounterCards({ stats }: { stats: StatsSnapshot | undefined }) {
  const subscribers = useSubscriberCount();
  return (
    <div className="card-grid">
      <StatCard
        label="Subscribers"
        value={subscribers.data}
        hint={subscribers.isError ? <span className="text-error">Could not count: {subscribers.error.message}</span> : 'SIP accounts provisioned'}
      />
      {CARDS.map((c) => (
        <StatCard key={c.label} label={c.label} value={readStat(stats, c.module, c.name)} hint={c.hint} tone={c.tone} />
      ))}
    </div>
  );
}
