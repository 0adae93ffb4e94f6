/**
 * The training panel's charts: the losses per iteration, and the measures per epoch of two things: the network
 * itself before decoding, on held-out windows (HeldOutCharts.tsx), and the decoded accompaniment against the
 * training data.
 */
import { useMemo } from 'react';
import type { MetricSet } from '../protocol/messages';
import { useAppState } from './context';
import { HeldOutCharts } from './HeldOutCharts';
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
/** What the decoded charts' solid line is called. */
const DECODED_LABEL = 'decoded accompaniment';
/** Each measure gets its own small chart: the decoded accompaniment solid in its colour, the training data dashed grey. */
const METRIC_CHARTS: { key: keyof MetricSet; title: string; series: ChartSeries[] }[] = METRICS.map((m) => ({
  key: m.key,
  title: m.label,
  series: [
    { label: DECODED_LABEL, color: m.color, description: MEASURE_NOTES[m.key] },
    { label: 'training data', color: '#24292f', dash: [5, 4] },
  ],
}));
const RATE_RANGE: [number, number] = [0, 1];
const DECODED_NOTE = 'Measured on the decoded accompaniment (chorale decoding) of data melodies.';

const fmt = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '—');

/** The loss chart, the network's charts, a small chart per measure of the decoded accompaniment, and the last epoch's measures as tables. */
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
          <p className="chart-empty">
            Measures of the network before decoding, and of the decoded accompaniment against the training data, appear after each epoch.
          </p>
        ) : (
          <>
            <h4>Network before decoding</h4>
            <HeldOutCharts metrics={metrics} />
            <h4>Decoded accompaniment</h4>
            <p className="hint">
              Solid: the {DECODED_LABEL} the model writes for data melodies. Dashed: the training data. Rates from 0 to 1. The chorale
              decoding keeps every voice sounding under the melody, one note at a time, so voice rests and polyphony stay near 0 here
              whatever the network learned: its own rests and polyphony are in the charts above.
            </p>
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
                  note={DECODED_NOTE}
                />
              ))}
            </div>
          </>
        )}
      </div>
      {latest && (
        <table className="metrics-table">
          <caption>Decoded accompaniment after epoch {latest.epoch}</caption>
          <thead>
            <tr>
              <th scope="col">Measure</th>
              <th scope="col">Decoded accompaniment</th>
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
