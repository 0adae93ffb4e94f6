/**
 * IndexedDB storage of the worker: the latest training checkpoint (so a page reload can continue training)
 * and models saved by name. Uses `idb`; tests run it on fake-indexeddb.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { TrainingWindows } from '../music/pianoRoll';
import type { HyperParams } from '../protocol/config';
import type { ModelFiles } from '../protocol/messages';

/** What identifies a training data set: its shape and a checksum of its contents. */
export interface DatasetIdentity {
  count: number;
  steps: number;
  tracks: number;
  trackNames: string[];
  /** FNV-1a 32-bit hash of the window values. */
  checksum: number;
}

/** A training run saved at the end of an epoch. */
export interface Checkpoint {
  config: HyperParams;
  /** The engine's exportState() output: weights, optimiser state, batch position. */
  state: unknown;
  /** Epochs finished (1-based count). */
  epoch: number;
  /** Iterations finished since the run began. */
  completedIterations: number;
  dataset: DatasetIdentity;
  savedAt: number;
}

/** A model saved by name. */
export interface StoredModel {
  name: string;
  files: ModelFiles;
  savedAt: number;
}

/** Where the handler keeps checkpoints and named models. */
export interface TrainerStore {
  saveCheckpoint(checkpoint: Checkpoint): Promise<void>;
  loadCheckpoint(): Promise<Checkpoint | undefined>;
  clearCheckpoint(): Promise<void>;
  saveModel(name: string, files: ModelFiles): Promise<void>;
  loadModel(name: string): Promise<StoredModel | undefined>;
  deleteModel(name: string): Promise<void>;
}

interface CantusDb extends DBSchema {
  checkpoints: { key: string; value: Checkpoint };
  models: { key: string; value: StoredModel };
}

/** The database name the app uses; tests pass their own to stay isolated. */
export const DEFAULT_DB_NAME = 'cantus-trainer';
const LATEST = 'latest';

/** A TrainerStore on IndexedDB (the global `indexedDB`, real or fake). */
export class IdbTrainerStore implements TrainerStore {
  private db: Promise<IDBPDatabase<CantusDb>> | undefined;
  constructor(readonly dbName: string = DEFAULT_DB_NAME) {}

  private open(): Promise<IDBPDatabase<CantusDb>> {
    if (!this.db) {
      // Opened inside the promise, so a browser without IndexedDB (or one that throws at once) rejects like any failure.
      const opening = Promise.resolve().then(() =>
        openDB<CantusDb>(this.dbName, 1, {
          upgrade(db) {
            db.createObjectStore('checkpoints');
            db.createObjectStore('models');
          },
        }),
      );
      // A failed open is tried again next time: storage may have been freed or allowed meanwhile.
      opening.catch(() => {
        if (this.db === opening) this.db = undefined;
      });
      this.db = opening;
    }
    return this.db;
  }

  /**
   * Writes one value and waits for its transaction: when the browser refuses (quota), the request only says it was
   * aborted, while the transaction's error names the cause (QuotaExceededError), so that is what is thrown.
   */
  private async write<S extends 'checkpoints' | 'models'>(store: S, value: CantusDb[S]['value'], key: string): Promise<void> {
    const tx = (await this.open()).transaction(store, 'readwrite');
    const put = tx.store.put(value, key);
    put.catch(() => undefined);
    try {
      await tx.done;
    } catch (error) {
      throw tx.error ?? error;
    }
  }

  async saveCheckpoint(checkpoint: Checkpoint): Promise<void> {
    await this.write('checkpoints', checkpoint, LATEST);
  }

  async loadCheckpoint(): Promise<Checkpoint | undefined> {
    return (await this.open()).get('checkpoints', LATEST);
  }

  async clearCheckpoint(): Promise<void> {
    await (await this.open()).delete('checkpoints', LATEST);
  }

  async saveModel(name: string, files: ModelFiles): Promise<void> {
    await this.write('models', { name, files, savedAt: Date.now() }, name);
  }

  async loadModel(name: string): Promise<StoredModel | undefined> {
    return (await this.open()).get('models', name);
  }

  async deleteModel(name: string): Promise<void> {
    await (await this.open()).delete('models', name);
  }

  /** Closes the connection (tests delete databases between runs). */
  async close(): Promise<void> {
    if (this.db) (await this.db).close();
    this.db = undefined;
  }
}

/** The identity of a data set, to refuse continuing a checkpoint on different data. */
export function datasetIdentity(data: TrainingWindows): DatasetIdentity {
  let hash = 0x811c9dc5;
  const bytes = new Uint8Array(data.data.buffer, data.data.byteOffset, data.data.byteLength);
  for (let i = 0; i < bytes.length; i++) {
    hash ^= bytes[i];
    hash = Math.imul(hash, 0x01000193);
  }
  return { count: data.count, steps: data.steps, tracks: data.tracks, trackNames: [...data.trackNames], checksum: hash >>> 0 };
}

/** True when two identities describe the same data. */
export function sameDataset(a: DatasetIdentity, b: DatasetIdentity): boolean {
  return a.count === b.count && a.steps === b.steps && a.tracks === b.tracks && a.checksum === b.checksum;
}
