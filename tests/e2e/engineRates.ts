/**
 * The compute engines' measured training rates, timed once per test run and given to every new browser context.
 *
 * The app times WebGPU, WebGL and WebAssembly at the model width in use when it starts, and again before training
 * at another width, and keeps the rates in IndexedDB (`cantus-engine-rates`, src/worker/backend.ts), keyed by
 * the browser and the width, so that later visits start at once. Every test context is a first visit, so each
 * would time the engines anew (tens of seconds of both cores). Here the rates are measured once by the app itself,
 * in the shared browser, on a real first visit to the built app under its Content-Security-Policy (the probe
 * workers run under it), then written into each new context's IndexedDB before the app runs: the app finds them as
 * it would on a second visit. What that first visit showed (the engine chosen, its threads, the rates listed, any
 * violation) is kept for the tests of the measurement itself (engine-choice.test.ts, page-built.test.ts).
 */
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { cspViolations, recordCspViolations } from './builtApp';

/** One IndexedDB record of the app's rate cache: its key (browser and width) and the value the app stored. */
export interface EngineRateRecord {
  width: number;
  key: string;
  value: unknown;
}

/** What the measuring first visit showed once the engines were timed at the default width. */
export interface EngineObservation {
  crossOriginIsolated: boolean;
  /** The engine label's data-backend and data-threads. */
  backend: string | null;
  threads: number;
  /** Each listed rate: its engine, its data-rate ('' when not timed) and its text. */
  rates: { backend: string | null; rate: string | null; text: string | null }[];
  ratesText: string | null;
  summary: string | null;
  /** CSP violations the page saw or the server was sent while the engines were timed, and the page's errors. */
  violations: string[];
  errors: string[];
}

/** The measurement: the records handed to every new context, and what the first visit showed. */
export interface EngineMeasurement {
  records: EngineRateRecord[];
  observation: EngineObservation;
}

/** The model widths the tests use: the default model size, and the tiny one the training tests pick. */
const WIDTHS = [16, 4];

/** The app's rate cache, read without creating it (an open that would create the database is aborted). */
function readRateCache(page: Page): Promise<{ key: string; value: unknown }[]> {
  return page.evaluate(
    () =>
      new Promise<{ key: string; value: unknown }[]>((resolveRecords) => {
        const request = indexedDB.open('cantus-engine-rates');
        request.onupgradeneeded = () => request.transaction?.abort();
        request.onerror = () => resolveRecords([]);
        request.onsuccess = () => {
          const db = request.result;
          if (!db.objectStoreNames.contains('rates')) {
            db.close();
            resolveRecords([]);
            return;
          }
          const store = db.transaction('rates').objectStore('rates');
          const keys = store.getAllKeys();
          const values = store.getAll();
          values.onsuccess = () => {
            db.close();
            resolveRecords(keys.result.map((key, i) => ({ key: String(key), value: values.result[i] })));
          };
          values.onerror = () => {
            db.close();
            resolveRecords([]);
          };
        };
      }),
  );
}

/**
 * Whether a record says WebAssembly trained fastest, as it must here (the GPUs are SwiftShader): a record timed on
 * an overloaded machine that says otherwise is not handed on, and the tests then time the engines themselves.
 */
function wasmFastest(value: unknown): boolean {
  const rates = (value as { rates?: { backend: string; iterationsPerSecond: number | null }[] } | undefined)?.rates ?? [];
  const wasm = rates.find((r) => r.backend === 'wasm')?.iterationsPerSecond ?? null;
  return wasm !== null && rates.every((r) => r.backend === 'wasm' || (r.iterationsPerSecond ?? 0) < wasm);
}

async function waitForRecords(page: Page, widths: number[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const records = await readRateCache(page);
    const found = widths.map((width) => records.find((r) => r.key.endsWith(` | width ${width}`)));
    if (found.every(Boolean) || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Lets the app time the engines at each width the tests use, in a fresh context of the browser at `wsEndpoint`
 * (a first visit to `appUrl`), and returns the records it kept with what the page showed. Width 16 is timed at
 * start; width 4 when the engine is chosen again with that model size set (a forced engine, then back to the
 * automatic choice). `reports` reads the violation reports the app's server received so far.
 */
export async function measureEngineRates(wsEndpoint: string, appUrl: string, reports: () => string[]): Promise<EngineMeasurement> {
  const browser = await chromium.connect(wsEndpoint);
  try {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    await recordCspViolations(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()}`);
    });
    await page.goto(appUrl);
    // The page starts on an engine at once and times the engines in the background; the label drops its
    // data-timing mark once that timing is over.
    const label = page.locator('[data-testid="backend-label"][data-backend]:not([data-backend=""]):not([data-timing])');
    await label.waitFor({ timeout: 300_000 });
    const details = page.getByTestId('engine-details');
    if (!(await details.evaluate((el) => (el as HTMLDetailsElement).open))) await details.locator('summary').click();
    const rates = page.getByTestId('engine-rates');
    const observation: EngineObservation = {
      crossOriginIsolated: await page.evaluate(() => window.crossOriginIsolated),
      backend: await label.getAttribute('data-backend'),
      threads: Number(await label.getAttribute('data-threads')),
      rates: await rates
        .locator('li')
        .evaluateAll((items) =>
          items.map((li) => ({ backend: li.getAttribute('data-backend'), rate: li.getAttribute('data-rate'), text: li.textContent })),
        ),
      ratesText: await rates.textContent(),
      summary: await details.locator('summary').textContent(),
      violations: [],
      errors,
    };
    const [first] = await waitForRecords(page, [16], 10_000);
    if (!first) {
      // Nothing timed (every engine ran past its limit on a busy machine): each test context times for itself.
      console.log(`e2e set-up: the engines could not be timed (${observation.ratesText ?? 'no rates shown'})`);
      return { records: [], observation };
    }
    await page.getByTestId('model-size-select').selectOption('4');
    await page.getByTestId('engine-override').selectOption('wasm');
    await page.locator('[data-testid="backend-label"][data-backend="wasm"]').waitFor({ timeout: 120_000 });
    await page.getByTestId('engine-override').selectOption('');
    const found = await waitForRecords(page, WIDTHS, 180_000);
    // Reports travel separately from the page: give any late one time to arrive.
    await new Promise((r) => setTimeout(r, 1000));
    observation.violations = await cspViolations(page, errors, reports());
    const records = WIDTHS.flatMap((width, i) => {
      const record = found[i];
      return record && wasmFastest(record.value) ? [{ width, key: record.key, value: record.value }] : [];
    });
    return { records, observation };
  } finally {
    await browser.close();
  }
}

/** Writes `records` into the app's rate cache of every page `context` opens, before the app's own scripts run. */
export async function seedEngineRates(context: BrowserContext, records: EngineRateRecord[]): Promise<void> {
  if (records.length === 0) return;
  await context.addInitScript(
    (seed: { key: string; value: unknown }[]) => {
      if (!location.protocol.startsWith('http')) return;
      // The records go in with the store's creation: any open by the app (page or worker) waits for that to finish.
      const request = indexedDB.open('cantus-engine-rates', 1);
      request.onupgradeneeded = () => {
        const store = request.result.createObjectStore('rates');
        for (const { key, value } of seed) store.put(value, key);
      };
      request.onsuccess = () => request.result.close();
    },
    records.map(({ key, value }) => ({ key, value })),
  );
}
