/**
 * `npm run evaluate -- --model <dir> [--data <file>] [--json]`: accompanies the soprano line of every chorale
 * in a JSB-format file (its `valid` split, or its `test` split when that is the only one) and reports, per
 * system, the metrics of src/music/voiceMetrics.ts (what a listener hears: rests, chords, consonance, voice
 * leading, range, key) and the MuseGAN-style metrics of src/music/metrics.ts, each computed per chorale and
 * then averaged over chorales, plus `distance_to_bach`. The systems are the model, Bach's own alto, tenor and
 * bass, and three baselines. With --json the last line is
 * {"systems": {"model": {...}, "bach": {...}, "baseline_<name>": {...}}, ...}.
 *
 * `npm run evaluate -- --melodies builtin,a.mid` instead accompanies the page's built-in tunes and/or the
 * melodies of MIDI files and reports the model's listener metrics per melody (no Bach to compare with; the
 * key comes from the melody).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { octaveDoubling, randomInKey, ruleHarmonizer } from '../src/music/baselines';
import { jsbChoraleToRoll, parseJsbJson, type JsbChorale } from '../src/music/jsb';
import { estimateRollKey, keyName, type Key } from '../src/music/keys';
import { evaluationMetrics, type EvaluationMetrics } from '../src/music/metrics';
import { selectTracks, type PianoRoll } from '../src/music/pianoRoll';
import { SAMPLE_MELODIES, sampleToRoll } from '../src/music/samples';
import { meanOverRolls, voiceMetrics, type VoiceMetrics } from '../src/music/voiceMetrics';
import type { AccompanyOptions, GanEngine } from '../src/model/engine';
import { VOICINGS, type Voicing } from '../src/protocol/messages';
import { DEFAULT_DECODE_OPTIONS, type ChoraleDecodeOptions } from '../src/model/decode';
import { importModel } from '../src/model/io';
import { readModelDir } from './lib/modelDir';
import { startNodeBackend, type NodeBackend } from './lib/tfNode';
import { DEFAULT_DATA } from './train';

const USAGE = `Usage: npm run evaluate -- [--model DIR] [--data FILE] [--split NAME] [--seed N] [--limit N] [--backend wasm|cpu] [--json]
       npm run evaluate -- [--model DIR] --melodies builtin,a.mid,... [--seed N] [--json]
  --model DIR       a saved model folder with model.json and model.weights.bin (default models/default)
  --data FILE       JSB-format JSON (default ../shared/data/jsb-chorales/Jsb16thSeparated.train-valid.json);
                    a file with only a "valid" or only a "test" split will do
  --split NAME      split to evaluate (default valid; a file without one uses test)
  --limit N         evaluate the first N chorales only
  --voicing NAME    how the model's scores become notes: chorale (default, as on the page), single or chords
  --decode JSON     override weights of the chorale decoding, for ablations, e.g. '{"chordBonus":0}'
  --melodies LIST   instead of chorales: "builtin" (the page's tunes) and/or MIDI files, comma-separated;
                    each file's melody is its suggested melody track, as on the page; melody i is
                    accompanied with seed + i, and judged in the key estimated from the melody`;

/** The listener metrics (src/music/voiceMetrics.ts): JSON key, field, short table header. */
const LISTENER_COLUMNS = [
  ['voice_rest_rate', 'voiceRestRate', 'rests'],
  ['chord_rate', 'chordRate', 'chords'],
  ['melody_consonance', 'melodyConsonance', 'consonant'],
  ['parallels_per_bar', 'parallelsPerBar', 'par/bar'],
  ['mean_interval', 'meanInterval', 'leap'],
  ['mean_interval_alto', 'meanIntervalAlto', 'leap_A'],
  ['mean_interval_tenor', 'meanIntervalTenor', 'leap_T'],
  ['mean_interval_bass', 'meanIntervalBass', 'leap_B'],
  ['mean_note_length', 'meanNoteLength', 'note_len'],
  ['crossing_rate', 'crossingRate', 'crossing'],
  ['spacing_rate', 'spacingRate', 'spacing'],
  ['in_range_rate', 'inRangeRate', 'in_range'],
  ['in_key_rate', 'inKeyRate', 'in_key'],
] as const satisfies readonly (readonly [string, keyof VoiceMetrics, string])[];

/** The MuseGAN-style metrics (src/music/metrics.ts) and the all-steps consonance rate, kept from earlier reports. */
const MUSEGAN_COLUMNS = [
  ['empty_bar_rate', 'emptyBarRate', 'empty_bars'],
  ['used_pitch_classes', 'usedPitchClasses', 'pcs/bar'],
  ['qualified_note_rate', 'qualifiedNoteRate', 'qualified'],
  ['polyphonic_rate', 'polyphonicRate', 'polyphonic'],
  ['in_scale_rate', 'inScaleRate', 'in_scale'],
  ['tonal_distance', 'tonalDistance', 'tonal_dist'],
  ['consonance_rate', 'consonanceRate', 'consonance_all'],
] as const satisfies readonly (readonly [string, keyof EvaluationMetrics, string])[];

/** The name of every reported metric. */
export type MetricKey = (typeof LISTENER_COLUMNS)[number][0] | (typeof MUSEGAN_COLUMNS)[number][0];
/** The listener metrics of one roll (or their mean) under their report names. */
export type ListenerReport = Record<(typeof LISTENER_COLUMNS)[number][0], number>;

/** The listener metrics under their report names (snake case, as in the JSON). */
function listenerReport(metrics: VoiceMetrics): ListenerReport {
  const out: Partial<ListenerReport> = {};
  for (const [name, field] of LISTENER_COLUMNS) out[name] = metrics[field];
  return out as ListenerReport;
}
/** The metrics of one roll, or their mean over rolls. */
export type MetricReport = Record<MetricKey, number>;
/** A system's line of the report: its metrics (macro means over chorales) and its distance to Bach. */
export type SystemReport = MetricReport & { distance_to_bach: number };

/** The systems of the chorale evaluation, in report order. */
export const SYSTEM_NAMES = ['model', 'bach', 'baseline_octave_doubling', 'baseline_random_in_key', 'baseline_rule_harmonizer'] as const;
export type SystemName = (typeof SYSTEM_NAMES)[number];

/**
 * The smallest spread a metric's Bach spread is taken to have, in `distanceToBach`: max(0.02, 5% of Bach's
 * mean). Without a floor, a metric on which Bach's chorales hardly vary (polyphonic rate 0 and empty-bar rate
 * near 0 in every chorale) would turn an inaudible gap into a distance of hundreds and drown every other
 * metric. Two percentage points of a rate, or 5% of a size such as a leap in semitones or a note length in
 * steps, is about the smallest difference a listener could notice, so a gap that small counts at most 1.
 */
export const SPREAD_FLOOR_ABSOLUTE = 0.02;
export const SPREAD_FLOOR_RELATIVE = 0.05;

export interface EvaluationReport {
  systems: Record<SystemName, SystemReport>;
  data: string;
  split: string;
  chorales: number;
  /** The metrics `distance_to_bach` averages over: every reported metric defined (not NaN) for Bach. */
  distance_metrics: MetricKey[];
  /** Bach's spread per metric (std over chorales, floored) that the distance divides by. */
  bach_spread: Partial<Record<MetricKey, number>>;
  /** Per system, the distance metrics the system left undefined (NaN), so they are not in its average. */
  distance_skipped: Partial<Record<SystemName, MetricKey[]>>;
}

/** The metrics of one four-voice roll: the listener metrics against `key`, and the MuseGAN-style ones. */
export function rollReport(roll: PianoRoll, key: Key | null): MetricReport {
  const musegan = evaluationMetrics([roll]);
  const out: Partial<MetricReport> = listenerReport(voiceMetrics(roll, { key }));
  for (const [name, field] of MUSEGAN_COLUMNS) out[name] = musegan[field];
  return out as MetricReport;
}

function populationStd(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return NaN;
  const mean = finite.reduce((s, v) => s + v, 0) / finite.length;
  return Math.sqrt(finite.reduce((s, v) => s + (v - mean) ** 2, 0) / finite.length);
}

/**
 * `distance_to_bach` of every system: for each metric defined for Bach, |system - Bach| / Bach's spread, where
 * the spread is the standard deviation of Bach's per-chorale values, floored at max(SPREAD_FLOOR_ABSOLUTE,
 * SPREAD_FLOOR_RELATIVE x |Bach's mean|); then the mean over those metrics (leaving out any the system cannot
 * measure, which the report lists). 0 for Bach itself; 1 means "one chorale-to-chorale spread away" on average.
 */
export function distanceToBach(
  means: Record<SystemName, MetricReport>,
  bachPerChorale: readonly MetricReport[],
): Pick<EvaluationReport, 'distance_metrics' | 'bach_spread' | 'distance_skipped'> & { distances: Record<SystemName, number> } {
  const keys = Object.keys(means.bach) as MetricKey[];
  const distanceMetrics = keys.filter((key) => Number.isFinite(means.bach[key]));
  const spread: Partial<Record<MetricKey, number>> = {};
  for (const key of distanceMetrics) {
    const std = populationStd(bachPerChorale.map((m) => m[key]));
    spread[key] = Math.max(Number.isFinite(std) ? std : 0, SPREAD_FLOOR_ABSOLUTE, SPREAD_FLOOR_RELATIVE * Math.abs(means.bach[key]));
  }
  const distances = {} as Record<SystemName, number>;
  const skipped: Partial<Record<SystemName, MetricKey[]>> = {};
  for (const name of SYSTEM_NAMES) {
    const gaps: number[] = [];
    for (const key of distanceMetrics) {
      const value = means[name][key];
      if (!Number.isFinite(value)) (skipped[name] ??= []).push(key);
      else gaps.push(Math.abs(value - means.bach[key]) / (spread[key] as number));
    }
    distances[name] = gaps.length === 0 ? NaN : gaps.reduce((s, g) => s + g, 0) / gaps.length;
  }
  return { distance_metrics: distanceMetrics, bach_spread: spread, distance_skipped: skipped, distances };
}

/** Picks the split to evaluate: the asked one, else valid, else test when that is the only split. */
export function chooseSplit(dataset: Record<string, JsbChorale[] | undefined>, asked: string | undefined): string {
  if (asked !== undefined) return asked;
  if ((dataset.valid?.length ?? 0) > 0) return 'valid';
  if ((dataset.test?.length ?? 0) > 0) return 'test';
  return 'valid';
}

/**
 * The options of every `engine.accompany` call of the evaluation, built in this one place so that the
 * command line can choose them (a decoding flag belongs here).
 */
export function buildAccompanyOptions(voicing: string | undefined = undefined, decode: string | undefined = undefined): AccompanyOptions {
  const options: AccompanyOptions = {};
  if (voicing !== undefined) {
    if (!(VOICINGS as readonly string[]).includes(voicing))
      throw new Error(`--voicing must be one of ${VOICINGS.join(', ')}, got "${voicing}"`);
    options.voicing = voicing as Voicing;
  }
  if (decode !== undefined) {
    let weights: unknown;
    try {
      weights = JSON.parse(decode);
    } catch {
      throw new Error(`--decode takes a JSON object of decoding weights, e.g. '{"chordBonus":0}'; got ${decode}`);
    }
    const known = Object.keys(DEFAULT_DECODE_OPTIONS);
    if (weights === null || typeof weights !== 'object' || Array.isArray(weights))
      throw new Error(`--decode takes a JSON object, got ${decode}`);
    for (const [name, value] of Object.entries(weights)) {
      if (!known.includes(name)) throw new Error(`--decode: unknown weight "${name}"; the weights are ${known.join(', ')}`);
      if (typeof value !== 'number' || !Number.isFinite(value))
        throw new Error(`--decode: ${name} must be a number, got ${JSON.stringify(value)}`);
    }
    options.decodeWeights = weights as Partial<ChoraleDecodeOptions>;
  }
  return options;
}

/** Options of `evaluate`. */
export interface EvaluateOptions {
  model: string;
  data: string;
  split?: string;
  seed: number;
  limit: number | null;
  accompanyOptions?: AccompanyOptions;
}

async function loadEngine(dir: string): Promise<GanEngine> {
  return importModel(readModelDir(dir));
}

/** Builds the chorale report: every system's per-chorale metrics averaged over the same chorales, and the distances to Bach. */
export async function evaluate(options: EvaluateOptions): Promise<EvaluationReport> {
  if (!existsSync(options.data)) throw new Error(`No data file at ${options.data}`);
  const dataset = parseJsbJson(readFileSync(options.data, 'utf8'), { requireTrain: false }) as unknown as Record<
    string,
    JsbChorale[] | undefined
  >;
  const split = chooseSplit(dataset, options.split);
  const chorales = (dataset[split] ?? []).slice(0, options.limit ?? undefined);
  if (chorales.length === 0) throw new Error(`${options.data} has no chorales in a "${split}" split`);
  const accompanyOptions = options.accompanyOptions ?? buildAccompanyOptions();
  const engine = await loadEngine(options.model);
  try {
    const bach: PianoRoll[] = chorales.map((c) => jsbChoraleToRoll(c));
    // Every system is judged against the key of Bach's own four voices of the same chorale.
    const keys = bach.map((roll) => estimateRollKey(roll));
    const melodies = bach.map((roll) => selectTracks(roll, [0]));
    const model: PianoRoll[] = [];
    for (const [i, melody] of melodies.entries()) model.push(await engine.accompany(melody, options.seed + i, accompanyOptions));
    const rolls: Record<SystemName, PianoRoll[]> = {
      model,
      bach,
      baseline_octave_doubling: melodies.map((m) => octaveDoubling(m)),
      // The baselines, like the model, hear only the melody, so they take the key the melody suggests.
      baseline_random_in_key: melodies.map((m, i) => randomInKey(m, options.seed + i)),
      baseline_rule_harmonizer: melodies.map((m) => ruleHarmonizer(m)),
    };
    const perChorale = {} as Record<SystemName, MetricReport[]>;
    const means = {} as Record<SystemName, MetricReport>;
    for (const name of SYSTEM_NAMES) {
      perChorale[name] = rolls[name].map((roll, i) => rollReport(roll, keys[i]));
      means[name] = meanOverRolls(perChorale[name]);
    }
    const { distances, ...distance } = distanceToBach(means, perChorale.bach);
    const systems = {} as Record<SystemName, SystemReport>;
    for (const name of SYSTEM_NAMES) systems[name] = { ...means[name], distance_to_bach: distances[name] };
    return { systems, data: options.data, split, chorales: chorales.length, ...distance };
  } finally {
    engine.dispose();
  }
}

function formatRows<T extends object>(
  rows: Record<string, T>,
  columns: readonly (readonly [keyof T & string, string])[],
  label: string,
): string[] {
  const names = Object.keys(rows);
  const width = Math.max(label.length, ...names.map((n) => n.length));
  const widths = columns.map(([, header]) => Math.max(header.length, 6));
  const header = [label.padEnd(width), ...columns.map(([, h], i) => h.padStart(widths[i]))].join('  ');
  const lines = names.map((name) =>
    [name.padEnd(width), ...columns.map(([key], i) => formatValue(rows[name][key]).padStart(widths[i]))].join('  '),
  );
  return [header, ...lines];
}

function formatValue(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(3) : '-';
}

function legend(columns: readonly (readonly [string, string, string])[]): string {
  return columns.map(([key, , header]) => `${header}=${key}`).join(', ');
}

/** The chorale report as fixed-width tables: the listener metrics with the distance to Bach, then the MuseGAN-style ones. */
export function formatTable(result: EvaluationReport): string {
  const listener: (readonly [keyof SystemReport, string])[] = [
    ...LISTENER_COLUMNS.map(([key, , h]) => [key, h] as const),
    ['distance_to_bach', 'distance_to_bach'],
  ];
  const musegan = MUSEGAN_COLUMNS.map(([key, , h]) => [key, h] as const);
  const skipped = Object.entries(result.distance_skipped).map(
    ([name, keys]) => `${name} cannot measure ${keys.join(', ')} (left out of its distance)`,
  );
  return [
    `${result.chorales} chorales, split "${result.split}" of ${result.data}; every metric computed per chorale, then averaged`,
    '',
    'What a listener hears (alto, tenor and bass under the soprano):',
    ...formatRows(result.systems, listener, 'system'),
    `  ${legend(LISTENER_COLUMNS)}`,
    '',
    'MuseGAN-style metrics:',
    ...formatRows(result.systems, musegan, 'system'),
    `  ${legend(MUSEGAN_COLUMNS)}`,
    '',
    `distance_to_bach: mean over ${result.distance_metrics.length} metrics (${result.distance_metrics.join(', ')}) of |system - Bach| / ` +
      `max(std of Bach's per-chorale values, ${SPREAD_FLOOR_ABSOLUTE}, ${SPREAD_FLOOR_RELATIVE} x |Bach's mean|)`,
    ...skipped,
  ].join('\n');
}

/** The report of `evaluateMelodies`: the model's listener metrics per melody and their mean. */
export interface MelodyReport {
  melodies: Record<string, ListenerReport>;
  /** The key each melody was judged in (estimated from the melody alone). */
  keys: Record<string, string>;
  mean: ListenerReport;
}

/** A melody to accompany: a name for the report and its one-track roll. */
interface NamedMelody {
  name: string;
  roll: PianoRoll;
}

/** The melodies a `--melodies` list names: "builtin" for the page's tunes, else paths of MIDI files. */
export async function loadMelodies(list: string): Promise<NamedMelody[]> {
  const items = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) throw new Error('--melodies needs "builtin" and/or MIDI file paths, comma-separated');
  const melodies: NamedMelody[] = [];
  for (const item of items) {
    if (item === 'builtin') {
      for (const sample of SAMPLE_MELODIES) melodies.push({ name: sample.id, roll: sampleToRoll(sample) });
      continue;
    }
    const path = resolve(item);
    if (!existsSync(path)) throw new Error(`No MIDI file at ${path}`);
    // Loaded here, not at the top, so that the chorale evaluation never depends on the MIDI reader.
    const { parseMidi } = await import('../src/music/midiIn');
    const { extractMelody } = await import('../src/music/melody');
    try {
      melodies.push({ name: basename(path), roll: extractMelody(parseMidi(new Uint8Array(readFileSync(path)))).roll });
    } catch (error) {
      throw new Error(`${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  const seen = new Set<string>();
  for (const m of melodies) {
    let name = m.name;
    for (let n = 2; seen.has(name); n++) name = `${m.name} (${n})`;
    m.name = name;
    seen.add(name);
  }
  return melodies;
}

/** Accompanies each melody with the model (seed + its index) and measures it in the key of the melody. */
export async function evaluateMelodies(options: {
  model: string;
  melodies: string;
  seed: number;
  accompanyOptions?: AccompanyOptions;
}): Promise<MelodyReport> {
  const melodies = await loadMelodies(options.melodies);
  const accompanyOptions = options.accompanyOptions ?? buildAccompanyOptions();
  const engine = await loadEngine(options.model);
  try {
    const report: MelodyReport = { melodies: {}, keys: {}, mean: {} as ListenerReport };
    for (const [i, { name, roll }] of melodies.entries()) {
      const key = estimateRollKey(roll, [0]);
      const accompanied = await engine.accompany(roll, options.seed + i, accompanyOptions);
      report.melodies[name] = listenerReport(voiceMetrics(accompanied, { key }));
      report.keys[name] = key ? keyName(key) : 'none';
    }
    report.mean = meanOverRolls(Object.values(report.melodies));
    return report;
  } finally {
    engine.dispose();
  }
}

/** The melody report as a fixed-width table, one row per melody and a mean row. */
export function formatMelodyTable(result: MelodyReport): string {
  const rows: Record<string, ListenerReport> = {};
  for (const [name, m] of Object.entries(result.melodies)) rows[`${name} (${result.keys[name]})`] = m;
  rows.mean = result.mean;
  const columns = LISTENER_COLUMNS.map(([key, , h]) => [key, h] as const);
  return [
    `The model's accompaniment of ${Object.keys(result.melodies).length} melodies (key estimated from each melody)`,
    ...formatRows(rows, columns, 'melody'),
    `  ${legend(LISTENER_COLUMNS)}`,
  ].join('\n');
}

if (process.argv[1]?.endsWith('scripts/evaluate.ts')) {
  let values;
  try {
    values = parseArgs({
      args: process.argv.slice(2),
      strict: true,
      options: {
        model: { type: 'string' },
        data: { type: 'string' },
        split: { type: 'string' },
        seed: { type: 'string' },
        limit: { type: 'string' },
        backend: { type: 'string' },
        melodies: { type: 'string' },
        voicing: { type: 'string' },
        decode: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const seed = Number(values.seed ?? 1);
  const limit = values.limit === undefined ? null : Number(values.limit);
  const backend = (values.backend ?? 'wasm') as NodeBackend;
  if (!Number.isInteger(seed) || (limit !== null && (!Number.isInteger(limit) || limit < 1)) || !['wasm', 'cpu'].includes(backend)) {
    console.error(`--seed and --limit take whole numbers (limit >= 1), --backend wasm or cpu\n${USAGE}`);
    process.exit(2);
  }
  if (values.melodies !== undefined && (values.data !== undefined || values.split !== undefined || values.limit !== undefined)) {
    console.error(`--melodies evaluates melodies, not chorales: leave out --data, --split and --limit\n${USAGE}`);
    process.exit(2);
  }
  try {
    await startNodeBackend(backend);
    const model = resolve(values.model ?? 'models/default');
    const accompanyOptions = buildAccompanyOptions(values.voicing, values.decode);
    if (values.melodies !== undefined) {
      const result = await evaluateMelodies({ model, melodies: values.melodies, seed, accompanyOptions });
      console.log(formatMelodyTable(result));
      if (values.json) console.log(JSON.stringify(result));
    } else {
      const result = await evaluate({
        model,
        data: resolve(values.data ?? DEFAULT_DATA),
        split: values.split,
        seed,
        limit,
        accompanyOptions,
      });
      console.log(formatTable(result));
      if (values.json) console.log(JSON.stringify(result));
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
