/**
 * The page with no usable persistent storage, in two real set-ups of Chromium:
 * - a quota of a few hundred kilobytes for the app's origin (DevTools protocol: Storage.overrideQuotaForOrigin), where
 *   checkpoints and the trained model do not fit;
 * - storage blocked altogether: a profile whose content settings block all site data ("Block all cookies" in
 *   chrome://settings, written as `profile.default_content_setting_values.cookies = 2` in its Preferences), where
 *   IndexedDB answers "The user denied permission", Cache Storage throws a SecurityError and localStorage throws.
 * In both the page says why and what to do, training goes on in memory, and the model can be saved as files.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  collectPageErrors,
  screenshot,
  sharedEngineRates,
  startApp,
  waitForDefaultModel,
  waitUntil,
  type RunningApp,
} from './harness';
import { multiTrackMidi, tinyJsbJson } from './page-fixtures';
import { JSB_DATASET_URL } from '../../src/data/jsbDownload';
import { seedEngineRates } from './engineRates';

const serveTinyJsb = (context: BrowserContext) =>
  context.route(JSB_DATASET_URL, (route) => route.fulfill({ status: 200, contentType: 'application/json', body: tinyJsbJson(2) }));

const bannerText = (page: Page) => page.getByTestId('error-message').textContent();

/** Waits for the default model (long: the engine is timed first), naming what the page showed if it never came. */
async function defaultModelIn(page: Page, errors: string[]): Promise<void> {
  try {
    await waitForDefaultModel(page, 420_000);
  } catch (error) {
    const engine = await page.getByTestId('backend-label').textContent();
    throw new Error(
      `${(error as Error).message}; engine "${engine}", banner "${await bannerText(page)}", errors ${JSON.stringify(errors)}`,
    );
  }
}

/** Trains the smallest model for one epoch and waits for the run to end. */
async function trainTiny(page: Page): Promise<void> {
  await page.getByTestId('epochs-input').fill('1');
  await page.getByTestId('update-ratio-input').fill('1');
  await page.getByTestId('batch-size-input').fill('2');
  await page.getByTestId('model-size-select').selectOption('4');
  await page.getByTestId('train-button').click();
  await waitUntil(
    'training',
    () => page.getByTestId('training-progress').getAttribute('data-state'),
    (s) => s === 'done',
    500_000,
  );
}

/** The app served, and Chromium on a profile of its own on disk (as a user's is), with the tiny JSB set served. */
interface ProfileSession {
  app: RunningApp;
  context: BrowserContext;
  profile: string;
  page: Page;
  errors: string[];
  close(): Promise<void>;
}

/**
 * Starts the app and Chromium on a fresh profile: `prepare` may write the profile's settings before the browser starts,
 * `beforeVisit` runs on the page before it opens the app.
 */
async function openProfileSession(
  name: string,
  prepare: (profile: string) => void = () => undefined,
  beforeVisit: (page: Page, context: BrowserContext, app: RunningApp) => Promise<void> = async () => undefined,
): Promise<ProfileSession> {
  const app = await startApp();
  const profile = mkdtempSync(join(tmpdir(), `cantus-${name}-`));
  prepare(profile);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
    // As every other test's context (harness.ts, launchBrowser): no service worker caching the whole app, and the
    // engine rates the set-up measured, where the browser keeps them (the blocked profile cannot, and times its own).
    serviceWorkers: 'block',
  });
  await seedEngineRates(context, await sharedEngineRates());
  await serveTinyJsb(context);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = collectPageErrors(page);
  await beforeVisit(page, context, app);
  await page.goto(app.url);
  return {
    app,
    context,
    profile,
    page,
    errors,
    async close() {
      await context.close();
      await app.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves the model through the banner's own button and returns the names of the two files downloaded. */
async function saveFilesFromBanner(page: Page): Promise<string[]> {
  const names: string[] = [];
  const both = new Promise<void>((resolve) => {
    page.on('download', (download) => {
      names.push(download.suggestedFilename());
      if (names.length === 2) resolve();
    });
  });
  await page.getByTestId('error-save-model-files').click();
  await both;
  return names.sort();
}

// 150 KB: the tiny model's files (about 170 KB) and its checkpoint (three times that) do not fit, the page's memory does.
// The quota binds a profile on disk, as a user's is: in an in-memory (incognito-like) context Chromium keeps site data
// in memory, where the override does not apply.
describe('the page with a storage quota of 150 KB', () => {
  let session: ProfileSession;
  beforeAll(async () => {
    session = await openProfileSession('quota', undefined, async (page, context, app) => {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(app.url).origin, quotaSize: 150 * 1024 });
    });
  });
  afterAll(() => session?.close());

  it('trains on in memory, says why nothing could be saved, keeps the model as "not saved in this browser" and saves it as files', async () => {
    const { page, errors } = session;
    await defaultModelIn(page, errors);
    await trainTiny(page);
    // The run's checkpoint (weights and optimiser state) does not fit: said once, with the reason, and the way out.
    const model = page.getByTestId('model-label');
    // The entry first reads "Trained here ..."; the refused save is told a moment later, when the browser answers.
    const label = await waitUntil(
      'model kept, not saved in this browser',
      () => model.textContent(),
      (text) => /^Trained here .*, not saved in this browser$/.test(text ?? ''),
      60_000,
    );
    expect(await page.getByTestId('model-select').locator('option:checked').textContent()).toBe(label);
    const text = await bannerText(page);
    expect(text).toMatch(/could not be saved in this browser: the browser's storage for this site is full\./);
    expect(text).not.toMatch(/browser:\s*(Dismiss)?$/);
    await screenshot(page, 'storage-quota-model-not-saved');
    expect(await saveFilesFromBanner(page)).toEqual(['model.json', 'model.weights.bin']);
  }, 1_100_000);
});

describe('the page where the browser blocks all site data', () => {
  let session: ProfileSession;
  let page: Page;
  let errors: string[];
  beforeAll(async () => {
    session = await openProfileSession('blocked', (profile) => {
      mkdirSync(join(profile, 'Default'));
      // Chromium's own setting, as a user sets it: block all cookies and site data.
      writeFileSync(
        join(profile, 'Default', 'Preferences'),
        JSON.stringify({ profile: { default_content_setting_values: { cookies: 2 } } }),
      );
    });
    ({ page, errors } = session);
  });
  afterAll(() => session?.close());

  it('is really blocked: IndexedDB, Cache Storage and localStorage all refuse', async () => {
    const refusals = await page.evaluate(async () => {
      const out: string[] = [];
      try {
        localStorage.setItem('probe', '1');
      } catch (error) {
        out.push(`localStorage ${(error as Error).name}`);
      }
      try {
        await caches.open('probe');
      } catch (error) {
        out.push(`caches ${(error as Error).name}`);
      }
      out.push(
        await new Promise<string>((resolve) => {
          const request = indexedDB.open('probe');
          request.onsuccess = () => resolve('indexedDB opened');
          request.onerror = () => resolve(`indexedDB ${request.error?.name}`);
        }),
      );
      return out;
    });
    expect(refusals).toEqual(['localStorage SecurityError', 'caches SecurityError', 'indexedDB UnknownError']);
  });

  it('loads the default model, accompanies, trains, saves the model as files and exports MIDI, saying once why nothing is kept', async () => {
    await defaultModelIn(page, errors);
    expect(await bannerText(page)).toMatch(
      /^Your last session could not be read in this browser: this browser does not let this site keep data \(a private window, or site data blocked in its settings\)\. The page starts fresh/,
    );
    await screenshot(page, 'storage-blocked-start');
    await page
      .getByTestId('melody-file-input')
      .setInputFiles({ name: 'two tracks.mid', mimeType: 'audio/midi', buffer: Buffer.from(multiTrackMidi()) });
    await page.getByTestId('track-use-button').click();
    await page.getByTestId('generate-button').click();
    await waitUntil(
      'accompaniment',
      () => page.getByTestId('track-row').count(),
      (rows) => rows >= 4,
      300_000,
    );

    await trainTiny(page);
    const model = page.getByTestId('model-label');
    await waitUntil(
      'model kept',
      () => model.textContent(),
      (label) => Boolean(label?.includes('not saved in this browser')),
      60_000,
    );
    expect(await bannerText(page)).toMatch(
      /^The model could not be saved in this browser: this browser does not let this site keep data .*Use “Save model files” to keep the model\./,
    );
    await screenshot(page, 'storage-blocked-model-not-saved');
    expect(await saveFilesFromBanner(page)).toEqual(['model.json', 'model.weights.bin']);

    await page.getByTestId('generate-button').click();
    await waitUntil(
      'accompaniment by the trained model',
      () => page.getByTestId('track-row').count(),
      (rows) => rows >= 4,
      300_000,
    );
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-midi-button').click()]);
    expect(download.suggestedFilename()).toMatch(/\.mid$/);
    expect(errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
  }, 1_100_000);
});
