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

/** One page open at the app, with its errors collected. */
export interface AppPage {
  page: Page;
  /** The page's console errors and uncaught exceptions (see collectPageErrors). */
  errors: string[];
  /** Closes the page, and its context when the page had one of its own. */
  close(): Promise<void>;
}

/** Where `PageSession.openPage` opens its page, and at what size. */
export interface OpenPageOptions {
  /**
   * A new browser context (set up by the same `prepare`) instead of the session's: the page starts with
   * empty storage, as on a first visit, and nothing it keeps reaches the session's other pages.
   */
  ownStorage?: boolean;
  /** Defaults to 1280x800. */
  viewport?: { width: number; height: number };
}

/** The app, Chromium and one page open at the app: what most page tests start from. */
export interface PageSession {
  app: RunningApp;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** The page's console errors and uncaught exceptions (see collectPageErrors). */
  errors: string[];
  /**
   * Opens another page at the app, for a test that should not depend on what other tests did to `page`. In the
   * session's context it shares the session's storage: the page memory (melody, result, mixer, settings), the
   * models kept in IndexedDB and the cached data set.
   */
  openPage(options?: OpenPageOptions): Promise<AppPage>;
  /** Closes the browser, then the app. */
  close(): Promise<void>;
}

const CONTEXT_OPTIONS = { viewport: { width: 1280, height: 800 }, acceptDownloads: true };

/**
 * Starts the app and Chromium, opens one page at 1280x800 with downloads allowed, and goes to the app.
 * `prepare` runs on the browser context before the page opens, for routes that stand in for the network.
 */
export async function openPageSession(prepare?: (context: BrowserContext) => Promise<unknown>): Promise<PageSession> {
  const app = await startApp();
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const opened = browser;
    const context = await browser.newContext(CONTEXT_OPTIONS);
    if (prepare) await prepare(context);
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(app.url);
    const openPage = async ({ ownStorage = false, viewport }: OpenPageOptions = {}): Promise<AppPage> => {
      const own = ownStorage ? await opened.newContext(CONTEXT_OPTIONS) : null;
      if (own && prepare) await prepare(own);
      const another = await (own ?? context).newPage();
      if (viewport) await another.setViewportSize(viewport);
      const anotherErrors = collectPageErrors(another);
      await another.goto(app.url);
      return {
        page: another,
        errors: anotherErrors,
        close: async () => {
          await another.close();
          await own?.close();
        },
      };
    };
    return {
      app,
      browser,
      context,
      page,
      errors,
      openPage,
      close: async () => {
        await opened.close();
        await app.close();
      },
    };
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

/** The page memory the app keeps in IndexedDB (src/ui/persist.ts), in brief, or null before the app made it. */
export interface SavedPageBrief {
  melodyName: string;
  hasResult: boolean;
  resultSeed: number;
  activeModelId: string | null;
  muted: boolean[];
  loop: boolean;
}

/**
 * Reads the page memory from the page's IndexedDB, so a test can wait until a change has been saved (the app
 * saves 400 ms after the last change) before it closes the page. Never creates the database: an open that
 * would (the app has not made it yet) is aborted.
 */
export async function savedPageMemory(page: Page): Promise<SavedPageBrief | null> {
  // No named functions inside: the callback runs in the page as its source text.
  const saved = await page.evaluate(
    () =>
      new Promise<Record<string, unknown> | null>((resolvePage) => {
        const request = indexedDB.open('cantus-page');
        request.onupgradeneeded = () => request.transaction?.abort();
        request.onerror = () => resolvePage(null);
        request.onsuccess = () => {
          const db = request.result;
          if (!db.objectStoreNames.contains('page')) {
            db.close();
            resolvePage(null);
            return;
          }
          const get = db.transaction('page').objectStore('page').get('current');
          get.onerror = () => {
            db.close();
            resolvePage(null);
          };
          get.onsuccess = () => {
            const value = get.result as Record<string, unknown> | undefined;
            db.close();
            if (!value) return resolvePage(null);
            // The rolls' typed arrays stay in the page: only whether there is a result comes back.
            const { melodyName, resultSeed, activeModelId, mix, loop } = value;
            resolvePage({ melodyName, result: value.result != null, resultSeed, activeModelId, mix, loop });
          };
        };
      }),
  );
  if (!saved) return null;
  return {
    melodyName: String(saved.melodyName ?? ''),
    hasResult: saved.result === true,
    resultSeed: Number(saved.resultSeed ?? 0),
    activeModelId: typeof saved.activeModelId === 'string' ? saved.activeModelId : null,
    muted: ((saved.mix ?? []) as { muted: boolean }[]).map((m) => m.muted),
    loop: saved.loop === true,
  };
}

/**
 * Reads `read` until `accept` holds, and returns that value; throws with the last value read after `timeout` ms.
 * For set-up hooks, where vitest does not allow expect.poll.
 */
/** The test id of the element with the keyboard focus, or its tag name when it has none (BODY: focus fell to the page). */
export function focusedTestId(page: Page): Promise<string> {
  return page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName ?? '');
}

/** Waits until the page has loaded the pretrained default model (its model label says so). */
export async function waitForDefaultModel(page: Page, timeout = 180_000): Promise<void> {
  await waitUntil(
    'default model',
    () => page.getByTestId('model-label').getAttribute('data-origin'),
    (origin) => origin === 'default',
    timeout,
  );
}

/**
 * Waits until the page's engine is chosen and timed: the worker starts on an engine at once and times the engines for
 * training in the background (on a software GPU that keeps the GPU process, which also draws the page, busy), so
 * tests that need a settled page wait for it.
 */
export async function waitForEngineTimed(page: Page, timeout = 300_000): Promise<void> {
  await waitUntil(
    'engine timed',
    () => page.getByTestId('backend-label').evaluate((el) => [el.getAttribute('data-backend'), el.getAttribute('data-timing')]),
    ([backend, timing]) => Boolean(backend) && timing === null,
    timeout,
  );
}

export async function waitUntil<T>(what: string, read: () => Promise<T>, accept: (value: T) => boolean, timeout = 5_000): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, timeout > 60_000 ? 1000 : 200));
  }
}
