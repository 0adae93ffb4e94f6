import { describe, expect, it } from 'vitest';
import { Controller, thinLosses, snapshotWindow, weightsFileName, type ControllerDeps, type PageMemory, type PlayerControl, type Trainer, type SavedPage } from '../../src/ui/controller';
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
  setTempo(bpm: number) {
    this.tempos.push(bpm);
  }
  loops: (string | null)[] = [];
  tempos: number[] = [];
  setLoop(loop: boolean, range?: { start: number; end: number } | null) {
    this.loops.push(loop ? (range ? `${range.start}-${range.end}` : 'all') : null);
  }
  seek() {}
  async play() {}
  pause() {}
  stop() {}
  position = 0;
  snapshot() {
    return { state: 'stopped' as const, duration: 0, tempoBpm: 120, loop: false, scheduledPerTrack: [], loading: false, position: 0, loopRange: null };
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
    expect(trainer.saved).toHaveLength(1);
    expect(trainer.saved[0]).toMatch(/^indexeddb:cantus-trained-\d+$/);
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
    expect(store.get().model?.origin).toBe('trained');
    // The pretrained default stays in the picker next to the model kept from before the picker existed.
    expect(store.get().models.map((m) => m.id)).toEqual(['default', 'cantus-last-trained']);
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
    // A model in use (how it came does not matter here): the accompaniment can be written.
    context.store.set({ model: { origin: 'default', label: 'pretrained default' } });
    await context.controller.generate();
    expect(context.store.get().error?.message ?? null).toBeNull();
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

describe('Controller: kept models, export as heard, transport', () => {
  const progress = { epoch: 1, epochs: 1, iteration: 1, iterationsPerEpoch: 1, criticLoss: 1, generatorLoss: 0, wasserstein: 0, gradientPenalty: 0, samplesPerSecond: 4, secondsLeft: 0 };
  const tick = () => new Promise((r) => setTimeout(r, 2));

  it('keeps every trained model as its own entry next to the default, each with its own curves', async () => {
    const { store, trainer, controller, memory } = setup();
    await controller.start();
    await controller.train();
    trainer.emit({ type: 'progress', ...progress, criticLoss: 3 });
    trainer.emit({ type: 'state', state: 'done' });
    await tick();
    await controller.train();
    trainer.emit({ type: 'progress', ...progress, criticLoss: 5 });
    trainer.emit({ type: 'progress', ...progress, iteration: 1, criticLoss: 6 });
    trainer.emit({ type: 'state', state: 'done' });
    await tick();
    const models = store.get().models;
    expect(models.map((m) => m.origin)).toEqual(['default', 'trained', 'trained']);
    expect(new Set(models.map((m) => m.id)).size).toBe(3);
    expect(store.get().activeModelId).toBe(models[2].id);
    expect(models[1].history?.losses.map((p) => p.critic)).toEqual([3]);
    expect(models[2].history?.losses.map((p) => p.critic)).toEqual([5, 6]);

    // Choosing the first run loads it from IndexedDB and shows its curves.
    await controller.chooseModel(models[1].id);
    expect(trainer.loaded.at(-1)).toBe(`indexeddb:${models[1].id}`);
    expect(store.get().losses.map((p) => p.critic)).toEqual([3]);
    expect(store.get().model?.origin).toBe('trained');
    // The saved page lists both runs (the default is always added back at start).
    await new Promise((r) => setTimeout(r, 450));
    expect(memory.page?.models.map((m) => m.id)).toEqual([models[1].id, models[2].id]);
    expect(memory.page?.activeModelId).toBe(models[1].id);
    controller.dispose();
  });

  it('keeps a model loaded from files as its own entry, stored in the browser', async () => {
    const { store, trainer, controller } = setup();
    await controller.start();
    await controller.loadModelFiles([new File(['{}'], 'my model.json'), new File([new Uint8Array(4)], 'my model.weights.bin')]);
    const entry = store.get().models.at(-1)!;
    expect(entry.origin).toBe('files');
    expect(entry.label).toContain('my model.json');
    expect(trainer.saved).toEqual([`indexeddb:${entry.id}`]);
    expect(store.get().activeModelId).toBe(entry.id);
    expect(store.get().models[0].id).toBe('default');
    controller.dispose();
  });

  it('exports what is heard: mixer programs, the tempo in use, muted tracks left out and named', async () => {
    let written: { options: unknown; name: string } | null = null;
    const store = createStore<AppState>(initialState());
    const controller = new Controller({
      store,
      player: new FakePlayer(),
      createTrainer: () => new FakeTrainer(),
      data: { jsb: async () => { throw new Error('unused'); }, ownMidi: async () => { throw new Error('unused'); } },
      rollToMidi: (_roll, options) => {
        written = { options, name: '' };
        return new Uint8Array([1]);
      },
      memory: { load: async () => undefined, save: async () => undefined },
      download: (name) => {
        if (written) written.name = name;
      },
      defaultModelUrl: '/m.json',
      fetch: async () => new Response('', { status: 404 }),
    });
    controller.loadSample('twinkle');
    const roll = createRoll(store.get().melody!.steps, [
      { name: 'Melody', program: 0, isDrum: false },
      { name: 'Alto', program: 52, isDrum: false },
      { name: 'Tenor', program: 52, isDrum: false },
    ]);
    controller.listenTo(roll, 'test');
    controller.setTrackInstrument(0, 'flute');
    controller.setTrackInstrument(1, 'organ');
    controller.setTrackMix(2, { muted: true });
    controller.setTempo(106);
    expect(controller.exportPlan()?.leftOut).toEqual(['Tenor']);
    controller.exportMidi();
    expect(written!.options).toMatchObject({ tempoBpm: 106, programs: [73, 19, 19], include: [true, true, false] });
    expect(written!.name).toBe('Twinkle, Twinkle, Little Star - melody, alto - 106 bpm.mid');
    // Every track muted: a message, no file.
    controller.setTrackMix(0, { muted: true });
    controller.setTrackMix(1, { muted: true });
    written = null;
    controller.exportMidi();
    expect(written).toBeNull();
    expect(store.get().error?.message).toMatch(/Every track is muted/);
  });

  it('goes back to a new tune’s own tempo and whole-piece loop, and loops a bar range as steps', async () => {
    const { store, player, controller } = setup();
    await controller.start();
    controller.setTempo(150);
    controller.setLoop(true);
    controller.setLoopBars({ from: 2, to: 3 });
    const barSteps = store.get().listening!.roll.beatsPerBar * store.get().listening!.roll.stepsPerBeat;
    expect(player.loops.at(-1)).toBe(`${barSteps}-${3 * barSteps}`);
    controller.setLoopBars({ from: 3, to: 2 });
    expect(store.get().error?.message).toMatch(/end at or after bar 3/);
    controller.loadSample('twinkle');
    expect(store.get().tempoBpm).toBeNull();
    expect(store.get().loopBars).toBeNull();
    expect(player.tempos.at(-1)).toBe(store.get().melody!.tempoBpm);
    expect(player.loops.at(-1)).toBe('all');
    controller.dispose();
  });
});

describe('thinLosses', () => {
  it('keeps short runs whole and thins long ones to the limit, first and last point kept', () => {
    expect(thinLosses([1, 2, 3], 5)).toEqual([1, 2, 3]);
    const long = Array.from({ length: 10_001 }, (_, i) => i);
    const thin = thinLosses(long, 2000);
    expect(thin.length).toBeLessThanOrEqual(2000);
    expect(thin[0]).toBe(0);
    expect(thin.at(-1)).toBe(10_000);
    expect(thin).toEqual([...thin].sort((a, b) => a - b));
  });
});
