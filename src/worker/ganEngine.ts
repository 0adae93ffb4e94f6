/** The worker's EngineFactory on src/model's GanEngine: the one place that knows the engine's own API. */
import type { TrainingWindows } from '../music/pianoRoll';
import type { HyperParams } from '../protocol/config';
import type { ModelFiles, Voicing } from '../protocol/messages';
import { iterationsPerEpoch, trainEngineIteration } from '../model/driver';
import { GanEngine } from '../model/engine';
import { ModelFileError } from '../model/errors';
import { exportModel, exportTrainingState, importModel, importTrainingState } from '../model/io';
import type { EngineFactory, TrainingRun, WorkerModel } from './engine';
import { BadModelError } from './errors';

class GanModel implements WorkerModel {
  constructor(readonly engine: GanEngine) {}

  get config(): HyperParams {
    return this.engine.config;
  }

  accompany(melody: Parameters<GanEngine['accompany']>[0], seed: number, voicing?: Voicing) {
    return this.engine.accompany(melody, seed, voicing ? { voicing } : {});
  }

  snapshot(melodies: Parameters<GanEngine['snapshot']>[0], noiseSeed: number) {
    return this.engine.snapshot(melodies, noiseSeed);
  }

  exportModel(): Promise<ModelFiles> {
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
    trainIteration: () => trainEngineIteration(engine, sampler, perEpoch),
    exportState: () => exportTrainingState(engine),
    dispose: () => engine.dispose(),
  };
}

/** Runs and models of the real GAN engine, on whichever TensorFlow.js backend is active. */
export const ganEngineFactory: EngineFactory = {
  async newRun(config, data) {
    return runOf(GanEngine.create(config), data);
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
    return runOf(engine, data);
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
