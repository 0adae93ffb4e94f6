import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GanEngine } from '../../src/model/gan';
import { voicePitchLoss } from '../../src/model/losses';
import { PITCHES, WINDOW_STEPS } from '../../src/music/pianoRoll';
import { syntheticWindows, tinyConfig, useCpu } from './model-fixtures';
import { useWasm } from './wasm-fixtures';

beforeAll(useWasm);
afterAll(useCpu);

/** A [1, 32, 128, 4] tensor of -1 with +1 at each (step, pitch, track) given. */
function roll(cells: [number, number, number][]): tf.Tensor4D {
  const data = new Float32Array(WINDOW_STEPS * PITCHES * 4).fill(-1);
  for (const [step, pitch, track] of cells) data[(step * PITCHES + pitch) * 4 + track] = 1;
  return tf.tensor4d(data, [1, WINDOW_STEPS, PITCHES, 4]);
}

describe('the generator voice term', () => {
  it('is the cross-entropy of the voice pitch over the steps where the real voice sounds', async () => {
    const real = roll([
      [0, 60, 1],
      [1, 60, 1],
      [0, 55, 2],
    ]);
    // Exactly right where the voices sound: -log(e^5 / (e^5 + 127 e^-5)).
    const right = roll([
      [0, 60, 1],
      [1, 60, 1],
      [0, 55, 2],
      [5, 40, 3],
    ]);
    const perfect = Math.log(1 + 127 * Math.exp(-10));
    expect((await voicePitchLoss(right, real).data())[0]).toBeCloseTo(perfect, 5);
    // A flat output: log(128) in every counted cell; silent (step, voice) cells do not count.
    const flat = tf.zeros([1, WINDOW_STEPS, PITCHES, 4]) as tf.Tensor4D;
    expect((await voicePitchLoss(flat, real).data())[0]).toBeCloseTo(Math.log(128), 4);
    // Wrong pitch on one of three cells: (2 * perfect + wrong) / 3.
    const oneWrong = roll([
      [0, 61, 1],
      [1, 60, 1],
      [0, 55, 2],
    ]);
    const wrong = -Math.log(Math.exp(-5) / (Math.exp(5) + 127 * Math.exp(-5)));
    expect((await voicePitchLoss(oneWrong, real).data())[0]).toBeCloseTo((2 * perfect + wrong) / 3, 4);
    tf.dispose([real, right, flat, oneWrong]);
  });

  it('is 0 for a window whose voices are all silent, and not a number nowhere', async () => {
    const silent = roll([[0, 72, 0]]);
    const out = roll([[0, 60, 1]]);
    expect((await voicePitchLoss(out, silent).data())[0]).toBe(0);
    tf.dispose([silent, out]);
  });

  it('teaches the generator its voices: the term falls with training, and weight 0 is the pure WGAN-GP', async () => {
    const windows = syntheticWindows(2);
    const guided = GanEngine.create(tinyConfig({ voiceLossWeight: 10, learningRate: 0.01 }));
    const first = await guided.trainIteration([windows]);
    let last = first;
    for (let i = 0; i < 12; i++) last = await guided.trainIteration([windows]);
    expect(first.voiceLoss).toBeGreaterThan(3);
    expect(last.voiceLoss).toBeLessThan(first.voiceLoss * 0.8);
    guided.dispose();

    const pure = GanEngine.create(tinyConfig({ voiceLossWeight: 0 }));
    const losses = await pure.trainIteration([windows]);
    expect(losses.voiceLoss).toBe(0);
    expect(Number.isFinite(losses.generatorLoss)).toBe(true);
    pure.dispose();
  });
});
