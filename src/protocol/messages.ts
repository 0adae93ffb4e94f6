/**
 * The one typed message protocol between the page and the training worker.
 * Every message is a member of a discriminated union on `type`; handlers switch exhaustively.
 * Piano rolls and training windows travel as typed arrays, listed as transferables by the sender.
 */
import type { AccompanimentLock } from '../music/locks';
import type { PianoRoll, TrainingWindows } from '../music/pianoRoll';
import type { HyperParams, HyperParamsInput, FieldProblem } from './config';
import type { GenerationOptionsInput } from './generation';
import type { HeldOutMeasures } from '../music/heldOut';
import type { MetricSet } from '../music/metrics';

/** TensorFlow.js backends, in the worker's order of preference. */
export const BACKEND_ORDER = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_ORDER)[number];

/** A backend's measured training speed (iterations per second of a short probe at the model's size). */
export interface BackendRate {
  backend: BackendName;
  /** Null when it could not be timed; `note` says why. */
  iterationsPerSecond: number | null;
  /** Threads, adapter (a fallback adapter is named as such), or why it was not timed. */
  note?: string;
}

/** How the engine was chosen: timed now, from an earlier visit's timings, the user's choice, or the first that works. */
export type EngineChoiceHow = 'measured' | 'cached' | 'override' | 'first-working';

/** What the page asks of the engine choice: the model width to time, and the user's own pick. */
export interface EngineOptions {
  width?: number;
  override?: BackendName;
}

/** The engine the worker runs on, as its 'ready' event reports it. */
export interface EngineReady {
  backend: BackendName;
  fallbackReason?: string;
  how?: EngineChoiceHow;
  /** Measured training rates, fastest first. */
  rates?: BackendRate[];
  /** WebAssembly threads in use (wasm only). */
  threads?: number;
  /** The model width the rates were timed at. */
  width?: number;
  /**
   * True while the engines are still to be timed for training: this engine was started at once so accompaniment
   * need not wait; a later 'ready' brings the timed choice and its rates.
   */
  timing?: boolean;
}

/** Where a model is stored or read from. */
export type ModelSource =
  | { kind: 'indexeddb'; name: string }
  /** model.json text and its weights file, as the user picked them or the page downloaded them. */
  | { kind: 'files'; modelJson: string; weights: ArrayBuffer }
  /** A model served with the app (for example the pretrained default under models/). */
  | { kind: 'url'; url: string };

/** A saved model as files: what the page offers for download. */
export interface ModelFiles {
  modelJson: string;
  weights: ArrayBuffer;
}

/** The objective metrics of a set of rolls, as src/music/metrics/musegan.ts defines them. */
export type { MetricSet } from '../music/metrics';
/** The generator's own measures on held-out windows, before decoding, as src/music/heldOut.ts defines them. */
export type { HeldOutMeasures, HeldOutReference, NetworkMeasures } from '../music/heldOut';

export type TrainingState = 'idle' | 'training' | 'paused' | 'stopped' | 'done';

/** Messages from the page to the worker. */
export type WorkerRequest =
  /**
   * Pick a backend among `backends` (default BACKEND_ORDER): `override` when given and working, else the fastest
   * by measured training rate at model width `width` (default 16), and report it.
   */
  | ({ type: 'init'; backends?: BackendName[] } & EngineOptions)
  /**
   * Train a new model (or continue the checkpoint in IndexedDB when `resume` is true) on `data`: from seeded weights,
   * or with `fromModelInUse` from the weights of the model in use (fine-tuning it; its optimisers start afresh).
   * `snapshotMelodies` are the fixed melodies (1 track, WINDOW_STEPS long) whose accompaniment is kept at snapshot epochs.
   */
  | {
      type: 'start';
      config: HyperParamsInput;
      data: TrainingWindows;
      snapshotMelodies: PianoRoll[];
      resume?: boolean;
      fromModelInUse?: boolean;
    }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  /**
   * Accompany a melody of any length (one track); `seed` picks the variation, `options` how it is generated (defaults
   * for what it leaves out), `lock` the cells of an accompaniment of it to keep (infilling: the rest is written to fit).
   */
  | { type: 'generate'; requestId: number; melody: PianoRoll; seed: number; options?: GenerationOptionsInput; lock?: AccompanimentLock }
  /** Save the current model to IndexedDB under `name`, and/or return it as files. */
  | { type: 'save'; requestId: number; target: 'indexeddb' | 'files'; name?: string }
  | { type: 'load'; requestId: number; source: ModelSource }
  /** Delete the model saved in IndexedDB under `name` (nothing to do if there is none). */
  | { type: 'delete'; requestId: number; name: string };

/** Progress after each training iteration. */
export interface ProgressReport {
  epoch: number;
  epochs: number;
  iteration: number;
  iterationsPerEpoch: number;
  criticLoss: number;
  generatorLoss: number;
  /** The critic's Wasserstein estimate: mean(critic(real)) - mean(critic(fake)). */
  wasserstein: number;
  /** The gradient-penalty term (before weighting). */
  gradientPenalty: number;
  /** Real training windows drawn per second (batch size x update ratio per iteration), at the smoothed speed. */
  samplesPerSecond: number;
  /** Seconds until the last epoch ends, at the smoothed speed. */
  secondsLeft: number;
  /** Threads training in parallel, each on its share of every batch (one replica of the model per core on WebAssembly); 1 otherwise. */
  trainingThreads: number;
}

/** Messages from the worker to the page. */
export type WorkerEvent =
  | ({ type: 'ready' } & EngineReady)
  | { type: 'state'; state: TrainingState }
  | ({ type: 'progress' } & ProgressReport)
  /**
   * The measures at the end of `epoch`: `generated` of the decoded accompaniments of a few data melodies against
   * `reference`, the training data's; `heldOut` of the network itself on windows kept out of training, before any
   * decoding (absent when the data set is too small to hold any out, or the engine cannot measure it).
   */
  | { type: 'metrics'; epoch: number; generated: MetricSet; reference: MetricSet; heldOut?: HeldOutMeasures }
  /** Accompaniments of the snapshot melodies at the end of `epoch` (fixed noise). */
  | { type: 'snapshot'; epoch: number; rolls: PianoRoll[] }
  /**
   * An epoch ended and its checkpoint was written to IndexedDB; `unsaved` when the browser refused to store it (an
   * 'error' event with code 'storage' says why): training goes on in memory, and a reload cannot continue it.
   */
  | { type: 'checkpoint'; epoch: number; iteration: number; unsaved?: true }
  | { type: 'generated'; requestId: number; roll: PianoRoll }
  | { type: 'saved'; requestId: number; files?: ModelFiles }
  | { type: 'loaded'; requestId: number; config: HyperParams }
  | { type: 'deleted'; requestId: number }
  /**
   * Any failure; `requestId` ties it to a request where there is one. `problems` lists bad config fields. Code
   * 'storage' answering a save in the browser means the browser refused to store the model: the worker keeps it in
   * memory under that name until the page closes, and the message says why.
   */
  | { type: 'error'; requestId?: number; code: WorkerErrorCode; message: string; problems?: FieldProblem[] };

export type WorkerErrorCode =
  'bad-config' | 'bad-request' | 'no-backend' | 'device-lost' | 'no-model' | 'bad-model' | 'busy' | 'storage' | 'internal';
