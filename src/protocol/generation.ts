/**
 * The options of generation (accompanying a melody): one typed object with defaults and one validation, shared
 * by the page, the worker, the generation pipeline (src/model/generate/) and the command lines, whose flags are
 * derived from this schema (scripts/lib/generationFlags.ts). An option is declared here once, with its default
 * and its help text; the pipeline stage that uses it reads it from the resolved object.
 */
import { z } from 'zod';
import type { FieldProblem } from './config';

/**
 * How the generator's voice scores become notes: 'auto' (the default) is 'chorale' for a model of the Bach
 * chorales and 'data' for a model of the user's own music; 'chorale' decodes the three voices together into
 * chords that always sound under the melody; 'data' writes each track as the model's training data did (its
 * rests, chords, ranges, note lengths and drums); 'single' lets each voice take its own best pitch (they may rest
 * and clash); 'chords' is the reference's threshold, clusters allowed.
 */
export const DECODE_MODES = ['auto', 'chorale', 'data', 'single', 'chords'] as const;
export type DecodeMode = (typeof DECODE_MODES)[number];

/** How neighbouring 2-bar windows are joined: cross-faded over one shared bar, or laid end to end. */
export const JOIN_MODES = ['crossfade', 'tile'] as const;
export type JoinMode = (typeof JOIN_MODES)[number];

/** Named sets of chorale-decoding weights (src/model/decode.ts): 'learned' is LEARNED_DECODE_OPTIONS. */
export const DECODE_WEIGHT_SETS = ['learned'] as const;

/** The most candidates one generation decodes (each is one more run of the generator and the decoding). */
export const MAX_CANDIDATES = 16;

/** The most Gibbs sampling steps one generation takes (each is one more run of the generator). */
export const MAX_SAMPLING_STEPS = 64;

const SAMPLING_PROBLEM = `must be auto or a whole number from 0 to ${MAX_SAMPLING_STEPS}`;

const CANDIDATES_PROBLEM = `must be auto or a whole number from 1 to ${MAX_CANDIDATES}`;

const oneOf = (values: readonly string[]) => `must be one of ${values.join(', ')}`;

/** What the command lines show for an option: its help, and a word for its value. */
export interface OptionHelp {
  help: string;
  value: string;
}

export const generationOptionsSchema = z.object({
  decodeMode: z
    .enum(DECODE_MODES, { error: oneOf(DECODE_MODES) })
    .default('auto')
    .meta({
      value: 'NAME',
      help: `how the voices' scores become notes: ${DECODE_MODES.join(', ')} (auto: chorale for a chorale model, data for one of own music)`,
    } satisfies OptionHelp),
  join: z
    .enum(JOIN_MODES, { error: oneOf(JOIN_MODES) })
    .default('crossfade')
    .meta({ value: 'NAME', help: `how neighbouring 2-bar windows are joined: ${JOIN_MODES.join(', ')}` } satisfies OptionHelp),
  decodeWeights: z
    .union([z.enum(DECODE_WEIGHT_SETS), z.record(z.string(), z.number().finite())], {
      error: `must be a JSON object of numbers, e.g. {"chordBonus":0}, or ${DECODE_WEIGHT_SETS.join(', ')}`,
    })
    .default({})
    .meta({
      value: 'JSON',
      help: `chorale decoding weights over its defaults, e.g. '{"chordBonus":0}', or "learned" (fitted on the train split, sampled, ornamented)`,
    } satisfies OptionHelp),
  candidates: z
    .union([z.literal('auto'), z.number().int(CANDIDATES_PROBLEM).min(1, CANDIDATES_PROBLEM).max(MAX_CANDIDATES, CANDIDATES_PROBLEM)], {
      error: CANDIDATES_PROBLEM,
    })
    .default('auto')
    .meta({
      value: 'N',
      help: "how many variations to write: auto is as many as the model's style critic was fitted for (npm run fit-style-critic), or 1 for a model without one; with a style critic the accompaniment takes each bar from the variation it finds most like the chorales, without one the GAN's critic keeps the best whole variation (about N times the time)",
    } satisfies OptionHelp),
  samplingSteps: z
    .union([z.literal('auto'), z.number().int(SAMPLING_PROBLEM).min(0, SAMPLING_PROBLEM).max(MAX_SAMPLING_STEPS, SAMPLING_PROBLEM)], {
      error: SAMPLING_PROBLEM,
    })
    .default('auto')
    .meta({
      value: 'N',
      help: `Gibbs sampling steps for a model with voice context (trained with --voice-context): each rewrites a share of the voices from what the network writes given the rest; auto is the sampler's default, 0 keeps the first decoding (each step is one more run of the generator); a model without voice context ignores it`,
    } satisfies OptionHelp),
});

/** A complete, validated set of generation options. */
export type GenerationOptions = z.infer<typeof generationOptionsSchema>;
/** What a caller may give: any subset, the rest defaulted. */
export type GenerationOptionsInput = z.input<typeof generationOptionsSchema>;
/** The name of one option. */
export type GenerationOptionName = keyof GenerationOptions;

/** Thrown when generation options are refused; `problems` names every bad option. */
export class GenerationOptionsError extends Error {
  readonly problems: FieldProblem[];
  constructor(problems: FieldProblem[]) {
    super(`Invalid generation options: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`);
    this.name = 'GenerationOptionsError';
    this.problems = problems;
  }
}

/** The schema refusing names it does not declare (a misspelt option is an error, not a default). */
const strictSchema = generationOptionsSchema.strict();

/** Validates without throwing: either the resolved options or the list of problems. */
export function checkGenerationOptions(input: unknown): { ok: true; value: GenerationOptions } | { ok: false; problems: FieldProblem[] } {
  const result = strictSchema.safeParse(input ?? {});
  if (result.success) return { ok: true, value: result.data };
  const problems = result.error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.join('.') : issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : '(options)',
    message: issue.code === 'unrecognized_keys' ? 'is not a generation option' : issue.message,
  }));
  return { ok: false, problems };
}

/** Resolves partial options with defaults; throws GenerationOptionsError naming every bad option. */
export function resolveGenerationOptions(input: GenerationOptionsInput = {}): GenerationOptions {
  const checked = checkGenerationOptions(input);
  if (!checked.ok) throw new GenerationOptionsError(checked.problems);
  return checked.value;
}

/** The defaults, resolved: what the page, `npm run accompany` and `npm run evaluate` use unless told otherwise. */
export const DEFAULT_GENERATION_OPTIONS: GenerationOptions = resolveGenerationOptions();

/** The help of each option, as declared in the schema. */
export function generationOptionHelp(name: GenerationOptionName): OptionHelp {
  return generationOptionsSchema.shape[name].meta() as unknown as OptionHelp;
}

/**
 * The options of `input` that are valid, the others defaulted: for options saved by another version of the
 * page (an option since removed, or a value no longer allowed, is dropped rather than refusing the rest).
 */
export function keptGenerationOptions(input: unknown): GenerationOptions {
  const kept: Record<string, unknown> = {};
  if (input !== null && typeof input === 'object') {
    for (const [name, field] of Object.entries(generationOptionsSchema.shape)) {
      const value = (input as Record<string, unknown>)[name];
      if (value !== undefined && field.safeParse(value).success) kept[name] = value;
    }
  }
  return resolveGenerationOptions(kept as GenerationOptionsInput);
}
