/** The worker's EngineFactory on src/model's GanEngine: the one place that knows the engine's own API. */
import type { TrainingWindows } from '../music/pianoRoll';
import type { HyperParams } from '../protocol/config';
import type { ModelFiles, Voicing } from '../protocol/messages';
import { iterationsPerEpoch, trainEngineIteration } from '../model/driver';
import { GanEngine } from '../model/engine';
import { ModelFileError } from '../model/errors';
import { exportModel, exportTrainingState, importModel, importTrainingState } from '../model/io';
import { ReplicatedTraining } from '../model/parallel/replicas';
import type { EngineFactory, TrainingRun, WorkerModel } from './engine';
import { BadModelError } from './errors';
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

  async accompany(melody: Parameters<GanEngine['accompany']>[0], seed: number, voicing?: Voicing) {
    await this.refresh();
    return this.engine.accompany(melody, seed, voicing ? { voicing } : {});
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

function runOf(engine: GanEngine, data: TrainingWindows): TrainingRun {
  const model = new GanModel(engine);
  const sampler = engine.sampler(data);
  const perEpoch = iterationsPerEpoch(data.count, engine.config);
  return {
    model,
    threads: 1,
    trainIteration: () => trainEngineIteration(engine, sampler, perEpoch),
    exportState: () => exportTrainingState(engine),
    dispose: () => engine.dispose(),
  };
}

/**
 * A run trained by data-parallel replicas (one per core, src/model/parallel/replicas.ts): the model's weights
 * are fetched from them only when it is used (a snapshot, an accompaniment, an export) and when the run ends.
 */
function replicatedRunOf(training: ReplicatedTraining, data: TrainingWindows): TrainingRun {
  const { engine } = training;
  let live = true;
  const sync = () => (live ? training.sync() : Promise.resolve());
  const model = new GanModel(engine, sync);
  const sampler = engine.sampler(data);
  const perEpoch = iterationsPerEpoch(data.count, engine.config);
  const free = (): void => {
    live = false;
    training.dispose();
  };
  return {
    model,
    threads: training.size,
    trainIteration: async () => {
      if (!live) throw new Error('internal: this run has ended');
      return trainEngineIteration(engine, sampler, perEpoch, training);
    },
    exportState: () => (live ? training.exportState() : exportTrainingState(engine)),
    finish: async () => {
      try {
        await sync();
      } finally {
        free();
      }
    },
    dispose: () => {
      free();
      model.dispose();
    },
  };
}

/**
 * A run of `engine` on `data`: on replicas where this context has several cores for WebAssembly, else (or when
 * the replicas' workers cannot start) on `engine` alone.
 */
async function trainingRunOf(engine: GanEngine, data: TrainingWindows): Promise<TrainingRun> {
  const count = browserReplicaCount(engine.config.batchSize);
  if (count < 2) return runOf(engine, data);
  try {
    return replicatedRunOf(await ReplicatedTraining.start(engine, count, spawnReplicaWorker), data);
  } catch (error) {
    console.warn(`Training on one thread: the training threads did not start (${error instanceof Error ? error.message : String(error)}).`);
    return runOf(engine, data);
  }
}

/** Runs and models of the real GAN engine, on whichever TensorFlow.js backend is active. */
export const ganEngineFactory: EngineFactory = {
  async newRun(config, data) {
    return trainingRunOf(GanEngine.create(config), data);
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
