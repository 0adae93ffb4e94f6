/**
 * What the sound bank costs the page: serves the app with Vite, and in headless Chromium makes each voice from a
 * cold cache (a fresh browser), printing the files, bytes on the wire and milliseconds until its samples are
 * decoded and ready, then the bank's total.
 *
 *   npm run soundbank:load
 */
import { loadavg } from 'node:os';
import type { VoiceName } from '../src/audio/instruments';
import { INSTRUMENTS } from '../src/audio/instruments';
import type { VoiceLoad } from '../tests/e2e/pages/audio-page';
import { collectPageErrors, launchBrowser, startApp } from '../tests/e2e/harness';

const voices: VoiceName[] = [...(Object.keys(INSTRUMENTS) as VoiceName[]), 'drums'];
const app = await startApp();
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  const errors = collectPageErrors(page);
  await page.goto(new URL('tests/e2e/pages/audio.html', app.url).href);
  await page.getByTestId('status').filter({ hasText: 'ready' }).waitFor({ timeout: 120_000 });
  const loads: VoiceLoad[] = await page.evaluate((list) => window.cantusAudioTest.loadVoices(list), voices);
  if (errors.length) throw new Error(errors.join('\n'));
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; Vite dev server on loopback, cold browser cache`,
  );
  for (const l of loads)
    console.log(
      `${l.voice.padEnd(8)} ${String(l.files).padStart(3)} files ${(l.bytes / 1e3).toFixed(0).padStart(6)} kB ${l.milliseconds.toFixed(0).padStart(6)} ms`,
    );
  const bank = loads.filter((l) => l.voice !== 'piano');
  const sum = (pick: (l: VoiceLoad) => number) => bank.reduce((s, l) => s + pick(l), 0);
  console.log(
    `bank (all but the piano): ${sum((l) => l.files)} files, ${(sum((l) => l.bytes) / 1e6).toFixed(2)} MB, ${(sum((l) => l.milliseconds) / 1e3).toFixed(1)} s one voice after another`,
  );
} finally {
  await browser.close();
  await app.close();
}
