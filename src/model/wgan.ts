/** The WGAN-GP gradient penalty, as in the reference (Gulrajani et al. 2017, AWS DeepComposer). */
import * as tf from '@tensorflow/tfjs';

/** Added under the square root of the gradient norm, as in the reference, so the norm is never sqrt(0). */
export const NORM_EPSILON = 1e-8;

/**
 * mean((||dC/dx|| - 1)^2) at x = e * real + (1 - e) * fake, e one number per sample (`mix`, [B, 1, 1, 1]);
 * the gradient is taken with respect to the 4-track roll only (the condition is held fixed) and its norm is
 * sqrt(sum of squares + 1e-8) per sample. Differentiable with respect to the critic's weights once
 * installSecondOrderGradients() has run.
 */
export function gradientPenalty(
  critic: tf.LayersModel,
  real: tf.Tensor4D,
  fake: tf.Tensor4D,
  condition: tf.Tensor4D,
  mix: tf.Tensor4D,
): tf.Scalar {
  return tf.tidy(() => {
    const mixed = tf.add(tf.mul(mix, real), tf.mul(tf.sub(1, mix), fake)) as tf.Tensor4D;
    // The critic has no batch-wise layer, so d(sum of scores)/dx gives each sample's own gradient.
    const scoreOf = (x: tf.Tensor) => tf.sum(critic.apply([x, condition], { training: true }) as tf.Tensor);
    const gradient = tf.grad(scoreOf)(mixed);
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(gradient), [1, 2, 3]), NORM_EPSILON));
    return tf.mean(tf.square(tf.sub(norm, 1))) as tf.Scalar;
  });
}
