/**
 * The page's typed client for the training worker. The UI imports this (and the protocol types) only, never
 * TensorFlow.js. Requests with a `requestId` return promises settled by the matching reply; everything the worker
 * sends is also handed to `on` listeners.
 *
 * Recovery: when the worker dies (its `onerror`) or reports 'device-lost', the client tells its listeners,
 * starts a new worker on the NEXT backend of the order in use, and, if training was running or paused, sends
 * `start` again with `resume: true` once a checkpoint exists (from scratch otherwise), so training goes on from
 * the last epoch saved in IndexedDB. Requests in flight at that moment are rejected with a 'device-lost' error.
 */
import type { AccompanimentLock } from '../music/locks';
import type { PianoRoll, TrainingWindows } from '../music/pianoRoll';
import type { HyperParams, HyperParamsInput } from '../protocol/config';
import type { GenerationOptionsInput } from '../protocol/generation';
import {
  BACKEND_ORDER,
  type BackendName,
  type EngineOptions,
  type EngineReady,
  type ModelFiles,
  type ModelSource,
  type TrainingState,
  type WorkerEvent,
  type WorkerRequest,
} from '../protocol/messages';
import { TrainerError } from './errors';

export { TrainerError } from './errors';

/** The page's end of one worker: what the client needs from `Worker`, so tests can run a handler in-process. */
export interface WorkerPort {
  postMessage(message: WorkerRequest, transfer: ArrayBuffer[]): void;
  /** Registers the two callbacks: every event the worker sends, and the worker dying with a reason. */
  listen(onEvent: (event: WorkerEvent) => void, onCrash: (reason: string) => void): void;
  terminate(): void;
}

/**
 * Starts the real module worker (src/worker/worker.ts). What it sends before `listen` (an event, or its failing to
 * load) is kept and handed over then, so a worker started early (`startWorkerEarly`) loses nothing.
 */
export function createBrowserWorkerPort(): WorkerPort {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  const early: (() => void)[] = [];
  let onEvent = (event: WorkerEvent): void => void early.push(() => onEvent(event));
  let onCrash = (reason: string): void => void early.push(() => onCrash(reason));
  worker.onmessage = (event: MessageEvent<WorkerEvent>) => onEvent(event.data);
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault();
    onCrash(event.message || 'the worker failed to start or crashed');
  };
  worker.onmessageerror = () => onCrash('a message from the worker could not be read');
  return {
    postMessage: (message, transfer) => worker.postMessage(message, transfer),
    listen(eventListener, crashListener) {
      onEvent = eventListener;
      onCrash = crashListener;
      for (const deliver of early.splice(0)) deliver();
    },
    terminate: () => worker.terminate(),
  };
}

/** A worker started before the page needed it, for the first client to take (`startWorkerEarly`). */
let earlyPort: WorkerPort | undefined;

/**
 * Starts the worker now, so its script loads and compiles while the page renders and restores itself; the first
 * `TrainerClient.create()` without its own `createPort` takes it. Call once, as the page's script starts.
 */
export function startWorkerEarly(): void {
  earlyPort ??= createBrowserWorkerPort();
}

/** The worker started early, once; a new one after that (a second client, a restart after a crash). */
function browserWorkerPort(): WorkerPort {
  const port = earlyPort ?? createBrowserWorkerPort();
  earlyPort = undefined;
  return port;
}

/** Options of `TrainerClient.create`. */
export interface TrainerClientOptions {
  /** Makes a worker; default the real module worker. */
  createPort?: () => WorkerPort;
  /** Restart on the next backend after a crash or lost device; default true. */
  recover?: boolean;
}

type Reply = Extract<WorkerEvent, { type: 'generated' | 'saved' | 'loaded' | 'deleted' }>;
interface Pending {
  resolve: (event: Reply) => void;
  reject: (error: TrainerError) => void;
}

interface StartRequest {
  config: HyperParamsInput;
  data: TrainingWindows;
  snapshotMelodies: PianoRoll[];
  resume: boolean;
  fromModelInUse: boolean;
}

/** A typed, promise-based handle on the training worker, with crash recovery. */
export class TrainerClient {
  private readonly createPort: () => WorkerPort;
  private readonly recoverEnabled: boolean;
  private port: WorkerPort;
  private generation = 0;
  private readonly listeners = new Set<(event: WorkerEvent) => void>();
  private readonly pending = new Map<number, Pending>();
  private nextRequestId = 1;
  private pendingInit: { resolve: (ready: EngineReady) => void; reject: (error: TrainerError) => void } | undefined;
  private initOptions: EngineOptions = {};
  private backendOrder: BackendName[] = [...BACKEND_ORDER];
  private backend: BackendName | undefined;
  private state: TrainingState = 'idle';
  private lastStart: StartRequest | undefined;
  private checkpointSeen = false;
  private recovering = false;
  private disposed = false;

  private constructor(options: TrainerClientOptions) {
    this.createPort = options.createPort ?? browserWorkerPort;
    this.recoverEnabled = options.recover ?? true;
    this.port = this.connect();
  }

  /** Starts a worker and returns its client; call `init` next. */
  static create(options: TrainerClientOptions = {}): TrainerClient {
    return new TrainerClient(options);
  }

  /** The backend the worker reported in its last 'ready' event. */
  get currentBackend(): BackendName | undefined {
    return this.backend;
  }

  /** The training state from the worker's last 'state' event. */
  get trainingState(): TrainingState {
    return this.state;
  }

  /** Calls `listener` with every event (replies included); returns the function that unsubscribes it. */
  on(listener: (event: WorkerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Picks the backend among `backends` (default BACKEND_ORDER): `options.override` when it works, else the fastest
   * by measured training rate at model width `options.width`; rejects with a 'no-backend' TrainerError.
   */
  init(backends?: BackendName[], options: EngineOptions = {}): Promise<EngineReady> {
    this.backendOrder = backends && backends.length ? [...backends] : [...BACKEND_ORDER];
    this.initOptions = options;
    return this.sendInit(this.backendOrder);
  }

  /**
   * Trains on `data` (or continues the saved checkpoint when `resume`), from seeded weights or, with `fromModelInUse`,
   * from the model in use. The data is copied, not transferred: the client keeps it to restart training after a crash.
   */
  start(config: HyperParamsInput, data: TrainingWindows, snapshotMelodies: PianoRoll[], resume = false, fromModelInUse = false): void {
    this.lastStart = { config, data, snapshotMelodies, resume, fromModelInUse };
    this.checkpointSeen = false;
    this.send({ type: 'start', config, data, snapshotMelodies, resume, ...(fromModelInUse ? { fromModelInUse } : {}) });
  }

  /** Pauses after the iteration in progress; the worker confirms with a 'state' event. */
  pause(): void {
    this.send({ type: 'pause' });
  }

  /** Continues a paused run. */
  resume(): void {
    this.send({ type: 'resume' });
  }

  /** Ends training after the iteration in progress; the model stays usable for generate and save. */
  stop(): void {
    this.send({ type: 'stop' });
  }

  /**
   * Accompanies a one-track melody of any length with `options` (defaults for what it leaves out), keeping `lock`'s cells
   * where given. The melody and the lock are copied, so the caller keeps them intact.
   */
  async generate(melody: PianoRoll, seed: number, options?: GenerationOptionsInput, lock?: AccompanimentLock | null): Promise<PianoRoll> {
    const reply = await this.request<'generated'>((requestId) => ({
      type: 'generate',
      requestId,
      melody,
      seed,
      ...(options ? { options } : {}),
      ...(lock ? { lock } : {}),
    }));
    return reply.roll;
  }

  /** Saves the model in the browser under `name` (resolves to undefined), or returns it as files. */
  async save(target: 'indexeddb' | 'files', name?: string): Promise<ModelFiles | undefined> {
    const reply = await this.request<'saved'>((requestId) => {
      const message: WorkerRequest = { type: 'save', requestId, target };
      if (name !== undefined) message.name = name;
      return message;
    });
    return reply.files;
  }

  /** Loads a saved model and resolves to its settings. Files' weights are transferred to the worker. */
  async load(source: ModelSource): Promise<HyperParams> {
    const transfer = source.kind === 'files' ? [source.weights] : [];
    const reply = await this.request<'loaded'>((requestId) => ({ type: 'load', requestId, source }), transfer);
    return reply.config;
  }

  /** Deletes the model saved in the browser under `name` (resolves also when there was none). */
  async deleteSaved(name: string): Promise<void> {
    await this.request<'deleted'>((requestId) => ({ type: 'delete', requestId, name }));
  }

  /** Ends the worker; pending requests are rejected. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.generation++;
    this.port.terminate();
    this.rejectAll(new TrainerError('internal', 'The training engine was closed.'));
    this.listeners.clear();
  }

  private connect(): WorkerPort {
    const port = this.createPort();
    const generation = ++this.generation;
    port.listen(
      (event) => {
        if (generation === this.generation) this.onEvent(event);
      },
      (reason) => {
        if (generation !== this.generation) return;
        if (this.recovering) {
          this.pendingInit?.reject(new TrainerError('device-lost', reason));
          this.pendingInit = undefined;
        } else {
          void this.recover(reason, true);
        }
      },
    );
    return port;
  }

  private sendInit(order: BackendName[]): Promise<EngineReady> {
    this.pendingInit?.reject(new TrainerError('bad-request', 'A newer request to choose the compute engine replaced this one.'));
    return new Promise((resolve, reject) => {
      this.pendingInit = { resolve, reject };
      const request: Extract<WorkerRequest, { type: 'init' }> = { type: 'init', backends: order };
      if (this.initOptions.width !== undefined) request.width = this.initOptions.width;
      // After a crash the order moves on past the failed backend; an override naming it no longer applies.
      if (this.initOptions.override !== undefined && order.includes(this.initOptions.override))
        request.override = this.initOptions.override;
      this.send(request);
    });
  }

  private send(message: WorkerRequest, transfer: ArrayBuffer[] = []): void {
    if (this.disposed) throw new TrainerError('internal', 'The training engine was closed.');
    this.port.postMessage(message, transfer);
  }

  private request<T extends Reply['type']>(
    build: (requestId: number) => WorkerRequest,
    transfer: ArrayBuffer[] = [],
  ): Promise<Extract<Reply, { type: T }>> {
    const requestId = this.nextRequestId++;
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve: resolve as (event: Reply) => void, reject });
      try {
        this.send(build(requestId), transfer);
      } catch (error) {
        this.pending.delete(requestId);
        reject(error instanceof TrainerError ? error : new TrainerError('internal', String(error)));
      }
    });
  }

  private onEvent(event: WorkerEvent): void {
    switch (event.type) {
      case 'ready': {
        this.backend = event.backend;
        const { type: _type, ...ready } = event;
        void _type;
        this.pendingInit?.resolve(ready);
        this.pendingInit = undefined;
        break;
      }
      case 'state':
        this.state = event.state;
        break;
      case 'checkpoint':
        // Only a stored checkpoint can be continued by a restarted worker.
        if (!event.unsaved) this.checkpointSeen = true;
        break;
      case 'generated':
      case 'saved':
      case 'loaded':
      case 'deleted':
        this.settle(event.requestId, (p) => p.resolve(event));
        break;
      case 'error':
        if (event.requestId !== undefined) {
          this.settle(event.requestId, (p) => p.reject(TrainerError.fromEvent(event)));
        } else if (this.pendingInit) {
          this.pendingInit.reject(TrainerError.fromEvent(event));
          this.pendingInit = undefined;
        }
        break;
      default:
        break;
    }
    for (const listener of this.listeners) listener(event);
    if (event.type === 'error' && event.code === 'device-lost') void this.recover(event.message, false);
  }

  private settle(requestId: number, action: (pending: Pending) => void): void {
    const pending = this.pending.get(requestId);
    if (!pending) return;
    this.pending.delete(requestId);
    action(pending);
  }

  private rejectAll(error: TrainerError): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
    this.pendingInit?.reject(error);
    this.pendingInit = undefined;
  }

  private emit(event: WorkerEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /**
   * Replaces a dead worker with one on the next backend and continues training from the last checkpoint.
   * A page's `init` still waiting when the worker died is answered by the replacement's 'ready'.
   */
  private async recover(reason: string, crashed: boolean): Promise<void> {
    if (this.disposed || this.recovering) return;
    if (!this.recoverEnabled) {
      if (crashed) this.emit({ type: 'error', code: 'device-lost', message: `The training engine stopped: ${reason}.` });
      return;
    }
    const wasTraining = this.state === 'training' || this.state === 'paused';
    const wasPaused = this.state === 'paused';
    const waitingInit = this.pendingInit;
    this.pendingInit = undefined;
    this.recovering = true;
    try {
      let failedBackend = this.backend;
      let why = reason;
      let announce = crashed;
      for (;;) {
        const failedAt = failedBackend ? this.backendOrder.indexOf(failedBackend) : 0;
        const next = this.backendOrder.slice(Math.max(failedAt, 0) + 1);
        this.generation++;
        this.port.terminate();
        this.rejectAll(new TrainerError('device-lost', `The training engine stopped (${why}) before answering; please try again.`));
        this.backend = undefined;
        if (!next.length) {
          this.state = 'stopped';
          const error = new TrainerError('no-backend', `The training engine stopped (${why}) and no other compute engine is left to try.`);
          this.emit({ type: 'error', code: error.code, message: error.message });
          waitingInit?.reject(error);
          return;
        }
        if (announce) {
          const plan = wasTraining ? ' and continuing training from the last saved epoch' : '';
          this.emit({
            type: 'error',
            code: 'device-lost',
            message: `The training engine stopped (${why}). Restarting on ${next[0]}${plan}.`,
          });
        }
        this.port = this.connect();
        this.backendOrder = next;
        try {
          const ready = await this.sendInit(next);
          waitingInit?.resolve(ready);
          break;
        } catch (error) {
          // The replacement died too before answering: move on down the order.
          if (error instanceof TrainerError && error.code === 'device-lost' && !this.disposed) {
            failedBackend = next[0];
            why = error.message;
            announce = true;
            continue;
          }
          waitingInit?.reject(error instanceof TrainerError ? error : new TrainerError('internal', String(error)));
          return;
        }
      }
      if (wasTraining && this.lastStart) {
        const { config, data, snapshotMelodies, resume, fromModelInUse } = this.lastStart;
        // From the checkpoint where one was written; else as asked (a run from the model in use needs it loaded again).
        this.send({
          type: 'start',
          config,
          data,
          snapshotMelodies,
          resume: resume || this.checkpointSeen,
          ...(fromModelInUse ? { fromModelInUse } : {}),
        });
        if (wasPaused) this.send({ type: 'pause' });
      }
    } finally {
      this.recovering = false;
    }
  }
}
