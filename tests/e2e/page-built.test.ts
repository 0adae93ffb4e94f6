/**
 * The built app as users get it (`vite build`, served by `vite preview`): under its strict
 * Content-Security-Policy with no violation anywhere, a damaged MIDI file answered with a message, no
 * serious or critical accessibility violations (axe-core) in the page's main states, every control
 * reachable by keyboard, once visited the whole app working offline from its service worker. Every browser test
 * runs this build under the same policy; training on every core under it (one replica worker per core, no violation
 * reported by the page or a worker) is page-trained's run (trained-run.ts).
 *
 * The run's set-up (globalSetup.ts) builds the app, serves it and times the engines on a first visit under the CSP;
 * this file's set-up opens it once more (that visit installs the service worker); the tests share that page, each
 * first putting in the melody it needs, and each ends with no CSP violation and no error of its own.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults } from 'axe-core';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy, previewContentSecurityPolicy } from '../../src/app/viteOffline';
import { cspViolations as violationsSeen, recordCspViolations, violationReports } from './builtApp';
import { chromium } from 'playwright-core';
import {
  CHROMIUM_PATH,
  SHARED_FILES,
  collectPageErrors,
  launchBrowser,
  screenshot,
  sharedBuiltApp,
  sharedEngineMeasurement,
  sharedFile,
  waitForEngineTimed,
  waitUntil,
  waitForDefaultModel,
} from './harness';
import { MELODY, multiTrackMidi } from './page-fixtures';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** A real file made unreadable: 16 bytes of 0xff written inside its second track, among the notes. */
function damagedMidi(): Uint8Array {
  const bytes = multiTrackMidi().slice();
  let offset = 14;
  const tracks: number[] = [];
  while (offset + 8 <= bytes.length) {
    tracks.push(offset);
    offset += 8 + ((bytes[offset + 4] << 24) | (bytes[offset + 5] << 16) | (bytes[offset + 6] << 8) | bytes[offset + 7]);
  }
  const second = tracks[1];
  bytes.fill(0xff, second + 40, second + 56);
  return bytes;
}

/** Serious and critical axe-core violations on the page as it is, in words for the failure message. */
async function seriousAccessibilityViolations(page: Page): Promise<string[]> {
  // Evaluated through the debugging protocol, which the page's CSP does not govern (a <script> would be blocked).
  await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(() =>
    (window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResults> } }).axe.run(document, {
      resultTypes: ['violations'],
    }),
  );
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** Where the preview server's violation reports go (builtApp.ts), and how many were there when this file began. */
const REPORTS_FILE = sharedFile(SHARED_FILES.reports) ?? '';
let reportsBefore = 0;

/** Violation reports the preview server received (from the page and its workers) since this file began, in order. */
function reported(): string[] {
  return violationReports(REPORTS_FILE, reportsBefore);
}

/** Violations of the CSP so far: seen in the page, reported to the server by the page or a worker, or logged. */
function cspViolations(page: Page, errors: string[]): Promise<string[]> {
  return violationsSeen(page, errors, reported());
}

/** Forgets the reports so far: later checks see only what comes after. */
function forgetReports(): void {
  reportsBefore += reported().length;
}

describe('the built app: CSP, damaged files, accessibility, offline', () => {
  let url: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let firstVisit: Response | null;

  beforeAll(async () => {
    url = await sharedBuiltApp();
    forgetReports();
    // The engines were timed on the run's first visit to this build (globalSetup.ts): this visit starts with the rates.
    browser = await launchBrowser();
    // With the service worker, which the offline and installable tests need.
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: 'allow' });
    // Every CSP violation the page sees, kept across reloads in the page's own memory of this load.
    await recordCspViolations(context);
    page = await context.newPage();
    errors = collectPageErrors(page);
    firstVisit = await page.goto(url);
    await page.getByTestId('melody-name').filter({ hasText: 'Ode to Joy' }).waitFor({ timeout: 120_000 });
    await waitForDefaultModel(page);
    await waitUntil(
      'engine',
      () => page.getByTestId('backend-label').textContent(),
      (label) => /webgpu|webgl|wasm|cpu/i.test(label ?? ''),
      60_000,
    );
    await waitForEngineTimed(page);
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    expect(await cspViolations(page, errors)).toEqual([]);
    expect(errors.splice(0)).toEqual([]);
  });

  it('serves the page under the strict CSP, and the page loads its model and training worker without a violation', async () => {
    // The set-up's first visit: it waited for the model and the engine.
    expect(firstVisit?.headers()['content-security-policy']).toBe(previewContentSecurityPolicy());
    const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(meta).toBe(contentSecurityPolicy());
    expect(meta).toContain("script-src 'self' 'wasm-unsafe-eval' blob:");
    expect(await cspViolations(page, errors)).toEqual([]);
    // The run's first visit to this build timed the engines in its probe workers, under the same policy.
    const measured = (await sharedEngineMeasurement())?.observation;
    if (!measured) throw new Error('the e2e set-up could not time the engines: its log says why');
    expect(measured.backend).toBe('wasm');
    expect(measured.violations).toEqual([]);
    console.log(`built app under CSP: backend ${await page.getByTestId('backend-label').textContent()}`);
    // The policy is enforced: an inline script is refused, and the refusal is seen.
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.cantusInlineRan = true';
      document.head.append(script);
    });
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { cantusCspViolations: string[] }).cantusCspViolations.length))
      .toBeGreaterThan(0);
    // ...and reported to the server, the way a worker's violation would be.
    await expect.poll(() => reported().length).toBeGreaterThan(0);
    expect(reported()[0]).toContain('inline');
    expect(await page.evaluate(() => (window as unknown as { cantusInlineRan?: boolean }).cantusInlineRan)).toBeUndefined();
    // That refusal was the test's own doing: forget it, so later checks see only the app's.
    await page.evaluate(() => ((window as unknown as { cantusCspViolations: string[] }).cantusCspViolations.length = 0));
    forgetReports();
    errors.length = 0;
  });

  it('answers a damaged MIDI file with a message, keeps the melody, and the next good action clears it', async () => {
    await page.getByTestId('sample-melody-select').selectOption('ode-to-joy');
    await expect.poll(() => page.getByTestId('melody-name').textContent()).toContain('Ode to Joy');
    const before = Number(await page.getByTestId('error-message').getAttribute('data-error-count'));
    const started = Date.now();
    await page
      .getByTestId('melody-file-input')
      .setInputFiles({ name: 'damaged.mid', mimeType: 'audio/midi', buffer: Buffer.from(damagedMidi()) });
    const errorCount = async () => Number(await page.getByTestId('error-message').getAttribute('data-error-count'));
    await expect.poll(errorCount, { timeout: 15_000 }).toBeGreaterThan(before);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await page.getByTestId('error-message').getAttribute('data-region')).toBe('melody');
    expect(await page.getByTestId('error-message').textContent()).toMatch(/damaged/);
    expect(await page.getByTestId('melody-name').textContent()).toContain('Ode to Joy');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'built-damaged-file');
    // The page still answers, and a good file replaces the message with its track choice.
    await page
      .getByTestId('melody-file-input')
      .setInputFiles({ name: 'two tracks.mid', mimeType: 'audio/midi', buffer: Buffer.from(multiTrackMidi()) });
    await page.getByTestId('track-select').waitFor();
    expect(await page.getByTestId('error-message').isHidden()).toBe(true);
    expect(await page.getByTestId('track-select').locator('option:checked').textContent()).toContain('Lead');
  });

  it('has no serious or critical accessibility violations with the track choice open and after accompanying', async () => {
    await page
      .getByTestId('melody-file-input')
      .setInputFiles({ name: 'two tracks.mid', mimeType: 'audio/midi', buffer: Buffer.from(multiTrackMidi()) });
    await page.getByTestId('track-select').waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByTestId('track-use-button').click();
    await expect.poll(() => page.getByTestId('melody-name').textContent()).toContain('Lead');
    expect(Number(await page.getByTestId('piano-roll-canvas').getAttribute('data-notes'))).toBe(MELODY.length);
    await page.getByTestId('generate-button').click();
    await expect.poll(() => page.getByTestId('track-row').count(), { timeout: 180_000 }).toBe(4);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByTestId('dataset-own').check();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByTestId('dataset-jsb').check();
  });

  it('reaches every control with the Tab key and accompanies and plays a tune with the keyboard alone', async () => {
    // Mark each visible control that should take focus; the piano keys are played from their group, and
    // a radio group is one stop (arrow keys move within it), as browsers do.
    const controls = await page.evaluate(() => {
      const selector = 'a[href], button, input, select, textarea, [tabindex]';
      const marked = new Map<string, string>();
      document.querySelectorAll<HTMLElement>(selector).forEach((el, i) => {
        // Controls folded inside a closed <details> are reached by opening it from its summary first.
        const folded = el.closest('details:not([open])') !== null;
        const visible = !folded && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
        const disabled = (el as HTMLButtonElement).disabled === true;
        if (!visible || disabled || el.tabIndex < 0) return;
        const radio = el instanceof HTMLInputElement && el.type === 'radio' && el.name ? `radio:${el.name}` : null;
        const key = radio ?? String(i);
        el.dataset.kbd = key;
        const name = el.getAttribute('data-testid') ?? el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 30) ?? '';
        marked.set(key, `${el.tagName.toLowerCase()} ${name}`);
      });
      return [...marked];
    });
    expect(controls.length).toBeGreaterThan(20);
    await page.locator('body').click({ position: { x: 2, y: 2 } });
    const reached = new Set<string>();
    for (let i = 0; i < controls.length * 2 + 10; i++) {
      await page.keyboard.press('Tab');
      const mark = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.kbd ?? '');
      if (mark) reached.add(mark);
    }
    const missed = controls.filter(([key]) => !reached.has(key)).map(([, what]) => what);
    expect(missed).toEqual([]);

    // Keyboard only: choose a tune in the select (two below the first), accompany it, play it.
    await page.getByTestId('sample-melody-select').selectOption('ode-to-joy');
    await page.getByTestId('sample-melody-select').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.getByTestId('melody-name').textContent()).toContain('Frère Jacques');
    await page.getByTestId('generate-button').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('track-row').count(), { timeout: 180_000 }).toBe(4);
    await page.getByTestId('play-button').focus();
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByTestId('transport').getAttribute('data-transport-state'), { timeout: 60_000 }).toBe('playing');
    await page.getByTestId('stop-button').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('transport').getAttribute('data-transport-state')).toBe('stopped');

    // Keyboard only: record a melody on the on-screen keyboard with the computer keys.
    await page.getByTestId('record-button').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('group', { name: /On-screen keyboard/ }).focus();
    for (const key of ['a', 's', 'd', 'f', 'g']) {
      await page.keyboard.down(key);
      await page.waitForTimeout(150);
      await page.keyboard.up(key);
    }
    await page.getByTestId('record-button').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('melody-name').textContent()).toBe('Recorded melody');
    expect(Number(await page.getByTestId('piano-roll-canvas').getAttribute('data-notes'))).toBe(5);
  });

  it('is installable: Chromium finds no obstacle in its manifest, icons and service worker', async () => {
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    const session = await context.newCDPSession(page);
    const { installabilityErrors } = (await session.send('Page.getInstallabilityErrors')) as {
      installabilityErrors: { errorId: string }[];
    };
    // A Playwright context is a private window, where nothing installs; every other check must pass.
    expect(installabilityErrors.map((e) => e.errorId).filter((id) => id !== 'in-incognito')).toEqual([]);
    const manifest = (await session.send('Page.getAppManifest')) as { errors: unknown[]; url: string };
    expect(manifest.url).toMatch(/manifest\.webmanifest$/);
    expect(manifest.errors).toEqual([]);
    await session.detach();
  });

  it('works offline after one visit: reloads, accompanies a built-in tune and plays it', async () => {
    // The service worker installed on the first visit controls the page once it has precached everything.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 60_000 }).toBe(true);
    const cached = await page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys())
        for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
      return urls;
    });
    expect(cached.some((u) => u.startsWith('/models/default/model.json'))).toBe(true);
    expect(cached.some((u) => u.startsWith('/models/default/model.weights.bin'))).toBe(true);
    expect(cached.some((u) => u.endsWith('.wasm'))).toBe(true);
    expect(cached.filter((u) => u.startsWith('/piano-samples/')).length).toBeGreaterThan(20);
    // Of the sound bank, the first visit keeps the chorale accompaniment's choir and strings; the others once they play.
    expect(cached.filter((u) => u.startsWith('/soundfont/choir-')).length).toBeGreaterThan(10);
    expect(cached.filter((u) => u.startsWith('/soundfont/strings-')).length).toBeGreaterThan(10);

    await context.setOffline(true);
    try {
      expect(await page.evaluate(() => navigator.onLine)).toBe(false);
      await page.reload();
      await page.getByTestId('sample-melody-select').waitFor({ timeout: 60_000 });
      await expect.poll(() => page.getByTestId('model-label').getAttribute('data-origin'), { timeout: 180_000 }).toBe('default');
      await waitForEngineTimed(page);
      await page.getByTestId('sample-melody-select').selectOption('greensleeves');
      await expect.poll(() => page.getByTestId('melody-name').textContent()).toContain('Greensleeves');
      await page.getByTestId('generate-button').click();
      await expect.poll(() => page.getByTestId('track-row').count(), { timeout: 180_000 }).toBe(4);
      await page.getByTestId('play-button').click();
      await expect.poll(() => page.getByTestId('transport').getAttribute('data-transport-state'), { timeout: 60_000 }).toBe('playing');
      expect(Number(await page.getByTestId('track-row').first().getAttribute('data-scheduled-notes'))).toBeGreaterThan(10);
      await screenshot(page, 'built-offline-playing');
      await page.getByTestId('stop-button').click();
    } finally {
      await context.setOffline(false);
    }
  });

  it('runs the WebAssembly backend under the CSP, in a browser without WebGPU and WebGL', async () => {
    const noGpuArgs = ['--no-sandbox', '--disable-3d-apis', '--disable-gpu', '--disable-software-rasterizer'];
    const plain = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: noGpuArgs });
    try {
      const wasmPage = await plain.newPage({ viewport: { width: 1280, height: 800 } });
      const wasmErrors = collectPageErrors(wasmPage);
      forgetReports();
      await wasmPage.goto(url);
      await expect.poll(() => wasmPage.getByTestId('backend-label').textContent(), { timeout: 120_000 }).toMatch(/wasm/i);
      // The threaded build's workers run its factory's own source text, which a minifier that renames
      // identifiers breaks (the page then falls back to one thread or to cpu): the built app must keep them.
      if ((await wasmPage.evaluate(() => navigator.hardwareConcurrency)) > 1) {
        expect(Number(await wasmPage.getByTestId('backend-label').getAttribute('data-threads'))).toBeGreaterThan(1);
      }
      await expect.poll(() => wasmPage.getByTestId('model-label').getAttribute('data-origin'), { timeout: 180_000 }).toBe('default');
      await wasmPage.getByTestId('generate-button').click();
      await expect.poll(() => wasmPage.getByTestId('track-row').count(), { timeout: 180_000 }).toBe(4);
      // Reports travel separately from the page: give any late one time to arrive.
      await new Promise((r) => setTimeout(r, 1000));
      expect(await cspViolations(wasmPage, wasmErrors)).toEqual([]);
    } finally {
      await plain.close();
    }
  });
});
