/**
 * Makes TensorFlow.js 4.22 compute second-order gradients correctly, which the WGAN-GP penalty needs
 * (the critic is trained on the gradient of its own output).
 *
 * Two traps, both measured (tests/unit/model-secondorder.test.ts checks both fixes against exact and finite-difference values):
 * - The comparison ops have no registered gradient, so differentiating LeakyReLU's gradient (which selects
 *   with `greater(x, 0)`) throws "gradient function not found for Greater". Their true gradient is zero.
 * - An op whose gradient reads its own saved output (Tanh, Sigmoid, Exp, Elu) gets a wrong second
 *   derivative without any error: the engine saves a clone of the output and records that clone on the
 *   tape before the op itself, so the clone's link back to the op's input is lost. Writing those gradients
 *   from the op's input keeps the whole chain on the tape.
 * Not covered, because this model does not use them: Max, Min, MaxPool, Softmax, LogSoftmax, LRN, Pow's
 * exponent gradient.
 */
import * as tf from '@tensorflow/tfjs';

const COMPARISON_KERNELS = [tf.Greater, tf.Less, tf.LessEqual, tf.Equal, tf.NotEqual, tf.LogicalAnd, tf.LogicalOr, tf.LogicalNot] as const;

let installed = false;

/** The gradient configurations this module installs, keyed by kernel name (exported for tests). */
export function secondOrderGradients(): tf.GradConfig[] {
  const zeroGradient = (kernelName: string): tf.GradConfig =>
    kernelName === tf.LogicalNot
      ? { kernelName, inputsToSave: ['x'], gradFunc: (_dy, [x]) => ({ x: () => tf.zerosLike(x).toFloat() }) }
      : {
          kernelName,
          inputsToSave: ['a', 'b'],
          gradFunc: (_dy, [a, b]) => ({ a: () => tf.zerosLike(a).toFloat(), b: () => tf.zerosLike(b).toFloat() }),
        };
  const single = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor => (Array.isArray(dy) ? dy[0] : dy);
  const fromInput: tf.GradConfig[] = [
    {
      kernelName: tf.Tanh,
      inputsToSave: ['x'],
      gradFunc: (dy, [x]) => ({ x: () => tf.mul(single(dy), tf.sub(1, tf.square(tf.tanh(x)))) }),
    },
    {
      kernelName: tf.Sigmoid,
      inputsToSave: ['x'],
      gradFunc: (dy, [x]) => ({
        x: () => {
          const s = tf.sigmoid(x);
          return tf.mul(single(dy), tf.mul(s, tf.sub(1, s)));
        },
      }),
    },
    {
      kernelName: tf.Exp,
      inputsToSave: ['x'],
      gradFunc: (dy, [x]) => ({ x: () => tf.mul(single(dy), tf.exp(x)) }),
    },
    {
      kernelName: tf.Elu,
      inputsToSave: ['x'],
      gradFunc: (dy, [x]) => ({
        x: () => tf.where(tf.greater(x, 0), single(dy), tf.mul(single(dy), tf.exp(tf.minimum(x, 0)))),
      }),
    },
  ];
  return [...COMPARISON_KERNELS.map(zeroGradient), ...fromInput];
}

/**
 * Registers the corrected gradients once per process (idempotent). Call before the first training step;
 * GanEngine.create does.
 */
export function installSecondOrderGradients(): void {
  if (installed) return;
  for (const config of secondOrderGradients()) tf.registerGradient(config);
  installed = true;
}
