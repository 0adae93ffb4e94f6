/**
 * Generation stage 2 for a model of the user's own music ('data' decoding): each accompaniment track is written
 * the way its training data wrote it (its DataProfile), the network deciding where and which notes.
 *
 * A melodic track is decoded on a rhythmic grid of its own: segments as long as the data's median note, from the
 * start of the piece. In each segment the network's mean score of each pitch in the track's range (plus a small
 * bonus for the melody's key) ranks the pitches; the segment's strength is its best pitch's score.
 * - Rhythm: a segment starting at a bar position where the data starts many notes gains strength (RHYTHM_WEIGHT).
 * - Rests: the segments under the melody whose strength is lowest rest, as many as the data's rest rate asks
 *   (the threshold is that quantile of this piece's strengths); other segments rest below the same threshold.
 * - Harmony: a pitch gains for being in the melody's key and for being consonant with the melody and the tracks
 *   written before (drums first, then melodic tracks from the lowest up) where the segment starts.
 * - Chords: a sounding segment holds as many notes as the data's mean polyphony asks (whole numbers averaging
 *   it), the best-ranked pitches at least a minor third apart and consonant with each other, each attacked at the
 *   segment's start.
 * A drum track strikes each key of the data's kit on the steps where the network's score of that key, plus its
 * rhythm bonus at that bar position in the data's pattern, is highest, as often as the data strikes it, one step per hit; drums are never moved by the melody's octave shift.
 */
import { isConsonant } from '../../music/intervals';
import { estimateRollKey, scaleMask } from '../../music/keys';
import { barPosition, type DataProfile, type TrackProfile } from '../../music/dataProfile';
import { MODEL_TRACKS, ACCOMPANIMENT_TRACKS, PITCHES, type PianoRoll } from '../../music/pianoRoll';
import { type Candidate, type ModelMelody } from './types';

/** Bonus, on the tanh scale of the scores, for a pitch in the melody's key. */
export const KEY_BONUS = 0.25;
/** Bonus for a pitch consonant with the melody and with the tracks already written, where the segment starts. */
export const HARMONY_BONUS = 0.25;
/** The closest two notes of one chord may lie, in semitones (a minor third). */
export const CHORD_GAP = 3;
/** The longest segment (a whole 4/4 bar of 16ths): a note that the data holds longer is re-attacked each bar. */
const MAX_SEGMENT = 16;
/**
 * Weight, on the tanh scale of the scores, of the data's rhythm: a segment or drum hit at the bar position where
 * the data starts most notes gains this much, other positions in proportion to how often the data starts notes there.
 */
export const RHYTHM_WEIGHT = 0.5;

/** RHYTHM_WEIGHT times each bar position's share relative to the largest (0 everywhere for an empty rhythm). */
function rhythmBonus(shares: readonly number[]): number[] {
  const most = Math.max(0, ...shares);
  return shares.map((share) => (most > 0 ? (RHYTHM_WEIGHT * share) / most : 0));
}

/** The value below which a share `rate` of `values` lies (the rate-quantile); -Infinity for rate 0. */
export function quantile(values: readonly number[], rate: number): number {
  if (values.length === 0 || rate <= 0) return -Infinity;
  if (rate >= 1) return Infinity;
  const sorted = [...values].sort((a, b) => a - b);
  const cut = Math.round(rate * sorted.length);
  if (cut <= 0) return -Infinity;
  if (cut >= sorted.length) return Infinity;
  return (sorted[cut - 1] + sorted[cut]) / 2;
}

/** The pitches sounding at `step` in the melody (model register) and in the melodic tracks written before voice `v`. */
function soundingAt(input: ModelMelody, voices: Uint8Array, step: number, v: number): number[] {
  const heard: number[] = [];
  if (input.top[step] >= 0) heard.push(input.top[step]);
  for (let q = 0; q < PITCHES; q++) {
    for (let other = 0; other < ACCOMPANIMENT_TRACKS; other++) {
      if (other !== v && voices[(step * PITCHES + q) * ACCOMPANIMENT_TRACKS + other]) heard.push(q);
    }
  }
  return heard;
}

/** One melodic track's notes in the model's register, written into `voices` and `onsets` at voice `v`. */
function decodeMelodic(
  scores: Float32Array,
  input: ModelMelody,
  track: TrackProfile,
  v: number,
  keyMask: number,
  voices: Uint8Array,
  onsets: Uint8Array,
): void {
  const steps = input.melody.steps;
  const length = Math.max(1, Math.min(MAX_SEGMENT, Math.round(track.noteSteps) || 1));
  const low = Math.max(0, track.low);
  const high = Math.min(PITCHES - 1, track.high);
  if (high < low || track.polyphony <= 0) return;
  type Segment = { start: number; end: number; ranked: number[]; strength: number; underMelody: boolean };
  const segments: Segment[] = [];
  const rhythm = rhythmBonus(track.onsets);
  for (let start = 0; start < steps; start += length) {
    const end = Math.min(steps, start + length);
    const mean = new Float64Array(PITCHES);
    for (let step = start; step < end; step++) {
      for (let q = low; q <= high; q++) mean[q] += scores[(step * PITCHES + q) * MODEL_TRACKS + v + 1];
    }
    const heard = soundingAt(input, voices, start, v);
    const ranked: number[] = [];
    for (let q = low; q <= high; q++) {
      const inKey = (keyMask >> (q % 12)) & 1 ? KEY_BONUS : 0;
      const agrees = heard.every((h) => isConsonant(h, q, true)) ? HARMONY_BONUS : 0;
      mean[q] = mean[q] / (end - start) + inKey + agrees;
      ranked.push(q);
    }
    ranked.sort((a, b) => mean[b] - mean[a] || a - b);
    let underMelody = false;
    for (let step = start; step < end && !underMelody; step++) underMelody = input.top[step] >= 0;
    segments.push({ start, end, ranked, strength: mean[ranked[0]] + rhythm[barPosition(start, input.melody)], underMelody });
  }
  const threshold = quantile(
    segments.filter((s) => s.underMelody).map((s) => s.strength),
    track.restRate,
  );
  let chordSum = 0;
  for (const segment of segments) {
    if (segment.strength <= threshold) continue;
    // Whole chord sizes whose running mean is the data's polyphony.
    const size = Math.max(1, Math.round(chordSum + track.polyphony) - Math.round(chordSum));
    chordSum += track.polyphony;
    const chord: number[] = [];
    for (const q of segment.ranked) {
      if (chord.length >= size) break;
      if (chord.every((c) => Math.abs(c - q) >= CHORD_GAP && isConsonant(c, q, true))) chord.push(q);
    }
    for (const q of chord) {
      onsets[(segment.start * PITCHES + q) * ACCOMPANIMENT_TRACKS + v] = 1;
      for (let step = segment.start; step < segment.end; step++) voices[(step * PITCHES + q) * ACCOMPANIMENT_TRACKS + v] = 1;
    }
  }
}

/** One drum track's hits, written into `voices` and `onsets` at voice `v` (drum keys are not moved by the shift). */
function decodeDrums(
  scores: Float32Array,
  melody: PianoRoll,
  track: TrackProfile,
  v: number,
  voices: Uint8Array,
  onsets: Uint8Array,
): void {
  const steps = melody.steps;
  for (const { pitch, hitRate, pattern } of track.drumKeys) {
    const rhythm = rhythmBonus(pattern);
    const values: number[] = [];
    for (let step = 0; step < steps; step++)
      values.push(scores[(step * PITCHES + pitch) * MODEL_TRACKS + v + 1] + rhythm[barPosition(step, melody)]);
    const threshold = quantile(values, 1 - hitRate);
    for (let step = 0; step < steps; step++) {
      if (values[step] <= threshold) continue;
      const cell = (step * PITCHES + pitch) * ACCOMPANIMENT_TRACKS + v;
      voices[cell] = 1;
      onsets[cell] = 1;
    }
  }
}

/** Decodes `scores` ([steps, 128, 4] raw tanh outputs in the model's register) as `profile`'s data writes. */
export function decodeForData(scores: Float32Array, input: ModelMelody, seed: number, profile: DataProfile): Candidate {
  const steps = input.melody.steps;
  const voices = new Uint8Array(steps * PITCHES * ACCOMPANIMENT_TRACKS);
  const onsets = new Uint8Array(steps * PITCHES * ACCOMPANIMENT_TRACKS);
  const key = estimateRollKey(input.melody, [0]);
  const keyMask = key ? scaleMask(key) : 0;
  const tracks = profile.tracks.slice(0, ACCOMPANIMENT_TRACKS);
  // Drums first (they sound with nothing), then the melodic tracks from the lowest up, each consonant with those below.
  const order = tracks
    .map((_, v) => v)
    .sort((a, b) => Number(tracks[b].isDrum) - Number(tracks[a].isDrum) || tracks[a].low - tracks[b].low);
  for (const v of order) {
    if (tracks[v].isDrum) decodeDrums(scores, input.melody, tracks[v], v, voices, onsets);
    else decodeMelodic(scores, input, tracks[v], v, keyMask, voices, onsets);
  }
  return { seed, voices, onsets };
}
