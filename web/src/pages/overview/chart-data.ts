import type uPlot from 'uplot';
import type { StatsPoint, StatsSnapshot } from '../../api/types';
import { readStat } from './stat-labels';

export interface SeriesDef {
  module: string;
  name: string;
  label: string;
  color: string;
  /** value: plot the figure (gauges); rate: plot its increase per minute (counters). */
  mode: 'value' | 'rate';
}

export interface ChartDef {
  id: string;
  title: string;
  /** What is missing when no series has data yet. */
  waitingFor: string;
  series: SeriesDef[];
}

export const CHARTS: ChartDef[] = [
  {
    id: 'contacts',
    title: 'Registered contacts',
    waitingFor: 'the registrar',
    series: [
      { module: 'usrloc', name: 'location-contacts', label: 'Contacts', color: 'var(--chart-1)', mode: 'value' },
      { module: 'usrloc', name: 'registered_users', label: 'Users', color: 'var(--chart-2)', mode: 'value' },
    ],
  },
  {
    id: 'registrations',
    title: 'Registrations per minute',
    waitingFor: 'the registrar',
    series: [
      { module: 'registrar', name: 'accepted_regs', label: 'Accepted', color: 'var(--chart-1)', mode: 'rate' },
      { module: 'registrar', name: 'rejected_regs', label: 'Rejected', color: 'var(--chart-bad)', mode: 'rate' },
    ],
  },
  {
    id: 'messages',
    title: 'Offline messages per minute',
    waitingFor: 'the message store (msilo)',
    series: [
      { module: 'msilo', name: 'stored_messages', label: 'Stored', color: 'var(--chart-2)', mode: 'rate' },
      { module: 'msilo', name: 'dumped_messages', label: 'Delivered', color: 'var(--chart-1)', mode: 'rate' },
      { module: 'msilo', name: 'failed_messages', label: 'Failed', color: 'var(--chart-bad)', mode: 'rate' },
    ],
  },
  {
    id: 'sip',
    title: 'SIP traffic per minute',
    waitingFor: 'the SIP core',
    series: [
      { module: 'core', name: 'rcv_requests', label: 'Requests', color: 'var(--chart-1)', mode: 'rate' },
      { module: 'core', name: 'rcv_replies', label: 'Replies', color: 'var(--chart-2)', mode: 'rate' },
    ],
  },
];

/** The series of a chart that the latest snapshot actually reports. */
export function presentSeries(chart: ChartDef, latest: StatsSnapshot | undefined): SeriesDef[] {
  return chart.series.filter((s) => readStat(latest, s.module, s.name) !== undefined);
}

/**
 * uPlot's aligned columns: x in seconds, then one column per series. A rate
 * is the increase since the previous point scaled to one minute; a counter
 * that went down (the appliance restarted) gives a gap, not a negative spike.
 */
export function toAligned(points: StatsPoint[], series: SeriesDef[]): uPlot.AlignedData {
  const xs = points.map((p) => p.at / 1000);
  const ys = series.map((s) =>
    points.map((p, i) => {
      const v = readStat(p.stats, s.module, s.name);
      if (v === undefined) return null;
      if (s.mode === 'value') return v;
      const prev = i > 0 ? points[i - 1]! : undefined;
      const pv = prev ? readStat(prev.stats, s.module, s.name) : undefined;
      if (!prev || pv === undefined || v < pv) return null;
      const minutes = (p.at - prev.at) / 60_000;
      return minutes > 0 ? (v - pv) / minutes : null;
    }),
  );
  return [xs, ...ys];
}
