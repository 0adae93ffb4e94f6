/**
 * A live line chart (uPlot) that explains itself: axis titles with units, whole-number ticks where x counts
 * something, and a key under it with each line's style, latest value and meaning. Nothing is drawn before
 * there is data: a one-line note stands in for it.
 */
import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** One line of the chart. */
export interface ChartSeries {
  label: string;
  color: string;
  dash?: number[];
  /** One sentence: what the line measures and which way is good. */
  description?: string;
}

interface Props {
  title: string;
  xLabel: string;
  /** Title of the y axis, with its unit. */
  yLabel: string;
  series: readonly ChartSeries[];
  /** x values first, then one array per series, all the same length. */
  data: readonly (readonly number[])[];
  testId?: string;
  height?: number;
  /** Shown instead of the chart while there is no data. */
  emptyText?: string;
  /** Digits of the latest values in the key. */
  digits?: number;
  /** Fixed y range (for rates, 0..1), else fitted to the data. */
  yRange?: [number, number];
  /** A sentence the text alternative ends with, saying what is measured (for example which output of the model). */
  note?: string;
}

/** Steps between x ticks: whole numbers only, so "iteration 2.5" never shows. */
const WHOLE_INCREMENTS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000];

const format = (x: number | undefined, digits: number) => (x !== undefined && Number.isFinite(x) ? x.toFixed(digits) : '—');

/** A small picture of a line's colour and dash, for the key. */
function LineSample({ color, dash }: { color: string; dash?: number[] }) {
  return (
    <svg className="line-sample" width="28" height="10" aria-hidden="true">
      <line x1="1" y1="5" x2="27" y2="5" stroke={color} strokeWidth="2.5" strokeDasharray={dash?.join(' ')} />
    </svg>
  );
}

/** Draws `data`; the uPlot instance is made once there is data and fed new data as it arrives. */
export function LineChart({
  title,
  xLabel,
  yLabel,
  series,
  data,
  testId,
  height = 180,
  emptyText = 'No data yet.',
  digits = 2,
  yRange,
  note,
}: Props) {
  const hostRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<uPlot | null>(null);
  const points = data[0]?.length ?? 0;
  const hasData = points > 0;
  const latest = useMemo(() => series.map((_, i) => data[i + 1]?.at(-1)), [series, data]);
  const lastX = data[0]?.at(-1);

  useEffect(() => {
    const host = hostRef.current;
    if (!host || !hasData) return;
    const plot = new uPlot(
      {
        width: Math.max(160, host.clientWidth),
        height,
        // The key below replaces uPlot's legend, which shows "--" until the pointer is over the chart.
        legend: { show: false },
        cursor: { y: false },
        scales: { x: { time: false }, ...(yRange ? { y: { range: yRange } } : {}) },
        axes: [
          {
            label: xLabel,
            size: 34,
            labelSize: 18,
            incrs: WHOLE_INCREMENTS,
            values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? String(t) : '')),
          },
          { label: yLabel, size: 44, labelSize: 18 },
        ],
        series: [
          { label: xLabel },
          ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, dash: s.dash, points: { show: true, size: 4 } })),
        ],
      },
      data.map((d) => [...d]) as uPlot.AlignedData,
      host,
    );
    plotRef.current = plot;
    const observer = new ResizeObserver(() => plot.setSize({ width: Math.max(160, host.clientWidth), height }));
    observer.observe(host);
    return () => {
      observer.disconnect();
      plot.destroy();
      plotRef.current = null;
    };
    // The chart is rebuilt only when its shape changes; new data goes through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [series, xLabel, yLabel, height, hasData, yRange]);

  useEffect(() => {
    plotRef.current?.setData(data.map((d) => [...d]) as uPlot.AlignedData);
  }, [data]);

  const summary = hasData
    ? `${title}: ${yLabel} by ${xLabel}. After ${xLabel} ${lastX}: ${series.map((s, i) => `${s.label} ${format(latest[i], digits)}`).join(', ')}.${note ? ` ${note}` : ''}`
    : `${title}: ${emptyText}`;

  return (
    <figure className={hasData ? 'chart' : 'chart empty'} data-testid={testId} data-points={points}>
      <figcaption>{title}</figcaption>
      {hasData ? (
        <>
          <div ref={hostRef} className="chart-host" role="img" aria-label={summary} />
          <ul className="chart-key">
            {series.map((s, i) => (
              <li key={s.label}>
                <LineSample color={s.color} dash={s.dash} />
                <span className="key-label">{s.label}</span> <span className="key-value">{format(latest[i], digits)}</span>
                {s.description && <span className="key-help"> · {s.description}</span>}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p className="chart-empty">{emptyText}</p>
      )}
    </figure>
  );
}
