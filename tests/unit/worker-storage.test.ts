/**
 * Storage that is full or blocked: the worker explains why in plain words, keeps training in memory, keeps a model
 * the browser refused in memory (loadable and deletable), and a run starts even where nothing can be stored.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { HyperParamsInput } from '../../src/protocol/config';
import { describeStorageFailure } from '../../src/protocol/storage';
import { IdbTrainerStore, type TrainerStore } from '../../src/worker/store';
import { TrainerHandler } from '../../src/worker/trainer';
import { chooseBackend, CountingEngineFactory, EventLog, melodyRoll, syntheticWindows } from './worker-fixtures';

const tinyConfig: HyperParamsInput = { epochs: 2, batchSize: 2, updateRatio: 1, baseWidth: 4, snapshotEpochs: [] };

/** A store on fake-indexeddb whose writes (or every call) fail as the browser's would. */
function failingStore(error: () => unknown, every = false): TrainerStore {
  const real = new IdbTrainerStore(`worker-storage-${Math.random()}`);
  const fail = async (): Promise<never> => {
    throw error();
  };
  return {
    saveCheckpoint: fail,
    saveModel: fail,
    loadCheckpoint: every ? fail : () => real.loadCheckpoint(),
    clearCheckpoint: every ? fail : () => real.clearCheckpoint(),
    loadModel: every ? fail : (name) => real.loadModel(name),
    deleteModel: every ? fail : (name) => real.deleteModel(name),
  };
}

const quota = () => new DOMException('', 'QuotaExceededError');
const denied = () => new DOMException('The user denied permission to access the database.', 'UnknownError');

function handlerOn(store: TrainerStore, log: EventLog) {
  return new TrainerHandler({
    post: log.post,
    engines: new CountingEngineFactory(0),
    store,
    chooseBackend: (order) => chooseBackend(order, async () => undefined),
    metrics: null,
  });
}

describe('describeStorageFailure', () => {
  it('names a full storage, a blocked one and any other failure in plain words, even when the browser gave no message', () => {
    expect(describeStorageFailure(quota())).toMatchObject({ trouble: 'full', reason: "the browser's storage for this site is full" });
    expect(describeStorageFailure(new DOMException('', 'SecurityError')).trouble).toBe('blocked');
    expect(describeStorageFailure(denied()).trouble).toBe('blocked');
    expect(describeStorageFailure(new ReferenceError('indexedDB is not defined')).trouble).toBe('blocked');
    expect(describeStorageFailure(new DOMException('Version change in progress', 'AbortError')).reason).toBe(
      "the browser's storage refused it (AbortError: Version change in progress)",
    );
    expect(describeStorageFailure(undefined).reason).toMatch(/no reason given/);
  });
});

describe('TrainerHandler with storage that refuses', () => {
  it('says once why a checkpoint was not saved, marks every checkpoint unsaved and trains on to the end', async () => {
    const log = new EventLog();
    const handler = handlerOn(failingStore(quota), log);
    await handler.handle({ type: 'start', config: tinyConfig, data: syntheticWindows(4), snapshotMelodies: [] });
    await handler.whenIdle();
    expect(handler.trainingState).toBe('done');
    expect(log.of('checkpoint').map((c) => [c.epoch, c.unsaved])).toEqual([
      [1, true],
      [2, true],
    ]);
    const errors = log.of('error');
    expect(errors.map((e) => e.code)).toEqual(['storage']);
    expect(errors[0].message).toBe(
      "Epoch 1 could not be saved in this browser: the browser's storage for this site is full. Training goes on in memory, " +
        'but a reload cannot continue it. Use “Save model files” to keep the model, or free space by forgetting models you no longer need.',
    );
  });

  it('keeps a model the browser refused in memory: the save says why, and it loads, accompanies and is forgotten', async () => {
    const log = new EventLog();
    const handler = handlerOn(failingStore(quota), log);
    await handler.handle({ type: 'start', config: { ...tinyConfig, epochs: 1 }, data: syntheticWindows(4), snapshotMelodies: [] });
    await handler.whenIdle();
    const errorsBefore = log.of('error').length;
    await handler.handle({ type: 'save', requestId: 1, target: 'indexeddb', name: 'mine' });
    const refused = log.of('error').slice(errorsBefore);
    expect(refused.map((e) => [e.requestId, e.code])).toEqual([[1, 'storage']]);
    expect(refused[0].message).toMatch(
      /^The model could not be saved in this browser: the browser's storage for this site is full\. It stays usable/,
    );
    await handler.handle({ type: 'load', requestId: 2, source: { kind: 'indexeddb', name: 'mine' } });
    expect(log.of('loaded').map((e) => e.requestId)).toEqual([2]);
    await handler.handle({ type: 'generate', requestId: 3, melody: melodyRoll(), seed: 1 });
    expect(log.of('generated').map((e) => e.requestId)).toEqual([3]);
    await handler.handle({ type: 'save', requestId: 4, target: 'files' });
    expect(log.of('saved').find((e) => e.requestId === 4)?.files?.modelJson).toContain('cantusFake');
    await handler.handle({ type: 'delete', requestId: 5, name: 'mine' });
    await handler.handle({ type: 'load', requestId: 6, source: { kind: 'indexeddb', name: 'mine' } });
    expect(log.of('deleted').map((e) => e.requestId)).toEqual([5]);
    expect(
      log
        .of('error')
        .slice(errorsBefore)
        .map((e) => [e.requestId, e.code]),
    ).toEqual([
      [1, 'storage'],
      [6, 'no-model'],
    ]);
  });

  it('starts and finishes a run where storage is blocked altogether, and says why a saved run cannot be continued', async () => {
    const log = new EventLog();
    const handler = handlerOn(failingStore(denied, true), log);
    await handler.handle({ type: 'start', config: { ...tinyConfig, epochs: 1 }, data: syntheticWindows(4), snapshotMelodies: [] });
    await handler.whenIdle();
    expect(handler.trainingState).toBe('done');
    expect(log.of('error').map((e) => e.message)).toEqual([
      'Epoch 1 could not be saved in this browser: this browser does not let this site keep data (a private window, or site data ' +
        'blocked in its settings). Training goes on in memory, but a reload cannot continue it. Use “Save model files” to keep the model.',
    ]);
    await handler.handle({ type: 'start', config: tinyConfig, data: syntheticWindows(4), snapshotMelodies: [], resume: true });
    expect(log.of('error').at(-1)).toMatchObject({
      code: 'storage',
      message: expect.stringMatching(/^The saved training run could not be read in this browser: this browser does not let/),
    });
  });

  it('an IndexedDB store where the browser has no IndexedDB rejects (it does not throw at once) and can be retried', async () => {
    const saved = globalThis.indexedDB;
    const store = new IdbTrainerStore('worker-storage-missing');
    // @ts-expect-error: a browser without IndexedDB
    delete globalThis.indexedDB;
    try {
      const failed = store.loadCheckpoint();
      await expect(failed).rejects.toThrow(/indexedDB is not defined/);
    } finally {
      globalThis.indexedDB = saved;
    }
    await expect(store.loadCheckpoint()).resolves.toBeUndefined();
    await store.close();
  });
});
