/**
 * One data-parallel training replica on a Node worker_thread (see src/model/parallel/replicas.ts): a
 * one-thread wasm backend and the replica's request loop. Started by replicas.ts through tsWorker.mjs.
 */
import { parentPort } from 'node:worker_threads';

import { exportTrainingState, importTrainingState } from '../../src/model/io';
import { serveReplica, type ReplicaRequest } from '../../src/model/parallel/replicas';
import { startWasmBackendInNode } from '../../src/model/wasm/node';

const port = parentPort;
if (!port) throw new Error('replicaWorker.ts runs on a worker_thread only.');
await startWasmBackendInNode(1);
serveReplica({
  reply: (reply) => port.postMessage(reply),
  onRequest: (handler) => port.on('message', (request: ReplicaRequest) => handler(request)),
  importState: importTrainingState,
  exportState: exportTrainingState,
});
