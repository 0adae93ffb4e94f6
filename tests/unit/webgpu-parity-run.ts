/**
 * Run by webgpu-parity.test.ts in a process of its own (Dawn needs its Vulkan settings from the start): one training
 * iteration and one accompaniment of the same tiny model, from the same state and on the same batch, on WebAssembly
 * and on WebGPU; then, on the same WebGPU backend (its shaders already built), `npm run train`'s own `train()` with
 * `--backend webgpu` and the arguments given after `--train`, into the folder they name. Prints it all as JSON. With
 * PARITY_PERTURB set, the WebGPU copy gets one weight changed first, so the test can show that its comparison
 * notices a real difference.
 */
import * as tf from '@tensorflow/tfjs';
import { GanEngine } from '../../src/model/gan';
import { exportTrainingState, importTrainingState } from '../../src/model/io';
import { startNodeBackend } from '../../scripts/lib/tfNode';
import { parseTrainArgs, train } from '../../scripts/train';
import { melodyRoll, syntheticWindows } from './model-fixtures';

interface Side {
  losses: number[];
  before: number[];
  after: number[];
  accompaniment: number[];
}

async function weightsOf(engine: GanEngine): Promise<number[]> {
  const values: number[] = [];
  for (const model of [engine.generator, engine.critic])
    for (const w of model.trainableWeights) values.push(...((await w.read().data()) as Float32Array));
  return values;
}

async function side(state: Awaited<ReturnType<typeof exportTrainingState>>, perturb: boolean): Promise<Side> {
  const engine = await importTrainingState({ modelJson: state.modelJson, weights: state.weights.slice(0) });
  if (perturb) {
    const first = engine.generator.trainableWeights[0].read() as tf.Variable;
    const values = (await first.data()) as Float32Array;
    values[0] += 0.05;
    first.assign(tf.tensor(values, first.shape));
  }
  const before = await weightsOf(engine);
  const batch = syntheticWindows(2);
  const l = await engine.trainIteration([batch]);
  const after = await weightsOf(engine);
  const roll = await engine.accompany(melodyRoll(32, 72), 7, { decodeMode: 'single' });
  engine.dispose();
  return { losses: [l.criticLoss, l.generatorLoss, l.wasserstein, l.gradientPenalty], before, after, accompaniment: [...roll.active] };
}

await startNodeBackend('wasm', { threads: 1 });
const origin = GanEngine.create({ baseWidth: 4, batchSize: 2, updateRatio: 1, seed: 11 });
const state = await exportTrainingState(origin);
origin.dispose();
const wasm = await side(state, false);
const adapter = await startNodeBackend('webgpu');
const webgpu = await side(state, process.env.PARITY_PERTURB === '1');
const backend = tf.getBackend();
const trainArgs = process.argv.slice(process.argv.indexOf('--train') + 1);
const trainLines: string[] = [];
if (process.argv.includes('--train')) await train(parseTrainArgs(['--backend', 'webgpu', ...trainArgs]), (line) => trainLines.push(line));
console.log(JSON.stringify({ adapter, backend, wasm, webgpu, trainLines }));
