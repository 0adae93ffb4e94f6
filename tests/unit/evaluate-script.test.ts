import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  SPREAD_FLOOR_ABSOLUTE,
  SYSTEM_NAMES,
  distanceToBach,
  evaluate,
  evaluateMelodies,
  formatMelodyTable,
  formatTable,
  loadMelodies,
  type MetricReport,
  type SystemName,
} from '../../scripts/evaluate';
import { generationOptionsFromFlags } from '../../scripts/lib/generationFlags';
import { useCpu } from './model-fixtures';
import { useWasm } from './wasm-fixtures';
import { DEFAULT_GENERATION_OPTIONS } from '../../src/protocol/generation';
import { parseJsbJson, type JsbChorale, type JsbStep } from '../../src/music/jsb';
import { SAMPLE_MELODIES } from '../../src/music/samples';
import { buildMidi } from './music-midi-helpers';

const MODEL = resolve(import.meta.dirname, '../../models/default');

/** A chorale of whole-beat chords (soprano, alto, tenor, bass), 4 steps each. */
function chorale(chords: JsbStep[]): JsbChorale {
  return chords.flatMap((chord) => [chord, chord, chord, chord].map((s) => [...s] as JsbStep));
}
// I IV V I | I vi IV V in C major, and I V I in G major.
const C_CHORALE = chorale([
  [72, 67, 64, 48],
  [72, 69, 65, 53],
  [71, 67, 62, 43],
  [72, 67, 64, 48],
  [76, 72, 67, 48],
  [76, 72, 69, 57],
  [77, 72, 69, 53],
  [74, 71, 67, 55],
]);
const G_CHORALE = chorale([
  [71, 67, 62, 55],
  [69, 66, 62, 50],
  [67, 62, 59, 43],
  [67, 62, 59, 43],
]);

const dirs: string[] = [];
function tempFile(name: string, content: string | Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'cantus-evaluate-'));
  dirs.push(dir);
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
// WebAssembly: the pretrained model samples its voices (16 runs of the generator per accompaniment), slow on plain JS.
beforeAll(useWasm);
afterAll(useCpu);

describe('npm run evaluate on chorales', () => {
  it('evaluates a file that holds only a test split, with every system and its distance to Bach', async () => {
    const data = tempFile('test-only.json', JSON.stringify({ test: [C_CHORALE, G_CHORALE] }));
    const report = await evaluate({ model: MODEL, data, seed: 1, limit: null });
    expect(report.split).toBe('test');
    expect(report.chorales).toBe(2);
    expect(Object.keys(report.systems)).toEqual([...SYSTEM_NAMES]);
    // Bach's own voices: four-part chords on every beat, no rests, distance 0 to themselves.
    expect(report.systems.bach).toMatchObject({ voice_rest_rate: 0, chord_rate: 1, crossing_rate: 0, in_key_rate: 1, distance_to_bach: 0 });
    // The octave doubling has no chords at all; the rule harmonizer has one on every beat of these diatonic tunes.
    expect(report.systems.baseline_octave_doubling.chord_rate).toBe(0);
    expect(report.systems.baseline_rule_harmonizer.chord_rate).toBe(1);
    expect(report.systems.baseline_rule_harmonizer.voice_rest_rate).toBe(0);
    for (const name of SYSTEM_NAMES) {
      expect(Object.keys(report.systems[name])).toHaveLength(Object.keys(report.systems.bach).length);
      if (name !== 'bach') expect(report.systems[name].distance_to_bach, name).toBeGreaterThan(0);
    }
    expect(report.systems.model.voice_rest_rate).toBeGreaterThanOrEqual(0);
    expect(report.distance_metrics).toEqual(
      expect.arrayContaining(['voice_rest_rate', 'chord_rate', 'in_key_rate', 'melody_consonance', 'empty_bar_rate']),
    );
    // Every chorale here moves in every voice, so every metric is defined for Bach (the distance and the
    // harmony agreement are not among the metrics it averages).
    expect(report.distance_metrics).toHaveLength(Object.keys(report.systems.bach).length - 2);
    expect(report.distance_metrics).not.toContain('harmony_agreement');
    expect(report.systems.bach.harmony_agreement).toBe(1);
    expect(report.systems.baseline_octave_doubling.harmony_agreement).toBe(0);
    // The critic test runs only when asked.
    expect(report.critic_test).toBeUndefined();
    expect(report.systems.model.critic_test).toBeUndefined();
    const table = formatTable(report);
    for (const name of SYSTEM_NAMES) expect(table).toContain(name);
    expect(table).toContain('distance_to_bach');
    const json = JSON.parse(JSON.stringify(report)) as { systems: Record<string, Record<string, number>> };
    expect(typeof json.systems.model.distance_to_bach).toBe('number');
    expect(typeof json.systems.baseline_rule_harmonizer.chord_rate).toBe('number');
  });

  it('says what is missing in a file without the asked split or without any chorales', async () => {
    const trainOnly = tempFile('train-only.json', JSON.stringify({ train: [C_CHORALE] }));
    await expect(evaluate({ model: MODEL, data: trainOnly, seed: 1, limit: null })).rejects.toThrow(/no chorales in a "valid" split/);
    const empty = tempFile('empty.json', JSON.stringify({}));
    await expect(evaluate({ model: MODEL, data: empty, seed: 1, limit: null })).rejects.toThrow(
      /at least one non-empty "train", "valid" or "test"/,
    );
    await expect(evaluate({ model: MODEL, data: join(tmpdir(), 'no-such-file.json'), seed: 1, limit: null })).rejects.toThrow(
      /No data file/,
    );
    // Training still needs a train split.
    expect(() => parseJsbJson(JSON.stringify({ test: [C_CHORALE] }))).toThrow(/at "train", each split must be a non-empty list/);
    expect(parseJsbJson(JSON.stringify({ test: [C_CHORALE] }), { requireTrain: false }).train).toEqual([]);
  });
});

describe('npm run evaluate with the critic test', () => {
  // Three chorales of 96 steps (five two-bar windows each): two to train on, one to evaluate.
  const long = (c: JsbChorale) => [...c, ...c, ...c].map((s) => [...s] as JsbStep);
  const TRANSPOSED = C_CHORALE.map((s) => s.map((p) => p + 2) as JsbStep);

  it("adds every system's critic-test reading and the model's views, and leaves every other number as it was", async () => {
    const data = tempFile('train-valid.json', JSON.stringify({ train: [long(C_CHORALE), long(TRANSPOSED)], valid: [long(C_CHORALE)] }));
    const plain = await evaluate({ model: MODEL, data, seed: 1, limit: null });
    const report = await evaluate({ model: MODEL, data, seed: 1, limit: null, criticTest: { epochs: 1 } });
    expect(report.critic_test).toEqual({ train_chorales: 2, seed: 1, epochs: 1 });
    for (const name of SYSTEM_NAMES) {
      const { critic_test: reading, critic_test_views: views, critic_test_check: check, ...rest } = report.systems[name];
      expect(rest, name).toEqual(plain.systems[name]);
      if (name === 'bach') {
        expect(reading).toBeUndefined();
        continue;
      }
      expect(Object.keys(reading ?? {}), name).toEqual(['window_accuracy', 'auc', 'chorale_accuracy']);
      for (const value of Object.values(reading ?? {})) {
        expect(value, name).toBeGreaterThanOrEqual(0);
        expect(value, name).toBeLessThanOrEqual(1);
      }
      expect(Object.keys(views ?? {}), name).toEqual(name === 'model' ? ['rhythm', 'pitch_classes', 'bass'] : []);
      // The second classifier design reads the model only.
      expect(Object.keys(check ?? {}), name).toEqual(name === 'model' ? ['window_accuracy', 'auc', 'chorale_accuracy'] : []);
    }
    const table = formatTable(report);
    expect(table).toMatch(/critic_windows[\s\S]*model \(rhythm only\)[\s\S]*model \(second classifier design\)/);
    expect(table).toContain('trained on 2 train-split chorales');
    const json = JSON.parse(JSON.stringify(report)) as { systems: Record<string, { critic_test?: Record<string, number> }> };
    expect(typeof json.systems.baseline_rule_harmonizer.critic_test?.auc).toBe('number');
  });

  it('needs a train split to learn on, and another split to read', async () => {
    const testOnly = tempFile('test-only-critic.json', JSON.stringify({ test: [long(C_CHORALE)] }));
    await expect(evaluate({ model: MODEL, data: testOnly, seed: 1, limit: null, criticTest: true })).rejects.toThrow(
      /"train" split.*--no-critic-test/,
    );
    const trainOnly = tempFile('train-only-critic.json', JSON.stringify({ train: [long(C_CHORALE)] }));
    await expect(evaluate({ model: MODEL, data: trainOnly, split: 'train', seed: 1, limit: null, criticTest: true })).rejects.toThrow(
      /never saw/,
    );
  });
});

describe('distance to Bach', () => {
  /** A report with every metric at `value`. */
  const uniform = (template: MetricReport, value: number): MetricReport =>
    Object.fromEntries(Object.keys(template).map((k) => [k, value])) as MetricReport;

  it('divides each gap by the spread of Bach over chorales, floored, and averages over the metrics', async () => {
    // A template of the metric names from a real report of one short chorale.
    const data = tempFile('one.json', JSON.stringify({ valid: [G_CHORALE] }));
    const template = (await evaluate({ model: MODEL, data, seed: 1, limit: null })).systems.bach;
    const { distance_to_bach: _, harmony_agreement: _agreement, ...names } = template;
    const keys = Object.keys(names);
    const bachChorales = [uniform(names, 0), uniform(names, 0)];
    // Chord rate varies over Bach's chorales (0.8 and 1.0: mean 0.9, std 0.1); every other metric is 0 in both.
    bachChorales[0].chord_rate = 0.8;
    bachChorales[1].chord_rate = 1;
    const bach = { ...uniform(names, 0), chord_rate: 0.9 };
    const means = {} as Record<SystemName, MetricReport>;
    for (const name of SYSTEM_NAMES) means[name] = bach;
    // The model: chord rate 0.7 (2 spreads away); one other metric 0.01 away, which the floor (0.02) makes 0.5.
    means.model = { ...bach, chord_rate: 0.7, voice_rest_rate: 0.01 };
    // The octave doubling cannot measure one metric: it is left out of its average, and listed.
    means.baseline_octave_doubling = { ...bach, voice_rest_rate: NaN, crossing_rate: 0.04 };
    const result = distanceToBach(means, bachChorales);
    expect(result.distance_metrics).toHaveLength(keys.length);
    expect(result.bach_spread.chord_rate).toBeCloseTo(0.1, 12);
    expect(result.bach_spread.voice_rest_rate).toBe(SPREAD_FLOOR_ABSOLUTE);
    expect(result.distances.bach).toBe(0);
    expect(result.distances.model).toBeCloseTo((2 + 0.5) / keys.length, 12);
    expect(result.distances.baseline_octave_doubling).toBeCloseTo(2 / (keys.length - 1), 12);
    expect(result.distance_skipped).toEqual({ baseline_octave_doubling: ['voice_rest_rate'] });
  });
});

describe('npm run evaluate -- --melodies', () => {
  it('loads the built-in tunes and MIDI files by name, and says which file it cannot read', async () => {
    const builtin = await loadMelodies('builtin');
    expect(builtin.map((m) => m.name)).toEqual(SAMPLE_MELODIES.map((s) => s.id));
    const mid = tempFile(
      'scale.mid',
      buildMidi([{ name: 'Tune', notes: [60, 62, 64, 65, 67, 65, 64, 62, 60].map((pitch, i) => ({ pitch, start: i * 4, steps: 4 })) }]),
    );
    const both = await loadMelodies(`builtin, ${mid}`);
    expect(both.at(-1)?.name).toBe('scale.mid');
    expect(both.at(-1)?.roll.tracks).toHaveLength(1);
    await expect(loadMelodies('no-such.mid')).rejects.toThrow(/No MIDI file at .*no-such\.mid/);
    const text = tempFile('notes.mid', 'not a MIDI file');
    await expect(loadMelodies(text)).rejects.toThrow(/notes\.mid: /);
    await expect(loadMelodies(' , ')).rejects.toThrow(/builtin/);
  });

  it("reports the model's listener metrics per melody in the melody's key, and their mean", async () => {
    const notes = [72, 74, 76, 77, 79, 77, 76, 74, 72, 76, 79, 84, 79, 76, 74, 72];
    const mid = tempFile('tune.mid', buildMidi([{ name: 'Tune', notes: notes.map((pitch, i) => ({ pitch, start: i * 4, steps: 4 })) }]));
    const report = await evaluateMelodies({ model: MODEL, melodies: mid, seed: 1 });
    expect(Object.keys(report.melodies)).toEqual(['tune.mid']);
    expect(report.keys['tune.mid']).toBe('C major');
    const m = report.melodies['tune.mid'];
    for (const key of ['voice_rest_rate', 'chord_rate', 'in_key_rate', 'melody_consonance'] as const) {
      expect(m[key], key).toBeGreaterThanOrEqual(0);
      expect(m[key], key).toBeLessThanOrEqual(1);
    }
    expect(report.mean).toEqual(m);
    expect(formatMelodyTable(report)).toMatch(/tune\.mid \(C major\)[\s\S]*mean/);
  });
});

describe('the generation options on the command line', () => {
  it('are read from their flags, defaulted, and refused with a message that names the flag', () => {
    expect(generationOptionsFromFlags({})).toEqual(DEFAULT_GENERATION_OPTIONS);
    expect(generationOptionsFromFlags({ 'decode-mode': 'single', json: true })).toEqual({
      ...DEFAULT_GENERATION_OPTIONS,
      decodeMode: 'single',
    });
    expect(generationOptionsFromFlags({ 'decode-weights': '{"chordBonus":0,"leapCost":0.1}' }).decodeWeights).toEqual({
      chordBonus: 0,
      leapCost: 0.1,
    });
    expect(() => generationOptionsFromFlags({ 'decode-mode': 'jazz' })).toThrow(
      /--decode-mode must be one of auto, chorale, data, single, chords, got jazz/,
    );
    expect(() => generationOptionsFromFlags({ 'decode-weights': '{chordBonus:0}' })).toThrow(/--decode-weights must be a JSON object/);
    expect(() => generationOptionsFromFlags({ 'decode-weights': '{"chordBonuz":0}' })).toThrow(
      /--decode-weights has no weight "chordBonuz"/,
    );
    expect(() => generationOptionsFromFlags({ 'decode-weights': '{"chordBonus":"big"}' })).toThrow(
      /--decode-weights must be a JSON object of numbers/,
    );
  });
});
