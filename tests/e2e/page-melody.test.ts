/**
 * The page without a model: melody in (multi-track and format-0 MIDI files, a broken file, a sample),
 * playback with the transport running and notes scheduled, and MIDI export of the melody.
 *
 * The tests share one page, which the set-up waits for until it has started up; each test first puts in the
 * melody it needs, and checks the errors that arose while it ran.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Midi } from '@tonejs/midi';
import type { Page } from 'playwright-core';
import { openPageSession, screenshot, waitUntil, type PageSession, waitForDefaultModel } from './harness';
import { formatZeroMidi, MELODY, multiTrackMidi } from './page-fixtures';

describe('the page: melody in, play and export', () => {
  let session: PageSession;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    session = await openPageSession();
    ({ page, errors } = session);
    await page.getByTestId('melody-name').filter({ hasText: 'Ode to Joy' }).waitFor({ timeout: 120_000 });
    // Started up: a file read while the engine is still being timed competes with it for the two cores, and the
    // reader gives a file only 5 s (worker start included).
    await waitUntil(
      'engine',
      () => page.getByTestId('backend-label').getAttribute('data-backend'),
      (backend) => Boolean(backend),
      180_000,
    );
    await waitForDefaultModel(page);
  });
  afterAll(() => session?.close());
  // The melody reader's worker may log while it refuses the broken file; the page itself must not.
  afterEach(() => expect(errors.splice(0).filter((e) => !e.includes('worker'))).toEqual([]));

  it('takes the chosen track of a multi-track file as the melody', async () => {
    await page
      .getByTestId('melody-file-input')
      .setInputFiles({ name: 'two tracks.mid', mimeType: 'audio/midi', buffer: Buffer.from(multiTrackMidi()) });
    const select = page.getByTestId('track-select');
    await select.waitFor();
    const options = await select.locator('option').allTextContents();
    expect(options).toHaveLength(2);
    expect(options.join(' ')).toContain('Lead');
    expect(options.join(' ')).toContain('Bass');
    // The single line on top is suggested as the melody.
    expect(await select.locator('option:checked').textContent()).toContain('Lead');
    await screenshot(page, 'page-track-picker');
    await page.getByTestId('track-use-button').click();
    await expect.poll(() => page.getByTestId('melody-name').textContent()).toContain('Lead');
    const notes = Number(await page.getByTestId('piano-roll-canvas').getAttribute('data-notes'));
    expect(notes).toBe(MELODY.length);
  });

  it('splits a format-0 file by channel and offers its parts', async () => {
    await page
      .getByTestId('melody-file-input')
      .setInputFiles({ name: 'format zero.mid', mimeType: 'audio/midi', buffer: Buffer.from(formatZeroMidi()) });
    const select = page.getByTestId('track-select');
    await select.waitFor();
    expect(await select.locator('option').count()).toBe(2);
    const melodyOption = (
      await select.locator('option').evaluateAll((os) => os.map((o) => [(o as HTMLOptionElement).value, o.textContent ?? '']))
    ).find(([, text]) => text.includes(`${MELODY.length} notes`));
    expect(melodyOption).toBeDefined();
    await select.selectOption(melodyOption![0]);
    await page.getByTestId('track-use-button').click();
    await expect.poll(() => page.getByTestId('melody-name').textContent()).toContain('format zero');
    expect(Number(await page.getByTestId('piano-roll-canvas').getAttribute('data-notes'))).toBe(MELODY.length);
  });

  it('shows a clear error for a broken file and keeps working', async () => {
    await page.getByTestId('sample-melody-select').selectOption('twinkle');
    await expect.poll(() => page.getByTestId('melody-name').textContent()).toContain('Twinkle');
    const before = Number(await page.getByTestId('error-message').getAttribute('data-error-count'));
    const broken = Buffer.from('MThd this is not really a MIDI file');
    await page.getByTestId('melody-file-input').setInputFiles({ name: 'broken.mid', mimeType: 'audio/midi', buffer: broken });
    await expect.poll(async () => Number(await page.getByTestId('error-message').getAttribute('data-error-count'))).toBeGreaterThan(before);
    const message = (await page.getByTestId('error-message').textContent()) ?? '';
    expect(message.length).toBeGreaterThan(20);
    expect(await page.getByTestId('error-message').getAttribute('data-region')).toBe('melody');
    await screenshot(page, 'page-broken-file');
    // The previous melody is still there, and the page still takes a sample.
    expect(await page.getByTestId('melody-name').textContent()).toContain('Twinkle');
    await page.getByTestId('sample-melody-select').selectOption('greensleeves');
    await expect.poll(() => page.getByTestId('melody-name').textContent()).toContain('Greensleeves');
  });

  it('plays: the transport runs and notes are scheduled on the melody track', async () => {
    await page.getByTestId('sample-melody-select').selectOption('ode-to-joy');
    await expect.poll(() => page.getByTestId('melody-name').textContent()).toContain('Ode to Joy');
    await page.getByTestId('play-button').click();
    await expect.poll(() => page.getByTestId('transport').getAttribute('data-transport-state'), { timeout: 60_000 }).toBe('playing');
    const rows = page.getByTestId('track-row');
    expect(await rows.count()).toBe(1);
    expect(Number(await rows.first().getAttribute('data-scheduled-notes'))).toBeGreaterThan(20);
    // The transport clock moves: the playhead leaves the first step.
    await expect
      .poll(async () => Number(await page.getByTestId('piano-roll-canvas').getAttribute('data-playhead')), { timeout: 30_000 })
      .toBeGreaterThan(2);
    await screenshot(page, 'page-playing');
    await page.getByTestId('stop-button').click();
    await expect.poll(() => page.getByTestId('transport').getAttribute('data-transport-state')).toBe('stopped');
  });

  it('exports what is shown as a MIDI file with the melody intact', async () => {
    await page
      .getByTestId('melody-file-input')
      .setInputFiles({ name: 'two tracks.mid', mimeType: 'audio/midi', buffer: Buffer.from(multiTrackMidi()) });
    await page.getByTestId('track-use-button').click();
    await expect.poll(() => page.getByTestId('melody-name').textContent()).toContain('Lead');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-midi-button').click()]);
    const midi = new Midi(readFileSync((await download.path())!));
    const notes = midi.tracks[0].notes.map((n) => [n.midi, Math.round(n.time * 1000), Math.round(n.duration * 1000)]);
    expect(notes).toEqual(MELODY.map((n) => [n.pitch, n.beat * 500, n.beats * 500]));
  });
});
