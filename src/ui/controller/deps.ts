/** What the page controller is built from: the worker client, the player, data, memory and the browser's helpers. */
import type { AccompanimentLock } from '../../music/locks';
import type { PianoRoll, TrainingWindows } from '../../music/pianoRoll';
import type { ParsedMidi } from '../../music/midiIn';
import type { TrackRoles } from '../../music/ownMidi';
import type { RollToMidiOptions } from '../../music/midiOut';
import type { HyperParams, HyperParamsInput } from '../../protocol/config';
import type { BackendName, EngineOptions, EngineReady, ModelFiles, ModelSource, WorkerEvent } from '../../protocol/messages';
import type { GenerationOptionsInput } from '../../protocol/generation';
import type { TrackMix } from '../../audio/schedule';
import type { InstrumentName } from '../../audio/instruments';
import type { PlayerSnapshot, StepRange } from '../../audio/player';
import type { Store } from '../store';
import type { AppState } from '../state';
import type { PageMemory } from './pageMemory';

/** The worker client as the page uses it (the worker helper's TrainerClient satisfies it). */
export interface Trainer {
  on(listener: (event: WorkerEvent) => void): () => void;
  init(backends?: BackendName[], options?: EngineOptions): Promise<EngineReady>;
  start(config: HyperParamsInput, data: TrainingWindows, snapshotMelodies: PianoRoll[], resume?: boolean, fromModelInUse?: boolean): void;
  pause(): void;
  resume(): void;
  stop(): void;
  generate(melody: PianoRoll, seed: number, options?: GenerationOptionsInput, lock?: AccompanimentLock | null): Promise<PianoRoll>;
  save(target: 'indexeddb' | 'files', name?: string): Promise<ModelFiles | undefined>;
  load(source: ModelSource): Promise<HyperParams>;
  deleteSaved(name: string): Promise<void>;
  dispose(): void;
}

/** The player as the page uses it (src/audio/player.ts's Player satisfies it). */
export interface PlayerControl {
  setRoll(roll: PianoRoll | null): void;
  setMix(mix: readonly TrackMix[]): void;
  setInstruments(instruments: readonly InstrumentName[]): void;
  setTempo(bpm: number): void;
  /** Loops the whole piece, or the stretch `range` (grid steps) when given. */
  setLoop(loop: boolean, range?: StepRange | null): void;
  play(): Promise<void>;
  pause(): void;
  stop(): void;
  /** Moves playback to `seconds` from the start. */
  seek(seconds: number): void;
  readonly position: number;
  snapshot(): PlayerSnapshot;
  subscribe(listener: (snapshot: PlayerSnapshot) => void): () => void;
  /** Sounds or releases one note at once (keyboard input); optional. */
  preview?(pitch: number, down: boolean): void;
}

/** What the page knows of the user's own MIDI files when it trains on them, file by file in the order of the files. */
export interface OwnMidiChoice {
  /** The roles the user chose for each file's tracks. */
  roles: TrackRoles[];
  /** The files' names, for messages. */
  names: string[];
  /** The files as `readOwnMidi` read them, so they need not be read again. */
  parsed?: ParsedMidi[];
}

/** Where training data comes from (src/data's JSB loader and the music helper's own-MIDI loader). */
export interface TrainingDataSource {
  /** The JSB chorales as training windows, downloaded once and cached; `note` reports what it is doing. */
  jsb(note: (text: string) => void): Promise<TrainingWindows>;
  /**
   * Reads one of the files the user picked to train on (off the page's thread in the page), so that the page can
   * show its tracks; null for a file that is not MIDI but is read whole when training starts (the JSB chorales'
   * .json file). Rejects with a `MidiInputError` whose message starts with the file's name when it cannot be used.
   */
  readOwnMidi(file: File): Promise<ParsedMidi | null>;
  /** The user's own files as training windows, with the tracks' roles `choice` gives (default: the files' default roles). */
  ownMidi(files: File[], note: (text: string) => void, choice?: OwnMidiChoice): Promise<TrainingWindows>;
}

/** Everything the controller is built from. */
export interface ControllerDeps {
  store: Store<AppState>;
  player: PlayerControl;
  /** Creates the worker client; failures are shown, and the page works without training. */
  createTrainer: () => Trainer;
  data: TrainingDataSource;
  rollToMidi: (roll: PianoRoll, options: RollToMidiOptions) => Uint8Array;
  memory: PageMemory;
  /** Hands a file to the user (a download in the browser). */
  download: (name: string, bytes: Uint8Array | string, mimeType: string) => void;
  /** URL of the pretrained default model's model.json. */
  defaultModelUrl: string;
  /** Downloads the model files served at a URL; null where the server has no model there (worker/modelFetch.ts). */
  fetchModel: (url: string) => Promise<ModelFiles | null>;
  /**
   * Parses a MIDI file the user opened; the page reads it in a worker with a time budget
   * (src/data/midiReader.ts). Default: `parseMidi` on this thread.
   */
  readMidi?: (bytes: Uint8Array) => Promise<ParsedMidi>;
}
