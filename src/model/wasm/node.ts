/** Starting the wasm backend under Node.js (tests, benchmarks, command-line training); not for the browser bundle. */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

import { registerWasmTrainingKernels } from './index';

/** The folder holding the backend's .wasm binaries inside node_modules, with a trailing slash. */
export function wasmBinaryFolder(): string {
  const require = createRequire(import.meta.url);
  return `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;
}

/**
 * Points the wasm backend at its binaries on disk (Node 20 reads a plain file path prefix), registers the
 * training kernels and makes wasm the active backend.
 */
export async function startWasmBackendInNode(): Promise<void> {
  setWasmPaths(wasmBinaryFolder());
  registerWasmTrainingKernels();
  const ready = await tf.setBackend('wasm');
  if (!ready) throw new Error('The wasm backend of TensorFlow.js could not start under Node.js.');
}
