import { useCallback, useMemo, useState } from 'react';
import { ApiError, errorMessage } from '../../api/api-error';
import { StatCard } from '../../components/stat-card';
import { EmptyState, ErrorState, Loading } from '../../components/states';
import { useNotice } from '../../components/use-notice';
import { Icon } from '../../layout/icons';
import { ConfirmDialog } from '../registrations/confirm-dialog';
import { AorCard } from './aor-card';
import { AppearanceDialog } from './appearance-dialog';
import { LampLegend } from './lamp-legend';
import { STATE_LABELS } from './lamp-states';
import { useLiveSca } from './live-sca';
import { useAppearances, useReleaseAppearance, useSubscriptions } from './sca-api';
import { buildBoard, shortUri, type Line } from './sca-board';
import { SeizeDialog } from './seize-dialog';
import type { AppearanceView } from './types';
import './sca.css';

/**
 * Shared call appearances (Kamailio sca; BroadWorks SIP Access Side
 * Extensions): per shared AoR a row of line lamps coloured by appearance
 * state, with the phone holding each line and the party it talks to, kept
 * live by the sca.* events; the phones subscribed to each AoR; and the
 * admin commands seize, update and release (each NOTIFYs the group).
 */
export default function ScaPage() {
  useLiveSca();
  const apps = useAppearances();
  const subs = useSubscriptions();
  const release = useReleaseAppearance();
  const [notice, showNotice] = useNotice();
  const [seizeAor, setSeizeAor] = useState<string | null>(null);
  const [opened, setOpened] = useState<{ aor: string; index: number } | null>(null);
  const [confirm, setConfirm] = useState<Line | null>(null);

  const board = useMemo(() => buildBoard(apps.data, subs.data), [apps.data, subs.data]);
  const boardOf = (aor: string | null) => (aor === null ? undefined : board.find((b) => b.aor === aor));
  // The opened lamp follows the board: its dialog shows the line as it is now.
  const openedLine: Line | null = opened
    ? (boardOf(opened.aor)?.lines.find((l) => l.index === opened.index) ?? { ...opened, state: 'idle', appearance: undefined })
    : null;
  const seizeBoard = boardOf(seizeAor);

  const onOpenLine = useCallback((line: Line) => {
    if (line.appearance) setOpened({ aor: line.aor, index: line.index });
    else setSeizeAor(line.aor);
  }, []);
  const onSeize = useCallback((aor: string) => setSeizeAor(aor), []);

  function onSeized(a: AppearanceView) {
    setSeizeAor(null);
    setOpened(null);
    showNotice(`Seized line ${a.index} of ${a.aor} for ${shortUri(a.owner)}`);
  }

  function onUpdated(a: AppearanceView) {
    setOpened(null);
    showNotice(`Line ${a.index} of ${a.aor} is now ${STATE_LABELS[a.state].toLowerCase()}`);
  }

  async function doRelease() {
    if (!confirm) return;
    // 404: the call ended (or someone released it) meanwhile; the line is idle as wanted.
    const r = await release.mutateAsync({ aor: confirm.aor, index: confirm.index }).catch((err: unknown) => {
      if (err instanceof ApiError && err.status === 404) return 'idle' as const;
      throw err;
    });
    setConfirm(null);
    setOpened(null);
    showNotice(r === 'idle' ? `Line ${confirm.index} of ${confirm.aor} was already idle` : `Released line ${confirm.index} of ${confirm.aor}`);
  }

  const inUse = board.reduce((n, b) => n + b.inUse, 0);
  const count = (event: string) => (subs.data ? subs.data.items.filter((s) => s.event === event).length : undefined);

  let body;
  if (apps.isPending) body = <Loading label="Loading shared call appearances…" />;
  else if (apps.isError) body = <ErrorState title="Could not load the shared call appearances" error={apps.error} onRetry={() => void apps.refetch()} />;
  else if (board.length === 0)
    body = (
      <EmptyState
        title="No shared AoR yet"
        hint="An AoR appears here, live, as soon as a phone subscribes to its call-info or line-seize events, or a line of it is seized."
      />
    );
  else
    body = (
      <div className="sca-board">
        {board.map((b) => (
          <AorCard key={b.aor} board={b} onOpenLine={onOpenLine} onSeize={onSeize} />
        ))}
      </div>
    );

  return (
    <div className="page sca-page">
      <header className="page-header">
        <h1>Shared call appearances</h1>
        <div className="toolbar">
          <button type="button" className="btn btn-primary" onClick={() => setSeizeAor('')}>
            <Icon name="plus" size={16} />
            <span>Seize a line</span>
          </button>
        </div>
      </header>

      <div className="card-grid sca-stats">
        <StatCard label="Shared AoRs" value={apps.data ? board.length : undefined} hint="With subscribers or a line in use" />
        <StatCard label="Lines in use" value={apps.data ? inUse : undefined} hint="Appearances not idle" />
        <StatCard label="call-info subscriptions" value={count('call-info')} hint="Phones showing the lamps" />
        <StatCard label="line-seize subscriptions" value={count('line-seize')} hint="Phones holding a line to dial" />
      </div>

      <LampLegend />

      <p className="notice" role="status" aria-live="polite">
        {notice && <span className="banner banner-ok">{notice}</span>}
      </p>
      {subs.isError && (
        <div className="banner banner-error" role="alert">
          Could not load the subscribers: {errorMessage(subs.error)}{' '}
          <button type="button" className="btn btn-small" onClick={() => void subs.refetch()}>
            Try again
          </button>
        </div>
      )}

      {body}

      <AppearanceDialog line={openedLine} onClose={() => setOpened(null)} onUpdated={onUpdated} onRelease={setConfirm} onSeize={onSeize} />

      <SeizeDialog
        aor={seizeAor}
        nextFree={seizeBoard?.nextFree ?? 0}
        contacts={[...new Set(seizeBoard?.subscribers.map((s) => s.subscriber) ?? [])]}
        aors={board.map((b) => b.aor)}
        onClose={() => setSeizeAor(null)}
        onSeized={onSeized}
      />

      <ConfirmDialog
        open={confirm !== null}
        title="Release line"
        confirmLabel="Release"
        busyLabel="Releasing…"
        failure={`Could not release line ${confirm?.index ?? ''}`}
        onConfirm={doRelease}
        onClose={() => setConfirm(null)}
      >
        {confirm && (
          <p>
            Set line {confirm.index} of <strong className="mono">{confirm.aor}</strong> idle
            {confirm.appearance ? (
              <>
                {' '}
                (held by <strong className="mono break">{shortUri(confirm.appearance.owner)}</strong>)
              </>
            ) : null}
            ? Every phone of the group is told the line is free; a call still going on is not hung up, but its lamp goes dark.
          </p>
        )}
      </ConfirmDialog>
    </div>
  );
}
