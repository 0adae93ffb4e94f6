/** Starting data-parallel training replicas (src/model/parallel/replicas.ts) as workers of the training worker. */
import * as tf from '@tensorflow/tfjs';

import { replicaCount, type ReplicaPort, type ReplicaReply } from '../model/parallel/replicas';
import { availableWasmThreads } from './backendStart';
import { ownWorkerScript, replicaWorkerName } from './roles';

/**
 * Starts one replica's worker: a worker of the app's worker script (worker.ts) in its replica role. `script` is that
 * script's address; a worker of it (the training worker, a probe) leaves it out and starts its own script again.
 */
export function spawnReplicaWorker(index: number, script: URL = ownWorkerScript()): ReplicaPort {
  const worker = new Worker(script, { type: 'module', name: replicaWorkerName(index) });
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
