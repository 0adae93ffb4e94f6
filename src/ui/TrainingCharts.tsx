/** The training panel's charts: the losses per iteration, and each measure per epoch against the training data. */
import { useMemo } from 'react';
import type { MetricSet } from '../protocol/messages';
import { useAppState } from './context';
import { LineChart, type ChartSeries } from './LineChart';

const LOSS_SERIES: ChartSeries[] = [
  {
    label: 'Critic loss',
    color: '#c2410c',
    description: 'how far apart the critic rates real and written parts; it shrinks as the generator learns',
  },
  {
    label: 'Generator loss',
    color: '#1f6feb',
    dash: [6, 4],
    description: 'the critic’s verdict on the written parts; steady is good, wild swings are not',
  },
];

/** What each measure is and which way is good; measures without an entry are shown with their name only. */
const MEASURE_NOTES: Partial<Record<string, string>> = {
  voiceRestRate: 'steps where the melody sounds and an accompanying voice is silent; the chorale voicing keeps it at 0, lower is better',
  chordRate: 'beats where the four voices form a triad or seventh chord; closer to the data (about 0.9 for Bach) is better',
  qualifiedNoteRate: 'notes at least half a beat long; closer to the data is better (too low means choppy parts)',
  polyphonicRate:
    'steps where one voice sounds two pitches at once; four-part chorale voices sing one note each, so the data is 0 and near 0 is good',
  inScaleRate: 'notes in the key of the melody; closer to the data (and higher) is better',
  emptyBarRate: 'bars where a voice is silent; closer to the data is better (higher means the voices drop out)',
};

const METRICS: { key: keyof MetricSet; label: string; color: string }[] = [
  { key: 'voiceRestRate', label: 'Voice rests', color: '#e5533d' },
  { key: 'chordRate', label: 'Chords on beats', color: '#1f6feb' },
  { key: 'qualifiedNoteRate', label: 'Qualified notes', color: '#2da44e' },
  { key: 'polyphonicRate', label: 'Polyphony', color: '#a371f7' },
  { key: 'inScaleRate', label: 'In scale', color: '#d29922' },
  { key: 'emptyBarRate', label: 'Empty bars', color: '#8c959f' },
];
/** Each measure gets its own small chart: the generated parts solid in its colour, the training data dashed grey. */
const METRIC_CHARTS: { key: keyof MetricSet; title: string; series: ChartSeries[] }[] = METRICS.map((m) => ({
  key: m.key,
  title: m.label,
  series: [
    { label: 'generated', color: m.color, description: MEASURE_NOTES[m.key] },
    { label: 'training data', color: '#24292f', dash: [5, 4] },
  ],
}));
const RATE_RANGE: [number, number] = [0, 1];

const fmt = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '—');

/** The loss chart, a small chart per measure, and the last epoch's measures as a table. */
export function TrainingCharts() {
  const losses = useAppState((s) => s.losses);
  const metrics = useAppState((s) => s.metrics);
  const lossData = useMemo(() => [losses.map((p) => p.iteration), losses.map((p) => p.critic), losses.map((p) => p.generator)], [losses]);
  const metricData = useMemo(
    () =>
      METRIC_CHARTS.map((c) => [
        metrics.map((m) => m.epoch),
        metrics.map((x) => x.generated[c.key]),
        metrics.map((x) => x.reference[c.key]),
      ]),
    [metrics],
  );
  const latest = metrics.at(-1);
  return (
    <>
      <LineChart
        title="Losses"
        xLabel="iteration"
        yLabel="loss (WGAN-GP)"
        series={LOSS_SERIES}
        data={lossData}
        testId="loss-chart"
        emptyText="The losses appear here after the first training step."
      />
      <div className="metric-charts" data-testid="metrics-chart" data-points={metrics.length}>
        <h3>Measures per epoch</h3>
        {metrics.length === 0 ? (
          <p className="chart-empty">Measures of the written parts, against the training data, appear after each epoch.</p>
        ) : (
          <>
            <p className="hint">Solid: the parts the model writes. Dashed: the training data. Rates from 0 to 1.</p>
            <div className="metric-grid">
              {METRIC_CHARTS.map((c, i) => (
                <LineChart
                  key={c.key}
                  title={c.title}
                  xLabel="epoch"
                  yLabel="rate"
                  series={c.series}
                  data={metricData[i]}
                  height={120}
                  yRange={RATE_RANGE}
                />
              ))}
            </div>
          </>
        )}
      </div>
      {latest && (
        <table className="metrics-table">
          <caption>After epoch {latest.epoch}</caption>
          <thead>
            <tr>
              <th scope="col">Measure</th>
              <th scope="col">Generated</th>
              <th scope="col">Training data</th>
            </tr>
          </thead>
          <tbody>
            {METRICS.map((m) => (
              <tr key={m.key}>
                <th scope="row">{m.label}</th>
                <td>{fmt(latest.generated[m.key])}</td>
                <td>{fmt(latest.reference[m.key])}</td>
              </tr>
            ))}
            <tr>
              <th scope="row">Pitch classes per bar</th>
              <td>{fmt(latest.generated.usedPitchClasses, 1)}</td>
              <td>{fmt(latest.reference.usedPitchClasses, 1)}</td>
            </tr>
            <tr>
              <th scope="row">Tonal distance</th>
              <td>{fmt(latest.generated.tonalDistance)}</td>
              <td>{fmt(latest.reference.tonalDistance)}</td>
            </tr>
          </tbody>
        </table>
      )}
    </>
  );
}
