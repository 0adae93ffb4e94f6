/** Training dashboard: data, start/pause/resume/stop, backend and progress; the charts and snapshots have their own files. */
import { useEffect, useId, useMemo, useRef, type FocusEvent, type ReactNode } from 'react';
import { useAppState, usePage } from './context';
import { EngineDetails } from './EngineDetails';
import { checkDraft, formatDuration, trainingThreads } from './hyperForm';
import { TrainingCharts } from './TrainingCharts';
import { TrainingSnapshots } from './TrainingSnapshots';
import { ownFilesHold } from './trackRoles';
import { TrackRolesTable } from './TrackRolesTable';

/** One option of a group of radio buttons, its label beside it. */
function RadioOption(props: {
  name: string;
  checked: boolean;
  onSelect: () => void;
  testId: string;
  disabled?: boolean;
  describedBy?: string;
  children: ReactNode;
}) {
  return (
    <label>
      <input
        type="radio"
        name={props.name}
        checked={props.checked}
        disabled={props.disabled}
        onChange={props.onSelect}
        data-testid={props.testId}
        aria-describedby={props.describedBy}
      />{' '}
      {props.children}
    </label>
  );
}

/** The training section. */
export function TrainingPanel() {
  const { controller } = usePage();
  const state = useAppState((s) => s.training);
  const note = useAppState((s) => s.trainingNote);
  const progress = useAppState((s) => s.progress);
  const dataset = useAppState((s) => s.dataset);
  const trainFrom = useAppState((s) => s.trainFrom);
  const ownFiles = useAppState((s) => s.ownFiles);
  const ownFilesReading = useAppState((s) => s.ownFilesReading);
  const draft = useAppState((s) => s.draft);
  const backend = useAppState((s) => s.backend);
  const backendNote = useAppState((s) => s.backendNote);
  const engine = useAppState((s) => s.engine);
  const engineOverride = useAppState((s) => s.engineOverride);
  const threads = useAppState(trainingThreads);
  const valid = useMemo(() => checkDraft(draft, threads).ok, [draft, threads]);
  // Training waits while the own files are read or their tracks' roles cannot be trained on.
  const hold = useMemo(() => ownFilesHold({ dataset, ownFiles, ownFilesReading }), [dataset, ownFiles, ownFilesReading]);
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

  const models = useAppState((s) => s.models);
  const activeModelId = useAppState((s) => s.activeModelId);
  const active = models.find((m) => m.id === activeModelId);
  const done = progress ? (progress.epoch - 1) * progress.iterationsPerEpoch + progress.iteration : 0;
  const total = progress ? progress.epochs * progress.iterationsPerEpoch : 1;

  return (
    <section className="panel" aria-labelledby="training-heading">
      <h2 id="training-heading">Training: data, progress, snapshots</h2>
      <fieldset className="dataset" disabled={running}>
        <legend>Training data</legend>
        <RadioOption name="dataset" checked={dataset === 'jsb'} onSelect={() => controller.setDataset('jsb')} testId="dataset-jsb">
          Bach chorales (JSB, downloaded once, then kept)
        </RadioOption>
        <RadioOption name="dataset" checked={dataset === 'own'} onSelect={() => controller.setDataset('own')} testId="dataset-own">
          My own MIDI files
        </RadioOption>
        {dataset === 'own' && (
          <div className="field">
            <label htmlFor={ownId}>MIDI files with a melody and accompanying voices:</label>
            <input
              id={ownId}
              type="file"
              multiple
              accept=".mid,.midi"
              data-testid="training-files-input"
              onChange={(e) => void controller.setOwnFiles([...(e.target.files ?? [])])}
            />
            <TrackRolesTable />
          </div>
        )}
      </fieldset>
      <fieldset className="dataset" disabled={running}>
        <legend>Start from</legend>
        <RadioOption
          name="train-from"
          checked={trainFrom === 'new'}
          onSelect={() => controller.setTrainFrom('new')}
          testId="train-from-new"
        >
          New weights (from the seed)
        </RadioOption>
        <RadioOption
          name="train-from"
          checked={trainFrom === 'model'}
          disabled={!active}
          onSelect={() => controller.setTrainFrom('model')}
          testId="train-from-model"
          describedBy={`${ownId}-from`}
        >
          The model in use{active ? `: ${active.label}` : ' (none yet)'}
        </RadioOption>
        <p className="hint" id={`${ownId}-from`}>
          Trains on from its weights (fine-tuning it on this data, its optimisers afresh). Choosing it sets the model size, and for a model
          that reads the voices &ldquo;Generator reads&rdquo;, to the model&rsquo;s; the model in use stays in the list.
        </p>
      </fieldset>

      <div className="row buttons">
        {/* Train stays focusable while training runs (aria-disabled), so the keyboard focus does not fall to the page. */}
        <button
          type="button"
          className="primary"
          data-testid="train-button"
          ref={trainButton}
          disabled={!valid || hold !== null}
          aria-disabled={running}
          onClick={() => !running && void controller.train()}
          title={valid ? (hold ?? undefined) : 'Fix the settings marked in red first'}
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

      <TrainingCharts />

      <TrainingSnapshots />
    </section>
  );
}
