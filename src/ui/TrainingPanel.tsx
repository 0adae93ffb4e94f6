/** Training dashboard: data, start/pause/resume/stop, progress, live charts, backend and snapshots. */
import { useCallback, useEffect, useId, useMemo, useRef, type FocusEvent } from 'react';
import { BACKEND_ORDER, type BackendName, type EngineReady, type MetricSet } from '../protocol/messages';
import { scheduleRoll } from '../audio/schedule';
import { useAppState, usePage } from './context';
import { checkDraft, formatDuration } from './hyperForm';
import { LineChart, type ChartSeries } from './LineChart';
import { PianoRollView } from './PianoRollView';
import { pitchRange } from './rollGeometry';
import { usePlayerSnapshot } from './usePlayer';

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

/** The training section. */
export function TrainingPanel() {
  const { controller } = usePage();
  const state = useAppState((s) => s.training);
  const note = useAppState((s) => s.trainingNote);
  const progress = useAppState((s) => s.progress);
  const losses = useAppState((s) => s.losses);
  const metrics = useAppState((s) => s.metrics);
  const snapshots = useAppState((s) => s.snapshots);
  const dataset = useAppState((s) => s.dataset);
  const ownFiles = useAppState((s) => s.ownFiles);
  const draft = useAppState((s) => s.draft);
  const backend = useAppState((s) => s.backend);
  const backendNote = useAppState((s) => s.backendNote);
  const engine = useAppState((s) => s.engine);
  const engineOverride = useAppState((s) => s.engineOverride);
  const valid = useMemo(() => checkDraft(draft).ok, [draft]);
  const ownId = useId();
  const running = state === 'training' || state === 'paused';
  // Pause and Stop disable when a run ends; if the keyboard focus was on one of them, it moves to Train
  // instead of falling to the page. A blur with no next element is the disabling, not the user moving on.
  const trainButton = useRef<HTMLButtonElement>(null);
  const focusOnRunControls = useRef(false);
  const runControlFocus = {
    onFocus: () => (focusOnRunControls.current = true),
    onBlur: (event: FocusEvent) => {
      if (event.relatedTarget !== null) focusOnRunControls.current = false;
    },
  };
  useEffect(() => {
    if (running || !focusOnRunControls.current) return;
    focusOnRunControls.current = false;
    const focused = document.activeElement;
    if (focused === null || focused === document.body || (focused instanceof HTMLButtonElement && focused.disabled))
      trainButton.current?.focus({ preventScroll: true });
  }, [running]);

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
  const audition = useAppState((s) => s.audition);
  const models = useAppState((s) => s.models);
  const activeModelId = useAppState((s) => s.activeModelId);
  const active = models.find((m) => m.id === activeModelId);
  const latest = metrics.at(-1);
  const done = progress ? (progress.epoch - 1) * progress.iterationsPerEpoch + progress.iteration : 0;
  const total = progress ? progress.epochs * progress.iterationsPerEpoch : 1;

  return (
    <section className="panel" aria-labelledby="training-heading">
      <h2 id="training-heading">Training: data, progress, snapshots</h2>
      <fieldset className="dataset" disabled={running}>
        <legend>Training data</legend>
        <label>
          <input
            type="radio"
            name="dataset"
            checked={dataset === 'jsb'}
            onChange={() => controller.setDataset('jsb')}
            data-testid="dataset-jsb"
          />{' '}
          Bach chorales (JSB, downloaded once, then kept)
        </label>
        <label>
          <input
            type="radio"
            name="dataset"
            checked={dataset === 'own'}
            onChange={() => controller.setDataset('own')}
            data-testid="dataset-own"
          />{' '}
          My own MIDI files
        </label>
        {dataset === 'own' && (
          <div className="field">
            <label htmlFor={ownId}>MIDI files with a melody and accompanying voices:</label>
            <input
              id={ownId}
              type="file"
              multiple
              accept=".mid,.midi"
              data-testid="training-files-input"
              onChange={(e) => controller.setOwnFiles([...(e.target.files ?? [])])}
            />
            {ownFiles.length > 0 && <p className="hint">{ownFiles.length} file(s) chosen.</p>}
          </div>
        )}
      </fieldset>

      <div className="row buttons">
        {/* Train stays focusable while training runs (aria-disabled), so the keyboard focus does not fall to the page. */}
        <button
          type="button"
          className="primary"
          data-testid="train-button"
          ref={trainButton}
          disabled={!valid}
          aria-disabled={running}
          onClick={() => !running && void controller.train()}
          title={valid ? undefined : 'Fix the settings marked in red first'}
        >
          Train
        </button>
        <button
          type="button"
          data-testid="pause-button"
          disabled={!running}
          {...runControlFocus}
          onClick={() => (state === 'paused' ? controller.resumeTraining() : controller.pauseTraining())}
        >
          {state === 'paused' ? 'Resume' : 'Pause'}
        </button>
        <button
          type="button"
          data-testid="stop-training-button"
          disabled={!running}
          {...runControlFocus}
          onClick={() => controller.stopTraining()}
        >
          Stop
        </button>
        <span
          className="backend"
          data-testid="backend-label"
          data-backend={backend ?? ''}
          data-threads={engine?.threads ?? ''}
          data-timing={engine?.timing ? 'true' : undefined}
          title={backendNote || undefined}
        >
          Engine: {backend ?? 'starting…'}
          {engine?.threads !== undefined && ` · ${engine.threads} thread${engine.threads === 1 ? '' : 's'}`}
          {backendNote && ' (fallback)'}
        </span>
      </div>
      <EngineDetails engine={engine} override={engineOverride} disabled={running || backend === null} />
      {backendNote && <p className="hint">{backendNote}</p>}

      <div
        className="progress"
        data-testid="training-progress"
        data-state={state}
        data-epoch={progress?.epoch ?? 0}
        data-iteration={done}
        data-threads={progress?.trainingThreads ?? 0}
      >
        <progress max={total} value={done} aria-label="Training progress" />
        <p aria-live="polite">
          {progress
            ? `Epoch ${progress.epoch} of ${progress.epochs} · iteration ${progress.iteration}/${progress.iterationsPerEpoch} · ${progress.samplesPerSecond.toPrecision(2)} windows/s${progress.trainingThreads > 1 ? ` on ${progress.trainingThreads} threads` : ''} · ${formatDuration(progress.secondsLeft)} left`
            : note ||
              (state === 'idle'
                ? active?.history
                  ? `Showing how “${active.label}” was trained.`
                  : 'Not trained yet: the curves and snapshots of a run appear here.'
                : '')}
          {progress && state !== 'training' && ` · ${state}`}
        </p>
        {progress && note && <p className="hint">{note}</p>}
      </div>

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

      <h3>Snapshots</h3>
      <ul className="snapshots" data-testid="snapshot-list" data-count={snapshots.length}>
        {snapshots.length === 0 && <li className="hint">Accompaniments written during training appear here, to hear the model learn.</li>}
        {snapshots.map((s) => (
          <li key={s.epoch}>
            <button
              type="button"
              aria-pressed={audition?.epoch === s.epoch}
              onClick={() => void controller.playSnapshot(s.epoch)}
              data-testid={`snapshot-${s.epoch}`}
            >
              ▶ Epoch {s.epoch}
            </button>
          </li>
        ))}
      </ul>
      {audition && <SnapshotPlayer />}
    </section>
  );
}

/** The snapshot being heard, drawn on the melody's own pitch range, with the way back to the accompaniment. */
function SnapshotPlayer() {
  const { controller, player } = usePage();
  const audition = useAppState((s) => s.audition);
  const melody = useAppState((s) => s.melody);
  const snap = usePlayerSnapshot();
  const getPlayback = useCallback(
    () => ({ seconds: player.position, tempoBpm: player.snapshot().tempoBpm, playing: player.snapshot().state === 'playing' }),
    [player],
  );
  // The melody's range, reaching down two octaves for the voices under it: an untrained model's stray notes
  // far away would otherwise squash the picture to nothing.
  const range = useMemo(() => {
    const own = pitchRange(melody ? scheduleRoll(melody) : []);
    return { low: Math.max(0, own.low - 24), high: own.high };
  }, [melody]);
  if (!audition) return null;
  return (
    <div className="snapshot-player" data-testid="snapshot-player" data-epoch={audition.epoch}>
      <PianoRollView
        roll={audition.roll}
        label={`Snapshot after epoch ${audition.epoch}`}
        getPlayback={getPlayback}
        playing={snap.state === 'playing'}
        showPlayhead={snap.state !== 'stopped'}
        silent={[]}
        range={range}
        height={160}
        initialZoom={7}
        testId="snapshot-roll-canvas"
      />
      <div className="row buttons">
        <button
          type="button"
          onClick={() => (snap.state === 'playing' ? player.pause() : void controller.play())}
          data-testid="snapshot-play-button"
        >
          {snap.state === 'playing' ? '❚❚ Pause' : '▶ Play snapshot'}
        </button>
        <button
          type="button"
          className="primary-outline"
          onClick={() => controller.backToAccompaniment()}
          data-testid="back-to-accompaniment"
        >
          ← Back to my accompaniment
        </button>
      </div>
    </div>
  );
}

const ENGINE_HOW: Record<string, string> = {
  measured: 'fastest of those timed just now',
  cached: 'fastest when last timed in this browser',
  override: 'your choice',
};

/** The measured training rate of each engine, and the user's override of the choice. */
function EngineDetails({ engine, override, disabled }: { engine: EngineReady | null; override: BackendName | null; disabled: boolean }) {
  const selectId = useId();
  const { controller } = usePage();
  return (
    <details className="engine-details" data-testid="engine-details">
      <summary>
        Compute engine
        {engine?.timing
          ? ': started at once; timing the engines for training…'
          : engine?.how
            ? `: ${ENGINE_HOW[engine.how] ?? engine.how}`
            : ''}
      </summary>
      {engine?.rates?.length ? (
        <ul data-testid="engine-rates">
          {engine.rates.map((r) => (
            <li key={r.backend} data-backend={r.backend} data-rate={r.iterationsPerSecond ?? ''}>
              {r.backend}: {r.iterationsPerSecond === null ? 'not timed' : `${r.iterationsPerSecond.toPrecision(2)} training steps/s`}
              {r.note ? ` (${r.note})` : ''}
            </li>
          ))}
        </ul>
      ) : (
        <p className="hint">
          {engine?.timing
            ? 'Timing the engines for training in the background (or when training starts); accompaniment does not wait for it.'
            : 'No timings yet.'}
        </p>
      )}
      {engine?.width !== undefined && <p className="hint">Timed with short training steps of a width-{engine.width} model.</p>}
      <label htmlFor={selectId}>Use: </label>
      <select
        id={selectId}
        data-testid="engine-override"
        value={override ?? ''}
        disabled={disabled}
        onChange={(e) => void controller.setEngineOverride(e.target.value === '' ? null : (e.target.value as BackendName))}
      >
        <option value="">the fastest (automatic)</option>
        {BACKEND_ORDER.map((b) => (
          <option key={b} value={b}>
            {b}
          </option>
        ))}
      </select>
    </details>
  );
}
