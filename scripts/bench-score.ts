/**
 * `npm run bench:score`: how long the score view takes to draw a 64-bar chorale (Bach chorales from the JSB data
 * laid end to end), at 1280 and 390 px, in headless Chromium: the layout and ABC text (src/music) and the engraving
 * by abcjs, as src/ui/ScoreView.tsx does them. Prints the median of several runs after a warm-up.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { jsbChoraleToRoll, parseJsbJson } from '../src/music/jsb';
import { createRoll, PITCHES, stepsPerBar, type PianoRoll } from '../src/music/pianoRoll';
import type { ScoreTiming } from './benchScore/page';

const BARS = 64;
const RUNS = 5;
const DATA = resolve(import.meta.dirname, '../../shared/data/jsb-chorales/Jsb16thSeparated.train-valid.json');

/** Chorales of the valid split laid end to end, each from a bar line, cut at `bars` bars. */
function longChorale(bars: number): PianoRoll {
  const chorales = parseJsbJson(readFileSync(DATA, 'utf8'), { requireTrain: false }).valid.map((c) => jsbChoraleToRoll(c));
  const barSteps = stepsPerBar(chorales[0]);
  const out = createRoll(bars * barSteps, chorales[0].tracks, { stepsPerBeat: chorales[0].stepsPerBeat, beatsPerBar: 4 });
  const cells = PITCHES * out.tracks.length;
  let at = 0;
  for (const chorale of chorales) {
    const steps = Math.min(chorale.steps, out.steps - at);
    out.active.set(chorale.active.subarray(0, steps * cells), at * cells);
    out.onsets!.set(chorale.onsets!.subarray(0, steps * cells), at * cells);
    at += Math.ceil(chorale.steps / barSteps) * barSteps;
    if (at >= out.steps) break;
  }
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const roll = longChorale(BARS);
  const bundle = await build({
    entryPoints: [resolve(import.meta.dirname, 'benchScore/page.ts')],
    bundle: true,
    format: 'iife',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.setContent('<!doctype html><body style="margin:0"><div id="paper"></div></body>');
    await page.addScriptTag({ content: bundle.outputFiles[0].text });
    const plain = { ...roll, active: [...roll.active], onsets: [...roll.onsets!], velocities: null };
    console.log(`Score render of a ${BARS}-bar chorale (4 voices, 2 staves) in headless Chromium, median of ${RUNS} after a warm-up`);
    for (const width of [1280, 390]) {
      const runs: ScoreTiming[] = [];
      for (let i = 0; i <= RUNS; i++) {
        const timing = await page.evaluate(
          ({ r, w }) => (window as unknown as { benchScore(r: unknown, w: number): ScoreTiming }).benchScore(r, w),
          { r: plain, w: width },
        );
        if (i > 0) runs.push(timing);
      }
      const layout = median(runs.map((r) => r.layoutMs));
      const render = median(runs.map((r) => r.renderMs));
      const total = median(runs.map((r) => r.layoutMs + r.renderMs));
      console.log(
        `${width} px: ${runs[0].bars} bars, ${runs[0].barsPerLine} a line, ${runs[0].notes} notes drawn: layout + ABC ${layout.toFixed(0)} ms, engraving ${render.toFixed(0)} ms, total ${total.toFixed(0)} ms`,
      );
    }
  } finally {
    await browser.close();
  }
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} on ${cpus().length} cores`,
  );
}

await main();
