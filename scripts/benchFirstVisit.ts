/**
 * `npm run bench:first-visit [-- --json] [-- --dist DIR] [-- --visits N] [-- --click-after MS]`: the built app as a new
 * user meets it.
 * Builds the app (or takes an existing build with --dist), serves it with `vite preview` (its CSP and
 * cross-origin isolation headers), and opens it in headless Chromium with a fresh profile; picks a built-in tune
 * and clicks Accompany as soon as it can (or, with --click-after, no earlier than MS after the page opened: a click
 * while the engines are being timed for training), and times the click to the accompaniment shown. Then it waits until the
 * engines have been timed for training and the service worker has cached the app, closes the browser and visits
 * again with the same profile (another tune), `--visits` times in all (default 2).
 *
 * Bytes: every response the server sent during each visit (page, workers, service worker), as sent by
 * `vite preview` (uncompressed) and as a static host would send it (brotli of each body, piano samples as they
 * are), by kind of file, up to the accompaniment shown and for the whole visit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { build, preview } from 'vite';

import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/e2e/harness';
import { summarise, TransferLog, type TransferSummary } from './bench/transfers';

const ROOT = resolve(import.meta.dirname, '..');
const log = (line: string): void => console.error(line);

interface Options {
  json: boolean;
  dist: string | undefined;
  visits: number;
  /** Milliseconds after the page opened before which the bench does not click (0: as soon as it can). */
  clickAfterMs: number;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { json: false, dist: undefined, visits: 2, clickAfterMs: 0 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') options.json = true;
    else if (arg === '--dist') options.dist = resolve(argv[++i] ?? '');
    else if (arg === '--visits') {
      options.visits = Number(argv[++i]);
      if (!Number.isInteger(options.visits) || options.visits < 1) throw new Error('--visits takes a whole number from 1 up');
    } else if (arg === '--click-after') {
      options.clickAfterMs = Number(argv[++i]);
      if (!Number.isFinite(options.clickAfterMs) || options.clickAfterMs < 0)
        throw new Error('--click-after takes milliseconds, 0 or more');
    } else throw new Error(`unknown option ${arg}; use --json, --dist DIR, --visits N, --click-after MS`);
  }
  return options;
}

/** Times the page marks itself, in milliseconds since the navigation began (performance.now()). */
interface Marks {
  clickAt?: number;
  shownAt?: number;
}

/**
 * Installed before the app's own scripts: notes the click on Accompany and the moment the accompaniment's tracks
 * are in the mixer (melody and three voices), from the page's own clock.
 */
function installMarks(): void {
  const marks: Marks = {};
  (window as unknown as { cantusBenchMarks: Marks }).cantusBenchMarks = marks;
  document.addEventListener(
    'click',
    (event) => {
      const target = event.target as Element | null;
      if (marks.clickAt === undefined && target?.closest?.('[data-testid="generate-button"]')) marks.clickAt = performance.now();
    },
    true,
  );
  new MutationObserver(() => {
    if (marks.clickAt !== undefined && marks.shownAt === undefined && document.querySelectorAll('[data-testid="track-row"]').length >= 4)
      marks.shownAt = performance.now();
  }).observe(document, { subtree: true, childList: true, attributes: true });
}

/** One visit's figures. */
interface VisitResult {
  visit: number;
  tune: string;
  /** Navigation start to the Accompany click (the bench clicks as soon as a tune is in and the button enabled). */
  clickMs: number;
  /** The click to the accompaniment shown. */
  clickToAccompanimentMs: number;
  /** Navigation start to the engine's measured training rates shown (null: none shown within the limit). */
  ratesShownMs: number | null;
  /** The engine the page shows once timed, with its rates. */
  engine: { backend: string; rates: string[] };
  /** Bytes up to the accompaniment shown. */
  untilAccompaniment: TransferSummary;
  /** Bytes of the whole visit (the service worker's precache included). */
  wholeVisit: TransferSummary;
}

const VISIT_LIMIT_MS = 300_000;

async function waitFor(page: Page, what: string, test: () => boolean, limitMs = VISIT_LIMIT_MS): Promise<void> {
  try {
    await page.waitForFunction(test, undefined, { timeout: limitMs, polling: 50 });
  } catch (error) {
    throw new Error(`${what}: not within ${limitMs / 1000} s (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Waits until no response has been sent for `quietMs` (the service worker's precache has finished). */
async function networkQuiet(transfers: TransferLog, quietMs: number, limitMs = VISIT_LIMIT_MS): Promise<void> {
  const deadline = Date.now() + limitMs;
  let seen = transfers.count;
  let since = Date.now();
  while (Date.now() - since < quietMs && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    if (transfers.count !== seen) {
      seen = transfers.count;
      since = Date.now();
    }
  }
}

async function visit(index: number, url: string, profile: string, transfers: TransferLog, clickAfterMs: number): Promise<VisitResult> {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
  });
  try {
    const start = transfers.count;
    context.setDefaultTimeout(VISIT_LIMIT_MS);
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.addInitScript(installMarks);
    await page.goto(url, { waitUntil: 'commit' });
    const select = page.getByTestId('sample-melody-select');
    await waitFor(
      page,
      'the built-in tunes',
      () => document.querySelectorAll('[data-testid="sample-melody-select"] option[value]:not([value=""])').length > 0,
    );
    if (index > 1) {
      // A later visit restores the page as it was left (the last tune and its accompaniment) before it takes a new one.
      await waitFor(page, 'the restored page', () => document.querySelectorAll('[data-testid="track-row"]').length >= 1);
    }
    const tunes = await select
      .locator('option')
      .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
    const tune = tunes[(index - 1) % tunes.length];
    await select.selectOption(tune);
    await waitFor(page, 'the tune alone in the mixer', () => {
      const button = document.querySelector<HTMLButtonElement>('[data-testid="generate-button"]');
      return document.querySelectorAll('[data-testid="track-row"]').length === 1 && button !== null && !button.disabled;
    });
    if (clickAfterMs > 0)
      await page.waitForFunction((at) => performance.now() >= at, clickAfterMs, { polling: 20, timeout: clickAfterMs + VISIT_LIMIT_MS });
    await page.getByTestId('generate-button').click();
    await waitFor(
      page,
      'the accompaniment',
      () => (window as unknown as { cantusBenchMarks: Marks }).cantusBenchMarks.shownAt !== undefined,
    );
    const untilAccompaniment = summarise(transfers.since(start));
    const marks = await page.evaluate(() => (window as unknown as { cantusBenchMarks: Marks }).cantusBenchMarks);
    log(
      `[visit ${index}] ${tune}: clicked at ${marks.clickAt?.toFixed(0)} ms, accompaniment ${((marks.shownAt ?? 0) - (marks.clickAt ?? 0)).toFixed(0)} ms later`,
    );

    let ratesShownMs: number | null = null;
    try {
      await waitFor(
        page,
        'the engine rates',
        () =>
          document.querySelectorAll('[data-testid="engine-rates"] li').length > 0 ||
          !document.querySelector('[data-testid="engine-details"]'),
        VISIT_LIMIT_MS,
      );
      await page.evaluate(() => {
        const details = document.querySelector<HTMLDetailsElement>('[data-testid="engine-details"]');
        if (details) details.open = true;
      });
      await waitFor(page, 'the engine rates', () => document.querySelectorAll('[data-testid="engine-rates"] li').length > 0);
      ratesShownMs = await page.evaluate(() => performance.now());
    } catch (error) {
      log(`[visit ${index}] ${error instanceof Error ? error.message : String(error)}`);
    }
    const engine = await page.evaluate(() => ({
      backend: document.querySelector('[data-testid="backend-label"]')?.getAttribute('data-backend') ?? '',
      rates: [...document.querySelectorAll('[data-testid="engine-rates"] li')].map((li) => li.textContent ?? ''),
    }));
    await page.evaluate(() => navigator.serviceWorker?.ready.then(() => undefined));
    await networkQuiet(transfers, 3000);
    if (errors.length) log(`[visit ${index}] page errors: ${errors.join(' | ')}`);
    return {
      visit: index,
      tune,
      clickMs: marks.clickAt ?? NaN,
      clickToAccompanimentMs: (marks.shownAt ?? NaN) - (marks.clickAt ?? NaN),
      ratesShownMs,
      engine,
      untilAccompaniment,
      wholeVisit: summarise(transfers.since(start)),
    };
  } finally {
    await context.close();
  }
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(2)} MB`;

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const loadAtStart = loadavg()[0];
  const outDir = options.dist ?? mkdtempSync(join(tmpdir(), 'cantus-first-visit-'));
  if (!options.dist) {
    log(`building the app into ${outDir}...`);
    await build({ root: ROOT, configFile: join(ROOT, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  }
  const transfers = new TransferLog(outDir);
  log('compressing the built files...');
  transfers.measureAll();
  const server = await preview({
    root: ROOT,
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    plugins: [transfers.plugin()],
    build: { outDir },
    preview: { port: 0, host: '127.0.0.1', strictPort: false },
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report its address');
  const profile = mkdtempSync(join(tmpdir(), 'cantus-first-visit-profile-'));
  const visits: VisitResult[] = [];
  try {
    for (let i = 1; i <= options.visits; i++) visits.push(await visit(i, url, profile, transfers, options.clickAfterMs));
  } finally {
    await new Promise<void>((done) => server.httpServer.close(() => done()));
    rmSync(profile, { recursive: true, force: true });
    if (!options.dist) rmSync(outDir, { recursive: true, force: true });
  }
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', load_average: { start: loadAtStart, end: loadavg()[0] } };
  if (options.json) {
    console.log(JSON.stringify({ bench: 'first-visit', machine, click_after_ms: options.clickAfterMs, visits }, null, 2));
    return;
  }
  for (const v of visits) {
    console.log(
      `Visit ${v.visit} (${v.tune}): Accompany clicked ${v.clickMs.toFixed(0)} ms after the page opened; accompaniment shown ${v.clickToAccompanimentMs.toFixed(0)} ms after the click.`,
    );
    console.log(
      `  engine ${v.engine.backend}; rates shown ${v.ratesShownMs === null ? 'never' : `${(v.ratesShownMs / 1000).toFixed(1)} s after opening`}: ${v.engine.rates.join(' | ')}`,
    );
    for (const [label, s] of [
      ['until the accompaniment', v.untilAccompaniment],
      ['whole visit', v.wholeVisit],
    ] as const) {
      console.log(
        `  ${label}: ${s.responses} responses, ${mb(s.sentBytes)} sent, ${mb(s.brotliBytes)} brotli (${mb(s.brotliBytesBeforeSamples)} without the piano samples); scripts ${mb(s.byKind.script.sentBytes)} sent, ${mb(s.byKind.script.brotliBytes)} brotli`,
      );
    }
    for (const s of v.wholeVisit.scripts) console.log(`    ${s.path}: ${s.times}x, ${mb(s.sentBytes)} sent, ${mb(s.brotliBytes)} brotli`);
  }
  console.log(
    `Machine: ${machine.cpus} x ${machine.cpu}; load average ${loadAtStart.toFixed(2)} at the start, ${machine.load_average.end.toFixed(2)} at the end.`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
