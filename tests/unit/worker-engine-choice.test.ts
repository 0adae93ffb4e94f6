/**
 * The first visit's engine choice (src/worker/backend.ts with `deferTiming`, src/worker/engineChoice.ts): the worker
 * starts at once on an engine that is ready in a moment, so an accompaniment never waits for the engines to be timed;
 * the timing follows when the worker is idle (a request gives way to nothing: the timing gives way to it), or at once
 * when training is asked for, and the fastest then replaces the first engine, reported in a second 'ready'.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { BackendName, BackendRate, WorkerEvent } from '../../src/protocol/messages';
import { chooseBackend, timeBackends, type BackendProbe, type ChooseDeps, type RateMeter } from '../../src/worker/backend';
import { EngineChoice } from '../../src/worker/engineChoice';
import { workerRole, probeWorkerName, replicaWorkerName } from '../../src/worker/roles';
import { IdbTrainerStore } from '../../src/worker/store';
import { TrainerHandler } from '../../src/worker/trainer';
import { CountingEngineFactory, EventLog, syntheticWindows } from './worker-fixtures';

const ORDER: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
const RATES: Partial<Record<BackendName, number>> = { webgpu: 5, webgl: 2, wasm: 1 };

/** A rate cache in memory. */
function memoryCache() {
  const map = new Map<string, BackendRate[]>();
  return { get: async (k: string) => map.get(k), put: async (k: string, v: BackendRate[]) => void map.set(k, v), map };
}

/** A meter that takes `ms` per backend (ended early by its signal, as the probe worker is) and records each call. */
function slowMeter(ms: number, calls: string[], rates = RATES): RateMeter {
  return (backend, width, _limit, signal) =>
    new Promise((resolve) => {
      calls.push(`${backend}@${width}`);
      const timer = setTimeout(() => resolve({ backend, iterationsPerSecond: rates[backend] ?? null }), ms);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        calls.push(`${backend} interrupted`);
        resolve({ backend, iterationsPerSecond: null, note: 'interrupted' });
      });
    });
}

/** The backend each probe switched to, in order: the last is the one in use. */
function switchingProbe(switched: BackendName[]): BackendProbe {
  return async (backend) => {
    switched.push(backend);
    return undefined;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An EngineChoice on the real chooseBackend, with a slow fake meter, a memory cache and a serial engine queue. */
function setUp(meterMs = 20, idleMs = 30, rates = RATES) {
  const calls: string[] = [];
  const switched: BackendName[] = [];
  const events: WorkerEvent[] = [];
  const deps: ChooseDeps = {
    probe: switchingProbe(switched),
    measure: slowMeter(meterMs, calls, rates),
    cache: memoryCache(),
    limitMs: 100,
  };
  let queue: Promise<unknown> = Promise.resolve();
  const choice = new EngineChoice({
    chooseBackend: (order, options) => chooseBackend(order, options, deps),
    timeBackends: (order, width, signal) => timeBackends(order, width, deps, signal),
    onDeviceLost: () => {},
    post: (event) => events.push(event),
    exclusive: (task) => {
      const result = queue.then(task);
      queue = result.catch(() => undefined);
      return result;
    },
    idleMs,
  });
  return { choice, calls, switched, events, cache: deps.cache as ReturnType<typeof memoryCache> };
}

const readies = (events: WorkerEvent[]) => events.filter((e) => e.type === 'ready');

describe('chooseBackend with deferTiming', () => {
  it('starts wasm at once when nothing is timed, timing nothing, and says the timing is still to do', async () => {
    const calls: string[] = [];
    const deps = { probe: switchingProbe([]), measure: slowMeter(1, calls), cache: memoryCache(), limitMs: 100 };
    const choice = await chooseBackend(ORDER, { width: 8, deferTiming: true }, deps);
    expect(choice).toMatchObject({ backend: 'wasm', timing: true });
    expect(calls).toEqual([]);
    // Once timed (cached), the same request takes the fastest, with no timing left to do.
    await timeBackends(ORDER, 8, deps);
    const timed = await chooseBackend(ORDER, { width: 8, deferTiming: true }, deps);
    expect(timed).toMatchObject({ backend: 'webgpu', how: 'cached' });
    expect(timed.timing).toBeUndefined();
  });

  it('timeBackends ended by its signal caches nothing', async () => {
    const calls: string[] = [];
    const cache = memoryCache();
    const abort = new AbortController();
    const timing = timeBackends(ORDER, 16, { measure: slowMeter(50, calls), cache, limitMs: 100 }, abort.signal);
    await sleep(10);
    abort.abort();
    await expect(timing).resolves.toBeUndefined();
    expect(calls).toEqual(['webgpu@16', 'webgpu interrupted']);
    expect(cache.map.size).toBe(0);
  });
});

describe('EngineChoice', () => {
  it('reports wasm at once, then times the engines when idle and switches to the fastest', async () => {
    const { choice, calls, switched, events } = setUp();
    await choice.choose(ORDER, 16, undefined);
    expect(readies(events)).toEqual([{ type: 'ready', backend: 'wasm', timing: true }]);
    expect(calls).toEqual([]);
    expect(choice.timing).toBe(true);
    await choice.timed();
    expect(calls).toEqual(['webgpu@16', 'webgl@16', 'wasm@16']);
    expect(switched).toEqual(['wasm', 'webgpu']);
    expect(readies(events)[1]).toMatchObject({ backend: 'webgpu', how: 'measured', width: 16 });
    expect((readies(events)[1] as { rates: BackendRate[] }).rates.map((r) => r.backend)).toEqual(['webgpu', 'webgl', 'wasm']);
    expect(choice.timing).toBe(false);
  });

  it('starts the timing by itself once the worker has been idle', async () => {
    const { choice, calls, events } = setUp(5, 20);
    await choice.choose(ORDER, 16, undefined);
    await sleep(200);
    expect(calls).toEqual(['webgpu@16', 'webgl@16', 'wasm@16']);
    expect(readies(events).at(-1)).toMatchObject({ backend: 'webgpu', how: 'measured' });
  });

  it('a request using the engine interrupts the timing, which starts again once it is done', async () => {
    const { choice, calls, events } = setUp(40, 10);
    await choice.choose(ORDER, 16, undefined);
    await sleep(30); // the timing has begun on webgpu
    expect(calls).toEqual(['webgpu@16']);
    const seenDuring: string[] = [];
    await choice.whileBusy(async () => {
      await sleep(60);
      seenDuring.push(...calls);
    });
    // Interrupted at once, and nothing timed while the request ran.
    expect(seenDuring).toEqual(['webgpu@16', 'webgpu interrupted']);
    await choice.timed();
    expect(calls.slice(2)).toEqual(['webgpu@16', 'webgl@16', 'wasm@16']);
    expect(readies(events).at(-1)).toMatchObject({ backend: 'webgpu', how: 'measured' });
  });

  it('keeps the engine in use when no engine could be timed, and shows why', async () => {
    const { choice, switched, events } = setUp(5, 20, {});
    await choice.choose(ORDER, 16, undefined);
    await choice.timed();
    expect(switched).toEqual(['wasm']);
    const last = readies(events).at(-1) as { backend: string; timing?: boolean; rates: BackendRate[] };
    expect(last.backend).toBe('wasm');
    expect(last.timing).toBeUndefined();
    expect(last.rates.map((r) => r.iterationsPerSecond)).toEqual([null, null, null]);
    expect(choice.timing).toBe(false);
  });

  it('times at the width a training run asks for', async () => {
    const { choice, calls } = setUp(5, 1000);
    await choice.choose(ORDER, 16, undefined);
    await choice.timed(4);
    expect(calls).toEqual(['webgpu@4', 'webgl@4', 'wasm@4']);
  });

  it("an override made while the timing waits cancels it: the user's engine stays", async () => {
    const { choice, calls, switched, events } = setUp(5, 20);
    await choice.choose(ORDER, 16, undefined);
    await choice.choose(ORDER, 16, 'webgl');
    await sleep(150);
    expect(calls).toEqual([]);
    expect(switched.at(-1)).toBe('webgl');
    expect(readies(events).at(-1)).toMatchObject({ backend: 'webgl', how: 'override' });
    expect(choice.timing).toBe(false);
  });
});

describe('TrainerHandler on a first visit', () => {
  it("answers 'init' at once on wasm, and a training run waits for the timing and trains on the fastest", async () => {
    const calls: string[] = [];
    const switched: BackendName[] = [];
    const deps: ChooseDeps = { probe: switchingProbe(switched), measure: slowMeter(5, calls), cache: memoryCache(), limitMs: 100 };
    const log = new EventLog();
    const handler = new TrainerHandler({
      post: log.post,
      engines: new CountingEngineFactory(),
      store: new IdbTrainerStore('worker-engine-choice'),
      chooseBackend: (order, options) => chooseBackend(order, options, deps),
      timeBackends: (order, width, signal) => timeBackends(order, width, deps, signal),
      metrics: null,
    });
    await handler.handle({ type: 'init', width: 4 });
    expect(log.of('ready')).toEqual([{ type: 'ready', backend: 'wasm', timing: true }]);
    expect(calls).toEqual([]);
    await handler.handle({
      type: 'start',
      config: { epochs: 1, batchSize: 2, updateRatio: 1, baseWidth: 4 },
      data: syntheticWindows(2),
      snapshotMelodies: [],
    });
    // Timed before the run began, at the run's width, and switched to the fastest.
    expect(calls).toEqual(['webgpu@4', 'webgl@4', 'wasm@4']);
    expect(switched.at(-1)).toBe('webgpu');
    const order = log.events
      .map((e) => (e.type === 'ready' ? `ready ${e.backend}` : e.type === 'state' ? `state ${e.state}` : ''))
      .filter(Boolean);
    expect(order.slice(0, 3)).toEqual(['ready wasm', 'ready webgpu', 'state training']);
    await handler.whenIdle();
    handler.dispose();
  });
});

describe('worker roles', () => {
  it('tells the training worker, probes and replicas apart by name', () => {
    expect(workerRole('')).toBe('trainer');
    expect(workerRole(probeWorkerName('webgpu'))).toBe('probe');
    expect(workerRole(replicaWorkerName(0))).toBe('replica');
  });
});
