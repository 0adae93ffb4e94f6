/**
 * What the training handler needs from a GAN engine, as interfaces. The handler depends on these rather than on
 * src/model's engine directly (of src/model it uses only the training driver, which holds no tensors, and plain
 * types) so it can be tested in Node with a stand-in, and so the engine's own API can change behind one adapter
 * (see ganFactory.ts, which wraps src/model's GanEngine).
 */
import type { AccompanimentLock } from '../music/locks';
import type { PianoRoll, TrainingWindows } from '../music/pianoRoll';
import type { IterationLosses } from '../model/losses';
import type { HyperParams } from '../protocol/config';
import type { GenerationOptions } from '../protocol/generation';
import type { ModelFiles, NetworkMeasures } from '../protocol/messages';

/** A usable model: it accompanies melodies and can be exported. */
export interface WorkerModel {
  readonly config: HyperParams;
  /**
   * Accompanies a one-track melody of any length; `seed` picks the variation, `options` how it is generated (default:
   * the defaults), `lock` the cells of an accompaniment to keep (infilling; default none).
   */
  accompany(melody: PianoRoll, seed: number, options?: GenerationOptions, lock?: AccompanimentLock | null): Promise<PianoRoll>;
  /** Accompaniments of fixed melodies with fixed noise, for listening back across epochs. */
  snapshot(melodies: PianoRoll[], noiseSeed: number): Promise<PianoRoll[]>;
  exportModel(): Promise<ModelFiles>;
  dispose(): void;
}

/**
 * A training run in progress: a model, its optimisers and its place in the seeded batch order. Epochs, speed and
 * cadence are the training driver's (src/model/driver.ts), from the run's config and data.
 */
export interface TrainingRun {
  readonly model: WorkerModel;
  /** Threads training in parallel (replicas of the model, each on its share of every batch); 1 for the engine alone. */
  readonly threads: number;
  /** Runs the next iteration (several critic steps and one generator step) and returns its losses as plain numbers. */
  trainIteration(): Promise<IterationLosses>;
  /** The generator's own measures on held-out windows, before decoding (src/music/heldOut.ts); absent where it cannot. */
  measureHeldOut?(windows: TrainingWindows): Promise<NetworkMeasures>;
  /** Everything needed to continue this run later (weights, optimiser state, batch position); structured-cloneable. */
  exportState(): Promise<unknown>;
  /** Called once when the run's loop ends (done, stopped or failed): `model` then holds the final weights and the run frees what only training needed. */
  finish?(): Promise<void>;
  dispose(): void;
}

/** Makes runs and models; the worker gets the real one, tests may pass a smaller one. */
export interface EngineFactory {
  /**
   * A fresh run on `data`, initialised from `config.seed`, or with `startFrom` from that model's weights (a model of
   * the same size; one that reads the melody alone may start a run that reads the voices too); its optimisers start afresh.
   */
  newRun(config: HyperParams, data: TrainingWindows, startFrom?: WorkerModel): Promise<TrainingRun>;
  /** Continues a run from `exportState()`'s output; `completedIterations` counts iterations since the run began. */
  restoreRun(state: unknown, config: HyperParams, data: TrainingWindows, completedIterations: number): Promise<TrainingRun>;
  /** Reads a model saved by `exportModel()`; throws BadModelError when the files are not a Cantus model. */
  loadModel(files: ModelFiles): Promise<WorkerModel>;
  /** The replicas a run of this batch size would train on, on the engine in use (1 where it trains alone). */
  replicasFor(batchSize: number): number;
}
