/** The generator measured on held-out windows: the loss's own voice term and the measures of its raw scores. */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { iterationsPerEpoch } from '../../src/model/driver';
import { batchTensors, GanEngine } from '../../src/model/gan';
import { heldOutNoise, measureHeldOut } from '../../src/model/heldOut';
import { voicePitchLoss } from '../../src/model/losses';
import { noiseShape } from '../../src/model/networks';
import { startWasmBackendInNode } from '../../src/model/wasm/node';
import { scoreMeasures, splitHeldOut } from '../../src/music/heldOut';
import { jsbToTrainingWindows, parseJsbJson } from '../../src/music/jsb';
import { JSB_FILE } from './music-fixtures';
import { syntheticWindows, tinyConfig } from './model-fixtures';

beforeAll(async () => {
  await startWasmBackendInNode();
});

describe('measureHeldOut', () => {
  it('is the voice term of the training loss and the score measures of the generator’s output, in inference mode with fixed noise', async () => {
    const engine = GanEngine.create(tinyConfig());
    try {
      const windows = syntheticWindows(3);
      const tensorsBefore = tf.memory().numTensors;
      const measured = await measureHeldOut(engine, windows);
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      const [bars, pitches, channels] = noiseShape(engine.config.baseWidth);
      const { output, loss } = tf.tidy(() => {
        const { real, condition } = batchTensors(windows);
        const noise = tf.tensor4d(heldOutNoise(engine.config, 3), [3, bars, pitches, channels]);
        const fake = engine.generator.apply([condition, noise], { training: false }) as tf.Tensor4D;
        return { output: fake, loss: voicePitchLoss(fake, real) };
      });
      const scores = await output.data();
      expect(measured.voiceCrossEntropy).toBeCloseTo((await loss.data())[0], 5);
      expect(measured).toMatchObject(scoreMeasures(windows, scores));
      tf.dispose([output, loss]);
      // The same every time: fixed noise, inference mode, nothing drawn from the training streams.
      expect(await measureHeldOut(engine, windows)).toEqual(measured);
    } finally {
      engine.dispose();
    }
  });

  it('moves as a width-4 model trains on two chorales: the held-out voice cross-entropy falls', async () => {
    const chorales = parseJsbJson(readFileSync(JSB_FILE, 'utf8')).train.slice(0, 2);
    const { training, heldOut } = splitHeldOut(jsbToTrainingWindows(chorales));
    expect(heldOut?.count).toBeGreaterThan(0);
    const engine = GanEngine.create(tinyConfig({ batchSize: 4, learningRate: 0.001 }));
    try {
      const sampler = engine.sampler(training);
      const perEpoch = iterationsPerEpoch(training.count, engine.config);
      const curve = [await measureHeldOut(engine, heldOut!)];
      for (let epoch = 0; epoch < 3; epoch++) {
        for (let i = 0; i < perEpoch; i++) await engine.trainNext(sampler);
        curve.push(await measureHeldOut(engine, heldOut!));
      }
      for (const m of curve) for (const value of Object.values(m)) expect(Number.isFinite(value)).toBe(true);
      expect(curve.at(-1)!.voiceCrossEntropy).toBeLessThan(curve[0].voiceCrossEntropy - 0.3);
    } finally {
      engine.dispose();
    }
  });
});
