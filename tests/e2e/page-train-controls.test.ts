/**
 * The training run's controls, as a keyboard user works them: Pause, Resume and Stop while a run is going,
 * the progress showing each state, the keyboard focus never falling to the page, and the stopped run kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { JSB_DATASET_URL } from '../../src/data/jsbDownload';
import { openPageSession, waitUntil, type PageSession, focusedTestId } from './harness';
import { tinyJsbJson } from './page-fixtures';

const state = (page: Page) => page.getByTestId('training-progress').getAttribute('data-state');

describe('training controls from the keyboard', () => {
  let session: PageSession;
  beforeAll(async () => {
    session = await openPageSession((context) =>
      context.route(JSB_DATASET_URL, (route) => route.fulfill({ status: 200, contentType: 'application/json', body: tinyJsbJson(2) })),
    );
  }, 300_000);
  afterAll(() => session?.close());

  it('pauses, resumes and stops a run; focus stays on a control throughout, and the stopped run is kept', async () => {
    const { page, errors } = session;
    await waitUntil(
      'engine',
      () => page.getByTestId('backend-label').getAttribute('data-backend'),
      (backend) => Boolean(backend),
      180_000,
    );
    await page.getByTestId('epochs-input').fill('200');
    await page.getByTestId('update-ratio-input').fill('1');
    await page.getByTestId('batch-size-input').fill('2');
    await page.getByTestId('model-size-select').selectOption('4');
    await page.getByTestId('train-button').focus();
    await page.keyboard.press('Enter');
    await waitUntil(
      'first iteration',
      () => page.getByTestId('training-progress').getAttribute('data-iteration'),
      (i) => i !== '0',
      300_000,
    );

    await page.getByTestId('pause-button').focus();
    await page.keyboard.press('Enter');
    await waitUntil(
      'paused',
      () => state(page),
      (s) => s === 'paused',
      60_000,
    );
    await expect.poll(() => page.getByTestId('pause-button').textContent()).toBe('Resume');
    expect(await focusedTestId(page)).toBe('pause-button');

    await page.keyboard.press('Enter');
    await waitUntil(
      'resumed',
      () => state(page),
      (s) => s === 'training',
      60_000,
    );
    expect(await focusedTestId(page)).toBe('pause-button');

    await page.getByTestId('stop-training-button').focus();
    await page.keyboard.press('Enter');
    await waitUntil(
      'stopped',
      () => state(page),
      (s) => s === 'stopped',
      120_000,
    );
    // Stop and Pause are disabled now: the focus goes to Train, not to the page.
    await expect.poll(() => focusedTestId(page)).toBe('train-button');
    await expect.poll(() => page.getByTestId('model-label').getAttribute('data-origin'), { timeout: 60_000 }).toBe('trained');
    expect(errors.splice(0)).toEqual([]);
  });

  it('trains on from the model in use: a size that does not fit is refused with a message, then the run starts from it', async () => {
    const { page, errors } = session;
    // The stopped run of the test before (width 4) is the model in use.
    await expect.poll(() => page.getByTestId('train-from-model').isEnabled()).toBe(true);
    // Choosing it sets the model size to the model's.
    await page.getByTestId('model-size-select').selectOption('16');
    await page.getByTestId('train-from-model').check();
    expect(await page.getByTestId('model-size-select').inputValue()).toBe('4');
    // A size changed afterwards is refused when the run starts.
    await page.getByTestId('model-size-select').selectOption('8');
    await page.getByTestId('train-button').click();
    const message = page.getByTestId('error-message');
    await expect
      .poll(() => message.textContent(), { timeout: 60_000 })
      .toMatch(/The model in use has base width 4: set the model size to it/);
    expect(await state(page)).not.toBe('training');
    await page.getByTestId('model-size-select').selectOption('4');
    await page.getByTestId('train-button').click();
    await waitUntil(
      'training',
      () => state(page),
      (s) => s === 'training',
      120_000,
    );
    await waitUntil(
      'a run from the model in use',
      () => page.getByTestId('training-progress').getAttribute('data-iteration'),
      (i) => i !== null && i !== '0',
      300_000,
    );
    await page.getByTestId('stop-training-button').click();
    await waitUntil(
      'stopped',
      () => state(page),
      (s) => s === 'stopped',
      120_000,
    );
    expect(errors.splice(0)).toEqual([]);
  });
});
