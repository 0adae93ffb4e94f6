/** Browser side of `npm run bench`: exposes one function that measures a backend, driven through Playwright. */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

import { registerWasmTrainingKernels } from '../../src/model/wasm';
import { measureBackend, type WidthResult } from './measure';

/** What the page hands back to the Node side. */
export interface PageBenchResult {
  results: WidthResult[];
  /** Set when the backend could not start; nothing was measured. */
  unavailable?: string;
}

declare global {
  interface Window {
    cantusBench: (backend: 'webgpu' | 'webgl' | 'wasm', widths: number[]) => Promise<PageBenchResult>;
    /** Set by the Node side (Playwright's exposeFunction): receives each width's result as soon as it is known. */
    cantusBenchReport?: (result: WidthResult) => Promise<void>;
  }
}

window.cantusBench = async (backend, widths) => {
  if (backend === 'wasm') {
    setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmUrl,
      'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
    });
    registerWasmTrainingKernels();
  }
  let started = false;
  try {
    started = await tf.setBackend(backend);
  } catch (error) {
    return { results: [], unavailable: error instanceof Error ? error.message : String(error) };
  }
  if (!started) return { results: [], unavailable: `${backend} did not start in this browser` };
  // Progress goes to the console, which the Node side echoes.
  const results = await measureBackend(
    widths,
    (line) => console.log(`[bench] ${line}`),
    (result) => void window.cantusBenchReport?.(result),
  );
  return { results };
};
