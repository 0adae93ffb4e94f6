/**
 * The hyperparameters of a training run: one typed object with defaults and one validation that
 * names every bad field at once. The resolved config is saved beside a model's weights and checked on load.
 */
import { z } from 'zod';
import { MODEL_WIDTHS } from '../music/constants';

/** Model size presets: the generator's and critic's base width (64 reproduces the reference model). */
export const MODEL_SIZES = {
  tiny: MODEL_WIDTHS[0],
  small: MODEL_WIDTHS[1],
  medium: MODEL_WIDTHS[2],
  large: MODEL_WIDTHS[3],
  reference: MODEL_WIDTHS[4],
} as const;
export type ModelSize = keyof typeof MODEL_SIZES;

const int = (min: number, max: number) =>
  z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

export const hyperParamsSchema = z.object({
  /** Passes of the critic over the training windows. */
  epochs: int(1, 100_000).default(20),
  /** Adam learning rate of both networks. */
  learningRate: z.number({ error: 'must be a number' }).gt(0, 'must be greater than 0').max(0.1, 'must be at most 0.1').default(1e-3),
  /** Critic steps per generator step. */
  updateRatio: int(1, 20).default(5),
  /** Windows per batch. */
  batchSize: int(1, 256).default(16),
  /** Base width of both networks: 64 is the reference model, smaller trains faster. */
  baseWidth: z.literal(MODEL_WIDTHS, { error: `must be one of ${MODEL_WIDTHS.join(', ')}` }).default(16),
  /** Seed of weight initialisation, batch order and noise: same seed, same run. */
  seed: int(0, 2 ** 31 - 1).default(42),
  /**
   * Weight of the voice term in the generator's loss, next to the adversarial one: for the alto, tenor and
   * bass, the cross-entropy between the generator's pitch scores at each step and the pitch that voice sings
   * in the real window (pix2pix-style guidance). 0 trains the reference's pure WGAN-GP, whose voices drift
   * out of key and drop out; about 10 makes each voice learn which pitch to sing under the melody.
   */
  voiceLossWeight: z.number({ error: 'must be a number' }).min(0, 'must be at least 0').max(1000, 'must be at most 1000').default(10),
  /**
   * The generator also reads the accompaniment voices, with parts of them hidden (Coconet-style masked voices): in
   * training each window hides a random share of its alto, tenor and bass steps and the generator learns to write the
   * hidden ones from the rest; in generation the voices are then rewritten a few steps at a time, each drawn from what
   * the network writes given the others (blocked Gibbs sampling), so the accompaniment is a sample of the music the
   * model learned rather than one best path. false: the reference's generator, which reads the melody only.
   */
  voiceContext: z.boolean({ error: 'must be true or false' }).default(false),
  /** Weight of the WGAN-GP gradient penalty. */
  gradientPenaltyWeight: z.number({ error: 'must be a number' }).min(0, 'must be at least 0').max(1000, 'must be at most 1000').default(10),
  /** Adam's beta1 and beta2 (the reference uses 0.5 and 0.9). */
  beta1: z.number({ error: 'must be a number' }).min(0, 'must be at least 0').lt(1, 'must be less than 1').default(0.5),
  beta2: z.number({ error: 'must be a number' }).min(0, 'must be at least 0').lt(1, 'must be less than 1').default(0.9),
  /** Epochs at whose end a snapshot of generated accompaniments is kept (for listening back). */
  snapshotEpochs: z.array(int(1, 100_000)).max(200, 'at most 200 snapshot epochs').default([1, 5, 10, 20]),
});

/** A complete, validated set of hyperparameters. */
export type HyperParams = z.infer<typeof hyperParamsSchema>;
/** What a caller may give: any subset, the rest defaulted. */
export type HyperParamsInput = z.input<typeof hyperParamsSchema>;

/** One bad field and what is wrong with it. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** Thrown when a config is refused; `problems` names every bad field. */
export class ConfigError extends Error {
  readonly problems: FieldProblem[];
  constructor(problems: FieldProblem[]) {
    super(`Invalid settings: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Validates without throwing: either the resolved config or the list of problems. */
export function checkHyperParams(input: unknown): { ok: true; value: HyperParams } | { ok: false; problems: FieldProblem[] } {
  const result = hyperParamsSchema.safeParse(input ?? {});
  if (result.success) return { ok: true, value: result.data };
  const problems = result.error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.join('.') : '(settings)',
    message: issue.message,
  }));
  return { ok: false, problems };
}

/** Resolves a partial config with defaults; throws ConfigError naming every bad field. */
export function resolveHyperParams(input: HyperParamsInput = {}): HyperParams {
  const checked = checkHyperParams(input);
  if (!checked.ok) throw new ConfigError(checked.problems);
  return checked.value;
}

/** The defaults, resolved. */
export const DEFAULT_HYPERPARAMS: HyperParams = resolveHyperParams({});

/** The settings that shape a model's weights: a run can start from a model's weights only where they fit. */
export type ModelShape = Pick<HyperParams, 'baseWidth' | 'voiceContext'>;

/**
 * Why a run of `run`'s settings cannot start from the weights of a model of `model`'s shape, naming the setting to
 * change; null where it can. Its size must be the model's; a model that reads the voices needs a run that does too (one
 * that reads the melody alone may start a run that reads the voices: the new input planes start at zero).
 */
export function startFromProblem(model: ModelShape, run: ModelShape): FieldProblem | null {
  if (model.baseWidth !== run.baseWidth)
    return {
      field: 'baseWidth',
      message: `The model in use has base width ${model.baseWidth}: set the model size to it to train on from that model (this run's is ${run.baseWidth}).`,
    };
  if (model.voiceContext && !run.voiceContext)
    return {
      field: 'voiceContext',
      message: 'The model in use reads the voices as well as the melody: set “Generator reads” to “Melody and voices” to train on from it.',
    };
  return null;
}
