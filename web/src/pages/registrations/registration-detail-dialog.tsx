import { useEffect, useRef, type ReactNode } from 'react';
import { ApiError } from '../../api/api-error';
import { Dialog } from '../../components/dialog';
import { formatDateTime } from '../../components/format';
import { EmptyState, ErrorState, Loading } from '../../components/states';
import { Icon } from '../../layout/icons';
import { formatMethods, formatQ, isoOf } from './binding-format';
import { ExpiresIn } from './expires-in';
import { useRegistration } from './registrations-api';
import type { Contact } from './types';

interface Props {
  /** The AoR shown, and the binding to bring into view (from a row's Details). */
  target: { aor: string; contactId?: string | undefined } | null;
  onClose(): void;
  onUnregisterContact(aor: string, contact: Contact): void;
  onUnregisterAor(aor: string, count: number): void;
}

/** Every attribute of every binding of one AoR, kept live by `registration.changed`. */
export function RegistrationDetailDialog({ target, onClose, onUnregisterContact, onUnregisterAor }: Props) {
  return (
    <Dialog open={target !== null} onClose={onClose} title="Registration details" description={target && <span className="mono strong">{target.aor}</span>}>
      {target && <DetailBody aor={target.aor} contactId={target.contactId} onClose={onClose} onUnregisterContact={onUnregisterContact} onUnregisterAor={onUnregisterAor} />}
    </Dialog>
  );
}

function DetailBody({
  aor,
  contactId,
  onClose,
  onUnregisterContact,
  onUnregisterAor,
}: {
  aor: string;
  contactId: string | undefined;
  onClose(): void;
  onUnregisterContact(aor: string, contact: Contact): void;
  onUnregisterAor(aor: string, count: number): void;
}) {
  const reg = useRegistration(aor);
  const focused = useRef<HTMLElement>(null);
  const contacts = reg.data?.contacts;
  const gone = (reg.isError && reg.error instanceof ApiError && reg.error.status === 404) || (contacts && contacts.length === 0);

  // Bring the binding the user picked into view once the list is there.
  const loaded = contacts !== undefined;
  useEffect(() => {
    if (loaded) focused.current?.scrollIntoView({ block: 'nearest' });
  }, [loaded]);

  let body;
  if (reg.isPending) body = <Loading label="Loading the bindings…" />;
  else if (gone)
    body = <EmptyState title="No bindings left" hint="This AoR was unregistered or its contacts expired. It reappears when a phone registers it again." />;
  else if (reg.isError) body = <ErrorState title="Could not load this registration" error={reg.error} onRetry={() => void reg.refetch()} />;
  else
    body = (
      <div className="binding-list">
        {contacts!.map((c, i) => (
          <section
            key={c.id}
            ref={c.id === contactId ? focused : undefined}
            className={`binding${c.id === contactId ? ' binding-focused' : ''}`}
            aria-label={`Binding ${i + 1}: ${c.contact}`}
            data-binding-id={c.id}
          >
            <header className="binding-header">
              <h3 className="mono break">{c.contact}</h3>
              <button
                type="button"
                className="btn btn-small btn-danger-ghost"
                onClick={() => onUnregisterContact(aor, c)}
                aria-label={`Unregister ${c.contact} of ${aor}`}
              >
                <Icon name="trash" size={16} />
                <span>Unregister</span>
              </button>
            </header>
            <BindingProps c={c} />
          </section>
        ))}
      </div>
    );

  const count = contacts?.length ?? 0;
  return (
    <div className="form">
      {body}
      <div className="form-actions">
        {count > 0 && !gone && (
          <button type="button" className="btn btn-danger-ghost detail-unregister-all" onClick={() => onUnregisterAor(aor, count)}>
            <Icon name="trash" size={16} />
            <span>{count === 1 ? 'Unregister the AoR' : `Unregister all ${count} contacts`}</span>
          </button>
        )}
        <button type="button" className="btn" onClick={onClose} data-autofocus>
          Close
        </button>
      </div>
    </div>
  );
}

/** The binding's attributes as Kamailio's reg_fetch_contacts names them ($ulc). */
function BindingProps({ c }: { c: Contact }) {
  const rows: Array<[string, ReactNode]> = [
    ['Expires', <><ExpiresIn at={c.expires} /> <span className="muted">({formatDateTime(isoOf(c.expires))})</span></>],
    ['Received', c.received ?? <span className="muted">not behind NAT</span>],
    ['Transport', c.transport.toUpperCase()],
    ['Socket', c.socket ?? '—'],
    ...(c.source ? [['Source', c.source] as [string, ReactNode]] : []),
    ['q', formatQ(c.q)],
    ['User agent', c.userAgent ?? '—'],
    ['Instance', c.instance ?? '—'],
    ['Reg-id', c.regId ?? '—'],
    [
      'Path',
      c.path.length === 0 ? (
        '—'
      ) : (
        <ol className="path-list">
          {c.path.map((p, i) => (
            <li key={i}>{p}</li>
          ))}
        </ol>
      ),
    ],
    ['Call-ID', c.callId],
    ['CSeq', c.cseq],
    ['Last modified', formatDateTime(isoOf(c.lastModified))],
    ['Methods', formatMethods(c.methods)],
    ['Binding id', c.id],
  ];
  return (
    <dl className="props binding-props">
      {rows.map(([k, v]) => (
        <div key={k} className="prop" data-prop={k}>
          <dt>{k}</dt>
          <dd className={typeof v === 'string' || typeof v === 'number' ? 'mono break' : undefined}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
