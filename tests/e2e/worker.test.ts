/**
 * WebGPU in headless Chromium (SwiftShader here): on a page of its own, one training iteration, one accompaniment and
 * what an epoch's end reads back (held-out measures, a checkpoint) from the same state and batch equal WebAssembly's
 * (the tolerances of tests/unit/parity-fixtures.ts, which the Node test on Dawn uses too), each backend started as the
 * app's workers start it. The worker's whole training loop runs on WebAssembly in the page tests (page-trained,
 * page-storage, page-train-controls), and page-built runs it in a browser without WebGPU and WebGL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { ParityRun } from './pages/parity-page';
import { parityProblems } from '../unit/parity-fixtures';
import { collectPageErrors, launchBrowser, startTestPages, type RunningApp } from './harness';

describe('WebGPU in the browser: the same training as WebAssembly', () => {
  let app: RunningApp;
  let browser: Browser;
  beforeAll(async () => {
    app = await startTestPages();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('trains, accompanies and checkpoints on WebGPU as on WebAssembly: the same losses, weight updates, notes and held-out measures from the same state and batch', async () => {
    const page = await browser.newPage();
    const pageErrors = collectPageErrors(page);
    await page.goto(new URL('tests/e2e/pages/parity.html', app.url).href);
    await page.getByTestId('status').filter({ hasText: 'ready' }).waitFor({ timeout: 120_000 });
    const run = await page.evaluate(() => (window as unknown as { cantusParity(): Promise<ParityRun> }).cantusParity());
    // A silent fall-back to another backend would make the comparison empty.
    expect(run.backend).toBe('webgpu');
    expect(parityProblems(run.wasm, run.webgpu)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
