/** Training through the page controller: the settings it starts from and the worker events it follows. */
import { describe, expect, it } from 'vitest';
import { WINDOW_STEPS } from '../../src/music/pianoRoll';
import { DEFAULT_HYPERPARAMS } from '../../src/protocol/config';
import { FakeTrainer, HELD_OUT, METRIC_SET, serveDefault, setup, tick } from './ui-controller-fixtures';

describe('Controller training', () => {
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
    expect(trainer.started[0].fromModelInUse).toBe(false);
  });

  it('choosing the model in use takes its size, and for one that reads the voices its kind, into the settings', async () => {
    class VoiceContextTrainer extends FakeTrainer {
      override async load(source: { kind: string; name?: string }) {
        await super.load(source);
        return { ...DEFAULT_HYPERPARAMS, baseWidth: 8 as const, voiceContext: true };
      }
    }
    const trainer = new VoiceContextTrainer();
    const { store, controller } = setup(undefined, { createTrainer: () => trainer, fetchModel: serveDefault().fetchModel });
    await controller.start();
    expect(store.get().model?.shape).toEqual({ baseWidth: 8, voiceContext: true });
    controller.setField('baseWidth', '4');
    controller.setField('voiceContext', 'false');
    controller.setTrainFrom('model');
    expect(store.get().draft).toMatchObject({ baseWidth: '8', voiceContext: 'true' });
    // A size changed afterwards is refused at once, before any data is prepared, with the worker's words.
    controller.setField('baseWidth', '4');
    await controller.train();
    expect(trainer.started).toHaveLength(0);
    expect(store.get().error?.message).toMatch(/The model in use has base width 8: set the model size to it/);
    controller.setField('baseWidth', '8');
    await controller.train();
    expect(trainer.started[0]).toMatchObject({ fromModelInUse: true, config: { baseWidth: 8, voiceContext: true } });
    store.set({ training: 'idle' });
    // Back to new weights: the settings stay as they are.
    controller.setField('baseWidth', '16');
    controller.setTrainFrom('new');
    expect(store.get().draft).toMatchObject({ baseWidth: '16', voiceContext: 'true' });
  });

  it('starts a new run from the model in use when asked, never a continued one', async () => {
    const { store, trainer, controller } = setup();
    await controller.start();
    controller.setTrainFrom('model');
    expect(store.get().trainFrom).toBe('model');
    await controller.train();
    expect(trainer.started[0]).toMatchObject({ resume: false, fromModelInUse: true });
    store.set({ training: 'idle' });
    await controller.train(true);
    expect(trainer.started[1]).toMatchObject({ resume: true, fromModelInUse: false });
    controller.setTrainFrom('new');
    store.set({ training: 'idle' });
    await controller.train();
    expect(trainer.started[2].fromModelInUse).toBe(false);
  });

  it('follows worker events: progress feeds the loss chart, a finished run is kept in IndexedDB', async () => {
    const { store, trainer, controller } = setup();
    await controller.start();
    const progress = {
      epoch: 2,
      epochs: 2,
      iteration: 1,
      iterationsPerEpoch: 3,
      criticLoss: 1.5,
      generatorLoss: -0.5,
      wasserstein: 0,
      gradientPenalty: 0,
      samplesPerSecond: 4,
      secondsLeft: 10,
      trainingThreads: 1,
    };
    trainer.emit({ type: 'progress', ...progress });
    expect(store.get().losses).toEqual([{ iteration: 4, critic: 1.5, generator: -0.5 }]);
    trainer.emit({ type: 'state', state: 'done' });
    await tick();
    expect(trainer.saved).toHaveLength(1);
    expect(trainer.saved[0]).toMatch(/^indexeddb:cantus-trained-\d+$/);
    expect(store.get().model?.origin).toBe('trained');
    await controller.generate();
    expect(store.get().result?.tracks).toHaveLength(2);
    expect(store.get().listening?.roll.tracks).toHaveLength(2);
  });

  it('follows metrics events: the decoded measures and, where sent, the network’s held-out measures, kept with the model', async () => {
    const { store, trainer, controller } = setup();
    await controller.start();
    const set = METRIC_SET;
    const heldOut = HELD_OUT;
    trainer.emit({ type: 'metrics', epoch: 1, generated: set, reference: set });
    trainer.emit({ type: 'metrics', epoch: 2, generated: set, reference: set, heldOut });
    expect(store.get().metrics).toEqual([
      { epoch: 1, generated: set, reference: set },
      { epoch: 2, generated: set, reference: set, heldOut },
    ]);
    // A run is kept once it has trained an iteration.
    store.set({ losses: [{ iteration: 1, critic: 1, generator: -1 }] });
    trainer.emit({ type: 'state', state: 'done' });
    await tick();
    expect(store.get().models.find((m) => m.origin === 'trained')?.history?.metrics[1].heldOut).toEqual(heldOut);
  });

  it('keeps no model of a run stopped before its first iteration', async () => {
    const { store, trainer, controller } = setup();
    await controller.start();
    trainer.emit({ type: 'state', state: 'stopped' });
    await tick();
    expect(store.get().trainingNote).toBe('Training stopped.');
    expect(trainer.saved).toEqual([]);
    expect(store.get().models.map((m) => m.origin)).toEqual(['default']);
  });

  it('refuses to change the compute engine while a run is going on', async () => {
    const { store, trainer, controller } = setup();
    await controller.start();
    trainer.emit({ type: 'state', state: 'training' });
    await controller.setEngineOverride('wasm');
    expect(store.get().engineOverride).toBeNull();
    expect(store.get().error?.message).toMatch(/Stop training/);
  });
});
