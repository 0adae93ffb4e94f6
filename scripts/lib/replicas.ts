/**
 * Data-parallel training replicas on Node worker_threads, for `npm run train`, `npm run bench` and the tests
 * (src/model/parallel/replicas.ts explains the design).
 */
import { Worker } from 'node:worker_threads';

import type { ReplicaPort, ReplicaReply } from '../../src/model/parallel/replicas';

/** Starts one replica's worker_thread. */
export function spawnNodeReplica(): ReplicaPort {
  const worker = new Worker(new URL('./tsWorker.mjs', import.meta.url), {
    workerData: { entry: new URL('./replicaWorker.ts', import.meta.url).href },
  });
  return {
    post: (request) => worker.postMessage(request),
    onReply: (handler) => worker.on('message', (reply: ReplicaReply) => handler(reply)),
    onError: (handler) => {
      worker.on('error', handler);
      worker.on('exit', (code) => handler(new Error(`A training thread exited (code ${code}).`)));
    },
    terminate: () => void worker.terminate(),
  };
}
