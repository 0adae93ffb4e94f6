import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { arithmeticConfigs } from '../../src/model/wasm/arithmetic';
import { startWasmBackendInNode } from '../../src/model/wasm/node';

describe('the wasm Tanh through the sigmoid', () => {
  beforeAll(async () => {
    await startWasmBackendInNode();
  });

  it('is the registered kernel and agrees with Math.tanh to 2e-7 over the whole range, infinities and NaN included', async () => {
    expect(tf.getKernel('Tanh', 'wasm')?.kernelFunc).toBe(arithmeticConfigs.find((c) => c.kernelName === 'Tanh')?.kernelFunc);
    const inputs = [...Array.from({ length: 4001 }, (_, i) => (i - 2000) / 100), 1e-8, -3e-5, 0.5, -0.75, 40, -40, Infinity, -Infinity];
    const before = tf.memory().numTensors;
    const result = tf.tidy(() => tf.tanh(tf.tensor1d(inputs)));
    const values = await result.data();
    result.dispose();
    expect(tf.memory().numTensors).toBe(before);
    let worst = 0;
    inputs.forEach((x, i) => (worst = Math.max(worst, Math.abs(values[i] - Math.tanh(x)))));
    expect(worst).toBeLessThan(2e-7);
    expect(values[inputs.length - 2]).toBe(1);
    expect(values[inputs.length - 1]).toBe(-1);
    const nan = tf.tanh(tf.tensor1d([NaN]));
    expect(Number.isNaN((await nan.data())[0])).toBe(true);
    nan.dispose();
  });

  it('gives the generator output its gradient through the second-order-safe Tanh gradient', async () => {
    const x = tf.tensor1d([-2, -0.5, 0, 0.3, 1.7]);
    const gradient = tf.grad((t: tf.Tensor) => tf.sum(tf.tanh(t)))(x);
    const values = Array.from(await gradient.data());
    [-2, -0.5, 0, 0.3, 1.7].forEach((v, i) => expect(values[i]).toBeCloseTo(1 - Math.tanh(v) ** 2, 6));
    tf.dispose([x, gradient]);
  });
});
