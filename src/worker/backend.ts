/**
 * Picks the TensorFlow.js backend the worker trains and generates on, by measurement: each backend the browser
 * offers (WebGPU, WebGL, WebAssembly) first computes a tiny known result (a backend that registers but computes
 * wrong values, seen with software GPUs, is skipped), then times a few short training steps of the model size
 * in use in a separate probe worker that is terminated when its time limit runs out, so a slow software GPU
 * cannot stall start-up. The fastest wins; the rates are cached per browser and model size in IndexedDB, so later
 * visits start at once. A user's override is honoured. A fallback adapter (SwiftShader) is measured like any
 * other, never assumed fast.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { openDB } from 'idb';

import { GanEngine } from '../model/engine';
import type { ReplicatedTraining } from '../model/parallel/replicas';
import { registerWasmTrainingKernels } from '../model/wasm';
import type { ModelWidth } from '../music/constants';
import { PITCHES, WINDOW_STEPS, type TrainingWindows } from '../music/pianoRoll';
import { BACKEND_ORDER, type BackendName, type BackendRate, type EngineChoiceHow } from '../protocol/messages';
import { NoBackendError } from './errors';

/** The backend in use, why, and what was measured. */
export interface BackendChoice {
  backend: BackendName;
  /** One sentence naming each skipped backend and its reason; absent when none was skipped. */
  fallbackReason?: string;
  skipped: { backend: BackendName; reason: string }[];
  /** How the backend was picked (absent: the first of the order that works). */
  how?: EngineChoiceHow;
  /** Training rates measured (now or on an earlier visit), fastest first. */
  rates?: BackendRate[];
  /** WebAssembly threads in use (wasm only). */
  threads?: number;
  /** The model width the choice was made for. */
  width?: number;
}

/** What the page asks for: the model size to measure and, optionally, a backend chosen by the user. */
export interface ChooseOptions {
  /** Base width of the model that will train (default 16). */
  width?: number;
  /** The user's choice; it wins over measurement when it works. */
  override?: BackendName;
}

/** Tests a backend and switches to it; resolves to undefined when it works, or to the reason it does not. */
export type BackendProbe = (backend: BackendName) => Promise<string | undefined>;
/** Times training on `backend` at width `width` within about `limitMs`; never rejects. */
export type RateMeter = (backend: BackendName, width: number, limitMs: number) => Promise<BackendRate>;
/** Keeps measured rates between visits. */
export interface RateCache {
  get(key: string): Promise<BackendRate[] | undefined>;
  put(key: string, rates: BackendRate[]): Promise<void>;
}

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

/** Windows per probe batch: small, so a slow backend shows itself within the time limit. */
export const PROBE_BATCH = 2;

/** `count` random -1/+1 training windows (about as dense as chorale voices; random rolls cost the same to train on). */
function probeWindows(count: number): TrainingWindows {
  const data = new Int8Array(count * WINDOW_STEPS * PITCHES * 4).fill(-1);
  for (let i = 0; i < data.length; i += 37) data[i] = 1;
  return { count, steps: WINDOW_STEPS, tracks: 4, data, trackNames: ['Soprano', 'Alto', 'Tenor', 'Bass'] };
}

/**
 * Times training iterations (one critic and one generator step, batch PROBE_BATCH) of a model of `width` on the
 * ACTIVE backend: one warm-up iteration (shader compilation, weight packing), then iterations until half of
 * `budgetMs` is spent (at most 3). A warm-up over the budget is the measurement itself (and the note says so).
 * `replicate`, where given, trains as the run would: on replicas of the engine (src/model/parallel).
 */
export async function measureActiveBackend(
  width: number,
  budgetMs: number,
  replicate?: (engine: GanEngine) => Promise<ReplicatedTraining>,
): Promise<{ iterationsPerSecond: number; note?: string }> {
  const engine = GanEngine.create({ baseWidth: width as ModelWidth, batchSize: PROBE_BATCH, updateRatio: 1, seed: 1 });
  let replicas: ReplicatedTraining | undefined;
  try {
    replicas = replicate ? await replicate(engine) : undefined;
    const trainer = replicas ?? engine;
    const batches = [probeWindows(PROBE_BATCH)];
    const warmStart = performance.now();
    await trainer.trainIteration(batches);
    const warmMs = performance.now() - warmStart;
    if (warmMs > budgetMs / 2)
      return { iterationsPerSecond: 1000 / warmMs, note: 'first (warm-up) iteration only: it used the time limit' };
    let iterations = 0;
    const start = performance.now();
    while (iterations < 3 && (iterations === 0 || performance.now() - start < budgetMs / 2)) {
      await trainer.trainIteration(batches);
      iterations++;
    }
    return { iterationsPerSecond: (1000 * iterations) / (performance.now() - start) };
  } finally {
    replicas?.dispose();
    engine.dispose();
  }
}

/** What a probe worker answers. */
export type ProbeReply =
  /** The backend started and computed correctly; the timed part begins. */
  { ok: 'started' } | { ok: true; iterationsPerSecond: number; note?: string; threads?: number } | { ok: false; reason: string };
/** What a probe worker is asked. */
export interface ProbeRequest {
  backend: BackendName;
  width: number;
  budgetMs: number;
}

/** Time limit of one backend's warm-up and timed steps, in a worker that is then ended. */
export const PROBE_LIMIT_MS = 8_000;

/** How long a probe worker may take to load and start its backend, before the timed part begins. */
const PROBE_START_LIMIT_MS = 30_000;

/**
 * Times `backend` in a fresh probe worker. The worker first starts the backend (module loading and start-up do
 * not count: on a busy machine they are slow for every backend alike), then has `limitMs` for the warm-up and the
 * timed steps; it is ended when either limit runs out.
 */
export const measureInProbeWorker: RateMeter = (backend, width, limitMs) =>
  new Promise((resolve) => {
    const worker = new Worker(new URL('./probeWorker.ts', import.meta.url), { type: 'module', name: `cantus-probe-${backend}` });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (rate: BackendRate): void => {
      clearTimeout(timer);
      worker.terminate();
      resolve(rate);
    };
    const limit = (ms: number, what: string): void => {
      clearTimeout(timer);
      timer = setTimeout(() => finish({ backend, iterationsPerSecond: null, note: what }), ms);
    };
    limit(PROBE_START_LIMIT_MS, `did not start within ${PROBE_START_LIMIT_MS / 1000} s`);
    worker.onmessage = (event: MessageEvent<ProbeReply>) => {
      const reply = event.data;
      if (reply.ok === 'started') limit(limitMs, `slower than the ${limitMs / 1000} s probe limit allows (ended)`);
      else if (!reply.ok) finish({ backend, iterationsPerSecond: null, note: reply.reason });
      else {
        const rate: BackendRate = { backend, iterationsPerSecond: reply.iterationsPerSecond };
        const notes = [
          reply.threads !== undefined ? `${reply.threads} thread${reply.threads === 1 ? '' : 's'}` : '',
          reply.note ?? '',
        ].filter(Boolean);
        if (notes.length) rate.note = notes.join('; ');
        finish(rate);
      }
    };
    worker.onerror = (event) =>
      finish({ backend, iterationsPerSecond: null, note: `the probe failed: ${event.message || 'worker error'}` });
    worker.postMessage({ backend, width, budgetMs: limitMs * 0.8 } satisfies ProbeRequest);
  });

/** Rates kept in IndexedDB, keyed by browser and model size. */
export const idbRateCache: RateCache = {
  async get(key) {
    try {
      const db = await openRateDb();
      const record = (await db.get('rates', key)) as { rates: BackendRate[] } | undefined;
      db.close();
      return record?.rates;
    } catch {
      return undefined;
    }
  },
  async put(key, rates) {
    try {
      const db = await openRateDb();
      await db.put('rates', { rates, measuredAt: new Date().toISOString() }, key);
      db.close();
    } catch {
      // A browser without IndexedDB measures again next time; nothing is lost.
    }
  },
};

function openRateDb() {
  return openDB('cantus-engine-rates', 1, {
    upgrade(db) {
      db.createObjectStore('rates');
    },
  });
}

/** The cache key: the browser (user agent, which names its version) and the model size. */
export function rateCacheKey(width: number): string {
  return `${typeof navigator === 'undefined' ? 'unknown' : navigator.userAgent} | width ${width}`;
}

/** Backends that are timed; cpu is only a last resort (a training step there takes minutes). */
const MEASURED: readonly BackendName[] = ['webgpu', 'webgl', 'wasm'];

/** What chooseBackend is built from; injectable so the logic can be tested without browsers or GPUs. */
export interface ChooseDeps {
  probe: BackendProbe;
  measure: RateMeter;
  cache: RateCache;
  limitMs: number;
}

const browserDeps: ChooseDeps = {
  probe: (b) => probeBackend(b),
  measure: measureInProbeWorker,
  cache: idbRateCache,
  limitMs: PROBE_LIMIT_MS,
};

/**
 * Picks the backend: the user's override when it works; else the fastest by measured training rate (cached per
 * browser and model size); else, where nothing could be timed, the first of `order` that works. Switches to it.
 * Throws NoBackendError naming every reason when none works.
 */
export async function chooseBackend(
  order: readonly BackendName[] = BACKEND_ORDER,
  options: ChooseOptions = {},
  deps: ChooseDeps = browserDeps,
): Promise<BackendChoice> {
  const width = options.width ?? 16;
  const key = rateCacheKey(width);
  const skipped: BackendChoice['skipped'] = [];
  const rates = (await deps.cache.get(key)) ?? [];
  let how: EngineChoiceHow = rates.length ? 'cached' : 'measured';
  const candidates: BackendName[] = [];
  if (options.override !== undefined) {
    candidates.push(options.override);
    how = 'override';
  } else {
    const measurable = order.filter((b) => MEASURED.includes(b));
    if (!rates.length && measurable.length > 1) {
      for (const backend of measurable) rates.push(await deps.measure(backend, width, deps.limitMs));
      rates.sort((a, b) => (b.iterationsPerSecond ?? -1) - (a.iterationsPerSecond ?? -1));
      if (rates.some((r) => r.iterationsPerSecond !== null)) await deps.cache.put(key, rates);
    }
    // Fastest measured first, then the rest of the order (unmeasured, e.g. cpu) as fallbacks.
    for (const rate of rates) if (rate.iterationsPerSecond !== null && order.includes(rate.backend)) candidates.push(rate.backend);
    for (const backend of order) if (!candidates.includes(backend)) candidates.push(backend);
    if (!rates.some((r) => r.iterationsPerSecond !== null)) how = 'first-working';
  }
  for (const backend of candidates) {
    const reason = await deps.probe(backend);
    if (reason === undefined) {
      const choice: BackendChoice = { backend, skipped, how, rates, width };
      if (skipped.length) choice.fallbackReason = skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ');
      const threads = activeWasmThreads();
      if (threads !== undefined) choice.threads = threads;
      return choice;
    }
    skipped.push({ backend, reason });
    if (how === 'override') {
      // The user's choice failed: say so, and fall back to the measured choice.
      return chooseBackend(order, { width }, deps).then((choice) => ({
        ...choice,
        skipped: [...skipped, ...choice.skipped],
        fallbackReason: [`${backend} (your choice): ${reason}`, choice.fallbackReason].filter(Boolean).join('; '),
      }));
    }
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
