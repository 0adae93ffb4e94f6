/** The models the page keeps: runs trained here, models loaded from files, and the plain helpers of the list. */
import { describe, expect, it } from 'vitest';
import { thinLosses, weightsFileName } from '../../src/ui/controller';
import { ONE_ITERATION, serveDefault, setup, tick } from './ui-controller-fixtures';

describe('Controller kept models', () => {
  it('refuses to generate without a model, with a message that says what to do', async () => {
    const { store, controller } = setup();
    await controller.start();
    await controller.generate();
    expect(store.get().error?.message).toMatch(/train one, or load/);
    expect(store.get().result).toBeNull();
  });

  it('keeps every trained model as its own entry next to the default, each with its own curves', async () => {
    const { store, trainer, controller, memory } = setup();
    await controller.start();
    await controller.train();
    trainer.emit({ type: 'progress', ...ONE_ITERATION, criticLoss: 3 });
    trainer.emit({ type: 'state', state: 'done' });
    await tick();
    await controller.train();
    trainer.emit({ type: 'progress', ...ONE_ITERATION, criticLoss: 5 });
    trainer.emit({ type: 'progress', ...ONE_ITERATION, iteration: 1, criticLoss: 6 });
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
  });

  it('forgets a kept model in use, deletes its saved copy, and goes back to the default; the default cannot be forgotten', async () => {
    const server = serveDefault();
    const { store, trainer, controller } = setup(undefined, { fetchModel: server.fetchModel });
    await controller.start();
    await controller.loadModelFiles([new File(['{}'], 'm.json'), new File([new Uint8Array(4)], 'm.bin')]);
    const id = store.get().activeModelId!;
    await controller.forgetModel(id);
    expect(store.get().models.map((m) => m.id)).toEqual(['default']);
    expect(store.get().activeModelId).toBe('default');
    expect(trainer.loaded.at(-1)).toBe('files:');
    expect(server.served.downloads).toBe(2);
    expect(trainer.deleted).toEqual([id]);
    await controller.forgetModel('default');
    expect(store.get().models.map((m) => m.id)).toEqual(['default']);
    expect(trainer.deleted).toEqual([id]);
  });
});

describe('weightsFileName', () => {
  it('uses the name model.json refers to, and a safe default otherwise', () => {
    expect(weightsFileName(JSON.stringify({ weightsManifest: [{ paths: ['cantus.weights.bin'] }] }))).toBe('cantus.weights.bin');
    expect(weightsFileName(JSON.stringify({ weightsManifest: [{ paths: ['../evil'] }] }))).toBe('model.weights.bin');
    expect(weightsFileName('not json')).toBe('model.weights.bin');
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
