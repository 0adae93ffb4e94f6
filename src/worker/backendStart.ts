/**
 * Starting one TensorFlow.js backend in this context and checking that it computes correctly: WebAssembly with
 * the app's own binaries and training kernels on a chosen number of threads, WebGPU or WebGL. It references no
 * worker script, so every worker (the training worker, the probe workers, the training replicas) can use it
 * without importing the others (Vite refuses worker imports that go round in a circle).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

import { registerWasmTrainingKernels } from '../model/wasm';
import type { BackendName } from '../protocol/messages';

/** The most threads tfjs's threaded wasm build supports (it pre-creates 8 pthread workers). */
const MAX_WASM_THREADS = 8;

/** WebAssembly threads this context can run: every logical core when cross-origin isolated, else 1. */
export function availableWasmThreads(): number {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  return isolated ? Math.max(1, Math.min(MAX_WASM_THREADS, navigator.hardwareConcurrency || 1)) : 1;
}

// The wasm binaries are served by Vite as assets of this app, so nothing is fetched from a CDN.
let wasmPathsSet = false;
function configureWasm(threads: number): void {
  if (!wasmPathsSet) {
    setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmUrl,
      'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
    });
    wasmPathsSet = true;
  }
  // tfjs-backend-wasm lacks the convolution filter gradient; src/model/wasm adds it (and a faster input gradient).
  registerWasmTrainingKernels();
  // One thread: the plain SIMD build (the threaded build with one thread only adds synchronisation).
  if (threads <= 1) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setThreadsCount(threads);
}

/**
 * Starts the wasm backend on `threads` threads. tfjs 4.22 caps its pool at navigator.hardwareConcurrency / 2
 * (its C++ assumes two hyperthreads per core), which on a 2-thread machine is ONE thread whatever
 * setThreadsCount says; the build reads the figure once, while it starts, so it is raised for that moment only.
 */
async function startWasm(threads: number): Promise<boolean> {
  configureWasm(threads);
  if (threads <= 1) return tf.setBackend('wasm');
  const nav = navigator as { hardwareConcurrency: number };
  const own = Object.getOwnPropertyDescriptor(nav, 'hardwareConcurrency');
  Object.defineProperty(nav, 'hardwareConcurrency', { value: 2 * threads, configurable: true });
  try {
    return await tf.setBackend('wasm');
  } finally {
    if (own) Object.defineProperty(nav, 'hardwareConcurrency', own);
    else delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}

const PROBE_TIMEOUT_MS = 30_000;

/** Switches to `backend` and checks a small matrix product and convolution against known values. */
export async function probeBackend(backend: BackendName, wasmThreads = availableWasmThreads()): Promise<string | undefined> {
  if (!tf.findBackendFactory(backend)) {
    return backend === 'webgpu' ? 'this browser has no WebGPU' : `${backend} is not available here`;
  }
  let switched: boolean;
  try {
    const started = backend === 'wasm' ? startWasm(wasmThreads) : tf.setBackend(backend);
    switched = await withTimeout(started, PROBE_TIMEOUT_MS, `${backend} did not start within ${PROBE_TIMEOUT_MS / 1000} s`);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  if (!switched) return backend === 'webgpu' ? 'no WebGPU adapter or device' : `${backend} failed to start`;
  try {
    // 2x2 product [[1,2],[3,4]]^2 = [[7,10],[15,22]]; a 2x2 all-ones kernel over a 3x3 ramp, 'valid', gives the 4 window sums.
    const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const product = tf.matMul(a, a);
    const image = tf.tensor4d([0, 1, 2, 3, 4, 5, 6, 7, 8], [1, 3, 3, 1]);
    const kernel = tf.ones([2, 2, 1, 1]) as tf.Tensor4D;
    const conv = tf.conv2d(image, kernel, 1, 'valid');
    const [got, gotConv] = await Promise.all([product.data(), conv.data()]);
    tf.dispose([a, product, image, kernel, conv]);
    const expected = [7, 10, 15, 22, 8, 12, 20, 24];
    const values = [...got, ...gotConv];
    if (values.some((v, i) => Math.abs(v - expected[i]) > 1e-3)) return `${backend} computed wrong values (${values.join(', ')})`;
  } catch (error) {
    return `${backend} failed a test computation: ${error instanceof Error ? error.message : String(error)}`;
  }
  return undefined;
}

/** The wasm thread count in use, when wasm is the active backend. */
export function activeWasmThreads(): number | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  try {
    return getThreadsCount();
  } catch {
    return undefined;
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
