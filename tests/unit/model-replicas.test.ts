/**
 * Data-parallel training (src/model/parallel): two replicas on worker_threads, each on half of every batch,
 * train as one engine does. The whole batch's batch-norm statistics (forward and gradient) and the summed
 * gradients make the losses and the generator's moving statistics agree with the single engine to rounding;
 * Adam's first step, lr * g / |g| per weight, then moves each weight the same way (its sign is all that is left
 * of a gradient, so a weight whose gradient is rounding-sized may go either way).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { GanEngine } from '../../src/model/gan';
import { exportTrainingState, importTrainingState } from '../../src/model/io';
import { sharedMoments } from '../../src/model/parallel/syncBatchNorm';
import { Collective, createCollective } from '../../src/model/parallel/collective';
import { ReplicaError, replicaCount, ReplicatedTraining } from '../../src/model/parallel/replicas';
import { startWasmBackendInNode } from '../../src/model/wasm/node';
import { spawnNodeReplica } from '../../scripts/lib/replicas';
import { syntheticWindows, tinyConfig } from './model-fixtures';
import type { IterationLosses } from '../../src/model/losses';
import type { TrainingWindows } from '../../src/music/pianoRoll';
import type { HyperParamsInput } from '../../src/protocol/config';

beforeAll(() => startWasmBackendInNode(1));
afterAll(() => tf.setBackend('cpu'));

const values = async (weights: tf.LayerVariable[]): Promise<Float32Array[]> =>
  Promise.all(weights.map(async (w) => Float32Array.from((await w.read().data()) as Float32Array)));

/**
 * One fresh engine of `config` twice: alone, and as the coordinator of two replicas; `before` holds its trainable
 * weights at the start.
 */
async function aloneAndReplicated(config: HyperParamsInput) {
  const first = GanEngine.create(config);
  const state = await exportTrainingState(first);
  const before = await values(first.generator.trainableWeights.concat(first.critic.trainableWeights));
  first.dispose();
  const single = await importTrainingState(state);
  const coordinator = await importTrainingState(state);
  const training = await ReplicatedTraining.start(coordinator, 2, spawnNodeReplica);
  const dispose = () => {
    training.dispose();
    single.dispose();
    coordinator.dispose();
  };
  return { before, single, coordinator, training, dispose };
}

/** One iteration on `windows` alone and on the replicas: the losses agree to 1e-4 (relative above 1). */
async function sameLosses(pair: Awaited<ReturnType<typeof aloneAndReplicated>>, windows: TrainingWindows): Promise<IterationLosses> {
  const alone = await pair.single.trainNext(pair.single.sampler(windows));
  const shared = await pair.training.trainNext(pair.coordinator.sampler(windows));
  for (const key of Object.keys(alone) as (keyof typeof alone)[]) {
    expect(Math.abs(shared[key] - alone[key])).toBeLessThan(1e-4 * Math.max(1, Math.abs(alone[key])));
  }
  return alone;
}

/**
 * After the same iterations alone and on the replicas: every weight moved by about the learning rate, in the same
 * direction, but for rounding-sized gradients (more than 10,000 moved; 99 % agree).
 */
async function sameUpdates(pair: Awaited<ReturnType<typeof aloneAndReplicated>>, learningRate: number): Promise<void> {
  await pair.training.sync();
  const after = (engine: GanEngine) => values(engine.generator.trainableWeights.concat(engine.critic.trainableWeights));
  const [singleAfter, sharedAfter] = [await after(pair.single), await after(pair.coordinator)];
  let moved = 0;
  let agree = 0;
  pair.before.forEach((start, i) =>
    start.forEach((v, j) => {
      const a = singleAfter[i][j] - v;
      const b = sharedAfter[i][j] - v;
      if (Math.abs(a) < 0.5 * learningRate) return;
      moved++;
      if (Math.sign(a) === Math.sign(b)) agree++;
    }),
  );
  expect(moved).toBeGreaterThan(10_000);
  expect(agree / moved).toBeGreaterThan(0.99);
}

describe('training on replicas', () => {
  it('gives the single engine’s losses and moving statistics, and moves the weights the same way', async () => {
    const config = tinyConfig({ seed: 5, baseWidth: 8, batchSize: 4, updateRatio: 2, learningRate: 0.001 });
    const pair = await aloneAndReplicated(config);
    const { single, coordinator, training } = pair;
    const windows = syntheticWindows(8);
    try {
      expect(training.size).toBe(2);
      await sameLosses(pair, windows);
      await training.sync();
      expect(coordinator.iteration).toBe(1);

      // Moving statistics follow the forward passes only: the whole batch's mean and variance.
      const moving = (engine: GanEngine) => values(engine.generator.nonTrainableWeights);
      const [singleMoving, sharedMoving] = [await moving(single), await moving(coordinator)];
      expect(singleMoving.length).toBeGreaterThan(0);
      singleMoving.forEach((a, i) => a.forEach((v, j) => expect(Math.abs(sharedMoving[i][j] - v)).toBeLessThan(1e-4)));

      await sameUpdates(pair, config.learningRate!);

      // A batch too small to share is refused with a message, and the set is spent.
      const tiny = { ...windows, count: 1, data: windows.data.subarray(0, windows.data.length / 8) };
      await expect(training.trainIteration([tiny, tiny])).rejects.toThrow(/cannot be split between 2 training threads/);
      await expect(training.trainIteration([tiny, tiny])).rejects.toThrow(ReplicaError);
    } finally {
      pair.dispose();
    }
  }, 120_000);

  it('with voice context, hides the same cells on every replica: the single engine’s losses and weight updates', async () => {
    const config = tinyConfig({ seed: 6, baseWidth: 8, batchSize: 4, updateRatio: 2, learningRate: 0.001, voiceContext: true });
    const pair = await aloneAndReplicated(config);
    try {
      expect((await sameLosses(pair, syntheticWindows(8))).voiceLoss).toBeGreaterThan(0);
      await sameUpdates(pair, config.learningRate!);
    } finally {
      pair.dispose();
    }
  }, 120_000);

  it('takes the whole batch’s moments, and their gradient, through the collective', () => {
    const lone = new Collective(createCollective(1), 0);
    const x = tf.randomNormal([3, 4, 5, 6], 0.5, 2, 'float32', 1) as tf.Tensor4D;
    const weights = tf.randomNormal([2, 6], 0, 1, 'float32', 2);
    const ours = (t: tf.Tensor) => tf.sum(tf.mul(sharedMoments(t as tf.Tensor4D, lone), weights));
    const theirs = (t: tf.Tensor) => {
      const { mean, variance } = tf.moments(t, [0, 1, 2]);
      return tf.sum(tf.mul(tf.stack([mean, variance]), weights));
    };
    const gap = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
    expect(gap(ours(x), theirs(x))).toBeLessThan(1e-4);
    expect(gap(tf.grad(ours)(x), tf.grad(theirs)(x))).toBeLessThan(1e-5);
    tf.dispose([x, weights]);
  });

  it('starts one replica per core, never more than the batch has windows or 8', () => {
    expect(replicaCount(2, 16)).toBe(2);
    expect(replicaCount(16, 64)).toBe(8);
    expect(replicaCount(8, 2)).toBe(2);
    expect(replicaCount(1, 16)).toBe(1);
  });
});
