import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchNormGradient, installBatchNormGradient } from '../../src/model/batchNormGradient';

/** Batch norm over every axis but the channels, written with plain ops whose gradients tfjs has long had. */
function plainBatchNorm(x: tf.Tensor4D, scale: tf.Tensor1D, offset: tf.Tensor1D): tf.Tensor {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-3))), scale), offset);
}

function fusedBatchNorm(x: tf.Tensor4D, scale: tf.Tensor1D, offset: tf.Tensor1D): tf.Tensor {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, mean, variance, offset, scale, 1e-3);
}

describe('the batch-norm gradient', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    installBatchNormGradient();
  });

  it('is the registered FusedBatchNorm gradient', () => {
    expect(tf.getGradient(tf.FusedBatchNorm).gradFunc).toBe(batchNormGradient.gradFunc);
  });

  it('gives the same gradients for the input, scale and offset as batch norm written with plain ops', async () => {
    const x = tf.tensor4d(
      Array.from({ length: 3 * 4 * 5 * 6 }, (_, i) => Math.sin(i * 0.7) * 2 + (i % 6)),
      [3, 4, 5, 6],
    );
    const scale = tf.tensor1d([0.5, 1, 1.5, 2, -1, 0.25]);
    const offset = tf.tensor1d([0, 0.1, -0.2, 0.3, 0, 1]);
    const upstream = tf.tensor4d(
      Array.from({ length: 3 * 4 * 5 * 6 }, (_, i) => Math.cos(i * 1.3)),
      [3, 4, 5, 6],
    );
    const gradientsOf = (norm: typeof plainBatchNorm) =>
      tf.grads((a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) =>
        tf.sum(tf.mul(norm(a as tf.Tensor4D, s as tf.Tensor1D, o as tf.Tensor1D), upstream)),
      )([x, scale, offset]);
    const ours = gradientsOf(fusedBatchNorm);
    const plain = gradientsOf(plainBatchNorm);
    for (let k = 0; k < 3; k++) {
      const a = await ours[k].data();
      const b = await plain[k].data();
      expect(a.length).toBe(b.length);
      a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 4));
    }
    // A gradient that is all zeros would match nothing above, but check the input's is not trivial.
    expect(Math.max(...Array.from(await ours[0].abs().data()))).toBeGreaterThan(0.01);
    tf.dispose([x, scale, offset, upstream, ...ours, ...plain]);
  });
});
