import { useId } from 'react';
import { MESSAGE_STATES, type MessageFilters } from './types';

interface Props {
  /** What the inputs show (the table follows the debounced value). */
  value: MessageFilters;
  onChange(next: MessageFilters): void;
}

/** Recipient, sender and state filters; Escape in a text box clears it. */
export function MessageFiltersBar({ value, onChange }: Props) {
  const id = useId();
  const text = (field: 'to' | 'from', label: string, placeholder: string) => (
    <div className="filter">
      <label htmlFor={`${id}-${field}`}>{label}</label>
      <input
        id={`${id}-${field}`}
        type="search"
        spellCheck={false}
        autoComplete="off"
        placeholder={placeholder}
        value={value[field]}
        onChange={(e) => onChange({ ...value, [field]: e.target.value })}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && value[field]) {
            e.stopPropagation();
            onChange({ ...value, [field]: '' });
          }
        }}
      />
    </div>
  );
  return (
    <div className="filters" role="search" aria-label="Filter messages">
      {text('to', 'Recipient', 'sip:bob@example.com')}
      {text('from', 'Sender', 'sip:alice@example.com')}
      <div className="filter filter-state">
        <label htmlFor={`${id}-state`}>State</label>
        <select id={`${id}-state`} value={value.state} onChange={(e) => onChange({ ...value, state: e.target.value as MessageFilters['state'] })}>
          <option value="">Any state</option>
          {MESSAGE_STATES.map((s) => (
            <option key={s} value={s}>
              {s[0]!.toUpperCase() + s.slice(1)}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
