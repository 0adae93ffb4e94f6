/** What survives a reload, as data: the saved page and where it is kept (persistence.ts saves and restores it). */
import type { PianoRoll } from '../../music/pianoRoll';
import type { GenerationOptions } from '../../protocol/generation';
import type { TrackMix } from '../../audio/schedule';
import type { InstrumentName } from '../../audio/instruments';
import type { AppState, DatasetChoice, KeptModel, LoopBars } from '../state';

/** What survives a reload (models themselves stay in the worker's IndexedDB). */
export interface SavedPage {
  melody: PianoRoll | null;
  melodyName: string;
  draft: AppState['draft'];
  dataset: DatasetChoice;
  result: PianoRoll | null;
  resultSeed: number;
  generation: GenerationOptions;
  /** Which generation options the page saved (persistence.ts): absent in pages saved before the decode mode 'auto'. */
  generationVersion?: number;
  /** How the voices were decoded, in pages saved before the generation options (now `generation.decodeMode`). */
  voicing?: string;
  /** Name of the trained model saved in the worker's IndexedDB, if any (pages saved before the model picker). */
  storedModel: string | null;
  /** The models the user keeps (the default included) and the one chosen. */
  models: KeptModel[];
  activeModelId: string | null;
  mix: TrackMix[];
  instruments: InstrumentName[];
  tempoBpm: number | null;
  loop: boolean;
  loopBars: LoopBars | null;
  /** The melody was edited after `result` was written (the page says the voices may no longer fit). */
  melodyEdited?: boolean;
  /** The locked cells of `result`'s accompaniment (AppState.lockedCells), kept for "Re-harmonize the rest". */
  lockedCells?: Uint8Array | null;
}

/** Reads and writes `SavedPage` (src/ui/persist.ts does it with IndexedDB). */
export interface PageMemory {
  load(): Promise<Partial<SavedPage> | undefined>;
  save(page: SavedPage): Promise<void>;
}
