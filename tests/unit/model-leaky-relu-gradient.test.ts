import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installLeakyReluGradient, LEAKY_RELU_BACKPROP } from '../../src/model/leakyReluGradient';
import { installSecondOrderGradients } from '../../src/model/secondOrder';
import { startWasmBackendInNode } from '../../src/model/wasm/node';

/** LeakyReLU written as max(x, alpha x), whose first and second derivatives tfjs computes on its own kernels. */
const plainLeaky = (x: tf.Tensor, alpha: number): tf.Tensor => tf.maximum(x, tf.mul(x, alpha));

/** A small penalty-like function: the squared gradient norm of sum(w * leaky(x)), differentiated in w. */
function penaltyGradient(leaky: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, w: tf.Tensor): tf.Tensor {
  return tf.grad((weights: tf.Tensor) => {
    const inner = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(weights, leaky(tf.mul(input, weights)))))(x);
    return tf.sum(tf.square(inner));
  })(w);
}

describe('the one-kernel LeakyReLU gradient', () => {
  beforeAll(async () => {
    await startWasmBackendInNode();
    installSecondOrderGradients();
    installLeakyReluGradient();
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const backend of ['wasm', 'cpu']) {
    it(`on ${backend}: is the registered kernel and gives the first and second derivatives of max(x, 0.2 x)`, async () => {
      await tf.setBackend(backend);
      expect(tf.getKernel(LEAKY_RELU_BACKPROP, backend)).toBeDefined();
      const n = 3 * 5 * 7;
      // Values on both sides of zero (at zero itself max() takes the x side, LeakyReLU the alpha side).
      const x = tf.tensor(
        Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + 0.1) * 2),
        [3, 5, 7],
      );
      const w = tf.tensor(
        Array.from({ length: n }, (_, i) => 0.5 + Math.cos(i * 0.3)),
        [3, 5, 7],
      );
      const before = tf.memory().numTensors;
      const first = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(w, tf.leakyRelu(input, 0.2))))(x);
      const firstPlain = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(w, plainLeaky(input, 0.2))))(x);
      const second = penaltyGradient((t) => tf.leakyRelu(t, 0.2), x, w);
      const secondPlain = penaltyGradient((t) => plainLeaky(t, 0.2), x, w);
      const [a, b, c, d] = await Promise.all([first, firstPlain, second, secondPlain].map((t) => t.data()));
      a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 5));
      c.forEach((v, i) => expect(v).toBeCloseTo(d[i], 4));
      expect(Math.max(...Array.from(c).map(Math.abs))).toBeGreaterThan(0.1);
      tf.dispose([first, firstPlain, second, secondPlain]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, w]);
      const atZero = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.tensor1d([3, -2]), tf.leakyRelu(input, 0.2))))(tf.tensor1d([0, 0]));
      expect(Array.from(await atZero.data())).toEqual([Math.fround(0.6), Math.fround(-0.4)]);
      atZero.dispose();
    });
  }
});
