/** The model layer's public API: the engine, its sampler, model files and errors. */
export { GanEngine, iterationsPerEpoch, type AccompanyOptions, type IterationLosses, type NamedTensor } from './engine';
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
