/**
 * The score view and the chords, as a musician uses them: a known four-bar chorale in G major (seeded as the page's
 * saved accompaniment) shows its key signature, bars and notes on two staves, the chord symbols of its progression
 * (an inversion among them) over the score and the roll, Roman numerals on request; a click or the arrow keys move
 * playback, the bar being played is highlighted, the choice of view survives a reload, MusicXML exports every note,
 * and axe-core finds nothing serious. The melody is edited on the roll by mouse and keyboard (undone and redone,
 * selected in the score, exported as edited and kept over the reload). The alto is locked and the rest
 * re-harmonized by the default model around it, then bars 2–3 written again between the bars kept. Screenshots at
 * 1280x800 and 390x844.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Midi } from '@tonejs/midi';
import type { Page } from 'playwright-core';
import type { AxeResults } from 'axe-core';
import { openPageSession, screenshot, SCREENSHOT_DIR, waitUntil, type PageSession } from './harness';
import { cellIndex, createRoll, type PianoRoll } from '../../src/music/pianoRoll';
import { addNote } from '../../src/music/notes';
import { layoutScore } from '../../src/music/score';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** [soprano, alto, tenor, bass] notes as [pitch, startStep, steps]: G C D7 G | Em Am D/F# G | G C/E | D7 G. */
const VOICES: [number, number, number][][] = [
  [
    [71, 0, 4],
    [72, 4, 4],
    [72, 8, 4],
    [71, 12, 4],
    [71, 16, 2],
    [69, 18, 2],
    [72, 20, 4],
    [69, 24, 4],
    [67, 28, 4],
    [74, 32, 8],
    [72, 40, 8],
    [72, 48, 4],
    [67, 52, 12],
  ],
  [
    [67, 0, 4],
    [67, 4, 4],
    [66, 8, 4],
    [67, 12, 4],
    [67, 16, 4],
    [69, 20, 4],
    [62, 24, 4],
    [62, 28, 4],
    [67, 32, 8],
    [67, 40, 8],
    [66, 48, 4],
    [62, 52, 8],
  ],
  [
    [62, 0, 4],
    [64, 4, 4],
    [62, 8, 4],
    [62, 12, 4],
    [64, 16, 4],
    [64, 20, 4],
    [57, 24, 4],
    [59, 28, 4],
    [59, 32, 8],
    [60, 40, 12],
    [59, 52, 12],
  ],
  [
    [43, 0, 4],
    [48, 4, 4],
    [50, 8, 4],
    [43, 12, 4],
    [52, 16, 4],
    [45, 20, 4],
    [54, 24, 4],
    [55, 28, 4],
    [43, 32, 8],
    [52, 40, 8],
    [50, 48, 4],
    [43, 52, 12],
  ],
];
const SYMBOLS = ['G', 'C', 'D7', 'G', 'Em', 'Am', 'D/F♯', 'G', 'C/E', 'D7', 'G'];
const NUMERALS = ['I', 'IV', 'V7', 'I', 'vi', 'ii', 'V6', 'I', 'IV6', 'V7', 'I'];

function chorale(): PianoRoll {
  const roll = createRoll(
    64,
    ['Soprano', 'Alto', 'Tenor', 'Bass'].map((name) => ({ name, program: 0, isDrum: false })),
  );
  VOICES.forEach((notes, t) => notes.forEach(([pitch, startStep, steps]) => addNote(roll, t, { pitch, startStep, steps, velocity: 90 })));
  return roll;
}

/** Saves the chorale as the page's accompaniment in its IndexedDB (as src/ui/persist.ts keeps it), then opens the app. */
async function seedChorale(page: Page, url: string): Promise<void> {
  const roll = chorale();
  await page.goto(`${url}favicon.svg`);
  await page.evaluate(
    ({ roll: r }) =>
      new Promise<void>((done, fail) => {
        const request = indexedDB.open('cantus-page', 1);
        request.onupgradeneeded = () => request.result.createObjectStore('page');
        request.onerror = () => fail(request.error);
        request.onsuccess = () => {
          const db = request.result;
          const result = { ...r, active: new Uint8Array(r.active), onsets: new Uint8Array(r.onsets ?? []), velocities: null };
          const put = db
            .transaction('page', 'readwrite')
            .objectStore('page')
            .put({ melodyName: 'Known chorale', result, resultSeed: 1 }, 'current');
          put.onsuccess = () => {
            db.close();
            done();
          };
          put.onerror = () => fail(put.error);
        };
      }),
    { roll: { ...roll, active: [...roll.active], onsets: [...(roll.onsets ?? [])] } },
  );
  await page.goto(url);
  await page.getByTestId('track-row').first().waitFor({ timeout: 60_000 });
}

async function openScore(page: Page): Promise<void> {
  if ((await page.getByTestId('view-score-button').getAttribute('aria-pressed')) !== 'true')
    await page.getByTestId('view-score-button').click();
  await page.locator('[data-testid="score-view"] svg').waitFor({ timeout: 60_000 });
}

const chordLabels = (page: Page, testId: string) =>
  page.getByTestId(testId).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
const position = async (page: Page) => Number(await page.getByTestId('position-readout').getAttribute('data-seconds'));

/** Runs axe-core on the page (or the part `selector` picks) and lists its serious and critical findings. */
async function seriousAxeFindings(page: Page, selector?: string): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (within) => {
    const results = await (window as unknown as { axe: { run(c: Document | string, o: object): Promise<AxeResults> } }).axe.run(
      within ?? document,
      { resultTypes: ['violations'] },
    );
    return results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary ?? ''}`).join('; ')}`);
  }, selector);
}

/** Where the cell of `step` and `pitch` is on the roll's canvas, in the canvas's own pixels (its middle). */
function rollCell(page: Page, step: number, pitch: number): Promise<{ x: number; y: number }> {
  return page.getByTestId('piano-roll-canvas').evaluate(
    (canvas, [s, p]) => {
      const low = Number(canvas.dataset.rangeLow);
      const high = Number(canvas.dataset.rangeHigh);
      const px = Number(canvas.dataset.pxPerStep);
      const row = canvas.clientHeight / (high - low + 1);
      return { x: s * px - (canvas.parentElement?.scrollLeft ?? 0) + px / 2, y: (high - p + 0.5) * row };
    },
    [step, pitch],
  );
}

/** The soprano's cell of `step` and `pitch` in the page's saved accompaniment (IndexedDB), 1 where a note sounds. */
function savedSopranoCell(page: Page, step: number, pitch: number): Promise<number> {
  const index = cellIndex({ tracks: new Array(4) } as PianoRoll, step, pitch, 0);
  return page.evaluate(
    (i) =>
      new Promise<number>((done, fail) => {
        const request = indexedDB.open('cantus-page', 1);
        request.onerror = () => fail(request.error);
        request.onsuccess = () => {
          const get = request.result.transaction('page').objectStore('page').get('current');
          get.onsuccess = () => {
            request.result.close();
            done((get.result as { result?: { active: Uint8Array } } | undefined)?.result?.active[i] ?? -1);
          };
          get.onerror = () => fail(get.error);
        };
      }),
    index,
  );
}

/** Per track of an exported MIDI file, per 16th-note step (120 bpm: 0.125 s), the pitches sounding, as text. */
async function exportedSteps(page: Page): Promise<string[][]> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-midi-button').click()]);
  const midi = new Midi(readFileSync((await download.path())!));
  const step = (seconds: number) => Math.round(seconds / 0.125);
  return midi.tracks.map((track) =>
    Array.from({ length: 64 }, (_, s) =>
      track.notes
        .filter((n) => step(n.time) <= s && s < step(n.time + n.duration))
        .map((n) => n.midi)
        .sort()
        .join(' '),
    ),
  );
}

describe('the score and the chords', () => {
  let session: PageSession;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    session = await openPageSession();
    ({ page, errors } = session);
    await seedChorale(page, session.app.url);
    // Opening the seeding page asked for a favicon.ico that the app does not have; nothing else may fail.
    expect(errors.splice(0).filter((e) => !e.includes('404'))).toEqual([]);
  }, 240_000);
  afterAll(() => session?.close());
  afterEach(() => expect(errors.splice(0)).toEqual([]));

  it('names the chords over the piano roll, as symbols and as Roman numerals', async () => {
    await page.getByTestId('view-roll-button').click();
    expect(await page.getByTestId('score-key').textContent()).toBe('Key: G major');
    expect(await chordLabels(page, 'roll-chord')).toEqual(SYMBOLS.map((s) => `chord ${s}`));
    expect(await page.getByTestId('roll-chord').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-step'))))).toEqual([
      0, 4, 8, 12, 16, 20, 24, 28, 40, 48, 52,
    ]);
    await screenshot(page, 'score-roll-chords-1280');
    await page.locator('.listen-view').screenshot({ path: resolve(SCREENSHOT_DIR, 'score-roll-chords-1280-view.png') });
    await page.getByTestId('chord-labels-select').selectOption('roman');
    expect(await chordLabels(page, 'roll-chord')).toEqual(NUMERALS.map((s) => `chord ${s} in the key`));
    await page.getByTestId('chord-labels-select').selectOption('symbols');
  });

  it('shows the key signature, the bars and every note on two staves, with the chord symbols', async () => {
    await openScore(page);
    const view = page.getByTestId('score-view');
    expect(await view.getAttribute('data-key')).toBe('G major');
    expect(await view.getAttribute('data-fifths')).toBe('1');
    expect(await view.getAttribute('data-bars')).toBe('4');
    const layout = layoutScore(chorale());
    const events = layout.staves.flatMap((s) => s.voices.flatMap((v) => v.bars.flat()));
    const drawn = await page.evaluate(() => ({
      notes: document.querySelectorAll('[data-testid="score-paper"] .abcjs-note').length,
      rests: document.querySelectorAll('[data-testid="score-paper"] .abcjs-rest:not(.abcjs-v4)').length,
      keySignatures: document.querySelectorAll('[data-testid="score-paper"] .abcjs-key-signature').length,
      sharps: document.querySelectorAll('[data-testid="score-paper"] .abcjs-key-signature path').length,
      staves: document.querySelectorAll('[data-testid="score-paper"] .abcjs-staff').length,
      text: document.querySelector('[data-testid="score-paper"]')?.textContent ?? '',
    }));
    expect(drawn.notes).toBe(events.filter((e) => e.pitches.length > 0).length);
    expect(drawn.keySignatures).toBeGreaterThanOrEqual(2); // one per staff of each system
    expect(drawn.sharps).toBe(drawn.keySignatures); // one sharp each: F sharp
    expect(drawn.text).toContain('Soprano');
    expect(await chordLabels(page, 'score-chord')).toEqual(SYMBOLS.map((s) => `chord ${s}`));
    await screenshot(page, 'score-1280');
    await page.locator('.listen-view').screenshot({ path: resolve(SCREENSHOT_DIR, 'score-1280-view.png') });
  });

  it('moves playback on a click or the arrow keys, and highlights the bar moved to', async () => {
    await openScore(page);
    const view = page.getByTestId('score-view');
    const tempo = Number((await page.getByTestId('tempo-value').textContent())?.replace(/\D/g, ''));
    const barSeconds = (4 * 60) / tempo;
    // A click on a note of the third bar moves there.
    const third = page.locator('[data-testid="score-paper"] .abcjs-note.abcjs-l0.abcjs-m2.abcjs-v0.abcjs-n0').first();
    // The engraver picks the note nearest to a click on its drawing, so the click goes to the drawing there.
    await third.click({ force: true });
    await waitUntil(
      'seek to bar 3',
      () => position(page),
      (s) => Math.abs(s - 2 * barSeconds) < 0.05,
    );
    expect(await view.getAttribute('data-current-bar')).toBe('2');
    expect(await page.getByTestId('score-bar-highlight').count()).toBe(1);
    await view.focus();
    await page.keyboard.press('ArrowRight');
    await waitUntil(
      'bar 4 by keyboard',
      () => position(page),
      (s) => Math.abs(s - 3 * barSeconds) < 0.05,
    );
    await page.keyboard.press('Home');
    await waitUntil(
      'start by keyboard',
      () => position(page),
      (s) => s < 0.05,
    );
  });

  it('exports MusicXML with every note, the key, the tempo and the chord symbols', async () => {
    const waiting = page.waitForEvent('download', { timeout: 60_000 });
    await page.getByTestId('export-musicxml-button').click();
    const download = await waiting.catch(async (error: unknown) => {
      throw new Error(`no download (${String(error)}); the page says: ${await page.locator('[role="alert"]').allTextContents()}`);
    });
    expect(download.suggestedFilename()).toMatch(/\.musicxml$/);
    const xml = readFileSync((await download.path())!, 'utf8');
    expect(xml.match(/<part-name>[^<]+<\/part-name>/g)).toEqual(
      ['Soprano', 'Alto', 'Tenor', 'Bass'].map((n) => `<part-name>${n}</part-name>`),
    );
    expect(xml).toContain('<fifths>1</fifths>');
    const layout = layoutScore(chorale());
    const pitched = layout.staves.flatMap((s) => s.voices.flatMap((v) => v.bars.flat())).reduce((n, e) => n + e.pitches.length, 0);
    expect(xml.match(/<pitch>/g)?.length).toBe(pitched);
    expect(xml.match(/<harmony>/g)?.length).toBe(SYMBOLS.length);
  });

  it('edits the melody by mouse and keyboard, undoes and redoes, selects in the score and exports the edit', async () => {
    await page.getByTestId('view-roll-button').click();
    await page.getByTestId('edit-toggle').click();
    const canvas = page.getByTestId('piano-roll-canvas');
    const said = page.getByTestId('edit-announcement');
    await page.getByTestId('roll-editor').scrollIntoViewIfNeeded();
    expect(await canvas.getAttribute('data-edit-track')).toBe('0');
    expect(await said.textContent()).toBe('Editing the melody. B4, bar 1 beat 1: a note of 1 beat.');
    // By mouse: a click on an empty cell of the last bar adds E5 there, a 16th long (the grid's default).
    await canvas.click({ position: await rollCell(page, 48, 76) });
    await expect.poll(() => said.textContent()).toBe('Added E5 at bar 4 beat 1');
    expect(await canvas.getAttribute('data-edit-notes')).toBe('14');
    // By keyboard, on the note just added (the cursor is on it): up a semitone, then an 8th long.
    await page.keyboard.press('Alt+ArrowUp');
    await expect.poll(() => said.textContent()).toBe('Moved E5 at bar 4 beat 1 to F5 at bar 4 beat 1');
    await page.keyboard.press('Shift+ArrowRight');
    await expect.poll(() => said.textContent()).toBe('Lengthened F5 at bar 4 beat 1 to ½ beat');
    await page.keyboard.press('Control+z');
    await expect.poll(() => said.textContent()).toBe('Undone: Lengthened F5 at bar 4 beat 1 to ½ beat');
    await page.keyboard.press('Control+Shift+Z');
    await expect.poll(() => said.textContent()).toBe('Redone: Lengthened F5 at bar 4 beat 1 to ½ beat');
    await page.getByTestId('edit-undo-button').click();
    await page.getByTestId('edit-redo-button').click();
    await expect.poll(() => said.textContent()).toBe('Redone: Lengthened F5 at bar 4 beat 1 to ½ beat');
    // The accompaniment stays, and the page says it was written for the melody as it was.
    expect(await page.getByTestId('edit-melody-changed').textContent()).toBe('The melody changed: press Accompany to write new voices.');
    expect(await seriousAxeFindings(page, '.listen-view')).toEqual([]);

    // In the score a click on a note selects it for the keys.
    await openScore(page);
    await page.locator('[data-testid="score-paper"] .abcjs-note.abcjs-l0.abcjs-m1.abcjs-v0.abcjs-n0').first().click({ force: true });
    await expect.poll(() => said.textContent()).toBe('Selected in the melody: B4, bar 2 beat 1: a note of ½ beat.');
    expect(await page.locator('[data-testid="score-paper"] .abcjs-edit-selected').count()).toBeGreaterThan(0);
    await page.keyboard.press('Alt+ArrowDown');
    await expect.poll(() => said.textContent()).toBe('Moved B4 at bar 2 beat 1 to A♯4 at bar 2 beat 1');
    await page.keyboard.press('Control+z');
    await expect.poll(() => said.textContent()).toBe('Undone: Moved B4 at bar 2 beat 1 to A♯4 at bar 2 beat 1');

    // The export writes the melody as edited: F5 on bar 4's first beat, an 8th (120 bpm: 0.125 s a step).
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-midi-button').click()]);
    const midi = new Midi(readFileSync((await download.path())!));
    const soprano = midi.tracks[0].notes.map((n) => [n.midi, Math.round(n.time * 1000), Math.round(n.duration * 1000)]);
    expect(soprano).toContainEqual([77, 6000, 250]);
    expect(soprano).toHaveLength(14);
    // Saved for the reload below.
    await waitUntil(
      'the edit saved',
      () => savedSopranoCell(page, 49, 77),
      (cell) => cell === 1,
    );
  });

  it('works by keyboard, passes axe-core and keeps the view chosen (and the edit) over a reload', async () => {
    await openScore(page);
    await page.getByTestId('view-roll-button').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('view-score-button');
    expect(await seriousAxeFindings(page)).toEqual([]);
    await page.reload();
    await page.locator('[data-testid="score-view"] svg').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('view-score-button').getAttribute('aria-pressed')).toBe('true');
    // The melody edited above is the one restored: the soprano has its added note.
    expect(await page.getByTestId('track-row').first().locator('td.num').textContent()).toBe('14');
  });

  it('wraps the score into systems on a phone-sized screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await openScore(page);
      const view = page.getByTestId('score-view');
      await waitUntil(
        'one bar a line',
        () => view.getAttribute('data-bars-per-line'),
        (n) => n === '1',
      );
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(390);
      await view.scrollIntoViewIfNeeded();
      await screenshot(page, 'score-390');
      await page.locator('.listen-view').screenshot({ path: resolve(SCREENSHOT_DIR, 'score-390-view.png') });
      await page.getByTestId('view-roll-button').click();
      await page.getByTestId('roll-chords').scrollIntoViewIfNeeded();
      await screenshot(page, 'score-roll-chords-390');
      await page.locator('.listen-view').screenshot({ path: resolve(SCREENSHOT_DIR, 'score-roll-chords-390-view.png') });
      await page.getByTestId('view-score-button').click();
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('highlights the bar being played and follows playback', async () => {
    await openScore(page);
    const view = page.getByTestId('score-view');
    try {
      // Slow and looped, so the bars last long enough to be seen on a busy machine.
      await page.getByTestId('tempo-input').fill('40');
      await page.getByTestId('loop-checkbox').check();
      await page.getByTestId('play-button').click();
      // The piano's samples load first; then the highlight moves on with the music into the second bar.
      await waitUntil(
        'playing',
        () => page.getByTestId('transport').getAttribute('data-transport-state'),
        (state) => state === 'playing',
        90_000,
      );
      await waitUntil(
        'highlight follows playback',
        () => view.getAttribute('data-current-bar'),
        (bar) => bar === '1',
        30_000,
      );
      expect(await page.getByTestId('score-bar-highlight').count()).toBe(1);
    } finally {
      await page.getByTestId('stop-button').click();
      await page.getByTestId('loop-checkbox').uncheck();
      await page.getByTestId('tempo-reset-button').click();
    }
  });

  it('locks the alto and re-harmonizes the rest around it, then writes bars 2–3 again between the bars kept, by keyboard', async () => {
    await page.getByTestId('view-roll-button').click();
    // Every control of the lock row is worked from the keyboard: focused, then Enter (a button) or typed into.
    const press = async (testId: string) => {
      await page.getByTestId(testId).focus();
      await page.keyboard.press('Enter');
    };
    const type = async (testId: string, text: string) => {
      await page.getByTestId(testId).focus();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.type(text);
    };
    const count = page.getByTestId('lock-count');
    const announcement = page.getByTestId('announcement');
    expect(await count.textContent()).toBe('0 notes locked');
    const before = await exportedSteps(page);
    await page.getByTestId('lock-voice-select').selectOption('1');
    await press('lock-voice-button');
    await expect.poll(() => count.textContent()).toBe('12 notes locked');
    await press('reharmonize-button');
    await expect.poll(() => announcement.textContent(), { timeout: 60_000 }).toMatch(/variation 2 \(kept 12 notes locked\)/);
    const reharmonized = await exportedSteps(page);
    expect(reharmonized[1], 'the alto, locked').toEqual(before[1]);
    expect(reharmonized[0], 'the melody').toEqual(before[0]);
    expect([reharmonized[2], reharmonized[3]]).not.toEqual([before[2], before[3]]);
    expect(await count.textContent()).toBe('12 notes locked');
    // The score marks the locked notes too: the alto's 12 (more where a note is tied over a bar line), no other.
    await page.getByTestId('view-score-button').click();
    const scoreView = page.getByTestId('score-view');
    const lockedInScore = page.locator('[data-testid="score-paper"] .abcjs-note.abcjs-locked');
    await expect.poll(() => lockedInScore.count()).toBeGreaterThanOrEqual(12);
    const marked = await lockedInScore.count();
    expect(Number(await scoreView.getAttribute('data-locked-notes'))).toBe(marked);
    expect(await scoreView.getAttribute('aria-label')).toContain(`${marked} notes of the accompaniment locked, drawn in blue`);
    // abcjs numbers the voices in the order of the ABC text: soprano, alto, the chord line, tenor, bass (abcjs-v0..v4).
    const lockedClasses = await lockedInScore.evaluateAll((notes) => notes.map((el) => el.getAttribute('class') ?? ''));
    expect(lockedClasses.every((c) => /\babcjs-v1\b/.test(c))).toBe(true);
    await page.getByTestId('view-roll-button').click();

    await type('lock-bars-from', '2');
    await type('lock-bars-to', '3');
    await press('regenerate-bars-button');
    await expect.poll(() => announcement.textContent(), { timeout: 60_000 }).toMatch(/variation 3 \(bars 2–3 written again\)/);
    const again = await exportedSteps(page);
    for (const track of [1, 2, 3]) {
      expect(again[track].slice(0, 16), `bar 1 of track ${track}`).toEqual(reharmonized[track].slice(0, 16));
      expect(again[track].slice(48), `bar 4 of track ${track}`).toEqual(reharmonized[track].slice(48));
    }
    await press('unlock-all-button');
    await expect.poll(() => count.textContent()).toBe('0 notes locked');
    await page.getByTestId('view-score-button').click();
    await expect.poll(() => page.getByTestId('score-view').getAttribute('data-locked-notes')).toBe('0');
    expect(await page.locator('[data-testid="score-paper"] .abcjs-locked').count()).toBe(0);
  });
});
