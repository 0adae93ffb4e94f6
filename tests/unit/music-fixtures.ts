/** Small rolls for the music tests, and the JSB data set parsed on demand. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_VELOCITY } from '../../src/music/constants';
import { parseJsbJson, type JsbChorale, type JsbDataset } from '../../src/music/jsb';
import { cellConsonanceRate, meanOverRolls, voiceMetrics } from '../../src/music/metrics';
import { addNote } from '../../src/music/notes';
import { cellIndex, createRoll, type PianoRoll, type TrackInfo } from '../../src/music/pianoRoll';

/** Middle C. */
export const C4 = 60;

/** `count` plain tracks named t0, t1, ... */
export function tracks(count: number): TrackInfo[] {
  return Array.from({ length: count }, (_, i) => ({ name: `t${i}`, program: 0, isDrum: false }));
}

/** An empty roll at 4 steps per beat, 4/4 (16 steps per bar). */
export function roll(steps: number, trackCount: number, withOnsets = true): PianoRoll {
  return createRoll(steps, tracks(trackCount), { withOnsets });
}

/** Writes a note (marking its onset when the roll has onsets). */
export function note(r: PianoRoll, track: number, pitch: number, startStep: number, steps: number): void {
  addNote(r, track, { pitch, startStep, steps, velocity: DEFAULT_VELOCITY });
}

/** A one-voice-per-track roll from per-step pitches (-1 = silent), with no onsets, like the JSB data. */
export function rollFromVoices(voices: number[][]): PianoRoll {
  const r = roll(voices[0].length, voices.length, false);
  voices.forEach((voice, track) =>
    voice.forEach((pitch, step) => {
      if (pitch >= 0) r.active[cellIndex(r, step, pitch, track)] = 1;
    }),
  );
  return r;
}

/** Four voices of `steps` steps, per-step pitches: soprano 72, alto 67, tenor 64, bass 48, each held; `edit` changes them. */
export function heldVoices(steps: number, edit: (voices: number[][]) => void = () => {}): number[][] {
  const voices = [72, 67, 64, 48].map((p) => new Array<number>(steps).fill(p));
  edit(voices);
  return voices;
}

/** A melody of quarter notes (4 steps each), one track, with onsets. */
export function quarterMelody(pitches: number[]): PianoRoll {
  const r = roll(pitches.length * 4, 1);
  pitches.forEach((pitch, i) => note(r, 0, pitch, i * 4, 4));
  return r;
}

/** The project's copy of the JSB chorales (train and valid splits). */
export const JSB_FILE = fileURLToPath(new URL('../../../shared/data/jsb-chorales/Jsb16thSeparated.train-valid.json', import.meta.url));

let parsed: JsbDataset | null = null;

/**
 * The JSB data set as the project's reader parses it, parsed once per test file: the one place the tests that read
 * Bach's chorales take them from. Call it inside a test or hook, never when a file is collected: a missing data
 * file then fails only the tests that need it, with its path.
 */
export function jsbDataset(): JsbDataset {
  parsed ??= parseJsbJson(readFileSync(JSB_FILE, 'utf8'));
  return parsed;
}

/** The JSB valid split (see `jsbDataset`). */
export function jsbValidChorales(): JsbChorale[] {
  return jsbDataset().valid;
}

/**
 * The JSB valid split's whole chorales and DeepComposer's samples of them (the first 2 bars from the first
 * step where all four voices sound), as 4-track rolls without onsets.
 */
export function jsbValidSplit(): { chorales: PianoRoll[]; windows: PianoRoll[] } {
  const valid = jsbValidChorales();
  const chorales = valid.map((steps) => rollFromVoices([0, 1, 2, 3].map((v) => steps.map((s) => s[v]))));
  const windows = valid.map((steps) => {
    const first = steps.findIndex((s) => s.every((p) => p >= 0));
    const window = steps.slice(first, first + 32);
    return rollFromVoices([0, 1, 2, 3].map((v) => window.map((s) => s[v])));
  });
  return { chorales, windows };
}

/** Per roll, the parallels per bar of the four voices and the cell consonance with the melody, averaged over rolls. */
export function voiceLeadingMeans(rolls: readonly PianoRoll[]): { parallelsPerBar: number; cellConsonance: number } {
  return meanOverRolls(
    rolls.map((r) => ({ parallelsPerBar: voiceMetrics(r, { key: null }).parallelsPerBar, cellConsonance: cellConsonanceRate(r) })),
  );
}

/** A metric set on one line, three decimals each, for the test log. */
export function formatMetrics(m: object): string {
  return Object.entries(m)
    .map(([k, v]) => `${k}=${(v as number).toFixed(3)}`)
    .join(' ');
}
