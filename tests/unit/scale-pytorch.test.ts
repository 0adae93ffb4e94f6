/**
 * The PyTorch trainer (scale/): runs its Python tests (tests/scale/test_scale.py) against what TF.js computes here
 * (tests/scale/reference.ts): networks and one training iteration equal TF.js's, two torchrun processes equal one,
 * a model saved by the page resumes training there; then loads the model it trained as the page does and checks
 * that it writes what PyTorch computed and accompanies. Needs Debian's python3-torch (CANTUS_PYTHON names another
 * interpreter); without it these tests are skipped, and say so.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { importModel } from '../../src/model/io';
import { startWasmBackendInNode } from '../../src/model/wasm/node';
import { cellIndex, PITCHES } from '../../src/music/pianoRoll';
import { readModelDir } from '../../scripts/lib/modelDir';
import { writeReference } from '../scale/reference';
import { melodyRoll } from './model-fixtures';

const ROOT = resolve(import.meta.dirname, '../..');
const PYTHON = process.env.CANTUS_PYTHON ?? '/usr/bin/python3';

function torchMissing(): string | null {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status === 0) return null;
  return `SKIPPED: ${PYTHON} cannot import torch, so the PyTorch trainer (scale/) is not tested; install Debian's python3-torch (apt-get install python3-torch), or set CANTUS_PYTHON to a Python that has it`;
}

const missing = torchMissing();
if (missing !== null) console.warn(missing);

describe.skipIf(missing !== null)('the PyTorch trainer (scale/)', () => {
  let fixtures = '';
  let out = '';
  beforeAll(async () => {
    await startWasmBackendInNode(1);
    fixtures = mkdtempSync(join(tmpdir(), 'cantus-scale-'));
    out = mkdtempSync(join(tmpdir(), 'cantus-scale-out-'));
    await writeReference(fixtures);
  }, 300_000);
  afterAll(async () => {
    for (const dir of [fixtures, out]) if (dir) rmSync(dir, { recursive: true, force: true });
    await tf.setBackend('cpu');
  });

  /** The Python tests, run once for the tests below (they train the model the second one reads), in any order. */
  let python: SpawnSyncReturns<string> | undefined;
  function pythonTests(): SpawnSyncReturns<string> {
    python ??= spawnSync(PYTHON, ['-m', 'unittest', 'discover', '-s', 'tests/scale', '-v'], {
      cwd: ROOT,
      env: { ...process.env, CANTUS_SCALE_FIXTURES: fixtures, CANTUS_SCALE_OUT: out },
      encoding: 'utf8',
      // Seconds on an idle machine; minutes when many jobs share two cores.
      timeout: 840_000,
    });
    return python;
  }

  it('equals TF.js (forward, seeds, one iteration), trains on two processes as on one, and resumes a page model', () => {
    const run = pythonTests();
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stderr).toMatch(/Ran 9 tests/);
    expect(run.stderr).not.toMatch(/skipped/);
  }, 900_000);

  it('a model trained with PyTorch loads as the page loads it, writes what PyTorch computed and accompanies', async () => {
    const run = pythonTests();
    expect(run.status, 'the Python tests, which train the model read here, failed: see the test above').toBe(0);
    const engine = await importModel(readModelDir(join(out, 'run', 'model')));
    try {
      const reference = JSON.parse(readFileSync(join(fixtures, 'forward.json'), 'utf8')) as { melody: number[]; noise: number[] };
      const torchOutput = JSON.parse(readFileSync(join(out, 'torch-forward.json'), 'utf8')) as number[];
      const ours = await engine.generateWindows(Int8Array.from(reference.melody), Float32Array.from(reference.noise));
      expect(ours.length).toBe(torchOutput.length);
      // float32 on both sides, different kernels: equal to rounding (see tests/scale/test_scale.py).
      expect(Math.max(...ours.map((v, i) => Math.abs(v - torchOutput[i])))).toBeLessThan(1e-5);

      const melody = melodyRoll(64, 72);
      const result = await engine.accompany(melody, 3);
      expect(result.tracks.map((t) => t.name)).toEqual(['Melody', 'Alto', 'Tenor', 'Bass']);
      for (let track = 1; track < 4; track++) {
        let sounding = 0;
        for (let step = 0; step < result.steps; step++) {
          for (let pitch = 0; pitch < PITCHES; pitch++) sounding += result.active[cellIndex(result, step, pitch, track)];
        }
        expect(sounding).toBeGreaterThan(0);
      }
    } finally {
      engine.dispose();
    }
  });
});

describe.skipIf(missing === null)('the PyTorch trainer (scale/), without PyTorch', () => {
  it.skip(missing ?? '', () => {});
});
