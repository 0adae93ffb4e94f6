/** Accompany: the model picker, the one primary action (accompany), variations, and model files. */
import { useId } from 'react';
import type { DecodeMode } from '../protocol/generation';
import { DEFAULT_MODEL_ID } from './state';
import { useAppState, usePage } from './context';
import { CommitNumber } from './CommitNumber';

/** A labelled select of "Automatic" or one of `counts` (a generation option that is 'auto' or a whole number). */
function AutoCountSelect(props: {
  label: string;
  value: 'auto' | number;
  counts: readonly number[];
  name: (count: number) => string;
  onChange: (value: 'auto' | number) => void;
  disabled: boolean;
  testId: string;
  describedBy: string;
}) {
  const id = useId();
  return (
    <span className="pair">
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        value={String(props.value)}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.target.value === 'auto' ? 'auto' : Number(e.target.value))}
        data-testid={props.testId}
        aria-describedby={props.describedBy}
      >
        <option value="auto">Automatic</option>
        {props.counts.map((n) => (
          <option key={n} value={n}>
            {props.name(n)}
          </option>
        ))}
      </select>
    </span>
  );
}

/** The accompany controls (inside step 2, above the roll). */
export function AccompanyPanel() {
  const { controller } = usePage();
  const model = useAppState((s) => s.model);
  const models = useAppState((s) => s.models);
  const activeModelId = useAppState((s) => s.activeModelId);
  const melody = useAppState((s) => s.melody);
  const generating = useAppState((s) => s.generating);
  const seed = useAppState((s) => s.resultSeed);
  const result = useAppState((s) => s.result);
  const training = useAppState((s) => s.training);
  const announcement = useAppState((s) => s.announcement);
  const loadId = useId();
  const seedId = useId();
  const decodeModeId = useId();
  const generation = useAppState((s) => s.generation);
  const pickerId = useId();
  const detailId = useId();
  const busyTraining = training === 'training' || training === 'paused';
  const active = models.find((m) => m.id === activeModelId);

  return (
    <div className="accompany">
      <div className="row model-row">
        <label htmlFor={pickerId}>Model</label>
        <select
          id={pickerId}
          value={activeModelId ?? ''}
          onChange={(e) => void controller.chooseModel(e.target.value)}
          disabled={busyTraining || models.length === 0}
          aria-describedby={detailId}
          data-testid="model-select"
          data-count={models.length}
        >
          {activeModelId === null && <option value="">{model ? model.label : 'Loading…'}</option>}
          {models.map((m) => (
            <option key={m.id} value={m.id}>
              {m.label}
            </option>
          ))}
        </select>
        {active && active.id !== DEFAULT_MODEL_ID && !busyTraining && (
          <button
            type="button"
            className="small"
            onClick={() => {
              // Forgetting cannot be undone from the page, so it is asked first.
              if (
                window.confirm(
                  `Forget “${active.label}”? It leaves the list and this browser’s storage for good; save it as files first to keep a copy.`,
                )
              )
                void controller.forgetModel(active.id);
            }}
            data-testid="forget-model-button"
          >
            Forget
          </button>
        )}
      </div>
      <p className="hint" id={detailId}>
        In use:{' '}
        <strong data-testid="model-label" data-origin={model?.origin ?? ''}>
          {model ? model.label : 'none yet: train one or load one from files'}
        </strong>
        {active?.detail ? ` · ${active.detail}` : ''}
      </p>
      <div className="row buttons">
        {/* Busy buttons stay focusable (aria-disabled): a disabled button would drop the keyboard focus to the page. */}
        <button
          type="button"
          className="primary"
          data-testid="generate-button"
          disabled={!melody}
          aria-disabled={generating}
          onClick={() => !generating && void controller.generate()}
        >
          {generating ? 'Writing…' : 'Accompany my melody'}
        </button>
        <button
          type="button"
          data-testid="variation-button"
          disabled={!melody || !result}
          aria-disabled={generating}
          onClick={() => !generating && void controller.nextVariation()}
        >
          Another variation
        </button>
        <label htmlFor={seedId}>Variation</label>
        <CommitNumber
          id={seedId}
          className="narrow"
          min={0}
          value={seed}
          onCommit={(n) => void controller.generate(Math.max(0, n))}
          data-testid="variation-seed-input"
          disabled={!melody}
        />
      </div>
      <div className="row">
        <span className="pair">
          <label htmlFor={decodeModeId}>Voices</label>
          <select
            id={decodeModeId}
            value={generation.decodeMode}
            disabled={generating}
            onChange={(e) => void controller.setGenerationOptions({ decodeMode: e.target.value as DecodeMode })}
            data-testid="decode-mode-select"
            aria-describedby={`${decodeModeId}-help`}
          >
            <option value="auto">As the model learned</option>
            <option value="chorale">Chorale: always sounding, in chords</option>
            <option value="data">Your files' style</option>
            <option value="single">Independent: each voice its own best note</option>
            <option value="chords">Reference: every note above the threshold</option>
          </select>
        </span>
        <AutoCountSelect
          label="Variations"
          value={generation.candidates}
          counts={[1, 2, 4, 8, 16]}
          name={(n) => (n === 1 ? '1 (fastest)' : `${n} variations`)}
          onChange={(candidates) => void controller.setGenerationOptions({ candidates })}
          disabled={generating}
          testId="candidates-select"
          describedBy={`${decodeModeId}-help`}
        />
        <AutoCountSelect
          label="Sampling"
          value={generation.samplingSteps}
          counts={[0, 4, 8, 16, 32]}
          name={(n) => (n === 0 ? 'Off (first decoding)' : `${n} steps`)}
          onChange={(samplingSteps) => void controller.setGenerationOptions({ samplingSteps })}
          disabled={generating}
          testId="sampling-select"
          describedBy={`${decodeModeId}-help`}
        />
      </div>
      <details className="choice-help">
        <summary>What Voices, Variations and Sampling do</summary>
        <p className="hint" id={`${decodeModeId}-help`}>
          How the model's output becomes notes. As the model learned is Chorale for a model of the chorales and your files' style for a
          model of your own MIDI files. Chorale decodes alto, tenor and bass together so they sound under every melody note and form chords;
          your files' style writes each track as your files do (their rests, chords, rhythm and drums); the last two show the network's raw
          choices. Variations: the model writes several; where it has a style critic (fitted with npm run fit-style-critic), each bar comes
          from the variation the style critic finds most like Bach, and without one the model’s GAN critic keeps the best whole variation.
          Each variation costs about the time of one. Sampling, for a model whose generator reads the voices: the accompaniment is rewritten
          step by step, each time a share of its notes hidden and drawn again from what the network writes given the rest (Gibbs sampling);
          more steps take longer. A model that reads the melody only ignores it.
        </p>
      </details>
      <p className={announcement || generating ? 'announce' : 'announce idle'} role="status" aria-live="polite" data-testid="announcement">
        {generating
          ? 'Writing the accompaniment…'
          : announcement || (result ? '' : 'Press “Accompany my melody” to write the voices under your melody, then Play.')}
      </p>
      <details className="model-files">
        <summary>Model files</summary>
        <div className="row buttons">
          <button
            type="button"
            data-testid="save-model-button"
            disabled={!model || busyTraining}
            onClick={() => void controller.saveModelFiles()}
          >
            Save model as files
          </button>
          <input
            id={loadId}
            type="file"
            multiple
            accept=".json,.bin"
            className="sr-only file-input"
            data-testid="model-files-input"
            onChange={(e) => {
              void controller.loadModelFiles([...(e.target.files ?? [])]);
              e.target.value = '';
            }}
          />
          <label htmlFor={loadId} className="file-button">
            Load model files…
          </label>
        </div>
        <p className="hint">Pick both model.json and its weights file when loading; a loaded model joins the list above.</p>
      </details>
    </div>
  );
}
