/**
 * The page with the worker: train a tiny model on a tiny JSB set, accompany an uploaded melody, play every
 * track, export the result and read it back, and find the trained model again after a reload.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Midi } from '@tonejs/midi';
import type { Page } from 'playwright-core';
import { openPageSession, screenshot, type PageSession } from './harness';
import { MELODY, MELODY_BEATS, multiTrackMidi, tinyJsbJson } from './page-fixtures';
import { JSB_DATASET_URL } from '../../src/data/jsbDownload';

const SECONDS_PER_BEAT = 0.5;

describe('the page: train, accompany, play, export, reload', () => {
  let session: PageSession;
  let page: Page;
  let errors: string[];
  let jsbRequests = 0;

  beforeAll(async () => {
    session = await openPageSession((context) =>
      context.route(JSB_DATASET_URL, (route) => {
        jsbRequests++;
        return route.fulfill({ status: 200, contentType: 'application/json', body: tinyJsbJson(2) });
      }),
    );
    ({ page, errors } = session);
  });
  afterAll(() => session?.close());

  it('refuses invalid settings with a message at the field, then trains a tiny model for one epoch', async () => {
    await expect.poll(() => page.getByTestId('backend-label').getAttribute('data-backend'), { timeout: 180_000 }).not.toBe('');
    await page.getByTestId('melody-file-input').setInputFiles({ name: 'two tracks.mid', mimeType: 'audio/midi', buffer: Buffer.from(multiTrackMidi()) });
    await page.getByTestId('track-use-button').click();
    await expect.poll(() => page.getByTestId('melody-name').textContent()).toContain('Lead');

    await page.getByTestId('epochs-input').fill('0');
    await expect.poll(() => page.getByTestId('epochs-error').textContent()).toContain('at least 1');
    expect(await page.getByTestId('train-button').isDisabled()).toBe(true);
    await page.getByTestId('learning-rate-input').fill('abc');
    await expect.poll(() => page.getByTestId('learningRate-error').textContent()).toContain('must be a number');
    await screenshot(page, 'page-invalid-settings');

    await page.getByTestId('epochs-input').fill('1');
    await page.getByTestId('learning-rate-input').fill('0.001');
    await page.getByTestId('update-ratio-input').fill('1');
    await page.getByTestId('batch-size-input').fill('2');
    await page.getByTestId('model-size-select').selectOption('4');
    expect(await page.getByTestId('train-button').isDisabled()).toBe(false);
    await page.getByTestId('train-button').click();

    await expect.poll(() => page.getByTestId('training-progress').getAttribute('data-iteration'), { timeout: 300_000 }).not.toBe('0');
    await expect.poll(() => page.getByTestId('training-progress').getAttribute('data-state'), { timeout: 400_000, interval: 2000 }).toBe('done');
    expect(jsbRequests).toBe(1);
    expect(Number(await page.getByTestId('training-progress').getAttribute('data-epoch'))).toBe(1);
    expect(Number(await page.getByTestId('loss-chart').getAttribute('data-points'))).toBeGreaterThan(0);
    await expect.poll(async () => Number(await page.getByTestId('snapshot-list').getAttribute('data-count')), { timeout: 120_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('model-label').getAttribute('data-origin'), { timeout: 60_000 }).toBe('trained');
    await screenshot(page, 'page-trained');
  });

  it('accompanies the whole melody and plays every track', async () => {
    await page.getByTestId('generate-button').click();
    await expect.poll(() => page.getByTestId('track-row').count(), { timeout: 300_000 }).toBeGreaterThanOrEqual(4);
    // Looping keeps the transport running for the mute check below.
    await page.getByTestId('loop-checkbox').check();
    await page.getByTestId('play-button').click();
    await expect.poll(() => page.getByTestId('transport').getAttribute('data-transport-state'), { timeout: 60_000 }).toBe('playing');
    const counts = await page.getByTestId('track-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-scheduled-notes'))));
    expect(counts[0]).toBe(MELODY.length);
    for (const count of counts) expect(count).toBeGreaterThan(0);
    await screenshot(page, 'page-accompanied');

    // Muting a track takes its notes off the schedule; the others keep theirs.
    await page.getByTestId('mute-checkbox').nth(1).check();
    await expect.poll(() => page.getByTestId('track-row').nth(1).getAttribute('data-scheduled-notes')).toBe('0');
    expect(Number(await page.getByTestId('track-row').nth(0).getAttribute('data-scheduled-notes'))).toBe(MELODY.length);
    await page.getByTestId('mute-checkbox').nth(1).uncheck();
    await page.getByTestId('stop-button').click();
    await page.getByTestId('loop-checkbox').uncheck();
  });

  it('exports melody and accompaniment as a multi-track MIDI file', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-midi-button').click()]);
    const midi = new Midi(readFileSync((await download.path())!));
    const withNotes = midi.tracks.filter((t) => t.notes.length > 0);
    expect(withNotes.length).toBeGreaterThanOrEqual(4);
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
  });

  it('keeps the trained model, the melody and the result after a reload', async () => {
    await page.reload();
    await expect.poll(() => page.getByTestId('model-label').getAttribute('data-origin'), { timeout: 180_000 }).toBe('trained');
    expect(await page.getByTestId('melody-name').textContent()).toContain('Lead');
    expect(await page.getByTestId('track-row').count()).toBeGreaterThanOrEqual(4);
    expect(await page.getByTestId('epochs-input').inputValue()).toBe('1');
    await page.getByTestId('variation-button').click();
    await expect.poll(() => page.getByTestId('piano-roll-canvas').getAttribute('data-notes'), { timeout: 300_000 }).not.toBe(String(MELODY.length));
    await screenshot(page, 'page-after-reload');
    expect(errors).toEqual([]);
  });
});
