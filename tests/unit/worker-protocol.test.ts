/**
 * The worker's message handling without real training: config and request errors, backend fallback, model
 * download, and the page client's request ids and crash recovery. The engine here is a counting stand-in;
 * tests that claim training happened are in worker-training.test.ts and use the real GAN engine, and the
 * choice of backend itself is tested in worker-backend.test.ts.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { TrainingDriver } from '../../src/model/driver';
import type { HyperParamsInput } from '../../src/protocol/config';
import { DEFAULT_GENERATION_OPTIONS } from '../../src/protocol/generation';
import type { BackendName, WorkerEvent } from '../../src/protocol/messages';
import { TrainerClient, TrainerError } from '../../src/worker/client';
import { IdbTrainerStore } from '../../src/worker/store';
import { fetchModelFiles, fetchServedModel } from '../../src/worker/modelFetch';
import { TrainerHandler } from '../../src/worker/trainer';
import { chooseBackend, CountingEngineFactory, EventLog, InProcessPort, melodyRoll, syntheticWindows } from './worker-fixtures';

let dbCounter = 0;
const freshStore = () => new IdbTrainerStore(`worker-protocol-${dbCounter++}`);
/** A chooser that pretends every backend before `working` fails, for fallback tests. */
const pretendBackends = (working: BackendName) => (order: readonly BackendName[]) =>
  chooseBackend(order, async (b) => (b === working ? undefined : `${b} is broken in this test`));

function handlerWith(log: EventLog, engines = new CountingEngineFactory()) {
  return new TrainerHandler({ post: log.post, engines, store: freshStore(), chooseBackend: pretendBackends('cpu'), metrics: null });
}

const tinyConfig: HyperParamsInput = { epochs: 2, batchSize: 2, updateRatio: 1, baseWidth: 4, snapshotEpochs: [1] };

describe('TrainerHandler requests', () => {
  it('refuses a bad config with an error event naming every bad field', async () => {
    const log = new EventLog();
    const handler = handlerWith(log);
    await handler.handle({
      type: 'start',
      config: { epochs: 0, learningRate: -1, baseWidth: 5 } as unknown as HyperParamsInput,
      data: syntheticWindows(2),
      snapshotMelodies: [],
    });
    const error = log.of('error')[0];
    expect(error.code).toBe('bad-config');
    expect(error.problems?.map((p) => p.field).sort()).toEqual(['baseWidth', 'epochs', 'learningRate']);
    expect(error.message).toContain('epochs');
    expect(handler.trainingState).toBe('idle');
    expect(log.of('progress')).toHaveLength(0);
  });

  it('refuses a run that would not fit in memory, naming the batch size, and keeps the saved run', async () => {
    const log = new EventLog();
    const store = freshStore();
    const handler = new TrainerHandler({
      post: log.post,
      engines: new CountingEngineFactory(),
      store,
      chooseBackend: pretendBackends('cpu'),
      metrics: null,
    });
    const saved = {
      config: {},
      state: { iterations: 3 },
      epoch: 1,
      completedIterations: 3,
      dataset: { count: 2, steps: 32, tracks: 4, trackNames: [], checksum: 1 },
      savedAt: 1,
    };
    await store.saveCheckpoint(saved as never);
    await handler.handle({ type: 'start', config: { baseWidth: 64, batchSize: 256 }, data: syntheticWindows(2), snapshotMelodies: [] });
    const error = log.of('error')[0];
    expect(error.code).toBe('bad-config');
    expect(error.problems?.map((p) => p.field)).toEqual(['batchSize']);
    expect(error.message).toMatch(
      /width 64 with batch size 256 needs about .* GB of memory, more than the 3\.0 GB .* batch size of at most \d+, or a smaller model/,
    );
    expect(handler.trainingState).toBe('idle');
    expect(await store.loadCheckpoint()).toMatchObject({ completedIterations: 3 });
  });

  it('answers generate and save before any model with no-model, tied to the request id', async () => {
    const log = new EventLog();
    const handler = handlerWith(log);
    await handler.handle({ type: 'generate', requestId: 7, melody: melodyRoll(), seed: 1 });
    await handler.handle({ type: 'save', requestId: 8, target: 'files' });
    expect(log.of('error').map((e) => [e.requestId, e.code])).toEqual([
      [7, 'no-model'],
      [8, 'no-model'],
    ]);
  });

  it('reports malformed requests as bad-request instead of throwing', async () => {
    const log = new EventLog();
    const handler = handlerWith(log);
    await handler.handle({ type: 'dance' } as never);
    await handler.handle(null as never);
    await handler.handle({ type: 'pause' });
    await handler.handle({ type: 'init', backends: ['quantum' as BackendName] });
    const broken = syntheticWindows(2);
    await handler.handle({ type: 'start', config: tinyConfig, data: { ...broken, count: 3 }, snapshotMelodies: [] });
    expect(log.of('error').map((e) => e.code)).toEqual(['bad-request', 'bad-request', 'bad-request', 'bad-request', 'bad-request']);
    expect(log.of('error')[4].message).toContain('damaged');
  });

  it('refuses to continue a run when there is no checkpoint, or the data differs from it', async () => {
    const log = new EventLog();
    const handler = handlerWith(log);
    await handler.handle({ type: 'start', config: tinyConfig, data: syntheticWindows(2), snapshotMelodies: [], resume: true });
    expect(log.of('error')[0].code).toBe('no-model');

    await handler.handle({ type: 'start', config: { ...tinyConfig, epochs: 1 }, data: syntheticWindows(2), snapshotMelodies: [] });
    await log.waitFor('checkpoint');
    await handler.whenIdle();
    await handler.handle({ type: 'start', config: tinyConfig, data: syntheticWindows(3), snapshotMelodies: [], resume: true });
    const refused = log.of('error')[1];
    expect(refused.code).toBe('bad-request');
    expect(refused.message).toContain('different training data');
  });

  it('needs a name to save or delete in the browser, says so when loading an unknown name, and deletes a saved model', async () => {
    const log = new EventLog();
    const handler = handlerWith(log);
    await handler.handle({ type: 'start', config: { ...tinyConfig, epochs: 1 }, data: syntheticWindows(2), snapshotMelodies: [] });
    await handler.whenIdle();
    await handler.handle({ type: 'save', requestId: 1, target: 'indexeddb', name: '  ' });
    await handler.handle({ type: 'load', requestId: 2, source: { kind: 'indexeddb', name: 'never saved' } });
    await handler.handle({ type: 'save', requestId: 3, target: 'indexeddb', name: 'mine' });
    await handler.handle({ type: 'load', requestId: 4, source: { kind: 'indexeddb', name: 'mine' } });
    // Deleting: the saved copy is gone afterwards; a name never saved is no error; a blank name is.
    await handler.handle({ type: 'delete', requestId: 5, name: 'mine' });
    await handler.handle({ type: 'load', requestId: 6, source: { kind: 'indexeddb', name: 'mine' } });
    await handler.handle({ type: 'delete', requestId: 7, name: 'never saved' });
    await handler.handle({ type: 'delete', requestId: 8, name: ' ' });
    expect(log.of('error').map((e) => [e.requestId, e.code])).toEqual([
      [1, 'bad-request'],
      [2, 'no-model'],
      [6, 'no-model'],
      [8, 'bad-request'],
    ]);
    expect(log.of('saved').map((e) => [e.requestId, e.files])).toEqual([[3, undefined]]);
    expect(log.of('loaded')[0]).toMatchObject({ requestId: 4, config: { epochs: 1, baseWidth: 4 } });
    expect(log.of('deleted').map((e) => e.requestId)).toEqual([5, 7]);
  });

  it('refuses to start or load while a run is training (busy)', async () => {
    const log = new EventLog();
    const handler = handlerWith(log, new CountingEngineFactory(20));
    await handler.handle({ type: 'start', config: { ...tinyConfig, epochs: 50 }, data: syntheticWindows(2), snapshotMelodies: [] });
    await handler.handle({ type: 'start', config: tinyConfig, data: syntheticWindows(2), snapshotMelodies: [] });
    await handler.handle({ type: 'load', requestId: 5, source: { kind: 'indexeddb', name: 'x' } });
    await handler.handle({ type: 'stop' });
    await handler.whenIdle();
    expect(log.of('error').map((e) => e.code)).toEqual(['busy', 'busy']);
    expect(handler.trainingState).toBe('stopped');
  });

  it('hands the model the generation options resolved with their defaults, and refuses bad ones as bad-request', async () => {
    const log = new EventLog();
    const engines = new CountingEngineFactory();
    const seen: unknown[] = [];
    const newRun = engines.newRun.bind(engines);
    engines.newRun = async (config, data) => {
      const run = await newRun(config, data);
      const accompany = run.model.accompany.bind(run.model);
      run.model.accompany = (melody, seed, options) => (seen.push(options), accompany(melody, seed, options));
      return run;
    };
    const handler = handlerWith(log, engines);
    await handler.handle({ type: 'start', config: { ...tinyConfig, epochs: 1 }, data: syntheticWindows(2), snapshotMelodies: [] });
    await handler.whenIdle();
    await handler.handle({ type: 'generate', requestId: 1, melody: melodyRoll(), seed: 1, options: { decodeMode: 'single' } });
    await handler.handle({ type: 'generate', requestId: 2, melody: melodyRoll(), seed: 1 });
    await handler.handle({ type: 'generate', requestId: 3, melody: melodyRoll(), seed: 1, options: { decodeMode: 'jazz' } as never });
    expect(log.of('generated').map((e) => e.requestId)).toEqual([1, 2]);
    expect(seen.slice(-2)).toEqual([{ ...DEFAULT_GENERATION_OPTIONS, decodeMode: 'single' }, DEFAULT_GENERATION_OPTIONS]);
    const [error] = log.of('error');
    expect([error.requestId, error.code]).toEqual([3, 'bad-request']);
    expect(error.message).toMatch(/decodeMode must be one of auto, chorale, data, single, chords/);
  });
});

describe('TrainerHandler training figures', () => {
  it('come from the training driver: epochs, windows per second and time left on the handler clock, checkpoints at epoch ends', async () => {
    const run = vi.spyOn(TrainingDriver.prototype, 'run');
    const log = new EventLog();
    let ms = 0;
    // Every reading moves the clock 250 ms on; the driver reads it before and after each iteration, so each takes 0.25 s.
    const now = () => (ms += 250);
    const handler = new TrainerHandler({
      post: log.post,
      engines: new CountingEngineFactory(0),
      store: freshStore(),
      chooseBackend: pretendBackends('cpu'),
      metrics: null,
      now,
    });
    // 8 windows, batch 2 x update ratio 2: 4 windows an iteration, 2 iterations an epoch.
    await handler.handle({
      type: 'start',
      config: { ...tinyConfig, updateRatio: 2, snapshotEpochs: [] },
      data: syntheticWindows(8),
      snapshotMelodies: [],
    });
    await handler.whenIdle();
    const runs = run.mock.calls.length;
    // Restoring a spy clears what it saw, so that is read first.
    run.mockRestore();
    expect(runs).toBe(1);
    expect(log.of('progress').map((p) => [p.epoch, p.iteration, p.iterationsPerEpoch, p.samplesPerSecond, p.secondsLeft])).toEqual([
      [1, 1, 2, 16, 0.75],
      [1, 2, 2, 16, 0.5],
      [2, 1, 2, 16, 0.25],
      [2, 2, 2, 16, 0],
    ]);
    expect(log.of('checkpoint')).toEqual([
      { type: 'checkpoint', epoch: 1, iteration: 2 },
      { type: 'checkpoint', epoch: 2, iteration: 4 },
    ]);
  });
});

describe('TrainerHandler on a lost GPU device', () => {
  it('reports device-lost and stops the run', async () => {
    const log = new EventLog();
    let loseDevice: ((message: string) => void) | undefined;
    const handler = new TrainerHandler({
      post: log.post,
      engines: new CountingEngineFactory(5),
      store: freshStore(),
      metrics: null,
      chooseBackend: pretendBackends('webgpu'),
      watchDeviceLoss: (onLost) => {
        loseDevice = onLost;
        return () => {};
      },
    });
    await handler.handle({ type: 'init' });
    await handler.handle({ type: 'start', config: { ...tinyConfig, epochs: 1000 }, data: syntheticWindows(2), snapshotMelodies: [] });
    await log.waitFor('progress');
    loseDevice!('GPU process exited');
    await handler.whenIdle();
    expect(log.of('error')).toEqual([{ type: 'error', code: 'device-lost', message: expect.stringContaining('GPU process exited') }]);
    expect(handler.trainingState).toBe('stopped');
  });
});

describe('fetchModelFiles', () => {
  it('downloads model.json and joins its weight files in manifest order', async () => {
    const served: Record<string, Response | undefined> = {};
    const fakeFetch = (async (url: string) => served[url] ?? new Response('missing', { status: 404 })) as typeof fetch;
    const manifest = { weightsManifest: [{ paths: ['group1.bin', 'sub/group2.bin'], weights: [] }] };
    served['http://host/models/default/model.json'] = new Response(JSON.stringify(manifest));
    served['http://host/models/default/group1.bin'] = new Response(new Uint8Array([1, 2]));
    served['http://host/models/default/sub/group2.bin'] = new Response(new Uint8Array([3]));
    const files = await fetchModelFiles('http://host/models/default/model.json', fakeFetch);
    expect([...new Uint8Array(files.weights)]).toEqual([1, 2, 3]);
    expect(JSON.parse(files.modelJson)).toEqual(manifest);
    await expect(fetchModelFiles('http://host/nothing/model.json', fakeFetch)).rejects.toThrow(/answered 404/);

    // A Cantus model file names no weight files: its weights lie beside it as <name>.weights.bin.
    served['http://host/models/chorale.json'] = new Response(JSON.stringify({ format: 'cantus-accompaniment-gan' }));
    served['http://host/models/chorale.weights.bin'] = new Response(new Uint8Array([9, 8]));
    expect([...new Uint8Array((await fetchModelFiles('http://host/models/chorale.json', fakeFetch)).weights)]).toEqual([9, 8]);
  });

  it('tells a model the server does not have (404, or a page in its place) from one it fails to send', async () => {
    const fakeFetch = (async (url: string) => {
      if (url.endsWith('/page/model.json')) return new Response('<!doctype html><title>Cantus</title>');
      if (url.endsWith('/broken/model.json')) return new Response('busy', { status: 503 });
      if (url.endsWith('/here/model.json')) return new Response(JSON.stringify({ format: 'cantus-accompaniment-gan' }));
      if (url.endsWith('/here/model.weights.bin')) return new Response(new Uint8Array([4, 5, 6]));
      if (url.includes('/offline/')) throw new TypeError('Failed to fetch');
      return new Response('missing', { status: 404 });
    }) as typeof fetch;
    await expect(fetchServedModel('http://host/none/model.json', fakeFetch)).resolves.toBeNull();
    await expect(fetchServedModel('http://host/page/model.json', fakeFetch)).resolves.toBeNull();
    const files = await fetchServedModel('http://host/here/model.json', fakeFetch);
    expect([...new Uint8Array(files!.weights)]).toEqual([4, 5, 6]);
    await expect(fetchServedModel('http://host/broken/model.json', fakeFetch)).rejects.toThrow(/answered 503/);
    await expect(fetchServedModel('http://host/offline/model.json', fakeFetch)).rejects.toThrow(
      /Could not download the model .*Failed to fetch/,
    );
  });
});

describe('TrainerClient', () => {
  const makeClient = (ports: InProcessPort[], working: BackendName[]) =>
    TrainerClient.create({
      createPort: () => {
        const port = new InProcessPort({
          engines: new CountingEngineFactory(5),
          store: sharedStore,
          metrics: null,
          // Each new worker can use only the backends still in `working`, to act out a backend that died.
          chooseBackend: (order) => chooseBackend(order, async (b) => (working.includes(b) ? undefined : `${b} unavailable`)),
        });
        ports.push(port);
        return port;
      },
    });
  const sharedStore = freshStore();

  it('resolves requests from their replies and rejects failures as TrainerError', async () => {
    const ports: InProcessPort[] = [];
    const client = makeClient(ports, ['wasm', 'cpu']);
    await expect(client.init()).resolves.toMatchObject({
      backend: 'wasm',
      fallbackReason: 'webgpu: webgpu unavailable; webgl: webgl unavailable',
    });
    const failure = await client.generate(melodyRoll(), 1).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TrainerError);
    expect((failure as TrainerError).code).toBe('no-model');

    const events: WorkerEvent[] = [];
    client.on((e) => events.push(e));
    client.start({ ...tinyConfig, epochs: 1 }, syntheticWindows(2), [melodyRoll()]);
    await until(() => client.trainingState === 'done');
    const melody = melodyRoll(48);
    const roll = await client.generate(melody, 3);
    expect(roll.steps).toBe(48);
    expect(melody.active.length).toBe(48 * 128); // copied, not transferred away from the caller
    const files = await client.save('files');
    expect(files?.weights.byteLength).toBeGreaterThan(0);
    await expect(client.load({ kind: 'files', modelJson: files!.modelJson, weights: files!.weights })).resolves.toMatchObject({
      epochs: 1,
    });
    expect(events.map((e) => e.type)).toContain('snapshot');
    client.dispose();
  });

  it('after a worker crash restarts on the next backend and continues from the last checkpoint', async () => {
    const ports: InProcessPort[] = [];
    const working: BackendName[] = ['webgl', 'wasm'];
    const client = makeClient(ports, working);
    const events: WorkerEvent[] = [];
    client.on((e) => events.push(e));
    await expect(client.init(['webgl', 'wasm', 'cpu'])).resolves.toMatchObject({ backend: 'webgl' });
    // 2 windows, batch 1, ratio 1: 2 iterations per epoch.
    client.start({ ...tinyConfig, batchSize: 1, epochs: 200, snapshotEpochs: [] }, syntheticWindows(2), []);
    await until(() => events.some((e) => e.type === 'checkpoint' && e.epoch >= 2));
    const lastCheckpoint = () => events.filter((e): e is Extract<WorkerEvent, { type: 'checkpoint' }> => e.type === 'checkpoint').at(-1)!;
    working.splice(0, 1); // webgl is gone for good
    const pendingGenerate = client.generate(melodyRoll(), 1);
    ports[0].crash('out of memory');
    await expect(pendingGenerate).rejects.toMatchObject({ code: 'device-lost' });
    const checkpointAtCrash = lastCheckpoint();

    await until(() => client.currentBackend === 'wasm');
    const crashNotice = events.find((e) => e.type === 'error' && e.code === 'device-lost');
    expect(crashNotice).toMatchObject({ message: expect.stringContaining('Restarting on wasm') });
    expect(ports[0].terminated).toBe(true);
    expect(ports[1].received.map((r) => r.type)).toEqual(['init', 'start']);
    expect(ports[1].received[1]).toMatchObject({ type: 'start', resume: true });

    const firstAfter = await until(() => events.find((e, i) => i > events.indexOf(crashNotice!) && e.type === 'progress'));
    // The new worker continues right after the checkpoint it found (it may be one epoch past checkpointAtCrash
    // if the old worker wrote one more between our look and the crash).
    const resumedAt = (firstAfter as Extract<WorkerEvent, { type: 'progress' }>).epoch;
    expect(resumedAt === checkpointAtCrash.epoch + 1 || resumedAt === checkpointAtCrash.epoch + 2).toBe(true);
    expect((firstAfter as Extract<WorkerEvent, { type: 'progress' }>).iteration).toBe(1);
    client.stop();
    await until(() => client.trainingState === 'stopped');
    client.dispose();
  });
});

describe('TrainerClient when workers die at start-up', () => {
  it('answers init from the replacement, moving down the order past each worker that dies', async () => {
    const ports: InProcessPort[] = [];
    const client = TrainerClient.create({
      createPort: () => {
        const port = new InProcessPort({
          engines: new CountingEngineFactory(),
          store: freshStore(),
          metrics: null,
          chooseBackend: (order) => chooseBackend(order, async () => undefined),
        });
        ports.push(port);
        // The first two workers die before they answer (as a worker whose script fails to load does).
        if (ports.length <= 2) setTimeout(() => port.crash(`worker ${ports.length} failed to load`), 0);
        return port;
      },
    });
    const events: WorkerEvent[] = [];
    client.on((e) => events.push(e));
    await expect(client.init(['webgpu', 'webgl', 'wasm'])).resolves.toEqual({ backend: 'wasm' });
    expect(ports).toHaveLength(3);
    expect(ports.slice(0, 2).map((p) => p.terminated)).toEqual([true, true]);
    expect(events.filter((e) => e.type === 'error').map((e) => (e as { message: string }).message)).toEqual([
      expect.stringContaining('Restarting on webgl'),
      expect.stringContaining('Restarting on wasm'),
    ]);
    client.dispose();
  });

  it('rejects init with no-backend when every worker dies', async () => {
    const client = TrainerClient.create({
      createPort: () => {
        const port = new InProcessPort({
          engines: new CountingEngineFactory(),
          store: freshStore(),
          metrics: null,
          chooseBackend: pretendBackends('cpu'),
        });
        setTimeout(() => port.crash('script error'), 0);
        return port;
      },
    });
    await expect(client.init(['webgl', 'cpu'])).rejects.toMatchObject({ code: 'no-backend' });
    client.dispose();
  });
});

async function until<T>(probe: () => T, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
