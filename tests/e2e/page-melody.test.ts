/**
 * The page without a model: melody in (multi-track and format-0 MIDI files, a broken file, a sample),
 * playback with the transport running and notes scheduled, MIDI export of the melody, the tracks' roles of
 * band files picked for training, and a tiny model trained on band files that accompanies in the band's style.
 *
 * The tests share one page, which the set-up waits for until it has started up; each test first puts in the
 * melody it needs, and checks the errors that arose while it ran.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Midi } from '@tonejs/midi';
import type { Page } from 'playwright-core';
import { resolve } from 'node:path';
import { openPageSession, screenshot, SCREENSHOT_DIR, waitUntil, type PageSession, waitForDefaultModel } from './harness';
import { formatZeroMidi, MELODY, multiTrackMidi } from './page-fixtures';
import { bandMidi, expectLikeTheBand } from '../unit/band-fixtures';
import { DRUM_CHANNEL } from '../../src/music/constants';
import { measureDataProfile } from '../../src/music/dataProfile';
import { midiToRoll, parseMidi } from '../../src/music/midiIn';
import { ownMidiToTrainingWindows } from '../../src/music/ownMidi';

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

  it('shows the tracks of band files picked for training with their roles, and an impossible choice beside its file', async () => {
    await page.getByTestId('dataset-own').check();
    await page
      .getByTestId('training-files-input')
      .setInputFiles([1, 2].map((seed) => ({ name: `band ${seed}.mid`, mimeType: 'audio/midi', buffer: Buffer.from(bandMidi(seed)) })));
    const table = page.getByTestId('track-roles');
    const selects = table.getByTestId('track-role-select');
    await expect.poll(() => selects.count(), { timeout: 30_000 }).toBe(8);
    await expect.poll(() => table.getAttribute('aria-busy')).toBe('false');
    // Each select's label names its track and file; each file has its heading.
    const shown = await selects.evaluateAll((els) =>
      els.map((el) => [el.dataset.file, el.getAttribute('aria-label'), (el as HTMLSelectElement).value]),
    );
    const roles = { Lead: 'melody', Bass: 'accompaniment', Piano: 'accompaniment', Drums: 'drums' };
    expect(shown).toEqual(
      ['0', '1'].flatMap((f) =>
        Object.entries(roles).map(([track, role]) => [f, `Role of “${track}” in “band ${Number(f) + 1}.mid”`, role]),
      ),
    );
    expect(await table.getByRole('heading').allTextContents()).toEqual(['band 1.mid', 'band 2.mid']);
    const role = (track: string, f: number) => page.getByLabel(`Role of “${track}” in “band ${f}.mid”`, { exact: true });
    expect(await role('Drums', 1).locator('option').allTextContents()).toEqual(['Drums', 'Not used']);
    expect(await role('Bass', 1).locator('option').allTextContents()).toEqual(['Melody', 'Accompaniment', 'Not used']);
    const row = table.locator('tr', { has: role('Piano', 2) });
    expect((await row.textContent()) ?? '').toMatch(/^PianoAcoustic grand piano48[A-G]♯?\d–[A-G]♯?\d/);
    const train = page.getByTestId('train-button');
    expect(await train.isDisabled()).toBe(false);

    await role('Piano', 2).selectOption('unused');
    expect(await role('Piano', 2).inputValue()).toBe('unused');
    expect(await role('Piano', 1).inputValue()).toBe('accompaniment');
    expect(await table.getByTestId('track-roles-problem').count()).toBe(0);

    // No melody in the first file: its problem is shown beside it, and Train waits.
    await role('Lead', 1).selectOption('unused');
    const problem = table.getByTestId('track-roles-problem');
    await expect.poll(() => problem.textContent()).toMatch(/No track is the melody/);
    expect(await problem.getAttribute('data-file')).toBe('0');
    expect(await role('Bass', 1).getAttribute('aria-describedby')).toBe(await problem.getAttribute('id'));
    expect(await train.isDisabled()).toBe(true);
    expect(await train.getAttribute('title')).toContain('band 1.mid');
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await table.screenshot({ path: resolve(SCREENSHOT_DIR, 'page-track-roles.png') });

    await role('Lead', 1).selectOption('melody');
    await expect.poll(() => problem.count()).toBe(0);
    expect(await train.isDisabled()).toBe(false);
    await page.getByTestId('dataset-jsb').check();
  });

  // Trains a tiny model on three 4-bar band files in the page, then accompanies a fourth file's melody with it.
  it('trains on band files and writes like the band: its tracks, rests, chords, ranges and drums, exported on channel 10', async () => {
    const files = [1, 2, 3].map((seed) => ({ name: `band ${seed}.mid`, mimeType: 'audio/midi', buffer: Buffer.from(bandMidi(seed, 4)) }));
    await page.getByTestId('dataset-own').check();
    await page.getByTestId('training-files-input').setInputFiles(files);
    await expect.poll(() => page.getByTestId('track-role-select').count(), { timeout: 30_000 }).toBe(12);
    await expect.poll(() => page.getByTestId('track-roles').getAttribute('aria-busy')).toBe('false');
    await page.getByTestId('epochs-input').fill('1');
    await page.getByTestId('update-ratio-input').fill('1');
    await page.getByTestId('batch-size-input').fill('2');
    await page.getByTestId('model-size-select').selectOption('4');
    await page.getByTestId('train-button').click();
    const progress = page.getByTestId('training-progress');
    await waitUntil(
      'training',
      () => progress.getAttribute('data-state'),
      (state) => state === 'done',
      300_000,
    );
    await waitUntil(
      'trained model in use',
      () => page.getByTestId('model-label').getAttribute('data-origin'),
      (o) => o === 'trained',
      60_000,
    );

    await page
      .getByTestId('melody-file-input')
      .setInputFiles({ name: 'band 4.mid', mimeType: 'audio/midi', buffer: Buffer.from(bandMidi(4, 4)) });
    await page.getByTestId('track-use-button').click();
    await expect.poll(() => page.getByTestId('melody-name').textContent()).toContain('Lead');
    await page.getByTestId('generate-button').click();
    const rows = page.getByTestId('track-row');
    await waitUntil(
      'accompaniment',
      () => rows.count(),
      (n) => n === 4,
      120_000,
    );
    // Named and voiced after the data: the mixer's instruments nearest the files' programs, the drum kit for the drums.
    expect((await rows.locator('th').allTextContents()).map((t) => t.trim())).toEqual(['Melody', 'Piano', 'Bass', 'Drums']);
    expect(await page.getByTestId('instrument-select').evaluateAll((els) => els.map((el) => (el as HTMLSelectElement).value))).toEqual([
      'flute',
      'piano',
      'bass',
    ]);
    expect(await rows.nth(3).getByTestId('instrument-drum-kit').textContent()).toBe('Drum kit');
    await screenshot(page, 'page-own-style-accompanied');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-midi-button').click()]);
    const exported = parseMidi(new Uint8Array(readFileSync((await download.path())!)));
    const byName = (name: string) => exported.tracks.find((t) => t.name === name)!;
    expect([byName('Piano').program, byName('Bass').program, byName('Drums').channel]).toEqual([0, 33, DRUM_CHANNEL]);
    // What it wrote against what the band plays in the training files (tolerances as in tests/unit/own-style.test.ts).
    const written = measureDataProfile(
      [midiToRoll(exported, { tracks: ['Melody', 'Piano', 'Bass', 'Drums'].map((n) => byName(n).index) })],
      'own',
    );
    const band = ownMidiToTrainingWindows(files.map((f) => parseMidi(new Uint8Array(f.buffer)))).profile!;
    expectLikeTheBand(written, band);
  }, 600_000);
});
