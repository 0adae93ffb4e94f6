/** Choosing the TensorFlow.js backend for the Node scripts: wasm (with the project's training kernels) or cpu. */
import * as tf from '@tensorflow/tfjs';
import { startWasmBackendInNode } from '../../src/model/wasm/node';

export type NodeBackend = 'wasm' | 'cpu';

/** Starts `backend` and makes it the active one. */
export async function startNodeBackend(backend: NodeBackend): Promise<void> {
  if (backend === 'wasm') await startWasmBackendInNode();
  else if (!(await tf.setBackend('cpu'))) throw new Error('The cpu backend of TensorFlow.js could not start.');
  await tf.ready();
}
