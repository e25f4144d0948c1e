import { formatTime } from '../../components/format';
import { STATE_LABELS } from './lamp-states';
import { remoteParty, shortUri, type Line } from './sca-board';

/** The lamp's tooltip: everything the board knows about the line, one fact a line. */
export function lampTitle(line: Line): string {
  const a = line.appearance;
  const facts = [`Line ${line.index}: ${STATE_LABELS[line.state]}`];
  if (a) {
    facts.push(`Held by ${a.owner}`);
    if (a.remote) facts.push(`Remote party ${a.remote}`);
    if (a.display) facts.push(`Display “${a.display}”`);
    facts.push(`Since ${formatTime(a.since)}`);
  }
  facts.push(a ? 'Click to update or release' : 'Click to seize a line');
  return facts.join('\n');
}

/**
 * One line of a shared AoR: a lamp coloured by its appearance state, with
 * the phone holding it and the party it is talking to. Re-keyed on each
 * change of state so the new colour briefly stands out.
 */
export function LineLamp({ line, onOpen }: { line: Line; onOpen(line: Line): void }) {
  const a = line.appearance;
  const holder = shortUri(a?.owner);
  const remote = remoteParty(a);
  const label = [`Line ${line.index}`, STATE_LABELS[line.state], holder && `held by ${holder}`, remote && `with ${remote}`].filter(Boolean).join(', ');
  return (
    <li className="lamp-cell">
      <button
        type="button"
        key={`${line.state}-${a?.since ?? 0}`}
        className={`lamp lamp-${line.state}`}
        data-index={line.index}
        data-state={line.state}
        aria-label={label}
        title={lampTitle(line)}
        onClick={() => onOpen(line)}
      >
        <span className="lamp-head">
          <span className="lamp-light" aria-hidden="true" />
          <span className="lamp-index">Line {line.index}</span>
        </span>
        <span className="lamp-state">{STATE_LABELS[line.state]}</span>
        <span className="lamp-holder mono" data-field="holder">
          {holder || '\u00a0'}
        </span>
        <span className="lamp-remote" data-field="remote">
          {remote || '\u00a0'}
        </span>
      </button>
    </li>
  );
}
