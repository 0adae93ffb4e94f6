/**
 * The memory a training replica needs (src/protocol/memory.ts): the parameter table against the built networks, the
 * estimate against the peak tensor bytes `tf.profile` measures on WebAssembly, and the refusal's arithmetic.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { GanEngine } from '../../src/model/gan';
import { MODEL_WIDTHS } from '../../src/music/constants';
import { memoryProblem, PARAMETERS, TRAINING_BUDGET_BYTES, trainingBytes, windowsPerReplica } from '../../src/protocol/memory';
import { syntheticWindows, useCpu } from './model-fixtures';
import { useWasm } from './wasm-fixtures';

beforeAll(useWasm);
afterAll(useCpu);

describe('training memory', () => {
  it('counts the parameters of the networks of every width', () => {
    for (const width of MODEL_WIDTHS) {
      const engine = GanEngine.create({ baseWidth: width, batchSize: 2 });
      expect(engine.generator.countParams() + engine.critic.countParams(), `width ${width}`).toBe(PARAMETERS[width]);
      engine.dispose();
    }
  });

  it('estimates at or above the peak an iteration reaches, and not far above it', async () => {
    for (const [width, batch] of [
      [4, 8],
      [8, 4],
    ] as const) {
      const engine = GanEngine.create({ baseWidth: width, batchSize: batch, updateRatio: 1, seed: 1 });
      const sampler = engine.sampler(syntheticWindows(batch * 2));
      await engine.trainNext(sampler);
      const { peakBytes } = await tf.profile(async () => {
        await engine.trainNext(sampler);
      });
      const estimate = trainingBytes(width, batch);
      expect(estimate, `width ${width}, batch ${batch}`).toBeGreaterThanOrEqual(peakBytes);
      expect(estimate, `width ${width}, batch ${batch}`).toBeLessThan(1.6 * peakBytes);
      engine.dispose();
    }
  });

  it('refuses only what exceeds the budget, saying the largest batch that fits', () => {
    expect(memoryProblem(16, 16, 2)).toBeNull();
    expect(memoryProblem(64, 64, 2)).toBeNull();
    const message = memoryProblem(64, 256, 1)!;
    const largest = Number(/batch size of at most (\d+)/.exec(message)![1]);
    expect(trainingBytes(64, largest)).toBeLessThanOrEqual(TRAINING_BUDGET_BYTES);
    expect(trainingBytes(64, largest + 1)).toBeGreaterThan(TRAINING_BUDGET_BYTES);
    expect(message).toMatch(/or a smaller model \(width 16 fits this batch\)/);
    // Split between two replicas, each holds half the batch: twice the batch fits.
    expect(memoryProblem(64, 2 * largest, 2)).toBeNull();
    expect(memoryProblem(64, 2 * largest + 2, 2)).toMatch(/per training thread \(2 threads, \d+ windows each\)/);
    expect(windowsPerReplica(17, 2)).toBe(9);
  });
});
