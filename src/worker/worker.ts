/**
 * The worker script, a thin shell: as the training worker (the page starts it, see client.ts) it wires messages to
 * TrainerHandler with the real backend chooser, GAN engine and IndexedDB store; as a probe or a training replica
 * (started by a worker of this same script, named for its role: roles.ts) it serves that role instead.
 */
import '../protocol/noEval';
import type { WorkerEvent, WorkerRequest } from '../protocol/messages';
import { chooseBackend, timeBackends, watchDeviceLoss } from './backend';
import { ganEngineFactory } from './ganFactory';
import { serveProbe } from './probeWorker';
import { serveReplicaWorker } from './replicaWorker';
import { workerRole } from './roles';
import { IdbTrainerStore } from './store';
import { TrainerHandler } from './trainer';

const scope = self as unknown as DedicatedWorkerGlobalScope;

function serveTrainer(): void {
  const post = (event: WorkerEvent, transfer: ArrayBuffer[] = []): void => scope.postMessage(event, transfer);
  const handler = new TrainerHandler({
    post,
    engines: ganEngineFactory,
    store: new IdbTrainerStore(),
    chooseBackend,
    timeBackends: (order, width, signal) => timeBackends(order, width, undefined, signal),
    watchDeviceLoss,
  });
  scope.onmessage = (event: MessageEvent<WorkerRequest>) => {
    void handler.handle(event.data);
  };
  // The handler reports its own failures; this catches anything that escapes it (a library's stray promise),
  // so the page hears of it instead of the worker failing silently.
  scope.onunhandledrejection = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    const reason: unknown = event.reason;
    post({
      type: 'error',
      code: 'internal',
      message: `Something went wrong inside the training engine: ${reason instanceof Error ? reason.message : String(reason)}`,
    });
  };
}

switch (workerRole(scope.name)) {
  case 'probe':
    serveProbe(scope);
    break;
  case 'replica':
    serveReplicaWorker(scope);
    break;
  default:
    serveTrainer();
}
