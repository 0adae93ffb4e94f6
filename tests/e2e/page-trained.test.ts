/**
 * The page with the worker, and models as things the user keeps: train a tiny model on a tiny JSB set (downloaded
 * once), find it as a new entry beside the pretrained default with its curves and snapshots, accompany an uploaded
 * melody with it, play every track, export the result and read it back, play a snapshot, and find the trained
 * model, its curves, the melody, the result and the settings again after a reload. Models loaded from files come
 * and go; a phone shows it all without sideways scrolling.
 *
 * Training is slow, so it runs once, in the set-up (trained-run.ts), on the session's page, which the test of the
 * run's entry and charts reads and no other test touches. The other tests open pages of their own: a first visit
 * and the model files in storage of their own, the rest in the set-up's context, where the trained model and the
 * accompaniment are kept, as after a reload; a test that changes what is kept (mute, loop, the model in use) puts
 * it back before it closes its page.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Midi } from '@tonejs/midi';
import { savedPageMemory, screenshot, waitForDefaultModel, type AppPage, type PageSession } from './harness';
import { MELODY, MELODY_BEATS } from './page-fixtures';
import { count, origin, savedModelNames, trainOnce, TRACKS, type TrainingOutcome } from './trained-run';

const SECONDS_PER_BEAT = 0.5;

describe('the page: train, keep the model, accompany, play, export, reload', () => {
  let session: PageSession;
  let trained: TrainingOutcome;

  beforeAll(async () => {
    ({ session, trained } = await trainOnce());
  }, 1_200_000);
  afterAll(() => session?.close());

  /** A page of its own in the set-up's context, once it shows the trained model and the accompaniment. */
  async function openTrainedPage(): Promise<AppPage> {
    const opened = await session.openPage();
    await expect.poll(() => origin(opened.page), { timeout: 180_000 }).toBe('trained');
    await expect.poll(() => opened.page.getByTestId('track-row').count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(TRACKS);
    return opened;
  }

  it('starts a first visit with the pretrained default only and small empty charts, and refuses invalid settings at the field', async () => {
    // Storage of its own: a first visit, and the invalid settings kept by the page must not reach the other tests.
    const { page, errors, close } = await session.openPage({ ownStorage: true });
    try {
      await expect.poll(() => origin(page), { timeout: 180_000 }).toBe('default');
      expect(await count(page, 'model-select', 'data-count')).toBe(1);
      expect(await page.getByTestId('model-select').inputValue()).toBe('default');
      // Before training a chart is one line of text, not an empty canvas.
      const empty = await page.getByTestId('loss-chart').boundingBox();
      expect(empty!.height).toBeLessThan(60);
      expect(await page.locator('.chart-host').count()).toBe(0);

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

  it('trains a tiny model for one epoch on the chorales, downloaded once, on every core, with no CSP violation (the set-up’s run)', () => {
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
      trainedId: expect.stringMatching(/^cantus-trained-\d+$/),
      cspReports: [],
    });
    // WebAssembly trains one replica of the model per core, each on its share of the batch (of 2 here).
    const cores = Math.min(2, availableParallelism());
    expect(trained.trainingThreads).toBe(cores);
    if (cores > 1) expect(trained.progressText).toContain(`windows/s on ${cores} threads`);
    expect(trained.lossPoints).toBeGreaterThan(0);
    expect(trained.snapshots).toBeGreaterThan(0);
  });

  it('adds the trained model as a new entry, with labelled charts that show their latest values', async () => {
    // The page that trained, as the set-up left it.
    const { page, errors } = session;
    expect(await page.getByTestId('model-select').inputValue()).toBe(trained.trainedId);
    expect(await origin(page)).toBe('trained');
    const options = await page.getByTestId('model-select').locator('option').allTextContents();
    expect(options[0]).toContain('Pretrained default');
    expect(options[1]).toMatch(/Trained here .*1 epoch/);

    // The loss chart names its axes and shows the latest value of each line without hovering.
    const loss = page.getByTestId('loss-chart');
    expect(await count(page, 'loss-chart', 'data-points')).toBeGreaterThan(0);
    // uPlot draws its axis titles on the canvas; the text alternative names them too.
    expect(await loss.locator('.chart-host').getAttribute('aria-label')).toMatch(
      /^Losses: loss \(WGAN-GP\) by iteration\. After iteration \d+: Critic loss -?[\d.]+, Generator loss -?[\d.]+\.$/,
    );
    for (const value of await loss.locator('.key-value').allTextContents()) expect(Number.isFinite(Number(value))).toBe(true);
    expect(await loss.locator('.key-help').count()).toBe(2);
    // One small chart per measure, each with decoded (solid) and data (dashed) lines and what it means. Two tiny
    // chorales give too few windows to hold any out of training, so the network's own charts say so instead.
    expect(await count(page, 'metrics-chart', 'data-points')).toBeGreaterThan(0);
    expect(await page.getByTestId('held-out-none').count()).toBe(1);
    const metricCharts = page.getByTestId('metrics-chart').locator('figure.chart');
    expect(await metricCharts.count()).toBeGreaterThanOrEqual(4);
    expect(await metricCharts.first().locator('.key-help').textContent()).toMatch(/better|good/);
    expect(await metricCharts.first().locator('.chart-host').getAttribute('aria-label')).toMatch(
      /After epoch 1: decoded accompaniment [\d.]+, training data [\d.]+\. Measured on the decoded accompaniment/,
    );
    expect(await count(page, 'snapshot-list', 'data-count')).toBeGreaterThan(0);
    await page.getByTestId('training-progress').scrollIntoViewIfNeeded();
    await screenshot(page, 'page-1280-trained');
    expect(errors).toEqual([]);
  });

  it('exports melody and accompaniment as a multi-track MIDI file, plays every track, and a muted track leaves the schedule', async () => {
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

      // Looping keeps the transport running for the mute check below.
      await page.getByTestId('loop-checkbox').check();
      await page.getByTestId('play-button').click();
      await expect.poll(() => page.getByTestId('transport').getAttribute('data-transport-state'), { timeout: 60_000 }).toBe('playing');
      const counts = await page
        .getByTestId('track-row')
        .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-scheduled-notes'))));
      expect(counts[0]).toBe(MELODY.length);
      for (const scheduled of counts) expect(scheduled).toBeGreaterThan(0);
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

  it('plays a snapshot in the training panel, on the melody’s pitch range, then goes back to the accompaniment', async () => {
    const { page, errors, close } = await openTrainedPage();
    try {
      const caption = page.locator('.listen .roll-toolbar figcaption');
      const accompaniment = await caption.textContent();
      expect(accompaniment).toContain('accompaniment');

      await page.getByTestId('snapshot-1').click();
      await expect.poll(() => page.getByTestId('snapshot-player').isVisible()).toBe(true);
      // The snapshot plays at once, and Space pauses it where it is (checked first: a snapshot lasts seconds).
      await expect.poll(() => page.getByTestId('snapshot-play-button').textContent(), { timeout: 60_000 }).toContain('Pause');
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.keyboard.press('Space');
      await expect.poll(() => page.getByTestId('snapshot-play-button').textContent()).toContain('Play snapshot');
      expect(await page.getByTestId('snapshot-player').isVisible()).toBe(true);
      expect(await page.getByTestId('snapshot-1').getAttribute('aria-pressed')).toBe('true');
      // The accompaniment is still on the Listen panel, with a way back to it.
      expect(await caption.textContent()).toBe(accompaniment);
      expect(await page.getByTestId('listen-back-button').isVisible()).toBe(true);
      // Drawn on the melody's range (reaching two octaves under it), not C-1 to C9.
      const snapshotCanvas = page.getByTestId('snapshot-roll-canvas');
      const low = Number(await snapshotCanvas.getAttribute('data-range-low'));
      const high = Number(await snapshotCanvas.getAttribute('data-range-high'));
      const melodyHigh = Math.max(...MELODY.map((n) => n.pitch));
      const melodyLow = Math.min(...MELODY.map((n) => n.pitch));
      expect(high).toBeGreaterThanOrEqual(melodyHigh);
      expect(high).toBeLessThanOrEqual(melodyHigh + 24);
      expect(low).toBeLessThanOrEqual(melodyLow - 12);
      expect(high - low).toBeLessThanOrEqual(60);
      await page.getByTestId('snapshot-player').scrollIntoViewIfNeeded();
      await screenshot(page, 'page-1280-snapshot');

      await page.getByTestId('back-to-accompaniment').click();
      await expect.poll(() => page.getByTestId('snapshot-player').count()).toBe(0);
      expect(await caption.textContent()).toBe(accompaniment);
      // The player holds the accompaniment again: playing schedules the melody's own notes on track 1.
      await page.getByTestId('play-button').click();
      await expect.poll(() => page.getByTestId('transport').getAttribute('data-transport-state'), { timeout: 60_000 }).toBe('playing');
      expect(Number(await page.getByTestId('track-row').nth(0).getAttribute('data-scheduled-notes'))).toBe(MELODY.length);
      await page.getByTestId('stop-button').click();
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('keeps the trained model, its curves and snapshots, the melody, the result and the settings for a new page, which writes a variation', async () => {
    const { page, errors, close } = await session.openPage();
    try {
      await expect.poll(() => origin(page), { timeout: 180_000 }).toBe('trained');
      expect(await count(page, 'model-select', 'data-count')).toBe(2);
      expect(await page.getByTestId('model-select').inputValue()).toBe(trained.trainedId);
      expect(await count(page, 'loss-chart', 'data-points')).toBeGreaterThan(0);
      expect(await count(page, 'metrics-chart', 'data-points')).toBeGreaterThan(0);
      expect(await count(page, 'snapshot-list', 'data-count')).toBeGreaterThan(0);
      expect(await page.getByTestId('training-progress').textContent()).toContain('Showing how');
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

      // The default is one choice away, and the trained model comes back as it was.
      await page.getByTestId('model-select').selectOption('default');
      await expect.poll(() => origin(page), { timeout: 120_000 }).toBe('default');
      expect(await count(page, 'loss-chart', 'data-points')).toBe(0);
      await page.getByTestId('model-select').selectOption(trained.trainedId);
      await expect.poll(() => origin(page), { timeout: 120_000 }).toBe('trained');
      expect(await count(page, 'loss-chart', 'data-points')).toBeGreaterThan(0);
      expect(errors).toEqual([]);
    } finally {
      // The model in use is kept by the page: leave the trained one in use, as the set-up did.
      await page.getByTestId('model-select').selectOption(trained.trainedId);
      await expect.poll(async () => (await savedPageMemory(page))?.activeModelId, { timeout: 10_000 }).toBe(trained.trainedId);
      await close();
    }
  });

  it('loads a model from files as a new entry, and Forget, once confirmed, removes it from the list and from the browser’s storage', async () => {
    // Storage of its own: the entry comes and goes without touching the trained model the other tests keep.
    const { page, errors, close } = await session.openPage({ ownStorage: true });
    try {
      await waitForDefaultModel(page);
      await page.locator('.model-files summary').click();
      await page.getByTestId('model-files-input').setInputFiles([
        { name: 'model.json', mimeType: 'application/json', buffer: readFileSync('models/default/model.json') },
        { name: 'model.weights.bin', mimeType: 'application/octet-stream', buffer: readFileSync('models/default/model.weights.bin') },
      ]);
      await expect.poll(() => origin(page), { timeout: 120_000 }).toBe('files');
      await expect.poll(() => count(page, 'model-select', 'data-count')).toBe(2);
      const id = await page.getByTestId('model-select').inputValue();
      await expect.poll(() => savedModelNames(page)).toContain(id);

      // Dismissing the question keeps the model; accepting it forgets the model.
      page.once('dialog', (dialog) => void dialog.dismiss());
      await page.getByTestId('forget-model-button').click();
      expect(await count(page, 'model-select', 'data-count')).toBe(2);
      page.once('dialog', (dialog) => {
        expect(dialog.message()).toContain('storage');
        void dialog.accept();
      });
      await page.getByTestId('forget-model-button').click();
      await expect.poll(() => count(page, 'model-select', 'data-count')).toBe(1);
      await expect.poll(() => origin(page), { timeout: 60_000 }).toBe('default');
      await expect.poll(() => savedModelNames(page)).not.toContain(id);
      expect(errors.splice(0)).toEqual([]);
    } finally {
      await close();
    }
  });

  it('shows the kept model and its charts on a phone without sideways scrolling', async () => {
    const { page: phone, errors: phoneErrors, close } = await session.openPage({ viewport: { width: 390, height: 844 } });
    try {
      await expect.poll(() => origin(phone), { timeout: 180_000 }).toBe('trained');
      await expect.poll(() => count(phone, 'loss-chart', 'data-points')).toBeGreaterThan(0);
      const width = await phone.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      expect(width[0]).toBe(width[1]);
      await phone.getByTestId('training-progress').scrollIntoViewIfNeeded();
      await phone.screenshot({
        path: (await screenshot(phone, 'page-390-trained')).replace('page-390-trained', 'page-390-trained-viewport'),
      });
      expect(phoneErrors).toEqual([]);
    } finally {
      await close();
    }
  });
});
