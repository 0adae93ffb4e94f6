/** The hyperparameters: sliders with number fields, each explained, each validated where it is typed. */
import { useId, useMemo, type ReactNode } from 'react';
import { MODEL_SIZES } from '../protocol/config';
import { useAppState, usePage } from './context';
import { checkDraft, learningRateFromSlider, LOG_SLIDER_STEPS, sliderFromLearningRate, type FormField } from './hyperForm';

interface FieldProps {
  field: FormField;
  label: string;
  help: string;
  problem: string | undefined;
  children: (ids: { input: string; help: string; error: string }) => ReactNode;
}

function Field({ field, label, help, problem, children }: FieldProps) {
  const base = useId();
  const ids = { input: `${base}-input`, help: `${base}-help`, error: `${base}-error` };
  return (
    <div className={problem ? 'field invalid' : 'field'} data-field={field}>
      <label htmlFor={ids.input}>{label}</label>
      <div className="row">{children(ids)}</div>
      <p className="hint" id={ids.help}>
        {help}
      </p>
      {problem && (
        <p className="field-error" id={ids.error} role="alert" data-testid={`${field}-error`}>
          {label} {problem}.
        </p>
      )}
    </div>
  );
}

/** The settings section. */
export function SettingsPanel() {
  const { controller } = usePage();
  const draft = useAppState((s) => s.draft);
  const training = useAppState((s) => s.training);
  const check = useMemo(() => checkDraft(draft), [draft]);
  const problems = check.ok ? {} : check.problems;
  const locked = training === 'training' || training === 'paused';
  const set = (field: FormField) => (text: string) => controller.setField(field, text);
  const describedBy = (ids: { help: string; error: string }, field: FormField) => (problems[field] ? `${ids.help} ${ids.error}` : ids.help);

  return (
    <section className="panel" aria-labelledby="settings-heading">
      <h2 id="settings-heading">
        <span className="step-number" aria-hidden="true">
          3
        </span>{' '}
        Train your own model
      </h2>
      <fieldset disabled={locked} className="settings">
        <legend className="sr-only">Training settings</legend>
        <Field
          field="epochs"
          label="Epochs"
          problem={problems.epochs}
          help="Passes over the training data. More passes learn more, and take longer."
        >
          {(ids) => (
            <>
              <input
                type="range"
                min={1}
                max={200}
                value={Number(draft.epochs) || 1}
                onChange={(e) => set('epochs')(e.target.value)}
                aria-label="Epochs slider"
              />
              <input
                id={ids.input}
                type="number"
                className="narrow"
                value={draft.epochs}
                onChange={(e) => set('epochs')(e.target.value)}
                data-testid="epochs-input"
                aria-describedby={describedBy(ids, 'epochs')}
                aria-invalid={Boolean(problems.epochs)}
              />
            </>
          )}
        </Field>
        <Field
          field="learningRate"
          label="Learning rate"
          problem={problems.learningRate}
          help="Size of each learning step. Larger learns faster but can become unstable; smaller is steadier but slow."
        >
          {(ids) => (
            <>
              <input
                type="range"
                min={0}
                max={LOG_SLIDER_STEPS}
                value={sliderFromLearningRate(Number(draft.learningRate))}
                onChange={(e) => set('learningRate')(String(learningRateFromSlider(Number(e.target.value))))}
                aria-label="Learning rate slider (logarithmic)"
                aria-valuetext={draft.learningRate}
              />
              <input
                id={ids.input}
                type="text"
                inputMode="decimal"
                className="narrow"
                value={draft.learningRate}
                onChange={(e) => set('learningRate')(e.target.value)}
                data-testid="learning-rate-input"
                aria-describedby={describedBy(ids, 'learningRate')}
                aria-invalid={Boolean(problems.learningRate)}
              />
            </>
          )}
        </Field>
        <Field
          field="updateRatio"
          label="Critic steps per generator step"
          problem={problems.updateRatio}
          help="How often the critic trains for each generator update. Higher gives the generator better feedback, and costs time."
        >
          {(ids) => (
            <>
              <input
                type="range"
                min={1}
                max={20}
                value={Number(draft.updateRatio) || 1}
                onChange={(e) => set('updateRatio')(e.target.value)}
                aria-label="Update ratio slider"
              />
              <input
                id={ids.input}
                type="number"
                className="narrow"
                value={draft.updateRatio}
                onChange={(e) => set('updateRatio')(e.target.value)}
                data-testid="update-ratio-input"
                aria-describedby={describedBy(ids, 'updateRatio')}
                aria-invalid={Boolean(problems.updateRatio)}
              />
            </>
          )}
        </Field>
        <Field
          field="voiceLossWeight"
          label="Voice guidance"
          problem={problems.voiceLossWeight}
          help="How strongly the generator is also taught which pitch each voice of the real music sings, next to the critic's judgement. 0 is the reference's pure GAN (voices drift out of key and drop out); about 10 learns harmony much faster."
        >
          {(ids) => (
            <>
              <input
                type="range"
                min={0}
                max={50}
                value={Number(draft.voiceLossWeight) || 0}
                onChange={(e) => set('voiceLossWeight')(e.target.value)}
                aria-label="Voice guidance slider"
              />
              <input
                id={ids.input}
                type="number"
                min={0}
                step="any"
                className="narrow"
                value={draft.voiceLossWeight}
                onChange={(e) => set('voiceLossWeight')(e.target.value)}
                data-testid="voice-loss-weight-input"
                aria-describedby={describedBy(ids, 'voiceLossWeight')}
                aria-invalid={Boolean(problems.voiceLossWeight)}
              />
            </>
          )}
        </Field>
        <Field
          field="batchSize"
          label="Batch size"
          problem={problems.batchSize}
          help="Two-bar windows per step. Larger batches give smoother learning but need more memory per step."
        >
          {(ids) => (
            <input
              id={ids.input}
              type="number"
              className="narrow"
              value={draft.batchSize}
              onChange={(e) => set('batchSize')(e.target.value)}
              data-testid="batch-size-input"
              aria-describedby={describedBy(ids, 'batchSize')}
              aria-invalid={Boolean(problems.batchSize)}
            />
          )}
        </Field>
        <Field
          field="baseWidth"
          label="Model size"
          problem={problems.baseWidth}
          help="Width of both networks. Larger models can write richer parts but train much more slowly; “reference” is DeepComposer's size."
        >
          {(ids) => (
            <select
              id={ids.input}
              value={draft.baseWidth}
              onChange={(e) => set('baseWidth')(e.target.value)}
              data-testid="model-size-select"
              aria-describedby={describedBy(ids, 'baseWidth')}
            >
              {Object.entries(MODEL_SIZES).map(([name, width]) => (
                <option key={name} value={String(width)}>
                  {name} (width {width})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          field="seed"
          label="Seed"
          problem={problems.seed}
          help="Starting point of the random numbers. The same seed and settings repeat the same run; change it to try another."
        >
          {(ids) => (
            <input
              id={ids.input}
              type="number"
              className="narrow"
              value={draft.seed}
              onChange={(e) => set('seed')(e.target.value)}
              data-testid="seed-input"
              aria-describedby={describedBy(ids, 'seed')}
              aria-invalid={Boolean(problems.seed)}
            />
          )}
        </Field>
      </fieldset>
    </section>
  );
}
