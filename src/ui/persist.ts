/** Keeps the page's work (melody, settings, last result) in IndexedDB so it survives a reload. */
import { openDB, type DBSchema } from 'idb';
import type { PageMemory, SavedPage } from './controller';

interface PageDb extends DBSchema {
  page: { key: string; value: SavedPage };
}

const DB_NAME = 'cantus-page';
const KEY = 'current';

/** A PageMemory on IndexedDB (typed arrays are stored as they are, by structured clone). */
export function indexedDbMemory(dbName = DB_NAME): PageMemory {
  const db = openDB<PageDb>(dbName, 1, {
    upgrade(database) {
      database.createObjectStore('page');
    },
  });
  return {
    async load() {
      return (await db).get('page', KEY);
    },
    async save(page) {
      await (await db).put('page', page, KEY);
    },
  };
}
