/**
 * The training worker's logic, free of `self`: it takes WorkerRequests and posts WorkerEvents through an injected
 * `post`, so it runs the same inside a Web Worker and in a Node test. Every failure becomes an 'error' event;
 * `handle` never rejects.
 */
import type { PianoRoll } from '../music/pianoRoll';
import type { BackendName, BackendRate, MetricSet, ModelFiles, TrainingState, WorkerEvent, WorkerRequest } from '../protocol/messages';
import { requestSchema } from '../protocol/requests';
import type { BackendChoice, ChooseOptions } from './backend';
import type { HandlerContext, PostEvent } from './context';
import { EngineChoice } from './engineChoice';
import type { EngineFactory } from './engineFactory';
import { BadRequestError, BusyError, TrainerError, toTrainerError } from './errors';
import { ModelInUse } from './modelInUse';
import { backendOrderOf, hasRequestId, refuseUnless } from './requestChecks';
import type { TrainerStore } from './store';
import { TrainingRuns } from './trainingRuns';

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

/**
 * Handles the page's requests for one worker: backend choice here, training in trainingRuns.ts, the model in use
 * (generation, saving and loading) in modelInUse.ts. Requests are handled one at a time, engine calls one at a time.
 */
export class TrainerHandler {
  private readonly deps: TrainerDeps;
  /** The compute engine in use and its timing for training; undefined when the worker has no way to choose one. */
  private readonly engine: EngineChoice | undefined;
  private readonly runs: TrainingRuns;
  private readonly models: ModelInUse;
  // Engine calls are serialised so a generate request never runs in the middle of a training step.
  private engineQueue: Promise<unknown> = Promise.resolve();
  private requestQueue: Promise<void> = Promise.resolve();

  constructor(deps: TrainerDeps) {
    this.deps = deps;
    const context: HandlerContext = {
      post: deps.post,
      exclusive: (task) => this.exclusive(task),
      busy: (task) => this.busy(task),
      report: (error) => this.postError(error),
    };
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
    this.models = new ModelInUse({ context, engines: deps.engines, store: deps.store, fetchModel: deps.fetchModel });
    this.runs = new TrainingRuns({
      context,
      engines: deps.engines,
      store: deps.store,
      metrics: deps.metrics,
      now: deps.now,
      prepareEngine: (width) => this.prepareEngine(width),
      useModel: (model) => this.models.use(model),
      modelInUse: () => this.models.current,
    });
  }

  /** The current training state (for tests and the worker shell). */
  get trainingState(): TrainingState {
    return this.runs.trainingState;
  }

  /** Resolves when the training loop (if any) has ended. */
  async whenIdle(): Promise<void> {
    await this.runs.whenIdle();
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
    this.runs.requestStop();
    this.engine?.dispose();
    this.models.dispose();
  }

  private async dispatch(request: WorkerRequest): Promise<void> {
    refuseUnless(requestSchema, request);
    switch (request.type) {
      case 'init':
        return this.init(request.backends, request.width, request.override);
      case 'start':
        return this.runs.start(
          request.config,
          request.data,
          request.snapshotMelodies,
          request.resume === true,
          request.fromModelInUse === true,
        );
      case 'pause':
        return this.runs.pause();
      case 'resume':
        return this.runs.resume();
      case 'stop':
        return this.runs.stop();
      case 'generate':
        return this.models.generate(request.requestId, request.melody, request.seed, request.options, request.lock);
      case 'save':
        return this.models.save(request.requestId, request.target, request.name);
      case 'load': {
        if (this.runs.active) throw new BusyError('load a model');
        const model = await this.models.load(request.source);
        this.runs.reset();
        this.deps.post({ type: 'loaded', requestId: request.requestId, config: model.config });
        return;
      }
      case 'delete':
        return this.models.delete(request.requestId, request.name);
      default: {
        const unknown: never = request;
        throw new BadRequestError(`The worker does not know the request "${(unknown as { type: string }).type}".`);
      }
    }
  }

  private async init(backends: BackendName[] | undefined, width?: number, override?: BackendName): Promise<void> {
    if (this.runs.active) throw new BusyError('switch the compute engine');
    const order = backendOrderOf(backends, override);
    if (!this.engine) throw new TrainerError('no-backend', 'This worker was built without a way to choose a compute engine.');
    await this.engine.choose(order, width, override);
  }

  /** Before a run: an engine is chosen if none is yet, and timed for training at `width` where it still has to be. */
  private async prepareEngine(width: number): Promise<void> {
    if (this.engine && !this.engine.current) await this.init(undefined);
    await this.engine?.timed(width);
  }

  private onDeviceLost(message: string): void {
    this.runs.requestStop();
    this.deps.post({
      type: 'error',
      code: 'device-lost',
      message: `The graphics device stopped working (${message}). Training continues from the last saved epoch on another engine.`,
    });
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
