import { formatDateTime } from '../../components/format';
import { formatCountdown, isoOf } from './binding-format';
import { useNowSeconds } from './use-now';

/** Warn a minute before a binding lapses: the phone should have refreshed by then. */
const SOON_SEC = 60;

/** Time left until a binding expires, counting down every second on the client. */
export function ExpiresIn({ at }: { at: number }) {
  const now = useNowSeconds();
  const left = at - now;
  const state = left <= 0 ? 'expired' : left <= SOON_SEC ? 'soon' : 'ok';
  return (
    <time
      className={`countdown countdown-${state}`}
      dateTime={isoOf(at)}
      title={`Expires ${formatDateTime(isoOf(at))}`}
      data-left={Math.max(0, left)}
    >
      {left <= 0 ? 'expired' : formatCountdown(left)}
    </time>
  );
}
