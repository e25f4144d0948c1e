import { Icon } from '../../layout/icons';
import { LineLamp } from './line-lamp';
import type { AorBoard, Line } from './sca-board';
import { SubscriberTable } from './subscriber-table';

interface Props {
  board: AorBoard;
  onOpenLine(line: Line): void;
  onSeize(aor: string): void;
}

/** One shared AoR: its row of line lamps, a seize control, and the phones subscribed to it. */
export function AorCard({ board, onOpenLine, onSeize }: Props) {
  const { aor, lines, inUse, subscribers, nextFree } = board;
  return (
    <section className="card sca-aor" aria-label={aor} data-aor={aor}>
      <header className="sca-aor-header">
        <h2 className="mono break">{aor}</h2>
        <span className="muted sca-aor-summary">
          {inUse} of {lines.length} {lines.length === 1 ? 'line' : 'lines'} in use · {subscribers.length} {subscribers.length === 1 ? 'subscription' : 'subscriptions'}
        </span>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => onSeize(aor)}
          disabled={nextFree === 0}
          title={nextFree === 0 ? 'Every line is in use' : `Seize line ${nextFree}, the lowest idle one`}
          aria-label={`Seize a line of ${aor}`}
        >
          <Icon name="plus" size={16} />
          <span>Seize line</span>
        </button>
      </header>
      <ol className="lamps" aria-label={`Lines of ${aor}`}>
        {lines.map((line) => (
          <LineLamp key={line.index} line={line} onOpen={onOpenLine} />
        ))}
      </ol>
      <SubscriberTable aor={aor} items={subscribers} />
    </section>
  );
}
