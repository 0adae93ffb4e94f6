/** Keeps the page's work (melody, settings, last result) in IndexedDB so it survives a reload. */
import { openDB, type DBSchema } from 'idb';
import type { PageMemory, SavedPage } from './controller';

interface PageDb extends DBSchema {
  page: { key: string; value: SavedPage };
}

const DB_NAME = 'cantus-page';
const KEY = 'current';

function openPageDb(dbName: string) {
  return openDB<PageDb>(dbName, 1, {
    upgrade(database) {
      database.createObjectStore('page');
    },
  });
}

/** A PageMemory on IndexedDB (typed arrays are stored as they are, by structured clone). */
export function indexedDbMemory(dbName = DB_NAME): PageMemory {
  // Opened on first use, inside a promise: a browser without IndexedDB (or blocking it) rejects load and save, which the
  // page reports, instead of throwing while the page is built. A failed open is tried again at the next save.
  let db: ReturnType<typeof openPageDb> | null = null;
  const open = () => {
    if (!db) {
      const opening = Promise.resolve().then(() => openPageDb(dbName));
      opening.catch(() => {
        if (db === opening) db = null;
      });
      db = opening;
    }
    return db;
  };
  return {
    async load() {
      return (await open()).get('page', KEY);
    },
    async save(page) {
      // Waits for the transaction: its error names the cause (QuotaExceededError) where the request's only says "aborted".
      const tx = (await open()).transaction('page', 'readwrite');
      tx.store.put(page, KEY).catch(() => undefined);
      try {
        await tx.done;
      } catch (error) {
        throw tx.error ?? error;
      }
    },
  };
}
