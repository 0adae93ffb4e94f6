/**
 * Objective music metrics in the MuseGAN family, plus the voice rest rate and chord rate a listener notices
 * first (the four-voice listener metrics of the evaluation build on this file's analysis, in voiceMetrics.ts),
 * computed on binarized piano rolls (`active`), per bar and
 * per track, following the MuseGAN paper's definitions rather than the known bugs of the DeepComposer and MuseGAN code:
 * the empty bar rate counts EMPTY bars (not non-empty ones), and used pitch classes counts DISTINCT pitch
 * classes (not active cells, not groups of adjacent pitches).
 *
 * Conventions shared by every metric here:
 * - A note is a run of consecutive active steps of one pitch in one track, split where the roll's
 *   `onsets` mark a new attack (a roll without onsets reads every run as one note).
 * - A bar is `beatsPerBar * stepsPerBeat` steps; a roll whose length is not a whole number of bars has a
 *   shorter last bar, which counts as a bar. Beats likewise.
 * - A ratio with nothing to count (no notes, no non-empty bar, no beat where both tracks sound, ...) is
 *   NaN, meaning "not measurable", never a made-up 0.
 * Every metric is one pass over the roll's typed arrays (linear in steps x 128 x tracks).
 */
import { isChordMask } from './chords';
import { estimateKey, scaleMask, type Key } from './keys';
import { trackNotes, type Note } from './notes';
import { PITCHES, stepsPerBar, type PianoRoll } from './pianoRoll';

/** The objective metrics of a set of rolls; src/protocol/messages.ts re-exports the type for the worker's messages. */
export interface MetricSet {
  /** Fraction of (bar, track) pairs with no note at all. */
  emptyBarRate: number;
  /** Mean number of distinct pitch classes per non-empty (bar, track) pair. */
  usedPitchClasses: number;
  /** Fraction of notes lasting at least the qualified length (half a beat: 2 steps at 4 steps per beat). */
  qualifiedNoteRate: number;
  /** Fraction of (step, track) pairs where 2 or more pitches sound in that track. */
  polyphonicRate: number;
  /** Fraction of notes whose pitch class is in the roll's (estimated) key. */
  inScaleRate: number;
  /** Mean Euclidean distance between the melody's and a track's tonal centroids, over beats where both sound. */
  tonalDistance: number;
  /** Fraction of (step, track) pairs, at steps where the melody sounds, where the track is silent. */
  voiceRestRate: number;
  /** Fraction of beats where the melody and every track sound whose pitch classes form a chord (see chords.ts). */
  chordRate: number;
}

/** The metrics of the evaluation report: the training metrics plus two voice-leading ones. */
export interface EvaluationMetrics extends MetricSet {
  /** Fraction of sounding accompaniment cells, at steps where the melody sounds, consonant with the melody. */
  consonanceRate: number;
  /** Parallel fifths and octaves (between any two voices) per bar. */
  parallelsPerBar: number;
}

/** Which tracks to measure and how. */
export interface MetricOptions {
  /** Tracks measured; default every track but the melody (the accompaniment, tracks 1..n-1). */
  tracks?: readonly number[];
  /** The melody track, compared with each measured track by tonal distance and consonance; default 0. */
  melodyTrack?: number;
  /** Shortest qualified note in steps; default half a beat, i.e. 2 steps (an 8th note) at 4 steps per beat. */
  minQualifiedSteps?: number;
  /** The key for the in-scale rate; default the key estimated per roll from ALL its tracks (melody included). */
  key?: Key;
}

/**
 * Intervals (semitones mod 12, lower to upper pitch) counted as consonant: unison/octave, minor and major
 * 3rd, perfect 5th, minor and major 6th, and their compounds. The perfect 4th (5) is NOT consonant: the
 * melody is the top voice, and a 4th against the top voice is a dissonance in common-practice harmony.
 */
export const CONSONANT_INTERVALS: readonly number[] = [0, 3, 4, 7, 8, 9];
const CONSONANT_MASK = CONSONANT_INTERVALS.reduce((mask, interval) => mask | (1 << interval), 0);

/** What one pass over a roll gathers about one track. */
export interface TrackAnalysis {
  /** steps x 12: number of active pitches of each pitch class at each step. */
  chroma: Uint8Array;
  /** Number of active pitches at each step. */
  sounding: Uint8Array;
  /** Highest active pitch at each step, -1 when silent. */
  top: Int16Array;
  /** 12-bit mask of the pitch classes active at each step. */
  pcMask: Uint16Array;
  /** The track's notes, as `trackNotes` reads them. */
  notes: Note[];
}

function checkRoll(roll: PianoRoll): void {
  const expected = roll.steps * PITCHES * roll.tracks.length;
  if (roll.active.length !== expected) {
    throw new RangeError(
      `a roll of ${roll.steps} steps and ${roll.tracks.length} tracks needs ${expected} cells, got ${roll.active.length}`,
    );
  }
  if (roll.onsets && roll.onsets.length !== expected) {
    throw new RangeError(`the roll's onsets hold ${roll.onsets.length} cells, expected ${expected}`);
  }
  if (!Number.isInteger(roll.stepsPerBeat) || roll.stepsPerBeat < 1)
    throw new RangeError(`stepsPerBeat must be a whole number >= 1, got ${roll.stepsPerBeat}`);
  if (!Number.isInteger(roll.beatsPerBar) || roll.beatsPerBar < 1)
    throw new RangeError(`beatsPerBar must be a whole number >= 1, got ${roll.beatsPerBar}`);
}

function checkTrack(roll: PianoRoll, track: number): void {
  if (!Number.isInteger(track) || track < 0 || track >= roll.tracks.length) {
    throw new RangeError(`track ${track} is not in a roll of ${roll.tracks.length} tracks`);
  }
}

/**
 * Each track's notes (`trackNotes`) and, from them, its chroma, sounding counts and top pitches. The one
 * roll reader every metric here and in voiceMetrics.ts builds on.
 */
export function analyzeRoll(roll: PianoRoll): TrackAnalysis[] {
  checkRoll(roll);
  const steps = roll.steps;
  return roll.tracks.map((_, track) => {
    const a: TrackAnalysis = {
      chroma: new Uint8Array(steps * 12),
      sounding: new Uint8Array(steps),
      top: new Int16Array(steps).fill(-1),
      pcMask: new Uint16Array(steps),
      notes: trackNotes(roll, track),
    };
    // The notes of one pitch never overlap, so they cover every active cell of the track exactly once.
    for (const note of a.notes) {
      const pc = note.pitch % 12;
      for (let step = note.startStep; step < note.startStep + note.steps; step++) {
        a.chroma[step * 12 + pc]++;
        a.sounding[step]++;
        if (note.pitch > a.top[step]) a.top[step] = note.pitch;
        a.pcMask[step] |= 1 << pc;
      }
    }
    return a;
  });
}

function popCount12(mask: number): number {
  let count = 0;
  for (let m = mask; m !== 0; m &= m - 1) count++;
  return count;
}

/** Sums that every metric is a ratio of; summed over tracks and rolls, they give the pooled averages. */
interface Tally {
  bars: number;
  emptyBars: number;
  /** Sum over non-empty bars of their distinct pitch classes. */
  pitchClassesInBars: number;
  notes: number;
  qualifiedNotes: number;
  steps: number;
  polyphonicSteps: number;
  /** Notes counted for the in-scale rate (0 when the roll has no key). */
  scaleNotes: number;
  inScaleNotes: number;
  /** Beats where the melody and the track both sound, and the sum of their tonal distances. */
  sharedBeats: number;
  tonalDistanceSum: number;
  /** Sounding accompaniment cells at steps where the melody sounds, and how many are consonant with it. */
  cellsUnderMelody: number;
  consonantCells: number;
  parallels: number;
  /** (step, track) pairs at steps where the melody sounds, and how many of them the track is silent at. */
  pairsUnderMelody: number;
  restingPairs: number;
  /** Beats (beat-start steps) where the melody and every measured track sound, and how many are chords. */
  fullBeats: number;
  chordBeats: number;
}

function emptyTally(): Tally {
  return {
    bars: 0,
    emptyBars: 0,
    pitchClassesInBars: 0,
    notes: 0,
    qualifiedNotes: 0,
    steps: 0,
    polyphonicSteps: 0,
    scaleNotes: 0,
    inScaleNotes: 0,
    sharedBeats: 0,
    tonalDistanceSum: 0,
    cellsUnderMelody: 0,
    consonantCells: 0,
    parallels: 0,
    pairsUnderMelody: 0,
    restingPairs: 0,
    fullBeats: 0,
    chordBeats: 0,
  };
}

function defaultMinQualifiedSteps(roll: PianoRoll): number {
  return Math.max(1, Math.round(roll.stepsPerBeat / 2));
}

/** Adds one track's bar, note and step counts to `tally`. */
function tallyTrack(roll: PianoRoll, a: TrackAnalysis, minQualifiedSteps: number, keyMask: number | null, tally: Tally): void {
  const barLength = stepsPerBar(roll);
  for (let barStart = 0; barStart < roll.steps; barStart += barLength) {
    let mask = 0;
    const barEnd = Math.min(roll.steps, barStart + barLength);
    for (let step = barStart; step < barEnd; step++) mask |= a.pcMask[step];
    tally.bars++;
    if (mask === 0) tally.emptyBars++;
    else tally.pitchClassesInBars += popCount12(mask);
  }
  for (const note of a.notes) {
    tally.notes++;
    if (note.steps >= minQualifiedSteps) tally.qualifiedNotes++;
    if (keyMask !== null) {
      tally.scaleNotes++;
      if (keyMask & (1 << (note.pitch % 12))) tally.inScaleNotes++;
    }
  }
  tally.steps += roll.steps;
  for (let step = 0; step < roll.steps; step++) if (a.sounding[step] >= 2) tally.polyphonicSteps++;
}

// Harte, Sandler & Gasser (2006): the 12 pitch classes on the circle of fifths, the circle of minor
// thirds and the circle of major thirds, with radii 1, 1 and 0.5.
const CENTROID_ANGLES = [(7 * Math.PI) / 6, (3 * Math.PI) / 2, (2 * Math.PI) / 3];
const CENTROID_RADII = [1, 1, 0.5];
const CENTROID_BASIS: Float64Array = (() => {
  const basis = new Float64Array(6 * 12);
  for (let circle = 0; circle < 3; circle++) {
    for (let pc = 0; pc < 12; pc++) {
      basis[2 * circle * 12 + pc] = CENTROID_RADII[circle] * Math.sin(pc * CENTROID_ANGLES[circle]);
      basis[(2 * circle + 1) * 12 + pc] = CENTROID_RADII[circle] * Math.cos(pc * CENTROID_ANGLES[circle]);
    }
  }
  return basis;
})();

/**
 * The 6-d tonal centroid (Harte et al. 2006) of a 12-bin chroma vector: its L1-normalised projection on the
 * circles of fifths, minor thirds and major thirds. All zeros for silent chroma.
 */
export function tonalCentroid(chroma: ArrayLike<number>, offset = 0): Float64Array {
  const centroid = new Float64Array(6);
  let total = 0;
  for (let pc = 0; pc < 12; pc++) total += chroma[offset + pc];
  if (total === 0) return centroid;
  for (let d = 0; d < 6; d++) {
    let sum = 0;
    for (let pc = 0; pc < 12; pc++) sum += CENTROID_BASIS[d * 12 + pc] * chroma[offset + pc];
    centroid[d] = sum / total;
  }
  return centroid;
}

/** Per-beat chroma (beats x 12) of a track: active cells of each pitch class summed over the beat's steps. */
function beatChroma(roll: PianoRoll, a: TrackAnalysis): Float64Array {
  const beats = Math.ceil(roll.steps / roll.stepsPerBeat);
  const chroma = new Float64Array(beats * 12);
  for (let step = 0; step < roll.steps; step++) {
    const beat = Math.floor(step / roll.stepsPerBeat);
    for (let pc = 0; pc < 12; pc++) chroma[beat * 12 + pc] += a.chroma[step * 12 + pc];
  }
  return chroma;
}

/** Adds the tonal distances of two tracks, beat by beat where both sound, to `tally`. */
function tallyTonalDistance(melodyChroma: Float64Array, trackChroma: Float64Array, tally: Tally): void {
  const beats = melodyChroma.length / 12;
  for (let beat = 0; beat < beats; beat++) {
    if (!hasSound(melodyChroma, beat) || !hasSound(trackChroma, beat)) continue;
    const m = tonalCentroid(melodyChroma, beat * 12);
    const t = tonalCentroid(trackChroma, beat * 12);
    let sumSquares = 0;
    for (let d = 0; d < 6; d++) sumSquares += (m[d] - t[d]) ** 2;
    tally.sharedBeats++;
    tally.tonalDistanceSum += Math.sqrt(sumSquares);
  }
}

function hasSound(chroma: Float64Array, beat: number): boolean {
  for (let pc = 0; pc < 12; pc++) if (chroma[beat * 12 + pc] > 0) return true;
  return false;
}

/** Adds the consonance counts of the accompaniment cells against the melody's top pitch to `tally`. */
function tallyConsonance(roll: PianoRoll, melodyTop: Int16Array, tracks: readonly number[], tally: Tally): void {
  const trackCount = roll.tracks.length;
  for (let step = 0; step < roll.steps; step++) {
    const melody = melodyTop[step];
    if (melody < 0) continue;
    for (let pitch = 0; pitch < PITCHES; pitch++) {
      const base = (step * PITCHES + pitch) * trackCount;
      // Interval from the lower to the upper pitch, so a 5th stays a 5th when a voice crosses above the melody.
      const interval = Math.abs(pitch - melody) % 12;
      for (const track of tracks) {
        if (!roll.active[base + track]) continue;
        tally.cellsUnderMelody++;
        if (CONSONANT_MASK & (1 << interval)) tally.consonantCells++;
      }
    }
  }
}

/**
 * Counts the voice rests under a melody: `pairs` (step, voice) at steps where the melody sounds, and how many
 * of them (`resting`) find the voice silent.
 */
export function countVoiceRests(melody: TrackAnalysis, voices: readonly TrackAnalysis[]): { pairs: number; resting: number } {
  let pairs = 0;
  let resting = 0;
  for (let step = 0; step < melody.sounding.length; step++) {
    if (melody.sounding[step] === 0) continue;
    for (const voice of voices) {
      pairs++;
      if (voice.sounding[step] === 0) resting++;
    }
  }
  return { pairs, resting };
}

/**
 * Counts the chords on the beats: `beats` where every one of `voices` sounds at the beat's first step, and
 * how many of them (`chords`) have a pitch-class set (all voices' sounding pitches together) that
 * `isChordMask` accepts: a triad or seventh chord, complete or with its third and its root or fifth. A unison
 * or a bare fifth is not.
 */
export function countChordBeats(
  roll: Pick<PianoRoll, 'steps' | 'stepsPerBeat'>,
  voices: readonly TrackAnalysis[],
): { beats: number; chords: number } {
  let beats = 0;
  let chords = 0;
  for (let step = 0; step < roll.steps; step += roll.stepsPerBeat) {
    let mask = 0;
    let all = true;
    for (const voice of voices) {
      if (voice.sounding[step] === 0) all = false;
      mask |= voice.pcMask[step];
    }
    if (!all) continue;
    beats++;
    if (isChordMask(mask)) chords++;
  }
  return { beats, chords };
}

/**
 * Counts parallel fifths and octaves between two voices (top pitch per step, -1 when silent): consecutive
 * steps where both voices sound, both move in the same direction, and form the same perfect interval
 * (7 = fifth, 0 = unison/octave, mod 12) before and after. A fifth moving to an octave is not counted.
 */
export function countParallels(upper: Int16Array, lower: Int16Array): number {
  let count = 0;
  for (let step = 1; step < upper.length; step++) {
    const a0 = upper[step - 1];
    const a1 = upper[step];
    const b0 = lower[step - 1];
    const b1 = lower[step];
    if (a0 < 0 || a1 < 0 || b0 < 0 || b1 < 0) continue;
    if (isParallelMotion(a0, a1, b0, b1)) count++;
  }
  return count;
}

/**
 * Whether two sounding voices moving from (x0, y0) to (x1, y1) make a parallel fifth or octave: both move
 * the same way and keep the same perfect interval (7 or 0, mod 12). A fifth moving to an octave is not one.
 */
export function isParallelMotion(x0: number, x1: number, y0: number, y1: number): boolean {
  const dx = x1 - x0;
  if (dx === 0 || Math.sign(dx) !== Math.sign(y1 - y0)) return false;
  const before = Math.abs(x0 - y0) % 12;
  return before === Math.abs(x1 - y1) % 12 && (before === 0 || before === 7);
}

interface ResolvedOptions {
  tracks: readonly number[];
  melodyTrack: number;
  minQualifiedSteps: number;
  key: Key | null;
}

function resolveOptions(roll: PianoRoll, options: MetricOptions): ResolvedOptions {
  const melodyTrack = options.melodyTrack ?? 0;
  checkTrack(roll, melodyTrack);
  const tracks = options.tracks ?? roll.tracks.map((_, i) => i).filter((i) => i !== melodyTrack);
  for (const t of tracks) checkTrack(roll, t);
  const minQualifiedSteps = options.minQualifiedSteps ?? defaultMinQualifiedSteps(roll);
  if (!Number.isInteger(minQualifiedSteps) || minQualifiedSteps < 1) {
    throw new RangeError(`minQualifiedSteps must be a whole number >= 1, got ${minQualifiedSteps}`);
  }
  return { tracks, melodyTrack, minQualifiedSteps, key: options.key ?? null };
}

/** Key estimated from a roll's whole pitch-class histogram (all tracks), from the analysis already made. */
function keyOfAnalyses(analyses: TrackAnalysis[]): Key | null {
  const histogram = new Float64Array(12);
  for (const a of analyses) for (let i = 0; i < a.chroma.length; i++) histogram[i % 12] += a.chroma[i];
  return estimateKey(histogram)?.key ?? null;
}

/** Tallies one roll; the voice-leading counts only when `evaluation` is set. */
function tallyRoll(roll: PianoRoll, options: MetricOptions, evaluation: boolean, tally: Tally): void {
  const resolved = resolveOptions(roll, options);
  const analyses = analyzeRoll(roll);
  const key = resolved.key ?? keyOfAnalyses(analyses);
  const keyMask = key ? scaleMask(key) : null;
  const melody = analyses[resolved.melodyTrack];
  const melodyChroma = beatChroma(roll, melody);
  const others = resolved.tracks.filter((t) => t !== resolved.melodyTrack);
  for (const track of resolved.tracks) tallyTrack(roll, analyses[track], resolved.minQualifiedSteps, keyMask, tally);
  for (const track of others) tallyTonalDistance(melodyChroma, beatChroma(roll, analyses[track]), tally);
  const rests = countVoiceRests(
    melody,
    others.map((t) => analyses[t]),
  );
  tally.pairsUnderMelody += rests.pairs;
  tally.restingPairs += rests.resting;
  if (others.length > 0) {
    // With no accompaniment there is no chord to hear: the chord rate stays unmeasured (NaN).
    const chords = countChordBeats(roll, [melody, ...others.map((t) => analyses[t])]);
    tally.fullBeats += chords.beats;
    tally.chordBeats += chords.chords;
  }
  if (!evaluation) return;
  tallyConsonance(roll, melody.top, others, tally);
  const voices = [resolved.melodyTrack, ...others];
  for (let i = 0; i < voices.length; i++) {
    for (let j = i + 1; j < voices.length; j++) tally.parallels += countParallels(analyses[voices[i]].top, analyses[voices[j]].top);
  }
}

function metricSetOf(tally: Tally): MetricSet {
  return {
    emptyBarRate: tally.emptyBars / tally.bars,
    usedPitchClasses: tally.pitchClassesInBars / (tally.bars - tally.emptyBars),
    qualifiedNoteRate: tally.qualifiedNotes / tally.notes,
    polyphonicRate: tally.polyphonicSteps / tally.steps,
    inScaleRate: tally.inScaleNotes / tally.scaleNotes,
    tonalDistance: tally.tonalDistanceSum / tally.sharedBeats,
    voiceRestRate: tally.restingPairs / tally.pairsUnderMelody,
    chordRate: tally.chordBeats / tally.fullBeats,
  };
}

/**
 * The metrics of many rolls, pooled: every ratio is (sum of its numerator over all rolls and measured
 * tracks) / (sum of its denominator), so longer rolls weigh more, and for equal-length windows this is the
 * mean over (roll, track) pairs. Measured tracks are the accompaniment (all but `melodyTrack`) by default.
 * - emptyBarRate: empty (bar, track) pairs / all (bar, track) pairs.
 * - usedPitchClasses: distinct pitch classes summed over non-empty (bar, track) pairs / their number.
 * - qualifiedNoteRate: notes of >= `minQualifiedSteps` steps / all notes (2 steps at 4 steps per beat).
 * - polyphonicRate: (step, track) pairs with >= 2 pitches sounding in that track / all (step, track) pairs.
 * - inScaleRate: notes in the roll's key / all notes of rolls that have a key (estimated per roll from all
 *   its tracks, melody included, unless `options.key` is given).
 * - tonalDistance: Euclidean distance between the tonal centroids of the melody's and a measured track's
 *   chroma per beat, summed over (roll, measured track, beat) where both sound / their number.
 * - voiceRestRate: (step, measured track) pairs where the melody sounds and the track is silent / all
 *   (step, measured track) pairs where the melody sounds: how often the accompaniment drops out.
 * - chordRate: beats (their first step) where the melody and every measured track sound whose pitch classes
 *   form a triad or seventh chord with its third and its root or fifth (`isChordMask`) / all such beats.
 * A ratio with an empty denominator is NaN.
 */
export function computeMetrics(rolls: readonly PianoRoll[], options: MetricOptions = {}): MetricSet {
  const tally = emptyTally();
  for (const roll of rolls) tallyRoll(roll, options, false, tally);
  return metricSetOf(tally);
}

/**
 * The evaluation report's metrics: `computeMetrics` plus, pooled over all rolls the same way,
 * - consonanceRate: accompaniment cells (step, track, pitch) sounding at steps where the melody sounds whose
 *   interval with the melody's top pitch is in CONSONANT_INTERVALS (the perfect 4th is not) / all such cells;
 * - parallelsPerBar: parallel fifths and octaves (same perfect interval mod 12 on two consecutive steps, both
 *   voices moving the same way) between every pair of voices, melody included, where a voice is the top
 *   pitch of a track at each step / all bars.
 */
export function evaluationMetrics(rolls: readonly PianoRoll[], options: MetricOptions = {}): EvaluationMetrics {
  const tally = emptyTally();
  let bars = 0;
  for (const roll of rolls) {
    tallyRoll(roll, options, true, tally);
    bars += Math.ceil(roll.steps / stepsPerBar(roll));
  }
  return {
    ...metricSetOf(tally),
    consonanceRate: tally.consonantCells / tally.cellsUnderMelody,
    parallelsPerBar: tally.parallels / bars,
  };
}

/** The metrics of one track of one roll (tonal distance against `melodyTrack`, default 0). */
export function trackMetrics(roll: PianoRoll, track: number, options: Omit<MetricOptions, 'tracks'> = {}): MetricSet {
  checkTrack(roll, track);
  return computeMetrics([roll], { ...options, tracks: [track] });
}

/** Fraction of a track's bars with no note (NOT the fraction of non-empty bars the reference code computes). */
export function emptyBarRate(roll: PianoRoll, track: number): number {
  return trackMetrics(roll, track).emptyBarRate;
}

/** Mean number of distinct pitch classes in a track's non-empty bars. */
export function usedPitchClasses(roll: PianoRoll, track: number): number {
  return trackMetrics(roll, track).usedPitchClasses;
}

/** Fraction of a track's notes lasting at least `minSteps` steps (default half a beat: 2 steps at 4 per beat). */
export function qualifiedNoteRate(roll: PianoRoll, track: number, minSteps?: number): number {
  return trackMetrics(roll, track, { minQualifiedSteps: minSteps }).qualifiedNoteRate;
}

/** Fraction of the roll's steps where 2 or more pitches sound in the track. */
export function polyphonicRate(roll: PianoRoll, track: number): number {
  return trackMetrics(roll, track).polyphonicRate;
}

/** Fraction of a track's notes in `key` (default: the key estimated from all the roll's tracks). */
export function inScaleRate(roll: PianoRoll, track: number, key?: Key): number {
  return trackMetrics(roll, track, { key }).inScaleRate;
}

/** Mean tonal distance between two tracks' per-beat tonal centroids, over beats where both sound. */
export function tonalDistance(roll: PianoRoll, trackA: number, trackB: number): number {
  checkTrack(roll, trackA);
  checkTrack(roll, trackB);
  const analyses = analyzeRoll(roll);
  const tally = emptyTally();
  tallyTonalDistance(beatChroma(roll, analyses[trackA]), beatChroma(roll, analyses[trackB]), tally);
  return tally.tonalDistanceSum / tally.sharedBeats;
}

/** Consonance rate of a roll's accompaniment against its melody (see `evaluationMetrics`). */
export function consonanceRate(roll: PianoRoll, options: MetricOptions = {}): number {
  return evaluationMetrics([roll], options).consonanceRate;
}

/** Parallel fifths and octaves per bar of a roll (see `evaluationMetrics`). */
export function parallelsPerBar(roll: PianoRoll, options: MetricOptions = {}): number {
  return evaluationMetrics([roll], options).parallelsPerBar;
}
