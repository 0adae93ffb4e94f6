/**
 * Where downloaded data sets are kept between visits: Cache Storage where the browser has it,
 * IndexedDB (through idb) where it does not or where it fails (private windows, insecure origins).
 * Stores hold text by key; every store is an object with three async methods so tests can pass their own.
 */
import { openDB, type IDBPDatabase } from 'idb';

/** A small async key -> text store. */
export interface TextStore {
  /** The text stored under `key`, or undefined. */
  get(key: string): Promise<string | undefined>;
  put(key: string, text: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Name of Cantus's cache and database for data sets. */
export const DATASET_STORE_NAME = 'cantus-datasets';

/** A store in Cache Storage (`caches`); keys must be URLs, as Cache Storage keys requests. */
export function cacheStorageStore(cacheStorage: CacheStorage, cacheName: string = DATASET_STORE_NAME): TextStore {
  const open = () => cacheStorage.open(cacheName);
  return {
    async get(key) {
      const response = await (await open()).match(key);
      return response ? response.text() : undefined;
    },
    async put(key, text) {
      await (await open()).put(key, new Response(text, { headers: { 'Content-Type': 'application/json' } }));
    },
    async delete(key) {
      await (await open()).delete(key);
    },
  };
}

const OBJECT_STORE = 'files';

/** A store in IndexedDB, in its own database (uses the global `indexedDB`). */
export function indexedDbStore(databaseName: string = DATASET_STORE_NAME): TextStore {
  let db: Promise<IDBPDatabase> | null = null;
  const open = () => {
    db ??= openDB(databaseName, 1, {
      upgrade(database) {
        database.createObjectStore(OBJECT_STORE);
      },
    });
    return db;
  };
  return {
    async get(key) {
      const value: unknown = await (await open()).get(OBJECT_STORE, key);
      return typeof value === 'string' ? value : undefined;
    },
    async put(key, text) {
      await (await open()).put(OBJECT_STORE, text, key);
    },
    async delete(key) {
      await (await open()).delete(OBJECT_STORE, key);
    },
  };
}

/** A store that lives only as long as the page (for tests, and as the last resort). */
export function memoryStore(): TextStore {
  const map = new Map<string, string>();
  return {
    get: async (key) => map.get(key),
    put: async (key, text) => void map.set(key, text),
    delete: async (key) => void map.delete(key),
  };
}

/**
 * Tries stores in order: `get` returns the first hit among the stores that work, `put` writes to the
 * first store that accepts it. A store that throws is skipped, so a broken Cache Storage falls back.
 */
export function fallbackStore(stores: TextStore[]): TextStore {
  return {
    async get(key) {
      for (const store of stores) {
        try {
          const text = await store.get(key);
          if (text !== undefined) return text;
        } catch {
          // This store is unusable here (for example Cache Storage in a private window): try the next.
        }
      }
      return undefined;
    },
    async put(key, text) {
      let lastError: unknown = new Error('no store available');
      for (const store of stores) {
        try {
          await store.put(key, text);
          return;
        } catch (error) {
          lastError = error;
        }
      }
      throw lastError;
    },
    async delete(key) {
      await Promise.all(stores.map((s) => s.delete(key).catch(() => undefined)));
    },
  };
}

/** The browser's best store: Cache Storage, then IndexedDB, whichever exist here. */
export function defaultDatasetStore(): TextStore {
  const stores: TextStore[] = [];
  if (typeof caches !== 'undefined') stores.push(cacheStorageStore(caches));
  if (typeof indexedDB !== 'undefined') stores.push(indexedDbStore());
  stores.push(memoryStore());
  return fallbackStore(stores);
}
