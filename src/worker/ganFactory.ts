/** The worker's EngineFactory on src/model's GanEngine: the one place that knows the engine's own API. */
import type { AccompanimentLock } from '../music/locks';
import type { TrainingWindows } from '../music/pianoRoll';
import type { HyperParams } from '../protocol/config';
import { GenerationOptionsError, type GenerationOptions } from '../protocol/generation';
import type { ModelFiles } from '../protocol/messages';
import { iterationsPerEpoch, trainEngineIteration } from '../model/driver';
import { GanEngine } from '../model/gan';
import { measureHeldOut } from '../model/heldOut';
import { ModelFileError } from '../model/errors';
import { exportModel, exportTrainingState, importModel, importTrainingState } from '../model/io';
import { ReplicatedTraining } from '../model/parallel/replicas';
import type { EngineFactory, TrainingRun, WorkerModel } from './engineFactory';
import { BadModelError, BadRequestError } from './errors';
import { browserReplicaCount, spawnReplicaWorker } from './replicas';

class GanModel implements WorkerModel {
  /** `refresh` brings `engine` up to date before each use (a run trained by replicas holds the newest weights there). */
  constructor(
    readonly engine: GanEngine,
    private readonly refresh: () => Promise<void> = () => Promise.resolve(),
  ) {}

  get config(): HyperParams {
    return this.engine.config;
  }

  /** The engine with its newest weights. */
  async current(): Promise<GanEngine> {
    await this.refresh();
    return this.engine;
  }

  async accompany(
    melody: Parameters<GanEngine['accompany']>[0],
    seed: number,
    options?: GenerationOptions,
    lock?: AccompanimentLock | null,
  ) {
    await this.refresh();
    try {
      return await this.engine.accompany(melody, seed, options, lock ?? null);
    } catch (error) {
      // Options the schema lets through but a generation stage refuses (an unknown decoding weight, a lock that does not fit).
      if (error instanceof GenerationOptionsError) throw new BadRequestError(error.message);
      throw error;
    }
  }

  async snapshot(melodies: Parameters<GanEngine['snapshot']>[0], noiseSeed: number) {
    await this.refresh();
    return this.engine.snapshot(melodies, noiseSeed);
  }

  async exportModel(): Promise<ModelFiles> {
    await this.refresh();
    return exportModel(this.engine);
  }

  dispose(): void {
    this.engine.dispose();
  }
}

/**
 * A run of `engine` on `data`, trained by `replicas` (data-parallel copies, one per core: src/model/parallel) where
 * given, else by the engine itself. While replicas train, the engine's weights are fetched from them only when the
 * model is used (a snapshot, an accompaniment, an export); when the run ends (`finish`) the engine is brought up to
 * date and stands alone.
 */
function runOf(engine: GanEngine, data: TrainingWindows, replicas?: ReplicatedTraining): TrainingRun {
  let training = replicas;
  const sync = (): Promise<void> => training?.sync() ?? Promise.resolve();
  const release = (): void => {
    training?.dispose();
    training = undefined;
  };
  const model = new GanModel(engine, sync);
  const sampler = engine.sampler(data);
  const perEpoch = iterationsPerEpoch(data.count, engine.config);
  return {
    model,
    threads: replicas?.size ?? 1,
    trainIteration: () => trainEngineIteration(engine, sampler, perEpoch, training),
    measureHeldOut: async (windows) => {
      await sync();
      return measureHeldOut(engine, windows);
    },
    exportState: () => training?.exportState() ?? exportTrainingState(engine),
    finish: async () => {
      try {
        await sync();
      } finally {
        release();
      }
    },
    dispose: () => {
      release();
      model.dispose();
    },
  };
}

/**
 * A run of `engine` on `data`: on replicas where this context has several cores for WebAssembly, else (or when
 * the replicas' workers cannot start) on `engine` alone.
 */
async function trainingRunOf(engine: GanEngine, data: TrainingWindows): Promise<TrainingRun> {
  const replicate = ReplicatedTraining.starter(browserReplicaCount(engine.config.batchSize), spawnReplicaWorker);
  if (!replicate) return runOf(engine, data);
  try {
    return runOf(engine, data, await replicate(engine));
  } catch (error) {
    console.warn(`Training on one thread: the training threads did not start (${error instanceof Error ? error.message : String(error)}).`);
    return runOf(engine, data);
  }
}

/** Runs and models of the real GAN engine, on whichever TensorFlow.js backend is active. */
export const ganEngineFactory: EngineFactory = {
  async newRun(config, data, startFrom) {
    const engine = GanEngine.create(config);
    if (startFrom) {
      try {
        if (!(startFrom instanceof GanModel)) throw new RangeError('The model in use cannot be trained on here.');
        engine.copyWeightsFrom(await startFrom.current());
      } catch (error) {
        engine.dispose();
        throw error instanceof RangeError ? new BadRequestError(error.message) : error;
      }
    }
    return trainingRunOf(engine, data);
  },

  async restoreRun(state, _config, data, completedIterations) {
    // The state carries its own config (the one its weights were shaped by).
    const engine = await readModelFile(() => importTrainingState(state as ModelFiles));
    if (engine.iteration !== completedIterations) {
      engine.dispose();
      throw new BadModelError(
        `The saved training run is damaged: its model stands at iteration ${engine.iteration}, its record at ${completedIterations}.`,
      );
    }
    return trainingRunOf(engine, data);
  },

  async loadModel(files) {
    return new GanModel(await readModelFile(() => importModel(files)));
  },

  replicasFor(batchSize) {
    return browserReplicaCount(batchSize);
  },
};

/** Turns the model's file errors into the worker's 'bad-model' errors, keeping their messages. */
async function readModelFile<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ModelFileError) throw new BadModelError(error.message);
    throw error;
  }
}
