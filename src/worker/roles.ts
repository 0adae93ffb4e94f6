/**
 * One worker script plays every worker role: the training worker the page starts, the probe workers that time a
 * backend, and the training replicas. One bundle (TensorFlow.js and the model once) is fetched and compiled once,
 * instead of one bundle per role each carrying its own copy. A worker's role is in its name.
 */

/** What a worker of the script does. */
export type WorkerRole = 'trainer' | 'probe' | 'replica';

const PROBE_PREFIX = 'cantus-probe-';
const REPLICA_PREFIX = 'cantus-replica-';

/** The name of the probe worker timing `backend`. */
export const probeWorkerName = (backend: string): string => `${PROBE_PREFIX}${backend}`;
/** The name of training replica `index` (from 0). */
export const replicaWorkerName = (index: number): string => `${REPLICA_PREFIX}${index + 1}`;

/** The role of a worker named `name` (the training worker has no name of these). */
export function workerRole(name: string): WorkerRole {
  if (name.startsWith(PROBE_PREFIX)) return 'probe';
  if (name.startsWith(REPLICA_PREFIX)) return 'replica';
  return 'trainer';
}

/**
 * The address of the worker script, for a worker to start another of its kind: its own address. Outside a worker
 * (a page) there is none; the page starts the training worker itself (client.ts).
 */
export function ownWorkerScript(): URL {
  const scope = globalThis as { location?: { href: string }; WorkerGlobalScope?: unknown };
  if (scope.WorkerGlobalScope === undefined || !scope.location)
    throw new Error('Only a worker can start probe or replica workers of its own script.');
  return new URL(scope.location.href);
}
