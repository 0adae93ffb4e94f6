/**
 * A bare page for the browser's WebGPU parity test (worker.test.ts): `window.cantusParity()` runs one training
 * iteration and one accompaniment of the same tiny model from the same state and batch on WebAssembly (one thread)
 * and then on WebGPU, on this page's thread, each backend started as the app's workers start it, and returns both
 * sides for the test to compare (tests/unit/parity-fixtures.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { probeBackend } from '../../../src/worker/backendStart';
import { paritySide, parityState, type ParitySide } from '../../unit/parity-fixtures';

export interface ParityRun {
  backend: string;
  wasm: ParitySide;
  webgpu: ParitySide;
}

async function parity(): Promise<ParityRun> {
  const wasmProblem = await probeBackend('wasm', 1);
  if (wasmProblem !== undefined) throw new Error(`WebAssembly did not start: ${wasmProblem}`);
  const state = await parityState();
  const wasm = await paritySide(state);
  const gpuProblem = await probeBackend('webgpu');
  if (gpuProblem !== undefined) throw new Error(`WebGPU did not start: ${gpuProblem}`);
  const webgpu = await paritySide(state);
  return { backend: tf.getBackend(), wasm, webgpu };
}

(window as unknown as { cantusParity: typeof parity }).cantusParity = parity;
(document.querySelector('[data-testid="status"]') as HTMLElement).textContent = 'ready';
