/**
 * The page with the worker: train a tiny model on a tiny JSB set, accompany an uploaded melody, play every
 * track, export the result and read it back, and find the trained model again after a reload.
 *
 * Training is slow, so it runs once, in the set-up: one page uploads the melody, trains, accompanies and
 * closes once the page memory holds the result. Each test then opens a page of its own: in the set-up's
 * browser context it finds the trained model and the accompaniment there, as after a reload; a test that
 * changes what is kept (mute, loop) puts it back before it closes its page.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Midi } from '@tonejs/midi';
import type { Page } from 'playwright-core';
import { openPageSession, savedPageMemory, screenshot, waitUntil, type AppPage, type PageSession } from './harness';
import { MELODY, MELODY_BEATS, multiTrackMidi, tinyJsbJson } from './page-fixtures';
import { JSB_DATASET_URL } from '../../src/data/jsbDownload';

const SECONDS_PER_BEAT = 0.5;
const TRACKS = 4;

/** What the set-up's page showed when its training run ended. */
interface TrainingOutcome {
  downloads: number;
  state: string | null;
  epoch: number;
  lossPoints: number;
  snapshots: number;
  origin: string | null;
  errors: string[];
  /** Threads the run trained on (one replica of the model each) and the progress line that says so. */
  trainingThreads: number;
  progressText: string | null;
}

const origin = (page: Page) => page.getByTestId('model-label').getAttribute('data-origin');

describe('the page: train, accompany, play, export, reload', () => {
  let session: PageSession;
  let jsbRequests = 0;
  let trained: TrainingOutcome;

  beforeAll(async () => {
    session = await openPageSession((context) =>
      context.route(JSB_DATASET_URL, (route) => {
        jsbRequests++;
        return route.fulfill({ status: 200, contentType: 'application/json', body: tinyJsbJson(2) });
      }),
    );
    const { page, errors } = session;
    const attribute = (testId: string, name: string) => () => page.getByTestId(testId).getAttribute(name);
    await waitUntil('engine', attribute('backend-label', 'data-backend'), (backend) => Boolean(backend), 180_000);
    await page
      .getByTestId('melody-file-input')
      .setInputFiles({ name: 'two tracks.mid', mimeType: 'audio/midi', buffer: Buffer.from(multiTrackMidi()) });
    await page.getByTestId('track-use-button').click();
    await waitUntil(
      'melody',
      () => page.getByTestId('melody-name').textContent(),
      (name) => Boolean(name?.includes('Lead')),
    );

    await page.getByTestId('epochs-input').fill('1');
    await page.getByTestId('learning-rate-input').fill('0.001');
    await page.getByTestId('update-ratio-input').fill('1');
    await page.getByTestId('batch-size-input').fill('2');
    await page.getByTestId('model-size-select').selectOption('4');
    await page.getByTestId('train-button').click();
    await waitUntil('first iteration', attribute('training-progress', 'data-iteration'), (iteration) => iteration !== '0', 300_000);
    const trainingThreads = Number(await page.getByTestId('training-progress').getAttribute('data-threads'));
    const progressText = await page.getByTestId('training-progress').textContent();
    await waitUntil('training', attribute('training-progress', 'data-state'), (state) => state === 'done', 400_000);
    await waitUntil('snapshots', attribute('snapshot-list', 'data-count'), (count) => Number(count) > 0, 120_000);
    await waitUntil(
      'trained model in use',
      () => origin(page),
      (from) => from === 'trained',
      60_000,
    );
    const progress = page.getByTestId('training-progress');
    trained = {
      downloads: jsbRequests,
      state: await progress.getAttribute('data-state'),
      epoch: Number(await progress.getAttribute('data-epoch')),
      lossPoints: Number(await page.getByTestId('loss-chart').getAttribute('data-points')),
      snapshots: Number(await page.getByTestId('snapshot-list').getAttribute('data-count')),
      origin: await origin(page),
      errors,
      trainingThreads,
      progressText,
    };
    await screenshot(page, 'page-trained');

    await page.getByTestId('generate-button').click();
    await waitUntil(
      'accompaniment',
      () => page.getByTestId('track-row').count(),
      (rows) => rows >= TRACKS,
      300_000,
    );
    // The page saves its memory shortly after a change: close it only once the accompaniment is kept.
    await waitUntil(
      'saved accompaniment',
      () => savedPageMemory(page),
      (saved) => saved?.hasResult === true,
      30_000,
    );
    await page.close();
  }, 1_200_000);
  afterAll(() => session?.close());

  /** A page of its own in the set-up's context, once it shows the trained model and the accompaniment. */
  async function openTrainedPage(): Promise<AppPage> {
    const opened = await session.openPage();
    await expect.poll(() => origin(opened.page), { timeout: 180_000 }).toBe('trained');
    await expect.poll(() => opened.page.getByTestId('track-row').count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(TRACKS);
    return opened;
  }

  it('refuses invalid settings with a message at the field, and takes them once corrected', async () => {
    // Storage of its own: the invalid settings are kept by the page, and must not reach the other tests.
    const { page, errors, close } = await session.openPage({ ownStorage: true });
    try {
      await expect.poll(() => page.getByTestId('backend-label').getAttribute('data-backend'), { timeout: 180_000 }).not.toBe('');
      await page.getByTestId('epochs-input').fill('0');
      await expect.poll(() => page.getByTestId('epochs-error').textContent()).toContain('at least 1');
      expect(await page.getByTestId('train-button').isDisabled()).toBe(true);
      await page.getByTestId('learning-rate-input').fill('abc');
      await expect.poll(() => page.getByTestId('learningRate-error').textContent()).toContain('must be a number');
      await screenshot(page, 'page-invalid-settings');

      await page.getByTestId('epochs-input').fill('1');
      await page.getByTestId('learning-rate-input').fill('0.001');
      await expect.poll(() => page.getByTestId('train-button').isDisabled()).toBe(false);
      expect(await page.getByTestId('epochs-error').count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('trains a tiny model for one epoch on the chorales, downloaded once (the set-up’s run)', () => {
    expect(trained).toEqual({
      downloads: 1,
      state: 'done',
      epoch: 1,
      lossPoints: expect.any(Number),
      snapshots: expect.any(Number),
      origin: 'trained',
      errors: [],
      trainingThreads: expect.any(Number),
      progressText: expect.any(String),
    });
    // WebAssembly trains one replica of the model per core, each on its share of the batch (of 2 here).
    const cores = Math.min(2, availableParallelism());
    expect(trained.trainingThreads).toBe(cores);
    if (cores > 1) expect(trained.progressText).toContain(`windows/s on ${cores} threads`);
    expect(trained.lossPoints).toBeGreaterThan(0);
    expect(trained.snapshots).toBeGreaterThan(0);
  });

  it('plays every track of the accompaniment, and a muted track leaves the schedule', async () => {
    const { page, errors, close } = await openTrainedPage();
    try {
      // Looping keeps the transport running for the mute check below.
      await page.getByTestId('loop-checkbox').check();
      await page.getByTestId('play-button').click();
      await expect.poll(() => page.getByTestId('transport').getAttribute('data-transport-state'), { timeout: 60_000 }).toBe('playing');
      const counts = await page
        .getByTestId('track-row')
        .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-scheduled-notes'))));
      expect(counts[0]).toBe(MELODY.length);
      for (const count of counts) expect(count).toBeGreaterThan(0);
      await screenshot(page, 'page-accompanied');

      // Muting a track takes its notes off the schedule; the others keep theirs.
      await page.getByTestId('mute-checkbox').nth(1).check();
      await expect.poll(() => page.getByTestId('track-row').nth(1).getAttribute('data-scheduled-notes')).toBe('0');
      expect(Number(await page.getByTestId('track-row').nth(0).getAttribute('data-scheduled-notes'))).toBe(MELODY.length);
      expect(errors).toEqual([]);
    } finally {
      // The mixer and the loop are kept by the page: leave them as the set-up left them.
      await page.getByTestId('mute-checkbox').nth(1).uncheck();
      await page.getByTestId('stop-button').click();
      await page.getByTestId('loop-checkbox').uncheck();
      await expect
        .poll(
          async () => {
            const saved = await savedPageMemory(page);
            return saved !== null && !saved.loop && saved.muted.every((muted) => !muted);
          },
          { timeout: 10_000 },
        )
        .toBe(true);
      await close();
    }
  });

  it('exports melody and accompaniment as a multi-track MIDI file', async () => {
    const { page, errors, close } = await openTrainedPage();
    try {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-midi-button').click()]);
      const midi = new Midi(readFileSync((await download.path())!));
      const withNotes = midi.tracks.filter((t) => t.notes.length > 0);
      expect(withNotes.length).toBeGreaterThanOrEqual(TRACKS);
      const melody = midi.tracks[0].notes.map((n) => [n.midi, Math.round(n.time * 1000), Math.round(n.duration * 1000)]);
      expect(melody).toEqual(MELODY.map((n) => [n.pitch, n.beat * 500, n.beats * 500]));
      // Every channel is its own, so each part keeps its instrument.
      expect(new Set(midi.tracks.map((t) => t.channel)).size).toBe(midi.tracks.length);
      const melodyEnd = MELODY_BEATS * SECONDS_PER_BEAT;
      const accompaniment = midi.tracks.slice(1).flatMap((t) => t.notes);
      const lastEnd = Math.max(...accompaniment.map((n) => n.time + n.duration));
      // The whole melody is accompanied, not only its first two bars (4 s here): notes sound in its last bars.
      expect(lastEnd).toBeGreaterThan(melodyEnd - 4 * SECONDS_PER_BEAT * 2);
      expect(accompaniment.some((n) => n.time >= melodyEnd / 2)).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('keeps the trained model, the melody, the result and the settings for a new page, which writes a variation', async () => {
    const { page, errors, close } = await session.openPage();
    try {
      await expect.poll(() => origin(page), { timeout: 180_000 }).toBe('trained');
      expect(await page.getByTestId('melody-name').textContent()).toContain('Lead');
      expect(await page.getByTestId('track-row').count()).toBeGreaterThanOrEqual(TRACKS);
      expect(await page.getByTestId('epochs-input').inputValue()).toBe('1');
      // Another variation of the accompaniment, drawn with the melody: more notes than the melody's own.
      const caption = page.locator('.listen .roll-toolbar figcaption');
      const kept = await caption.textContent();
      expect(kept).toMatch(/accompaniment, variation \d+/);
      await page.getByTestId('variation-button').click();
      await expect.poll(() => caption.textContent(), { timeout: 300_000 }).not.toBe(kept);
      expect(await caption.textContent()).toMatch(/accompaniment, variation \d+/);
      expect(Number(await page.getByTestId('piano-roll-canvas').getAttribute('data-notes'))).toBeGreaterThan(MELODY.length);
      await screenshot(page, 'page-after-reload');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
