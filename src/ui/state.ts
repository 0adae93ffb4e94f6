/** The page's state: one plain object in one store, changed only by the controller. */
import { emptyLock, type AccompanimentLock } from '../music/locks';
import type { PianoRoll } from '../music/pianoRoll';
import type { MidiTrackSummary, ParsedMidi } from '../music/midiIn';
import type { BackendName, EngineReady, HeldOutMeasures, MetricSet, ProgressReport, TrainingState } from '../protocol/messages';
import type { ModelShape } from '../protocol/config';
import { DEFAULT_GENERATION_OPTIONS, type GenerationOptions } from '../protocol/generation';
import type { TrackMix } from '../audio/schedule';
import type { InstrumentName } from '../audio/instruments';
import { defaultDraft, type HyperDraft } from './hyperForm';
import { initialEditing, type EditingState } from './editState';

/** The regions of the page; each has its own error boundary and can own an error message. */
export type Region = 'melody' | 'settings' | 'training' | 'accompany' | 'player' | 'page';

/** An error shown to the user. */
export interface ShownError {
  region: Region;
  message: string;
  /** Increases with every error, so the same message twice still counts as new. */
  serial: number;
  /** A way out offered beside the message: saving the model as files where the browser would not keep it. */
  action?: ErrorAction;
}

/** What an error message can offer to do. */
export type ErrorAction = 'save-model-files';

/** A MIDI file waiting for the user to pick its melody track. */
export interface PendingMidi {
  fileName: string;
  parsed: ParsedMidi;
  tracks: MidiTrackSummary[];
  suggested: number;
}

/** One point of the loss chart. */
export interface LossPoint {
  /** Iterations since the run began. */
  iteration: number;
  critic: number;
  generator: number;
}

/** Where the model in use came from. */
export type ModelOrigin = 'default' | 'trained' | 'files' | 'stored';

/** The model the worker holds now. */
export interface ModelInfo {
  origin: ModelOrigin;
  label: string;
  /** The settings that shape its weights, where the page has read them (a run may start from a model only of its shape). */
  shape?: ModelShape;
}

/** The measures at one epoch's end: of the decoded accompaniment, and of the network on held-out windows where there are some. */
export interface EpochMeasures {
  epoch: number;
  generated: MetricSet;
  reference: MetricSet;
  heldOut?: HeldOutMeasures;
}

/** What a training run left behind: its curves and the snapshots it took. */
export interface TrainingHistory {
  losses: LossPoint[];
  metrics: EpochMeasures[];
  snapshots: { epoch: number; rolls: PianoRoll[] }[];
}

/** A model the user keeps: the pretrained default, one trained here, or one loaded from files. */
export interface KeptModel {
  /** 'default' for the pretrained model, else its name in the worker's IndexedDB. */
  id: string;
  origin: Exclude<ModelOrigin, 'stored'>;
  /** Short name shown in the picker. */
  label: string;
  /** What it is: epochs, settings, data, date. */
  detail: string;
  savedAt: number;
  /** The run that made it (models trained here only). */
  history?: TrainingHistory;
  /** The browser refused to store it: it lives in the worker's memory until the page closes (save it as files to keep it). */
  unsaved?: true;
}

/** The id of the pretrained default model in the picker. */
export const DEFAULT_MODEL_ID = 'default';

/** A training snapshot being listened to in the training panel, with the accompaniment kept aside. */
export interface Audition {
  epoch: number;
  roll: PianoRoll;
}

/** A looped stretch in bars, 1-based and inclusive. */
export interface LoopBars {
  from: number;
  to: number;
}

/** Training data choice. */
export type DatasetChoice = 'jsb' | 'own';
/** Where a new training run's weights come from: seeded anew, or the model in use's (training on from it, fine-tuning). */
export type TrainStart = 'new' | 'model';

/** The part a track of one of the user's training files plays (the roles table's choices). */
export type TrackRole = 'melody' | 'accompaniment' | 'drums' | 'unused';

/** A file the user picked to train on: its tracks and the part each plays, or why it cannot be used. */
export interface OwnTrainingFile {
  file: File;
  /** The file as read; null while it is being read, when it could not be read, and for a file that is not MIDI (see `TrainingDataSource.readOwnMidi`). */
  parsed: ParsedMidi | null;
  /** The part each track of `parsed` plays, by index into its tracks ('unused' for tracks without notes). */
  roles: TrackRole[];
  /** Why the file cannot be read or used, its name first; it is then left out of training. */
  error: string | null;
  /** What is wrong with the chosen roles, in words for the user; training waits until it is put right. */
  problem: string | null;
}

/** Everything the page shows. */
export interface AppState {
  melody: PianoRoll | null;
  melodyName: string;
  /** What was changed when the melody was read (for example chords reduced to their top line). */
  melodyWarnings: string[];
  pendingMidi: PendingMidi | null;
  draft: HyperDraft;
  dataset: DatasetChoice;
  /** Where the next new run's weights come from (not kept over a reload: each visit starts from new weights). */
  trainFrom: TrainStart;
  /** The user's own training files as picked, each with the roles of its tracks. */
  ownFiles: OwnTrainingFile[];
  /** Whether the picked files are still being read. */
  ownFilesReading: boolean;
  /** What training is doing, as the worker reports it. */
  training: TrainingState;
  /** "Downloading the chorales…" and such, while preparing data. */
  trainingNote: string;
  progress: ProgressReport | null;
  losses: LossPoint[];
  metrics: EpochMeasures[];
  snapshots: { epoch: number; rolls: PianoRoll[] }[];
  backend: BackendName | null;
  backendNote: string;
  /** How the engine was chosen, its measured rates and threads (the worker's last 'ready'). */
  engine: EngineReady | null;
  /** The user's own engine choice; null lets measurement decide. */
  engineOverride: BackendName | null;
  model: ModelInfo | null;
  /** Every model the user keeps, the pretrained default first. */
  models: KeptModel[];
  /** The picker's choice (a KeptModel id), or null while none is loaded. */
  activeModelId: string | null;
  /** A snapshot being played in the training panel; the accompaniment waits in `listening`. */
  audition: Audition | null;
  /** Said to screen readers (and shown) when something finishes, such as an accompaniment. */
  announcement: string;
  /** The melody with its accompaniment, from the last generate. */
  result: PianoRoll | null;
  resultSeed: number;
  /**
   * The locked cells of `result`'s accompaniment (src/music/locks.ts: kept by "Re-harmonize the rest" and "New variation
   * for bars"); null, or cells of another shape, lock nothing. Notes of the accompaniment the user edits are locked.
   */
  lockedCells: Uint8Array | null;
  /** How accompaniments are generated (the options of the accompany panel; see src/protocol/generation.ts). */
  generation: GenerationOptions;
  generating: boolean;
  /** What the player plays and the piano roll shows: the result, a snapshot, or the melody alone. */
  listening: { roll: PianoRoll; label: string } | null;
  mix: TrackMix[];
  instruments: InstrumentName[];
  tempoBpm: number | null;
  loop: boolean;
  /** The looped bars; null loops the whole piece. */
  loopBars: LoopBars | null;
  error: ShownError | null;
  /** Count of errors so far (a test hook, shown as a data attribute). */
  errorCount: number;
  /** The note editor: on or off, its track, grid, cursor and undo history (src/ui/controller/editing.ts). */
  editing: EditingState;
}

/** The lock on the accompaniment shown as the result (nothing locked where none is set); null without an accompaniment. */
export function resultLock(state: Pick<AppState, 'result' | 'lockedCells'>): AccompanimentLock | null {
  const { result, lockedCells } = state;
  if (!result || result.tracks.length < 2) return null;
  const lock = emptyLock(result);
  return lockedCells && lockedCells.length === lock.cells.length ? { roll: result, cells: lockedCells } : lock;
}

/** Whether a run is going on (paused counts): models and the engine must not change under it. */
export function isTraining(state: Pick<AppState, 'training'>): boolean {
  return state.training === 'training' || state.training === 'paused';
}

/** The state of a fresh page. */
export function initialState(): AppState {
  return {
    melody: null,
    melodyName: '',
    melodyWarnings: [],
    pendingMidi: null,
    draft: defaultDraft(),
    dataset: 'jsb',
    trainFrom: 'new',
    ownFiles: [],
    ownFilesReading: false,
    training: 'idle',
    trainingNote: '',
    progress: null,
    losses: [],
    metrics: [],
    snapshots: [],
    backend: null,
    backendNote: '',
    engine: null,
    engineOverride: null,
    model: null,
    models: [],
    activeModelId: null,
    audition: null,
    announcement: '',
    result: null,
    resultSeed: 1,
    lockedCells: null,
    generation: DEFAULT_GENERATION_OPTIONS,
    generating: false,
    listening: null,
    mix: [],
    instruments: [],
    tempoBpm: null,
    loop: false,
    loopBars: null,
    error: null,
    errorCount: 0,
    editing: initialEditing(),
  };
}
