/** The models the user keeps: choosing and forgetting them, keeping a run trained here, and model files. */
import type { ModelFiles } from '../../protocol/messages';
import type { Store } from '../store';
import type { HyperParams, ModelShape } from '../../protocol/config';
import { DEFAULT_MODEL_ID, isTraining, type AppState, type KeptModel } from '../state';
import { draftFrom } from '../hyperForm';
import type { ComputeEngine } from './computeEngine';
import { isStorageRefusal, messageOf, PageActionError, type Messages } from './messages';
import { DEFAULT_MODEL_ENTRY, emptyHistory, shortDate, trainedModelEntry, weightsFileName } from './modelList';

/** What the models area is built from. */
export interface ModelsDeps {
  store: Store<AppState>;
  messages: Messages;
  /** The worker that holds the model in use, and `ready`: a choice made while it starts waits for it. */
  engine: Pick<ComputeEngine, 'trainer' | 'ready'>;
  /** URL of the pretrained default model's model.json. */
  defaultModelUrl: string;
  /** Downloads the model files served at a URL; null where the server has none there. */
  fetchModel: (url: string) => Promise<ModelFiles | null>;
  /** Hands a file to the user (a download in the browser). */
  download: (name: string, bytes: Uint8Array | string, mimeType: string) => void;
  /** Saves the page at once: a model just kept must be listed after a reload. */
  saveNow: () => void;
}

/** What of a model's settings a run that starts from it must share. */
function shapeOf(config: HyperParams): ModelShape {
  return { baseWidth: config.baseWidth, voiceContext: config.voiceContext };
}

/** The model picker's actions and the model files. */
export class Models {
  /** The pretrained model's files, downloading since the page started (`prefetchDefault`), for its first load. */
  private prefetched: Promise<ModelFiles | null> | undefined;

  constructor(private readonly deps: ModelsDeps) {}

  private get store(): Store<AppState> {
    return this.deps.store;
  }

  /** Loads a kept model (see `models` in the state) into the engine and shows its training history. */
  async chooseModel(id: string): Promise<void> {
    const entry = this.store.get().models.find((m) => m.id === id);
    try {
      if (!entry) throw new PageActionError('That model is no longer kept in this browser.');
      if (isTraining(this.store.get())) throw new PageActionError('A model is being trained: stop training before switching models.');
      await this.deps.engine.ready;
      if (!this.deps.engine.trainer) throw new PageActionError('The accompaniment engine is not running; reload the page to try again.');
      await this.loadEntry(entry);
    } catch (error) {
      this.deps.messages.report('accompany', error);
    }
  }

  /**
   * Forgets a kept model: its entry and its copy in the browser's storage (the default cannot be forgotten),
   * going back to the default if it was in use.
   */
  async forgetModel(id: string): Promise<void> {
    if (id === DEFAULT_MODEL_ID || isTraining(this.store.get())) return;
    const wasActive = this.store.get().activeModelId === id;
    this.store.set((s) => ({ models: s.models.filter((m) => m.id !== id) }));
    if (wasActive) await this.chooseModel(DEFAULT_MODEL_ID);
    try {
      await this.deps.engine.ready;
      const trainer = this.deps.engine.trainer;
      if (!trainer)
        throw new PageActionError(
          'The engine is not running, so the model could not be deleted from this browser’s storage; reload the page to try again.',
        );
      await trainer.deleteSaved(id);
    } catch (error) {
      this.deps.messages.report('accompany', error);
    }
  }

  /**
   * Starts downloading the pretrained model where the page will load it at start (`activeModelId` is the default or
   * none kept), so the download runs while the engine starts instead of after it.
   */
  prefetchDefault(activeModelId: string | null): void {
    const entry = this.store.get().models.find((m) => m.id === activeModelId);
    if (entry && entry.id !== DEFAULT_MODEL_ID) return;
    this.prefetched = this.deps.fetchModel(this.deps.defaultModelUrl);
    // A failure is reported when the model is loaded, not here.
    this.prefetched.catch(() => undefined);
  }

  /** The pretrained model's files: those downloaded since the start (once), else downloaded now; null where it is not served. */
  private defaultFiles(): Promise<ModelFiles | null> {
    const files = this.prefetched ?? this.deps.fetchModel(this.deps.defaultModelUrl);
    this.prefetched = undefined;
    return files;
  }

  private async loadEntry(entry: KeptModel, files?: ModelFiles): Promise<void> {
    const trainer = this.deps.engine.trainer;
    if (!trainer) return;
    let config: HyperParams;
    if (entry.id === DEFAULT_MODEL_ID) {
      const served = files ?? (await this.defaultFiles());
      if (!served) throw new PageActionError('The pretrained model is not on this server.');
      config = await trainer.load({ kind: 'files', modelJson: served.modelJson, weights: served.weights });
    } else config = await trainer.load({ kind: 'indexeddb', name: entry.id });
    const s = this.store.get();
    this.store.set({
      activeModelId: entry.id,
      model: { origin: entry.origin, label: entry.label, shape: shapeOf(config) },
      ...(entry.history ?? emptyHistory()),
      progress: null,
      trainingNote: '',
      training: isTraining(s) ? s.training : 'idle',
    });
  }

  /** Loads a model the user picked as files (model.json and its weights). */
  async loadModelFiles(files: File[]): Promise<void> {
    const errorsBefore = this.store.get().errorCount;
    try {
      const json = files.find((f) => f.name.toLowerCase().endsWith('.json'));
      const weights = files.find((f) => !f.name.toLowerCase().endsWith('.json'));
      if (!json || !weights) throw new PageActionError('Pick both files of a saved model: model.json and its weights (.bin) file.');
      const trainer = this.deps.engine.trainer;
      if (!trainer) throw new PageActionError('The accompaniment engine is not running; reload the page to try again.');
      if (isTraining(this.store.get())) throw new PageActionError('A model is being trained: stop training before loading another model.');
      const config = await trainer.load({ kind: 'files', modelJson: await json.text(), weights: await weights.arrayBuffer() });
      const savedAt = Date.now();
      const entry: KeptModel = {
        id: `cantus-files-${savedAt}`,
        origin: 'files',
        label: `${json.name} (loaded ${shortDate(savedAt)})`,
        detail: `loaded from files; width ${config.baseWidth}`,
        savedAt,
      };
      // Kept in the browser, so the picker offers it after a reload too; the files stay the user's. Where the browser
      // refuses, the worker keeps it for this visit and the entry says so: the user still has the files.
      try {
        await trainer.save('indexeddb', entry.id);
      } catch (error) {
        if (!isStorageRefusal(error)) throw error;
        entry.unsaved = true;
        entry.detail = `${entry.detail}; not saved in this browser, load the files again next time`;
      }
      this.store.set((s) => ({
        models: [...s.models, entry],
        activeModelId: entry.id,
        model: { origin: 'files', label: entry.label, shape: shapeOf(config) },
        draft: draftFrom(config),
        ...emptyHistory(),
      }));
      this.deps.messages.succeeded(errorsBefore);
    } catch (error) {
      this.deps.messages.report('accompany', error);
    }
  }

  /** Downloads the model in the worker as model.json and its weights file. */
  async saveModelFiles(): Promise<void> {
    try {
      const trainer = this.deps.engine.trainer;
      if (!trainer || !this.store.get().model) throw new PageActionError('There is no model to save yet: train one first.');
      const files = await trainer.save('files');
      if (!files) throw new PageActionError('The engine did not hand back the model files.');
      this.deps.download('model.json', files.modelJson, 'application/json');
      this.deps.download(weightsFileName(files.modelJson), new Uint8Array(files.weights), 'application/octet-stream');
    } catch (error) {
      this.deps.messages.report('accompany', error);
    }
  }

  /** A finished or stopped run becomes a new entry of the picker, with its curves and snapshots; nothing is replaced. */
  async keepTrainedModel(): Promise<void> {
    const trainer = this.deps.engine.trainer;
    if (!trainer) return;
    const s = this.store.get();
    // A run that stopped before its first iteration made no model worth keeping.
    if (s.losses.length === 0 && s.snapshots.length === 0) return;
    const entry = trainedModelEntry(s, Date.now());
    try {
      await trainer.save('indexeddb', entry.id);
    } catch (error) {
      // The run's model stays in the worker either way: the entry says it is not saved, and saving as files is offered.
      const refused = isStorageRefusal(error);
      const kept: KeptModel = { ...entry, label: `${entry.label}, not saved in this browser`, unsaved: true };
      this.store.set((now) => ({
        ...(refused ? { models: [...now.models, kept], activeModelId: kept.id } : {}),
        model: { origin: 'trained', label: refused ? kept.label : 'trained here, not saved in this browser', shape: now.model?.shape },
      }));
      const message = refused
        ? messageOf(error)
        : `The trained model could not be saved in this browser: ${messageOf(error)}. Save it as files to keep it.`;
      this.deps.messages.report('training', new Error(message), 'save-model-files');
      return;
    }
    this.store.set((now) => ({
      models: [...now.models, entry],
      activeModelId: entry.id,
      model: { origin: 'trained', label: entry.label, shape: now.model?.shape },
    }));
    this.deps.saveNow();
  }

  /** Loads the model chosen last time (falling back to the default when it is gone); reports failures, never throws. */
  async loadStartModel(activeModelId: string | null): Promise<void> {
    if (!this.deps.engine.trainer) return;
    const entry = this.store.get().models.find((m) => m.id === activeModelId);
    // Set again once the model is in: until then no model is in use.
    this.store.set({ activeModelId: null });
    if (entry && entry.id !== DEFAULT_MODEL_ID) {
      try {
        await this.loadEntry(entry);
        return;
      } catch (error) {
        // The stored model is gone (storage cleared): say so, drop it and fall back to the default.
        this.store.set((s) => ({ models: s.models.filter((m) => m.id !== entry.id) }));
        this.deps.messages.report(
          'accompany',
          new Error(`“${entry.label}” could not be loaded (${messageOf(error)}); using the pretrained default instead.`),
        );
      }
    }
    try {
      // A server without the pretrained model (a development checkout without models/) starts without one, quietly.
      const files = await this.defaultFiles();
      if (!files) return;
      await this.loadEntry(DEFAULT_MODEL_ENTRY, files);
    } catch (error) {
      this.deps.messages.report(
        'accompany',
        new Error(`The pretrained model could not be loaded (${messageOf(error)}); train one or load one from files.`),
      );
    }
  }
}
