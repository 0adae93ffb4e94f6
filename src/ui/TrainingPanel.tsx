/** Training dashboard: data, start/pause/resume/stop, progress, live charts, backend and snapshots. */
import { useId, useMemo } from 'react';
import { BACKEND_ORDER, type BackendName, type EngineReady, type MetricSet } from '../protocol/messages';
import { useAppState, usePage } from './context';
import { checkDraft, formatDuration } from './hyperForm';
import { LineChart, type ChartSeries } from './LineChart';

const LOSS_SERIES: ChartSeries[] = [
  { label: 'Critic loss', color: '#e5533d' },
  { label: 'Generator loss', color: '#1f6feb' },
];

const METRICS: { key: keyof MetricSet; label: string; color: string }[] = [
  { key: 'qualifiedNoteRate', label: 'Qualified notes', color: '#2da44e' },
  { key: 'polyphonicRate', label: 'Polyphony', color: '#a371f7' },
  { key: 'inScaleRate', label: 'In scale', color: '#d29922' },
  { key: 'emptyBarRate', label: 'Empty bars', color: '#8c959f' },
];
const METRIC_SERIES: ChartSeries[] = METRICS.flatMap((m) => [
  { label: `${m.label} (generated)`, color: m.color },
  { label: `${m.label} (data)`, color: m.color, dash: [4, 4] },
]);

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

  const lossData = useMemo(() => [losses.map((p) => p.iteration), losses.map((p) => p.critic), losses.map((p) => p.generator)], [losses]);
  const metricData = useMemo(
    () => [metrics.map((m) => m.epoch), ...METRICS.flatMap((m) => [metrics.map((x) => x.generated[m.key]), metrics.map((x) => x.reference[m.key])])],
    [metrics],
  );
  const latest = metrics.at(-1);
  const done = progress ? (progress.epoch - 1) * progress.iterationsPerEpoch + progress.iteration : 0;
  const total = progress ? progress.epochs * progress.iterationsPerEpoch : 1;

  return (
    <section className="panel" aria-labelledby="training-heading">
      <h2 id="training-heading">Train</h2>
      <fieldset className="dataset" disabled={running}>
        <legend>Training data</legend>
        <label>
          <input type="radio" name="dataset" checked={dataset === 'jsb'} onChange={() => controller.setDataset('jsb')} data-testid="dataset-jsb" /> Bach chorales (JSB, downloaded once, then kept)
        </label>
        <label>
          <input type="radio" name="dataset" checked={dataset === 'own'} onChange={() => controller.setDataset('own')} data-testid="dataset-own" /> My own MIDI files
        </label>
        {dataset === 'own' && (
          <div className="field">
            <label htmlFor={ownId}>MIDI files with a melody and accompanying voices:</label>
            <input id={ownId} type="file" multiple accept=".mid,.midi" data-testid="training-files-input" onChange={(e) => controller.setOwnFiles([...(e.target.files ?? [])])} />
            {ownFiles.length > 0 && <p className="hint">{ownFiles.length} file(s) chosen.</p>}
          </div>
        )}
      </fieldset>

      <div className="row buttons">
        <button type="button" className="primary" data-testid="train-button" disabled={running || !valid} onClick={() => void controller.train()} title={valid ? undefined : 'Fix the settings marked in red first'}>
          Train
        </button>
        <button type="button" data-testid="pause-button" disabled={!running} onClick={() => (state === 'paused' ? controller.resumeTraining() : controller.pauseTraining())}>
          {state === 'paused' ? 'Resume' : 'Pause'}
        </button>
        <button type="button" data-testid="stop-training-button" disabled={!running} onClick={() => controller.stopTraining()}>
          Stop
        </button>
        <span className="backend" data-testid="backend-label" data-backend={backend ?? ''} data-threads={engine?.threads ?? ''} title={backendNote || undefined}>
          Engine: {backend ?? 'starting…'}
          {engine?.threads !== undefined && ` · ${engine.threads} thread${engine.threads === 1 ? '' : 's'}`}
          {backendNote && ' (fallback)'}
        </span>
      </div>
      <EngineDetails engine={engine} override={engineOverride} disabled={running || backend === null} />
      {backendNote && <p className="hint">{backendNote}</p>}

      <div className="progress" data-testid="training-progress" data-state={state} data-epoch={progress?.epoch ?? 0} data-iteration={done}>
        <progress max={total} value={done} aria-label="Training progress" />
        <p aria-live="polite">
          {progress
            ? `Epoch ${progress.epoch} of ${progress.epochs} · iteration ${progress.iteration}/${progress.iterationsPerEpoch} · ${progress.samplesPerSecond.toPrecision(2)} windows/s · ${formatDuration(progress.secondsLeft)} left`
            : note || (state === 'idle' ? 'Not trained yet.' : '')}
          {progress && state !== 'training' && ` · ${state}`}
        </p>
        {progress && note && <p className="hint">{note}</p>}
      </div>

      <LineChart title="Losses (lower critic loss and a steady generator loss are good signs)" xLabel="iteration" series={LOSS_SERIES} data={lossData} testId="loss-chart" />
      <LineChart title="Measures of the generated parts (solid) against the training data (dashed)" xLabel="epoch" series={METRIC_SERIES} data={metricData} testId="metrics-chart" />
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
            <button type="button" onClick={() => {
                controller.listenToSnapshot(s.epoch);
                void controller.play();
              }} data-testid={`snapshot-${s.epoch}`}>
              ▶ Epoch {s.epoch}
            </button>
          </li>
        ))}
      </ul>
    </section>
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
      <summary>Compute engine{engine?.how ? `: ${ENGINE_HOW[engine.how] ?? engine.how}` : ''}</summary>
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
        <p className="hint">No timings yet.</p>
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
