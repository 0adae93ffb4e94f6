/**
 * The e2e project's global set-up (vitest.config.ts): what every browser test shares, made once per run in the
 * main vitest process and handed to the test files through environment variables (harness.ts reads them):
 *
 * - one headless Chromium (a Playwright browser server; each test connects and gets fresh contexts, so fresh
 *   storage, as before with a browser of its own),
 * - one Vite dev server for the app and the test pages, whose module transforms are then made once, not per file,
 * - the compute engines' training rates, measured once in this browser for the model widths the tests use and
 *   then written into every new context's storage before the app starts, where the app keeps them after its own
 *   measurement: a fresh page does not time the engines again (engine-choice.test.ts opts out and really times them).
 */
import { chromium, type BrowserServer } from 'playwright-core';
import { ensureChromium } from './chromium';
import { CHROMIUM_ARGS, CHROMIUM_PATH, SHARED_ENV, startDevServer, type RunningApp } from './harness';
import { measureEngineRates } from './engineRates';

/** How long each shared piece took, for the run's log. */
function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  return work().finally(() => console.log(`e2e set-up: ${what} in ${((Date.now() - started) / 1000).toFixed(1)} s`));
}

export default async function setup(): Promise<() => Promise<void>> {
  ensureChromium();
  let server: BrowserServer | undefined;
  let app: RunningApp | undefined;
  const teardown = async () => {
    await server?.close();
    await app?.close();
  };
  try {
    server = await timed('Chromium', () => chromium.launchServer({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS }));
    app = await timed('dev server', startDevServer);
    // Without rates (the page could not time the engines here) every context times them itself, as a real first visit.
    const rates = await timed('engine rates', () =>
      measureEngineRates(server!.wsEndpoint(), app!.url).catch((error: Error) => {
        console.log(`e2e set-up: the engines could not be timed: ${error.message.split('\n')[0]}`);
        return [];
      }),
    );
    console.log(`e2e set-up: engine rates for widths ${rates.map((r) => r.width).join(', ') || '(none)'} seeded into new contexts`);
    process.env[SHARED_ENV.browser] = server.wsEndpoint();
    process.env[SHARED_ENV.app] = app.url;
    process.env[SHARED_ENV.rates] = JSON.stringify(rates);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
