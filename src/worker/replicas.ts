/** Starting data-parallel training replicas (src/model/parallel/replicas.ts) as workers of the training worker. */
import * as tf from '@tensorflow/tfjs';

import { replicaCount, type ReplicaPort, type ReplicaReply } from '../model/parallel/replicas';
import { availableWasmThreads } from './backendStart';

/** Starts one replica's worker. */
export function spawnReplicaWorker(index: number): ReplicaPort {
  const worker = new Worker(new URL('./replicaWorker.ts', import.meta.url), { type: 'module', name: `cantus-replica-${index + 1}` });
  return {
    post: (request) => worker.postMessage(request),
    onReply: (handler) => {
      worker.onmessage = (event: MessageEvent<ReplicaReply>) => handler(event.data);
    },
    onError: (handler) => {
      worker.onerror = (event) => {
        event.preventDefault();
        handler(new Error(`A training thread failed: ${event.message || 'worker error'}`));
      };
    },
    terminate: () => worker.terminate(),
  };
}

/**
 * How many replicas a run at `batchSize` trains with here: one per core on WebAssembly in a cross-origin isolated
 * context (SharedArrayBuffer), else 1 (one engine; on a GPU backend the GPU does the parallel work).
 */
export function browserReplicaCount(batchSize: number): number {
  if (tf.getBackend() !== 'wasm' || typeof SharedArrayBuffer === 'undefined') return 1;
  return replicaCount(availableWasmThreads(), batchSize);
}
