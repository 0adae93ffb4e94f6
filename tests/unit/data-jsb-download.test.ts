import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cacheStorageStore, fallbackStore, indexedDbStore, memoryStore, type TextStore } from '../../src/data/datasetStore';
import { DatasetUnavailableError, JSB_DATASET_URL, loadJsbDataset, loadJsbTrainingWindows } from '../../src/data/jsbDownload';
import { MusicInputError } from '../../src/music/errors';
import { JSB_FILE } from './music-fixtures';

const JSB_TEXT = readFileSync(JSB_FILE, 'utf8');

/** A fetch that answers from a script and counts its calls. */
function fakeFetch(answer: () => Response | Promise<Response>) {
  const calls: string[] = [];
  const fetch = (async (input: RequestInfo | URL) => {
    calls.push(String(input));
    return answer();
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

/** An in-memory Cache Storage, as much of it as the store uses. */
function fakeCacheStorage(): CacheStorage {
  const caches = new Map<string, Map<string, string>>();
  const open = async (name: string) => {
    const entries = caches.get(name) ?? new Map<string, string>();
    caches.set(name, entries);
    return {
      match: async (key: string) => (entries.has(key) ? new Response(entries.get(key)) : undefined),
      put: async (key: string, response: Response) => void entries.set(key, await response.text()),
      delete: async (key: string) => entries.delete(key),
    } as unknown as Cache;
  };
  return { open } as unknown as CacheStorage;
}

async function unavailable(promise: Promise<unknown>): Promise<DatasetUnavailableError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatasetUnavailableError);
  expect(error).toBeInstanceOf(MusicInputError);
  return error as DatasetUnavailableError;
}

describe('loadJsbDataset', () => {
  const stores: Array<[string, () => TextStore]> = [
    ['memory', memoryStore],
    ['IndexedDB', () => indexedDbStore(`test-${Math.random()}`)],
    ['Cache Storage', () => cacheStorageStore(fakeCacheStorage())],
  ];
  for (const [name, makeStore] of stores) {
    it(`downloads once, then reads the copy kept in ${name}`, async () => {
      const store = makeStore();
      const net = fakeFetch(() => new Response(JSB_TEXT));
      const statuses: string[] = [];
      const first = await loadJsbDataset({ fetch: net.fetch, store, onStatus: (s) => statuses.push(s) });
      expect(net.calls).toEqual([JSB_DATASET_URL]);
      expect(first.train).toHaveLength(229);
      const second = await loadJsbDataset({ fetch: net.fetch, store, onStatus: (s) => statuses.push(s) });
      expect(net.calls).toHaveLength(1);
      expect(second.valid).toHaveLength(76);
      expect(statuses[0]).toMatch(/Downloading/);
      expect(statuses.at(-1)).toMatch(/saved in this browser/);
    });
  }

  it('turns a failed download into DatasetUnavailableError offering the upload route', async () => {
    const net = fakeFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    const error = await unavailable(loadJsbDataset({ fetch: net.fetch, store: memoryStore() }));
    expect(error.reason).toBe('offline');
    expect(error.code).toBe('dataset-unavailable');
    expect(error.message).toMatch(/could not be downloaded.*internet connection.*Jsb16thSeparated\.json.*upload/);
  });

  it('reports a server error and a download that is not the chorales file', async () => {
    const notFound = await unavailable(
      loadJsbDataset({ fetch: fakeFetch(() => new Response('no', { status: 404, statusText: 'Not Found' })).fetch, store: memoryStore() }),
    );
    expect(notFound.reason).toBe('http');
    expect(notFound.message).toContain('404 Not Found');
    const store = memoryStore();
    const portal = await unavailable(
      loadJsbDataset({ fetch: fakeFetch(() => new Response('<html>Log in to the Wi-Fi</html>')).fetch, store }),
    );
    expect(portal.reason).toBe('bad-file');
    expect(await store.get(JSB_DATASET_URL)).toBeUndefined(); // nothing bad is kept
  });

  it('downloads again when the kept copy is damaged', async () => {
    const store = memoryStore();
    await store.put(JSB_DATASET_URL, JSB_TEXT.slice(0, 1000));
    const net = fakeFetch(() => new Response(JSB_TEXT));
    expect((await loadJsbDataset({ fetch: net.fetch, store })).train).toHaveLength(229);
    expect(net.calls).toHaveLength(1);
    expect(await store.get(JSB_DATASET_URL)).toBe(JSB_TEXT);
  });

  it('falls back to IndexedDB when Cache Storage fails', async () => {
    const broken: TextStore = {
      get: () => Promise.reject(new DOMException('blocked', 'SecurityError')),
      put: () => Promise.reject(new DOMException('blocked', 'SecurityError')),
      delete: () => Promise.reject(new DOMException('blocked', 'SecurityError')),
    };
    const idb = indexedDbStore(`test-fallback-${Math.random()}`);
    const store = fallbackStore([broken, idb]);
    const net = fakeFetch(() => new Response(JSB_TEXT));
    await loadJsbDataset({ fetch: net.fetch, store });
    expect(await idb.get(JSB_DATASET_URL)).toBe(JSB_TEXT);
    await loadJsbDataset({ fetch: net.fetch, store });
    expect(net.calls).toHaveLength(1);
  });

  it('gives training windows from the train split', async () => {
    const windows = await loadJsbTrainingWindows({
      fetch: fakeFetch(() => new Response(JSB_TEXT)).fetch,
      store: memoryStore(),
      firstWindowOnly: true,
    });
    expect(windows.count).toBe(229);
  });
});
