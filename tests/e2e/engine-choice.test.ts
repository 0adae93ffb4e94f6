/**
 * The compute engine in headless Chromium here: the page is cross-origin isolated (so WebAssembly runs threads),
 * its resources still load under COEP, the engine is chosen by measurement (WebGPU and WebGL are SwiftShader
 * here, so wasm must win) in the background after the page started on an engine at once, the label shows the
 * measured rates, and an override takes effect.
 *
 * The measurement is the run's one real first visit (globalSetup.ts times the engines once, on the built app, and
 * keeps what that page showed); the other tests share one page, which starts with the measured rates, and the
 * override test goes back to the measured choice.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { JSB_DATASET_URL } from '../../src/data/jsbDownload';
import { openPageSession, sharedEngineMeasurement, waitUntil, type PageSession, waitForDefaultModel } from './harness';

const JSB_FILE = resolve(import.meta.dirname, '../../../shared/data/jsb-chorales/Jsb16thSeparated.train-valid.json');

/** Unfolds the engine details (its rates and the override live there), whatever a test before left. */
async function showEngineDetails(page: Page): Promise<void> {
  const details = page.getByTestId('engine-details');
  if (!(await details.evaluate((el) => (el as HTMLDetailsElement).open))) await details.locator('summary').click();
}

describe('the compute engine', () => {
  let session: PageSession;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    // No network here: the chorales' public address answers from the shared copy, with the CORS header GitHub sends.
    session = await openPageSession((context) =>
      context.route(JSB_DATASET_URL, (route) =>
        route.fulfill({
          status: 200,
          contentType: 'text/plain',
          headers: { 'Access-Control-Allow-Origin': '*' },
          body: readFileSync(JSB_FILE, 'utf8'),
        }),
      ),
    );
    ({ page, errors } = session);
    await waitUntil(
      'engine',
      () => page.getByTestId('backend-label').getAttribute('data-backend'),
      (backend) => Boolean(backend),
      300_000,
    );
    await waitForDefaultModel(page, 300_000);
  });
  afterAll(() => session?.close());
  afterEach(() => expect(errors.splice(0)).toEqual([]));

  it('is cross-origin isolated and still loads its model, samples and the chorale download', async () => {
    expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
    await expect.poll(() => page.getByTestId('model-label').getAttribute('data-origin'), { timeout: 300_000 }).toBe('default');
    const loads = await page.evaluate(async (jsbUrl) => {
      const model = await fetch('/models/default/model.json');
      const sample = await fetch('/piano-samples/A0v10.mp3');
      const jsb = await fetch(jsbUrl, { mode: 'cors' });
      return { model: model.ok, sample: sample.ok && sample.headers.get('content-type'), jsb: jsb.ok && Object.keys(await jsb.json()) };
    }, JSB_DATASET_URL);
    expect(loads).toEqual({ model: true, sample: 'audio/mpeg', jsb: expect.arrayContaining(['train', 'valid']) });
  });

  it('settles on wasm with more than one thread, by measurement, and shows the rates', async () => {
    // What the run's measuring first visit showed once the engines were timed in the background.
    const observation = (await sharedEngineMeasurement())?.observation;
    if (!observation) throw new Error('the e2e set-up could not time the engines: its log says why');
    expect(observation.crossOriginIsolated).toBe(true);
    expect(observation.backend).toBe('wasm');
    expect(observation.threads).toBeGreaterThan(1);
    // The figures go to the test log: they are the page's own measurement on this machine.
    console.log(`engine rates: ${observation.rates.map(({ text }) => text).join(' | ')}`);
    const byBackend = new Map(observation.rates.map(({ backend, rate }) => [backend, rate === '' ? null : Number(rate)]));
    expect([...byBackend.keys()].sort()).toEqual(['wasm', 'webgl', 'webgpu']);
    const wasm = byBackend.get('wasm');
    expect(wasm).toBeGreaterThan(0);
    // wasm was chosen because it measured fastest: every GPU rate is slower or was cut off by the time limit.
    for (const gpu of ['webgl', 'webgpu']) expect(byBackend.get(gpu) ?? 0).toBeLessThan(wasm ?? 0);
    expect(observation.ratesText).toMatch(/wasm: [\d.]+ training steps\/s/);
    expect(observation.summary).toMatch(/fastest/);
    expect(observation.errors).toEqual([]);
    // This page started with those rates: it shows the same choice without timing again.
    const label = page.getByTestId('backend-label');
    await expect.poll(() => label.getAttribute('data-timing'), { timeout: 300_000 }).toBeNull();
    expect(await label.getAttribute('data-backend')).toBe('wasm');
    await showEngineDetails(page);
    expect(await page.getByTestId('engine-rates').textContent()).toMatch(/wasm: [\d.]+ training steps\/s/);
  });

  it('switches to the engine the user picks', async () => {
    await showEngineDetails(page);
    await page.getByTestId('engine-override').selectOption('webgl');
    const label = page.getByTestId('backend-label');
    await expect.poll(() => label.getAttribute('data-backend'), { timeout: 120_000 }).toBe('webgl');
    expect(await page.getByTestId('engine-details').locator('summary').textContent()).toMatch(/your choice/);
    // And back to the measured choice.
    await page.getByTestId('engine-override').selectOption('');
    await expect.poll(() => label.getAttribute('data-backend'), { timeout: 120_000 }).toBe('wasm');
  });
});
