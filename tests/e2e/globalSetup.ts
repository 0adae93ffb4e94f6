/**
 * The e2e project's global set-up (vitest.config.ts): what every browser test shares, made once per run in the
 * main vitest process and handed to the test files through environment variables and files (harness.ts reads them):
 *
 * - one headless Chromium (a Playwright browser server; each test connects and gets fresh contexts, so fresh
 *   storage, as before with a browser of its own),
 * - one Vite dev server for the app and the test pages, whose module transforms are then made once, not per file,
 * - one production build of the app, served by `vite preview` under its Content-Security-Policy (builtApp.ts),
 * - the compute engines' training rates, measured once by the built app on a first visit for the model widths the
 *   tests use, then written into every new context's storage before the app starts, where the app keeps them after
 *   its own measurement: a fresh page does not time the engines again.
 *
 * The build and the measurement go on in the background: the set-up returns as soon as the browser and the dev
 * server are up, and a test waits for the rates only when it opens its first browser context (sharedResult).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserServer } from 'playwright-core';
import { ensureChromium } from './chromium';
import { buildApp, previewApp, violationReports, type BuiltApp } from './builtApp';
import { measureEngineRates } from './engineRates';
import { CHROMIUM_ARGS, CHROMIUM_PATH, SHARED_ENV, SHARED_FILES, startDevServer, type RunningApp } from './harness';

/** How long each shared piece took, for the run's log. */
function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  return work().finally(() => console.log(`e2e set-up: ${what} in ${((Date.now() - started) / 1000).toFixed(1)} s`));
}

export default async function setup(): Promise<() => Promise<void>> {
  ensureChromium();
  const dir = mkdtempSync(join(tmpdir(), 'cantus-e2e-'));
  const write = (name: string, value: unknown) => writeFileSync(join(dir, name), JSON.stringify(value));
  let server: BrowserServer | undefined;
  let app: RunningApp | undefined;
  let built: BuiltApp | undefined;
  let background: Promise<void> = Promise.resolve();
  const teardown = async () => {
    await background;
    await built?.close();
    await server?.close();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    server = await timed('Chromium', () => chromium.launchServer({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS }));
    app = await timed('dev server', startDevServer);
    process.env[SHARED_ENV.browser] = server.wsEndpoint();
    process.env[SHARED_ENV.app] = app.url;
    process.env[SHARED_ENV.dir] = dir;
  } catch (error) {
    await teardown();
    throw error;
  }
  const wsEndpoint = server.wsEndpoint();
  const reportsFile = join(dir, SHARED_FILES.reports);
  background = (async () => {
    try {
      await timed('build', () => buildApp(join(dir, 'dist')));
      built = await previewApp(join(dir, 'dist'), reportsFile);
      write(SHARED_FILES.builtApp, { url: built.url });
    } catch (error) {
      write(SHARED_FILES.builtApp, { failed: `the app could not be built and served: ${(error as Error).message}` });
      write(SHARED_FILES.engines, { records: [], observation: null });
      return;
    }
    const url = built.url;
    // Without rates (the page could not time the engines here) every context times them itself, as a real first visit.
    const measurement = await timed('engine rates', () => measureEngineRates(wsEndpoint, url, () => violationReports(reportsFile))).catch(
      (error: Error) => {
        console.log(`e2e set-up: the engines could not be timed: ${error.message.split('\n')[0]}`);
        return { records: [], observation: null };
      },
    );
    console.log(
      `e2e set-up: engine rates for widths ${measurement.records.map((r) => r.width).join(', ') || '(none)'} seeded into new contexts`,
    );
    write(SHARED_FILES.engines, measurement);
  })();
  return teardown;
}
