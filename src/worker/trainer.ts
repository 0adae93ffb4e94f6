/**
 * The training worker's logic, free of `self`: it takes WorkerRequests and posts WorkerEvents through an injected
 * `post`, so it runs the same inside a Web Worker and in a Node test. Every failure becomes an 'error' event;
 * `handle` never rejects.
 */
import { TrainingDriver, type IterationReport } from '../model/driver';
import { computeMetrics } from '../music/metrics';
import { PITCHES, rollTransferables, type PianoRoll, type TrainingWindows } from '../music/pianoRoll';
import { windowMelodies, windowsToRolls } from '../music/windows';
import { checkHyperParams, type HyperParams } from '../protocol/config';
import {
  BACKEND_ORDER,
  VOICINGS,
  type BackendName,
  type MetricSet,
  type ModelFiles,
  type ModelSource,
  type TrainingState,
  type Voicing,
  type WorkerEvent,
  type WorkerRequest,
} from '../protocol/messages';
import type { BackendChoice } from './backend';
import type { EngineFactory, TrainingRun, WorkerModel } from './engine';
import { BadModelError, BadRequestError, BusyError, NoModelError, TrainerError, toTrainerError } from './errors';
import { datasetIdentity, sameDataset, type TrainerStore } from './store';

/** Sends an event to the page, moving the listed buffers instead of copying them. */
export type PostEvent = (event: WorkerEvent, transfer?: ArrayBuffer[]) => void;

/** What the handler is built from; everything with side effects is injected. */
export interface TrainerDeps {
  post: PostEvent;
  engines: EngineFactory;
  store: TrainerStore;
  /** Picks and switches to a backend (backend.ts's chooseBackend in the worker), measuring at the given model width. */
  chooseBackend?: (order: readonly BackendName[], options: { width?: number; override?: BackendName }) => Promise<BackendChoice>;
  /** Called once a backend is chosen; returns a cancel function (backend.ts's watchDeviceLoss in the worker). */
  watchDeviceLoss?: (onLost: (message: string) => void) => () => void;
  /** Objective metrics of a set of rolls; default src/music/metrics.ts's computeMetrics, null sends no 'metrics' events. */
  metrics?: ((rolls: PianoRoll[]) => MetricSet) | null;
  /** Reads a served model; defaults to fetching model.json and its weight files. */
  fetchModel?: (url: string) => Promise<ModelFiles>;
  /** Milliseconds, for the speed figures; injectable for tests. */
  now?: () => number;
}

/** How many data melodies are accompanied at each epoch end to measure the generator. */
export const METRIC_MELODIES = 16;

interface Session {
  run: TrainingRun;
  /** Counts epochs, times iterations and holds the pause and stop requests. */
  driver: TrainingDriver;
  config: HyperParams;
  data: TrainingWindows;
  snapshotMelodies: PianoRoll[];
  reference: MetricSet | undefined;
  metricMelodies: PianoRoll[];
}

/** Handles the page's requests for one worker: backend choice, training, generation, saving and loading. */
export class TrainerHandler {
  private readonly deps: TrainerDeps;
  private readonly now: (() => number) | undefined;
  private state: TrainingState = 'idle';
  private backend: BackendChoice | undefined;
  private cancelDeviceWatch: (() => void) | undefined;
  private session: Session | undefined;
  /** The model generate/save use: the training run's, or one loaded. */
  private model: WorkerModel | undefined;
  private loop: Promise<void> | undefined;
  // Engine calls are serialised so a generate request never runs in the middle of a training step.
  private engineQueue: Promise<unknown> = Promise.resolve();
  private requestQueue: Promise<void> = Promise.resolve();

  constructor(deps: TrainerDeps) {
    this.deps = deps;
    this.now = deps.now;
  }

  /** The current training state (for tests and the worker shell). */
  get trainingState(): TrainingState {
    return this.state;
  }

  /** Resolves when the training loop (if any) has ended. */
  async whenIdle(): Promise<void> {
    await this.loop;
  }

  /** Handles one request; failures are posted as 'error' events, never thrown. */
  handle(request: WorkerRequest): Promise<void> {
    const requestId = hasRequestId(request) ? request.requestId : undefined;
    // Requests are handled one after another, in the order sent: a 'pause' right after 'start' must find the run started.
    const handled = this.requestQueue.then(() => this.dispatch(request)).catch((error: unknown) => this.postError(error, requestId));
    this.requestQueue = handled;
    return handled;
  }

  /** Frees the engine; the handler is unusable afterwards. */
  dispose(): void {
    this.session?.driver.requestStop();
    this.cancelDeviceWatch?.();
    this.model?.dispose();
    this.model = undefined;
  }

  private async dispatch(request: WorkerRequest): Promise<void> {
    if (typeof request !== 'object' || request === null || typeof (request as { type?: unknown }).type !== 'string') {
      throw new BadRequestError('The worker received a message it does not understand.');
    }
    switch (request.type) {
      case 'init':
        return this.init(request.backends, request.width, request.override);
      case 'start':
        return this.start(request.config, request.data, request.snapshotMelodies, request.resume === true);
      case 'pause':
        return this.pause();
      case 'resume':
        return this.resume();
      case 'stop':
        return this.stop();
      case 'generate':
        return this.generate(request.requestId, request.melody, request.seed, request.voicing);
      case 'save':
        return this.save(request.requestId, request.target, request.name);
      case 'load':
        return this.load(request.requestId, request.source);
      case 'delete':
        return this.deleteModel(request.requestId, request.name);
      default: {
        const unknown: never = request;
        throw new BadRequestError(`The worker does not know the request "${(unknown as { type: string }).type}".`);
      }
    }
  }

  private async init(backends: BackendName[] | undefined, width?: number, override?: BackendName): Promise<void> {
    if (this.isTraining()) throw new BusyError('switch the compute engine');
    const order = backends && backends.length ? backends : [...BACKEND_ORDER];
    const unknown = [...order, ...(override === undefined ? [] : [override])].filter(
      (b) => !(BACKEND_ORDER as readonly string[]).includes(b),
    );
    if (unknown.length) throw new BadRequestError(`Unknown compute engine(s): ${unknown.join(', ')}. Use ${BACKEND_ORDER.join(', ')}.`);
    if (!this.deps.chooseBackend) throw new TrainerError('no-backend', 'This worker was built without a way to choose a compute engine.');
    const options: { width?: number; override?: BackendName } = {};
    if (width !== undefined) options.width = width;
    if (override !== undefined) options.override = override;
    const choice = await this.deps.chooseBackend(order, options);
    this.backend = choice;
    this.cancelDeviceWatch?.();
    this.cancelDeviceWatch = this.deps.watchDeviceLoss?.((message) => this.onDeviceLost(message));
    const ready: WorkerEvent = { type: 'ready', backend: choice.backend };
    if (choice.fallbackReason) ready.fallbackReason = choice.fallbackReason;
    // Optional fields are left out when empty, so a choice without measurements reads as before.
    if (choice.how !== undefined && choice.how !== 'first-working') ready.how = choice.how;
    if (choice.rates?.length) ready.rates = choice.rates;
    if (choice.threads !== undefined) ready.threads = choice.threads;
    // The width the rates were timed at; without rates there was nothing timed at any width.
    if (choice.width !== undefined && choice.rates?.length) ready.width = choice.width;
    this.deps.post(ready);
  }

  private onDeviceLost(message: string): void {
    this.session?.driver.requestStop();
    this.deps.post({
      type: 'error',
      code: 'device-lost',
      message: `The graphics device stopped working (${message}). Training continues from the last saved epoch on another engine.`,
    });
  }

  private async start(configInput: unknown, data: TrainingWindows, snapshotMelodies: PianoRoll[], resume: boolean): Promise<void> {
    if (this.isTraining()) throw new BusyError('start a new training run');
    const checked = checkHyperParams(configInput);
    if (!checked.ok) {
      throw new TrainerError(
        'bad-config',
        `Some settings are not valid: ${checked.problems.map((p) => `${p.field} ${p.message}`).join('; ')}.`,
        checked.problems,
      );
    }
    checkWindows(data);
    const melodies = Array.isArray(snapshotMelodies) ? snapshotMelodies : [];
    melodies.forEach((m, i) => checkRoll(m, `snapshot melody ${i + 1}`));
    if (!this.backend && this.deps.chooseBackend) await this.init(undefined);

    let config = checked.value;
    let completedIterations = 0;
    let run: TrainingRun;
    if (resume) {
      const checkpoint = await this.deps.store.loadCheckpoint();
      if (!checkpoint) throw new TrainerError('no-model', 'There is no saved training run to continue: start a new one.');
      if (!sameDataset(checkpoint.dataset, datasetIdentity(data))) {
        throw new BadRequestError('The saved training run used different training data: pick the same data set again, or start a new run.');
      }
      // The checkpoint's settings win (its weights were shaped by them); only the number of epochs may be raised.
      config = { ...checkpoint.config, epochs: Math.max(checkpoint.config.epochs, config.epochs) };
      completedIterations = checkpoint.completedIterations;
      run = await this.deps.engines.restoreRun(checkpoint.state, config, data, completedIterations);
    } else {
      await this.deps.store.clearCheckpoint();
      run = await this.deps.engines.newRun(config, data);
    }
    this.replaceModel(run.model);
    const driver = new TrainingDriver({ config, windowCount: data.count, completedIterations, ...(this.now ? { now: this.now } : {}) });
    this.session = { run, driver, config, data, snapshotMelodies: melodies, reference: undefined, metricMelodies: [] };
    this.setState('training');
    this.loop = this.trainLoop(this.session);
  }

  private pause(): void {
    const session = this.session;
    if (!session || !this.isTraining()) throw new BadRequestError('Nothing is training, so there is nothing to pause.');
    session.driver.requestPause();
  }

  private resume(): void {
    const session = this.session;
    if (!session || !this.isTraining())
      throw new BadRequestError('Nothing is paused, so there is nothing to resume: start training instead.');
    session.driver.resume();
  }

  private stop(): void {
    const session = this.session;
    if (!session || !this.isTraining()) return;
    session.driver.requestStop();
  }

  private async trainLoop(session: Session): Promise<void> {
    const { run, driver, config } = session;
    try {
      const outcome = await driver.run({
        trainIteration: () => this.exclusive(() => run.trainIteration()),
        afterIteration: (losses, report) =>
          this.deps.post({
            type: 'progress',
            epoch: report.epoch,
            epochs: config.epochs,
            iteration: report.iterationInEpoch,
            iterationsPerEpoch: driver.iterationsPerEpoch,
            ...losses,
            samplesPerSecond: report.samplesPerSecond,
            secondsLeft: report.secondsLeft,
            trainingThreads: run.threads,
          }),
        endEpoch: (report) => this.endEpoch(session, report),
        checkpoint: (report) => this.checkpoint(session, report),
        paused: () => this.setState('paused'),
        resumed: () => this.setState('training'),
      });
      await this.finishRun(run);
      this.setState(outcome === 'stopped' ? 'stopped' : 'done');
    } catch (error) {
      this.postError(error);
      await this.finishRun(run);
      this.setState('stopped');
    }
  }

  /** Lets a run that ended bring its model up to date and free its training threads; a failure is reported. */
  private async finishRun(run: TrainingRun): Promise<void> {
    try {
      await this.exclusive(async () => run.finish?.());
    } catch (error) {
      this.postError(error);
    }
  }

  /** Snapshot (when due) and metrics at the end of an epoch; a failure of one is reported and training goes on. */
  private async endEpoch(session: Session, report: IterationReport): Promise<void> {
    const { run, config } = session;
    const epoch = report.completedEpochs;
    if (report.snapshotDue && session.snapshotMelodies.length) {
      try {
        const rolls = await this.exclusive(() => run.model.snapshot(session.snapshotMelodies, config.seed));
        this.deps.post({ type: 'snapshot', epoch, rolls }, rolls.flatMap(rollTransferables));
      } catch (error) {
        this.postError(error);
      }
    }
    const metrics = this.deps.metrics === undefined ? computeMetrics : this.deps.metrics;
    if (metrics) {
      try {
        if (!session.reference) {
          session.reference = metrics(windowsToRolls(session.data));
          session.metricMelodies = windowMelodies(session.data, METRIC_MELODIES);
        }
        const generated = metrics(await this.exclusive(() => run.model.snapshot(session.metricMelodies, config.seed)));
        this.deps.post({ type: 'metrics', epoch, generated, reference: session.reference });
      } catch (error) {
        this.postError(error);
      }
    }
  }

  /** Saves the run in the store (at each epoch end); a failure is reported and training goes on. */
  private async checkpoint(session: Session, report: IterationReport): Promise<void> {
    const { run, config } = session;
    const epoch = report.completedEpochs;
    try {
      const state = await this.exclusive(() => run.exportState());
      await this.deps.store.saveCheckpoint({
        config,
        state,
        epoch,
        completedIterations: report.iteration,
        dataset: datasetIdentity(session.data),
        savedAt: Date.now(),
      });
      // `iteration` counts iterations since the run began, so a resumed run can be checked against it.
      this.deps.post({ type: 'checkpoint', epoch, iteration: report.iteration });
    } catch (error) {
      this.postError(
        new TrainerError(
          'internal',
          `Could not save the epoch ${epoch} checkpoint in this browser's storage (${errorText(error)}); training goes on.`,
        ),
      );
    }
  }

  private async generate(requestId: number, melody: PianoRoll, seed: number, voicing: Voicing | undefined): Promise<void> {
    const model = this.model;
    if (!model) throw new NoModelError('accompany a melody');
    checkRoll(melody, 'the melody');
    if (!Number.isFinite(seed)) throw new BadRequestError('The variation seed must be a number.');
    if (voicing !== undefined && !VOICINGS.includes(voicing))
      throw new BadRequestError(`Unknown voicing "${String(voicing)}"; use one of ${VOICINGS.join(', ')}.`);
    const roll = await this.exclusive(() => model.accompany(melody, seed, voicing));
    this.deps.post({ type: 'generated', requestId, roll }, rollTransferables(roll));
  }

  private async save(requestId: number, target: 'indexeddb' | 'files', name: string | undefined): Promise<void> {
    const model = this.model;
    if (!model) throw new NoModelError('save');
    if (target !== 'indexeddb' && target !== 'files')
      throw new BadRequestError(`A model can be saved in the browser ("indexeddb") or as files ("files"), not "${String(target)}".`);
    if (target === 'indexeddb' && !(typeof name === 'string' && name.trim()))
      throw new BadRequestError('Give the model a name to save it in the browser.');
    const files = await this.exclusive(() => model.exportModel());
    if (target === 'indexeddb') {
      await this.deps.store.saveModel((name as string).trim(), files);
      this.deps.post({ type: 'saved', requestId });
    } else {
      this.deps.post({ type: 'saved', requestId, files }, [files.weights]);
    }
  }

  private async deleteModel(requestId: number, name: string): Promise<void> {
    if (!(typeof name === 'string' && name.trim())) throw new BadRequestError('Name the saved model to delete.');
    await this.deps.store.deleteModel(name.trim());
    this.deps.post({ type: 'deleted', requestId });
  }

  private async load(requestId: number, source: ModelSource): Promise<void> {
    if (this.isTraining()) throw new BusyError('load a model');
    let files: ModelFiles;
    switch (source?.kind) {
      case 'indexeddb': {
        const stored = await this.deps.store.loadModel(source.name);
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
        files = await (this.deps.fetchModel ?? fetchModelFiles)(source.url);
        break;
      default:
        throw new BadRequestError("A model can be loaded from the browser's storage, from files, or from a web address.");
    }
    const model = await this.exclusive(() => this.deps.engines.loadModel(files));
    this.session = undefined;
    this.replaceModel(model);
    this.setState('idle');
    this.deps.post({ type: 'loaded', requestId, config: model.config });
  }

  private replaceModel(model: WorkerModel): void {
    if (this.model && this.model !== model) this.model.dispose();
    this.model = model;
  }

  private isTraining(): boolean {
    return this.state === 'training' || this.state === 'paused';
  }

  private setState(state: TrainingState): void {
    if (this.state === state) return;
    this.state = state;
    this.deps.post({ type: 'state', state });
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const result = this.engineQueue.then(task);
    this.engineQueue = result.catch(() => undefined);
    return result;
  }

  private postError(error: unknown, requestId?: number): void {
    const trainerError = toTrainerError(error);
    const event: WorkerEvent = { type: 'error', code: trainerError.code, message: trainerError.message };
    if (requestId !== undefined) event.requestId = requestId;
    if (trainerError.problems) event.problems = trainerError.problems;
    this.deps.post(event);
  }
}

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

function checkWindows(data: TrainingWindows): void {
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

function checkRoll(roll: PianoRoll, what: string): void {
  if (!roll || !(roll.active instanceof Uint8Array) || !Array.isArray(roll.tracks) || roll.tracks.length < 1) {
    throw new BadRequestError(`${capitalise(what)} is not a piano roll.`);
  }
  if (!Number.isInteger(roll.steps) || roll.steps < 1)
    throw new BadRequestError(`${capitalise(what)} is empty: it needs at least one time step.`);
  if (roll.active.length !== roll.steps * PITCHES * roll.tracks.length)
    throw new BadRequestError(`${capitalise(what)} is damaged: its notes do not match its length.`);
}

function hasRequestId(request: unknown): request is { requestId: number } {
  return typeof request === 'object' && request !== null && typeof (request as { requestId?: unknown }).requestId === 'number';
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
