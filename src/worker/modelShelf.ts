/**
 * The models saved by name: in the browser's storage where it accepts them, else in the worker's memory until the
 * page closes, so a model the browser refused (storage full or blocked) stays usable and can still be saved as files.
 */
import type { ModelFiles } from '../protocol/messages';
import { StorageError, TrainerError } from './errors';
import type { TrainerStore } from './store';

/** Named models, stored where the browser allows and kept in memory where it does not. */
export class ModelShelf {
  private readonly inMemory = new Map<string, ModelFiles>();

  constructor(private readonly store: TrainerStore) {}

  /**
   * Saves `files` under `name`. When the browser refuses, the model is kept in memory and a StorageError says why
   * (the page then knows the model lives only as long as the page).
   */
  async save(name: string, files: ModelFiles): Promise<void> {
    try {
      await this.store.saveModel(name, files);
      this.inMemory.delete(name);
    } catch (error) {
      this.inMemory.set(name, files);
      throw new StorageError('The model could not be saved', error, 'It stays usable on this page until you close it.');
    }
  }

  /** The files saved under `name`; throws a 'no-model' error when there are none, naming a storage failure if one hid them. */
  async load(name: string): Promise<ModelFiles> {
    const kept = this.inMemory.get(name);
    if (kept) return kept;
    let stored;
    try {
      stored = await this.store.loadModel(name);
    } catch (error) {
      throw new StorageError(`The model "${name}" could not be read`, error, 'Load it from its files instead.', false);
    }
    if (!stored) throw new TrainerError('no-model', `There is no model called "${name}" saved in this browser.`);
    return stored.files;
  }

  /** Forgets the model `name`; one that was only in memory needs no storage, so blocked storage does not fail it. */
  async delete(name: string): Promise<void> {
    const wasInMemory = this.inMemory.delete(name);
    try {
      await this.store.deleteModel(name);
    } catch (error) {
      if (!wasInMemory)
        throw new StorageError(`The model "${name}" could not be deleted`, error, 'Its copy may stay in the browser.', false);
    }
  }
}
