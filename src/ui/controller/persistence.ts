/** Keeping the page over a reload: it is saved shortly after every change and restored at start. */
import { keptGenerationOptions } from '../../protocol/generation';
import type { Store } from '../store';
import { DEFAULT_MODEL_ID, type AppState } from '../state';
import type { Melody } from './melody';
import { storageMessage, type Messages } from './messages';
import { describeStorageFailure } from '../../protocol/storage';
import { DEFAULT_MODEL_ENTRY, restoredModels } from './modelList';
import type { PageMemory, SavedPage } from './pageMemory';
import type { Playback } from './playback';

/** What persistence is built from. */
export interface PersistenceDeps {
  store: Store<AppState>;
  memory: PageMemory;
  messages: Messages;
  /** A page with nothing saved starts with the first sample tune. */
  melody: Pick<Melody, 'showSample'>;
  /** A restored melody or accompaniment is put back in the player. */
  playback: Pick<Playback, 'listenTo' | 'loadIntoPlayer'>;
}

/**
 * The generation options a page saves now: version 2 has the decode mode 'auto', version 3 the candidates 'auto',
 * each the default since.
 */
const GENERATION_VERSION = 3;

/**
 * A saved page's generation options. Pages saved before the generation options kept the decode mode as `voicing`;
 * pages saved before 'auto' (version 1) kept the then default 'chorale', which now reads as 'auto' (for a model of
 * the chorales the same decoding; for a model of the user's own files, theirs); pages saved before candidates 'auto'
 * (version 2) kept the then default 1, which now reads as 'auto' (what the model's style critic was fitted for).
 */
function savedGeneration(saved: Partial<SavedPage>): unknown {
  const generation = saved.generation ?? { decodeMode: saved.voicing };
  const version = saved.generationVersion ?? 1;
  const decodeMode = version < 2 && generation.decodeMode === 'chorale' ? 'auto' : generation.decodeMode;
  const old = generation as { candidates?: unknown };
  const candidates = version < 3 && (old.candidates === 1 || old.candidates === undefined) ? 'auto' : old.candidates;
  return { ...generation, decodeMode, ...(candidates === undefined ? {} : { candidates }) };
}

/** Restores the saved page and saves it again after changes. */
export class Persistence {
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private unsubscribe: (() => void) | null = null;
  /** Why the last save failed, so the same refusal is said once, not after every change; cleared by a save that works. */
  private saveRefused: string | null = null;

  constructor(private readonly deps: PersistenceDeps) {}

  private get store(): Store<AppState> {
    return this.deps.store;
  }

  /** The page saved last time; undefined when there is none or it could not be read (that is reported). */
  async load(): Promise<Partial<SavedPage> | undefined> {
    try {
      return await this.deps.memory.load();
    } catch (error) {
      // Saving will meet the same refusal: it is said once, here.
      this.saveRefused = describeStorageFailure(error).reason;
      this.deps.messages.report(
        'page',
        new Error(storageMessage('Your last session could not be read', error, 'The page starts fresh, and works as usual.')),
      );
      return undefined;
    }
  }

  /** Puts a saved page back in the store and the player; without one, the page starts with the default model and a sample. */
  restore(saved: Partial<SavedPage> | undefined): void {
    if (!saved) {
      this.store.set({ models: [DEFAULT_MODEL_ENTRY], activeModelId: DEFAULT_MODEL_ID });
      this.deps.melody.showSample();
      return;
    }
    const s = this.store.get();
    this.store.set({
      melody: saved.melody ?? null,
      melodyName: saved.melodyName ?? '',
      draft: saved.draft ? { ...s.draft, ...saved.draft } : s.draft,
      dataset: saved.dataset ?? 'jsb',
      result: saved.result ?? null,
      resultSeed: saved.resultSeed ?? 1,
      generation: keptGenerationOptions(savedGeneration(saved)),
      loop: saved.loop ?? false,
      loopBars: saved.loopBars ?? null,
      tempoBpm: saved.tempoBpm ?? null,
      ...restoredModels(saved),
      editing: { ...s.editing, melodyEditedResult: saved.melodyEdited && saved.result ? saved.result : null },
      // Locks of another shape than the result's lock nothing (resultLock), so a damaged entry cannot lock the wrong cells.
      lockedCells: saved.result && saved.lockedCells instanceof Uint8Array ? saved.lockedCells : null,
    });
    const roll = saved.result ?? saved.melody;
    if (roll) {
      this.deps.playback.listenTo(
        roll,
        saved.result ? `${saved.melodyName ?? ''} (accompaniment, variation ${saved.resultSeed ?? 1})` : (saved.melodyName ?? 'Melody'),
      );
      if (saved.mix?.length === roll.tracks.length) this.store.set({ mix: saved.mix });
      if (saved.instruments?.length === roll.tracks.length) this.store.set({ instruments: saved.instruments });
      this.deps.playback.loadIntoPlayer(roll);
    } else {
      this.deps.melody.showSample();
    }
  }

  /** Saves the page shortly after every change of the store, until `dispose`. */
  watch(): void {
    this.unsubscribe?.();
    this.unsubscribe = this.store.subscribe(() => this.scheduleSave());
  }

  /** Stops saving: no more changes are watched and a save not yet written is dropped. */
  dispose(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    clearTimeout(this.saveTimer);
  }

  /** Saves the page `delayMs` from now; a change before then moves the save later, so a burst of changes saves once. */
  scheduleSave(delayMs = 400): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      const s = this.store.get();
      const page: SavedPage = {
        melody: s.melody,
        melodyName: s.melodyName,
        draft: s.draft,
        dataset: s.dataset,
        result: s.result,
        resultSeed: s.resultSeed,
        generation: s.generation,
        generationVersion: GENERATION_VERSION,
        storedModel: null,
        // A model the browser refused to store is gone after a reload: its entry is not kept either.
        models: s.models.filter((m) => m.id !== DEFAULT_MODEL_ID && !m.unsaved),
        activeModelId: s.activeModelId,
        mix: s.mix,
        instruments: s.instruments,
        tempoBpm: s.tempoBpm,
        loop: s.loop,
        loopBars: s.loopBars,
        melodyEdited: s.result !== null && s.result === s.editing.melodyEditedResult,
        lockedCells: s.result ? s.lockedCells : null,
      };
      this.deps.memory.save(page).then(
        () => {
          this.saveRefused = null;
        },
        (error: unknown) => {
          const reason = describeStorageFailure(error).reason;
          if (reason === this.saveRefused) return;
          this.saveRefused = reason;
          const message = storageMessage(
            'Your work could not be saved',
            error,
            'Everything stays on this page until you close it; your melody and accompaniment can be exported as MIDI.',
          );
          const trained = this.store.get().model?.origin === 'trained';
          this.deps.messages.report('page', new Error(message), trained ? 'save-model-files' : undefined);
        },
      );
    }, delayMs);
  }
}
