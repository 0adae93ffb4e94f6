/**
 * The shapes of what the page sends the worker (messages.ts's WorkerRequest), as zod schemas whose messages are the
 * sentences the user sees when a request is refused. The settings have their own schema (config.ts).
 */
import { z } from 'zod';
import { PITCHES } from '../music/pianoRoll';
import { BACKEND_ORDER, VOICINGS } from './messages';

/** The first problem `schema` finds in `value`, as its message; undefined when `value` fits. */
export function firstProblem(schema: z.ZodType, value: unknown): string | undefined {
  const result = schema.safeParse(value);
  return result.success ? undefined : result.error.issues[0]?.message;
}

/** Any request: an object with a type. */
export const requestSchema = z.object(
  { type: z.string({ error: 'The worker received a message it does not understand.' }) },
  { error: 'The worker received a message it does not understand.' },
);

/** A request the worker answers by its id. */
export const requestIdSchema = z.object({ requestId: z.number() });

/** A compute engine's name. */
export const backendNameSchema = z.enum(BACKEND_ORDER);

const MISSING_WINDOWS = 'The training data is missing or not in the expected format.';
const NO_WINDOWS = 'The training data holds no windows: pick pieces with at least two bars.';
const ONE_VOICE = 'The training data needs a melody and at least one accompanying voice.';
const NO_LENGTH = 'The training data is damaged: its windows have no length.';

/** Training windows (music/pianoRoll.ts's TrainingWindows) whose values match their own shape. */
export const trainingWindowsSchema = z
  .object(
    {
      data: z.instanceof(Int8Array, { error: MISSING_WINDOWS }),
      count: z.number({ error: NO_WINDOWS }).int({ error: NO_WINDOWS }).min(1, { error: NO_WINDOWS }),
      tracks: z.number({ error: ONE_VOICE }).int({ error: ONE_VOICE }).min(2, { error: ONE_VOICE }),
      steps: z.number({ error: NO_LENGTH }).int({ error: NO_LENGTH }).min(1, { error: NO_LENGTH }),
    },
    { error: MISSING_WINDOWS },
  )
  .refine((w) => w.data.length === w.count * w.steps * PITCHES * w.tracks, {
    error: (issue) => {
      const w = issue.input as { data: Int8Array; count: number; steps: number; tracks: number };
      const expected = w.count * w.steps * PITCHES * w.tracks;
      return `The training data is damaged: ${w.count} windows of ${w.steps} steps and ${w.tracks} tracks should hold ${expected} values, not ${w.data.length}.`;
    },
  });

/** A piano roll (music/pianoRoll.ts) with at least one step and notes that match its length; `what` names it in the messages. */
export function pianoRollSchema(what: string) {
  const name = what.charAt(0).toUpperCase() + what.slice(1);
  const notRoll = `${name} is not a piano roll.`;
  const empty = `${name} is empty: it needs at least one time step.`;
  return z
    .object(
      {
        active: z.instanceof(Uint8Array, { error: notRoll }),
        tracks: z.array(z.unknown(), { error: notRoll }).min(1, { error: notRoll }),
        steps: z.number({ error: empty }).int({ error: empty }).min(1, { error: empty }),
      },
      { error: notRoll },
    )
    .refine((roll) => roll.active.length === roll.steps * PITCHES * roll.tracks.length, {
      error: `${name} is damaged: its notes do not match its length.`,
    });
}

/** The variation seed of a 'generate' request. */
export const seedSchema = z.number({ error: 'The variation seed must be a number.' });

/** The voicing of a 'generate' request, when given. */
export const voicingSchema = z
  .enum(VOICINGS, { error: (issue) => `Unknown voicing "${String(issue.input)}"; use one of ${VOICINGS.join(', ')}.` })
  .optional();

/** Where a 'save' request saves to. */
export const saveTargetSchema = z.enum(['indexeddb', 'files'], {
  error: (issue) => `A model can be saved in the browser ("indexeddb") or as files ("files"), not "${String(issue.input)}".`,
});

/** The name of a model saved in the browser: some text besides spaces; `message` says what it is needed for. */
export function modelNameSchema(message: string) {
  return z.string({ error: message }).trim().min(1, { error: message });
}

const BOTH_FILES = 'Pick both files of a saved model: the model.json file and its weights (.bin) file.';

/** A model the user picked as files (the 'files' kind of ModelSource). */
export const modelFilesSchema = z.object(
  { modelJson: z.string({ error: BOTH_FILES }), weights: z.instanceof(ArrayBuffer, { error: BOTH_FILES }) },
  { error: BOTH_FILES },
);
