import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { installFastCpuKernels, originalCpuBackpropFilter } from '../../src/model/cpuKernels';
import { createUniform } from '../../src/music/random';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Case = { x: [number, number, number, number]; filter: [number, number, number, number]; stride: number; pad: 'same' | 'valid' };
// The model's convolutions (encoder, decoder, critic) plus odd sizes and valid padding.
const CASES: Case[] = [
  { x: [2, 32, 128, 5], filter: [4, 4, 5, 4], stride: 2, pad: 'same' },
  { x: [2, 4, 16, 16], filter: [4, 4, 16, 32], stride: 2, pad: 'same' },
  { x: [2, 32, 128, 8], filter: [4, 4, 8, 4], stride: 1, pad: 'same' },
  { x: [3, 7, 9, 3], filter: [4, 3, 3, 2], stride: 2, pad: 'same' },
  { x: [1, 9, 11, 2], filter: [3, 4, 2, 5], stride: 2, pad: 'valid' },
];

async function filterGradients(): Promise<Float32Array[]> {
  const results: Float32Array[] = [];
  for (const [n, c] of CASES.entries()) {
    const uniform = createUniform(n + 1);
    const random = (shape: number[]) =>
      tf.tensor(
        Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => uniform() * 2 - 1),
        shape,
      );
    const x = random(c.x) as tf.Tensor4D;
    const filter = random(c.filter) as tf.Tensor4D;
    const outShape = tf.conv2d(x, filter, c.stride, c.pad).shape;
    const weights = random(outShape);
    const grad = tf.grad((f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, c.stride, c.pad), weights)))(filter);
    results.push((await grad.data()) as Float32Array);
    tf.dispose([x, filter, weights, grad]);
  }
  return results;
}

describe('the fast cpu filter gradient', () => {
  it("matches the cpu backend's own on the model's shapes", async () => {
    const own = await filterGradients();
    const originalKernel = originalCpuBackpropFilter();
    installFastCpuKernels();
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')?.kernelFunc).not.toBe(originalKernel?.kernelFunc);
    const fast = await filterGradients();
    own.forEach((values, i) => {
      expect(fast[i].length).toBe(values.length);
      const scale = Math.max(...values.map(Math.abs));
      const worst = Math.max(...values.map((v, j) => Math.abs(v - fast[i][j])));
      expect(worst / scale, `case ${i}`).toBeLessThan(1e-6);
    });
    // Installing again keeps the fast kernel and still remembers the original.
    const fastKernel = tf.getKernel('Conv2DBackpropFilter', 'cpu')?.kernelFunc;
    installFastCpuKernels();
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')?.kernelFunc).toBe(fastKernel);
    expect(originalCpuBackpropFilter()?.kernelFunc).toBe(originalKernel?.kernelFunc);
  });
});
