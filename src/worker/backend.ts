/**
 * Picks the TensorFlow.js backend the worker trains on: the first of WebGPU, WebGL, WASM, CPU (or of a
 * caller's list) that initialises AND computes a tiny known result, read back with `await data()`.
 * A backend that registers but computes wrong values (seen with software GPUs) is skipped, not trusted.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { registerWasmTrainingKernels } from '../model/wasm';
import { BACKEND_ORDER, type BackendName } from '../protocol/messages';
import { NoBackendError } from './errors';

/** The backend in use and why each earlier one in the order was passed over. */
export interface BackendChoice {
  backend: BackendName;
  /** One sentence naming each skipped backend and its reason; absent when the first choice worked. */
  fallbackReason?: string;
  skipped: { backend: BackendName; reason: string }[];
}

/** Tests a backend; resolves to undefined when it works, or to the reason it does not. */
export type BackendProbe = (backend: BackendName) => Promise<string | undefined>;

// The wasm binaries are served by Vite as assets of this app, so nothing is fetched from a CDN.
let wasmPathsSet = false;
function configureWasm(): void {
  if (wasmPathsSet) return;
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmUrl,
    'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
  });
  wasmPathsSet = true;
}

const PROBE_TIMEOUT_MS = 30_000;

/** Switches to `backend` and checks a small matrix product and convolution against known values. */
export async function probeBackend(backend: BackendName): Promise<string | undefined> {
  if (!tf.findBackendFactory(backend)) {
    return backend === 'webgpu' ? 'this browser has no WebGPU' : `${backend} is not available here`;
  }
  if (backend === 'wasm') {
    configureWasm();
    // tfjs-backend-wasm lacks the convolution filter gradient; src/model/wasm adds it (and a faster input gradient).
    registerWasmTrainingKernels();
  }
  let switched: boolean;
  try {
    switched = await withTimeout(tf.setBackend(backend), PROBE_TIMEOUT_MS, `${backend} did not start within ${PROBE_TIMEOUT_MS / 1000} s`);
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

/**
 * Uses the first backend of `order` that passes `probe`; throws NoBackendError naming every reason when none does.
 * The probe is injectable so the fallback logic can be tested without broken hardware.
 */
export async function chooseBackend(order: readonly BackendName[] = BACKEND_ORDER, probe: BackendProbe = probeBackend): Promise<BackendChoice> {
  const skipped: BackendChoice['skipped'] = [];
  for (const backend of order) {
    const reason = await probe(backend);
    if (reason === undefined) {
      const choice: BackendChoice = { backend, skipped };
      if (skipped.length) choice.fallbackReason = skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ');
      return choice;
    }
    skipped.push({ backend, reason });
  }
  throw new NoBackendError(skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ') || 'no engine was allowed');
}

/**
 * Calls `onLost` once if the WebGPU device in use is lost (driver reset, GPU removed, tab in background too long);
 * does nothing on other backends. Returns a function that cancels the watch.
 */
export function watchDeviceLoss(onLost: (message: string) => void): () => void {
  if (tf.getBackend() !== 'webgpu') return () => {};
  const backend = tf.backend() as unknown as { device?: { lost?: Promise<{ message?: string; reason?: string }> } };
  const lost = backend.device?.lost;
  if (!lost) return () => {};
  let cancelled = false;
  void lost.then((info) => {
    // 'destroyed' is our own disposal, not a failure.
    if (!cancelled && info.reason !== 'destroyed') onLost(info.message || 'the GPU device was lost');
  });
  return () => {
    cancelled = true;
  };
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
