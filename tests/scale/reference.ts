/**
 * The TF.js side of the PyTorch trainer's tests (tests/scale/test_scale.py): writes, into a folder, what
 * TensorFlow.js computes for a tiny model, for the Python tests to compare with:
 * - run/: a run folder as `npm run scale -- prepare` writes it (8 windows; checkpoint/ = a training state after one
 *   iteration, so both Adams hold moments);
 * - after/ and losses.json: the training state after the next iteration from that checkpoint, and its losses;
 * - page-model/: the same model as the page saves it (no optimiser state);
 * - forward.json: both networks' outputs on fixed inputs with the checkpoint's weights;
 * - seeds.json: seeded draws, batch order and noise as src/music/random.ts and the sampler make them, and
 *   voice context's hidden masks (src/model/voiceContext.ts);
 * - context/: the same for a model with voice context (a generator that reads the voices: 7 input planes).
 * Run alone: `npx tsx tests/scale/reference.ts DIR` (uses the wasm backend on one thread, as one replica of `npm run train`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { GanEngine } from '../../src/model/gan';
import { exportModel, exportTrainingState, importTrainingState } from '../../src/model/io';
import { BatchSampler } from '../../src/model/sampler';
import { startWasmBackendInNode } from '../../src/model/wasm/node';
import { createUniform, mixSeed, seedStream, shuffledIndices, truncatedNormal } from '../../src/music/random';
import { trainingMasks } from '../../src/model/voiceContext';
import { writeModelDir } from '../../scripts/lib/modelDir';
import { writeWindows } from '../../scripts/scale';
import { syntheticWindows, tinyConfig } from '../unit/model-fixtures';

/** The settings of the reference model: tiny, two critic steps per iteration, a batch that splits in two. */
export const REFERENCE_CONFIG = tinyConfig({ seed: 5, baseWidth: 4, batchSize: 4, updateRatio: 2, learningRate: 0.001 });

const list = (values: ArrayLike<number>): number[] => Array.from(values);

function seeds(): unknown {
  const uniform = createUniform(seedStream(5, 'penaltyMix', 1, 0));
  const sampler = new BatchSampler(syntheticWindows(11), { batchSize: 4, seed: 5 });
  return {
    mixSeed: [
      [[5], mixSeed(5)],
      [[5, 0x6e01, 1, 0], mixSeed(5, 0x6e01, 1, 0)],
      [[2 ** 31 - 1, 7, -3, 123456789], mixSeed(2 ** 31 - 1, 7, -3, 123456789)],
    ],
    uniformSeed: seedStream(5, 'penaltyMix', 1, 0),
    uniforms: Array.from({ length: 20 }, () => uniform()),
    normalSeed: seedStream(5, 'trainingNoise', 1, 2),
    normals: list(truncatedNormal(createUniform(seedStream(5, 'trainingNoise', 1, 2)), 1000)),
    shuffle: { seed: 99, count: 17, order: list(shuffledIndices(17, createUniform(99))) },
    masks: {
      seed: seedStream(5, 'voiceMask', 3, 1),
      count: 40,
      values: list(trainingMasks(createUniform(seedStream(5, 'voiceMask', 3, 1)), 40)),
    },
    sampler: { windows: 11, batchSize: 4, seed: 5, batches: Array.from({ length: 7 }, (_, k) => list(sampler.indicesOf(k))) },
  };
}

async function forward(engine: GanEngine): Promise<unknown> {
  const melody = tf.tidy(() => tf.sign(tf.randomUniform([2, 32, 128, 1], -0.2, 1, 'float32', 11)));
  // The generator's input: the melody, or with voice context planes of -1, 0 and 1 after it.
  const input = tf.tidy(() =>
    engine.inputChannels === 1
      ? melody.clone()
      : tf.concat([melody, tf.round(tf.randomUniform([2, 32, 128, engine.inputChannels - 1], -1.4, 1.4, 'float32', 14))], 3),
  );
  const noise = tf.randomNormal([2, 2, 8, 8 * engine.config.baseWidth], 0, 1, 'float32', 12);
  const roll = tf.randomUniform([2, 32, 128, 4], -1, 1, 'float32', 13);
  const inference = engine.generator.apply([input, noise], { training: false }) as tf.Tensor;
  // Training mode normalises with the batch's statistics (and moves the moving ones): run it on a copy.
  const copy = await importTrainingState(await exportTrainingState(engine));
  const training = copy.generator.apply([input, noise], { training: true }) as tf.Tensor;
  const score = engine.critic.apply([roll, melody], { training: true }) as tf.Tensor;
  const values = async (t: tf.Tensor) => list(await t.data());
  const result = {
    melody: await values(melody),
    input: await values(input),
    noise: await values(noise),
    roll: await values(roll),
    generatorInference: await values(inference),
    generatorTraining: await values(training),
    critic: await values(score),
  };
  tf.dispose([melody, input, noise, roll, inference, training, score]);
  copy.dispose();
  return result;
}

/** Writes the reference into `dir` (see the module comment). */
export async function writeReference(dir: string): Promise<void> {
  await writeModelReference(dir, REFERENCE_CONFIG);
  await writeModelReference(join(dir, 'context'), { ...REFERENCE_CONFIG, voiceContext: true });
  writeFileSync(join(dir, 'seeds.json'), JSON.stringify(seeds()));
}

/** A run folder, the state after one more iteration, its losses, the page's model file and forward passes of `config`. */
async function writeModelReference(dir: string, config: typeof REFERENCE_CONFIG): Promise<void> {
  mkdirSync(join(dir, 'run'), { recursive: true });
  const windows = syntheticWindows(8);
  const engine = GanEngine.create(config);
  try {
    const sampler = engine.sampler(windows);
    await engine.trainNext(sampler);
    writeWindows(join(dir, 'run'), windows);
    writeModelDir(join(dir, 'run', 'checkpoint'), await exportTrainingState(engine));
    writeModelDir(join(dir, 'page-model'), await exportModel(engine));
    writeFileSync(join(dir, 'forward.json'), JSON.stringify(await forward(engine)));
    const losses = await engine.trainNext(sampler);
    writeFileSync(join(dir, 'losses.json'), JSON.stringify(losses));
    writeModelDir(join(dir, 'after'), await exportTrainingState(engine));
  } finally {
    engine.dispose();
  }
}

if (process.argv[1]?.endsWith('tests/scale/reference.ts')) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('Usage: npx tsx tests/scale/reference.ts DIR');
    process.exit(2);
  }
  await startWasmBackendInNode(1);
  await writeReference(dir);
}
