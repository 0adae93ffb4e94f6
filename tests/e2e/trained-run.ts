/**
 * The one training run the trained-page tests share (page-trained.test.ts): a width-4 model trained for one epoch
 * on two tiny chorales, with an uploaded melody accompanied by it. Training is the slow part of the page tests,
 * so it is done once and every test reads what it left in the page and in the browser's storage.
 */
import type { Page } from 'playwright-core';
import { isInlineScriptProbe, violationReports } from './builtApp';
import { openPageSession, savedPageMemory, screenshot, SHARED_FILES, sharedFile, waitUntil, type PageSession } from './harness';
import { multiTrackMidi, tinyJsbJson } from './page-fixtures';
import { JSB_DATASET_URL } from '../../src/data/jsbDownload';

/** Tracks of an accompaniment: the melody and three voices. */
export const TRACKS = 4;

export const origin = (page: Page) => page.getByTestId('model-label').getAttribute('data-origin');
export const count = async (page: Page, testId: string, attribute: string) =>
  Number(await page.getByTestId(testId).getAttribute(attribute));

/** What the set-up's page showed when its training run ended. */
export interface TrainingOutcome {
  /** Requests for the chorales: the data set is downloaded once, then kept. */
  downloads: number;
  state: string | null;
  epoch: number;
  lossPoints: number;
  snapshots: number;
  origin: string | null;
  errors: string[];
  /** Threads the run trained on (one replica of the model each) and the progress line that says so. */
  trainingThreads: number;
  progressText: string | null;
  /** The id of the trained model, the model in use once the run ended. */
  trainedId: string;
  /**
   * Violations of the built app's CSP reported to its server while the run went on, by the page or any of its
   * workers (the replicas too); page-built's deliberate probe, which may land meanwhile, is left out.
   */
  cspReports: string[];
}

/**
 * Opens a session whose page uploads a two-track melody, trains a tiny model on it for one epoch, waits for the
 * model's entry, charts and snapshots, then accompanies the melody with it and waits until the page memory keeps
 * both the trained model and the accompaniment. The session's page stays open as it ended.
 */
export async function trainOnce(): Promise<{ session: PageSession; trained: TrainingOutcome }> {
  const reportsFile = sharedFile(SHARED_FILES.reports) ?? '';
  const reportsBefore = violationReports(reportsFile).length;
  let jsbRequests = 0;
  const session = await openPageSession((context) =>
    context.route(JSB_DATASET_URL, (route) => {
      jsbRequests++;
      return route.fulfill({ status: 200, contentType: 'application/json', body: tinyJsbJson(2) });
    }),
  );
  const { page, errors } = session;
  const attribute = (testId: string, name: string) => () => page.getByTestId(testId).getAttribute(name);
  await waitUntil('engine', attribute('backend-label', 'data-backend'), (backend) => Boolean(backend), 180_000);
  await waitUntil(
    'default model',
    () => origin(page),
    (from) => from === 'default',
    180_000,
  );
  await page
    .getByTestId('melody-file-input')
    .setInputFiles({ name: 'two tracks.mid', mimeType: 'audio/midi', buffer: Buffer.from(multiTrackMidi()) });
  await page.getByTestId('track-use-button').click();
  await waitUntil(
    'melody',
    () => page.getByTestId('melody-name').textContent(),
    (name) => Boolean(name?.includes('Lead')),
  );

  await page.getByTestId('epochs-input').fill('1');
  await page.getByTestId('learning-rate-input').fill('0.001');
  await page.getByTestId('update-ratio-input').fill('1');
  await page.getByTestId('batch-size-input').fill('2');
  await page.getByTestId('model-size-select').selectOption('4');
  await page.getByTestId('train-button').click();
  await waitUntil('first iteration', attribute('training-progress', 'data-iteration'), (iteration) => iteration !== '0', 300_000);
  const trainingThreads = Number(await page.getByTestId('training-progress').getAttribute('data-threads'));
  const progressText = await page.getByTestId('training-progress').textContent();
  await waitUntil('training', attribute('training-progress', 'data-state'), (state) => state === 'done', 400_000);
  await waitUntil(
    'trained model listed',
    () => count(page, 'model-select', 'data-count'),
    (models) => models === 2,
    60_000,
  );
  const trainedId = await page.getByTestId('model-select').inputValue();
  await waitUntil(
    'metrics',
    () => count(page, 'metrics-chart', 'data-points'),
    (points) => points > 0,
    60_000,
  );
  await waitUntil(
    'snapshots',
    () => count(page, 'snapshot-list', 'data-count'),
    (snapshots) => snapshots > 0,
    120_000,
  );
  await waitUntil(
    'trained model in use',
    () => origin(page),
    (from) => from === 'trained',
    60_000,
  );
  const progress = page.getByTestId('training-progress');
  const trained: TrainingOutcome = {
    downloads: jsbRequests,
    state: await progress.getAttribute('data-state'),
    epoch: Number(await progress.getAttribute('data-epoch')),
    lossPoints: Number(await page.getByTestId('loss-chart').getAttribute('data-points')),
    snapshots: Number(await page.getByTestId('snapshot-list').getAttribute('data-count')),
    origin: await origin(page),
    errors: [...errors],
    trainingThreads,
    progressText,
    trainedId,
    cspReports: violationReports(reportsFile, reportsBefore).filter((report) => !isInlineScriptProbe(report)),
  };
  await screenshot(page, 'page-trained');

  await page.getByTestId('generate-button').click();
  await waitUntil(
    'accompaniment',
    () => page.getByTestId('track-row').count(),
    (rows) => rows >= TRACKS,
    300_000,
  );
  // The page saves its memory shortly after a change: the other pages find the model and the result once kept.
  await waitUntil(
    'saved model and accompaniment',
    () => savedPageMemory(page),
    (saved) => saved?.hasResult === true && saved.activeModelId === trainedId,
    30_000,
  );
  return { session, trained };
}

/** The names of the models the training worker keeps in this browser's IndexedDB (none when it has no database yet). */
export const savedModelNames = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<string[]>((resolve) => {
        const request = indexedDB.open('cantus-trainer');
        request.onupgradeneeded = () => request.transaction?.abort();
        request.onerror = () => resolve([]);
        request.onsuccess = () => {
          const db = request.result;
          if (!db.objectStoreNames.contains('models')) {
            db.close();
            resolve([]);
            return;
          }
          const keys = db.transaction('models').objectStore('models').getAllKeys();
          keys.onsuccess = () => {
            db.close();
            resolve(keys.result.map(String));
          };
          keys.onerror = () => {
            db.close();
            resolve([]);
          };
        };
      }),
  );
