import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { errorMessage } from '../../api/api-error';
import { useNotice } from '../../components/use-notice';
import { navigate } from '../../layout/router';
import { CaptureList, type CaptureItem } from './capture-list';
import { CaptureView } from './capture-view';
import { useKeptCaptures } from './kept-captures';
import { useLiveTrace } from './live-trace';
import { StartCaptureForm, type CaptureFormValues } from './start-capture-form';
import { useCaptureList, useDiscardCapture, useStopCapture } from './trace-api';
import { describeFilter } from './trace-format';
import './trace.css';

const PARAM = 'capture';

function captureFromUrl(): string | null {
  return new URLSearchParams(window.location.search).get(PARAM);
}

/**
 * SIP trace: start a capture for an AoR, a Call-ID or a source address, and
 * watch the matching messages as a live ladder. The open capture is in the
 * address (`/trace?capture=t3`), so a reload or a shared link shows it again.
 */
export default function TracePage() {
  useLiveTrace();
  const list = useCaptureList();
  const kept = useKeptCaptures();
  const stop = useStopCapture();
  const discard = useDiscardCapture();
  const [selectedId, setSelectedId] = useState<string | null>(captureFromUrl);
  const [prefill, setPrefill] = useState<{ n: number; values: Partial<CaptureFormValues> }>({ n: 0, values: {} });
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const [notice, showNotice] = useNotice();
  const [actionError, setActionError] = useState<string | null>(null);

  const items = useMemo<CaptureItem[]>(() => {
    const keptIds = new Set(kept.map((c) => c.id));
    const fromServer = (list.data ?? []).filter((c) => !keptIds.has(c.id)).map((c) => ({ ...c, kept: false }));
    const here = kept.map(({ messages, ...c }) => ({ ...c, messageCount: messages.length, kept: true }));
    // Newest first; running ones on top.
    return [...fromServer, ...here].sort((a, b) => Number(a.stoppedAt !== null) - Number(b.stoppedAt !== null) || b.startedAt - a.startedAt);
  }, [list.data, kept]);

  const select = useCallback((id: string | null) => {
    setSelectedId(id);
    navigate(id ? `/trace?${PARAM}=${encodeURIComponent(id)}` : '/trace', { replace: true });
  }, []);

  // With nothing chosen, open the newest capture once the list is known.
  const autoPicked = useRef(false);
  useEffect(() => {
    if (autoPicked.current || selectedId !== null || !list.isSuccess) return;
    autoPicked.current = true;
    if (items[0]) select(items[0].id);
  }, [list.isSuccess, items, selectedId, select]);

  async function run(c: CaptureItem, action: 'stop' | 'discard') {
    setBusy((s) => new Set(s).add(c.id));
    setActionError(null);
    try {
      if (action === 'stop') {
        await stop.mutateAsync(c.id);
        showNotice(`Stopped the capture ${describeFilter(c.filter)}`);
      } else {
        await discard.mutateAsync({ id: c.id, kept: c.kept });
        if (selectedId === c.id) select(null);
        showNotice(`Discarded the capture ${describeFilter(c.filter)}`);
      }
    } catch (err) {
      setActionError(`Could not ${action} the capture ${describeFilter(c.filter)}: ${errorMessage(err)}`);
    } finally {
      setBusy((s) => {
        const next = new Set(s);
        next.delete(c.id);
        return next;
      });
    }
  }

  return (
    <div className="page page-fill trace-page">
      <header className="page-header">
        <h1>SIP trace</h1>
        <p className="muted small">Messages to and from the appliance that match a capture, live, as a ladder.</p>
      </header>

      <p className="notice" role="status" aria-live="polite">
        {notice && <span className="banner banner-ok">{notice}</span>}
      </p>
      {actionError && (
        <p className="banner banner-error" role="alert">
          {actionError}
          <button type="button" className="btn btn-small" onClick={() => setActionError(null)}>
            Dismiss
          </button>
        </p>
      )}

      <div className="trace-layout">
        <aside className="trace-side">
          <section className="card">
            <StartCaptureForm
              key={prefill.n}
              initial={prefill.values}
              onStarted={(c) => {
                select(c.id);
                showNotice(`Capturing ${describeFilter(c.filter)}`);
              }}
            />
          </section>
          <CaptureList
            list={list}
            items={items}
            selectedId={selectedId}
            onSelect={select}
            onStop={(c) => void run(c, 'stop')}
            onDiscard={(c) => void run(c, 'discard')}
            busy={busy}
          />
        </aside>

        <section className="card trace-main" aria-label="Capture">
          {selectedId ? (
            <CaptureView
              key={selectedId}
              id={selectedId}
              busy={busy.has(selectedId)}
              onStop={(c) => void run(c, 'stop')}
              onDiscard={(c) => void run(c, 'discard')}
              onClose={() => select(null)}
              onTraceCall={(callId) => {
                setPrefill((p) => ({ n: p.n + 1, values: { callId } }));
                requestAnimationFrame(() => document.querySelector<HTMLInputElement>('.trace-form input[name="callId"]')?.focus());
              }}
            />
          ) : (
            <div className="capture-view-state">
              <div className="state state-empty">
                <p className="state-title">No capture open</p>
                <p className="muted">
                  {items.length ? 'Choose a capture from the list.' : 'Start a capture: its messages are drawn here as a ladder between the parties.'}
                </p>
              </div>
            </div>
          )}
        </section>
      </div>
    </div>
  );
}
