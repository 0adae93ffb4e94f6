/**
 * The gradient penalty needs second-order gradients, which tfjs 4.22 gets wrong or cannot compute out of the
 * box (see src/model/secondOrder.ts). These tests compare them with values computed another way.
 */
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installFastCpuKernels } from '../../src/model/cpuKernels';
import { buildCritic } from '../../src/model/networks';
import { createUniform } from '../../src/music/random';
import { installSecondOrderGradients } from '../../src/model/secondOrder';
import { startWasmBackendInNode } from '../../src/model/wasm/node';
import { gradientPenalty } from '../../src/model/wgan';

// The wasm backend trains once src/model/wasm adds its missing filter-gradient kernel; test it where it starts.
const wasmStarts = await Promise.resolve()
  .then(() => startWasmBackendInNode())
  .then(
    () => true,
    () => false,
  );
const BACKENDS = wasmStarts ? ['cpu', 'wasm'] : ['cpu'];

beforeAll(async () => {
  await tf.setBackend('cpu');
  installSecondOrderGradients();
  // Training on cpu runs with this kernel (GanEngine.create installs it), so check the penalty with it.
  installFastCpuKernels();
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('second-order gradients', () => {
  it('give the true second derivative of tanh and sigmoid', async () => {
    const x = tf.tensor1d([-2, -0.7, 0, 0.4, 1.5]);
    const tanh2 = tf.grad((v: tf.Tensor) => tf.sum(tf.grad((u: tf.Tensor) => tf.sum(tf.tanh(u)))(v)))(x);
    const sigmoid2 = tf.grad((v: tf.Tensor) => tf.sum(tf.grad((u: tf.Tensor) => tf.sum(tf.sigmoid(u)))(v)))(x);
    const xs = await x.data();
    const expectedTanh = Array.from(xs, (v) => -2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2));
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    const expectedSigmoid = Array.from(xs, (v) => s(v) * (1 - s(v)) * (1 - 2 * s(v)));
    Array.from(await tanh2.data()).forEach((v, i) => expect(v).toBeCloseTo(expectedTanh[i], 5));
    Array.from(await sigmoid2.data()).forEach((v, i) => expect(v).toBeCloseTo(expectedSigmoid[i], 5));
    tf.dispose([x, tanh2, sigmoid2]);
  });

  it('go through LeakyReLU (zero gradient for its comparison)', async () => {
    const x = tf.tensor1d([-1.5, -0.2, 0.3, 2]);
    // d/dx sum((d/dx sum(leaky(x)^2))) = 2 * slope^2 for negatives and 2 for positives.
    const second = tf.grad((v: tf.Tensor) => tf.sum(tf.grad((u: tf.Tensor) => tf.sum(tf.square(tf.leakyRelu(u, 0.2))))(v)))(x);
    Array.from(await second.data()).forEach((v, i) => expect(v).toBeCloseTo(i < 2 ? 2 * 0.04 : 2, 5));
    tf.dispose([x, second]);
  });

  for (const backend of BACKENDS) {
    it(`of the gradient penalty match central differences on the critic's weights (${backend})`, async () => {
      await tf.setBackend(backend);
      const critic = buildCritic(4, 7);
      const uniform = createUniform(3);
      const cells = 2 * 32 * 128 * 4;
      const real = tf.tensor4d(
        Float32Array.from({ length: cells }, () => (uniform() < 0.05 ? 1 : -1)),
        [2, 32, 128, 4],
      );
      const fake = tf.tensor4d(
        Float32Array.from({ length: cells }, () => uniform() * 2 - 1),
        [2, 32, 128, 4],
      );
      const condition = tf.slice(real, [0, 0, 0, 0], [-1, -1, -1, 1]) as tf.Tensor4D;
      const mix = tf.tensor4d([0.3, 0.8], [2, 1, 1, 1]);
      const penaltyNow = async () => {
        const p = gradientPenalty(critic, real, fake, condition, mix);
        const value = (await p.data())[0];
        p.dispose();
        return value;
      };

      const variables = critic.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => gradientPenalty(critic, real, fake, condition, mix), variables);
      expect((await value.data())[0]).toBeGreaterThan(0);

      // The critic is piecewise linear, so the penalty is smooth in a weight only until some LeakyReLU input
      // changes sign. Steps of 1e-4 rarely cross such a kink, yet are large enough that float32 rounding of
      // the penalty (about 1e-8 absolute here) adds only about 1e-4 to the difference quotient; the tolerance
      // (5 % + 5e-4) sits well above that and far below the jump a missing or wrong term would cause.
      const step = 1e-4;
      let checked = 0;
      for (const variable of variables) {
        if (!variable.name.includes('kernel')) continue;
        const gradient = await grads[variable.name].data();
        const original = Float32Array.from((await variable.data()) as Float32Array);
        // The weight each layer's penalty depends on most, where the check has the most signal.
        let index = 0;
        gradient.forEach((g, i) => (Math.abs(g) > Math.abs(gradient[index]) ? (index = i) : undefined));
        const at = async (delta: number) => {
          const moved = original.slice();
          moved[index] += delta;
          variable.assign(tf.tensor(moved, variable.shape));
          return penaltyNow();
        };
        const central = ((await at(step)) - (await at(-step))) / (2 * step);
        variable.assign(tf.tensor(original, variable.shape));
        expect(Math.abs(central - gradient[index]), `${variable.name}[${index}] analytic ${gradient[index]} vs ${central}`).toBeLessThan(
          0.05 * Math.abs(gradient[index]) + 5e-4,
        );
        expect(Math.abs(gradient[index])).toBeGreaterThan(5e-3);
        checked++;
      }
      expect(checked).toBe(5);
      tf.dispose([real, fake, condition, mix, value, ...Object.values(grads)]);
      critic.dispose();
      await tf.setBackend('cpu');
    });
  }
});
