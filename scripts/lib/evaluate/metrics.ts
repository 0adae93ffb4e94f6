/**
 * The metrics of the chorale evaluation (`npm run evaluate`): which are reported under which names, the systems
 * compared, the report's shape, and each system's distance to Bach.
 */
import type { JsbChorale } from '../../../src/music/jsb';
import type { Key } from '../../../src/music/keys';
import { cellConsonanceRate, computeMetrics, voiceMetrics, type MetricSet, type VoiceMetrics } from '../../../src/music/metrics';
import type { PianoRoll } from '../../../src/music/pianoRoll';
import type { CriticTestResult } from '../../../src/model/criticTest';
import type { CriticView } from '../../../src/music/criticWindows';

/** The listener metrics (`voiceMetrics` of src/music/metrics): JSON key, field, short table header. */
export const LISTENER_COLUMNS = [
  ['voice_rest_rate', 'voiceRestRate', 'rests'],
  ['chord_rate', 'chordRate', 'chords'],
  ['melody_consonance', 'beatConsonanceRate', 'consonant'],
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

/** The MuseGAN-style metrics and the cell consonance of every step (`cellConsonanceRate`), kept from earlier reports. */
export const MUSEGAN_COLUMNS = [
  ['empty_bar_rate', 'emptyBarRate', 'empty_bars'],
  ['used_pitch_classes', 'usedPitchClasses', 'pcs/bar'],
  ['qualified_note_rate', 'qualifiedNoteRate', 'qualified'],
  ['polyphonic_rate', 'polyphonicRate', 'polyphonic'],
  ['in_scale_rate', 'inScaleRate', 'in_scale'],
  ['tonal_distance', 'tonalDistance', 'tonal_dist'],
  ['consonance_rate', 'cellConsonanceRate', 'consonance_all'],
] as const satisfies readonly (readonly [string, keyof MuseganMetrics, string])[];

/** What the MuseGAN columns read: `computeMetrics` of one roll, and its cell consonance. */
type MuseganMetrics = MetricSet & { cellConsonanceRate: number };

/** The name of every reported metric. */
export type MetricKey = (typeof LISTENER_COLUMNS)[number][0] | (typeof MUSEGAN_COLUMNS)[number][0];
/** The listener metrics of one roll (or their mean) under their report names. */
export type ListenerReport = Record<(typeof LISTENER_COLUMNS)[number][0], number>;

/** The listener metrics under their report names (snake case, as in the JSON). */
export function listenerReport(metrics: VoiceMetrics): ListenerReport {
  const out: Partial<ListenerReport> = {};
  for (const [name, field] of LISTENER_COLUMNS) out[name] = metrics[field];
  return out as ListenerReport;
}
/** The metrics of one roll, or their mean over rolls. */
export type MetricReport = Record<MetricKey, number>;
/** What the critic test reads for one system (src/model/criticTest.ts), as reported. */
export type CriticTestReading = Pick<CriticTestResult, 'window_accuracy' | 'auc' | 'chorale_accuracy'>;

/**
 * A system's line of the report: its metrics (macro means over chorales), its distance to Bach, its harmony
 * agreement with Bach, and what the critic test reads when it ran.
 */
export type SystemReport = MetricReport & {
  distance_to_bach: number;
  /** Over the beats where Bach's four voices sound, the share whose pitch classes equal Bach's (mean over chorales). */
  harmony_agreement: number;
  /** The critic test on the full view: how well a classifier tells the system's windows from Bach's. */
  critic_test?: CriticTestReading;
  /** The model only: the critic test shown one view of the windows (rhythm, pitch classes, bass). */
  critic_test_views?: Partial<Record<Exclude<CriticView, 'full'>, CriticTestReading>>;
  /** The model only: the same test with a classifier of a second design (CRITIC_CHECK_DESIGN), full view. */
  critic_test_check?: CriticTestReading;
};

/** How the critic test of a report ran. */
export interface CriticTestSetup {
  /** Training chorales (the data's train split, or its first N), accompanied by every system. */
  train_chorales: number;
  seed: number;
  epochs: number;
}

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
  /** How the critic test ran; absent when it was skipped. */
  critic_test?: CriticTestSetup;
}

/** The metrics of one four-voice roll: the listener metrics against `key`, and the MuseGAN-style ones. */
export function rollReport(roll: PianoRoll, key: Key | null): MetricReport {
  const musegan: MuseganMetrics = { ...computeMetrics([roll]), cellConsonanceRate: cellConsonanceRate(roll) };
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
