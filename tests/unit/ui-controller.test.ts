import { describe, expect, it } from 'vitest';
import { Controller, snapshotWindow, weightsFileName, type ControllerDeps, type PageMemory, type PlayerControl, type Trainer, type SavedPage } from '../../src/ui/controller';
import type { Store } from '../../src/ui/store';
import { parseMidi } from '../../src/music/midiIn';
import { buildMidi } from './music-midi-helpers';
import { createStore } from '../../src/ui/store';
import { initialState, type AppState } from '../../src/ui/state';
import { pitchRange, noteRect, stepAt } from '../../src/ui/rollGeometry';
import { cellIndex, createRoll, WINDOW_STEPS, type PianoRoll } from '../../src/music/pianoRoll';
import { sampleMelodyRoll } from '../../src/music/samples';
import { scheduleRoll, type TrackMix } from '../../src/audio/schedule';
import type { WorkerEvent } from '../../src/protocol/messages';
import type { HyperParamsInput } from '../../src/protocol/config';

describe('snapshotWindow', () => {
  it('takes the first two bars that hold a note, as one 32-step track', () => {
    const melody = createRoll(96, [{ name: 'M', program: 0, isDrum: false }]);
    for (let s = 40; s < 44; s++) melody.active[cellIndex(melody, s, 72, 0)] = 1;
    melody.onsets![cellIndex(melody, 40, 72, 0)] = 1;
    const window = snapshotWindow(melody)!;
    expect(window.steps).toBe(WINDOW_STEPS);
    expect(scheduleRoll(window).map((e) => [e.pitch, e.step, e.steps])).toEqual([[72, 8, 4]]);
  });
  it('is null for a melody without notes', () => {
    expect(snapshotWindow(createRoll(64, [{ name: 'M', program: 0, isDrum: false }]))).toBeNull();
  });
});

describe('weightsFileName', () => {
  it('uses the name model.json refers to, and a safe default otherwise', () => {
    expect(weightsFileName(JSON.stringify({ weightsManifest: [{ paths: ['cantus.weights.bin'] }] }))).toBe('cantus.weights.bin');
    expect(weightsFileName(JSON.stringify({ weightsManifest: [{ paths: ['../evil'] }] }))).toBe('model.weights.bin');
    expect(weightsFileName('not json')).toBe('model.weights.bin');
  });
});

describe('roll geometry', () => {
  it('shows at least two octaves around the notes and places notes by step and pitch', () => {
    const range = pitchRange([{ track: 0, pitch: 60, step: 0, steps: 4, time: 0, duration: 1, velocity: 1 }]);
    expect(range.high - range.low).toBeGreaterThanOrEqual(24);
    expect(range.low).toBeLessThanOrEqual(58);
    const rect = noteRect({ pitch: range.high, step: 3, steps: 2 }, range, 10, 250);
    expect(rect.x).toBe(30);
    expect(rect.y).toBe(0);
    expect(rect.width).toBe(19);
    expect(stepAt(1, 120, 4)).toBe(8);
  });
});

/** A trainer that records what it is asked and answers like the worker. */
class FakeTrainer implements Trainer {
  listeners = new Set<(e: WorkerEvent) => void>();
  started: { config: HyperParamsInput; snapshots: PianoRoll[] }[] = [];
  saved: string[] = [];
  loaded: string[] = [];
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
  start(config: HyperParamsInput, _data: unknown, snapshotMelodies: PianoRoll[]) {
    this.started.push({ config, snapshots: snapshotMelodies });
  }
  pause() {}
  resume() {}
  stop() {}
  async generate(melody: PianoRoll) {
    const roll = createRoll(melody.steps, [melody.tracks[0], { name: 'Alto', program: 0, isDrum: false }]);
    roll.active[cellIndex(roll, 0, 55, 1)] = 1;
    return roll;
  }
  async save(target: 'indexeddb' | 'files', name?: string) {
    this.saved.push(`${target}:${name ?? ''}`);
    return undefined;
  }
  async load(source: { kind: string; name?: string }) {
    this.loaded.push(`${source.kind}:${source.name ?? ''}`);
    if (source.kind === 'url') throw new Error('should not load a missing default');
    return (await import('../../src/protocol/config')).DEFAULT_HYPERPARAMS;
  }
  dispose() {}
}

class FakePlayer implements PlayerControl {
  roll: PianoRoll | null = null;
  mix: readonly TrackMix[] = [];
  setRoll(roll: PianoRoll | null) {
    this.roll = roll;
  }
  setMix(mix: readonly TrackMix[]) {
    this.mix = mix;
  }
  setInstruments() {}
  setTempo() {}
  setLoop() {}
  async play() {}
  pause() {}
  stop() {}
  position = 0;
  snapshot() {
    return { state: 'stopped' as const, duration: 0, tempoBpm: 120, loop: false, scheduledPerTrack: [], loading: false };
  }
  subscribe() {
    return () => undefined;
  }
}

function setup(saved?: Partial<SavedPage>) {
  const store = createStore<AppState>(initialState());
  const trainer = new FakeTrainer();
  const player = new FakePlayer();
  const memory = { page: undefined as SavedPage | undefined, load: async () => saved, save: async (p: SavedPage) => void (memory.page = p) };
  const controller = new Controller(depsFor(store, trainer, player, memory));
  return { store, trainer, player, controller, memory };
}

/** The deps of a controller over an existing test set-up's store, trainer and player. */
function ownDeps(context: ReturnType<typeof setup>): ControllerDeps {
  return depsFor(context.store, context.trainer, context.player, context.memory);
}

function depsFor(store: Store<AppState>, trainer: FakeTrainer, player: FakePlayer, memory: PageMemory): ControllerDeps {
  return {
    store,
    player,
    createTrainer: () => trainer,
    data: { jsb: async () => ({ count: 4, steps: 32, tracks: 4, data: new Int8Array(4 * 32 * 128 * 4).fill(-1), trackNames: ['S', 'A', 'T', 'B'] }), ownMidi: async () => { throw new Error('unused'); } },
    rollToMidi: () => new Uint8Array(),
    memory,
    download: () => undefined,
    defaultModelUrl: '/models/default/model.json',
    // A dev server answers a missing file with the HTML page.
    fetch: async () => new Response('<!doctype html>', { status: 200 }),
  };
}

describe('Controller', () => {
  it('starts with a sample melody, the backend, and no model when none is served', async () => {
    const { store, trainer, controller } = setup();
    await controller.start();
    expect(store.get().melodyName).toContain('Ode to Joy');
    expect(store.get().backend).toBe('webgpu');
    expect(store.get().model).toBeNull();
    expect(trainer.loaded).toEqual([]);
    controller.dispose();
  });

  it('refuses to generate without a model, with a message that says what to do', async () => {
    const { store, controller } = setup();
    await controller.start();
    await controller.generate();
    expect(store.get().error?.message).toMatch(/train one, or load/);
    expect(store.get().result).toBeNull();
  });

  it('refuses to train with invalid settings and trains with valid ones, keeping a snapshot window of the melody', async () => {
    const { store, trainer, controller } = setup();
    await controller.start();
    controller.setField('epochs', '0');
    await controller.train();
    expect(trainer.started).toHaveLength(0);
    expect(store.get().error?.region).toBe('settings');
    controller.setField('epochs', '3');
    await controller.train();
    expect(trainer.started).toHaveLength(1);
    expect(trainer.started[0].config.epochs).toBe(3);
    expect(trainer.started[0].snapshots[0].steps).toBe(WINDOW_STEPS);
  });

  it('follows worker events: progress feeds the loss chart, a finished run is kept in IndexedDB', async () => {
    const { store, trainer, controller } = setup();
    await controller.start();
    const progress = { epoch: 2, epochs: 2, iteration: 1, iterationsPerEpoch: 3, criticLoss: 1.5, generatorLoss: -0.5, wasserstein: 0, gradientPenalty: 0, samplesPerSecond: 4, secondsLeft: 10 };
    trainer.emit({ type: 'progress', ...progress });
    expect(store.get().losses).toEqual([{ iteration: 4, critic: 1.5, generator: -0.5 }]);
    trainer.emit({ type: 'state', state: 'done' });
    await new Promise((r) => setTimeout(r, 0));
    expect(trainer.saved).toEqual(['indexeddb:cantus-last-trained']);
    expect(store.get().model?.origin).toBe('trained');
    await controller.generate();
    expect(store.get().result?.tracks).toHaveLength(2);
    expect(store.get().listening?.roll.tracks).toHaveLength(2);
  });

  it('restores a saved page and loads the model it kept', async () => {
    const melody = sampleMelodyRoll('twinkle');
    const { store, trainer, controller } = setup({ melody, melodyName: 'Twinkle', storedModel: 'cantus-last-trained', draft: { ...initialState().draft, epochs: '7' } });
    await controller.start();
    expect(store.get().melodyName).toBe('Twinkle');
    expect(store.get().draft.epochs).toBe('7');
    expect(trainer.loaded).toEqual(['indexeddb:cantus-last-trained']);
    expect(store.get().model?.origin).toBe('stored');
  });
});

describe('Controller start-up', () => {
  it('serves an Accompany click made while the engine and the default model are still loading', async () => {
    const store = createStore<AppState>(initialState());
    let releaseInit: () => void = () => undefined;
    class SlowTrainer extends FakeTrainer {
      override init() {
        return new Promise<{ backend: 'webgpu' }>((done) => (releaseInit = () => done({ backend: 'webgpu' })));
      }
      override async load(source: { kind: string; name?: string }) {
        this.loaded.push(`${source.kind}:${source.name ?? ''}`);
        return (await import('../../src/protocol/config')).DEFAULT_HYPERPARAMS;
      }
    }
    const trainer = new SlowTrainer();
    const controller = new Controller({
      store,
      player: new FakePlayer(),
      createTrainer: () => trainer,
      data: { jsb: async () => { throw new Error('unused'); }, ownMidi: async () => { throw new Error('unused'); } },
      rollToMidi: () => new Uint8Array(),
      memory: { load: async () => undefined, save: async () => undefined },
      download: () => undefined,
      defaultModelUrl: '/models/default/model.json',
      fetch: async () => new Response('{"format":"cantus-accompaniment-gan"}', { status: 200 }),
    });
    const started = controller.start();
    // Let start() reach the engine's init, then click before init has answered.
    for (let i = 0; i < 5 && trainer.listeners.size === 0; i++) await new Promise((r) => setTimeout(r, 0));
    const clicked = controller.generate();
    expect(store.get().generating).toBe(true);
    releaseInit();
    await Promise.all([started, clicked]);
    expect(trainer.loaded).toEqual(['url:']);
    expect(store.get().error).toBeNull();
    expect(store.get().result?.tracks).toHaveLength(2);
    controller.dispose();
  });
});

describe('Controller messages', () => {
  const file = (name: string, bytes: Uint8Array | string) => new File([typeof bytes === 'string' ? bytes : bytes.slice().buffer as ArrayBuffer], name);
  const oneTrack = () => buildMidi([{ name: 'Tune', notes: [{ pitch: 67, start: 0, steps: 4 }, { pitch: 69, start: 4, steps: 4 }] }]);
  const twoTracks = () => buildMidi([{ name: 'Bass', notes: [{ pitch: 40, start: 0, steps: 8 }] }, { name: 'Lead', notes: [{ pitch: 72, start: 0, steps: 8 }] }]);

  async function withRefusedFile() {
    const context = setup();
    await context.controller.start();
    await context.controller.openMidiFile(file('bad.mid', 'MThd this is not MIDI'));
    expect(context.store.get().error?.region).toBe('melody');
    return context;
  }

  it('clears a refused file\'s message when the next upload works', async () => {
    const { store, controller } = await withRefusedFile();
    await controller.openMidiFile(file('good.mid', oneTrack()));
    expect(store.get().melodyName).toBe('good');
    expect(store.get().error).toBeNull();
  });

  it('clears it when a file with several tracks opens its track choice', async () => {
    const { store, controller } = await withRefusedFile();
    await controller.openMidiFile(file('two.mid', twoTracks()));
    expect(store.get().pendingMidi?.tracks).toHaveLength(2);
    expect(store.get().error).toBeNull();
  });

  it('clears it when a sample or a recording becomes the melody, or an accompaniment is written', async () => {
    let context = await withRefusedFile();
    context.controller.loadSample('twinkle');
    expect(context.store.get().error).toBeNull();

    context = await withRefusedFile();
    context.controller.setMelody(sampleMelodyRoll('greensleeves'), 'Recorded melody');
    expect(context.store.get().error).toBeNull();

    context = await withRefusedFile();
    context.trainer.emit({ type: 'state', state: 'done' });
    await new Promise((r) => setTimeout(r, 0));
    await context.controller.generate();
    expect(context.store.get().result).not.toBeNull();
    expect(context.store.get().error).toBeNull();
  });

  it('keeps the message when the next action fails too, and reads through the given MIDI reader', async () => {
    const { store, controller } = await withRefusedFile();
    const count = store.get().errorCount;
    await controller.openMidiFile(file('empty.mid', new Uint8Array(0)));
    expect(store.get().errorCount).toBe(count + 1);
    expect(store.get().error?.message).toMatch(/empty/);

    const read: number[] = [];
    const own = setup();
    const controller2 = new Controller({ ...ownDeps(own), readMidi: async (bytes) => { read.push(bytes.length); return parseMidi(bytes); } });
    await controller2.openMidiFile(file('good.mid', oneTrack()));
    expect(read).toEqual([oneTrack().length]);
    expect(own.store.get().melodyName).toBe('good');
  });

  it('keeps a message that appeared while the action ran: it is newer than the action', async () => {
    const context = await withRefusedFile();
    const controller = new Controller({
      ...ownDeps(context),
      readMidi: async (bytes) => {
        context.controller.report('player', new Error('Playback could not start: newer'));
        return parseMidi(bytes);
      },
    });
    await controller.openMidiFile(file('good.mid', oneTrack()));
    expect(context.store.get().melodyName).toBe('good');
    expect(context.store.get().error?.message).toMatch(/newer/);
  });
});
