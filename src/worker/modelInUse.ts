/**
 * The model the worker accompanies with and saves: a training run's, or one loaded from the browser's storage, from
 * files or from a web address; and the models saved by name (modelShelf.ts).
 */
import { rollTransferables, type PianoRoll } from '../music/pianoRoll';
import { checkGenerationOptions } from '../protocol/generation';
import type { ModelFiles, ModelSource } from '../protocol/messages';
import type { AccompanimentLock } from '../music/locks';
import { lockSchema, modelFilesSchema, modelNameSchema, pianoRollSchema, saveTargetSchema, seedSchema } from '../protocol/requests';
import type { HandlerContext } from './context';
import type { EngineFactory, WorkerModel } from './engineFactory';
import { BadModelError, BadRequestError, NoModelError } from './errors';
import { fetchModelFiles } from './modelFetch';
import { ModelShelf } from './modelShelf';
import { refuseUnless } from './requestChecks';
import type { TrainerStore } from './store';

/** What the model in use is built from. */
export interface ModelInUseDeps {
  context: HandlerContext;
  engines: EngineFactory;
  store: TrainerStore;
  /** Reads a served model; undefined fetches model.json and its weight files. */
  fetchModel: ((url: string) => Promise<ModelFiles>) | undefined;
}

/** Holds the model that 'generate' and 'save' use, and answers the model requests. */
export class ModelInUse {
  private model: WorkerModel | undefined;
  /** Models saved by name: in the store, or in memory where the browser refuses them. */
  private readonly shelf: ModelShelf;

  constructor(private readonly deps: ModelInUseDeps) {
    this.shelf = new ModelShelf(deps.store);
  }

  /** The model in use; undefined before one is loaded or trained. */
  get current(): WorkerModel | undefined {
    return this.model;
  }

  /** Makes `model` the one in use, freeing the one before. */
  use(model: WorkerModel): void {
    if (this.model && this.model !== model) this.model.dispose();
    this.model = model;
  }

  /** Accompanies `melody` (keeping `lock`'s cells, where given) and posts the result as 'generated'. */
  async generate(requestId: number, melody: PianoRoll, seed: number, input: unknown, lock?: unknown): Promise<void> {
    const model = this.model;
    if (!model) throw new NoModelError('accompany a melody');
    refuseUnless(pianoRollSchema('the melody'), melody);
    refuseUnless(seedSchema, seed);
    if (lock !== undefined) refuseUnless(lockSchema(melody), lock);
    const options = checkGenerationOptions(input);
    if (!options.ok)
      throw new BadRequestError(`Unusable generation options: ${options.problems.map((p) => `${p.field} ${p.message}`).join('; ')}.`);
    const { context } = this.deps;
    const roll = await context.busy(() =>
      context.exclusive(() => model.accompany(melody, seed, options.value, (lock as AccompanimentLock | undefined) ?? null)),
    );
    context.post({ type: 'generated', requestId, roll }, rollTransferables(roll));
  }

  /** Saves the model in the browser under `name`, or hands it back as files. */
  async save(requestId: number, target: 'indexeddb' | 'files', name: string | undefined): Promise<void> {
    const model = this.model;
    if (!model) throw new NoModelError('save');
    refuseUnless(saveTargetSchema, target);
    if (target === 'indexeddb') refuseUnless(modelNameSchema('Give the model a name to save it in the browser.'), name);
    const { context } = this.deps;
    const files = await context.busy(() => context.exclusive(() => model.exportModel()));
    if (target === 'indexeddb') {
      await this.shelf.save((name as string).trim(), files);
      context.post({ type: 'saved', requestId });
    } else {
      context.post({ type: 'saved', requestId, files }, [files.weights]);
    }
  }

  /** Deletes the model saved under `name` (nothing to do when there is none). */
  async delete(requestId: number, name: string): Promise<void> {
    refuseUnless(modelNameSchema('Name the saved model to delete.'), name);
    await this.shelf.delete(name.trim());
    this.deps.context.post({ type: 'deleted', requestId });
  }

  /** Reads the model at `source` and makes it the one in use. */
  async load(source: ModelSource): Promise<WorkerModel> {
    let files: ModelFiles;
    switch (source?.kind) {
      case 'indexeddb':
        files = await this.shelf.load(source.name);
        break;
      case 'files':
        refuseUnless(modelFilesSchema, source, BadModelError);
        files = { modelJson: source.modelJson, weights: source.weights };
        break;
      case 'url':
        files = await (this.deps.fetchModel ?? fetchModelFiles)(source.url);
        break;
      default:
        throw new BadRequestError("A model can be loaded from the browser's storage, from files, or from a web address.");
    }
    const { context, engines } = this.deps;
    const model = await context.busy(() => context.exclusive(() => engines.loadModel(files)));
    this.use(model);
    return model;
  }

  /** Frees the model in use. */
  dispose(): void {
    this.model?.dispose();
    this.model = undefined;
  }
}
