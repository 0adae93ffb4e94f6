/**
 * Models as things the user keeps: the pretrained default is always in the picker, a training run adds its own
 * entry (it never replaces the default), and after a reload the picker, the kept model, its curves and its
 * snapshots are all back. Snapshots play in the training panel without losing the accompaniment.
 *
 * The set-up trains once, on the session's page, which the test of the training run's entry and charts reads
 * and no other test touches. The other tests open pages of their own: a first visit in storage of its own, the
 * rest in the set-up's context, where the trained model is kept; the one that changes the model in use puts
 * the trained one back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { openPageSession, savedPageMemory, screenshot, waitForDefaultModel, waitUntil, type PageSession } from './harness';
import { MELODY, multiTrackMidi, tinyJsbJson } from './page-fixtures';
import { JSB_DATASET_URL } from '../../src/data/jsbDownload';

const origin = (page: Page) => page.getByTestId('model-label').getAttribute('data-origin');
const count = async (page: Page, testId: string, attribute: string) => Number(await page.getByTestId(testId).getAttribute(attribute));

/** The names of the models the training worker keeps in this browser's IndexedDB (none when it has no database yet). */
const savedModelNames = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<string[]>((resolve) => {
        const request = indexedDB.open('cantus-trainer');
        request.onupgradeneeded = () => request.transaction?.abort();
        request.onerror = () => resolve([]);
        request.onsuccess = () => {
          const db = request.result;
          if (!db.objectStoreNames.contains('models')) {
            db.close();
            resolve([]);
            return;
          }
          const keys = db.transaction('models').objectStore('models').getAllKeys();
          keys.onsuccess = () => {
            db.close();
            resolve(keys.result.map(String));
          };
          keys.onerror = () => {
            db.close();
            resolve([]);
          };
        };
      }),
  );

describe('kept models, their curves and snapshots', () => {
  let session: PageSession;
  let trainedId = '';

  beforeAll(async () => {
    session = await openPageSession((context) =>
      context.route(JSB_DATASET_URL, (route) => route.fulfill({ status: 200, contentType: 'application/json', body: tinyJsbJson(2) })),
    );
    const { page } = session;
    await waitUntil(
      'default model',
      () => origin(page),
      (from) => from === 'default',
      180_000,
    );
    await page
      .getByTestId('melody-file-input')
      .setInputFiles({ name: 'kept.mid', mimeType: 'audio/midi', buffer: Buffer.from(multiTrackMidi()) });
    await page.getByTestId('track-use-button').click();
    await page.getByTestId('epochs-input').fill('1');
    await page.getByTestId('update-ratio-input').fill('1');
    await page.getByTestId('batch-size-input').fill('2');
    await page.getByTestId('model-size-select').selectOption('4');
    await page.getByTestId('train-button').click();
    await waitUntil(
      'training',
      () => page.getByTestId('training-progress').getAttribute('data-state'),
      (state) => state === 'done',
      400_000,
    );
    await waitUntil(
      'trained model listed',
      () => count(page, 'model-select', 'data-count'),
      (models) => models === 2,
      60_000,
    );
    trainedId = await page.getByTestId('model-select').inputValue();
    await waitUntil(
      'metrics',
      () => count(page, 'metrics-chart', 'data-points'),
      (points) => points > 0,
      60_000,
    );
    await waitUntil(
      'snapshots',
      () => count(page, 'snapshot-list', 'data-count'),
      (snapshots) => snapshots > 0,
      60_000,
    );
    await waitUntil(
      'trained model kept',
      () => savedPageMemory(page),
      (saved) => saved?.activeModelId === trainedId,
      30_000,
    );
  }, 900_000);
  afterAll(() => session?.close());

  it('starts with the pretrained default only, and small empty charts', async () => {
    const { page, errors, close } = await session.openPage({ ownStorage: true });
    try {
      await expect.poll(() => origin(page), { timeout: 180_000 }).toBe('default');
      expect(await count(page, 'model-select', 'data-count')).toBe(1);
      expect(await page.getByTestId('model-select').inputValue()).toBe('default');
      // Before training a chart is one line of text, not an empty canvas.
      const empty = await page.getByTestId('loss-chart').boundingBox();
      expect(empty!.height).toBeLessThan(60);
      expect(await page.locator('.chart-host').count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('adds a trained model as a new entry, with labelled charts that show their latest values', async () => {
    // The page that trained, as the set-up left it.
    const { page, errors } = session;
    expect(trainedId).toMatch(/^cantus-trained-\d+$/);
    expect(await page.getByTestId('model-select').inputValue()).toBe(trainedId);
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
    // One small chart per measure, each with generated (solid) and data (dashed) lines and what it means.
    expect(await count(page, 'metrics-chart', 'data-points')).toBeGreaterThan(0);
    const metricCharts = page.getByTestId('metrics-chart').locator('figure.chart');
    expect(await metricCharts.count()).toBeGreaterThanOrEqual(4);
    expect(await metricCharts.first().locator('.key-help').textContent()).toMatch(/better|good/);
    expect(await metricCharts.first().locator('.chart-host').getAttribute('aria-label')).toMatch(
      /After epoch 1: generated [\d.]+, training data [\d.]+/,
    );
    expect(await count(page, 'snapshot-list', 'data-count')).toBeGreaterThan(0);
    await page.getByTestId('training-progress').scrollIntoViewIfNeeded();
    await screenshot(page, 'page-1280-trained');
    expect(errors).toEqual([]);
  });

  it('plays a snapshot in the training panel, on the melody’s pitch range, then goes back to the accompaniment', async () => {
    const { page, errors, close } = await session.openPage();
    try {
      await expect.poll(() => origin(page), { timeout: 180_000 }).toBe('trained');
      await page.getByTestId('generate-button').click();
      await expect.poll(() => page.getByTestId('track-row').count(), { timeout: 300_000 }).toBe(4);
      const caption = page.locator('.listen .roll-toolbar figcaption');
      const accompaniment = await caption.textContent();
      expect(accompaniment).toContain('accompaniment');

      await page.getByTestId('snapshot-1').click();
      await expect.poll(() => page.getByTestId('snapshot-player').isVisible()).toBe(true);
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
      // Space pauses the snapshot where it is; the snapshot stays open.
      await expect.poll(() => page.getByTestId('snapshot-play-button').textContent(), { timeout: 60_000 }).toContain('Pause');
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.keyboard.press('Space');
      await expect.poll(() => page.getByTestId('snapshot-play-button').textContent()).toContain('Play snapshot');
      expect(await page.getByTestId('snapshot-player').isVisible()).toBe(true);

      await page.getByTestId('back-to-accompaniment').click();
      await expect.poll(() => page.getByTestId('snapshot-player').count()).toBe(0);
      expect(await caption.textContent()).toBe(accompaniment);
      // The player holds the accompaniment again: playing schedules the melody's own notes on track 1.
      await page.getByTestId('loop-checkbox').check();
      await page.getByTestId('play-button').click();
      await expect.poll(() => page.getByTestId('transport').getAttribute('data-transport-state'), { timeout: 60_000 }).toBe('playing');
      expect(Number(await page.getByTestId('track-row').nth(0).getAttribute('data-scheduled-notes'))).toBe(MELODY.length);
      await page.getByTestId('stop-button').click();
      await page.getByTestId('loop-checkbox').uncheck();
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('after a reload, keeps the picker, the trained model in use, and its curves and snapshots', async () => {
    const { page, errors, close } = await session.openPage();
    try {
      await expect.poll(() => origin(page), { timeout: 180_000 }).toBe('trained');
      expect(await count(page, 'model-select', 'data-count')).toBe(2);
      expect(await page.getByTestId('model-select').inputValue()).toBe(trainedId);
      expect(await count(page, 'loss-chart', 'data-points')).toBeGreaterThan(0);
      expect(await count(page, 'metrics-chart', 'data-points')).toBeGreaterThan(0);
      expect(await count(page, 'snapshot-list', 'data-count')).toBeGreaterThan(0);
      expect(await page.getByTestId('training-progress').textContent()).toContain('Showing how');

      // The default is one choice away, and the trained model comes back as it was.
      await page.getByTestId('model-select').selectOption('default');
      await expect.poll(() => origin(page), { timeout: 120_000 }).toBe('default');
      expect(await count(page, 'loss-chart', 'data-points')).toBe(0);
      await page.getByTestId('model-select').selectOption(trainedId);
      await expect.poll(() => origin(page), { timeout: 120_000 }).toBe('trained');
      expect(await count(page, 'loss-chart', 'data-points')).toBeGreaterThan(0);
      expect(errors).toEqual([]);
    } finally {
      // The model in use is kept by the page: leave the trained one in use, as the set-up did.
      await page.getByTestId('model-select').selectOption(trainedId);
      await expect.poll(async () => (await savedPageMemory(page))?.activeModelId, { timeout: 10_000 }).toBe(trainedId);
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
