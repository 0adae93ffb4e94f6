/**
 * A first visit: the pretrained default model under models/ is loaded at start, and an uploaded melody is
 * accompanied with it at once, with no training: every voice sounds, the melody is kept note for note.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Midi } from '@tonejs/midi';
import type { Page } from 'playwright-core';
import { openPageSession, screenshot, type PageSession } from './harness';
import { MELODY, MELODY_BEATS, multiTrackMidi } from './page-fixtures';

const SECONDS_PER_BEAT = 0.5;

describe('the page with the pretrained default model', () => {
  let session: PageSession;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    session = await openPageSession();
    ({ page, errors } = session);
  });
  afterAll(() => session?.close());

  it('accompanies an uploaded melody on first load, with no training', async () => {
    await page
      .getByTestId('melody-file-input')
      .setInputFiles({ name: 'first visit.mid', mimeType: 'audio/midi', buffer: Buffer.from(multiTrackMidi()) });
    await page.getByTestId('track-use-button').click();
    // Clicked at once, while the engine may still be starting: the click is served when the model is in.
    await page.getByTestId('generate-button').click();
    await expect.poll(() => page.getByTestId('model-label').getAttribute('data-origin'), { timeout: 180_000 }).toBe('default');
    await expect.poll(() => page.getByTestId('track-row').count(), { timeout: 180_000 }).toBe(4);
    await screenshot(page, 'page-default-model');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-midi-button').click()]);
    const midi = new Midi(readFileSync((await download.path())!));
    expect(midi.tracks).toHaveLength(4);
    expect(midi.tracks.every((t) => t.notes.length > 0)).toBe(true);
    const melody = midi.tracks[0].notes.map((n) => [n.midi, Math.round(n.time * 1000), Math.round(n.duration * 1000)]);
    expect(melody).toEqual(MELODY.map((n) => [n.pitch, n.beat * 500, n.beats * 500]));
    // Each voice sings in both halves of the 8-bar melody: the whole melody is accompanied, not 2 bars.
    const half = (MELODY_BEATS * SECONDS_PER_BEAT) / 2;
    for (const track of midi.tracks.slice(1)) {
      expect(track.notes.some((n) => n.time < half)).toBe(true);
      expect(track.notes.some((n) => n.time >= half)).toBe(true);
    }
    expect(errors).toEqual([]);
  });

  it('accompanies every built-in tune with all three voices sounding under every melody note, below it', async () => {
    const tunes = await page
      .getByTestId('sample-melody-select')
      .locator('option')
      .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value).filter((v) => v !== ''));
    expect(tunes.length).toBeGreaterThanOrEqual(3);
    for (const tune of tunes) {
      await page.getByTestId('sample-melody-select').selectOption(tune);
      // The new melody replaces the last accompaniment: the mixer shows the melody alone until Accompany.
      await expect.poll(() => page.getByTestId('track-row').count(), { timeout: 30_000 }).toBe(1);
      await page.getByTestId('generate-button').click();
      await expect.poll(() => page.getByTestId('track-row').count(), { timeout: 120_000 }).toBe(4);
      await expect.poll(() => page.getByTestId('generate-button').isEnabled(), { timeout: 120_000 }).toBe(true);
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-midi-button').click()]);
      const midi = new Midi(readFileSync((await download.path())!));
      const voices = midi.tracks.filter((t) => t.notes.length > 0);
      expect(voices, tune).toHaveLength(4);
      const [melody, ...accompaniment] = voices;
      const sixteenth = midi.header.ppq / 4;
      for (const note of melody.notes) {
        // Every 16th-note step the melody note covers.
        for (let tick = note.ticks; tick < note.ticks + note.durationTicks; tick += sixteenth) {
          for (const voice of accompaniment) {
            const under = voice.notes.filter((n) => n.ticks <= tick && n.ticks + n.durationTicks > tick);
            expect(under, `${tune}: ${voice.name} at tick ${tick}`).toHaveLength(1);
            expect(under[0].midi, `${tune}: ${voice.name} at tick ${tick}`).toBeLessThanOrEqual(note.midi);
          }
        }
      }
    }
    await screenshot(page, 'page-default-model-built-in-tune');
    expect(errors).toEqual([]);
  });
});
