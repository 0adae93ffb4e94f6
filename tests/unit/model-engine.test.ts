import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GanEngine } from '../../src/model/gan';
import { TrainingDataError } from '../../src/model/errors';
import { BatchSampler } from '../../src/model/sampler';
import { ConfigError } from '../../src/protocol/config';
import { maxDifference, syntheticWindows, tinyConfig, useCpu, weightValues } from './model-fixtures';
import { useWasm } from './wasm-fixtures';

beforeAll(useWasm);
afterAll(useCpu);

describe('GanEngine.create', () => {
  it('refuses bad settings, naming each bad field', () => {
    let error: unknown;
    try {
      GanEngine.create({ epochs: -1, learningRate: 0, updateRatio: 0 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.field).sort()).toEqual(['epochs', 'learningRate', 'updateRatio']);
    expect((error as ConfigError).message).toMatch(/epochs.*learningRate.*updateRatio/);
  });
});

describe('training steps', () => {
  it('a generator step changes only the generator, a critic step only the critic', async () => {
    const engine = GanEngine.create(tinyConfig());
    const batch = syntheticWindows(2);
    const generatorBefore = await weightValues(engine.generator);
    const criticBefore = await weightValues(engine.critic, 'all');

    await engine.trainGeneratorStep(batch);
    const generatorAfterG = await weightValues(engine.generator);
    expect(maxDifference(criticBefore, await weightValues(engine.critic, 'all'))).toBe(0);
    expect(maxDifference(generatorBefore, generatorAfterG)).toBeGreaterThan(1e-4);

    await engine.trainCriticStep(batch);
    expect(maxDifference(generatorAfterG, await weightValues(engine.generator))).toBe(0);
    expect(maxDifference(criticBefore, await weightValues(engine.critic, 'all'))).toBeGreaterThan(1e-4);
    engine.dispose();
  });

  it('leaks no tensor over five iterations and three passes over the data, and dispose frees the engine', async () => {
    const before = tf.memory().numTensors;
    const engine = GanEngine.create(tinyConfig());
    // 5 windows, batch 2, update ratio 1: a pass over the windows every two iterations, so the sampler starts new
    // passes (a fresh order) among the iterations counted below.
    const sampler = engine.sampler(syntheticWindows(5));
    // The first iteration creates Adam's moment variables; count from after it.
    await engine.trainNext(sampler);
    const afterFirst = tf.memory().numTensors;
    for (let i = 0; i < 4; i++) await engine.trainNext(sampler);
    expect(tf.memory().numTensors).toBe(afterFirst);
    expect(engine.iteration).toBe(5);
    engine.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives the same losses and outputs for the same seed, and others for another seed', async () => {
    const windows = syntheticWindows(4);
    const run = async (seed: number) => {
      const engine = GanEngine.create(tinyConfig({ seed, updateRatio: 2 }));
      const losses = await engine.trainNext(engine.sampler(windows));
      const melody = new Int8Array(32 * 128).fill(-1).map((v, i) => (i % 128 === 72 ? 1 : v));
      const noise = new Float32Array(2 * 8 * 32).map((_, i) => Math.sin(i));
      const output = await engine.generateWindows(melody, noise);
      engine.dispose();
      return { losses, output };
    };
    const a = await run(11);
    const b = await run(11);
    const c = await run(12);
    expect(b.losses).toEqual(a.losses);
    expect(maxDifference([b.output], [a.output])).toBe(0);
    expect(c.losses.criticLoss).not.toBe(a.losses.criticLoss);
    expect(maxDifference([c.output], [a.output])).toBeGreaterThan(1e-3);
    for (const value of Object.values(a.losses)) expect(Number.isFinite(value)).toBe(true);
  });

  it("raises the critic's Wasserstein estimate while the generator stands still", async () => {
    const engine = GanEngine.create(tinyConfig({ learningRate: 2e-3 }));
    const batch = syntheticWindows(2);
    const estimates: number[] = [];
    // Same batch and same noise each time: only the critic changes between measurements.
    for (let i = 0; i < 6; i++) estimates.push((await engine.trainCriticStep(batch, 0)).wasserstein);
    expect(estimates[5]).toBeGreaterThan(estimates[0] + 0.05);
    expect(estimates[5]).toBeGreaterThan(estimates[2]);
    engine.dispose();
  });

  it('refuses batches that do not fit an iteration', async () => {
    const engine = GanEngine.create(tinyConfig({ updateRatio: 2 }));
    await expect(engine.trainIteration([syntheticWindows(2)])).rejects.toThrow(TrainingDataError);
    const threeVoices = { ...syntheticWindows(2), tracks: 3 };
    await expect(engine.trainIteration([threeVoices, threeVoices])).rejects.toThrow(/4 voices/);
    engine.dispose();
  });
});

describe('epochs and batches', () => {
  it('draws each window once per pass, in a seeded order, and resumes at any batch', () => {
    const windows = syntheticWindows(10);
    const sampler = new BatchSampler(windows, { batchSize: 4, seed: 5 });
    const firstPass = [...sampler.indicesOf(0), ...sampler.indicesOf(1), ...sampler.indicesOf(2)].slice(0, 10);
    expect([...firstPass].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const secondPass = [...sampler.indicesOf(2), ...sampler.indicesOf(3), ...sampler.indicesOf(4)].slice(2, 12);
    expect([...secondPass].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(secondPass).not.toEqual(firstPass);

    const again = new BatchSampler(windows, { batchSize: 4, seed: 5, startBatch: 3 });
    expect([...again.indicesOf(3)]).toEqual([...sampler.indicesOf(3)]);
    const other = new BatchSampler(windows, { batchSize: 4, seed: 6 });
    expect([...other.indicesOf(0), ...other.indicesOf(1)]).not.toEqual([...sampler.indicesOf(0), ...sampler.indicesOf(1)]);

    // A batch holds exactly the windows its indices name.
    const batch = again.next();
    const size = 32 * 128 * 4;
    const index = again.indicesOf(3)[1];
    expect(batch.count).toBe(4);
    expect(Array.from(batch.data.subarray(size, 2 * size))).toEqual(Array.from(windows.data.subarray(index * size, (index + 1) * size)));
    expect(again.position).toBe(4);
  });
});
