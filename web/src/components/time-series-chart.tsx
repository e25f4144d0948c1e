import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  /** A CSS colour or `var(--name)`, resolved against the page's theme. */
  color: string;
}

interface ChartProps {
  /** For screen readers: what the chart shows. */
  label: string;
  series: ChartSeries[];
  /** uPlot's aligned data: [x seconds[], ...one y[] per series]. */
  data: uPlot.AlignedData;
  height?: number;
  yFormat?: (v: number) => string;
}

function resolveColor(el: Element, color: string): string {
  const m = /^var\((--[\w-]+)\)$/.exec(color);
  return m ? getComputedStyle(el).getPropertyValue(m[1]!).trim() || '#888' : color;
}

/**
 * A small uPlot time-series (last hour of one figure or a few), sized to its
 * container. Created once; new points go through setData, which is cheap.
 */
export function TimeSeriesChart({ label, series, data, height = 150, yFormat }: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(data);
  latest.current = data;

  const seriesKey = series.map((s) => `${s.label}:${s.color}`).join('|');
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const axisColor = resolveColor(el, 'var(--text-muted)');
    const gridColor = resolveColor(el, 'var(--border)');
    const axis: uPlot.Axis = {
      stroke: axisColor,
      grid: { stroke: gridColor, width: 1 },
      ticks: { stroke: gridColor, width: 1, size: 4 },
      font: '11px system-ui, sans-serif',
    };
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      padding: [8, 20, 0, 0],
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      legend: { show: false },
      scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] } },
      axes: [
        {
          ...axis,
          space: 64,
          size: 30,
          values: (_u, ticks) => ticks.map((t) => new Date(t * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })),
        },
        {
          ...axis,
          size: 44,
          values: (_u, ticks) => ticks.map((v) => (yFormat ?? defaultFormat)(v)),
        },
      ],
      series: [
        { label: 'Time', value: (_u, v) => (v == null ? '—' : new Date(v * 1000).toLocaleTimeString()) },
        ...series.map((s, i) => {
          const stroke = resolveColor(el, s.color);
          return {
            label: s.label,
            stroke,
            width: 1.75,
            // Only the first series is shaded, so overlapping areas stay readable.
            fill: i === 0 && /^#[0-9a-f]{6}$/i.test(stroke) ? `${stroke}18` : undefined,
            points: { show: false },
          } satisfies uPlot.Series;
        }),
      ],
    };
    const u = new uPlot(opts, latest.current, el);
    plot.current = u;
    const ro = new ResizeObserver(() => {
      const w = el.clientWidth;
      if (w > 0 && w !== u.width) u.setSize({ width: w, height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // Series and height define the chart; data flows in through setData below.
  }, [seriesKey, height]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  const fmt = yFormat ?? defaultFormat;
  return (
    <figure className="chart-figure">
      <div ref={host} className="chart" role="img" aria-label={label} />
      <figcaption className="chart-legend" title="Latest values">
        {series.map((s, i) => {
          const v = lastValue(data[i + 1]);
          return (
            <span key={s.label} className="chart-key">
              <span className="chart-swatch" style={{ background: s.color }} aria-hidden="true" />
              {s.label}
              <strong>{v === undefined ? '—' : fmt(v)}</strong>
            </span>
          );
        })}
      </figcaption>
    </figure>
  );
}

/** Whole numbers from 10 up; one decimal below (a rate of 0.4 per minute is still news). */
function defaultFormat(v: number): string {
  return String(Math.abs(v) >= 10 ? Math.round(v) : Math.round(v * 10) / 10);
}

function lastValue(ys: uPlot.AlignedData[number] | undefined): number | undefined {
  if (!ys) return undefined;
  for (let i = ys.length - 1; i >= 0; i--) {
    const v = ys[i];
    if (typeof v === 'number') return v;
  }
  return undefined;
}
