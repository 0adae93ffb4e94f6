import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

import { parseTrainArgs, train, TrainUsageError } from '../../scripts/train';
import { TrainingDriver, type IterationReport } from '../../src/model/driver';

const ROOT = resolve(import.meta.dirname, '../..');
const TINY = ['--size', 'tiny', '--batch-size', '2', '--update-ratio', '2', '--limit-windows', '16', '--epochs', '2', '--seed', '7'];

interface LogLine {
  iteration: number;
  criticLoss: number;
  generatorLoss: number;
  wasserstein: number;
}

/** The last logged losses of each iteration (a killed run may have logged an iteration it never checkpointed). */
function lossesByIteration(out: string): Map<number, LogLine> {
  const lines = readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n');
  return new Map(lines.map((l) => JSON.parse(l) as LogLine).map((l) => [l.iteration, l]));
}

function checkpointIteration(out: string): number {
  const path = join(out, 'checkpoint', 'model.json');
  if (!existsSync(path)) return 0;
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { counters: { iteration: number } }).counters.iteration;
  } catch {
    return 0;
  }
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cantus-train-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/**
 * Runs `work` with CANTUS_WASM_THREADS set, then puts the setting back (the files of a test worker share its process).
 * The checkpoint tests train on one thread (no replica workers to start, each of which loads TensorFlow.js); the
 * driver test on two replicas, as the command does by default on a machine with two cores or more.
 */
async function withThreads<T>(threads: string, work: () => Promise<T>): Promise<T> {
  const before = process.env.CANTUS_WASM_THREADS;
  process.env.CANTUS_WASM_THREADS = threads;
  try {
    return await work();
  } finally {
    if (before === undefined) delete process.env.CANTUS_WASM_THREADS;
    else process.env.CANTUS_WASM_THREADS = before;
  }
}
const onOneThread = <T>(work: () => Promise<T>) => withThreads('1', work);

/** The uninterrupted tiny run (2 epochs, 8 iterations, one thread), trained once for the tests that read it. */
let wholeRun: Promise<{ out: string; iteration: number }> | undefined;
function whole(): Promise<{ out: string; iteration: number }> {
  wholeRun ??= onOneThread(async () => {
    const out = join(tempDir(), 'whole');
    const { iteration } = await train(parseTrainArgs(['--out', out, ...TINY]), () => undefined);
    return { out, iteration };
  });
  return wholeRun;
}

describe('npm run train', () => {
  it('refuses bad settings, naming each field', async () => {
    const options = parseTrainArgs([
      '--out',
      join(tempDir(), 'bad'),
      '--epochs=-1',
      '--learning-rate',
      '0',
      '--update-ratio',
      '0',
      '--limit-windows',
      '8',
    ]);
    await expect(train(options, () => undefined)).rejects.toThrow(/epochs.*learningRate.*updateRatio/);
    expect(() => parseTrainArgs(['--size', 'huge'])).toThrow(TrainUsageError);
    // Refused as the command line is read, before any backend starts or data loads (the killed-run test below runs the
    // command itself, whose exit status for a TrainUsageError is 2).
    expect(() => parseTrainArgs(['--backend', 'tpu'])).toThrow(/--backend must be wasm, cpu, webgpu/);
    expect(() => parseTrainArgs(['--no-such-flag'])).toThrow(TrainUsageError);
  });

  it('continues a killed run from its last checkpoint with the same iteration and optimiser state', async () => {
    // The reference: one uninterrupted run.
    const result = await whole();
    expect(result.iteration).toBe(8); // 16 windows / (batch 2 x ratio 2) = 4 iterations per epoch, 2 epochs
    const reference = lossesByIteration(result.out);
    await onOneThread(async () => {
      // The same run, killed (SIGKILL: no chance to save) once a checkpoint past iteration 2 exists.
      const killed = join(tempDir(), 'killed');
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/train.ts', '--out', killed, '--checkpoint-every', '1', ...TINY], {
        cwd: ROOT,
        stdio: 'ignore',
      });
      const exited = new Promise<void>((done) => child.on('exit', () => done()));
      const deadline = Date.now() + 90_000;
      while (checkpointIteration(killed) < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      child.kill('SIGKILL');
      await exited;
      const resumedAt = checkpointIteration(killed);
      expect(resumedAt).toBeGreaterThanOrEqual(3);
      expect(resumedAt).toBeLessThan(8);

      const lines: string[] = [];
      const after = await train(parseTrainArgs(['--out', killed, ...TINY]), (l) => lines.push(l));
      expect(lines.some((l) => l.includes(`resumed from checkpoint at epoch ${Math.floor(resumedAt / 4)}, iteration ${resumedAt}`))).toBe(
        true,
      );
      expect(after.iteration).toBe(8);
      // Every iteration after the checkpoint trains exactly as in the uninterrupted run: weights, optimiser
      // moments, batch order and noise were all restored (fresh Adam moments would change these losses).
      const resumed = lossesByIteration(killed);
      for (let i = resumedAt + 1; i <= 8; i++) {
        const a = reference.get(i);
        const b = resumed.get(i);
        expect(a && b, `iteration ${i} logged in both runs`).toBeTruthy();
        expect(b!.criticLoss).toBeCloseTo(a!.criticLoss, 4);
        expect(b!.generatorLoss).toBeCloseTo(a!.generatorLoss, 4);
        expect(b!.wasserstein).toBeCloseTo(a!.wasserstein, 4);
      }
      expect(existsSync(join(killed, 'model', 'model.json'))).toBe(true);
    });
  });

  it('trains through the training driver: the lines print its figures, windows per second as batch size x update ratio', async () => {
    const run = vi.spyOn(TrainingDriver.prototype, 'run');
    const record = vi.spyOn(TrainingDriver.prototype, 'record');
    const lines: string[] = [];
    let runs: number;
    let reports: IterationReport[];
    try {
      await withThreads('2', () =>
        train(parseTrainArgs(['--out', join(tempDir(), 'driven'), ...TINY, '--epochs', '1']), (l) => lines.push(l)),
      );
    } finally {
      // Restoring a spy clears what it saw, so that is read first.
      runs = run.mock.calls.length;
      reports = record.mock.results.map((r) => r.value as IterationReport);
      run.mockRestore();
      record.mockRestore();
    }
    expect(runs).toBe(1);
    expect(reports.map((r) => [r.epoch, r.iteration])).toEqual([
      [1, 1],
      [1, 2],
      [1, 3],
      [1, 4],
    ]);
    // Batch 2 x update ratio 2: 4 windows an iteration; the first iteration's rate is its own.
    expect(reports[0].samplesPerSecond).toBeCloseTo(4 / Math.max(reports[0].seconds, 1e-6), 6);
    const printed = lines.filter((l) => l.startsWith('epoch '));
    expect(printed).toHaveLength(4);
    // 16 windows: 15 trained on, 1 held out and the network measured on it at the epoch's end.
    expect(lines.some((l) => l.includes('; 15 windows (1 more held out);'))).toBe(true);
    // Batch 2 on two threads: one replica of the model on each, each on its half of the batch.
    expect(lines.some((l) => l.includes('training on 2 threads (one replica each)'))).toBe(true);
    expect(lines.filter((l) => l.startsWith('held-out '))).toEqual([
      expect.stringMatching(
        /^held-out after epoch 1 \(1 window, network before decoding\): voice cross-entropy \d+\.\d{3} {2}best pitch in key [\d.]+ \(real [\d.]+\) {2}raw rests [\d.]+ \(real [\d.]+\) {2}raw polyphony [\d.]+ \(real [\d.]+\) {2}\d+ ms$/,
      ),
    ]);
    printed.forEach((line, i) => {
      expect(line).toContain(`iteration ${i + 1}/4 `);
      expect(line).toContain(`  ${reports[i].samplesPerSecond.toFixed(1)} samples/s  ${Math.round(reports[i].secondsLeft)} s left`);
    });
  });

  it('refuses to resume a checkpoint with other settings', async () => {
    const { out } = await whole();
    await onOneThread(() =>
      expect(train(parseTrainArgs(['--out', out, ...TINY, '--learning-rate', '0.01']), () => undefined)).rejects.toThrow(/learningRate/),
    );
  });

  it('starts a voice-context run from a model without voice context, as that model, and refuses a folder without a model', async () => {
    const { out } = await whole();
    const options = parseTrainArgs([
      '--out',
      join(tempDir(), 'context'),
      ...TINY,
      '--voice-context',
      '--init-from',
      join(out, 'model'),
      '--max-iterations',
      '1',
    ]);
    expect(options.hyper.voiceContext).toBe(true);
    expect(options.initFrom).toBe(join(out, 'model'));
    const lines: string[] = [];
    await onOneThread(() => train(options, (line) => lines.push(line)));
    expect(lines.join('\n')).toMatch(/starting from the model in .*model/);
    const missing = parseTrainArgs(['--out', join(tempDir(), 'none'), ...TINY, '--init-from', join(out, 'no-such-model')]);
    await onOneThread(() => expect(train(missing, () => undefined)).rejects.toThrow(/No model to start from in .*no-such-model/));
  });
});
