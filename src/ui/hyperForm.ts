/**
 * The hyperparameter form's pure logic: field values as typed, their validation through
 * `checkHyperParams`, and the logarithmic learning-rate slider.
 */
import { checkHyperParams, DEFAULT_HYPERPARAMS, type HyperParams, type HyperParamsInput } from '../protocol/config';
import { memoryProblem } from '../protocol/memory';

/** The fields the page lets a musician edit. */
export const FORM_FIELDS = [
  'epochs',
  'learningRate',
  'updateRatio',
  'voiceLossWeight',
  'voiceContext',
  'batchSize',
  'baseWidth',
  'seed',
] as const;
export type FormField = (typeof FORM_FIELDS)[number];

/** The form as typed: text, so a half-typed or wrong value can be shown and explained. */
export type HyperDraft = Record<FormField, string>;

/** The draft holding the defaults. */
export function defaultDraft(): HyperDraft {
  return draftFrom(DEFAULT_HYPERPARAMS);
}

/** A draft showing a resolved config (for example one loaded with a model). */
export function draftFrom(params: HyperParams): HyperDraft {
  return {
    epochs: String(params.epochs),
    learningRate: String(params.learningRate),
    updateRatio: String(params.updateRatio),
    voiceLossWeight: String(params.voiceLossWeight),
    voiceContext: String(params.voiceContext),
    batchSize: String(params.batchSize),
    baseWidth: String(params.baseWidth),
    seed: String(params.seed),
  };
}

function parseNumber(text: string): number {
  const trimmed = text.trim();
  // Number('') is 0, which would pass silently; an empty field must say "must be a number".
  return trimmed === '' ? Number.NaN : Number(trimmed);
}

/**
 * The config the draft describes. Snapshots are kept at the default epochs that fall inside the run
 * and always at its last epoch, so even a one-epoch run leaves something to listen to.
 */
export function draftToInput(draft: HyperDraft): HyperParamsInput {
  const epochs = parseNumber(draft.epochs);
  const snapshotEpochs =
    Number.isInteger(epochs) && epochs >= 1
      ? [...new Set([...DEFAULT_HYPERPARAMS.snapshotEpochs.filter((e) => e < epochs), epochs])]
      : DEFAULT_HYPERPARAMS.snapshotEpochs;
  return {
    epochs,
    learningRate: parseNumber(draft.learningRate),
    updateRatio: parseNumber(draft.updateRatio),
    voiceLossWeight: parseNumber(draft.voiceLossWeight),
    voiceContext: draft.voiceContext === 'true',
    batchSize: parseNumber(draft.batchSize),
    baseWidth: parseNumber(draft.baseWidth) as HyperParamsInput['baseWidth'],
    seed: parseNumber(draft.seed),
    snapshotEpochs: snapshotEpochs.slice(-200),
  };
}

/** The result of checking a draft: the config, or a message per bad field. */
export type DraftCheck = { ok: true; value: HyperParams } | { ok: false; problems: Partial<Record<FormField, string>> };

/** The training threads of the engine in use: WebAssembly's threads (one replica each), else one. */
export function trainingThreads(s: { backend: string | null; engine: { threads?: number } | null }): number {
  return s.backend === 'wasm' ? Math.max(1, s.engine?.threads ?? 1) : 1;
}

/**
 * Validates the draft with the project's one validation; problems are keyed by form field. Given the training
 * threads of the engine in use (WebAssembly splits each batch between one replica per thread; other engines train
 * on one), a batch that would not fit in memory is refused too (src/protocol/memory.ts), as the worker refuses it.
 */
export function checkDraft(draft: HyperDraft, threads?: number): DraftCheck {
  const checked = checkHyperParams(draftToInput(draft));
  if (checked.ok) {
    const { baseWidth, batchSize } = checked.value;
    const problem = threads === undefined ? null : memoryProblem(baseWidth, batchSize, Math.max(1, Math.min(threads, batchSize)));
    return problem ? { ok: false, problems: { batchSize: problem } } : checked;
  }
  const problems: Partial<Record<FormField, string>> = {};
  for (const p of checked.problems) {
    const field = (FORM_FIELDS as readonly string[]).includes(p.field) ? (p.field as FormField) : 'epochs';
    problems[field] ??= p.message;
  }
  return { ok: false, problems };
}

/** Range of the learning-rate slider. */
export const LEARNING_RATE_RANGE = { min: 1e-5, max: 1e-1 } as const;
/** Positions of the learning-rate slider (its integer steps). */
export const LOG_SLIDER_STEPS = 400;

/** The learning rate at a slider position 0..LOG_SLIDER_STEPS, rounded to 2 significant digits. */
export function learningRateFromSlider(position: number): number {
  const { min, max } = LEARNING_RATE_RANGE;
  const t = Math.min(1, Math.max(0, position / LOG_SLIDER_STEPS));
  const value = min * (max / min) ** t;
  return Number(value.toPrecision(2));
}

/** The slider position of a learning rate (clamped to the slider's range). */
export function sliderFromLearningRate(rate: number): number {
  const { min, max } = LEARNING_RATE_RANGE;
  if (!(rate > 0)) return 0;
  const t = Math.log(rate / min) / Math.log(max / min);
  return Math.round(Math.min(1, Math.max(0, t)) * LOG_SLIDER_STEPS);
}

/** "2 h 05 min", "3 min 07 s" or "12 s": a duration as a musician reads it. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}
