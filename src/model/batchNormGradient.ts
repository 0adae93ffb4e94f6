/**
 * A cheaper gradient for FusedBatchNorm (the generator's batch norms), the same mathematics as
 * TensorFlow.js 4.22's own: that one tiles the per-channel factor to the full input shape before
 * multiplying and multiplies full-size tensors where per-channel ones would do (about fifteen passes over
 * the activations per layer); this one broadcasts and sums first (five passes). Training steps on every
 * backend use it; the results agree to rounding (tests/unit/model-batchnorm-gradient.test.ts).
 */
import * as tf from '@tensorflow/tfjs';

let original: tf.GradConfig | undefined;
let installed = false;

/**
 * y = (x - mean) * r * scale + offset with r = 1 / sqrt(variance + epsilon), per channel (mean of rank 1):
 * dx = dy * r * scale; dmean = -sum(dy) * r * scale; dvariance = -0.5 * r^3 * scale * sum(dy * (x - mean));
 * dscale = r * sum(dy * (x - mean)); doffset = sum(dy), the sums over every axis but the channels.
 */
export const batchNormGradient: tf.GradConfig = {
  kernelName: tf.FusedBatchNorm,
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dyOrList, saved, attrs) => {
    const [x, mean, variance, scale] = saved;
    if (mean.rank !== 1 || original === undefined) {
      if (original === undefined) throw new Error('internal: the batch-norm gradient was used before installBatchNormGradient()');
      return original.gradFunc(dyOrList, saved, attrs);
    }
    const dy = Array.isArray(dyOrList) ? dyOrList[0] : dyOrList;
    const epsilon = (attrs as { varianceEpsilon: number }).varianceEpsilon;
    const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
    const scaleValue = scale ?? tf.scalar(1);
    const r = tf.rsqrt(tf.add(variance, epsilon));
    const rTimesScale = tf.mul(r, scaleValue);
    const dySum = tf.sum(dy, axes);
    const dyTimesCentred = tf.sum(tf.mul(dy, tf.sub(x, mean)), axes);
    return {
      x: () => tf.mul(dy, rTimesScale),
      mean: () => tf.neg(tf.mul(dySum, rTimesScale)),
      variance: () => tf.mul(tf.mul(dyTimesCentred, rTimesScale), tf.mul(tf.square(r), -0.5)),
      scale: () => tf.mul(dyTimesCentred, r),
      offset: () => tf.clone(dySum),
    };
  },
};

/** Registers the gradient once per process (idempotent), keeping the package's for other mean shapes. */
export function installBatchNormGradient(): void {
  if (installed) return;
  original = tf.getGradient(tf.FusedBatchNorm);
  tf.registerGradient(batchNormGradient);
  installed = true;
}
