/**
 * The training driver's bookkeeping with a fake clock: iterations to epochs, samples per second, time left,
 * checkpoint and snapshot cadence, and its loop with stop, pause and an iteration limit. No tensors: the
 * iterations here are stand-ins.
 */
import { describe, expect, it } from 'vitest';

import {
  completedEpochs,
  iterationPosition,
  iterationsPerEpoch,
  SPEED_SMOOTHING,
  TrainingDriver,
  windowsPerIteration,
  type IterationReport,
  type TrainingDriverOptions,
} from '../../src/model/driver';

/** A clock that stands still until moved. */
function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let ms = 1000;
  return { now: () => ms, advance: (by) => (ms += by) };
}

/** 8 windows, batch 2 x update ratio 2: 4 windows an iteration, 2 iterations an epoch, 3 epochs. */
const options = (more: Partial<TrainingDriverOptions> = {}): TrainingDriverOptions => ({
  config: { epochs: 3, batchSize: 2, updateRatio: 2, snapshotEpochs: [2] },
  windowCount: 8,
  ...more,
});

describe('training arithmetic', () => {
  it('counts an epoch as one pass of the critic over the windows', () => {
    expect(iterationsPerEpoch(229, { batchSize: 16, updateRatio: 5 })).toBe(3);
    expect(iterationsPerEpoch(160, { batchSize: 16, updateRatio: 5 })).toBe(2);
    expect(iterationsPerEpoch(3, { batchSize: 64, updateRatio: 5 })).toBe(1);
  });

  it('counts the windows an iteration draws as batch size x update ratio (the generator reuses the last batch)', () => {
    expect(windowsPerIteration({ batchSize: 16, updateRatio: 5 })).toBe(80);
    expect(windowsPerIteration({ batchSize: 2, updateRatio: 1 })).toBe(2);
  });

  it('places iterations (from 1, since the run began) in epochs', () => {
    expect([1, 2, 3, 4, 5].map((i) => iterationPosition(i, 2))).toEqual([
      { epoch: 1, iterationInEpoch: 1 },
      { epoch: 1, iterationInEpoch: 2 },
      { epoch: 2, iterationInEpoch: 1 },
      { epoch: 2, iterationInEpoch: 2 },
      { epoch: 3, iterationInEpoch: 1 },
    ]);
    expect([0, 1, 2, 3, 4].map((i) => completedEpochs(i, 2))).toEqual([0, 0, 1, 1, 2]);
  });
});

describe('TrainingDriver.record', () => {
  it('reports samples per second and time left from the smoothed seconds per iteration', () => {
    const driver = new TrainingDriver(options());
    expect([driver.iterationsPerEpoch, driver.totalIterations, driver.lastIteration, driver.windowsPerIteration]).toEqual([2, 6, 6, 4]);
    const first = driver.record(2);
    expect(first).toMatchObject({ iteration: 1, epoch: 1, iterationInEpoch: 1, completedEpochs: 0, epochEnded: false, seconds: 2 });
    // 4 windows in 2 s; 5 iterations left at 2 s each.
    expect(first.samplesPerSecond).toBe(2);
    expect(first.secondsLeft).toBe(10);
    const second = driver.record(1);
    const smoothed = SPEED_SMOOTHING * 1 + (1 - SPEED_SMOOTHING) * 2;
    expect(driver.secondsPerIteration).toBeCloseTo(smoothed, 12);
    expect(second.samplesPerSecond).toBeCloseTo(4 / smoothed, 12);
    expect(second.secondsLeft).toBeCloseTo(4 * smoothed, 12);
    expect(second).toMatchObject({ iteration: 2, epoch: 1, iterationInEpoch: 2, completedEpochs: 1, epochEnded: true, seconds: 1 });
  });

  it('ends the time left at zero on the last iteration, and never reports an infinite rate', () => {
    const driver = new TrainingDriver(options({ completedIterations: 5 }));
    const last = driver.record(0);
    expect(last.iteration).toBe(6);
    expect(last.secondsLeft).toBe(0);
    expect(Number.isFinite(last.samplesPerSecond)).toBe(true);
  });

  it('counts time left to maxIterations when that comes first', () => {
    const driver = new TrainingDriver(options({ maxIterations: 3 }));
    expect(driver.lastIteration).toBe(3);
    expect(driver.record(1).secondsLeft).toBe(2);
  });

  it('checkpoints at every epoch end and every checkpointEvery iterations since the run began, and snapshots at the listed epochs', () => {
    const due = (driver: TrainingDriver, count: number) =>
      Array.from({ length: count }, () => driver.record(1)).map((r) => [r.iteration, r.checkpointDue, r.snapshotDue]);
    expect(due(new TrainingDriver(options()), 6)).toEqual([
      [1, false, false],
      [2, true, false],
      [3, false, false],
      [4, true, true],
      [5, false, false],
      [6, true, false],
    ]);
    // Resumed at iteration 2 with a checkpoint every 3 iterations: 3 and 6 by count, 4 and 6 by epoch.
    expect(due(new TrainingDriver(options({ completedIterations: 2, checkpointEvery: 3 })), 4)).toEqual([
      [3, true, false],
      [4, true, true],
      [5, false, false],
      [6, true, false],
    ]);
  });
});

describe('TrainingDriver.run', () => {
  it('times each iteration with its clock and calls the hooks in order', async () => {
    const clock = fakeClock();
    const driver = new TrainingDriver(options({ now: clock.now }));
    const calls: string[] = [];
    const reports: IterationReport[] = [];
    const outcome = await driver.run({
      trainIteration: async () => {
        clock.advance(500);
        calls.push('train');
        return { loss: driver.completedIterations };
      },
      afterIteration: (losses, report) => {
        reports.push(report);
        calls.push(`after ${losses.loss}`);
      },
      endEpoch: async (report) => void calls.push(`epoch ${report.completedEpochs}${report.snapshotDue ? ' snapshot' : ''}`),
      checkpoint: async (report) => void calls.push(`checkpoint ${report.iteration}`),
    });
    expect(outcome).toBe('done');
    expect(calls.slice(0, 7)).toEqual(['train', 'after 0', 'train', 'after 1', 'epoch 1', 'checkpoint 2', 'train']);
    expect(calls.filter((c) => c.startsWith('epoch'))).toEqual(['epoch 1', 'epoch 2 snapshot', 'epoch 3']);
    expect(reports.map((r) => r.seconds)).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(reports.map((r) => r.samplesPerSecond)).toEqual([8, 8, 8, 8, 8, 8]);
    expect(reports.map((r) => r.secondsLeft)).toEqual([2.5, 2, 1.5, 1, 0.5, 0]);
    expect(driver.completedIterations).toBe(6);
  });

  it('continues a resumed run from its count and stops at maxIterations', async () => {
    const driver = new TrainingDriver(options({ completedIterations: 2, maxIterations: 4 }));
    const seen: number[] = [];
    const outcome = await driver.run({ trainIteration: async () => 0, afterIteration: (_, r) => void seen.push(r.iteration) });
    expect(seen).toEqual([3, 4]);
    expect(outcome).toBe('limit');
  });

  it('lets a stop asked from outside in between iterations, though every iteration resolves at once', async () => {
    const driver = new TrainingDriver(options({ config: { epochs: 1000, batchSize: 2, updateRatio: 2 } }));
    // A stop from a timer (a message or a signal) can only land if the loop leaves the microtask queue.
    setTimeout(() => driver.requestStop(), 0);
    expect(await driver.run({ trainIteration: async () => 0 })).toBe('stopped');
    expect(driver.completedIterations).toBeLessThan(1000 * 2);
  });

  it('stops before the next iteration once asked, and ends on a hook that throws', async () => {
    const driver = new TrainingDriver(options());
    const outcome = await driver.run({
      trainIteration: async () => 0,
      afterIteration: (_, report) => {
        if (report.iteration === 3) driver.requestStop();
      },
    });
    expect(outcome).toBe('stopped');
    expect(driver.completedIterations).toBe(3);

    const failing = new TrainingDriver(options());
    await expect(
      failing.run({
        trainIteration: async () => 0,
        afterIteration: () => {
          throw new Error('diverged');
        },
      }),
    ).rejects.toThrow('diverged');
    expect(failing.completedIterations).toBe(1);
  });

  it('holds a paused run before its next iteration until resume, and a stop ends the pause', async () => {
    const driver = new TrainingDriver(options());
    const events: string[] = [];
    let paused!: () => void;
    const pausedOnce = new Promise<void>((resolve) => (paused = resolve));
    const run = driver.run({
      trainIteration: async () => 0,
      afterIteration: (_, report) => {
        events.push(`iteration ${report.iteration}`);
        if (report.iteration === 2) driver.requestPause();
      },
      paused: () => {
        events.push('paused');
        paused();
      },
      resumed: () => void events.push('resumed'),
    });
    await pausedOnce;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events).toEqual(['iteration 1', 'iteration 2', 'paused']);
    driver.resume();
    expect(await run).toBe('done');
    expect(events).toEqual(['iteration 1', 'iteration 2', 'paused', 'resumed', 'iteration 3', 'iteration 4', 'iteration 5', 'iteration 6']);

    const stopped = new TrainingDriver(options());
    stopped.requestPause();
    const waiting = stopped.run({ trainIteration: async () => 0, resumed: () => events.push('never') });
    stopped.requestStop();
    expect(await waiting).toBe('stopped');
    expect(stopped.completedIterations).toBe(0);
    expect(events).not.toContain('never');
  });
});
