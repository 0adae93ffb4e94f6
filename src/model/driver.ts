/**
 * The training driver: the loop that both the page's worker and `npm run train` run a GanEngine under. It owns
 * what they share: iterations to epochs, the speed and time-left figures, when to snapshot and checkpoint, and
 * stop and pause. It draws no batches and holds no tensors: each caller hands it one iteration to run and hooks
 * for what it does with the results (post messages, print lines, write files).
 *
 * Samples per second are the real training windows drawn from the data set per second, batchSize x updateRatio
 * per iteration (the critic's batches; the generator step trains on the last of them again), so that the rate
 * times the seconds of an epoch is the windows in an epoch.
 */
import type { HyperParams } from '../protocol/config';
import type { GanEngine } from './gan';
import type { IterationLosses } from './losses';
import type { BatchSampler } from './sampler';

/** Weight of the newest iteration in the seconds-per-iteration average: recent iterations weigh most, one slow one does not swing it. */
export const SPEED_SMOOTHING = 0.3;

/** Iterations in one epoch: one pass of the critic over `windowCount` windows. */
export function iterationsPerEpoch(windowCount: number, config: Pick<HyperParams, 'batchSize' | 'updateRatio'>): number {
  return Math.max(1, Math.ceil(windowCount / windowsPerIteration(config)));
}

/** Real training windows one iteration draws from the data set (the unit of samples per second). */
export function windowsPerIteration(config: Pick<HyperParams, 'batchSize' | 'updateRatio'>): number {
  return config.batchSize * config.updateRatio;
}

/** Epochs finished once `iterations` iterations (counted since the run began) are done. */
export function completedEpochs(iterations: number, perEpoch: number): number {
  return Math.floor(iterations / perEpoch);
}

/** Where iteration number `iteration` (from 1, counted since the run began) falls: its epoch and its place in it, both from 1. */
export function iterationPosition(iteration: number, perEpoch: number): { epoch: number; iterationInEpoch: number } {
  return { epoch: Math.floor((iteration - 1) / perEpoch) + 1, iterationInEpoch: ((iteration - 1) % perEpoch) + 1 };
}

/**
 * Runs `engine`'s next iteration on `sampler`'s batches and advances its epoch count, so saved model files say how
 * long they trained. `trainer` trains it: the engine itself, or replicas of it (parallel/replicas.ts).
 */
export async function trainEngineIteration(
  engine: GanEngine,
  sampler: BatchSampler,
  perEpoch: number,
  trainer: Pick<GanEngine, 'trainNext'> = engine,
): Promise<IterationLosses> {
  const losses = await trainer.trainNext(sampler);
  engine.epoch = completedEpochs(engine.iteration, perEpoch);
  return losses;
}

/** What a driver is built from. */
export interface TrainingDriverOptions {
  /** The run's settings: its length, the batches an iteration draws and the epochs to snapshot at. */
  config: Pick<HyperParams, 'epochs' | 'batchSize' | 'updateRatio'> & Partial<Pick<HyperParams, 'snapshotEpochs'>>;
  /** Windows in the training data. */
  windowCount: number;
  /** Iterations done before this driver started, for a resumed run (default 0). */
  completedIterations?: number;
  /** Ends the run once this many iterations are done in all (default: every epoch). */
  maxIterations?: number;
  /** Also checkpoint after every iteration whose number (since the run began) is a multiple of this; epochs always end with one. */
  checkpointEvery?: number;
  /** The clock in milliseconds (default performance.now); tests pass a fake one. */
  now?: () => number;
}

/** The driver's figures after one iteration, handed to the hooks. */
export interface IterationReport {
  /** Iterations done since the run began, this one included. */
  iteration: number;
  /** The epoch this iteration belongs to, from 1. */
  epoch: number;
  /** This iteration's place in its epoch, from 1 to iterationsPerEpoch. */
  iterationInEpoch: number;
  /** Epochs finished, this iteration's included when it ended one. */
  completedEpochs: number;
  /** Whether this iteration finished its epoch. */
  epochEnded: boolean;
  /** This iteration's own duration in seconds. */
  seconds: number;
  /** Real training windows per second at the smoothed speed (see the module comment). */
  samplesPerSecond: number;
  /** Seconds until the driver's last iteration at the smoothed speed. */
  secondsLeft: number;
  /** Whether this iteration finished an epoch listed in the config's snapshotEpochs. */
  snapshotDue: boolean;
  /** Whether a checkpoint follows this iteration (the end of an epoch, or a multiple of checkpointEvery). */
  checkpointDue: boolean;
}

/** The caller's part of the loop; every hook but trainIteration is optional, and any that throws ends the run. */
export interface TrainingHooks<Losses> {
  /** Runs the next iteration and returns its losses. */
  trainIteration(): Promise<Losses>;
  /** Called after every iteration, first (progress messages, log lines, divergence checks). */
  afterIteration?(losses: Losses, report: IterationReport): void | Promise<void>;
  /** Called after an iteration that finished an epoch, before its checkpoint (snapshots, metrics). */
  endEpoch?(report: IterationReport): Promise<void>;
  /** Saves the run when `report.checkpointDue`, last of an iteration's hooks. */
  checkpoint?(report: IterationReport): Promise<void>;
  /** Called when a requested pause takes hold, before the next iteration. */
  paused?(): void;
  /** Called when a pause ends with `resume` (not with a stop). */
  resumed?(): void;
}

/** How a run ended: every epoch done, stopped on request, or at maxIterations. */
export type TrainingOutcome = 'done' | 'stopped' | 'limit';

/** Counts one training run's iterations, times them and runs the loop with the caller's hooks. */
export class TrainingDriver {
  readonly iterationsPerEpoch: number;
  readonly epochs: number;
  /** Iterations in the whole run: epochs x iterationsPerEpoch. */
  readonly totalIterations: number;
  /** The iteration the loop ends after: the whole run, or maxIterations when that comes first. */
  readonly lastIteration: number;
  readonly windowsPerIteration: number;
  private readonly snapshotEpochs: readonly number[];
  private readonly checkpointEvery: number | undefined;
  private readonly now: () => number;
  private completed: number;
  private smoothedSeconds: number | undefined;
  private stopping = false;
  private pausing = false;
  private wake: (() => void) | undefined;

  constructor(options: TrainingDriverOptions) {
    const { config } = options;
    this.iterationsPerEpoch = iterationsPerEpoch(options.windowCount, config);
    this.epochs = config.epochs;
    this.totalIterations = config.epochs * this.iterationsPerEpoch;
    this.lastIteration = Math.min(this.totalIterations, options.maxIterations ?? this.totalIterations);
    this.windowsPerIteration = windowsPerIteration(config);
    this.snapshotEpochs = config.snapshotEpochs ?? [];
    this.checkpointEvery = options.checkpointEvery;
    this.now = options.now ?? (() => performance.now());
    this.completed = options.completedIterations ?? 0;
  }

  /** Iterations done since the run began. */
  get completedIterations(): number {
    return this.completed;
  }

  /** The smoothed seconds per iteration; undefined before the first iteration this driver timed. */
  get secondsPerIteration(): number | undefined {
    return this.smoothedSeconds;
  }

  /** Whether a stop was requested. */
  get stopRequested(): boolean {
    return this.stopping;
  }

  /** Ends the run before its next iteration (the current one finishes with its hooks); wakes a paused run. */
  requestStop(): void {
    this.stopping = true;
    this.wake?.();
  }

  /** Holds the run before its next iteration until `resume` or a stop. */
  requestPause(): void {
    this.pausing = true;
  }

  /** Lets a paused run go on. */
  resume(): void {
    this.pausing = false;
    this.wake?.();
  }

  /** Counts one finished iteration that took `seconds` and returns its figures; `run` calls it, tests may too. */
  record(seconds: number): IterationReport {
    // A clock too coarse to see an iteration must not give an infinite rate.
    const timed = Math.max(seconds, 1e-6);
    this.smoothedSeconds =
      this.smoothedSeconds === undefined ? timed : SPEED_SMOOTHING * timed + (1 - SPEED_SMOOTHING) * this.smoothedSeconds;
    this.completed++;
    const iteration = this.completed;
    const epochEnded = iteration % this.iterationsPerEpoch === 0;
    const done = completedEpochs(iteration, this.iterationsPerEpoch);
    return {
      iteration,
      ...iterationPosition(iteration, this.iterationsPerEpoch),
      completedEpochs: done,
      epochEnded,
      seconds,
      samplesPerSecond: this.windowsPerIteration / this.smoothedSeconds,
      secondsLeft: Math.max(0, this.lastIteration - iteration) * this.smoothedSeconds,
      snapshotDue: epochEnded && this.snapshotEpochs.includes(done),
      checkpointDue: epochEnded || (this.checkpointEvery !== undefined && iteration % this.checkpointEvery === 0),
    };
  }

  /** Trains until the last iteration or a stop, calling the hooks in their order after each iteration. */
  async run<Losses>(hooks: TrainingHooks<Losses>): Promise<TrainingOutcome> {
    while (this.completed < this.lastIteration) {
      await this.waitWhilePaused(hooks);
      if (this.stopping) break;
      const started = this.now();
      const losses = await hooks.trainIteration();
      const report = this.record((this.now() - started) / 1000);
      await hooks.afterIteration?.(losses, report);
      if (report.epochEnded) await hooks.endEpoch?.(report);
      if (report.checkpointDue) await hooks.checkpoint?.(report);
      // A macrotask break between iterations: the cpu and wasm backends' reads resolve as microtasks, so without it
      // no message or signal asking to pause or stop (nor a generate request) would be handled until the run ended.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    if (this.stopping) return 'stopped';
    return this.completed >= this.totalIterations ? 'done' : 'limit';
  }

  private async waitWhilePaused(hooks: TrainingHooks<unknown>): Promise<void> {
    if (!this.pausing || this.stopping) return;
    hooks.paused?.();
    while (this.pausing && !this.stopping) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
    if (!this.stopping) hooks.resumed?.();
  }
}
