/**
 * How Bach's alto, tenor and bass move and sound together, counted from chorales one 8th-note slot at a time:
 * the statistics the chorale decoding scores its voices with (src/model/decode.ts), fitted on the training
 * split only (`npm run fit-decoding`). Three tables, each kept apart for slots on a beat and between beats:
 * - each voice's interval from one slot to the next (semitones, -12..+12, wider leaps counted at the ends);
 * - which of the three voices move at once (8 patterns);
 * - the sonority: the pitch classes of the four voices (melody included) counted up from the bass's, a 12-bit
 *   mask with bit 0 always set (a major triad in root position is 0b000010010001).
 * Counts are kept, not probabilities, so the fit is exact and checkable; `statisticsTables` turns them into
 * smoothed log-probabilities. Pure code.
 */
import type { JsbChorale } from './jsb';

/** Intervals kept per voice: -MAX_INTERVAL..+MAX_INTERVAL semitones. */
export const MAX_INTERVAL = 12;
const INTERVALS = 2 * MAX_INTERVAL + 1;
const MASKS = 4096;

/** The fitted counts. Index [1] of each beat-kept table is "on a beat", [0] "between beats". */
export interface VoiceStatistics {
  /** Steps per slot and per beat of the data the counts come from. */
  slotSteps: number;
  stepsPerBeat: number;
  /** Chorales and four-voice slots counted. */
  chorales: number;
  slots: number;
  /** [voice (alto, tenor, bass)][between beats, on a beat][interval + MAX_INTERVAL]. */
  intervals: number[][][];
  /** [between beats, on a beat][alto moves + 2 x tenor moves + 4 x bass moves]. */
  motion: number[][];
  /** Sonorities seen: [mask, count between beats, count on a beat], by mask. */
  sonorities: [number, number, number][];
  /**
   * 16th notes inside a slot: [voice][interval to the next slot + MAX_INTERVAL] = [slots, slots whose second
   * 16th moves to another pitch] (passing and neighbour tones), where the voice sounds through both slots.
   */
  ornaments: [number, number][][];
  /** [voice][interval to the next slot + MAX_INTERVAL][offset of the 16th + MAX_ORNAMENT] counts. */
  ornamentOffsets: number[][][];
}

/** Offsets of a 16th-note ornament from its slot's pitch that are kept: -MAX_ORNAMENT..+MAX_ORNAMENT. */
export const MAX_ORNAMENT = 4;

/** The sonority mask of four pitches: their pitch classes counted up from the last one's (the bass). */
export function sonorityMask(melody: number, alto: number, tenor: number, bass: number): number {
  const b = bass % 12;
  return (1 << 0) | (1 << ((melody - b + 1200) % 12)) | (1 << ((alto - b + 1200) % 12)) | (1 << ((tenor - b + 1200) % 12));
}

/** The interval-table index of a move from `from` to `to`. */
export function intervalIndex(from: number, to: number): number {
  return Math.max(-MAX_INTERVAL, Math.min(MAX_INTERVAL, to - from)) + MAX_INTERVAL;
}

/**
 * Counts the statistics of `chorales` (soprano, alto, tenor, bass per 16th-note step) slot by slot, reading
 * each slot at its first step. A slot counts where all four voices sound; a move counts where the slot before
 * did too.
 */
export function fitVoiceStatistics(chorales: readonly JsbChorale[], slotSteps = 2, stepsPerBeat = 4): VoiceStatistics {
  const intervals = [0, 1, 2].map(() => [0, 1].map(() => new Array<number>(INTERVALS).fill(0)));
  const motion = [0, 1].map(() => new Array<number>(8).fill(0));
  const sonority = [new Float64Array(MASKS), new Float64Array(MASKS)];
  const ornaments = [0, 1, 2].map(() => Array.from({ length: INTERVALS }, (): [number, number] => [0, 0]));
  const ornamentOffsets = [0, 1, 2].map(() => Array.from({ length: INTERVALS }, () => new Array<number>(2 * MAX_ORNAMENT + 1).fill(0)));
  let slots = 0;
  for (const chorale of chorales) {
    for (let step = 0; step + slotSteps < chorale.length; step += slotSteps) {
      for (let v = 0; v < 3; v++) {
        const from = chorale[step][v + 1];
        const to = chorale[step + slotSteps][v + 1];
        if (from < 0 || to < 0 || chorale[step][0] < 0) continue;
        let moved = -1;
        for (let inside = step + 1; inside < step + slotSteps; inside++) if (chorale[inside][v + 1] !== from) moved = inside;
        const interval = intervalIndex(from, to);
        ornaments[v][interval][0]++;
        if (moved < 0 || chorale[moved][v + 1] < 0) continue;
        ornaments[v][interval][1]++;
        const offset = chorale[moved][v + 1] - from;
        if (Math.abs(offset) <= MAX_ORNAMENT) ornamentOffsets[v][interval][offset + MAX_ORNAMENT]++;
      }
    }
    let previous: readonly number[] | null = null;
    for (let step = 0; step < chorale.length; step += slotSteps) {
      const notes = chorale[step];
      if (notes.some((p) => p < 0)) {
        previous = null;
        continue;
      }
      const onBeat = step % stepsPerBeat === 0 ? 1 : 0;
      slots++;
      sonority[onBeat][sonorityMask(notes[0], notes[1], notes[2], notes[3])]++;
      if (previous) {
        let pattern = 0;
        for (let v = 0; v < 3; v++) {
          intervals[v][onBeat][intervalIndex(previous[v + 1], notes[v + 1])]++;
          if (previous[v + 1] !== notes[v + 1]) pattern |= 1 << v;
        }
        motion[onBeat][pattern]++;
      }
      previous = notes;
    }
  }
  const sonorities: [number, number, number][] = [];
  for (let mask = 0; mask < MASKS; mask++) {
    if (sonority[0][mask] + sonority[1][mask] > 0) sonorities.push([mask, sonority[0][mask], sonority[1][mask]]);
  }
  return { slotSteps, stepsPerBeat, chorales: chorales.length, slots, intervals, motion, sonorities, ornaments, ornamentOffsets };
}

/** The statistics as smoothed log-probabilities, laid out for fast look-up. */
export interface StatisticsTables {
  /** [(voice x 2 + onBeat) x INTERVALS + interval index]. */
  interval: Float32Array;
  /** [onBeat x 8 + pattern]. */
  motion: Float32Array;
  /** [onBeat x 4096 + mask]. */
  sonority: Float32Array;
}

/** Log of (count + prior) / (total + prior x cells), per row of cells. */
function logRow(counts: ArrayLike<number>, prior: number, out: Float32Array, offset: number): void {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  for (let i = 0; i < counts.length; i++) out[offset + i] = Math.log((counts[i] + prior) / (total + prior * counts.length));
}

/**
 * Log-probabilities of the counts with add-`prior` smoothing (so an unseen move or sonority is unlikely, not
 * impossible). The sonority row spreads its prior over the 2048 masks that hold the bass.
 */
export function statisticsTables(stats: VoiceStatistics, prior = 0.5): StatisticsTables {
  const interval = new Float32Array(3 * 2 * INTERVALS);
  for (let v = 0; v < 3; v++)
    for (let beat = 0; beat < 2; beat++) logRow(stats.intervals[v][beat], prior, interval, (v * 2 + beat) * INTERVALS);
  const motion = new Float32Array(16);
  for (let beat = 0; beat < 2; beat++) logRow(stats.motion[beat], prior, motion, beat * 8);
  const sonority = new Float32Array(2 * MASKS).fill(-Infinity);
  for (let beat = 0; beat < 2; beat++) {
    const counts = new Float64Array(MASKS / 2);
    for (const [mask, between, on] of stats.sonorities) counts[mask >> 1] = beat ? on : between;
    const row = new Float32Array(MASKS / 2);
    logRow(counts, prior, row, 0);
    for (let half = 0; half < MASKS / 2; half++) sonority[beat * MASKS + ((half << 1) | 1)] = row[half];
  }
  return { interval, motion, sonority };
}
