/**
 * WebGPU in headless Chromium (SwiftShader here). The real training worker trains a width-4 model on it for a couple
 * of iterations on tiny synthetic data, checkpoints, and accompanies a melody afterwards; and, on a page of its own,
 * one iteration and one accompaniment from the same state and batch equal WebAssembly's (the tolerances of
 * tests/unit/parity-fixtures.ts, which the Node test on Dawn uses too). The worker on WebAssembly is what the page
 * tests train on (page-trained, page-storage, page-train-controls), and page-built runs it in a browser without
 * WebGPU and WebGL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { TrainSummary } from './pages/worker-page';
import type { ParityRun } from './pages/parity-page';
import { parityProblems } from '../unit/parity-fixtures';
import { collectPageErrors, launchBrowser, screenshot, startTestPages, type RunningApp } from './harness';

describe('WebGPU in the browser: the training worker, and the same training as WebAssembly', () => {
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

  it('trains on WebGPU in a worker and reports finite losses', async () => {
    const page = await browser.newPage();
    const pageErrors = collectPageErrors(page);
    // Only WebGPU offered: left to measure, the worker would rightly pick wasm over SwiftShader here.
    await page.goto(new URL('tests/e2e/pages/worker.html?backends=webgpu', app.url).href);
    if (process.env.CANTUS_E2E_DEBUG) page.on('console', (m) => console.log(`[page ${m.type()}] ${m.text()}`));
    await page
      .getByTestId('backend-label')
      .filter({ hasText: /^(webgpu|webgl|wasm|cpu)$/ })
      .waitFor({ timeout: 120_000 })
      .catch((error: Error) => {
        throw new Error(`${error.message}\npage status: ${pageErrors.join(' | ') || '(no page errors)'}`);
      });
    await expect(page.getByTestId('backend-label').textContent()).resolves.toBe('webgpu');

    // 4 windows, batch 2, update ratio 1: 2 iterations in the one epoch.
    const summary = await page.evaluate(() =>
      (window as unknown as { cantusWorkerTest: { train(config: object, windows: number): Promise<TrainSummary> } }).cantusWorkerTest.train(
        { epochs: 1, batchSize: 2, updateRatio: 1, baseWidth: 4, snapshotEpochs: [1] },
        4,
      ),
    );
    await screenshot(page, 'worker-webgpu');
    expect(summary.errors).toEqual([]);
    expect(summary.backend).toBe('webgpu');
    expect(summary.progress.map((p) => [p.epoch, p.iteration, p.iterationsPerEpoch])).toEqual([
      [1, 1, 2],
      [1, 2, 2],
    ]);
    for (const p of summary.progress) {
      for (const value of [p.criticLoss, p.generatorLoss, p.wasserstein, p.gradientPenalty, p.samplesPerSecond, p.secondsLeft]) {
        expect(Number.isFinite(value)).toBe(true);
      }
      expect(p.samplesPerSecond).toBeGreaterThan(0);
    }
    expect(summary.events).toEqual(expect.arrayContaining(['ready', 'snapshot', 'metrics', 'checkpoint']));
    expect(summary.checkpoints).toBe(1);
    expect(summary.events.at(-1)).toBe('generated');
    expect([summary.generatedSteps, summary.generatedTracks]).toEqual([32, 4]);
    expect(pageErrors).toEqual([]);
  });

  it('trains and accompanies on WebGPU as on WebAssembly: the same losses, weight updates and notes from the same state and batch', async () => {
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
