/**
 * The shapes of what the page sends the worker (messages.ts's WorkerRequest), as zod schemas whose messages are the
 * sentences the user sees when a request is refused. The settings have their own schema (config.ts).
 */
import { z } from 'zod';
import { dataProfileProblem } from '../music/dataProfile';
import { lockProblem, type AccompanimentLock } from '../music/locks';
import { rollProblem, windowsProblem, type PianoRoll, type TrainingWindows } from '../music/pianoRoll';
import { BACKEND_ORDER } from './messages';

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

/** The user's words for what `windowsProblem` (music/pianoRoll.ts, the one check of windows) finds, or undefined. */
function windowsMessage(value: unknown): string | undefined {
  const windows = value as TrainingWindows;
  const problem = windowsProblem(windows);
  if (problem?.kind === 'not-windows') return MISSING_WINDOWS;
  if (problem?.kind === 'no-windows') return NO_WINDOWS;
  if (!Number.isInteger(windows.tracks) || windows.tracks < 2) return ONE_VOICE;
  if (problem) return `The training data is damaged: ${problem.message}.`;
  const profileProblem = windows.profile === undefined ? null : dataProfileProblem(windows.profile);
  return profileProblem ? `The training data is damaged: ${profileProblem}.` : undefined;
}

/** Training windows (music/pianoRoll.ts's TrainingWindows) whose values match their own shape. */
export const trainingWindowsSchema = z.unknown().check((ctx) => {
  const message = windowsMessage(ctx.value);
  if (message !== undefined) ctx.issues.push({ code: 'custom', message, input: ctx.value });
});

/** The user's words for what `rollProblem` (music/pianoRoll.ts, the one check of a roll) finds in `what`, or undefined. */
function rollMessage(value: unknown, what: string): string | undefined {
  const name = what.charAt(0).toUpperCase() + what.slice(1);
  const roll = value as PianoRoll;
  const problem = rollProblem(roll);
  if (problem?.kind === 'not-a-roll') return `${name} is not a piano roll.`;
  if (problem?.kind === 'bad-steps' || roll.steps < 1) return `${name} is empty: it needs at least one time step.`;
  return problem ? `${name} is damaged: its notes do not match its length.` : undefined;
}

/** A piano roll (music/pianoRoll.ts) with at least one step and notes that match its length; `what` names it in the messages. */
export function pianoRollSchema(what: string) {
  return z.unknown().check((ctx) => {
    const message = rollMessage(ctx.value, what);
    if (message !== undefined) ctx.issues.push({ code: 'custom', message, input: ctx.value });
  });
}

/**
 * The lock of a 'generate' request (src/music/locks.ts): an accompaniment of `melody`'s length whose locked cells are
 * kept (the generation checks its tracks against the model's).
 */
export function lockSchema(melody: Pick<PianoRoll, 'steps' | 'stepsPerBeat'>) {
  return z.unknown().check((ctx) => {
    const problem = lockProblem(ctx.value as AccompanimentLock, melody);
    if (problem !== null) ctx.issues.push({ code: 'custom', message: `The notes to keep do not fit: ${problem}.`, input: ctx.value });
  });
}

/** The variation seed of a 'generate' request. */
export const seedSchema = z.number({ error: 'The variation seed must be a number.' });

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
