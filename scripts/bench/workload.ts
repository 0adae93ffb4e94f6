/**
 * The benchmark's workload, shared by Node and the browser page: the project's generator and critic
 * (src/model/networks.ts) trained with WGAN-GP exactly as the reference does (critic loss
 * mean(C(fake)) - mean(C(real)) + 10 * GP, generator loss -mean(C(fake)), two Adam optimisers), on random
 * binary rolls, which cost the same to train on as real music.
 */
import * as tf from '@tensorflow/tfjs';

import { buildCritic, buildGenerator, noiseShape, OUTPUT_TRACKS } from '../../src/model/networks';
import { createUniform, truncatedNormal } from '../../src/model/random';
import { installSecondOrderGradients } from '../../src/model/secondOrder';
import { PITCHES, WINDOW_STEPS } from '../../src/music/pianoRoll';

/** Reference loss and optimiser settings (docs/reference.md). */
const GRADIENT_PENALTY_WEIGHT = 10;
const LEARNING_RATE = 1e-3;
const BETA1 = 0.5;
const BETA2 = 0.9;
/** Keeps the penalty's norm differentiable where the gradient is zero. */
const NORM_EPSILON = 1e-8;

/** Windows in a 16-bar melody: 2 bars per window. */
export const WINDOWS_PER_16_BARS = 8;

/** Multiply-add FLOPs of every Conv2D layer of a model's forward pass, per sample: 2*outH*outW*kH*kW*inC*outC. */
export function convFlopsPerSample(model: tf.LayersModel): number {
  let flops = 0;
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'Conv2D') continue;
    const [kH, kW, inC, outC] = layer.getWeights()[0].shape;
    const outShape = layer.outputShape as number[];
    flops += 2 * outShape[1] * outShape[2] * kH * kW * inC * outC;
  }
  return flops;
}

/** One model size ready to be timed on the current backend. */
export interface BenchWorkload {
  readonly width: number;
  readonly batchSize: number;
  /** Convolution FLOPs of one forward pass per sample. */
  readonly generatorFlopsPerSample: number;
  readonly criticFlopsPerSample: number;
  /** One critic step with gradient penalty; resolves with its loss once the backend has finished. */
  criticStep(): Promise<number>;
  /** One generator step; resolves with its loss once the backend has finished. */
  generatorStep(): Promise<number>;
  /** Generates `windows` 2-bar windows in one batch (inference mode) and waits for the values. */
  generate(windows: number): Promise<void>;
  dispose(): void;
}

function randomRolls(count: number, tracks: number, seed: number): tf.Tensor4D {
  const uniform = createUniform(seed);
  // About 3 % of cells on, like chorale voices.
  const values = Float32Array.from({ length: count * WINDOW_STEPS * PITCHES * tracks }, () => (uniform() < 0.03 ? 1 : -1));
  return tf.tensor4d(values, [count, WINDOW_STEPS, PITCHES, tracks]);
}

/** Builds the networks and a fixed batch for `width` on whatever backend is active. */
export function createBenchWorkload(width: number, batchSize: number, seed = 7): BenchWorkload {
  installSecondOrderGradients();
  const generator = buildGenerator(width, seed);
  const critic = buildCritic(width, seed);
  const generatorOptimizer = tf.train.adam(LEARNING_RATE, BETA1, BETA2);
  const criticOptimizer = tf.train.adam(LEARNING_RATE, BETA1, BETA2);
  const generatorVariables = generator.trainableWeights.map((w) => w.read() as tf.Variable);
  const criticVariables = critic.trainableWeights.map((w) => w.read() as tf.Variable);
  const uniform = createUniform(seed + 1);
  const real = randomRolls(batchSize, OUTPUT_TRACKS, seed + 2);
  const condition = tf.tidy(() => real.slice([0, 0, 0, 0], [-1, -1, -1, 1]));
  const noise = (count: number): tf.Tensor4D => {
    const shape = noiseShape(width);
    return tf.tensor4d(truncatedNormal(uniform, count * shape[0] * shape[1] * shape[2]), [count, ...shape]);
  };
  const score = (roll: tf.Tensor, cond: tf.Tensor): tf.Tensor =>
    critic.apply([roll, cond], { training: true }) as tf.Tensor;
  const fakeBatch = (): tf.Tensor => generator.apply([condition, noise(batchSize)], { training: true }) as tf.Tensor;

  async function criticStep(): Promise<number> {
    const loss = tf.tidy(() => {
      const fake = fakeBatch();
      const mix = tf.randomUniform([batchSize, 1, 1, 1], 0, 1, 'float32', Math.floor(uniform() * 2 ** 31));
      const blended = tf.add(tf.mul(mix, real), tf.mul(tf.sub(1, mix), fake));
      return criticOptimizer.minimize(
        () => {
          const wasserstein = tf.sub(tf.mean(score(fake, condition)), tf.mean(score(real, condition)));
          const inputGradient = tf.grad((x: tf.Tensor) => tf.sum(score(x, condition)))(blended);
          const norm = tf.sqrt(tf.add(tf.sum(tf.square(inputGradient), [1, 2, 3]), NORM_EPSILON));
          const penalty = tf.mean(tf.square(tf.sub(norm, 1)));
          return tf.add(wasserstein, tf.mul(GRADIENT_PENALTY_WEIGHT, penalty)) as tf.Scalar;
        },
        true,
        criticVariables,
      ) as tf.Scalar;
    });
    const [value] = await loss.data();
    loss.dispose();
    return value;
  }

  async function generatorStep(): Promise<number> {
    const loss = tf.tidy(
      () =>
        generatorOptimizer.minimize(
          () => tf.neg(tf.mean(score(fakeBatch(), condition))) as tf.Scalar,
          true,
          generatorVariables,
        ) as tf.Scalar,
    );
    const [value] = await loss.data();
    loss.dispose();
    return value;
  }

  async function generate(windows: number): Promise<void> {
    const melody = randomRolls(windows, 1, seed + 3);
    const z = noise(windows);
    const output = generator.predict([melody, z]) as tf.Tensor;
    await output.data();
    tf.dispose([melody, z, output]);
  }

  return {
    width,
    batchSize,
    generatorFlopsPerSample: convFlopsPerSample(generator),
    criticFlopsPerSample: convFlopsPerSample(critic),
    criticStep,
    generatorStep,
    generate,
    dispose() {
      tf.dispose([real, condition]);
      generatorOptimizer.dispose();
      criticOptimizer.dispose();
      generator.dispose();
      critic.dispose();
    },
  };
}
