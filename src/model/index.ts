/** The model layer's public API: the engine, its training driver, its sampler, model files and errors. */
export { GanEngine, type AccompanyOptions, type IterationLosses, type NamedTensor } from './engine';
export {
  completedEpochs,
  iterationPosition,
  iterationsPerEpoch,
  trainEngineIteration,
  TrainingDriver,
  windowsPerIteration,
  type IterationReport,
  type TrainingDriverOptions,
  type TrainingHooks,
  type TrainingOutcome,
} from './driver';
export { BatchSampler, checkTrainingWindows, type BatchSamplerOptions } from './sampler';
export {
  exportModel,
  exportTrainingState,
  importModel,
  importTrainingState,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  type ModelManifest,
} from './io';
export { ModelFileError, MelodyError, TrainingDataError, type ModelFileErrorCode } from './errors';
export { ACCOMPANIMENT_TRACKS, MODEL_MELODY_HIGH, MODEL_MELODY_LOW, type JoinMode } from './accompany';
export { buildCritic, buildGenerator, countParameters, noiseShape, OUTPUT_TRACKS } from './networks';
export { installSecondOrderGradients } from './secondOrder';
