/**
 * Picks the TensorFlow.js backend the worker trains and generates on, by measurement: each backend the browser
 * offers (WebGPU, WebGL, WebAssembly) first computes a tiny known result (a backend that registers but computes
 * wrong values, seen with software GPUs, is skipped), then times a few short training steps of the model size
 * in use in a separate probe worker that is terminated when its time limit runs out, so a slow software GPU
 * cannot stall start-up. The fastest wins; the rates are cached per browser and model size in IndexedDB, so later
 * visits start at once. A user's override is honoured. A GPU engine on a software renderer (SwiftShader and the
 * like, softwareGpu.ts) is not timed where WebAssembly can train instead: it is listed as such, never assumed
 * fast. Where nothing is timed yet, the worker can start at once on an engine that is ready in a moment
 * (WebAssembly) for generation, and time the engines for training later (`deferTiming`, timeBackends).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { openDB } from 'idb';

import { GanEngine } from '../model/gan';
import type { ReplicatedTraining } from '../model/parallel/replicas';
import type { ModelWidth } from '../music/constants';
import { MODEL_TRACKS, PITCHES, WINDOW_STEPS, type TrainingWindows } from '../music/pianoRoll';
import { VOICE_LABELS } from '../music/voices';
import { BACKEND_ORDER, type BackendName, type BackendRate, type EngineChoiceHow } from '../protocol/messages';
import { activeWasmThreads, probeBackend } from './backendStart';
import { NoBackendError } from './errors';
import { ownWorkerScript, probeWorkerName } from './roles';
import { softwareRenderer } from './softwareGpu';

/** The backend in use, why, and what was measured. */
export interface BackendChoice {
  backend: BackendName;
  /** One sentence naming each skipped backend and its reason; absent when none was skipped. */
  fallbackReason?: string;
  skipped: { backend: BackendName; reason: string }[];
  /** How the backend was picked (absent: the first of the order that works). */
  how?: EngineChoiceHow;
  /** Nothing was timed yet: this backend was started at once, and the engines are still to be timed for training. */
  timing?: boolean;
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
  /**
   * Where no rates are known yet, start the quickest engine to start (IMMEDIATE_ORDER) instead of timing them first;
   * the choice then says `timing: true`, and timeBackends times them later.
   */
  deferTiming?: boolean;
  /** Rates timed just now (timeBackends): used instead of the cache, and not timed again. */
  rates?: BackendRate[];
}

/** Tests a backend and switches to it; resolves to undefined when it works, or to the reason it does not. */
export type BackendProbe = (backend: BackendName) => Promise<string | undefined>;
/** Times training on `backend` at width `width` within about `limitMs`; never rejects; `signal` ends it early. */
export type RateMeter = (backend: BackendName, width: number, limitMs: number, signal?: AbortSignal) => Promise<BackendRate>;
/** Keeps measured rates between visits. */
export interface RateCache {
  get(key: string): Promise<BackendRate[] | undefined>;
  put(key: string, rates: BackendRate[]): Promise<void>;
}

/** Windows per probe batch: small, so a slow backend shows itself within the time limit. */
export const PROBE_BATCH = 2;

/** `count` random -1/+1 training windows (about as dense as chorale voices; random rolls cost the same to train on). */
function probeWindows(count: number): TrainingWindows {
  const data = new Int8Array(count * WINDOW_STEPS * PITCHES * MODEL_TRACKS).fill(-1);
  for (let i = 0; i < data.length; i += 37) data[i] = 1;
  return { count, steps: WINDOW_STEPS, tracks: MODEL_TRACKS, data, trackNames: [...VOICE_LABELS] };
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
  /** Called once the engine (and its replicas) are started, when the timed part begins. */
  onStarted?: () => void,
): Promise<{ iterationsPerSecond: number; note?: string }> {
  const engine = GanEngine.create({ baseWidth: width as ModelWidth, batchSize: PROBE_BATCH, updateRatio: 1, seed: 1 });
  let replicas: ReplicatedTraining | undefined;
  try {
    replicas = replicate ? await replicate(engine) : undefined;
    const trainer = replicas ?? engine;
    onStarted?.();
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
export const measureInProbeWorker: RateMeter = (backend, width, limitMs, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) {
      resolve({ backend, iterationsPerSecond: null, note: 'interrupted' });
      return;
    }
    // A worker of this same script (worker.ts) in its probe role.
    const worker = new Worker(ownWorkerScript(), { type: 'module', name: probeWorkerName(backend) });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const interrupt = (): void => finish({ backend, iterationsPerSecond: null, note: 'interrupted' });
    const finish = (rate: BackendRate): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', interrupt);
      worker.terminate();
      resolve(rate);
    };
    signal?.addEventListener('abort', interrupt);
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

/**
 * The engines to start at once, before anything is timed, best first: WebAssembly starts in a moment and computes
 * exactly everywhere, where a GPU backend first compiles its shaders (seconds on a software GPU).
 */
export const IMMEDIATE_ORDER: readonly BackendName[] = ['wasm'];

/** What chooseBackend is built from; injectable so the logic can be tested without browsers or GPUs. */
export interface ChooseDeps {
  probe: BackendProbe;
  measure: RateMeter;
  cache: RateCache;
  limitMs: number;
  /** The software renderer behind a GPU engine, not timed (softwareGpu.ts); absent: every engine is timed. */
  software?: (backend: BackendName) => Promise<string | undefined>;
  /** WebAssembly threads of the engine switched to (undefined off wasm); absent: none reported. */
  threads?: () => number | undefined;
}

const browserDeps: ChooseDeps = {
  probe: (b) => probeBackend(b),
  measure: measureInProbeWorker,
  cache: idbRateCache,
  limitMs: PROBE_LIMIT_MS,
  software: softwareRenderer,
  threads: activeWasmThreads,
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
  const skipped: BackendChoice['skipped'] = [];
  let rates = options.rates ?? (await deps.cache.get(rateCacheKey(width))) ?? [];
  let how: EngineChoiceHow = options.rates ? 'measured' : rates.length ? 'cached' : 'measured';
  let timing = false;
  const candidates: BackendName[] = [];
  if (options.override !== undefined) {
    candidates.push(options.override);
    how = 'override';
  } else {
    if (!rates.length && order.filter((b) => MEASURED.includes(b)).length > 1) {
      if (options.deferTiming) timing = true;
      else rates = (await timeBackends(order, width, deps)) ?? [];
    }
    // Not timed yet: the quickest to start first. Else the fastest measured first. Then the rest of the order
    // (unmeasured, e.g. cpu) as fallbacks.
    if (timing) candidates.push(...IMMEDIATE_ORDER.filter((b) => order.includes(b)));
    for (const rate of rates) if (rate.iterationsPerSecond !== null && order.includes(rate.backend)) candidates.push(rate.backend);
    for (const backend of order) if (!candidates.includes(backend)) candidates.push(backend);
    if (!rates.some((r) => r.iterationsPerSecond !== null)) how = 'first-working';
  }
  for (const backend of candidates) {
    const reason = await deps.probe(backend);
    if (reason === undefined) {
      const choice: BackendChoice = { backend, skipped, how, rates, width };
      if (timing) choice.timing = true;
      if (skipped.length) choice.fallbackReason = skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ');
      const threads = deps.threads?.();
      if (threads !== undefined) choice.threads = threads;
      return choice;
    }
    skipped.push({ backend, reason });
    if (how === 'override') {
      // The user's choice failed: say so, and fall back to the measured choice.
      return chooseBackend(order, { width, ...(options.deferTiming ? { deferTiming: true } : {}) }, deps).then((choice) => ({
        ...choice,
        skipped: [...skipped, ...choice.skipped],
        fallbackReason: [`${backend} (your choice): ${reason}`, choice.fallbackReason].filter(Boolean).join('; '),
      }));
    }
  }
  throw new NoBackendError(skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ') || 'no engine was allowed');
}

/**
 * The training rates of the backends of `order` at model width `width`: from the cache, else timed one after the
 * other in probe workers (and cached when any could be timed), fastest first. Resolves to undefined when `signal`
 * ends the timing first (nothing is cached then).
 */
export async function timeBackends(
  order: readonly BackendName[],
  width: number,
  deps: Pick<ChooseDeps, 'measure' | 'cache' | 'limitMs' | 'software'> = browserDeps,
  signal?: AbortSignal,
): Promise<BackendRate[] | undefined> {
  const key = rateCacheKey(width);
  const cached = await deps.cache.get(key);
  if (cached?.length) return cached;
  const rates: BackendRate[] = [];
  const measured = order.filter((b) => MEASURED.includes(b));
  for (const backend of measured) {
    // A GPU engine on a software renderer is not timed where WebAssembly is there to train instead.
    const software = measured.includes('wasm') ? await deps.software?.(backend) : undefined;
    if (software !== undefined) {
      rates.push({ backend, iterationsPerSecond: null, note: `a software renderer, ${software}: slower than WebAssembly` });
      continue;
    }
    const rate = await deps.measure(backend, width, deps.limitMs, signal);
    if (signal?.aborted) return undefined;
    rates.push(rate);
  }
  rates.sort((a, b) => (b.iterationsPerSecond ?? -1) - (a.iterationsPerSecond ?? -1));
  if (rates.some((r) => r.iterationsPerSecond !== null)) await deps.cache.put(key, rates);
  return rates;
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
