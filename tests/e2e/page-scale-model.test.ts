/**
 * A model trained by the PyTorch trainer (scale/train.py) goes back to the page: its files load as a new model and
 * it accompanies an uploaded melody. The set-up trains the pretrained default model (voice context: its generator
 * reads the voices, and the page samples with it) one more iteration with PyTorch.
 * Needs Debian's python3-torch (CANTUS_PYTHON names another interpreter); without it the test is skipped, and says so.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Midi } from '@tonejs/midi';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { writeWindows } from '../../scripts/scale';
import { readModelDir, writeModelDir } from '../../scripts/lib/modelDir';
import { syntheticWindows } from '../unit/model-fixtures';
import { openPageSession, waitForDefaultModel, type PageSession } from './harness';
import { MELODY, multiTrackMidi } from './page-fixtures';

const PYTHON = process.env.CANTUS_PYTHON ?? '/usr/bin/python3';
const DEFAULT_MODEL = join(import.meta.dirname, '../../models/default');
const missing =
  spawnSync(PYTHON, ['-c', 'import torch']).status === 0
    ? null
    : `SKIPPED: ${PYTHON} cannot import torch, so a PyTorch-trained model is not tried in the page; install Debian's python3-torch (apt-get install python3-torch)`;
if (missing !== null) console.warn(missing);

describe.skipIf(missing !== null)('a model trained with PyTorch, in the page', () => {
  let session: PageSession | undefined;
  let page: Page;
  let errors: string[];
  const run = mkdtempSync(join(tmpdir(), 'cantus-scale-page-'));
  let pretrainedIteration = 0;

  beforeAll(async () => {
    writeWindows(run, syntheticWindows(16));
    const pretrained = readModelDir(DEFAULT_MODEL);
    const { config, counters } = JSON.parse(pretrained.modelJson) as {
      config: { voiceContext?: boolean };
      counters: { iteration: number };
    };
    expect(config.voiceContext).toBe(true);
    writeModelDir(join(run, 'checkpoint'), pretrained);
    pretrainedIteration = counters.iteration;
    const next = String(counters.iteration + 1);
    // 16 windows make one iteration an epoch here: --epochs as many as the iterations, so that one more is trained.
    const trained = spawnSync(PYTHON, ['scale/train.py', '--run', run, '--max-iterations', next, '--epochs', next], {
      encoding: 'utf8',
      timeout: 600_000,
    });
    if (trained.status !== 0) throw new Error(`scale/train.py failed:\n${trained.stdout}\n${trained.stderr}`);
    session = await openPageSession();
    ({ page, errors } = session);
  }, 900_000);
  afterAll(async () => {
    await session?.close();
    rmSync(run, { recursive: true, force: true });
  });

  it('loads its files as a new model and accompanies a melody with it', async () => {
    await waitForDefaultModel(page);
    await page.locator('.model-files summary').click();
    await page.getByTestId('model-files-input').setInputFiles([
      { name: 'model.json', mimeType: 'application/json', buffer: readFileSync(join(run, 'model', 'model.json')) },
      { name: 'model.weights.bin', mimeType: 'application/octet-stream', buffer: readFileSync(join(run, 'model', 'model.weights.bin')) },
    ]);
    await expect.poll(() => page.getByTestId('model-label').getAttribute('data-origin'), { timeout: 120_000 }).toBe('files');
    await page
      .getByTestId('melody-file-input')
      .setInputFiles({ name: 'scaled.mid', mimeType: 'audio/midi', buffer: Buffer.from(multiTrackMidi()) });
    await page.getByTestId('track-use-button').click();
    await page.getByTestId('generate-button').click();
    await expect.poll(() => page.getByTestId('track-row').count(), { timeout: 180_000 }).toBe(4);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-midi-button').click()]);
    const midi = new Midi(readFileSync((await download.path())!));
    expect(midi.tracks).toHaveLength(4);
    expect(midi.tracks.every((t) => t.notes.length > 0)).toBe(true);
    expect(midi.tracks[0].notes.map((n) => n.midi)).toEqual(MELODY.map((n) => n.pitch));
    // Trained on: the weights moved, and the files say so.
    const model = JSON.parse(readFileSync(join(run, 'model', 'model.json'), 'utf8')) as {
      config: { voiceContext: boolean };
      counters: { iteration: number };
    };
    expect(model.config.voiceContext).toBe(true);
    expect(model.counters.iteration).toBe(pretrainedIteration + 1);
    expect(readFileSync(join(run, 'model', 'model.weights.bin')).equals(readFileSync(join(DEFAULT_MODEL, 'model.weights.bin')))).toBe(
      false,
    );
    expect(errors).toEqual([]);
  });
});

describe.skipIf(missing === null)('a model trained with PyTorch, in the page, without PyTorch', () => {
  it.skip(missing ?? '', () => {});
});
