/**
 * The training worker: a thin shell that wires messages to TrainerHandler with the real backend chooser,
 * GAN engine and IndexedDB store. Start it as a module worker (see client.ts).
 */
import '../protocol/noEval';
import type { WorkerEvent, WorkerRequest } from '../protocol/messages';
import { chooseBackend, watchDeviceLoss } from './backend';
import { ganEngineFactory } from './ganEngine';
import { IdbTrainerStore } from './store';
import { TrainerHandler } from './trainer';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (event: WorkerEvent, transfer: ArrayBuffer[] = []): void => scope.postMessage(event, transfer);

const handler = new TrainerHandler({ post, engines: ganEngineFactory, store: new IdbTrainerStore(), chooseBackend, watchDeviceLoss });

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
