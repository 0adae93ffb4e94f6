/** Shared fixtures of the page controller tests: a fake worker client and player, and a controller over them. */
import { expect, onTestFinished } from 'vitest';
import {
  Controller,
  type ControllerDeps,
  type PageMemory,
  type PlayerControl,
  type SavedPage,
  type Trainer,
} from '../../src/ui/controller';
import { createStore, type Store } from '../../src/ui/store';
import { initialState, type AppState } from '../../src/ui/state';
import { cellIndex, createRoll, type PianoRoll } from '../../src/music/pianoRoll';
import type { TrackMix } from '../../src/audio/schedule';
import type { KeyPress } from '../../src/ui/editInput';
import type { HeldOutMeasures, MetricSet, ModelFiles, WorkerEvent } from '../../src/protocol/messages';
import { DEFAULT_HYPERPARAMS, type HyperParamsInput } from '../../src/protocol/config';
import { readMidiFiles } from '../../src/data/ownMidiFiles';
import { buildMidi } from './music-midi-helpers';

/** A server with the pretrained model: `fetchModel` for `setup`'s overrides, counting the downloads. */
export function serveDefault() {
  const served = { downloads: 0 };
  const fetchModel = async (url: string) => {
    expect(url).toBe('/models/default/model.json');
    served.downloads++;
    return { modelJson: '{"format":"cantus-accompaniment-gan"}', weights: new ArrayBuffer(8) };
  };
  return { served, fetchModel };
}

/** A trainer that records what it is asked and answers like the worker. */
export class FakeTrainer implements Trainer {
  listeners = new Set<(e: WorkerEvent) => void>();
  started: { config: HyperParamsInput; snapshots: PianoRoll[]; resume: boolean; fromModelInUse: boolean }[] = [];
  saved: string[] = [];
  loaded: string[] = [];
  deleted: string[] = [];
  on(listener: (e: WorkerEvent) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(event: WorkerEvent) {
    for (const l of this.listeners) l(event);
  }
  async init() {
    return { backend: 'webgpu' as const };
  }
  start(config: HyperParamsInput, _data: unknown, snapshotMelodies: PianoRoll[], resume = false, fromModelInUse = false) {
    this.started.push({ config, snapshots: snapshotMelodies, resume, fromModelInUse });
  }
  pause() {}
  resume() {}
  stop() {}
  async generate(melody: PianoRoll) {
    const roll = createRoll(melody.steps, [melody.tracks[0], { name: 'Alto', program: 0, isDrum: false }]);
    roll.active[cellIndex(roll, 0, 55, 1)] = 1;
    return roll;
  }
  async save(target: 'indexeddb' | 'files', name?: string): Promise<ModelFiles | undefined> {
    this.saved.push(`${target}:${name ?? ''}`);
    return undefined;
  }
  async load(source: { kind: string; name?: string }) {
    this.loaded.push(`${source.kind}:${source.name ?? ''}`);
    return DEFAULT_HYPERPARAMS;
  }
  async deleteSaved(name: string) {
    this.deleted.push(name);
  }
  dispose() {}
}

/** A player that records the rolls, mixes, tempos and loops it is handed. */
export class FakePlayer implements PlayerControl {
  roll: PianoRoll | null = null;
  mix: readonly TrackMix[] = [];
  loops: (string | null)[] = [];
  tempos: number[] = [];
  setRoll(roll: PianoRoll | null) {
    this.roll = roll;
  }
  setMix(mix: readonly TrackMix[]) {
    this.mix = mix;
  }
  setInstruments() {}
  setTempo(bpm: number) {
    this.tempos.push(bpm);
  }
  setLoop(loop: boolean, range?: { start: number; end: number } | null) {
    this.loops.push(loop ? (range ? `${range.start}-${range.end}` : 'all') : null);
  }
  seek() {}
  async play() {}
  pause() {}
  stop() {}
  position = 0;
  snapshot() {
    return {
      state: 'stopped' as const,
      duration: 0,
      tempoBpm: 120,
      loop: false,
      scheduledPerTrack: [],
      loading: false,
      position: 0,
      loopRange: null,
    };
  }
  subscribe() {
    return () => undefined;
  }
}

/** A page memory in a variable: `load` answers `saved`, `save` keeps the page in `page`. */
export interface FakeMemory extends PageMemory {
  page: SavedPage | undefined;
}

function fakeMemory(saved?: Partial<SavedPage>): FakeMemory {
  const memory: FakeMemory = { page: undefined, load: async () => saved, save: async (p: SavedPage) => void (memory.page = p) };
  return memory;
}

/** A test's store, fakes and memory, from which a controller is built. */
export interface ControllerParts {
  store: Store<AppState>;
  trainer: FakeTrainer;
  player: FakePlayer;
  memory: FakeMemory;
}

/**
 * The deps of a controller over `parts`: four chorale windows of silence as JSB data, and a default model URL
 * answered, as a dev server answers a missing file, with the HTML page. `overrides` replace any of them.
 */
export function depsFor(parts: ControllerParts, overrides: Partial<ControllerDeps> = {}): ControllerDeps {
  return {
    store: parts.store,
    player: parts.player,
    createTrainer: () => parts.trainer,
    data: {
      jsb: async () => ({
        count: 4,
        steps: 32,
        tracks: 4,
        data: new Int8Array(4 * 32 * 128 * 4).fill(-1),
        trackNames: ['S', 'A', 'T', 'B'],
      }),
      // The user's own files are read on this thread, with the page's messages (their names first).
      readOwnMidi: async (picked) => (await readMidiFiles([picked]))[0],
      ownMidi: async () => {
        throw new Error('unused');
      },
    },
    rollToMidi: () => new Uint8Array(),
    memory: parts.memory,
    download: () => undefined,
    defaultModelUrl: '/models/default/model.json',
    // No pretrained model on this server, unless a test serves one (`serveDefault`).
    fetchModel: async () => null,
    ...overrides,
  };
}

/** A controller built for this test and disposed when it finishes, with its store, fakes and memory (`saved`: the page to restore). */
export function setup(saved?: Partial<SavedPage>, overrides: Partial<ControllerDeps> = {}) {
  const parts: ControllerParts = {
    store: createStore<AppState>(initialState()),
    trainer: new FakeTrainer(),
    player: new FakePlayer(),
    memory: fakeMemory(saved),
  };
  const controller = ownController(parts, overrides);
  return { ...parts, controller };
}

/** Another controller over the same parts (for example with another MIDI reader), disposed when the test finishes. */
export function ownController(parts: ControllerParts, overrides: Partial<ControllerDeps> = {}): Controller {
  const controller = new Controller(depsFor(parts, overrides));
  onTestFinished(() => controller.dispose());
  return controller;
}

/** Progress of the one iteration of a one-epoch run. */
export const ONE_ITERATION = {
  epoch: 1,
  epochs: 1,
  iteration: 1,
  iterationsPerEpoch: 1,
  criticLoss: 1,
  generatorLoss: 0,
  wasserstein: 0,
  gradientPenalty: 0,
  samplesPerSecond: 4,
  secondsLeft: 0,
  trainingThreads: 1,
};

/** Lets the controller's pending promises and zero-delay timers run. */
export const tick = () => new Promise((r) => setTimeout(r, 2));

/** A File of `bytes`, as the page's file picker hands it. */
export const file = (name: string, bytes: Uint8Array | string) =>
  new File([typeof bytes === 'string' ? bytes : (bytes.slice().buffer as ArrayBuffer)], name);

/** A MIDI file with one melodic track of two notes. */
export const oneTrackMidi = () =>
  buildMidi([
    {
      name: 'Tune',
      notes: [
        { pitch: 67, start: 0, steps: 4 },
        { pitch: 69, start: 4, steps: 4 },
      ],
    },
  ]);

/** A MIDI file with two melodic tracks, so the page asks which is the melody. */
export const twoTrackMidi = () =>
  buildMidi([
    { name: 'Bass', notes: [{ pitch: 40, start: 0, steps: 8 }] },
    { name: 'Lead', notes: [{ pitch: 72, start: 0, steps: 8 }] },
  ]);

/** One epoch's decoded measures (the same for the accompaniment and the data) and the network's held-out measures. */
export const METRIC_SET: MetricSet = {
  emptyBarRate: 0,
  usedPitchClasses: 3,
  qualifiedNoteRate: 0.9,
  polyphonicRate: 0,
  inScaleRate: 0.9,
  tonalDistance: 1,
  voiceRestRate: 0,
  chordRate: 0.8,
};
export const HELD_OUT: HeldOutMeasures = {
  windows: 16,
  network: { voiceCrossEntropy: 3.2, inKeyRate: 0.6, restRate: 0.3, polyphonicRate: 0.2 },
  reference: { inKeyRate: 0.9, restRate: 0.05, polyphonicRate: 0 },
};

/** A key press for the note editor: `key` with the modifiers given, the others up. */
export const press = (key: string, mods: Partial<Omit<KeyPress, 'key'>> = {}): KeyPress => ({
  key,
  shiftKey: false,
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  ...mods,
});
