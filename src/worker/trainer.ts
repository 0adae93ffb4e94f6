/**
 * The training worker's logic, free of `self`: it takes WorkerRequests and posts WorkerEvents through an injected
 * `post`, so it runs the same inside a Web Worker and in a Node test. Every failure becomes an 'error' event;
 * `handle` never rejects.
 */
import { TrainingDriver } from '../model/driver';
import { rollTransferables, type PianoRoll, type TrainingWindows } from '../music/pianoRoll';
import { checkHyperParams } from '../protocol/config';
import { checkGenerationOptions } from '../protocol/generation';
import {
  type BackendName,
  type BackendRate,
  type MetricSet,
  type ModelFiles,
  type ModelSource,
  type TrainingState,
  type WorkerEvent,
  type WorkerRequest,
} from '../protocol/messages';
import type { BackendChoice, ChooseOptions } from './backend';
import { EngineChoice } from './engineChoice';
import type { EngineFactory, TrainingRun, WorkerModel } from './engineFactory';
import { endEpoch, saveCheckpoint, type EpochEndContext, type Session } from './epochEnd';
import { BadModelError, BadRequestError, BusyError, NoModelError, StorageError, TrainerError, toTrainerError } from './errors';
import { fetchModelFiles } from './modelFetch';
import { ModelShelf } from './modelShelf';
import { backendOrderOf, checkRoll, checkSaveTarget, checkWindows, hasRequestId } from './requestChecks';
import { datasetIdentity, sameDataset, type TrainerStore } from './store';

export { fetchModelFiles } from './modelFetch';
export { METRIC_MELODIES } from './epochEnd';

/** Sends an event to the page, moving the listed buffers instead of copying them. */
export type PostEvent = (event: WorkerEvent, transfer?: ArrayBuffer[]) => void;

/** What the handler is built from; everything with side effects is injected. */
export interface TrainerDeps {
  post: PostEvent;
  engines: EngineFactory;
  store: TrainerStore;
  /** Picks and switches to a backend (backend.ts's chooseBackend in the worker), measuring at the given model width. */
  chooseBackend?: (order: readonly BackendName[], options: ChooseOptions) => Promise<BackendChoice>;
  /** Times the engines (backend.ts's timeBackends). Given, 'init' starts an engine at once and the timing follows (engineChoice.ts). */
  timeBackends?: (order: readonly BackendName[], width: number, signal: AbortSignal) => Promise<BackendRate[] | undefined>;
  /** Called once a backend is chosen; returns a cancel function (backend.ts's watchDeviceLoss in the worker). */
  watchDeviceLoss?: (onLost: (message: string) => void) => () => void;
  /** Objective metrics of a set of rolls; default src/music/metrics.ts's computeMetrics, null sends no 'metrics' events. */
  metrics?: ((rolls: PianoRoll[]) => MetricSet) | null;
  /** Reads a served model; defaults to fetching model.json and its weight files. */
  fetchModel?: (url: string) => Promise<ModelFiles>;
  /** Milliseconds, for the speed figures; injectable for tests. */
  now?: () => number;
}

/** Handles the page's requests for one worker: backend choice, training, generation, saving and loading. */
export class TrainerHandler {
  private readonly deps: TrainerDeps;
  private readonly now: (() => number) | undefined;
  private state: TrainingState = 'idle';
  /** The compute engine in use and its timing for training; undefined when the worker has no way to choose one. */
  private readonly engine: EngineChoice | undefined;
  private session: Session | undefined;
  /** The model generate/save use: the training run's, or one loaded. */
  private model: WorkerModel | undefined;
  private loop: Promise<void> | undefined;
  // Engine calls are serialised so a generate request never runs in the middle of a training step.
  private engineQueue: Promise<unknown> = Promise.resolve();
  private requestQueue: Promise<void> = Promise.resolve();
  /** Models saved by name: in the store, or in memory where the browser refuses them. */
  private readonly shelf: ModelShelf;

  constructor(deps: TrainerDeps) {
    this.deps = deps;
    this.shelf = new ModelShelf(deps.store);
    this.now = deps.now;
    const chooseBackend = deps.chooseBackend;
    if (chooseBackend) {
      this.engine = new EngineChoice({
        chooseBackend,
        ...(deps.timeBackends ? { timeBackends: deps.timeBackends } : {}),
        ...(deps.watchDeviceLoss ? { watchDeviceLoss: deps.watchDeviceLoss } : {}),
        onDeviceLost: (message) => this.onDeviceLost(message),
        post: (event) => deps.post(event),
        exclusive: (task) => this.exclusive(task),
      });
    }
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
    this.engine?.dispose();
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
        return this.generate(request.requestId, request.melody, request.seed, request.options);
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
    const order = backendOrderOf(backends, override);
    if (!this.engine) throw new TrainerError('no-backend', 'This worker was built without a way to choose a compute engine.');
    await this.engine.choose(order, width, override);
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
    if (this.engine && !this.engine.current) await this.init(undefined);
    // Training runs on the engine timed fastest: where that is still to be timed, it is timed now.
    await this.engine?.timed(checked.value.baseWidth);

    let config = checked.value;
    let completedIterations = 0;
    let run: TrainingRun;
    if (resume) {
      const checkpoint = await this.deps.store.loadCheckpoint().catch((error: unknown) => {
        throw new StorageError('The saved training run could not be read', error, 'Start a new run instead.', false);
      });
      if (!checkpoint) throw new TrainerError('no-model', 'There is no saved training run to continue: start a new one.');
      if (!sameDataset(checkpoint.dataset, datasetIdentity(data))) {
        throw new BadRequestError('The saved training run used different training data: pick the same data set again, or start a new run.');
      }
      // The checkpoint's settings win (its weights were shaped by them); only the number of epochs may be raised.
      config = { ...checkpoint.config, epochs: Math.max(checkpoint.config.epochs, config.epochs) };
      completedIterations = checkpoint.completedIterations;
      run = await this.deps.engines.restoreRun(checkpoint.state, config, data, completedIterations);
    } else {
      // Storage that is full or blocked must not keep a new run from starting: its first checkpoint says why.
      await this.deps.store.clearCheckpoint().catch(() => undefined);
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
        endEpoch: (report) => endEpoch(this.epochContext, session, report),
        checkpoint: (report) => saveCheckpoint(this.epochContext, session, report),
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

  private async generate(requestId: number, melody: PianoRoll, seed: number, input: unknown): Promise<void> {
    const model = this.model;
    if (!model) throw new NoModelError('accompany a melody');
    checkRoll(melody, 'the melody');
    if (!Number.isFinite(seed)) throw new BadRequestError('The variation seed must be a number.');
    const options = checkGenerationOptions(input);
    if (!options.ok)
      throw new BadRequestError(`Unusable generation options: ${options.problems.map((p) => `${p.field} ${p.message}`).join('; ')}.`);
    const roll = await this.busy(() => this.exclusive(() => model.accompany(melody, seed, options.value)));
    this.deps.post({ type: 'generated', requestId, roll }, rollTransferables(roll));
  }

  private async save(requestId: number, target: 'indexeddb' | 'files', name: string | undefined): Promise<void> {
    const model = this.model;
    if (!model) throw new NoModelError('save');
    checkSaveTarget(target, name);
    const files = await this.busy(() => this.exclusive(() => model.exportModel()));
    if (target === 'indexeddb') {
      await this.shelf.save((name as string).trim(), files);
      this.deps.post({ type: 'saved', requestId });
    } else {
      this.deps.post({ type: 'saved', requestId, files }, [files.weights]);
    }
  }

  private async deleteModel(requestId: number, name: string): Promise<void> {
    if (!(typeof name === 'string' && name.trim())) throw new BadRequestError('Name the saved model to delete.');
    await this.shelf.delete(name.trim());
    this.deps.post({ type: 'deleted', requestId });
  }

  private async load(requestId: number, source: ModelSource): Promise<void> {
    if (this.isTraining()) throw new BusyError('load a model');
    let files: ModelFiles;
    switch (source?.kind) {
      case 'indexeddb':
        files = await this.shelf.load(source.name);
        break;
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
    const model = await this.busy(() => this.exclusive(() => this.deps.engines.loadModel(files)));
    this.session = undefined;
    this.replaceModel(model);
    this.setState('idle');
    this.deps.post({ type: 'loaded', requestId, config: model.config });
  }

  private replaceModel(model: WorkerModel): void {
    if (this.model && this.model !== model) this.model.dispose();
    this.model = model;
  }

  /** What the epoch-end work (epochEnd.ts) uses of this handler. */
  private get epochContext(): EpochEndContext {
    return {
      post: this.deps.post,
      store: this.deps.store,
      metrics: this.deps.metrics,
      exclusive: (task) => this.exclusive(task),
      report: (error) => this.postError(error),
    };
  }

  private isTraining(): boolean {
    return this.state === 'training' || this.state === 'paused';
  }

  private setState(state: TrainingState): void {
    if (this.state === state) return;
    this.state = state;
    this.deps.post({ type: 'state', state });
  }

  /** Runs a request's engine call; a timing of the engines in the background gives way to it (engineChoice.ts). */
  private busy<T>(task: () => Promise<T>): Promise<T> {
    return this.engine ? this.engine.whileBusy(task) : task();
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
