/** The page loads in the headless Chromium the other page tests drive, and WebGPU gives it an adapter there. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, startApp, type RunningApp } from './harness';

describe('the page in headless Chromium', () => {
  let app: RunningApp;
  let browser: Browser;
  beforeAll(async () => {
    app = await startApp();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('loads, and WebGPU gives an adapter', async () => {
    const page = await browser.newPage();
    await page.goto(app.url);
    await expect(page.title()).resolves.toContain('Cantus');
    const hasAdapter = await page.evaluate(async () => {
      const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      return Boolean(gpu && (await gpu.requestAdapter()));
    });
    expect(hasAdapter).toBe(true);
  });
});
