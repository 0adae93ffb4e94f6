/**
 * The wasm backend on several threads in Node (tfjs's threaded SIMD build over worker_threads) computes what the
 * single-threaded build computes: a convolution and whole GAN training iterations agree to 1e-4.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { GanEngine } from '../../src/model/gan';
import { startWasmBackendInNode } from '../../src/model/wasm/node';
import { syntheticWindows, tinyConfig } from './model-fixtures';

afterAll(() => startWasmBackendInNode(1));

/** Two training iterations of a fresh seeded engine; the losses and every generator weight afterwards. */
async function trainTwice(): Promise<number[]> {
  const engine = GanEngine.create(tinyConfig({ seed: 41, baseWidth: 8, batchSize: 4, updateRatio: 2 }));
  const sampler = engine.sampler(syntheticWindows(8));
  const values: number[] = [];
  for (let i = 0; i < 2; i++) {
    const losses = await engine.trainNext(sampler);
    values.push(losses.criticLoss, losses.generatorLoss);
  }
  for (const w of engine.generator.trainableWeights) values.push(...((await w.read().data()) as Float32Array));
  engine.dispose();
  return values;
}

async function convolution(): Promise<Float32Array> {
  const x = tf.randomNormal([4, 32, 64, 16], 0, 1, 'float32', 1) as tf.Tensor4D;
  const k = tf.randomNormal([4, 4, 16, 32], 0, 1, 'float32', 2) as tf.Tensor4D;
  const y = tf.conv2d(x, k, 2, 'same');
  const values = Float32Array.from((await y.data()) as Float32Array);
  tf.dispose([x, k, y]);
  return values;
}

describe('wasm threads in Node', () => {
  it('runs the threaded build on 2 threads and agrees with one thread to 1e-4', async () => {
    const one = await startWasmBackendInNode(1);
    expect(one).toEqual({ threads: 1, build: 'simd' });
    const singleConv = await convolution();
    const single = await trainTwice();

    const two = await startWasmBackendInNode(2);
    expect(two).toEqual({ threads: 2, build: 'threaded-simd' });
    const threadedConv = await convolution();
    const threaded = await trainTwice();

    expect(threaded.length).toBe(single.length);
    const worst = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
    expect(worst(threadedConv, singleConv)).toBeLessThan(1e-4);
    expect(worst(threaded, single)).toBeLessThan(1e-4);
    expect(threaded.every(Number.isFinite)).toBe(true);
  });
});
