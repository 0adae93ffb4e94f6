/**
 * Key estimation: the Krumhansl-Schmuckler algorithm (correlate a duration-weighted pitch-class
 * histogram with the Krumhansl-Kessler probe-tone profiles of all 24 major and minor keys), and the
 * scales that the key-fit metrics and the random baseline use. Keys are named in spelling.ts.
 */
import { PITCHES, checkTrackIndex, type PianoRoll } from './pianoRoll';

/** A pitch class, 0 (C) .. 11 (B). */
export type PitchClass = number;

/** The two modes the estimator tells apart. */
export type Mode = 'major' | 'minor';

/** A key: its tonic pitch class and its mode. */
export interface Key {
  tonic: PitchClass;
  mode: Mode;
}

/** The best-fitting key and how well it fits (Pearson correlation, -1..1). */
export interface KeyEstimate {
  key: Key;
  correlation: number;
}

/** Krumhansl & Kessler (1982) probe-tone ratings of the 12 degrees of a major key, tonic first. */
export const MAJOR_PROFILE: readonly number[] = [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88];
/** Krumhansl & Kessler (1982) probe-tone ratings of the 12 degrees of a minor key, tonic first. */
export const MINOR_PROFILE: readonly number[] = [6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17];

/** Scale degrees (semitones above the tonic) of a major key. */
export const MAJOR_SCALE: readonly number[] = [0, 2, 4, 5, 7, 9, 11];
/** Scale degrees of the natural minor: the degrees Roman numerals count from in a minor key. */
export const NATURAL_MINOR_SCALE: readonly number[] = [0, 2, 3, 5, 7, 8, 10];
/**
 * Scale degrees of a minor key: the natural minor plus the raised 7th (the leading tone), because
 * tonal minor-key music uses the leading tone as a matter of course; the raised 6th is left out, so a
 * random pitch class is in a minor scale with chance 8/12 rather than 9/12.
 */
export const MINOR_SCALE: readonly number[] = [...NATURAL_MINOR_SCALE, 11];

/** Throws a RangeError unless the key's tonic is a pitch class 0..11. */
export function checkKey(key: Key): void {
  if (!Number.isInteger(key.tonic) || key.tonic < 0 || key.tonic > 11) {
    throw new RangeError(`a key's tonic must be a pitch class 0..11, got ${key.tonic}`);
  }
}

/** The pitch classes of a key's scale, ascending from the tonic. */
export function scalePitchClasses(key: Key): PitchClass[] {
  checkKey(key);
  return (key.mode === 'major' ? MAJOR_SCALE : MINOR_SCALE).map((degree) => (key.tonic + degree) % 12);
}

/** A key's scale as a 12-bit mask (bit `pc` set when pitch class `pc` is in the scale). */
export function scaleMask(key: Key): number {
  let mask = 0;
  for (const pc of scalePitchClasses(key)) mask |= 1 << pc;
  return mask;
}

/** Whether a MIDI pitch belongs to a key's scale. */
export function isInScale(key: Key, pitch: number): boolean {
  return (scaleMask(key) & (1 << (((pitch % 12) + 12) % 12))) !== 0;
}

/**
 * The duration-weighted pitch-class histogram of a roll: entry `pc` counts the active cells (step, pitch)
 * of pitch class `pc` in the given tracks (default all), so a held note weighs by its length.
 */
export function pitchClassHistogram(roll: PianoRoll, tracks?: readonly number[]): Float64Array {
  const trackCount = roll.tracks.length;
  const selected = tracks ?? roll.tracks.map((_, i) => i);
  for (const t of selected) checkTrackIndex(roll, t);
  const histogram = new Float64Array(12);
  const { active } = roll;
  for (let step = 0; step < roll.steps; step++) {
    for (let pitch = 0; pitch < PITCHES; pitch++) {
      const base = (step * PITCHES + pitch) * trackCount;
      for (const t of selected) histogram[pitch % 12] += active[base + t];
    }
  }
  return histogram;
}

function pearson(x: ArrayLike<number>, y: ArrayLike<number>, shift: number): number {
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < 12; i++) {
    meanX += x[i];
    meanY += y[i];
  }
  meanX /= 12;
  meanY /= 12;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let pc = 0; pc < 12; pc++) {
    // Profile index = scale degree of pc in the key whose tonic is `shift`.
    const dx = x[pc] - meanX;
    const dy = y[(pc - shift + 12) % 12] - meanY;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/**
 * The Krumhansl-Schmuckler key of a 12-bin pitch-class histogram: the one of the 24 major and minor keys
 * whose profile correlates best with it (ties go to the first in the order C major, C minor, Db major, ...).
 * Null when the histogram carries no key information (no notes, or all 12 pitch classes equally often).
 */
export function estimateKey(histogram: ArrayLike<number>): KeyEstimate | null {
  if (histogram.length !== 12) throw new RangeError(`a pitch-class histogram has 12 bins, got ${histogram.length}`);
  let best: KeyEstimate | null = null;
  for (let tonic = 0; tonic < 12; tonic++) {
    for (const mode of ['major', 'minor'] as const) {
      const correlation = pearson(histogram, mode === 'major' ? MAJOR_PROFILE : MINOR_PROFILE, tonic);
      // NaN (a flat histogram has no variance) never wins, so a flat histogram gives null.
      if (correlation > (best?.correlation ?? -Infinity)) best = { key: { tonic, mode }, correlation };
    }
  }
  return best;
}

/** The estimated key of a roll from the given tracks (default all), or null when they hold no notes. */
export function estimateRollKey(roll: PianoRoll, tracks?: readonly number[]): Key | null {
  return estimateKey(pitchClassHistogram(roll, tracks))?.key ?? null;
}
