/**
 * Shared set-up for end-to-end tests: the app, served by Vite, and Debian's Chromium driven by Playwright.
 *
 * How a test plugs in. A test file under tests/e2e/ named `*.test.ts` runs in the e2e project (vitest.config.ts).
 * Most start with `openPageSession()` in `beforeAll` (the app, the browser and a page open at the app) and
 * `session.close()` in `afterAll`; `session.openPage()` gives further pages, in the session's storage or
 * (`ownStorage`) as a first visit. Lower down, `startApp()`, `startTestPages()` and `launchBrowser()` give the app's
 * address, the test pages' address and a browser. Under `vitest` these are shared by every file of the run
 * (globalSetup.ts makes them once): `startApp()` answers the production build served by `vite preview` under the
 * app's CSP (sharedBuiltApp), `startTestPages()` the dev server that serves tests/e2e/pages/ from source, and their
 * `close()` leaves the server running; `launchBrowser()` connects to the shared Chromium, and its `close()` ends
 * only this connection and the contexts it made. Each new context is still a fresh profile (empty storage), with
 * the engines' measured rates already in it (engineRates.ts), so the page does not time the engines again (a
 * context that should time them passes `{ measureEngines: true }`), and without the service worker unless it asks
 * for one. The set-up also keeps what the measuring first visit showed (sharedEngineMeasurement). Outside vitest
 * (scripts/bench.ts), each call starts its own dev server and browser.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_PATH } from './chromium';
import { seedEngineRates, type EngineMeasurement, type EngineRateRecord } from './engineRates';

export { CHROMIUM_PATH };
export const SCREENSHOT_DIR = resolve(import.meta.dirname, '../../test-results/screenshots');
/** Where downloads of pages in the shared browser are copied to (see keepDownloadsLocal). */
const DOWNLOAD_DIR = resolve(import.meta.dirname, '../../test-results/downloads');

/** The environment variables through which globalSetup.ts hands the shared pieces to the test files. */
export const SHARED_ENV = {
  browser: 'CANTUS_E2E_BROWSER_WS',
  app: 'CANTUS_E2E_APP_URL',
  /** A folder where the set-up leaves what it makes in the background (SHARED_FILES). */
  dir: 'CANTUS_E2E_SHARED_DIR',
} as const;

/** The files the set-up writes into the shared folder as each background piece is ready. */
export const SHARED_FILES = {
  /** The built app's address under `vite preview` ({ url } or { failed }). */
  builtApp: 'built-app.json',
  /** The engines' measurement (engineRates.ts's EngineMeasurement; observation null when it failed). */
  engines: 'engines.json',
  /** The CSP violation reports the built app's server received, one JSON string a line. */
  reports: 'csp-reports.jsonl',
} as const;

/** The path of one of the set-up's shared files, or undefined outside vitest. */
export function sharedFile(name: string): string | undefined {
  const dir = process.env[SHARED_ENV.dir];
  return dir ? join(dir, name) : undefined;
}

/**
 * Waits for the set-up's background piece `name` (SHARED_FILES) and returns it: the build and the engines'
 * measurement run while the first tests start. Undefined outside vitest.
 */
export async function sharedResult<T>(name: string, timeout = 600_000): Promise<T | undefined> {
  const path = sharedFile(name);
  if (!path) return undefined;
  const deadline = Date.now() + timeout;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`the e2e set-up did not write ${name} within ${timeout / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** The set-up's measurement of the engines (undefined outside vitest). */
export function sharedEngineMeasurement(): Promise<EngineMeasurement | { records: []; observation: null } | undefined> {
  return sharedResult(SHARED_FILES.engines);
}

/** The address of the set-up's built app under `vite preview`; throws when it could not be built. */
export async function sharedBuiltApp(): Promise<string> {
  const built = await sharedResult<{ url?: string; failed?: string }>(SHARED_FILES.builtApp);
  if (!built) throw new Error('the built app is made by the e2e set-up: run this file with vitest');
  if (!built.url) throw new Error(built.failed ?? 'the built app is not served');
  return built.url;
}

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

/**
 * The app as users get it: under vitest the run's shared production build under `vite preview` (its `close()` then
 * leaves it running; it loads in half the time and processor time of the dev server's page), else a dev server of
 * its own (scripts/bench.ts).
 */
export async function startApp(): Promise<RunningApp> {
  if (process.env[SHARED_ENV.dir]) return { url: await sharedBuiltApp(), close: async () => {} };
  return startDevServer();
}

/**
 * The dev server, for the test pages under tests/e2e/pages/ (they load the app's modules from source): the run's
 * shared one under vitest (its `close()` then leaves it running), else one of its own.
 */
export async function startTestPages(): Promise<RunningApp> {
  const shared = process.env[SHARED_ENV.app];
  if (shared) return { url: shared, close: async () => {} };
  return startDevServer();
}

/** Serves the app with a Vite dev server of its own on a free loopback port. */
export async function startDevServer(): Promise<RunningApp> {
  // Vite is loaded here only: a test file under vitest uses the shared server and never pays for loading it.
  const { createServer } = await import('vite');
  const server = await createServer({
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

/** What a browser's new contexts start with. */
export interface BrowserOptions {
  /**
   * Leaves new contexts without the engines' measured rates, so that the page times the engines itself, as on a
   * real first visit. By default they get the rates measured once for the run.
   */
  measureEngines?: boolean;
  /**
   * A browser of its own even under vitest, for settings that hold browser-wide, such as a storage quota set for the
   * app's origin (page-storage.test.ts): in the shared browser every file's pages have that origin.
   */
  ownBrowser?: boolean;
}

/** The engine rates measured once for this run (none outside vitest), once the set-up has them. */
export async function sharedEngineRates(): Promise<EngineRateRecord[]> {
  return (await sharedEngineMeasurement())?.records ?? [];
}

/**
 * Chromium headless: a connection to the run's shared browser under vitest, else a browser of its own (Playwright
 * makes a new user-data-dir each launch). Either way every new context, `newPage()`'s included, is a fresh profile.
 */
export async function launchBrowser(options: BrowserOptions = {}): Promise<Browser> {
  const shared = options.ownBrowser ? undefined : process.env[SHARED_ENV.browser];
  const browser = shared
    ? await chromium.connect(shared)
    : await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  const rates = options.measureEngines ? [] : await sharedEngineRates();
  const newContext = browser.newContext.bind(browser);
  // The built app's service worker caches every file of the app at once (seconds of processor time per context):
  // a context opts in with `serviceWorkers: 'allow'` where a test is about it (page-built.test.ts).
  browser.newContext = async (contextOptions) => {
    const context = await newContext({ serviceWorkers: 'block', ...contextOptions });
    if (rates.length) await seedEngineRates(context, rates);
    if (shared) context.on('page', keepDownloadsLocal);
    return context;
  };
  return browser;
}

/**
 * Over a connection Playwright keeps a download in the browser's process and refuses `download.path()`; tests read
 * downloads from that path, so each download of a connected page is copied here when a test asks for its path.
 */
function keepDownloadsLocal(page: Page): void {
  page.on('download', (download) => {
    let local: Promise<string> | undefined;
    download.path = () => {
      local ??= (async () => {
        mkdirSync(DOWNLOAD_DIR, { recursive: true });
        const path = resolve(DOWNLOAD_DIR, `${Date.now()}-${Math.random().toString(36).slice(2)}-${download.suggestedFilename()}`);
        await download.saveAs(path);
        return path;
      })();
      return local;
    };
  });
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
export async function openPageSession(
  prepare?: (context: BrowserContext) => Promise<unknown>,
  options: BrowserOptions = {},
): Promise<PageSession> {
  const app = await startApp();
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser(options);
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

/**
 * Reads `read` until `accept` holds, and returns that value; throws with the last value read after `timeout` ms.
 * For set-up hooks, where vitest does not allow expect.poll.
 */
export async function waitUntil<T>(what: string, read: () => Promise<T>, accept: (value: T) => boolean, timeout = 5_000): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, timeout > 60_000 ? 1000 : 200));
  }
}
