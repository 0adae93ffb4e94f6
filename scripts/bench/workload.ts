/**
 * The benchmark's workload, shared by Node and the browser page: the project's own GanEngine (its generator,
 * critic and WGAN-GP training step, nothing re-implemented here) with fixed random training batches, the
 * inputs of one batch-sized generator forward pass, and 2-bar and 16-bar melodies to accompany.
 */
import type * as tf from '@tensorflow/tfjs';

import { GanEngine } from '../../src/model/gan';
import { noiseShape } from '../../src/model/networks';
import type { ModelWidth } from '../../src/music/constants';
import { createUniform, truncatedNormal } from '../../src/music/random';
import { createRoll, PITCHES, WINDOW_STEPS, type PianoRoll, type TrainingWindows } from '../../src/music/pianoRoll';
import { VOICE_LABELS } from '../../src/music/voices';

/** Windows per batch and critic steps per generator step, as the benchmark's task fixes them. */
export const BATCH_SIZE = 16;
export const UPDATE_RATIO = 5;
/** Steps in one bar of 4/4 at 4 steps per beat. */
const BAR_STEPS = 16;
/** Fraction of cells on in the random training rolls: about as dense as chorale voices. */
const ACTIVE_CELL_RATE = 0.03;
/** The melody's notes walk a C major scale from middle C, one quarter note (4 steps) each. */
const MELODY_SCALE = [60, 62, 64, 65, 67, 69, 71, 72];
const MELODY_NOTE_STEPS = 4;

/** Multiply-add FLOPs of every Conv2D layer of a model's forward pass, per sample: 2*outH*outW*kH*kW*inC*outC. */
export function convFlopsPerSample(model: tf.LayersModel): number {
  let flops = 0;
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'Conv2D') continue;
    const [kH, kW, inC, outC] = layer.getWeights()[0].shape;
    const outShape = layer.outputShape as number[];
    flops += 2 * outShape[1] * outShape[2] * kH * kW * inC * outC;
  }
  return flops;
}

/** `count` random 4-track training windows of -1/+1 (random rolls cost the same to train on as music). */
export function randomTrainingWindows(count: number, seed: number): TrainingWindows {
  const uniform = createUniform(seed);
  const data = Int8Array.from({ length: count * WINDOW_STEPS * PITCHES * 4 }, () => (uniform() < ACTIVE_CELL_RATE ? 1 : -1));
  return { count, steps: WINDOW_STEPS, tracks: 4, data, trackNames: [...VOICE_LABELS] };
}

/** A one-track melody of `bars` bars of 4/4 on the 16th-note grid: quarter notes up and down a scale. */
export function benchMelody(bars: number): PianoRoll {
  const steps = bars * BAR_STEPS;
  const roll = createRoll(steps, [{ name: 'Melody', program: 0, isDrum: false }]);
  for (let note = 0; note * MELODY_NOTE_STEPS < steps; note++) {
    const cycle = note % (2 * MELODY_SCALE.length - 2);
    const pitch = MELODY_SCALE[cycle < MELODY_SCALE.length ? cycle : 2 * MELODY_SCALE.length - 2 - cycle];
    for (let step = note * MELODY_NOTE_STEPS; step < (note + 1) * MELODY_NOTE_STEPS; step++) roll.active[step * PITCHES + pitch] = 1;
    if (roll.onsets) roll.onsets[note * MELODY_NOTE_STEPS * PITCHES + pitch] = 1;
  }
  return roll;
}

/** One model size ready to be timed on the current backend. */
export interface BenchWorkload {
  readonly width: number;
  readonly engine: GanEngine;
  /** One iteration's batches: UPDATE_RATIO batches of BATCH_SIZE windows. */
  readonly batches: TrainingWindows[];
  /** BATCH_SIZE melody windows [n, 32, 128, 1] of -1/+1 and their noise, for one generator forward pass. */
  readonly forwardMelody: Int8Array;
  readonly forwardNoise: Float32Array;
  readonly melody2Bar: PianoRoll;
  readonly melody16Bar: PianoRoll;
  /** Convolution FLOPs of one forward pass per sample. */
  readonly generatorFlopsPerSample: number;
  readonly criticFlopsPerSample: number;
  dispose(): void;
}

/** Builds an engine of base width `width` (batch 16, update ratio 5) and fixed inputs on the active backend. */
export function createBenchWorkload(width: number, seed = 7): BenchWorkload {
  const engine = GanEngine.create({ baseWidth: width as ModelWidth, batchSize: BATCH_SIZE, updateRatio: UPDATE_RATIO, seed });
  const batches = Array.from({ length: UPDATE_RATIO }, (_, i) => randomTrainingWindows(BATCH_SIZE, seed + 1 + i));
  const windowSize = WINDOW_STEPS * PITCHES;
  const forwardMelody = new Int8Array(BATCH_SIZE * windowSize);
  const melodySource = batches[0].data;
  for (let cell = 0; cell < forwardMelody.length; cell++) forwardMelody[cell] = melodySource[cell * 4];
  const [bars, pitches, channels] = noiseShape(width);
  const forwardNoise = truncatedNormal(createUniform(seed + 100), BATCH_SIZE * bars * pitches * channels);
  return {
    width,
    engine,
    batches,
    forwardMelody,
    forwardNoise,
    melody2Bar: benchMelody(2),
    melody16Bar: benchMelody(16),
    generatorFlopsPerSample: convFlopsPerSample(engine.generator),
    criticFlopsPerSample: convFlopsPerSample(engine.critic),
    dispose: () => engine.dispose(),
  };
}
