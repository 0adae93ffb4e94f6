import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GanEngine } from '../../src/model/gan';
import { ModelFileError } from '../../src/model/errors';
import {
  exportModel,
  exportTrainingState,
  importModel,
  importTrainingState,
  loadTrainingStateInto,
  MODEL_FORMAT,
} from '../../src/model/io';
import type { ModelFiles } from '../../src/protocol/messages';
import { BAR_POSITIONS, type DataProfile } from '../../src/music/dataProfile';
import { maxDifference, syntheticWindows, tinyConfig, useCpu, weightValues } from './model-fixtures';
import { useWasm } from './wasm-fixtures';

beforeAll(useWasm);
afterAll(useCpu);

const MELODY = new Int8Array(2 * 32 * 128).map((_, i) => (i % 128 === 70 + ((i >> 9) % 5) ? 1 : -1));
const NOISE = new Float32Array(2 * 2 * 8 * 32).map((_, i) => Math.cos(i * 0.7));

async function optimizerValues(engine: GanEngine): Promise<Float32Array[]> {
  const { generator, critic } = await engine.optimizerWeights();
  const values = await Promise.all([...generator, ...critic].map(async (n) => Float32Array.from((await n.tensor.data()) as Float32Array)));
  tf.dispose([generator[0].tensor, critic[0].tensor]);
  return values;
}

async function expectModelFileError(files: ModelFiles, code: string, message: RegExp, load = importModel): Promise<void> {
  const error = await load(files).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelFileError);
  expect((error as ModelFileError).code).toBe(code);
  expect((error as ModelFileError).message).toMatch(message);
}

describe('model files', () => {
  it('load back to identical outputs, settings and counters', async () => {
    const engine = GanEngine.create(tinyConfig({ seed: 21 }));
    const windows = syntheticWindows(4);
    await engine.trainNext(engine.sampler(windows));
    engine.epoch = 1;
    const files = await exportModel(engine);
    const manifest = JSON.parse(files.modelJson);
    expect(manifest.format).toBe(MODEL_FORMAT);
    expect(manifest.counters).toEqual({ epoch: 1, iteration: 1 });
    expect(manifest.optimizers).toBeUndefined();
    expect(manifest.generator.topology.class_name).toBe('Model');

    const loaded = await importModel(files);
    expect(loaded.config).toEqual(engine.config);
    expect([loaded.epoch, loaded.iteration]).toEqual([1, 1]);
    // All weights, the batch-norm moving statistics included (the generator runs on them when generating).
    expect(maxDifference(await weightValues(engine.generator, 'all'), await weightValues(loaded.generator, 'all'))).toBe(0);
    const a = await engine.generateWindows(MELODY, NOISE);
    const b = await loaded.generateWindows(MELODY, NOISE);
    expect(maxDifference([a], [b])).toBe(0);
    // A model of the Bach chorales states no data profile.
    expect(manifest.data).toBeUndefined();
    expect(loaded.dataProfile).toBeNull();
    engine.dispose();
    loaded.dispose();
  });

  it("keep what the model learned from: the training windows' data profile", async () => {
    const engine = GanEngine.create(tinyConfig({ seed: 4 }));
    const profile: DataProfile = {
      kind: 'own',
      melody: { low: 60, high: 84 },
      tracks: ['Piano', 'Bass', 'Drums'].map((name, i) => ({
        name,
        program: i === 1 ? 33 : 0,
        isDrum: i === 2,
        low: 36,
        high: 60,
        restRate: 0.5,
        polyphony: i === 0 ? 3 : 1,
        noteSteps: 4,
        onsets: new Array<number>(BAR_POSITIONS).fill(1 / BAR_POSITIONS),
        drumKeys: i === 2 ? [{ pitch: 36, hitRate: 0.125, pattern: new Array<number>(BAR_POSITIONS).fill(0.125) }] : [],
      })),
    };
    engine.sampler({ ...syntheticWindows(4), profile });
    expect(engine.dataProfile).toBe(profile);
    const files = await exportModel(engine);
    const loaded = await importModel(files);
    expect(loaded.dataProfile).toEqual(profile);
    const damaged = JSON.parse(files.modelJson);
    damaged.data.tracks[2].drumKeys[0].pattern = [1];
    await expectModelFileError(
      { modelJson: JSON.stringify(damaged), weights: files.weights },
      'bad-shape',
      /track 3 of the data profile is damaged/,
    );
    damaged.data.kind = 'jazz';
    await expectModelFileError({ modelJson: JSON.stringify(damaged), weights: files.weights }, 'bad-shape', /data kind/);
    engine.dispose();
    loaded.dispose();
  });

  it('resume training exactly: same optimiser state, same next iteration', async () => {
    const windows = syntheticWindows(6);
    const original = GanEngine.create(tinyConfig({ seed: 22, updateRatio: 2 }));
    const sampler = original.sampler(windows);
    await original.trainNext(sampler);
    const state = await exportTrainingState(original);
    expect(JSON.parse(state.modelJson).optimizers.generator.iterations).toBe(1);
    expect(JSON.parse(state.modelJson).optimizers.critic.iterations).toBe(2);

    const resumed = await importTrainingState(state);
    expect(resumed.iteration).toBe(1);
    expect(maxDifference(await optimizerValues(original), await optimizerValues(resumed))).toBe(0);

    const next = await original.trainNext(sampler);
    const resumedNext = await resumed.trainNext(resumed.sampler(windows));
    expect(resumedNext).toEqual(next);
    expect(maxDifference(await weightValues(original.generator, 'all'), await weightValues(resumed.generator, 'all'))).toBe(0);
    expect(maxDifference(await weightValues(original.critic), await weightValues(resumed.critic))).toBe(0);

    // A plain model file does not carry the optimisers, so it cannot resume a run.
    await expectModelFileError(await exportModel(original), 'bad-shape', /not a training state/, importTrainingState);
    original.dispose();
    resumed.dispose();
  });

  it('load a training state into a live engine, freeing the state it replaces', async () => {
    const windows = syntheticWindows(6);
    const trained = GanEngine.create(tinyConfig({ seed: 23, updateRatio: 2 }));
    await trained.trainNext(trained.sampler(windows));
    const target = GanEngine.create(tinyConfig({ seed: 23, updateRatio: 2 }));
    await target.trainNext(target.sampler(syntheticWindows(4)));
    const state = await exportTrainingState(trained);
    await loadTrainingStateInto(target, state);
    const tensors = tf.memory().numTensors;
    // A second load replaces every weight and moment in place: nothing is left over.
    await loadTrainingStateInto(target, state);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(target.iteration).toBe(1);
    expect(maxDifference(await optimizerValues(trained), await optimizerValues(target))).toBe(0);
    expect(maxDifference(await weightValues(trained.generator, 'all'), await weightValues(target.generator, 'all'))).toBe(0);
    await expect(loadTrainingStateInto(target, await exportModel(trained))).rejects.toThrow(/not a training state/);
    trained.dispose();
    target.dispose();
  });

  it('refuse foreign, damaged and newer files with a clear message', async () => {
    const engine = GanEngine.create(tinyConfig());
    const files = await exportModel(engine);
    const manifest = JSON.parse(files.modelJson);
    const withManifest = (change: (m: typeof manifest) => void): ModelFiles => {
      const copy = JSON.parse(files.modelJson);
      change(copy);
      return { modelJson: JSON.stringify(copy), weights: files.weights };
    };
    const before = tf.memory().numTensors;

    await expectModelFileError({ modelJson: '{"format": "cantus', weights: files.weights }, 'not-json', /not valid JSON/);
    await expectModelFileError(
      { modelJson: '{"modelTopology": {}, "weightsManifest": []}', weights: files.weights },
      'foreign',
      /not a Cantus/,
    );
    await expectModelFileError(
      withManifest((m) => (m.formatVersion = 99)),
      'newer-version',
      /newer version of Cantus/,
    );
    await expectModelFileError(
      withManifest((m) => (m.config.learningRate = 0)),
      'bad-config',
      /learningRate/,
    );
    await expectModelFileError({ modelJson: files.modelJson, weights: files.weights.slice(0, 1000) }, 'truncated', /incomplete/);
    await expectModelFileError(
      withManifest((m) => (m.critic.weights[0].shape = [4, 4, 5, 8])),
      'bad-shape',
      /critic.*do not fit/,
    );
    await expectModelFileError(
      withManifest((m) => m.generator.weights.pop()),
      'bad-shape',
      /generator.*weight tensors/,
    );
    // Weights that hold NaN or infinity (a diverged run, a damaged file) are refused, in either network, not loaded as noise.
    const withValue = (index: number, value: number): ModelFiles => {
      const weights = files.weights.slice(0);
      new Float32Array(weights)[index] = value;
      return { modelJson: files.modelJson, weights };
    };
    const lastCritic = manifest.critic.weights.at(-1);
    await expectModelFileError(withValue(manifest.generator.weights[0].offset + 3, NaN), 'not-finite', /generator.*NaN.*damaged/);
    await expectModelFileError(withValue(lastCritic.offset, -Infinity), 'not-finite', /critic.*infinite.*damaged/);
    const state = await exportTrainingState(engine);
    const stateWeights = state.weights.slice(0);
    new Float32Array(stateWeights)[stateWeights.byteLength / 4 - 1] = Infinity;
    await expectModelFileError({ modelJson: state.modelJson, weights: stateWeights }, 'not-finite', /infinite/, importTrainingState);
    // A failed load frees the engine it had started to build.
    expect(tf.memory().numTensors).toBe(before);
    expect(manifest.weightValues * 4).toBe(files.weights.byteLength);
    engine.dispose();
  });
});
