/**
 * The two networks in inference mode on plain arrays, a few windows per call to bound memory on long melodies:
 * the generator's raw voice scores and the critic's window scores. GanEngine calls these with its networks.
 */
import * as tf from '@tensorflow/tfjs';
import { MODEL_TRACKS, PITCHES, WINDOW_STEPS } from '../music/pianoRoll';
import { noiseShape } from './networks';

/** Windows per network call when generating, to bound memory on long melodies. */
const CHUNK = 16;

/** Runs `model` on `count` windows, CHUNK at a time; `inputs(first, n)` builds the inputs of windows [first, first + n). */
async function inChunks(
  model: tf.LayersModel,
  count: number,
  outputSize: number,
  inputs: (first: number, n: number) => tf.Tensor[],
): Promise<Float32Array> {
  const output = new Float32Array(count * outputSize);
  for (let first = 0; first < count; first += CHUNK) {
    const n = Math.min(CHUNK, count - first);
    const result = tf.tidy(() => model.apply(inputs(first, n), { training: false }) as tf.Tensor);
    try {
      output.set(await result.data(), first * outputSize);
    } finally {
      result.dispose();
    }
  }
  return output;
}

/**
 * The generator's raw tanh outputs [n, 32, 128, 4] for input windows [n, 32, 128, C] (C the generator's input planes:
 * 1, the melody of -1/+1, or voiceContext.ts's context planes) and noise [n, 2, 8, 8w] (w the base width).
 */
export function generatorScores(
  generator: tf.LayersModel,
  baseWidth: number,
  melody: Int8Array,
  noise: Float32Array,
): Promise<Float32Array> {
  const planes = generator.inputs[0].shape[3] ?? 1;
  const windowSize = WINDOW_STEPS * PITCHES * planes;
  const [bars, pitches, channels] = noiseShape(baseWidth);
  const noiseSize = bars * pitches * channels;
  const count = melody.length / windowSize;
  if (!Number.isInteger(count) || noise.length !== count * noiseSize) {
    throw new RangeError(
      `generateWindows needs input [n, ${WINDOW_STEPS}, ${PITCHES}, ${planes}] and noise [n, ${bars}, ${pitches}, ${channels}]; got ${melody.length} and ${noise.length} values`,
    );
  }
  return inChunks(generator, count, WINDOW_STEPS * PITCHES * MODEL_TRACKS, (first, n) => [
    tf.tensor4d(Float32Array.from(melody.subarray(first * windowSize, (first + n) * windowSize)), [n, WINDOW_STEPS, PITCHES, planes]),
    tf.tensor4d(noise.subarray(first * noiseSize, (first + n) * noiseSize), [n, bars, pitches, channels]),
  ]);
}

/** The critic's score of each window [n, 32, 128, 4] of -1/+1, its condition the window's track 0 (the melody). */
export function criticScores(critic: tf.LayersModel, windows: Int8Array): Promise<Float32Array> {
  const windowSize = WINDOW_STEPS * PITCHES * MODEL_TRACKS;
  const count = windows.length / windowSize;
  if (!Number.isInteger(count))
    throw new RangeError(`criticScores needs windows [n, ${WINDOW_STEPS}, ${PITCHES}, ${MODEL_TRACKS}]; got ${windows.length} values`);
  return inChunks(critic, count, 1, (first, n) => {
    const part = windows.subarray(first * windowSize, (first + n) * windowSize);
    const condition = new Float32Array(part.length / MODEL_TRACKS);
    for (let cell = 0; cell < condition.length; cell++) condition[cell] = part[cell * MODEL_TRACKS];
    return [
      tf.tensor4d(Float32Array.from(part), [n, WINDOW_STEPS, PITCHES, MODEL_TRACKS]),
      tf.tensor4d(condition, [n, WINDOW_STEPS, PITCHES, 1]),
    ];
  });
}
