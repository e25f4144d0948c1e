import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { statsHistoryKey, statsKey, useStats, useStatsHistory } from '../../api/stats';
import type { StatsHistory, StatsPoint } from '../../api/types';
import { useSocketEvent } from '../../socket/socket-context';

export const HISTORY_MINUTES = 60;

/**
 * Counters and chart history, loaded over REST and then kept current by the
 * `stats.tick` events (every few seconds) without reloading. Chart points are
 * added at the history's own interval so the series stays evenly spaced.
 */
export function useLiveStats() {
  const qc = useQueryClient();
  const stats = useStats();
  const history = useStatsHistory(HISTORY_MINUTES);
  const [lastTick, setLastTick] = useState<number | null>(null);

  useSocketEvent('stats.tick', (tick) => {
    qc.setQueryData(statsKey, tick.stats);
    qc.setQueryData<StatsHistory>([...statsHistoryKey, HISTORY_MINUTES], (old) => appendPoint(old, tick));
    setLastTick(tick.at);
  });

  return { stats, history, lastTick };
}

export function appendPoint(old: StatsHistory | undefined, p: StatsPoint): StatsHistory | undefined {
  if (!old) return old;
  const last = old.points[old.points.length - 1];
  if (last && p.at - last.at < old.intervalSec * 1000) return old;
  const since = p.at - HISTORY_MINUTES * 60_000;
  return { ...old, points: [...old.points.filter((x) => x.at >= since), p] };
}
