/**
 * The network's own measures per epoch, before any decoding, on the windows kept out of training
 * (src/music/heldOut.ts): a chart per measure, and the last epoch's figures as a table.
 */
import { useMemo } from 'react';
import { HELD_OUT_SHARE, HELD_OUT_WINDOWS, type HeldOutReference, type NetworkMeasures } from '../music/heldOut';
import type { EpochMeasures } from './state';
import { LineChart, type ChartSeries } from './LineChart';

/** What the network's line is called on every chart and in the table. */
export const NETWORK_LABEL = 'network (before decoding)';
const REAL_LABEL = 'real voices (held-out windows)';

interface HeldOutChart {
  key: keyof NetworkMeasures;
  label: string;
  yLabel: string;
  color: string;
  description: string;
}

/** The real voices' figure of a measure; the cross-entropy has none. */
const referenceOf = (reference: HeldOutReference, key: keyof NetworkMeasures): number | undefined =>
  key === 'voiceCrossEntropy' ? undefined : reference[key];

const HELD_OUT_CHARTS: HeldOutChart[] = [
  {
    key: 'voiceCrossEntropy',
    label: 'Voice cross-entropy',
    yLabel: 'nats',
    color: '#0969da',
    description: 'the training loss’s voice term: how unlikely the network finds the real alto, tenor and bass pitches; lower is better',
  },
  {
    key: 'inKeyRate',
    label: 'Best pitch in key',
    yLabel: 'rate',
    color: '#d29922',
    description:
      'steps where a real voice sounds and the pitch the network scores highest for it is in the melody’s key; closer to the real voices is better',
  },
  {
    key: 'restRate',
    label: 'Rests in the raw output',
    yLabel: 'rate',
    color: '#e5533d',
    description:
      'steps under the melody where a voice scores no pitch above 0 (a rest before decoding); closer to the real voices is better',
  },
  {
    key: 'polyphonicRate',
    label: 'Polyphony in the raw output',
    yLabel: 'rate',
    color: '#a371f7',
    description: 'steps where a voice scores two or more pitches above 0; one note per voice (the real voices) is the aim',
  },
];

const SERIES = HELD_OUT_CHARTS.map((c): ChartSeries[] => [
  { label: NETWORK_LABEL, color: c.color, description: c.description },
  ...(c.key === 'voiceCrossEntropy' ? [] : [{ label: REAL_LABEL, color: '#24292f', dash: [5, 4] }]),
]);
const RATE_RANGE: [number, number] = [0, 1];

const fmt = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '—');

/** The held-out charts and table; a note instead where the data set was too small to hold windows out. */
export function HeldOutCharts({ metrics }: { metrics: readonly EpochMeasures[] }) {
  const measured = useMemo(() => metrics.filter((m) => m.heldOut), [metrics]);
  const data = useMemo(
    () =>
      HELD_OUT_CHARTS.map((c) => [
        measured.map((m) => m.epoch),
        measured.map((m) => m.heldOut!.network[c.key]),
        ...(c.key === 'voiceCrossEntropy' ? [] : [measured.map((m) => referenceOf(m.heldOut!.reference, c.key) ?? NaN)]),
      ]),
    [measured],
  );
  const latest = measured.at(-1);
  if (!latest?.heldOut) {
    return (
      <p className="chart-empty" data-testid="held-out-none">
        The network is measured before decoding on windows kept out of training (one in {HELD_OUT_SHARE}, up to {HELD_OUT_WINDOWS}); this
        run kept none out, as its data set has fewer than {HELD_OUT_SHARE} windows.
      </p>
    );
  }
  const { windows, network, reference } = latest.heldOut;
  const note = `Measured on the network’s raw output before decoding, on ${windows} windows kept out of training.`;
  return (
    <div data-testid="held-out-charts" data-points={measured.length}>
      <p className="hint">
        The generator’s own scores on {windows} windows kept out of training, before any decoding. Solid: the {NETWORK_LABEL}. Dashed: the
        real voices of the same windows.
      </p>
      <div className="metric-grid">
        {HELD_OUT_CHARTS.map((c, i) => (
          <LineChart
            key={c.key}
            title={`${c.label}, held-out windows`}
            xLabel="epoch"
            yLabel={c.yLabel}
            series={SERIES[i]}
            data={data[i]}
            height={120}
            digits={c.key === 'voiceCrossEntropy' ? 3 : 2}
            yRange={c.yLabel === 'rate' ? RATE_RANGE : undefined}
            note={note}
          />
        ))}
      </div>
      <table className="metrics-table">
        <caption>
          Network before decoding, {windows} held-out windows, after epoch {latest.epoch}
        </caption>
        <thead>
          <tr>
            <th scope="col">Measure</th>
            <th scope="col">Network</th>
            <th scope="col">Real voices</th>
          </tr>
        </thead>
        <tbody>
          {HELD_OUT_CHARTS.map((c) => (
            <tr key={c.key}>
              <th scope="row">{c.label}</th>
              <td>{fmt(network[c.key], c.key === 'voiceCrossEntropy' ? 3 : 2)}</td>
              <td>{fmt(referenceOf(reference, c.key) ?? NaN)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
