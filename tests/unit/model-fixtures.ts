/** Small, seeded inputs for the model tests: synthetic chorale-like windows and melodies. */
import * as tf from '@tensorflow/tfjs';
import { PITCHES, WINDOW_STEPS, cellIndex, createRoll, type PianoRoll, type TrainingWindows } from '../../src/music/pianoRoll';
import type { HyperParamsInput } from '../../src/protocol/config';

/** Switches to the pure-JS reference backend, TensorFlow.js's default. */
export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** The smallest training setup: width 4, batch 2, one critic step per iteration. */
export function tinyConfig(overrides: HyperParamsInput = {}): HyperParamsInput {
  return { baseWidth: 4, batchSize: 2, updateRatio: 1, seed: 3, epochs: 1, ...overrides };
}

const CHORDS = [
  [72, 67, 64, 48],
  [74, 69, 65, 50],
  [71, 67, 62, 43],
  [76, 72, 67, 48],
  [72, 69, 65, 53],
];

/** `count` windows of four held voices, one chord per bar, -1/+1, melody (soprano) first. */
export function syntheticWindows(count: number): TrainingWindows {
  const tracks = 4;
  const data = new Int8Array(count * WINDOW_STEPS * PITCHES * tracks).fill(-1);
  for (let w = 0; w < count; w++) {
    for (let step = 0; step < WINDOW_STEPS; step++) {
      const chord = CHORDS[(w + Math.floor(step / 16)) % CHORDS.length];
      chord.forEach((pitch, track) => {
        data[((w * WINDOW_STEPS + step) * PITCHES + pitch) * tracks + track] = 1;
      });
    }
  }
  return { count, steps: WINDOW_STEPS, tracks, data, trackNames: ['Soprano', 'Alto', 'Tenor', 'Bass'] };
}

/** A one-track melody of `steps` steps with onsets and velocities: quarter and eighth notes around `centre`. */
export function melodyRoll(steps: number, centre: number, program = 73): PianoRoll {
  const roll = createRoll(steps, [{ name: 'Flute line', program, isDrum: false }], { withVelocities: true, tempoBpm: 96 });
  const pattern = [0, 2, 4, 5, 7, 5, 4, 2, -1, 0];
  let step = 0;
  let i = 0;
  while (step < steps) {
    const length = i % 3 === 2 ? 2 : 4;
    const pitch = centre + pattern[i % pattern.length];
    for (let t = step; t < Math.min(steps, step + length - 1); t++) roll.active[cellIndex(roll, t, pitch, 0)] = 1;
    roll.onsets![cellIndex(roll, step, pitch, 0)] = 1;
    roll.velocities![cellIndex(roll, step, pitch, 0)] = 60 + ((i * 7) % 50);
    step += length;
    i++;
  }
  return roll;
}

/** Copies of every weight of a model, to compare before and after a step. */
export async function weightValues(model: tf.LayersModel, which: 'trainable' | 'all' = 'trainable'): Promise<Float32Array[]> {
  const weights = which === 'trainable' ? model.trainableWeights : model.weights;
  return Promise.all(weights.map(async (w) => Float32Array.from((await w.read().data()) as Float32Array)));
}

/** The largest absolute difference between two lists of arrays of equal shapes. */
export function maxDifference(a: Float32Array[], b: Float32Array[]): number {
  let max = 0;
  a.forEach((values, i) => values.forEach((v, j) => (max = Math.max(max, Math.abs(v - b[i][j])))));
  return max;
}
