import { useMemo } from 'react';
import type { StatsHistory, StatsSnapshot } from '../../api/types';
import { TimeSeriesChart } from '../../components/time-series-chart';
import { CHARTS, presentSeries, toAligned, type ChartDef } from './chart-data';

/** The last hour of the main figures, one small chart each. */
export function StatsCharts({ history, latest }: { history: StatsHistory; latest: StatsSnapshot | undefined }) {
  return (
    <div className="chart-grid">
      {CHARTS.map((c) => (
        <ChartCard key={c.id} chart={c} history={history} latest={latest} />
      ))}
    </div>
  );
}

function ChartCard({ chart, history, latest }: { chart: ChartDef; history: StatsHistory; latest: StatsSnapshot | undefined }) {
  // Keyed on the names present, so the chart is rebuilt only when a series appears.
  const present = presentSeries(chart, latest)
    .map((s) => s.name)
    .join(',');
  const series = useMemo(() => chart.series.filter((s) => present.split(',').includes(s.name)), [chart, present]);
  const data = useMemo(() => toAligned(history.points, series), [history.points, series]);
  const chartSeries = useMemo(() => series.map((s) => ({ label: s.label, color: s.color })), [series]);

  return (
    <section className="card chart-card" aria-labelledby={`chart-${chart.id}`}>
      <h3 id={`chart-${chart.id}`} className="card-title">
        {chart.title}
      </h3>
      {series.length === 0 ? (
        <p className="chart-empty muted">No data yet: this chart fills in once {chart.waitingFor} reports its statistics.</p>
      ) : history.points.length < 2 ? (
        <p className="chart-empty muted">Collecting data: a point is recorded every {history.intervalSec} s.</p>
      ) : (
        <TimeSeriesChart label={`${chart.title}, last hour`} series={chartSeries} data={data} />
      )}
    </section>
  );
}
