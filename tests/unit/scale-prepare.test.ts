/** `npm run scale -- prepare`: the run folder the PyTorch trainer reads (scripts/scale.ts). */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { exportModel } from '../../src/model/io';
import { GanEngine } from '../../src/model/gan';
import { readModelDir, writeModelDir } from '../../scripts/lib/modelDir';
import { prepare } from '../../scripts/scale';
import { loadWindows, parseTrainArgs, TrainUsageError } from '../../scripts/train';

const dir = mkdtempSync(join(tmpdir(), 'cantus-prepare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const quiet = () => {};

describe('npm run scale -- prepare', () => {
  it('writes the windows npm run train would train on, run.json and a first training state', async () => {
    const out = join(dir, 'new');
    const args = ['--out', out, '--size', 'tiny', '--limit-windows', '6', '--batch-size', '2', '--seed', '9'];
    expect(await prepare(args, quiet)).toEqual({ windows: 6, iteration: 0 });
    const expected = loadWindows(parseTrainArgs(args).run);
    expect(JSON.parse(readFileSync(join(out, 'windows.json'), 'utf8'))).toMatchObject({ count: 6, steps: 32, tracks: 4 });
    expect(new Int8Array(readFileSync(join(out, 'windows.bin')).buffer.slice(0))).toEqual(expected.data);
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'))).toMatchObject({ windows: 6, limitWindows: 6 });
    const manifest = JSON.parse(readModelDir(join(out, 'checkpoint')).modelJson) as { config: { seed: number; baseWidth: number } };
    expect(manifest).toHaveProperty('optimizers');
    expect(manifest.config).toMatchObject({ seed: 9, baseWidth: 4, batchSize: 2 });
    // Again on the same folder: the checkpoint is kept (resumed), other data is refused as npm run train refuses it.
    expect(await prepare(args, quiet)).toEqual({ windows: 6, iteration: 0 });
    await expect(prepare([...args.slice(0, 4), '--limit-windows', '5'], quiet)).rejects.toThrow(/holds a run on other data/);
    // A generator with voice context (7 input planes) goes too: the PyTorch trainer has it.
    const context = join(dir, 'context');
    expect(await prepare(['--out', context, ...args.slice(2), '--voice-context'], quiet)).toEqual({ windows: 6, iteration: 0 });
    const contextManifest = JSON.parse(readModelDir(join(context, 'checkpoint')).modelJson) as {
      config: { voiceContext: boolean };
      generator: { weights: { name: string; shape: number[] }[] };
    };
    expect(contextManifest.config.voiceContext).toBe(true);
    expect(contextManifest.generator.weights.find((w) => w.name === 'd1_conv/kernel')?.shape).toEqual([4, 4, 7, 4]);
  });

  it('starts from a model saved by the page, keeping its settings and counters', async () => {
    const engine = GanEngine.create({ baseWidth: 4, seed: 3 });
    engine.iteration = 7;
    writeModelDir(join(dir, 'page'), await exportModel(engine));
    engine.dispose();
    const out = join(dir, 'from');
    expect(await prepare(['--out', out, '--limit-windows', '4', '--from', join(dir, 'page')], quiet)).toEqual({ windows: 4, iteration: 7 });
    expect(existsSync(join(out, 'checkpoint', 'model.json'))).toBe(true);
    await expect(prepare(['--out', join(dir, 'x'), '--from', join(dir, 'page'), '--epochs', '3'], quiet)).rejects.toThrow(TrainUsageError);
    await expect(prepare(['--out', join(dir, 'y'), '--from', join(dir, 'missing')], quiet)).rejects.toThrow(/No model in/);
  });
});
