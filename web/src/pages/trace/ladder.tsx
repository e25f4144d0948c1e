import { useEffect, useLayoutEffect, useRef, useState, type CSSProperties, type KeyboardEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { Ladder, LadderRow } from './ladder-model';
import { formatClock, formatDelta } from './trace-format';

/** Fixed row height: the virtualiser needs no measuring, and a long capture scrolls smoothly. */
const ROW_H = 54;
/** A capture holding several Call-IDs (by source or AoR) marks each row with its call's colour. */
const CALL_COLOURS = 6;

interface LadderProps {
  ladder: Ladder;
  /** `seq` of the message shown in the detail panel. */
  selected: number | null;
  onSelect(seq: number | null): void;
  /** Accessible name of the message list. */
  label: string;
}

const directionWords = (r: LadderRow) =>
  r.message.direction === 'in' ? `received from ${r.message.remote}` : `sent to ${r.message.remote}`;

/**
 * The ladder diagram: a column (lifeline) per party, an arrow per message,
 * newest at the bottom. Rows are virtualised, so a capture of thousands of
 * messages stays smooth. It follows new messages while scrolled to the end,
 * and otherwise offers to jump there. Keyboard: it is one listbox; arrows,
 * Page Up/Down, Home and End move through the messages, Escape closes the
 * detail.
 */
export function LadderView({ ladder, selected, onSelect, label }: LadderProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const { rows, parties } = ladder;
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_H,
    overscan: 12,
    // Air between the party header and the first arrow, and under the last.
    paddingStart: 10,
    paddingEnd: 10,
    getItemKey: (i) => rows[i]?.message.seq ?? i,
  });

  // Follow the newest message while the view is at the end.
  const follow = useRef(true);
  const shown = useRef(0);
  const [unseen, setUnseen] = useState(0);
  useLayoutEffect(() => {
    const added = rows.length - shown.current;
    shown.current = rows.length;
    if (added <= 0) return;
    const el = scroller.current;
    if (follow.current && el) el.scrollTop = el.scrollHeight;
    else setUnseen((n) => n + added);
  }, [rows.length]);

  function onScroll() {
    const el = scroller.current;
    if (!el) return;
    follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < ROW_H / 2;
    if (follow.current) setUnseen(0);
  }

  function jumpToLatest() {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
    follow.current = true;
    setUnseen(0);
  }

  const selectedIndex = selected === null ? -1 : rows.findIndex((r) => r.message.seq === selected);

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (e.key === 'Escape') {
      if (selected !== null) {
        e.preventDefault();
        onSelect(null);
      }
      return;
    }
    if (rows.length === 0) return;
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? ROW_H * 10) / ROW_H) - 2);
    const last = rows.length - 1;
    const from = selectedIndex >= 0 ? selectedIndex : null;
    let next: number;
    switch (e.key) {
      case 'ArrowDown':
        next = from === null ? (virtualizer.getVirtualItems()[0]?.index ?? 0) : from + 1;
        break;
      case 'ArrowUp':
        next = from === null ? last : from - 1;
        break;
      case 'PageDown':
        next = (from ?? 0) + page;
        break;
      case 'PageUp':
        next = (from ?? last) - page;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = last;
        break;
      default:
        return;
    }
    e.preventDefault();
    next = Math.min(last, Math.max(0, next));
    onSelect(rows[next]!.message.seq);
  }

  // Whichever way a message was chosen (keys, the detail's arrows), bring it into view.
  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
    // Only when the choice changes: scrolling away from it afterwards is the user's call.
  }, [selected]);

  const items = virtualizer.getVirtualItems();
  const activeInView = selectedIndex >= 0 && items.some((i) => i.index === selectedIndex);
  const style = { '--parties': parties.length, '--row-h': `${ROW_H}px` } as CSSProperties;
  const coloured = ladder.calls > 1;

  return (
    <div className="ladder" style={style}>
      <div className="ladder-scroll" ref={scroller} onScroll={onScroll}>
        <div className="ladder-head" aria-hidden="true">
          <div className="ladder-gutter-head">Time</div>
          {parties.map((p) => (
            <div key={p.key} className={`ladder-party ladder-party-${p.kind}`} title={`${p.label} (${p.detail})`}>
              <span className="ladder-party-name">{p.label}</span>
              <span className="ladder-party-detail">{p.detail}</span>
            </div>
          ))}
        </div>
        <div className="ladder-body" style={{ height: virtualizer.getTotalSize() }}>
          <div className="ladder-lifelines" aria-hidden="true">
            <span />
            {parties.map((p) => (
              <span key={p.key} className={`ladder-lifeline ladder-lifeline-${p.kind}`} />
            ))}
          </div>
          <div
            className="ladder-rows"
            role="listbox"
            aria-label={label}
            tabIndex={0}
            aria-activedescendant={activeInView ? `trace-msg-${selected}` : undefined}
            onKeyDown={onKeyDown}
          >
            {items.map((item) => {
              const r = rows[item.index]!;
              const m = r.message;
              const lo = Math.min(r.from, r.to);
              const hi = Math.max(r.from, r.to);
              const arrowStyle = { gridColumn: `${lo + 2} / ${hi + 3}`, '--span': hi - lo + 1 } as CSSProperties;
              return (
                <div
                  key={item.key}
                  id={`trace-msg-${m.seq}`}
                  role="option"
                  aria-selected={m.seq === selected}
                  aria-label={`${formatClock(m.at)} ${r.label}${r.target ? ` ${r.target}` : ''}, ${directionWords(r)} over ${m.transport.toUpperCase()}`}
                  className={`ladder-row tone-${r.tone}${m.seq === selected ? ' is-selected' : ''}`}
                  style={{ transform: `translateY(${item.start}px)` }}
                  data-seq={m.seq}
                  data-direction={m.direction}
                  onClick={() => onSelect(m.seq)}
                >
                  {coloured && r.call >= 0 && (
                    <span className="ladder-call" style={{ background: `var(--call-${r.call % CALL_COLOURS})` }} title={`Call-ID ${m.callId}`} />
                  )}
                  <div className="ladder-time">
                    <time dateTime={new Date(m.at).toISOString()}>{formatClock(m.at)}</time>
                    <span className="ladder-delta">{item.index === 0 ? '' : formatDelta(r.deltaMs)}</span>
                  </div>
                  <div className={`ladder-arrow ${r.to > r.from ? 'to-right' : 'to-left'}`} style={arrowStyle}>
                    <span className="ladder-label" title={m.summary}>
                      <strong>{r.label}</strong>
                      {r.target && <span className="ladder-target">{r.target}</span>}
                    </span>
                    <span className="ladder-line" />
                    <span className="ladder-meta">{m.transport.toUpperCase()}</span>
                  </div>
                </div>
              );
            })}
          </div>
        </div>
      </div>
      {unseen > 0 && (
        <button type="button" className="btn btn-small ladder-latest" onClick={jumpToLatest}>
          ↓ {unseen} new {unseen === 1 ? 'message' : 'messages'}
        </button>
      )}
    </div>
  );
}
