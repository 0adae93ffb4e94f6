/**
 * The training handler driving the REAL GAN engine (width 4, batch 2, one critic step per iteration, 4 synthetic
 * windows: 2 iterations per epoch) on the wasm backend in Node: progress, pause/resume, stop, epoch-end events,
 * and continuing from an IndexedDB checkpoint.
 */
import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PITCHES } from '../../src/music/pianoRoll';
import type { HyperParamsInput } from '../../src/protocol/config';
import type { WorkerEvent } from '../../src/protocol/messages';
import { startWasmBackendInNode } from '../../src/model/wasm/node';
import { ganEngineFactory } from '../../src/worker/ganFactory';
import { IdbTrainerStore } from '../../src/worker/store';
import { TrainerHandler } from '../../src/worker/trainer';
import { EventLog, melodyRoll, syntheticWindows } from './worker-fixtures';

type Progress = Extract<WorkerEvent, { type: 'progress' }>;
const tiny: HyperParamsInput = { batchSize: 2, updateRatio: 1, baseWidth: 4, seed: 3, snapshotEpochs: [1] };
let dbCounter = 0;
const handlers: TrainerHandler[] = [];

function newHandler(log: EventLog, store = new IdbTrainerStore(`worker-training-${dbCounter++}`)): TrainerHandler {
  const handler = new TrainerHandler({
    post: log.post,
    engines: ganEngineFactory,
    store,
    chooseBackend: async () => {
      await startWasmBackendInNode();
      return { backend: 'wasm', skipped: [] };
    },
  });
  handlers.push(handler);
  return handler;
}

beforeAll(async () => {
  await startWasmBackendInNode();
});

afterEach(async () => {
  for (const handler of handlers.splice(0)) {
    await handler.handle({ type: 'stop' });
    await handler.whenIdle();
    handler.dispose();
  }
});

describe('TrainerHandler with the real engine', () => {
  it('trains: progress with finite figures after every iteration, then snapshot, metrics and checkpoint at epoch ends', async () => {
    const log = new EventLog();
    const handler = newHandler(log);
    const tensorsBefore = tf.memory().numTensors;
    await handler.handle({
      type: 'start',
      config: { ...tiny, epochs: 2 },
      data: syntheticWindows(4),
      snapshotMelodies: [melodyRoll(), melodyRoll(64)],
    });
    await handler.whenIdle();

    expect(log.of('error')).toEqual([]);
    expect(log.events[0]).toEqual({ type: 'ready', backend: 'wasm' });
    const progress = log.of('progress');
    expect(progress.map((p) => [p.epoch, p.iteration])).toEqual([
      [1, 1],
      [1, 2],
      [2, 1],
      [2, 2],
    ]);
    for (const p of progress) {
      expect(p).toMatchObject({ epochs: 2, iterationsPerEpoch: 2 });
      for (const value of [p.criticLoss, p.generatorLoss, p.wasserstein, p.gradientPenalty, p.samplesPerSecond, p.secondsLeft]) {
        expect(Number.isFinite(value)).toBe(true);
      }
      expect(p.samplesPerSecond).toBeGreaterThan(0);
      expect(p.gradientPenalty).toBeGreaterThan(0);
    }
    expect(progress.at(-1)!.secondsLeft).toBe(0);
    // The critic's loss is -W + 10 * GP.
    expect(progress[0].criticLoss).toBeCloseTo(-progress[0].wasserstein + 10 * progress[0].gradientPenalty, 3);

    const snapshots = log.of('snapshot');
    expect(snapshots.map((s) => s.epoch)).toEqual([1]);
    expect(snapshots[0].rolls.map((r) => [r.steps, r.tracks.length])).toEqual([
      [32, 4],
      [64, 4],
    ]);
    const metrics = log.of('metrics');
    expect(metrics.map((m) => m.epoch)).toEqual([1, 2]);
    // Reference: the synthetic chorales hold one pitch per voice, every bar sounding, a triad on every beat.
    expect(metrics[0].reference).toMatchObject({
      emptyBarRate: 0,
      usedPitchClasses: expect.any(Number),
      polyphonicRate: 0,
      voiceRestRate: 0,
      chordRate: 1,
    });
    expect(metrics[1].reference).toEqual(metrics[0].reference);
    expect(Object.keys(metrics[0].generated).sort()).toEqual(Object.keys(metrics[0].reference).sort());
    expect(log.of('checkpoint')).toEqual([
      { type: 'checkpoint', epoch: 1, iteration: 2 },
      { type: 'checkpoint', epoch: 2, iteration: 4 },
    ]);
    expect(log.of('state').map((s) => s.state)).toEqual(['training', 'done']);
    // The engine keeps its weights; nothing else may pile up across iterations.
    expect(tf.memory().numTensors - tensorsBefore).toBeLessThan(200);
  });

  it('keeps the last windows out of training and measures the network on them at each epoch end, before decoding', async () => {
    const log = new EventLog();
    const handler = newHandler(log);
    // 11 windows: one held out, 10 trained on in 5 iterations of batch 2 (all 11 would take 6).
    await handler.handle({
      type: 'start',
      config: { ...tiny, epochs: 1, snapshotEpochs: [] },
      data: syntheticWindows(11),
      snapshotMelodies: [],
    });
    await handler.whenIdle();
    expect(log.of('error')).toEqual([]);
    expect(log.of('progress').map((p) => p.iterationsPerEpoch)).toEqual([5, 5, 5, 5, 5]);
    const [metrics] = log.of('metrics');
    expect(metrics.heldOut).toMatchObject({ windows: 1, reference: { restRate: 0, polyphonicRate: 0 } });
    const { network, reference } = metrics.heldOut!;
    for (const value of [...Object.values(network), ...Object.values(reference)]) expect(Number.isFinite(value)).toBe(true);
    expect(network.voiceCrossEntropy).toBeGreaterThan(0);
  });

  it('pause halts progress until resume, which continues with the next iteration', async () => {
    const log = new EventLog();
    const handler = newHandler(log);
    await handler.handle({
      type: 'start',
      config: { ...tiny, epochs: 50, snapshotEpochs: [] },
      data: syntheticWindows(4),
      snapshotMelodies: [],
    });
    await log.waitFor('progress');
    await handler.handle({ type: 'pause' });
    await log.waitFor('state', (s) => s.state === 'paused');
    const countAtPause = log.of('progress').length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(log.of('progress').length).toBe(countAtPause);
    expect(handler.trainingState).toBe('paused');

    await handler.handle({ type: 'resume' });
    await log.waitFor('progress', () => true, log.events.length);
    const progress = log.of('progress');
    expect(progress.length).toBe(countAtPause + 1);
    const position = (p: Progress) => (p.epoch - 1) * p.iterationsPerEpoch + p.iteration;
    expect(progress.map(position)).toEqual(progress.map((_, i) => i + 1));
    expect(log.of('state').map((s) => s.state)).toEqual(['training', 'paused', 'training']);
  });

  it('stop ends the run and keeps the model: generate and save still work', async () => {
    const log = new EventLog();
    const handler = newHandler(log);
    await handler.handle({
      type: 'start',
      config: { ...tiny, epochs: 50, snapshotEpochs: [] },
      data: syntheticWindows(4),
      snapshotMelodies: [],
    });
    await log.waitFor('progress', (p) => p.iteration === 2);
    await handler.handle({ type: 'stop' });
    await handler.whenIdle();
    expect(handler.trainingState).toBe('stopped');
    const progressAtStop = log.of('progress').length;
    expect(progressAtStop).toBeLessThan(100);

    const melody = melodyRoll(48);
    await handler.handle({ type: 'generate', requestId: 11, melody, seed: 5 });
    const generated = log.of('generated')[0];
    expect(generated.requestId).toBe(11);
    expect([generated.roll.steps, generated.roll.tracks.length]).toEqual([48, 4]);
    // The user's melody comes back exactly as track 0.
    for (let cell = 0; cell < 48 * PITCHES; cell++) expect(generated.roll.active[cell * 4]).toBe(melody.active[cell]);

    await handler.handle({ type: 'save', requestId: 12, target: 'files' });
    const saved = log.of('saved')[0];
    expect(saved.requestId).toBe(12);
    expect(saved.files?.weights.byteLength).toBeGreaterThan(1000);
    expect(log.of('progress').length).toBe(progressAtStop);
    expect(log.of('error')).toEqual([]);
  });

  it('a new handler continues from the epoch checkpoint exactly where the run stood', async () => {
    const data = syntheticWindows(4);
    const config = { ...tiny, epochs: 3, snapshotEpochs: [] };

    // The uninterrupted run, for comparison.
    const straightLog = new EventLog();
    await newHandler(straightLog).handle({ type: 'start', config, data, snapshotMelodies: [] });
    await handlers[0].whenIdle();
    const straight = straightLog.of('progress');
    expect(straight).toHaveLength(6);

    // A run stopped during epoch 2 (as a page reload would), then continued by a fresh handler on the same storage.
    const store = new IdbTrainerStore(`worker-training-resume-${dbCounter++}`);
    const firstLog = new EventLog();
    const first = newHandler(firstLog, store);
    await first.handle({ type: 'start', config, data, snapshotMelodies: [] });
    await firstLog.waitFor('checkpoint', (c) => c.epoch === 1);
    await first.handle({ type: 'stop' });
    await first.whenIdle();
    expect(firstLog.of('checkpoint')).toEqual([{ type: 'checkpoint', epoch: 1, iteration: 2 }]);

    const secondLog = new EventLog();
    const second = newHandler(secondLog, new IdbTrainerStore(store.dbName));
    await second.handle({ type: 'start', config, data: syntheticWindows(4), snapshotMelodies: [], resume: true });
    await second.whenIdle();
    expect(secondLog.of('error')).toEqual([]);
    const resumed = secondLog.of('progress');
    expect(resumed.map((p) => [p.epoch, p.iteration])).toEqual([
      [2, 1],
      [2, 2],
      [3, 1],
      [3, 2],
    ]);
    // Same weights, optimiser state and batch position: the same losses as the run that never stopped.
    resumed.forEach((p, i) => {
      const reference = straight[i + 2];
      expect(p.criticLoss).toBeCloseTo(reference.criticLoss, 4);
      expect(p.generatorLoss).toBeCloseTo(reference.generatorLoss, 4);
      expect(p.gradientPenalty).toBeCloseTo(reference.gradientPenalty, 4);
    });
    expect(secondLog.of('checkpoint').map((c) => [c.epoch, c.iteration])).toEqual([
      [2, 4],
      [3, 6],
    ]);
  });

  it('trains on from the model in use: its weights, widened for voice context; a size or kind that does not fit is refused', async () => {
    const log = new EventLog();
    const handler = newHandler(log);
    /** The trainable weights of the model in use (the batch norms' moving statistics follow every batch, so not those). */
    const weightsNow = async (requestId: number): Promise<Float32Array> => {
      await handler.handle({ type: 'save', requestId, target: 'files' });
      const files = log.of('saved').find((e) => e.requestId === requestId)!.files!;
      type Spec = { name: string; shape: number[]; offset: number };
      const manifest = JSON.parse(files.modelJson) as { generator: { weights: Spec[] }; critic: { weights: Spec[] } };
      const values = new Float32Array(files.weights);
      const specs = [...manifest.generator.weights, ...manifest.critic.weights].filter((w) => !/moving_(mean|variance)$/.test(w.name));
      return Float32Array.from(specs.flatMap((w) => [...values.subarray(w.offset, w.offset + w.shape.reduce((a, b) => a * b, 1))]));
    };
    const run = async (config: HyperParamsInput, fromModelInUse: boolean) => {
      await handler.handle({ type: 'start', config, data: syntheticWindows(4), snapshotMelodies: [], fromModelInUse });
      await handler.whenIdle();
    };
    const gap = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
    const base = { ...tiny, epochs: 1, snapshotEpochs: [] };

    // With no model in use there is nothing to start from.
    await run(base, true);
    expect(log.of('error').at(-1)).toMatchObject({ code: 'no-model' });
    await run(base, false);
    const first = await weightsNow(1);
    // Two iterations from the model in use (another seed, so new weights would be others): Adam moves each weight by
    // about the learning rate (1e-3) per step at most.
    await run({ ...base, seed: 99 }, true);
    const tuned = await weightsNow(2);
    expect(gap(tuned, first)).toBeGreaterThan(0);
    expect(gap(tuned, first)).toBeLessThan(0.01);
    await run({ ...base, seed: 99 }, false);
    expect(gap(await weightsNow(3), first)).toBeGreaterThan(0.1);
    expect(log.of('error')).toHaveLength(1);

    // Another size is refused, naming the field; the model in use (width 4) stays.
    await run({ ...base, baseWidth: 8 }, true);
    expect(log.of('error').at(-1)).toMatchObject({ code: 'bad-config', problems: [{ field: 'baseWidth' }] });
    expect(log.of('error').at(-1)?.message).toMatch(/The model in use has base width 4/);
    // A run that reads the voices starts from a model that reads the melody alone (its new input planes at zero) ...
    await run({ ...base, voiceContext: true }, true);
    expect(log.of('error')).toHaveLength(2);
    // ... but a run that reads the melody alone cannot start from it.
    await run(base, true);
    expect(log.of('error').at(-1)).toMatchObject({ code: 'bad-config', problems: [{ field: 'voiceContext' }] });
  });

  it('saves a model in IndexedDB and a fresh handler loads it and generates', async () => {
    const store = new IdbTrainerStore(`worker-training-save-${dbCounter++}`);
    const log = new EventLog();
    const trainer = newHandler(log, store);
    await trainer.handle({
      type: 'start',
      config: { ...tiny, epochs: 1, snapshotEpochs: [] },
      data: syntheticWindows(4),
      snapshotMelodies: [],
    });
    await trainer.whenIdle();
    await trainer.handle({ type: 'save', requestId: 1, target: 'indexeddb', name: 'chorale model' });
    await trainer.handle({ type: 'generate', requestId: 2, melody: melodyRoll(), seed: 9 });

    const otherLog = new EventLog();
    const other = newHandler(otherLog, new IdbTrainerStore(store.dbName));
    await other.handle({ type: 'load', requestId: 3, source: { kind: 'indexeddb', name: 'chorale model' } });
    expect(otherLog.of('loaded')[0]).toMatchObject({ requestId: 3, config: { baseWidth: 4, seed: 3, batchSize: 2 } });
    await other.handle({ type: 'generate', requestId: 4, melody: melodyRoll(), seed: 9 });
    // Same weights and seed: the same accompaniment.
    expect([...otherLog.of('generated')[0].roll.active]).toEqual([...log.of('generated')[0].roll.active]);
    expect([...log.of('error'), ...otherLog.of('error')]).toEqual([]);
  });
});
