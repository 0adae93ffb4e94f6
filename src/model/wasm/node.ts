/**
 * Starting the wasm backend under Node.js (tests, benchmarks, command-line training); not for the browser bundle.
 *
 * With more than one thread it starts tfjs-backend-wasm's threaded SIMD build on worker_threads (threaded.ts
 * explains why tfjs does not do this itself in Node): the pthread worker's script, which the package ships as a
 * string, is written to a temporary file, and each worker reads the build's main script from its path.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

import { registerWasmTrainingKernels } from './index';
import {
  clampThreads,
  registeredWasmThreads,
  registerThreadedWasmBackend,
  restorePackageWasmBackend,
  type ThreadedWasmFactory,
} from './threaded';

const require = createRequire(import.meta.url);

/** The folder holding the backend's .wasm binaries inside node_modules, with a trailing slash. */
export function wasmBinaryFolder(): string {
  return `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;
}

/** How many threads the Node scripts use by default: every core Node may use (at most 8, the build's limit). */
export function defaultNodeThreads(): number {
  return clampThreads(availableParallelism());
}

/** What was started: the thread count XNNPACK reports and the build in use. */
export interface NodeWasmInfo {
  threads: number;
  build: 'simd' | 'threaded-simd';
}

let workerScriptPath: string | undefined;

/** Writes the pthread worker's script to a file once per process (worker_threads loads files, not blob: URLs). */
function pthreadWorkerScript(): string {
  if (workerScriptPath !== undefined) return workerScriptPath;
  const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as {
    wasmWorkerContents: string;
  };
  // Newlines inside its string literals must stay escaped once it is a script; tfjs re-escapes them the same way.
  const folder = mkdtempSync(join(tmpdir(), 'cantus-wasm-'));
  // .cjs: the script uses require() and __filename, whatever package.json says about modules.
  workerScriptPath = join(folder, 'tfjs-backend-wasm-threaded-simd.worker.cjs');
  writeFileSync(workerScriptPath, wasmWorkerContents.replace(/\n/g, '\\n'));
  return workerScriptPath;
}

/**
 * Points the wasm backend at its binaries on disk, registers the training kernels and makes wasm the active
 * backend: with `threads` above 1 (default 1) the threaded SIMD build on that many worker threads, else the
 * package's single-threaded SIMD build. Calling it again with another count restarts the backend.
 */
export async function startWasmBackendInNode(threads = 1): Promise<NodeWasmInfo> {
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`The wasm thread count must be a whole number of at least 1 (got ${threads}).`);
  setWasmPaths(wasmBinaryFolder());
  registerWasmTrainingKernels();
  const wanted = threads > 1 ? clampThreads(threads) : undefined;
  if (wanted !== registeredWasmThreads()) {
    if (wanted === undefined) restorePackageWasmBackend();
    else {
      const mainScript = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
      const binary = `${wasmBinaryFolder()}tfjs-backend-wasm-threaded-simd.wasm`;
      registerThreadedWasmBackend(
        {
          factory: require(mainScript) as ThreadedWasmFactory,
          workerScript: pthreadWorkerScript(),
          mainScript,
          wasmBinary: () => Promise.resolve(readFileSync(binary)),
        },
        wanted,
      );
    }
  }
  const ready = await tf.setBackend('wasm');
  if (!ready) throw new Error('The wasm backend of TensorFlow.js could not start under Node.js.');
  return { threads: getThreadsCount(), build: registeredWasmThreads() === undefined ? 'simd' : 'threaded-simd' };
}
