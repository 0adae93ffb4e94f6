/**
 * The accessibility details of the page: a visible focus ring for the hidden model-file input, text
 * alternatives for every canvas, targets of at least 24x24 CSS pixels, distinct names for the two tempo
 * controls, and the on-screen keyboard's computer-key mapping in plain view.
 *
 * The tests share one page, ready once the set-up has seen the default model in; a test that changes the
 * page's size or opens a folded part puts it back.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openPageSession, type PageSession, waitForDefaultModel, focusedTestId } from './harness';

/** Visible controls smaller than 24x24 CSS pixels, described for the failure message. */
async function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const small: string[] = [];
    // Piano keys keep the shape of a piano (WCAG 2.5.8's "essential" exception); links in running text are inline.
    const controls = document.querySelectorAll<HTMLElement>('button:not(.key), select, input:not(.sr-only), summary, label.file-button');
    for (const el of controls) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.width >= 24 && r.height >= 24) continue;
      const name = el.getAttribute('data-testid') ?? el.getAttribute('aria-label') ?? el.textContent?.trim();
      small.push(`${el.tagName.toLowerCase()}[${name}] ${r.width.toFixed(0)}x${r.height.toFixed(0)}`);
    }
    return small;
  });
}

describe('accessibility details', () => {
  let session: PageSession;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    session = await openPageSession();
    ({ page, errors } = session);
    await waitForDefaultModel(page);
  });
  afterAll(() => session?.close());
  afterEach(() => expect(errors.splice(0)).toEqual([]));

  it('shows where the keyboard focus is on "Load model files…"', async () => {
    const modelFiles = page.locator('.model-files');
    expect(await modelFiles.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(false);
    await modelFiles.locator('summary').click();
    try {
      await page.getByTestId('save-model-button').focus();
      await page.keyboard.press('Tab');
      expect(await focusedTestId(page)).toBe('model-files-input');
      const outline = await page
        .locator('label.file-button')
        .evaluate((el) => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).outlineWidth);
      expect(outline).toBe('solid 3px');
    } finally {
      await modelFiles.locator('summary').click();
    }
  });

  it('gives every canvas a text alternative', async () => {
    const roll = page.getByTestId('piano-roll-canvas');
    expect(await roll.getAttribute('role')).toBe('img');
    expect(await roll.getAttribute('aria-label')).toMatch(/^Piano roll of .+, \d+ bars?\. .+: \d+ notes from [A-G]♯?-?\d to [A-G]♯?-?\d/);
    const unnamed = await page.evaluate(
      () =>
        [...document.querySelectorAll('canvas')].filter(
          (c) => !c.closest('[role="img"][aria-label]') && !(c.getAttribute('role') === 'img' && c.getAttribute('aria-label')),
        ).length,
    );
    expect(unnamed).toBe(0);
  });

  it('names the two tempo controls apart and shows the computer-key mapping', async () => {
    expect(await page.getByLabel('Tempo', { exact: true }).count()).toBe(0);
    expect(await page.getByLabel('Playback tempo').count()).toBe(1);
    expect(await page.getByLabel('Recording tempo').count()).toBe(1);
    const mapping = page.locator('.key-map');
    expect(await mapping.isVisible()).toBe(true);
    expect((await mapping.locator('kbd').allTextContents()).slice(0, 3)).toEqual(['A', 'W', 'S']);
  });

  it('keeps every control at least 24x24 px, at 1280x800 and at 390x844', async () => {
    expect(await smallTargets(page)).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.waitForTimeout(300);
      expect(await smallTargets(page)).toEqual([]);
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });
});
