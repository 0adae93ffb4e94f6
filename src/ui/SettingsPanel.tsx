/** The hyperparameters: sliders with number fields, each explained, each validated where it is typed. */
import { useId, useMemo, type ReactNode } from 'react';
import { MODEL_SIZES } from '../protocol/config';
import { formatBytes, trainingBytes, windowsPerReplica } from '../protocol/memory';
import { MODEL_WIDTHS, type ModelWidth } from '../music/constants';
import { useAppState, usePage } from './context';
import { checkDraft, trainingThreads, learningRateFromSlider, LOG_SLIDER_STEPS, sliderFromLearningRate, type FormField } from './hyperForm';

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

/** A slider beside a number field, both setting one value; the slider position maps to the field's text. */
interface SliderProps {
  min: number;
  max: number;
  position: number;
  label: string;
  /** The field's text for a slider position (default: the position itself). */
  toText?: (position: number) => string;
  valueText?: string;
}

interface NumberSettingProps {
  field: FormField;
  label: string;
  help: string;
  testId: string;
  /** The field's text as typed (the draft). */
  value: string;
  problem: string | undefined;
  onText: (text: string) => void;
  slider?: SliderProps;
  /** A text field with a decimal keypad instead of a number field (for values like 0.0002). */
  decimal?: boolean;
  min?: number;
  step?: string;
}

/** One number setting: its label, optional slider, field, explanation and, when invalid, what is wrong. */
function NumberSetting({ field, label, help, testId, value, problem, onText, slider, decimal, min, step }: NumberSettingProps) {
  return (
    <Field field={field} label={label} problem={problem} help={help}>
      {(ids) => (
        <>
          {slider && (
            <input
              type="range"
              min={slider.min}
              max={slider.max}
              value={slider.position}
              onChange={(e) => onText((slider.toText ?? String)(Number(e.target.value)))}
              aria-label={slider.label}
              aria-valuetext={slider.valueText}
            />
          )}
          <input
            id={ids.input}
            type={decimal ? 'text' : 'number'}
            inputMode={decimal ? 'decimal' : undefined}
            min={min}
            step={step}
            className="narrow"
            value={value}
            onChange={(e) => onText(e.target.value)}
            data-testid={testId}
            aria-describedby={problem ? `${ids.help} ${ids.error}` : ids.help}
            aria-invalid={Boolean(problem)}
          />
        </>
      )}
    </Field>
  );
}

/** One setting chosen from a list: its label, select, explanation and, when invalid, what is wrong. */
function SelectSetting({
  field,
  label,
  help,
  testId,
  value,
  problem,
  onText,
  options,
}: Pick<NumberSettingProps, 'field' | 'label' | 'help' | 'testId' | 'value' | 'problem' | 'onText'> & {
  /** [value, label] of each choice. */
  options: readonly (readonly [string, string])[];
}) {
  return (
    <Field field={field} label={label} problem={problem} help={help}>
      {(ids) => (
        <select
          id={ids.input}
          value={value}
          onChange={(e) => onText(e.target.value)}
          data-testid={testId}
          aria-describedby={problem ? `${ids.help} ${ids.error}` : ids.help}
        >
          {options.map(([choice, text]) => (
            <option key={choice} value={choice}>
              {text}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** The memory a training thread needs for the draft's model and batch size, in words ("150 MB"), or "—" while they are invalid. */
function memoryEstimate(draft: { baseWidth: string; batchSize: string }, threads: number): string {
  const width = Number(draft.baseWidth) as ModelWidth;
  const batch = Number(draft.batchSize);
  if (!(MODEL_WIDTHS as readonly number[]).includes(width) || !Number.isInteger(batch) || batch < 1) return '—';
  return formatBytes(trainingBytes(width, windowsPerReplica(batch, threads)));
}

/** The settings section. */
export function SettingsPanel() {
  const { controller } = usePage();
  const draft = useAppState((s) => s.draft);
  const training = useAppState((s) => s.training);
  const threads = useAppState(trainingThreads);
  const check = useMemo(() => checkDraft(draft, threads), [draft, threads]);
  const problems = check.ok ? {} : check.problems;
  const locked = training === 'training' || training === 'paused';
  const set = (field: FormField) => (text: string) => controller.setField(field, text);
  const setting = (field: FormField & keyof typeof draft) => ({ field, value: draft[field], problem: problems[field], onText: set(field) });

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
        <NumberSetting
          {...setting('epochs')}
          label="Epochs"
          help="Passes over the training data. More passes learn more, and take longer."
          testId="epochs-input"
          slider={{ min: 1, max: 200, position: Number(draft.epochs) || 1, label: 'Epochs slider' }}
        />
        <NumberSetting
          {...setting('learningRate')}
          label="Learning rate"
          help="Size of each learning step. Larger learns faster but can become unstable; smaller is steadier but slow."
          testId="learning-rate-input"
          decimal
          slider={{
            min: 0,
            max: LOG_SLIDER_STEPS,
            position: sliderFromLearningRate(Number(draft.learningRate)),
            label: 'Learning rate slider (logarithmic)',
            toText: (position) => String(learningRateFromSlider(position)),
            valueText: draft.learningRate,
          }}
        />
        <NumberSetting
          {...setting('updateRatio')}
          label="Critic steps per generator step"
          help="How often the critic trains for each generator update. Higher gives the generator better feedback, and costs time."
          testId="update-ratio-input"
          slider={{ min: 1, max: 20, position: Number(draft.updateRatio) || 1, label: 'Update ratio slider' }}
        />
        <NumberSetting
          {...setting('voiceLossWeight')}
          label="Voice guidance"
          help="How strongly the generator is also taught which pitch each voice of the real music sings, next to the critic's judgement. 0 is the reference's pure GAN (voices drift out of key and drop out); about 10 learns harmony much faster."
          testId="voice-loss-weight-input"
          min={0}
          step="any"
          slider={{ min: 0, max: 50, position: Number(draft.voiceLossWeight) || 0, label: 'Voice guidance slider' }}
        />
        <SelectSetting
          {...setting('voiceContext')}
          label="Generator reads"
          help="Melody only is the reference's generator. Melody and voices also shows it the voices with some notes hidden, to write the hidden ones; the accompaniment is then sampled a few notes at a time (Gibbs sampling), which sounds less like a rule book and more like the music it learned."
          testId="voice-context-select"
          options={[
            ['false', 'Melody only'],
            ['true', 'Melody and voices (Gibbs sampling)'],
          ]}
        />
        <NumberSetting
          {...setting('batchSize')}
          label="Batch size"
          help={`Two-bar windows per step. Larger batches give smoother learning but need more memory per step: this model and batch need about ${memoryEstimate(draft, threads)} per training thread.`}
          testId="batch-size-input"
        />
        <SelectSetting
          {...setting('baseWidth')}
          label="Model size"
          help="Width of both networks. Larger models can write richer parts but train much more slowly; “reference” is DeepComposer's size."
          testId="model-size-select"
          options={Object.entries(MODEL_SIZES).map(([name, width]) => [String(width), `${name} (width ${width})`] as const)}
        />
        <NumberSetting
          {...setting('seed')}
          label="Seed"
          help="Starting point of the random numbers. The same seed and settings repeat the same run; change it to try another."
          testId="seed-input"
        />
      </fieldset>
    </section>
  );
}
