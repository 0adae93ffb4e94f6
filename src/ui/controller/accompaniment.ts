/**
 * The accompaniment: the model in the worker writes voices under the melody, one variation per seed; and infilling:
 * notes, voices and bars of it can be locked, and the rest (or a range of bars) written again around them.
 */
import { barSteps, emptyLock, lockBars, lockedNoteCount, lockOutsideBars, lockVoice, type AccompanimentLock } from '../../music/locks';
import { selectTracks } from '../../music/pianoRoll';
import { checkGenerationOptions, type GenerationOptions } from '../../protocol/generation';
import type { Store } from '../store';
import { resultLock, type AppState } from '../state';
import { trackName } from '../exportPlan';
import type { ComputeEngine } from './computeEngine';
import { PageActionError, type Messages } from './messages';
import type { Playback } from './playback';

/** What the accompaniment area is built from. */
export interface AccompanimentDeps {
  store: Store<AppState>;
  messages: Messages;
  /** The worker, and `ready`: a click while it or its model is still loading is served once they are in. */
  engine: Pick<ComputeEngine, 'trainer' | 'ready'>;
  /** Where the accompaniment is heard. */
  playback: Pick<Playback, 'listenTo'>;
  /** Saves the page soon (new generation options are a choice worth keeping). */
  saveSoon: () => void;
}

/** The accompaniment's actions. */
export class Accompaniment {
  constructor(private readonly deps: AccompanimentDeps) {}

  private get store(): Store<AppState> {
    return this.deps.store;
  }

  /** Accompanies the current melody with the model in the worker; `seed` picks the variation. A new accompaniment locks nothing. */
  async generate(seed = this.store.get().resultSeed): Promise<void> {
    await this.write(seed, null, null);
  }

  /**
   * Writes new accompaniment (the next variation) for everything not locked, keeping every locked note as it is and
   * fitting the rest to it.
   */
  async reharmonize(): Promise<void> {
    const s = this.store.get();
    const lock = resultLock(s);
    if (!lock) return this.deps.messages.report('accompany', new PageActionError('Accompany the melody first, then lock what to keep.'));
    await this.write(s.resultSeed + 1, lock, `kept ${notesWords(lockedNoteCount(lock))} locked`);
  }

  /** Writes bars `from`..`to` (1-based, inclusive) again with the next variation, everything outside them kept as it is. */
  async regenerateBars(from: number, to: number): Promise<void> {
    const s = this.store.get();
    const lock = resultLock(s);
    if (!lock) return this.deps.messages.report('accompany', new PageActionError('Accompany the melody first.'));
    try {
      barSteps(lock.roll, from, to);
    } catch (error) {
      return this.deps.messages.report('accompany', new PageActionError(`Pick bars to write again: ${(error as Error).message}.`));
    }
    await this.write(s.resultSeed + 1, lockOutsideBars(lock.roll, from, to, lock), `bars ${from}–${to} written again`, lock.cells);
  }

  /** Locks the whole of accompaniment track `track` (1..). */
  lockVoice(track: number): void {
    this.changeLock((lock) => lockVoice(lock, track));
  }

  /** Locks bars `from`..`to` (1-based, inclusive) of every accompaniment track. */
  lockBars(from: number, to: number): void {
    this.changeLock((lock) => lockBars(lock, from, to));
  }

  /** Unlocks every note of the accompaniment. */
  unlockAll(): void {
    this.changeLock((lock) => emptyLock(lock.roll));
  }

  private changeLock(change: (lock: AccompanimentLock) => AccompanimentLock): void {
    const lock = resultLock(this.store.get());
    if (!lock) return;
    try {
      const next = change(lock);
      const count = lockedNoteCount(next);
      this.store.set({ lockedCells: next.cells, announcement: `${notesWords(count)} locked.` });
    } catch (error) {
      this.deps.messages.report('accompany', new PageActionError((error as Error).message));
    }
  }

  /**
   * Accompanies the melody with `seed`, keeping `lock`'s cells (null: none); `kept` says what was kept, and
   * `lockedAfter` is the lock the new accompaniment keeps (default `lock`'s cells; none without a lock).
   */
  private async write(seed: number, lock: AccompanimentLock | null, kept: string | null, lockedAfter = lock?.cells ?? null): Promise<void> {
    const { melodyName, model, generation, errorCount: errorsBefore } = this.store.get();
    // What is kept is kept under the accompaniment's own melody (its track 0), the one saved beside it or not.
    const melody = lock ? selectTracks(lock.roll, [0]) : this.store.get().melody;
    const { engine, messages } = this.deps;
    try {
      if (!melody) throw new PageActionError('Choose a melody first: open a MIDI file, pick a sample or record one.');
      this.store.set({ generating: true, resultSeed: seed });
      await engine.ready;
      const trainer = engine.trainer;
      if (!trainer) throw new PageActionError('The accompaniment engine is not running; reload the page to try again.');
      if (!this.store.get().model && !model)
        throw new PageActionError('There is no model yet: train one, or load a saved model from files.');
      const started = performance.now();
      const result = await trainer.generate(melody, seed, generation, lock);
      const seconds = (performance.now() - started) / 1000;
      this.store.set({ result, audition: null, lockedCells: lockedAfter });
      this.deps.playback.listenTo(result, `${melodyName} (accompaniment, variation ${seed})`);
      const voices = result.tracks.slice(1).map((_, i) => trackName(result, i + 1));
      const bars = Math.ceil(result.steps / (result.stepsPerBeat * result.beatsPerBar));
      this.store.set({
        announcement: `Accompaniment ready: ${joinWords(voices)} under ${bars} bar${bars === 1 ? '' : 's'} of ${melodyName}, variation ${seed}${kept ? ` (${kept})` : ''}, written in ${seconds.toFixed(1)} s. Press Play to hear it.`,
      });
      messages.succeeded(errorsBefore);
    } catch (error) {
      messages.report('accompany', error);
    } finally {
      this.store.set({ generating: false });
    }
  }

  /** Changes generation options (invalid ones are ignored); an accompaniment already written is written again with them. */
  async setGenerationOptions(change: Partial<GenerationOptions>): Promise<void> {
    const checked = checkGenerationOptions({ ...this.store.get().generation, ...change });
    if (!checked.ok) return;
    this.store.set({ generation: checked.value });
    this.deps.saveSoon();
    if (this.store.get().result) await this.generate();
  }

  /** Generates another variation with the next seed. */
  async nextVariation(): Promise<void> {
    await this.generate(this.store.get().resultSeed + 1);
  }
}

/** "1 note", "3 notes". */
function notesWords(count: number): string {
  return `${count} note${count === 1 ? '' : 's'}`;
}

/** "a, b and c". */
function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}
