/**
 * Intervals between two voices as common-practice harmony hears them, defined once for the metrics, the baselines
 * and the chorale decoding: which intervals are consonant, and what makes parallel fifths and octaves.
 */

/**
 * Interval classes (semitones mod 12) consonant between any two voices: unison/octave, minor and major 3rd,
 * perfect 5th, minor and major 6th, and their compounds. The perfect 4th is not among them (see FOURTH).
 */
export const CONSONANT_INTERVALS: readonly number[] = [0, 3, 4, 7, 8, 9];

/** The perfect 4th: consonant between two upper voices (the bass below both), a dissonance against the bass. */
export const FOURTH = 5;

/** The interval class of two pitches, from the lower to the upper one: a 5th stays a 5th when voices cross. */
export function intervalClass(a: number, b: number): number {
  return Math.abs(a - b) % 12;
}

/** The consonant interval classes as a 12-bit mask (bit i for interval class i): for any two voices. */
export const CONSONANT_MASK = CONSONANT_INTERVALS.reduce((bits, interval) => bits | (1 << interval), 0);

/** The same with the 4th: for two voices that both sound above the bass. */
export const UPPER_CONSONANT_MASK = CONSONANT_MASK | (1 << FOURTH);

/** Whether two pitches sound consonant together; `aboveBass` when both sound above the bass (a 4th is then consonant). */
export function isConsonant(a: number, b: number, aboveBass: boolean): boolean {
  return ((aboveBass ? UPPER_CONSONANT_MASK : CONSONANT_MASK) & (1 << intervalClass(a, b))) !== 0;
}

/**
 * Whether two sounding voices moving from (x0, y0) to (x1, y1) make a parallel fifth or octave: both move
 * the same way and keep the same perfect interval (7 or 0, mod 12). A fifth moving to an octave is not one.
 */
export function isParallelMotion(x0: number, x1: number, y0: number, y1: number): boolean {
  const dx = x1 - x0;
  if (dx === 0 || Math.sign(dx) !== Math.sign(y1 - y0)) return false;
  const before = intervalClass(x0, y0);
  return before === intervalClass(x1, y1) && (before === 0 || before === 7);
}
