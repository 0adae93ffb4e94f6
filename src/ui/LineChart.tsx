/** A live line chart (uPlot) that follows its data as it grows. */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** One line of the chart. */
export interface ChartSeries {
  label: string;
  color: string;
  dash?: number[];
}

interface Props {
  title: string;
  xLabel: string;
  series: readonly ChartSeries[];
  /** x values first, then one array per series, all the same length. */
  data: readonly (readonly number[])[];
  testId?: string;
  height?: number;
}

/** Draws `data`; the uPlot instance is made once and fed new data as it arrives. */
export function LineChart({ title, xLabel, series, data, testId, height = 180 }: Props) {
  const hostRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<uPlot | null>(null);
  const points = data[0]?.length ?? 0;

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const plot = new uPlot(
      {
        width: Math.max(200, host.clientWidth),
        height,
        legend: { show: true },
        scales: { x: { time: false } },
        axes: [{ label: xLabel, size: 36 }, { size: 48 }],
        series: [{ label: xLabel }, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, dash: s.dash, points: { show: true, size: 4 } }))],
      },
      data.map((d) => [...d]) as uPlot.AlignedData,
      host,
    );
    plotRef.current = plot;
    const observer = new ResizeObserver(() => plot.setSize({ width: Math.max(200, host.clientWidth), height }));
    observer.observe(host);
    return () => {
      observer.disconnect();
      plot.destroy();
      plotRef.current = null;
    };
    // The chart is rebuilt only when its shape changes; new data goes through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [series, xLabel, height]);

  useEffect(() => {
    plotRef.current?.setData(data.map((d) => [...d]) as uPlot.AlignedData);
  }, [data]);

  return (
    <figure className="chart" data-testid={testId} data-points={points}>
      <figcaption>{title}</figcaption>
      <div ref={hostRef} className="chart-host" />
      {points === 0 && <p className="chart-empty">No data yet.</p>}
    </figure>
  );
}
