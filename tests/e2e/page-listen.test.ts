/**
 * Listening as a musician: with the pretrained default model, the export holds what the mixer plays (programs,
 * tempo, muted tracks left out), one Play/Pause toggle keeps focus and Space works anywhere outside text fields,
 * a click or drag on the roll moves the playhead, a bar range loops, the Variation field acts on commit only,
 * a new tune plays at its own tempo, and a phone-sized screen never scrolls sideways.
 *
 * The set-up accompanies an uploaded 8-bar melody (120 bpm) with the default model on one page, which the
 * transport, roll, loop, variation and export tests share: each relies on that accompaniment only, and leaves
 * the transport stopped. A first visit (whose page the new-tune test then uses) and the phone screen get pages of
 * their own.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Midi } from '@tonejs/midi';
import type { Page } from 'playwright-core';
import {
  collectPageErrors,
  openPageSession,
  screenshot,
  waitUntil,
  type AppPage,
  type PageSession,
  waitForDefaultModel,
  focusedTestId,
} from './harness';
import { MELODY, multiTrackMidi } from './page-fixtures';

/** The page's document width against its viewport width (equal when nothing scrolls sideways). */
async function widths(page: Page): Promise<{ document: number; viewport: number; widest: string }> {
  return page.evaluate(() => {
    const viewport = window.innerWidth;
    // Names the widest element, so a failure says what overflows.
    let widest = '';
    let right = 0;
    for (const el of document.querySelectorAll<HTMLElement>('body *')) {
      const r = el.getBoundingClientRect().right;
      if (r > right) {
        right = r;
        widest = `${el.tagName.toLowerCase()}.${el.className} (${Math.round(r)}px)`;
      }
    }
    return { document: document.documentElement.scrollWidth, viewport, widest };
  });
}

/** Uploads the test melody and accompanies it with the default model (waits without expect: the set-up uses it). */
async function accompanyUpload(page: Page): Promise<void> {
  await page
    .getByTestId('melody-file-input')
    .setInputFiles({ name: 'listen test.mid', mimeType: 'audio/midi', buffer: Buffer.from(multiTrackMidi()) });
  await page.getByTestId('track-use-button').click();
  await page.getByTestId('generate-button').click();
  await waitForDefaultModel(page);
  await waitUntil(
    'accompaniment',
    () => page.getByTestId('track-row').count(),
    (rows) => rows === 4,
    180_000,
  );
}

const transportState = (page: Page) => page.getByTestId('transport').getAttribute('data-transport-state');

describe('listening, transport and export', () => {
  let session: PageSession;
  let page: Page;
  let errors: string[];

  /** A first visit (storage of its own), for the first-visit test and then the new-tune test. */
  let visit: AppPage | undefined;

  beforeAll(async () => {
    session = await openPageSession();
    ({ page, errors } = session);
    // Started up first: a file read while the engine is still being timed may overrun the reader's 5 s.
    await waitForDefaultModel(page);
    await accompanyUpload(page);
  });
  afterAll(async () => {
    await visit?.close();
    await session?.close();
  });
  afterEach(() => expect(errors.splice(0)).toEqual([]));

  it('shows the first visit and announces a finished accompaniment', async () => {
    visit = await session.openPage({ ownStorage: true });
    await expect.poll(() => visit!.page.getByTestId('model-label').getAttribute('data-origin'), { timeout: 180_000 }).toBe('default');
    // The built-in tune in use is shown in the tune picker, not "Choose a tune…".
    expect(await visit.page.getByTestId('sample-melody-select').inputValue()).not.toBe('');
    await screenshot(visit.page, 'page-1280-first-visit');
    await accompanyUpload(visit.page);
    await expect.poll(() => visit!.page.getByTestId('announcement').textContent()).toMatch(/Accompaniment ready: .+ under 8 bars/);
    expect(await visit.page.getByTestId('announcement').getAttribute('aria-live')).toBe('polite');
    await screenshot(visit.page, 'page-1280-accompanied');
    expect(visit.errors).toEqual([]);
  });

  it('exports the mixer’s instruments at the tempo in use, leaving muted tracks out and saying so', async () => {
    const selects = page.getByTestId('instrument-select');
    const setUp = await Promise.all([0, 1, 2].map((i) => selects.nth(i).inputValue()));
    await selects.nth(0).selectOption('flute');
    await selects.nth(1).selectOption('organ');
    await selects.nth(2).selectOption('bass');
    await page.getByTestId('mute-checkbox').nth(3).check();
    // The tune's own 120 bpm down to 106 with the keyboard, as a user without a mouse would.
    expect(await page.getByTestId('tempo-value').textContent()).toBe('120 bpm');
    await page.getByTestId('tempo-input').focus();
    for (let i = 0; i < 14; i++) await page.keyboard.press('ArrowLeft');
    await expect.poll(() => page.getByTestId('tempo-value').textContent()).toBe('106 bpm');
    const note = page.getByTestId('export-note');
    await expect.poll(() => note.textContent()).toMatch(/at 106 bpm; leaves out Bass/);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-midi-button').click()]);
    const fileName = download.suggestedFilename();
    expect(fileName).toBe(await note.getAttribute('data-file-name'));
    expect(fileName).toMatch(/melody, alto, tenor - 106 bpm\.mid$/);
    const midi = new Midi(readFileSync((await download.path())!));
    expect(midi.header.tempos[0].bpm).toBeCloseTo(106, 2);
    expect(
      midi.tracks.map((t) => t.name),
      fileName,
    ).toEqual(['Melody', 'Alto', 'Tenor']);
    // Flute, Church Organ, Acoustic Bass in General MIDI numbering.
    expect(midi.tracks.map((t) => t.instrument.number)).toEqual([73, 19, 32]);
    // The melody plays at 106 bpm: each beat lasts 60/106 s.
    const beat = 60 / 106;
    const melody = midi.tracks[0].notes.map((n) => [
      n.midi,
      Math.round((n.time / beat) * 100) / 100,
      Math.round((n.duration / beat) * 100) / 100,
    ]);
    expect(melody).toEqual(MELODY.map((n) => [n.pitch, n.beat, n.beats]));
    // Back to the set-up's mixer (each track's default instrument) and tempo.
    await page.getByTestId('mute-checkbox').nth(3).uncheck();
    for (const [i, instrument] of setUp.entries()) await selects.nth(i).selectOption(instrument);
    await page.getByTestId('tempo-reset-button').click();
    await expect.poll(() => page.getByTestId('tempo-value').textContent()).toBe('120 bpm');
  });

  it('plays and pauses with one toggle that keeps focus, and with Space anywhere outside text fields', async () => {
    const toggle = page.getByTestId('play-button');
    await toggle.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => transportState(page), { timeout: 60_000 }).toBe('playing');
    expect(await focusedTestId(page)).toBe('play-button');
    // Space on the focused toggle pauses (the button's own Space), and focus stays on it.
    await page.keyboard.press('Space');
    await expect.poll(() => transportState(page)).toBe('paused');
    expect(await focusedTestId(page)).toBe('play-button');
    expect(await toggle.textContent()).toContain('Resume');

    // Space with nothing focused plays and pauses.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('Space');
    await expect.poll(() => transportState(page)).toBe('playing');
    await page.keyboard.press('Space');
    await expect.poll(() => transportState(page)).toBe('paused');

    // In a text field Space types instead.
    await page.getByTestId('loop-from-input').focus();
    await page.keyboard.press('Space');
    await page.waitForTimeout(300);
    expect(await transportState(page)).toBe('paused');
    await page.getByTestId('stop-button').click();
    await expect.poll(() => transportState(page)).toBe('stopped');
    expect(await focusedTestId(page)).toBe('stop-button');
  });

  it('moves the playhead where the roll is clicked or dragged, and plays on from there', async () => {
    const canvas = page.getByTestId('piano-roll-canvas');
    await canvas.scrollIntoViewIfNeeded();
    const box = (await canvas.boundingBox())!;
    const scrollLeft = await page.locator('.listen .roll-scroll').evaluate((el) => el.scrollLeft);
    const pxPerStep = 6;
    await page.mouse.click(box.x + 300, box.y + box.height / 2);
    await expect.poll(() => canvas.getAttribute('data-playhead')).toBe(String(Math.floor((300 + scrollLeft) / pxPerStep)));
    // Step 50 at 4 steps a beat is beat 12.5: bar 4, beat 1.
    if (scrollLeft === 0) expect(await page.getByTestId('position-readout').locator('.bar-beat').textContent()).toBe('4:1');

    await page.mouse.move(box.x + 120, box.y + 40);
    await page.mouse.down();
    await page.mouse.move(box.x + 240, box.y + 60, { steps: 4 });
    await page.mouse.move(box.x + 420, box.y + 60, { steps: 4 });
    await page.mouse.up();
    const dragged = Math.floor((420 + scrollLeft) / pxPerStep);
    await expect.poll(() => canvas.getAttribute('data-playhead')).toBe(String(dragged));
    await screenshot(page, 'page-1280-seek');

    await page.getByTestId('play-button').click();
    await expect.poll(() => transportState(page), { timeout: 60_000 }).toBe('playing');
    await page.waitForTimeout(400);
    expect(Number(await canvas.getAttribute('data-playhead'))).toBeGreaterThanOrEqual(dragged);
    await page.getByTestId('play-button').click();
    await expect.poll(() => transportState(page)).toBe('paused');
    // Seeking while paused moves the position too.
    await page.mouse.click(box.x + 60, box.y + box.height / 2);
    const target = (60 + (await page.locator('.listen .roll-scroll').evaluate((el) => el.scrollLeft))) / pxPerStep;
    // The position goes through seconds and back to steps: allow one step of rounding.
    await expect.poll(async () => Math.abs(Number(await canvas.getAttribute('data-playhead')) - target)).toBeLessThanOrEqual(1);
    await page.getByTestId('stop-button').click();
  });

  it('loops a bar range and starts playing inside it', async () => {
    await page.getByTestId('loop-checkbox').check();
    await page.getByTestId('loop-from-input').fill('2');
    await page.getByTestId('loop-from-input').press('Enter');
    await page.getByTestId('loop-to-input').fill('3');
    await page.getByTestId('loop-to-input').press('Enter');
    // Bars 2 and 3 of a 4/4 tune at 4 steps a beat: steps 16 to 48.
    await expect.poll(() => page.getByTestId('transport').getAttribute('data-loop')).toBe('16-48');
    await page.getByTestId('play-button').click();
    await expect.poll(() => transportState(page), { timeout: 60_000 }).toBe('playing');
    for (let i = 0; i < 4; i++) {
      await page.waitForTimeout(250);
      const step = Number(await page.getByTestId('piano-roll-canvas').getAttribute('data-playhead'));
      expect(step).toBeGreaterThanOrEqual(16);
      expect(step).toBeLessThan(48);
    }
    await page.getByTestId('stop-button').click();
    await page.getByTestId('loop-checkbox').uncheck();
    expect(await page.getByTestId('transport').getAttribute('data-loop')).toBe('off');
  });

  it('writes a new variation only when the Variation field is committed', async () => {
    const caption = page.locator('.listen .roll-toolbar figcaption');
    const before = await caption.textContent();
    const field = page.getByTestId('variation-seed-input');
    await field.fill('');
    await field.pressSequentially('75');
    await page.waitForTimeout(500);
    expect(await caption.textContent()).toBe(before);
    expect(await page.getByTestId('generate-button').textContent()).toBe('Accompany my melody');
    await field.press('Enter');
    await expect.poll(() => caption.textContent(), { timeout: 180_000 }).toContain('variation 75');
  });

  it('plays a new tune at its own tempo, with the tune picker showing it', async () => {
    // The first visit's page (the new tune would replace the accompaniment the other tests share); it has its upload
    // accompanied at the upload's own 120 bpm.
    if (!visit) throw new Error('the first-visit test opens the page this test uses');
    const { page: tune, errors: tuneErrors } = visit;
    await tune.getByTestId('sample-melody-select').selectOption('ode-to-joy');
    await expect.poll(() => tune.getByTestId('tempo-value').textContent()).toBe('112 bpm');
    await tune.getByTestId('tempo-input').focus();
    for (let i = 0; i < 6; i++) await tune.keyboard.press('ArrowLeft');
    await expect.poll(() => tune.getByTestId('tempo-value').textContent()).toBe('106 bpm');
    await tune.getByTestId('sample-melody-select').selectOption('twinkle');
    expect(await tune.getByTestId('sample-melody-select').inputValue()).toBe('twinkle');
    // Twinkle's own tempo (src/music/samples.ts), not the one chosen for the tune before.
    await expect.poll(() => tune.getByTestId('tempo-value').textContent()).toBe('100 bpm');
    expect(await tune.getByTestId('transport').getAttribute('data-loop')).toBe('off');
    expect(tuneErrors).toEqual([]);
  });

  it('fits a 390x844 phone screen: no sideways scrolling, the mixer stacked', async () => {
    // A first visit in a context of its own, at a phone's size and pixel density.
    const phone = await session.browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    const phoneErrors = collectPageErrors(phone);
    await phone.goto(session.app.url);
    await expect.poll(() => phone.getByTestId('model-label').getAttribute('data-origin'), { timeout: 180_000 }).toBe('default');
    let w = await widths(phone);
    expect(w.document, w.widest).toBe(w.viewport);
    expect(w.viewport).toBe(390);
    await screenshot(phone, 'page-390-first-visit');
    await accompanyUpload(phone);
    w = await widths(phone);
    expect(w.document, w.widest).toBe(w.viewport);
    // The volume slider of every track is on screen.
    const sliderRights = await phone
      .locator('.mixer input[type=range]')
      .evaluateAll((els) => els.map((e) => e.getBoundingClientRect().right));
    for (const right of sliderRights) expect(right).toBeLessThanOrEqual(390);
    // Every control stays inside its panel (a select as wide as its longest option used to stick out of it).
    const outside = await phone.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('.panel select, .panel input, .panel button')]
        .filter((el) => el.getBoundingClientRect().width > 0)
        .filter((el) => el.getBoundingClientRect().right > (el.closest('.panel') as HTMLElement).getBoundingClientRect().right + 0.5)
        .map((el) => el.getAttribute('data-testid') ?? el.tagName),
    );
    expect(outside).toEqual([]);
    await screenshot(phone, 'page-390-accompanied');
    expect(phoneErrors).toEqual([]);
    await phone.close();
  });
});
