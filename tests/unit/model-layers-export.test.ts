/**
 * Both networks through TensorFlow.js's standard Layers format (model.json + weights, as tf.io writes it and
 * tensorflowjs_converter reads it) and back: identical weights and identical outputs.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { GanEngine } from '../../src/model/gan';
import { ModelFileError } from '../../src/model/errors';
import { exportLayersModels, importLayersModel, importLayersModels } from '../../src/model/io';
import { maxDifference, syntheticWindows, tinyConfig, useCpu, weightValues } from './model-fixtures';

beforeAll(useCpu);

const MELODY = new Int8Array(2 * 32 * 128).map((_, i) => (i % 128 === 70 + ((i >> 9) % 5) ? 1 : -1));
const NOISE = new Float32Array(2 * 2 * 8 * 32).map((_, i) => Math.cos(i * 0.7));

async function outputs(model: tf.LayersModel, inputs: tf.Tensor[]): Promise<Float32Array> {
  const out = model.predict(inputs) as tf.Tensor;
  const values = Float32Array.from((await out.data()) as Float32Array);
  out.dispose();
  return values;
}

describe('TF.js Layers export', () => {
  it('round-trips the generator and the critic to identical outputs', async () => {
    const engine = GanEngine.create(tinyConfig({ seed: 31 }));
    // One training iteration first, so weights and batch-norm statistics are no longer their initial values.
    await engine.trainNext(engine.sampler(syntheticWindows(4)));
    const files = await exportLayersModels(engine);

    for (const [name, net] of [
      ['generator', files.generator],
      ['critic', files.critic],
    ] as const) {
      const json = JSON.parse(net.modelJson);
      expect(json.format).toBe('layers-model');
      expect(json.modelTopology.class_name).toBe('Model');
      expect(json.modelTopology.config.name).toBe(name);
      expect(json.weightsManifest[0].paths).toEqual([`${name}.weights.bin`]);
      const bytes = json.weightsManifest[0].weights.reduce(
        (n: number, w: { shape: number[] }) => n + 4 * w.shape.reduce((a, b) => a * b, 1),
        0,
      );
      expect(net.weights.byteLength).toBe(bytes);
    }

    const generator = await importLayersModel(files.generator);
    const critic = await importLayersModel(files.critic);
    expect(maxDifference(await weightValues(engine.generator, 'all'), await weightValues(generator, 'all'))).toBe(0);
    expect(maxDifference(await weightValues(engine.critic, 'all'), await weightValues(critic, 'all'))).toBe(0);

    const melody = tf.tensor4d(Float32Array.from(MELODY), [2, 32, 128, 1]);
    const noise = tf.tensor4d(NOISE, [2, 2, 8, 32]);
    const roll = tf.tensor4d(
      new Float32Array(2 * 32 * 128 * 4).map((_, i) => Math.sin(i)),
      [2, 32, 128, 4],
    );
    const original = await outputs(engine.generator, [melody, noise]);
    expect(maxDifference([original], [await outputs(generator, [melody, noise])])).toBe(0);
    expect(maxDifference([await outputs(engine.critic, [roll, melody])], [await outputs(critic, [roll, melody])])).toBe(0);

    // Imported into an engine, the networks generate exactly as the original engine does.
    const imported = await importLayersModels(files, engine.config);
    expect(maxDifference([await engine.generateWindows(MELODY, NOISE)], [await imported.generateWindows(MELODY, NOISE)])).toBe(0);

    tf.dispose([melody, noise, roll]);
    [generator, critic].forEach((m) => m.dispose());
    imported.dispose();
    engine.dispose();
  });

  it('refuses files that are not a Layers model, and networks of another size, with a clear message', async () => {
    const engine = GanEngine.create(tinyConfig({ seed: 32 }));
    const files = await exportLayersModels(engine);
    await expect(importLayersModel({ ...files.generator, modelJson: '{not json' })).rejects.toThrow(ModelFileError);
    await expect(importLayersModel({ ...files.generator, modelJson: '{"format":"cantus-accompaniment-gan"}' })).rejects.toThrow(
      /not a TF.js Layers model/,
    );
    await expect(importLayersModels(files, { ...engine.config, baseWidth: 8 })).rejects.toThrow(/shape/);
    const damaged = files.critic.weights.slice(0);
    new Float32Array(damaged)[5] = NaN;
    await expect(importLayersModel({ ...files.critic, weights: damaged })).rejects.toThrow(/NaN.*damaged/);
    engine.dispose();
  });
});
