/** The page controller's start: the saved page or a fresh one, the engine, and the model to begin with. */
import { describe, expect, it } from 'vitest';
import { initialState, resultLock } from '../../src/ui/state';
import { createRoll } from '../../src/music/pianoRoll';
import { sampleMelodyRoll } from '../../src/music/samples';
import { FakeTrainer, serveDefault, setup } from './ui-controller-fixtures';

describe('Controller start', () => {
  it('starts with a sample melody, the backend, and no model when none is served', async () => {
    const { store, trainer, controller } = setup();
    await controller.start();
    expect(store.get().melodyName).toContain('Ode to Joy');
    expect(store.get().backend).toBe('webgpu');
    expect(store.get().model).toBeNull();
    expect(trainer.loaded).toEqual([]);
  });

  it('restores a saved page and loads the model it kept', async () => {
    const melody = sampleMelodyRoll('twinkle');
    const { store, trainer, controller } = setup({
      melody,
      melodyName: 'Twinkle',
      storedModel: 'cantus-last-trained',
      draft: { ...initialState().draft, epochs: '7' },
    });
    await controller.start();
    expect(store.get().melodyName).toBe('Twinkle');
    expect(store.get().draft.epochs).toBe('7');
    expect(trainer.loaded).toEqual(['indexeddb:cantus-last-trained']);
    expect(store.get().model?.origin).toBe('trained');
    // The pretrained default stays in the picker next to the model kept from before the picker existed.
    expect(store.get().models.map((m) => m.id)).toEqual(['default', 'cantus-last-trained']);
  });

  it('keeps the locks of the accompaniment over a reload, and refuses locks that do not fit it', async () => {
    const melody = sampleMelodyRoll('twinkle');
    const result = createRoll(melody.steps, [
      { name: 'Melody', program: 0, isDrum: false },
      ...['Alto', 'Tenor', 'Bass'].map((name) => ({ name, program: 52, isDrum: false })),
    ]);
    const cells = new Uint8Array(melody.steps * 3).map((_, i) => (i % 3 === 0 ? 1 : 0));
    const { store, memory, controller } = setup({ melody, melodyName: 'Twinkle', result, lockedCells: cells });
    await controller.start();
    expect(store.get().lockedCells).toEqual(cells);
    store.set({ tempoBpm: 100 });
    await new Promise((r) => setTimeout(r, 500));
    expect(memory.page?.lockedCells).toEqual(cells);
    // Cells of another shape lock nothing.
    const other = setup({ melody, melodyName: 'Twinkle', result, lockedCells: new Uint8Array(5) });
    await other.controller.start();
    expect(resultLock(other.store.get())?.cells.every((c) => c === 0)).toBe(true);
  });

  it('serves an Accompany click made while the engine and the default model are still loading', async () => {
    let releaseInit: () => void = () => undefined;
    class SlowTrainer extends FakeTrainer {
      override init() {
        return new Promise<{ backend: 'webgpu' }>((done) => (releaseInit = () => done({ backend: 'webgpu' })));
      }
    }
    const trainer = new SlowTrainer();
    const server = serveDefault();
    const { store, controller } = setup(undefined, { createTrainer: () => trainer, fetchModel: server.fetchModel });
    const started = controller.start();
    // Let start() reach the engine's init, then click before init has answered.
    for (let i = 0; i < 5 && trainer.listeners.size === 0; i++) await new Promise((r) => setTimeout(r, 0));
    const clicked = controller.generate();
    expect(store.get().generating).toBe(true);
    // The pretrained model downloads while the engine starts, and is handed to it as files once it is up.
    expect(server.served.downloads).toBe(1);
    expect(trainer.loaded).toEqual([]);
    releaseInit();
    await Promise.all([started, clicked]);
    expect(trainer.loaded).toEqual(['files:']);
    expect(server.served.downloads).toBe(1);
    expect(store.get().error).toBeNull();
    expect(store.get().result?.tracks).toHaveLength(2);
  });

  it('stops a start that was disposed before the saved page came back, and starts no worker', async () => {
    let created = 0;
    const { store, controller } = setup(undefined, { createTrainer: () => (created++, new FakeTrainer()) });
    const started = controller.start();
    controller.dispose();
    await started;
    expect(created).toBe(0);
    expect(store.get().melody).toBeNull();
  });
});
