// Starts a TypeScript module on a worker_thread: worker_threads do not inherit tsx's loader, so this plain
// module registers it and then imports the entry named in workerData.entry (a file: URL).
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
