/**
 * The replica role of the worker script (worker.ts): one data-parallel training replica
 * (src/model/parallel/replicas.ts), a worker the training worker starts per core when it trains on WebAssembly,
 * with a one-thread wasm backend of its own.
 */
import { exportTrainingState, importTrainingState } from '../model/io';
import { serveReplica, type ReplicaRequest } from '../model/parallel/replicas';
import { probeBackend } from './backendStart';

/** Serves replica requests from the training worker that started this one. */
export function serveReplicaWorker(scope: DedicatedWorkerGlobalScope): void {
  const started = probeBackend('wasm', 1);
  serveReplica({
    reply: (reply) => scope.postMessage(reply),
    onRequest: (handler) => {
      scope.onmessage = (event: MessageEvent<ReplicaRequest>) => handler(event.data);
    },
    importState: async (state) => {
      const reason = await started;
      if (reason !== undefined) throw new Error(`A training thread could not start WebAssembly: ${reason}.`);
      return importTrainingState(state);
    },
    exportState: exportTrainingState,
  });
}
