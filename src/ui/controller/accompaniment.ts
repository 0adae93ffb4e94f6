/** The accompaniment: the model in the worker writes voices under the melody, one variation per seed. */
import { checkGenerationOptions, type GenerationOptions } from '../../protocol/generation';
import type { Store } from '../store';
import type { AppState } from '../state';
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

  /** Accompanies the current melody with the model in the worker; `seed` picks the variation. */
  async generate(seed = this.store.get().resultSeed): Promise<void> {
    const { melody, melodyName, model, generation, errorCount: errorsBefore } = this.store.get();
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
      const result = await trainer.generate(melody, seed, generation);
      const seconds = (performance.now() - started) / 1000;
      this.store.set({ result, audition: null });
      this.deps.playback.listenTo(result, `${melodyName} (accompaniment, variation ${seed})`);
      const voices = result.tracks.slice(1).map((_, i) => trackName(result, i + 1));
      const bars = Math.ceil(result.steps / (result.stepsPerBeat * result.beatsPerBar));
      this.store.set({
        announcement: `Accompaniment ready: ${joinWords(voices)} under ${bars} bar${bars === 1 ? '' : 's'} of ${melodyName}, variation ${seed}, written in ${seconds.toFixed(1)} s. Press Play to hear it.`,
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

/** "a, b and c". */
function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}
