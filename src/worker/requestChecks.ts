/** Checks of what the page sends the worker: training windows, piano rolls, request ids. */
import { rollProblem, windowsProblem, type PianoRoll, type TrainingWindows } from '../music/pianoRoll';
import { BACKEND_ORDER, type BackendName } from '../protocol/messages';
import { BadRequestError } from './errors';

/** Refuses training data that is missing or does not match its own shape (`windowsProblem`). */
export function checkWindows(data: TrainingWindows): void {
  const problem = windowsProblem(data);
  if (problem?.kind === 'not-windows') throw new BadRequestError('The training data is missing or not in the expected format.');
  if (problem?.kind === 'no-windows') throw new BadRequestError('The training data holds no windows: pick pieces with at least two bars.');
  if (!Number.isInteger(data.tracks) || data.tracks < 2)
    throw new BadRequestError('The training data needs a melody and at least one accompanying voice.');
  if (problem) throw new BadRequestError(`The training data is damaged: ${problem.message}.`);
}

/** Refuses a piano roll that is missing, empty or damaged (`rollProblem`); `what` names it in the message. */
export function checkRoll(roll: PianoRoll, what: string): void {
  const problem = rollProblem(roll);
  if (problem?.kind === 'not-a-roll') throw new BadRequestError(`${capitalise(what)} is not a piano roll.`);
  if (problem?.kind === 'bad-steps' || roll.steps < 1)
    throw new BadRequestError(`${capitalise(what)} is empty: it needs at least one time step.`);
  if (problem) throw new BadRequestError(`${capitalise(what)} is damaged: its notes do not match its length.`);
}

/** True for a request that carries a numeric request id. */
export function hasRequestId(request: unknown): request is { requestId: number } {
  return typeof request === 'object' && request !== null && typeof (request as { requestId?: unknown }).requestId === 'number';
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The text of anything thrown. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
/** The engines an 'init' may choose from (default all), checked with the user's override against the known names. */
export function backendOrderOf(backends: BackendName[] | undefined, override: BackendName | undefined): BackendName[] {
  const order = backends && backends.length ? backends : [...BACKEND_ORDER];
  const unknown = [...order, ...(override === undefined ? [] : [override])].filter(
    (b) => !(BACKEND_ORDER as readonly string[]).includes(b),
  );
  if (unknown.length) throw new BadRequestError(`Unknown compute engine(s): ${unknown.join(', ')}. Use ${BACKEND_ORDER.join(', ')}.`);
  return order;
}
/** Checks where a 'save' request saves to: the browser (with a name) or files. */
export function checkSaveTarget(target: unknown, name: unknown): void {
  if (target !== 'indexeddb' && target !== 'files')
    throw new BadRequestError(`A model can be saved in the browser ("indexeddb") or as files ("files"), not "${String(target)}".`);
  if (target === 'indexeddb' && !(typeof name === 'string' && name.trim()))
    throw new BadRequestError('Give the model a name to save it in the browser.');
}
