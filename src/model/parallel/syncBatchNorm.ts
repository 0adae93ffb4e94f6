/**
 * Batch norm over the whole batch when the batch is split between data-parallel replicas: each replica's
 * generator batch-norm layers normalise with the mean and variance of every replica's windows together (and
 * update their moving statistics with them), and the gradient through those statistics gathers every
 * replica's part. The result is the single-engine step's, up to the order of additions.
 */
import * as tf from '@tensorflow/tfjs';
import type { Collective } from './collective';

/** The parts of tfjs-layers' BatchNormalization layer this module reads (they are public fields there, untyped in tfjs's declarations). */
interface BatchNormFields {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma: tf.LayerVariable | null;
  beta: tf.LayerVariable | null;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

type LayerCall = (inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }) => tf.Tensor | tf.Tensor[];

/**
 * [mean; variance] per channel ([2, C]) of an NHWC tensor over every replica's share of the batch. Each
 * replica passes its own share; the gradient is taken over the whole batch as well.
 */
export function sharedMoments(x: tf.Tensor4D, collective: Collective): tf.Tensor2D {
  const channels = x.shape[3];
  const moments = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const shard = args[0] as tf.Tensor4D;
    const save = args[1] as tf.GradSaveFunc;
    const local = new Float32Array(channels + 1);
    local.set(tf.tidy(() => tf.sum(shard, [0, 1, 2])).dataSync() as Float32Array);
    local[channels] = shard.size / channels;
    const sums = collective.sum(local);
    const count = sums[channels];
    const mean = tf.tensor1d(sums.subarray(0, channels).map((s) => s / count));
    const squares = tf.tidy(() => tf.sum(tf.squaredDifference(shard, mean), [0, 1, 2]));
    const variance = tf.tensor1d(collective.sum(squares.dataSync() as Float32Array).map((s) => s / count));
    squares.dispose();
    save([shard, mean]);
    const value = tf.stack([mean, variance]) as tf.Tensor2D;
    variance.dispose();
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [savedInput, savedMean] = saved;
        const upstream = collective.sum((Array.isArray(dy) ? dy[0] : dy).dataSync() as Float32Array);
        const dMean = tf.tensor1d(upstream.subarray(0, channels));
        const dVariance = tf.tensor1d(upstream.subarray(channels));
        // d mean / dx = 1 / n; d variance / dx = 2 (x - mean) / n (the mean's own term sums to zero).
        return tf.add(tf.div(dMean, count), tf.mul(tf.sub(savedInput, savedMean), tf.mul(dVariance, 2 / count)));
      },
    };
  });
  return moments(x) as tf.Tensor2D;
}

/**
 * Makes every BatchNormalization layer of `model` use the whole batch's statistics in training mode; inference
 * (moving statistics) is unchanged. Only NHWC layers normalising the last axis are handled (the generator's).
 */
export function shareBatchNorm(model: tf.LayersModel, collective: Collective): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const fields = layer as unknown as BatchNormFields & { call: LayerCall };
    const ownCall = fields.call.bind(layer) as LayerCall;
    fields.call = (inputs, kwargs) => {
      if (!kwargs?.training) return ownCall(inputs, kwargs);
      return tf.tidy(() => {
        const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
        if (x.rank !== 4 || (fields.axis !== -1 && fields.axis !== 3)) {
          throw new Error(`internal: shared batch norm handles NHWC channel norms only (layer ${layer.name})`);
        }
        const [mean, variance] = tf.unstack(sharedMoments(x, collective)) as [tf.Tensor1D, tf.Tensor1D];
        const normed = tf.batchNorm(x, mean, variance, fields.beta?.read(), fields.gamma?.read(), fields.epsilon);
        for (const [variable, value] of [
          [fields.movingMean, mean],
          [fields.movingVariance, variance],
        ] as const) {
          // tfjs-layers' own moving-average update: moving - (moving - batch) * (1 - momentum).
          const moving = variable.read();
          variable.write(tf.sub(moving, tf.mul(tf.sub(moving, value), 1 - fields.momentum)));
        }
        return normed;
      });
    };
  }
}
