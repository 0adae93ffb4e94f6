/**
 * `npm run evaluate -- --data FOLDER`: a tiny model trained on band files (band-fixtures.ts) through the training
 * command, judged on the folder's held-out file beside the file itself; and the command line's refusals.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  EvaluateUsageError,
  evaluateMelodies,
  evaluateOwnData,
  formatOwnTable,
  parseEvaluateArgs,
  readOwnFolder,
  type OwnEvaluationReport,
} from '../../scripts/evaluate';
import { BAND_DRUM_KEYS, bandMidi } from './band-fixtures';
import { trainTinyOnFolder, writeBandFolder } from './band-training';

const CHORALE_MODEL = resolve(import.meta.dirname, '../../models/default');
/** How close the model's tracks must come to the held-out file's: the 'data' decoding writes them as the data did. */
const REST_RATE_TOLERANCE = 0.15;
const POLYPHONY_TOLERANCE = 0.5;

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cantus-evaluate-own-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A folder of `count` band files of 8 bars, band1.mid.. (by name, band5.mid is the one held out of six). */
function bandFolder(count: number): string {
  const dir = tempDir();
  writeBandFolder(dir, count);
  return dir;
}

let folder = '';
let model = '';
beforeAll(async () => {
  folder = bandFolder(6);
  model = await trainTinyOnFolder(folder, join(tempDir(), 'run'), 2);
}, 30_000);

describe('npm run evaluate -- --data FOLDER', () => {
  let report: OwnEvaluationReport;
  beforeAll(async () => {
    report = await evaluateOwnData({ model, data: folder, seed: 1 });
  });

  it("measures the model's tracks beside the held-out file's: named after the data, resting and sounding chords as it does", () => {
    expect(report.heldOutFiles).toEqual(['band5.mid']);
    expect(report.data).toEqual({ folder, files: 6, training_files: 5 });
    expect(report.model.kind).toBe('own');
    const { model: m, data: d } = report.systems;
    // Melodic places first, high to low, the drums last.
    expect(m.tracks.map((t) => t.name)).toEqual(['Piano', 'Bass', 'Drums']);
    expect(d.tracks.map((t) => t.name)).toEqual(['Piano', 'Bass', 'Drums']);
    expect(d.tracks.map((t) => [t.rest_rate, t.polyphony])).toEqual([
      [0.5, 3],
      [0.75, 1],
      [0.5, 1.5],
    ]);
    m.tracks.forEach((track, i) => {
      expect(Math.abs(track.rest_rate - d.tracks[i].rest_rate), `${track.name} rest rate`).toBeLessThanOrEqual(REST_RATE_TOLERANCE);
      expect(Math.abs(track.polyphony - d.tracks[i].polyphony), `${track.name} polyphony`).toBeLessThanOrEqual(POLYPHONY_TOLERANCE);
    });
    const drums = (tracks: typeof m.tracks) => tracks[2].drum_keys.map((k) => k.pitch).sort((a, b) => a - b);
    expect(m.tracks[2].is_drum).toBe(true);
    expect(drums(d.tracks)).toEqual([BAND_DRUM_KEYS.kick, BAND_DRUM_KEYS.snare, BAND_DRUM_KEYS.hat]);
    expect(drums(m.tracks)).toEqual(drums(d.tracks));
    // The data against itself: distance 0; the band's piano makes a chord on beats 2 and 4, the bass alone on 1 and 3 does not.
    expect(d.distance).toBe(0);
    expect(d.chord_rate).toBe(0.5);
    expect(d.in_key_rate).toBe(1);
    expect(m.distance).toBeGreaterThanOrEqual(0);
    expect(m.distance).toBeCloseTo(Object.values(m.distances).reduce((a, b) => a + b, 0) / 5, 12);
    for (const value of [m.chord_rate, m.in_key_rate]) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(1);
    }
    const table = formatOwnTable(report);
    expect(table).toMatch(/model +1 Piano[\s\S]*data +1 Piano[\s\S]*model +3 Drums/);
    expect(table).toContain('data   Drums: 42 Closed Hi-Hat 0.500');
    expect(table).toMatch(/distance: mean of the 5 d_ measures/);
    const json = JSON.parse(JSON.stringify(report)) as OwnEvaluationReport;
    expect(json.systems.data.tracks[2].drum_keys[0]).toEqual({ pitch: BAND_DRUM_KEYS.hat, hit_rate: 0.5 });
  });

  it('refuses to judge it by the chorale listener metrics of --melodies, which would read its drums as a voice', async () => {
    await expect(evaluateMelodies({ model, melodies: 'builtin', seed: 1 })).rejects.toThrow(
      /trained on your own MIDI files \(it writes Piano, Bass, Drums\); --melodies measures chorale voices\. Judge it against its data with --data FOLDER/,
    );
  });

  it('judges a chorale model the same way: alto, tenor and bass, far from the band', async () => {
    const chorale = await evaluateOwnData({ model: CHORALE_MODEL, data: folder, seed: 1 });
    expect(chorale.model.kind).toBe('chorale');
    expect(chorale.systems.model.tracks.map((t) => t.name)).toEqual(['Alto', 'Tenor', 'Bass']);
    expect(chorale.systems.data).toEqual(report.systems.data);
    expect(chorale.systems.model.distance).toBeGreaterThan(report.systems.model.distance);
  });
});

describe('the command line and the folder, refused with a message', () => {
  const refused = (argv: string[]) => () => parseEvaluateArgs(argv);

  it('reads a folder as the own-data evaluation, with no critic test, and refuses the chorale flags with it', () => {
    const dir = bandFolder(2);
    const command = parseEvaluateArgs(['--data', dir, '--seed', '4', '--json']);
    expect(command).toMatchObject({ mode: 'own', data: dir, seed: 4, criticTest: false, json: true });
    expect(parseEvaluateArgs(['--data', dir, '--no-critic-test']).mode).toBe('own');
    expect(parseEvaluateArgs([]).mode).toBe('chorales');
    expect(refused(['--data', dir, '--split', 'valid'])).toThrow(EvaluateUsageError);
    expect(refused(['--data', dir, '--split', 'valid'])).toThrow(/is a folder.*leave out --split and --limit/);
    expect(refused(['--data', dir, '--limit', '2'])).toThrow(/leave out --split and --limit/);
    expect(refused(['--data', dir, '--critic-chorales', '3'])).toThrow(/skipped for a folder.*leave out --critic-chorales/);
    expect(refused(['--data', dir, '--melodies', 'builtin'])).toThrow(/--melodies evaluates melodies.*leave out --data/);
    expect(refused(['--data', dir, '--seed', 'x'])).toThrow(/--seed and --limit take whole numbers/);
    expect(refused(['--data', dir, '--decode-mode', 'jazz'])).toThrow(/--decode-mode must be one of/);
    expect(refused(['--data', dir, '--folder', dir])).toThrow(/Unknown option '--folder'/);
  });

  it('says what is wrong with the folder: no MIDI files, nothing held out, files it cannot read', async () => {
    const empty = tempDir();
    writeFileSync(join(empty, 'notes.txt'), 'not music');
    mkdirSync(join(empty, 'sub.mid'));
    expect(() => readOwnFolder(empty)).toThrow(/holds no MIDI files \(\.mid or \.midi\)/);
    expect(() => readOwnFolder(join(empty, 'missing'))).toThrow(/No folder at/);
    const one = tempDir();
    writeFileSync(join(one, 'only.mid'), bandMidi(1, 2));
    expect(() => readOwnFolder(one)).toThrow(/one MIDI file \(only\.mid\).*no file is held out.*Add MIDI files/);
    await expect(evaluateOwnData({ model: CHORALE_MODEL, data: one, seed: 1 })).rejects.toThrow(/no file is held out/);
    const broken = bandFolder(3);
    writeFileSync(join(broken, 'a-broken.mid'), 'not a MIDI file');
    writeFileSync(join(broken, 'z-empty.MIDI'), new Uint8Array());
    expect(() => readOwnFolder(broken)).toThrow(/2 files of .* cannot be read[\s\S]*a-broken\.mid: [\s\S]*z-empty\.MIDI: /);
    // Two files: the last by name is held out.
    expect(readOwnFolder(bandFolder(2)).heldOut).toEqual(['band2.mid']);
  });
});
