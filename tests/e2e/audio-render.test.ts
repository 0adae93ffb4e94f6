/**
 * The page's sound, rendered offline in headless Chromium: a short multi-track piece, exported to MIDI as the page
 * exports it and read back, plays through the player's own graph with every instrument of the mixer and the
 * General MIDI drum kit. Each track soloed is audible and does not clip, a muted mix is silent, and a sampled
 * instrument plays in tune between its samples.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { INSTRUMENTS } from '../../src/audio/instruments';
import type { RenderReport } from './pages/audio-page';
import { collectPageErrors, launchBrowser, startTestPages, type RunningApp } from './harness';

/** About -50 dBFS: far below any instrument playing, far above a silent render (0). */
const AUDIBLE_RMS = 3e-3;

describe('offline render of an exported piece', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    app = await startTestPages();
    browser = await launchBrowser();
    page = await browser.newPage();
    errors = collectPageErrors(page);
    await page.goto(new URL('tests/e2e/pages/audio.html', app.url).href);
    await page.getByTestId('status').filter({ hasText: 'ready' }).waitFor({ timeout: 120_000 });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('sounds every instrument and the drum kit, each track on its own, and silence when muted', async () => {
    const report: RenderReport = await page.evaluate(() => window.cantusAudioTest.renderExport());
    const levels = report.tracks.map((t) => `${t.name} (${t.voice}): rms ${t.rms.toExponential(2)}, peak ${t.peak.toFixed(3)}`);
    console.log(`offline render, each track soloed:\n${levels.join('\n')}\nflute A4: ${report.fluteA4Hz.toFixed(1)} Hz`);
    expect(report.tracks.map((t) => t.voice)).toEqual([...Object.keys(INSTRUMENTS), 'drums']);
    for (const track of report.tracks) {
      expect(track.rms, levels.join('\n')).toBeGreaterThan(AUDIBLE_RMS);
      expect(track.peak, levels.join('\n')).toBeLessThan(1);
    }
    expect(report.all.rms).toBeGreaterThan(Math.max(...report.tracks.map((t) => t.rms)));
    expect(report.muted.peak).toBe(0);
    // A4 from the sample at A-flat 4, a semitone up: 440 Hz within a quarter of a semitone.
    expect(report.fluteA4Hz).toBeGreaterThan(440 * 2 ** (-0.25 / 12));
    expect(report.fluteA4Hz).toBeLessThan(440 * 2 ** (0.25 / 12));
    expect(errors).toEqual([]);
  }, 300_000);
});
