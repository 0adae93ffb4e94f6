/**
 * Data-parallel training on every core: several replicas of one GanEngine, each on its own thread with a
 * one-thread wasm backend, train on their shares of each batch and meet in a Collective (collective.ts) to
 * add up gradients and batch-norm statistics. Each replica runs the whole training step, the gradient tape's
 * bookkeeping and every small kernel included, on its share, which is why this scales where one engine with
 * a multi-threaded backend does not (only its convolutions use the extra threads).
 *
 * The coordinator (ReplicaSet) starts the replicas from an engine's training state, hands each iteration's
 * batches to all of them and hands back the state (weights, optimiser moments, iteration) when asked. How a
 * replica's thread is made (a browser Worker, a Node worker_thread) is the caller's: it passes `spawn`, and the
 * thread runs `serveReplica`.
 */
import type { ModelFiles } from '../../protocol/messages';
import type { TrainingWindows } from '../../music/pianoRoll';
import type { GanEngine } from '../gan';
import type { IterationLosses } from '../losses';
import { exportTrainingState, loadTrainingStateInto } from '../io';
import type { BatchSampler } from '../sampler';
import { abortCollective, Collective, createCollective, type CollectiveInit } from './collective';

/** What the coordinator asks of a replica, one request at a time. */
export type ReplicaRequest =
  | { type: 'init'; index: number; collective: CollectiveInit; state: ModelFiles }
  | { type: 'train'; batches: TrainingWindows[] }
  | { type: 'export'; epoch: number };

/** A replica's answer to the request before it. */
export type ReplicaReply =
  | { type: 'ready' }
  | { type: 'trained'; losses: IterationLosses }
  | { type: 'state'; state: ModelFiles }
  | { type: 'failed'; message: string };

/** The coordinator's end of one replica's thread. */
export interface ReplicaPort {
  post(request: ReplicaRequest): void;
  /** Registers the one handler for the replica's replies. */
  onReply(handler: (reply: ReplicaReply) => void): void;
  /** Registers the one handler for the thread failing outside a request (it crashed, or could not start). */
  onError(handler: (error: Error) => void): void;
  terminate(): void;
}

/** The replica's end: what serveReplica needs from its thread. */
export interface ReplicaHost {
  reply(reply: ReplicaReply): void;
  onRequest(handler: (request: ReplicaRequest) => void): void;
  /** Reads a training state into an engine on this thread's backend (io.ts's importTrainingState). */
  importState(state: ModelFiles): Promise<GanEngine>;
  exportState(engine: GanEngine): Promise<ModelFiles>;
}

/** Raised by the coordinator when a replica fails; the message is the replica's. */
export class ReplicaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplicaError';
  }
}

/** Runs one replica on this thread: answers the coordinator's requests in order. */
export function serveReplica(host: ReplicaHost): void {
  let engine: GanEngine | undefined;
  let collective: Collective | undefined;
  let queue = Promise.resolve();
  const handle = async (request: ReplicaRequest): Promise<ReplicaReply> => {
    if (request.type === 'init') {
      engine?.dispose();
      engine = await host.importState(request.state);
      collective = new Collective(request.collective, request.index);
      engine.joinReplicas(collective);
      return { type: 'ready' };
    }
    if (!engine) throw new ReplicaError('This training thread has no model yet.');
    if (request.type === 'train') return { type: 'trained', losses: await engine.trainIteration(request.batches) };
    // The epoch count is the coordinator's (it knows the data set); the file records it.
    engine.epoch = request.epoch;
    return { type: 'state', state: await host.exportState(engine) };
  };
  host.onRequest((request) => {
    queue = queue.then(async () => {
      try {
        host.reply(await handle(request));
      } catch (error) {
        // The other replicas may be waiting for this one inside a step: let them go.
        collective?.abort();
        host.reply({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
      }
    });
  });
}

/** The most replicas a run starts (tfjs's threaded wasm build stops at 8 threads too); each holds a copy of the model. */
export const MAX_REPLICAS = 8;

/** How long starting the replicas (their threads, backends and model copies) may take. */
export const REPLICA_START_LIMIT_MS = 60_000;

/** How many replicas to train with on `cores` cores at batch size `batchSize`: one per core, each with at least one window. */
export function replicaCount(cores: number, batchSize: number): number {
  return Math.max(1, Math.min(Math.floor(cores), batchSize, MAX_REPLICAS));
}

/** One replica's port, with its requests answered in order. */
class ReplicaChannel {
  private pending: { resolve: (reply: ReplicaReply) => void; reject: (error: Error) => void }[] = [];
  private failure: Error | undefined;

  constructor(readonly port: ReplicaPort) {
    port.onReply((reply) => this.pending.shift()?.resolve(reply));
    port.onError((error) => this.fail(error));
  }

  /** Sends `request` and waits for its reply; a 'failed' reply rejects with the replica's message. */
  async ask(request: ReplicaRequest): Promise<ReplicaReply> {
    if (this.failure) throw this.failure;
    const reply = await new Promise<ReplicaReply>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.port.post(request);
    });
    if (reply.type === 'failed') throw new ReplicaError(reply.message);
    return reply;
  }

  fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.pending.splice(0)) waiting.reject(error);
  }
}

/** The coordinator of a set of replicas started from one engine's state. */
export class ReplicaSet {
  private disposed = false;

  private constructor(
    private readonly channels: ReplicaChannel[],
    private readonly collective: CollectiveInit,
  ) {}

  /** Starts `count` replicas (count >= 2) from `engine`'s training state, `state` as io.ts's exportTrainingState gives it. */
  static async start(state: ModelFiles, count: number, spawn: (index: number) => ReplicaPort): Promise<ReplicaSet> {
    if (!Number.isInteger(count) || count < 2) throw new RangeError(`a replica set needs 2 or more replicas, got ${count}`);
    const collective = createCollective(count);
    const channels: ReplicaChannel[] = [];
    try {
      for (let index = 0; index < count; index++) channels.push(new ReplicaChannel(spawn(index)));
      const set = new ReplicaSet(channels, collective);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const limit = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new ReplicaError(`The training threads did not start within ${REPLICA_START_LIMIT_MS / 1000} s.`)),
          REPLICA_START_LIMIT_MS,
        );
      });
      try {
        await Promise.race([set.all((channel, index) => channel.ask({ type: 'init', index, collective, state })), limit]);
      } finally {
        clearTimeout(timer);
      }
      return set;
    } catch (error) {
      for (const channel of channels) channel.port.terminate();
      throw error;
    }
  }

  /** Number of replicas. */
  get size(): number {
    return this.channels.length;
  }

  /** One training iteration on `batches` (as GanEngine.trainIteration); every replica reports the same losses. */
  async trainIteration(batches: TrainingWindows[]): Promise<IterationLosses> {
    const replies = await this.all((channel) => channel.ask({ type: 'train', batches }));
    const first = replies[0];
    if (first.type !== 'trained') throw new ReplicaError(`internal: a replica answered ${first.type} to train`);
    return first.losses;
  }

  /** The replicas' training state at `epoch` epochs (they are identical; the first one's), as io.ts's exportTrainingState writes it. */
  async exportState(epoch: number): Promise<ModelFiles> {
    this.assertLive();
    const reply = await this.channels[0].ask({ type: 'export', epoch });
    if (reply.type !== 'state') throw new ReplicaError(`internal: a replica answered ${reply.type} to export`);
    return reply.state;
  }

  /** Ends every replica's thread; a step in progress is aborted. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    abortCollective(this.collective);
    for (const channel of this.channels) {
      channel.fail(new ReplicaError('The training threads were ended.'));
      channel.port.terminate();
    }
  }

  /** Asks every replica at once; the first failure aborts the others' step and is thrown. */
  private async all(ask: (channel: ReplicaChannel, index: number) => Promise<ReplicaReply>): Promise<ReplicaReply[]> {
    this.assertLive();
    try {
      return await Promise.all(this.channels.map((channel, index) => ask(channel, index)));
    } catch (error) {
      abortCollective(this.collective);
      throw error;
    }
  }

  private assertLive(): void {
    if (this.disposed) throw new ReplicaError('The training threads were ended.');
  }
}

/**
 * An engine trained by a replica set started from it: the engine draws the batches and counts iterations, the
 * replicas train, and the engine's weights and optimiser state are brought up to date (`sync`) only when they
 * are needed (a snapshot, an accompaniment, an export, the end of the run).
 */
export class ReplicatedTraining {
  private stale = false;

  private constructor(
    readonly engine: GanEngine,
    private readonly replicas: ReplicaSet,
  ) {}

  /** Starts `count` replicas (count >= 2) from `engine`'s current state; `spawn` makes one replica's thread. */
  static async start(engine: GanEngine, count: number, spawn: (index: number) => ReplicaPort): Promise<ReplicatedTraining> {
    return new ReplicatedTraining(engine, await ReplicaSet.start(await exportTrainingState(engine), count, spawn));
  }

  /** What starts `count` replicas of an engine (see `start`); undefined where count < 2 and the engine trains alone. */
  static starter(count: number, spawn: (index: number) => ReplicaPort): ((engine: GanEngine) => Promise<ReplicatedTraining>) | undefined {
    return count < 2 ? undefined : (engine) => ReplicatedTraining.start(engine, count, spawn);
  }

  /** Number of replicas. */
  get size(): number {
    return this.replicas.size;
  }

  /** Trains the next iteration on `sampler`'s batches, as GanEngine.trainNext does. */
  async trainNext(sampler: BatchSampler): Promise<IterationLosses> {
    return this.trainIteration(sampler.nextBatches(this.engine.config.updateRatio));
  }

  /** Trains one iteration on `batches`, as GanEngine.trainIteration does. */
  async trainIteration(batches: TrainingWindows[]): Promise<IterationLosses> {
    const losses = await this.replicas.trainIteration(batches);
    this.stale = true;
    this.engine.iteration++;
    return losses;
  }

  /** Brings the engine's weights, optimiser state and counters up to the replicas'. */
  async sync(): Promise<void> {
    if (!this.stale) return;
    await loadTrainingStateInto(this.engine, await this.replicas.exportState(this.engine.epoch));
    this.stale = false;
  }

  /** The training state, as exportTrainingState(engine) would give it after `sync` (without loading it into the engine). */
  exportState(): Promise<ModelFiles> {
    return this.stale ? this.replicas.exportState(this.engine.epoch) : exportTrainingState(this.engine);
  }

  /** Ends the replicas' threads (call `sync` first to keep their last iterations). */
  dispose(): void {
    this.replicas.dispose();
  }
}
