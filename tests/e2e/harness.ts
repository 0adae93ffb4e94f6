/** Shared set-up for end-to-end tests: the app on a local Vite server, and Debian's Chromium driven by Playwright. */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = resolve(import.meta.dirname, '../../test-results/screenshots');

/** Flags that let headless Chromium run here: WebGPU on its software Vulkan, no network chatter. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--enable-unsafe-webgpu',
  '--autoplay-policy=no-user-gesture-required',
];

export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

/** Serves the app with Vite on a free loopback port. */
export async function startApp(): Promise<RunningApp> {
  const server: ViteDevServer = await createServer({
    root: resolve(import.meta.dirname, '../..'),
    configFile: resolve(import.meta.dirname, '../../vite.config.ts'),
    logLevel: 'warn',
    server: { port: 0, host: '127.0.0.1', strictPort: false },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('Vite did not report a port');
  return { url: `http://127.0.0.1:${address.port}/`, close: () => server.close() };
}

/** Launches Chromium headless with a fresh profile (Playwright makes a new user-data-dir each launch). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/** The app, Chromium and one page open at the app: what most page tests start from. */
export interface PageSession {
  app: RunningApp;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** The page's console errors and uncaught exceptions (see collectPageErrors). */
  errors: string[];
  /** Closes the browser, then the app. */
  close(): Promise<void>;
}

/**
 * Starts the app and Chromium, opens one page at 1280x800 with downloads allowed, and goes to the app.
 * `prepare` runs on the browser context before the page opens, for routes that stand in for the network.
 */
export async function openPageSession(prepare?: (context: BrowserContext) => Promise<unknown>): Promise<PageSession> {
  const app = await startApp();
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    if (prepare) await prepare(context);
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(app.url);
    const opened = browser;
    return { app, browser, context, page, errors, close: async () => { await opened.close(); await app.close(); } };
  } catch (error) {
    await browser?.close();
    await app.close();
    throw error;
  }
}

/** Collects the page's console errors and uncaught exceptions, for assertions and for failure messages. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return errors;
}

/** Saves a screenshot of the page's current state under test-results/screenshots. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = resolve(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
