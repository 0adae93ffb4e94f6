/** Browser side of `npm run bench`: exposes one function that measures a backend, driven through Playwright. */

import { ReplicatedTraining } from '../../src/model/parallel/replicas';
import { activeWasmThreads, availableWasmThreads, probeBackend } from '../../src/worker/backendStart';
import { browserReplicaCount, spawnReplicaWorker } from '../../src/worker/replicas';
import { BATCH_SIZE, measureBackend, type WidthResult } from './measure';

/** The page's backends: the app's three, with wasm on every core or on one thread ('wasm-1t'). */
export type PageBackend = 'webgpu' | 'webgl' | 'wasm' | 'wasm-1t';

/** The app's worker script; its replica role trains one replica (src/worker/roles.ts). */
const WORKER_SCRIPT = new URL('../../src/worker/worker.ts', import.meta.url);

/** What the page hands back to the Node side. */
export interface PageBenchResult {
  results: WidthResult[];
  /** Set when the backend could not start; nothing was measured. */
  unavailable?: string;
  /** WebAssembly threads in use (wasm variants only). */
  threads?: number;
  /** Replicas that trained, one thread each (the threaded wasm variant); absent where the engine trained alone. */
  replicas?: number;
}

declare global {
  interface Window {
    cantusBench: (backend: PageBackend, widths: number[]) => Promise<PageBenchResult>;
    /** Set by the Node side (Playwright's exposeFunction): receives each width's result as soon as it is known. */
    cantusBenchReport?: (result: WidthResult) => Promise<void>;
  }
}

window.cantusBench = async (backend, widths) => {
  // The app's own start-up path (src/worker/backendStart.ts): the same binaries, kernels and thread set-up.
  const reason = await probeBackend(backend === 'wasm-1t' ? 'wasm' : backend, backend === 'wasm-1t' ? 1 : availableWasmThreads());
  if (reason !== undefined) return { results: [], unavailable: reason };
  const threads = activeWasmThreads();
  // Every core: training as the app's worker does it, one single-thread replica of the engine per core.
  const replicas = backend === 'wasm' ? browserReplicaCount(BATCH_SIZE) : 1;
  const replicate = ReplicatedTraining.starter(replicas, (index) => spawnReplicaWorker(index, WORKER_SCRIPT));
  // Progress goes to the console, which the Node side echoes.
  const results = await measureBackend(
    widths,
    (line) => console.log(`[bench] ${line}`),
    (result) => void window.cantusBenchReport?.(result),
    { replicate },
  );
  return { results, ...(threads === undefined ? {} : { threads }), ...(replicas > 1 ? { replicas } : {}) };
};
