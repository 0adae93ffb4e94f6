/** The page when the browser will not store anything: plain reasons, work kept in memory, saving as files offered. */
import { describe, expect, it } from 'vitest';
import { TrainerError } from '../../src/worker/client';
import { ONE_ITERATION, setup, tick } from './ui-controller-fixtures';

const quota = () => new DOMException('', 'QuotaExceededError');
const REFUSED =
  "The model could not be saved in this browser: the browser's storage for this site is full. It stays usable on this page until you close it.";

/** Lets the page's save (400 ms after a change) run. */
const afterSave = () => new Promise((resolve) => setTimeout(resolve, 450));

describe('Controller with storage that is full or blocked', () => {
  it('says why the page could not be saved (never an empty reason), once per reason, and keeps working', async () => {
    const { store, controller, memory } = setup();
    memory.save = async () => {
      throw quota();
    };
    await controller.start();
    controller.setTempo(100);
    await afterSave();
    const error = store.get().error;
    expect(error?.message).toBe(
      "Your work could not be saved in this browser: the browser's storage for this site is full. Everything stays on this page until " +
        'you close it; your melody and accompaniment can be exported as MIDI. Use “Save model files” to keep a model, or free space by ' +
        'forgetting models you no longer need.',
    );
    const count = store.get().errorCount;
    controller.setTempo(90);
    await afterSave();
    expect(store.get().errorCount).toBe(count);
    expect(store.get().tempoBpm).toBe(90);
  });

  it('starts fresh with a plain reason where the browser blocks storage', async () => {
    const { store, controller, memory } = setup();
    memory.load = async () => {
      throw new DOMException('The user denied permission to access the database.', 'UnknownError');
    };
    await controller.start();
    expect(store.get().error?.message).toMatch(
      /^Your last session could not be read in this browser: this browser does not let this site keep data \(a private window/,
    );
    expect(store.get().models.map((m) => m.id)).toEqual(['default']);
  });

  it('keeps a run the browser refused as an entry that says it is not saved, offers saving it as files, and leaves it out of the saved page', async () => {
    const { store, trainer, controller, memory } = setup();
    await controller.start();
    trainer.save = async (target: 'indexeddb' | 'files', name?: string) => {
      trainer.saved.push(`${target}:${name ?? ''}`);
      if (target === 'indexeddb') throw new TrainerError('storage', REFUSED);
      return { modelJson: '{}', weights: new ArrayBuffer(4) };
    };
    await controller.train();
    trainer.emit({ type: 'progress', ...ONE_ITERATION });
    trainer.emit({ type: 'error', code: 'storage', message: 'Epoch 1 could not be saved in this browser: …' });
    expect(store.get().error).toMatchObject({ region: 'training', action: 'save-model-files' });
    trainer.emit({ type: 'checkpoint', epoch: 1, iteration: 1, unsaved: true });
    expect(store.get().model?.label).toBe('being trained here (epoch 1, not saved in this browser)');
    trainer.emit({ type: 'state', state: 'done' });
    await tick();
    const entry = store.get().models.at(-1);
    expect(entry).toMatchObject({ origin: 'trained', unsaved: true });
    expect(entry?.label).toMatch(/^Trained here .*1 epoch, not saved in this browser$/);
    expect(store.get().activeModelId).toBe(entry?.id);
    expect(store.get().model?.label).toBe(entry?.label);
    expect(store.get().error).toMatchObject({ message: REFUSED, action: 'save-model-files' });

    await controller.saveModelFiles();
    expect(trainer.saved.at(-1)).toBe('files:');
    controller.setTempo(100);
    await afterSave();
    expect(memory.page?.models).toEqual([]);
  });

  it('says the model is not saved when keeping it failed for another reason, instead of "being trained here"', async () => {
    const { store, trainer, controller } = setup();
    await controller.start();
    trainer.save = async () => {
      throw new TrainerError('internal', 'Something went wrong inside the training engine: boom');
    };
    await controller.train();
    trainer.emit({ type: 'progress', ...ONE_ITERATION });
    trainer.emit({ type: 'checkpoint', epoch: 1, iteration: 1 });
    trainer.emit({ type: 'state', state: 'done' });
    await tick();
    expect(store.get().model?.label).toBe('trained here, not saved in this browser');
    expect(store.get().error).toMatchObject({ action: 'save-model-files', message: expect.stringMatching(/boom\. Save it as files/) });
  });

  it('keeps a model loaded from files for this visit where the browser refuses to store it', async () => {
    const { store, trainer, controller } = setup();
    await controller.start();
    trainer.save = async () => {
      throw new TrainerError('storage', REFUSED);
    };
    const json = new File(['{}'], 'model.json');
    const weights = new File([new Uint8Array(4)], 'model.weights.bin');
    await controller.loadModelFiles([json, weights]);
    expect(store.get().models.at(-1)).toMatchObject({
      origin: 'files',
      unsaved: true,
      detail: expect.stringMatching(/not saved in this browser/),
    });
    expect(store.get().error).toBeNull();
  });
});
