/** What the training worker's requests bring, read and checked: served model files, training windows, piano rolls. */
import { PITCHES, type PianoRoll, type TrainingWindows } from '../music/pianoRoll';
import { BACKEND_ORDER, type BackendName, type ModelFiles, type ModelSource } from '../protocol/messages';
import { BadModelError, BadRequestError, TrainerError } from './errors';
import type { TrainerStore } from './store';

/** Downloads a served model: its JSON file, then the weight files its manifest lists (joined in order) or else `<name>.weights.bin` beside it. */
export async function fetchModelFiles(url: string, fetcher: typeof fetch = fetch): Promise<ModelFiles> {
  const response = await fetcher(url).catch((error: unknown) => {
    throw new BadModelError(`Could not download the model from ${url} (${errorText(error)}).`);
  });
  if (!response.ok) throw new BadModelError(`Could not download the model from ${url} (the server answered ${response.status}).`);
  const modelJson = await response.text();
  let manifest: { weightsManifest?: { paths?: unknown }[] };
  try {
    manifest = JSON.parse(modelJson) as typeof manifest;
  } catch {
    throw new BadModelError(`The file at ${url} is not a model.json file.`);
  }
  const base = new URL(url, typeof location === 'undefined' ? 'http://localhost/' : location.href);
  const listed = (manifest.weightsManifest ?? [])
    .flatMap((group) => (Array.isArray(group.paths) ? group.paths : []))
    .filter((p): p is string => typeof p === 'string');
  // A Cantus model file lists no weight paths: its weights lie beside it as <name>.weights.bin (model.json -> model.weights.bin).
  const fileName = base.pathname.split('/').pop() ?? 'model.json';
  const paths = listed.length ? listed : [`${fileName.replace(/\.json$/i, '') || 'model'}.weights.bin`];
  const parts: ArrayBuffer[] = [];
  for (const path of paths) {
    const weightsUrl = new URL(path, base).href;
    const weights = await fetcher(weightsUrl).catch((error: unknown) => {
      throw new BadModelError(`Could not download the model weights from ${weightsUrl} (${errorText(error)}).`);
    });
    if (!weights.ok)
      throw new BadModelError(`Could not download the model weights from ${weightsUrl} (the server answered ${weights.status}).`);
    parts.push(await weights.arrayBuffer());
  }
  const joined = new Uint8Array(parts.reduce((sum, p) => sum + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(new Uint8Array(part), offset);
    offset += part.byteLength;
  }
  return { modelJson, weights: joined.buffer };
}

export function checkWindows(data: TrainingWindows): void {
  if (!data || !(data.data instanceof Int8Array)) throw new BadRequestError('The training data is missing or not in the expected format.');
  if (!Number.isInteger(data.count) || data.count < 1)
    throw new BadRequestError('The training data holds no windows: pick pieces with at least two bars.');
  if (!Number.isInteger(data.tracks) || data.tracks < 2)
    throw new BadRequestError('The training data needs a melody and at least one accompanying voice.');
  if (data.data.length !== data.count * data.steps * PITCHES * data.tracks) {
    throw new BadRequestError(
      `The training data is damaged: ${data.count} windows of ${data.steps} steps and ${data.tracks} tracks should hold ${data.count * data.steps * PITCHES * data.tracks} values, not ${data.data.length}.`,
    );
  }
}

export function checkRoll(roll: PianoRoll, what: string): void {
  if (!roll || !(roll.active instanceof Uint8Array) || !Array.isArray(roll.tracks) || roll.tracks.length < 1) {
    throw new BadRequestError(`${capitalise(what)} is not a piano roll.`);
  }
  if (!Number.isInteger(roll.steps) || roll.steps < 1)
    throw new BadRequestError(`${capitalise(what)} is empty: it needs at least one time step.`);
  if (roll.active.length !== roll.steps * PITCHES * roll.tracks.length)
    throw new BadRequestError(`${capitalise(what)} is damaged: its notes do not match its length.`);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The files of the model `source` names: from the browser's storage, the user's files, or a web address. */
export async function modelFilesOf(
  source: ModelSource,
  store: Pick<TrainerStore, 'loadModel'>,
  fetchModel: (url: string) => Promise<ModelFiles> = fetchModelFiles,
): Promise<ModelFiles> {
  let files: ModelFiles;
  switch (source?.kind) {
    case 'indexeddb': {
      const stored = await store.loadModel(source.name);
      if (!stored) throw new TrainerError('no-model', `There is no model called "${source.name}" saved in this browser.`);
      files = stored.files;
      break;
    }
    case 'files':
      if (typeof source.modelJson !== 'string' || !(source.weights instanceof ArrayBuffer)) {
        throw new BadModelError('Pick both files of a saved model: the model.json file and its weights (.bin) file.');
      }
      files = { modelJson: source.modelJson, weights: source.weights };
      break;
    case 'url':
      files = await fetchModel(source.url);
      break;
    default:
      throw new BadRequestError("A model can be loaded from the browser's storage, from files, or from a web address.");
  }
  return files;
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

/** Whether a request carries a request id (its reply and errors name it). */
export function hasRequestId(request: unknown): request is { requestId: number } {
  return typeof request === 'object' && request !== null && typeof (request as { requestId?: unknown }).requestId === 'number';
}
