/**
 * Run by webgpu-parity.test.ts in a process of its own (Dawn needs its Vulkan settings from the start): one training
 * iteration and one accompaniment of the same tiny model, from the same state and on the same batch, on WebAssembly
 * and on WebGPU (parity-fixtures.ts); then, on the same WebGPU backend (its shaders already built), `npm run
 * train`'s own `train()` with `--backend webgpu` and the arguments given after `--train`, into the folder they name.
 * Prints it all as JSON. With PARITY_PERTURB set, the WebGPU copy gets one weight changed first, so the test can show
 * that its comparison notices a real difference.
 */
import * as tf from '@tensorflow/tfjs';
import { startNodeBackend } from '../../scripts/lib/tfNode';
import { parseTrainArgs, train } from '../../scripts/train';
import { paritySide, parityState } from './parity-fixtures';

await startNodeBackend('wasm', { threads: 1 });
const state = await parityState();
const wasm = await paritySide(state);
const adapter = await startNodeBackend('webgpu');
const webgpu = await paritySide(state, process.env.PARITY_PERTURB === '1');
const backend = tf.getBackend();
const trainArgs = process.argv.slice(process.argv.indexOf('--train') + 1);
const trainLines: string[] = [];
if (process.argv.includes('--train')) await train(parseTrainArgs(['--backend', 'webgpu', ...trainArgs]), (line) => trainLines.push(line));
console.log(JSON.stringify({ adapter, backend, wasm, webgpu, trainLines }));
