import type { UseQueryResult } from '@tanstack/react-query';
import { EmptyState, ErrorState, Loading } from '../../components/states';
import { isRunning } from './capture-cache';
import { countMessages, describeFilter, formatClock } from './trace-format';
import type { CaptureSummary } from './trace-types';

/** A list entry: the appliance's captures, and the ones stopped here and kept in this browser. */
export interface CaptureItem extends CaptureSummary {
  kept: boolean;
}

interface Props {
  list: UseQueryResult<CaptureSummary[]>;
  items: CaptureItem[];
  selectedId: string | null;
  onSelect(id: string): void;
  onStop(c: CaptureItem): void;
  onDiscard(c: CaptureItem): void;
  /** ids whose stop or discard is on its way. */
  busy: ReadonlySet<string>;
}

export function CaptureList({ list, items, selectedId, onSelect, onStop, onDiscard, busy }: Props) {
  let body;
  if (items.length > 0) {
    body = (
      <ul className="capture-list">
        {items.map((c) => {
          const running = isRunning(c);
          const what = describeFilter(c.filter);
          const pending = busy.has(c.id);
          return (
            <li key={`${c.kept ? 'kept' : 'live'}-${c.id}`} className={`capture-item${c.id === selectedId ? ' is-selected' : ''}`} data-capture={c.id}>
              <button type="button" className="capture-select" aria-current={c.id === selectedId ? 'true' : undefined} onClick={() => onSelect(c.id)}>
                <span className="capture-filter" title={what}>
                  {what}
                </span>
                <span className="capture-meta">
                  <span className={`pill ${running ? 'pill-ok capture-running' : 'pill-muted'}`}>{running ? 'Running' : 'Stopped'}</span>
                  <span data-testid="capture-count">{countMessages(c.messageCount)}</span>
                  <time className="muted" dateTime={new Date(c.startedAt).toISOString()} title={`Started at ${formatClock(c.startedAt).slice(0, 8)}`}>
                    · {formatClock(c.startedAt).slice(0, 5)}
                  </time>
                </span>
              </button>
              <div className="capture-actions">
                {running && (
                  <button type="button" className="btn btn-small btn-row" disabled={pending} onClick={() => onStop(c)} aria-label={`Stop capture ${what}`} title="Stop, keeping what was captured">
                    Stop
                  </button>
                )}
                <button
                  type="button"
                  className="btn btn-small btn-row btn-danger-ghost"
                  disabled={pending}
                  onClick={() => onDiscard(c)}
                  aria-label={`Discard capture ${what}`}
                  title={running ? 'Stop and throw away' : 'Throw away'}
                >
                  Discard
                </button>
              </div>
            </li>
          );
        })}
      </ul>
    );
  } else if (list.isPending) {
    body = <Loading label="Loading captures…" />;
  } else if (list.isError) {
    body = <ErrorState title="Could not load the captures" error={list.error} onRetry={() => void list.refetch()} />;
  } else {
    body = <EmptyState title="No captures" hint="Start one above; it appears here and its messages on the right as they happen." />;
  }

  return (
    <section className="card trace-captures" aria-labelledby="trace-captures-title">
      <h2 id="trace-captures-title" className="card-title">
        Captures
      </h2>
      {list.isError && items.length > 0 && (
        <p className="banner banner-error small" role="alert">
          Could not refresh the list: {list.error.message}
        </p>
      )}
      {body}
    </section>
  );
}
