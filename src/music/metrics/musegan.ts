/**
 * The MuseGAN-style metrics of a set of rolls, pooled, plus the voice rest rate and chord rate a listener notices
 * first: the training dashboard's figures (src/protocol/messages.ts re-exports the type for the worker's
 * messages), and the MuseGAN columns of the evaluation. They follow the MuseGAN paper's definitions rather than
 * the known bugs of the DeepComposer and MuseGAN code: the empty bar rate counts EMPTY bars (not non-empty
 * ones), and used pitch classes counts DISTINCT pitch classes (not active cells, not groups of adjacent pitches).
 */
import { scaleMask, type Key } from '../keys';
import { checkTrackIndex, type PianoRoll } from '../pianoRoll';
import { analyzeRoll, meanOf, tally, type Tally } from './analysis';
import { beatChroma, chordBeats, keyOfAnalyses, notesInKey, pitchClassesPerBar, tonalDistances } from './harmony';
import { defaultMinQualifiedSteps, emptyBars, qualifiedNotes } from './rhythm';
import { polyphonicSteps, voiceRests } from './voices';

/** The pooled metrics of a set of rolls. */
export interface MetricSet {
  /** Fraction of (bar, track) pairs with no note at all. */
  emptyBarRate: number;
  /** Mean number of distinct pitch classes per non-empty (bar, track) pair. */
  usedPitchClasses: number;
  /** Fraction of notes lasting at least the qualified length (half a beat: 2 steps at 4 steps per beat). */
  qualifiedNoteRate: number;
  /** Fraction of (step, track) pairs where 2 or more pitches sound in that track. */
  polyphonicRate: number;
  /** Fraction of notes whose pitch class is in the roll's own (estimated) key. */
  inScaleRate: number;
  /** Mean Euclidean distance between the melody's and a track's tonal centroids, over beats where both sound. */
  tonalDistance: number;
  /** Fraction of (step, track) pairs, at steps where the melody sounds, where the track is silent. */
  voiceRestRate: number;
  /** Fraction of beats where the melody and every track sound whose pitch classes form a chord (see chords.ts). */
  chordRate: number;
}

/** Which tracks to measure and how. */
export interface MetricOptions {
  /** Tracks measured; default every track but the melody (the accompaniment, tracks 1..n-1). */
  tracks?: readonly number[];
  /** The melody track, compared with each measured track by tonal distance; default 0. */
  melodyTrack?: number;
  /** Shortest qualified note in steps; default half a beat, i.e. 2 steps (an 8th note) at 4 steps per beat. */
  minQualifiedSteps?: number;
  /** The key for the in-scale rate; default the key estimated per roll from ALL its tracks (melody included). */
  key?: Key;
}

type Tallies = Record<keyof MetricSet, Tally>;

/** Adds one roll's counts to `tallies`. */
function tallyRoll(roll: PianoRoll, options: MetricOptions, tallies: Tallies): void {
  const melodyTrack = options.melodyTrack ?? 0;
  checkTrackIndex(roll, melodyTrack);
  const tracks = options.tracks ?? roll.tracks.map((_, i) => i).filter((i) => i !== melodyTrack);
  for (const t of tracks) checkTrackIndex(roll, t);
  const minQualifiedSteps = options.minQualifiedSteps ?? defaultMinQualifiedSteps(roll);
  if (!Number.isInteger(minQualifiedSteps) || minQualifiedSteps < 1)
    throw new RangeError(`minQualifiedSteps must be a whole number >= 1, got ${minQualifiedSteps}`);
  const analyses = analyzeRoll(roll);
  const key = options.key ?? keyOfAnalyses(analyses);
  const keyMask = key ? scaleMask(key) : null;
  const melody = analyses[melodyTrack];
  const measured = tracks.map((t) => analyses[t]);
  const others = tracks.filter((t) => t !== melodyTrack).map((t) => analyses[t]);
  for (const track of measured) {
    emptyBars(roll, track, tallies.emptyBarRate);
    pitchClassesPerBar(roll, track, tallies.usedPitchClasses);
    qualifiedNotes(track, minQualifiedSteps, tallies.qualifiedNoteRate);
    polyphonicSteps(track, tallies.polyphonicRate);
  }
  notesInKey(measured, keyMask, tallies.inScaleRate);
  const melodyChroma = beatChroma(roll, melody);
  for (const track of others) tonalDistances(melodyChroma, beatChroma(roll, track), tallies.tonalDistance);
  voiceRests(melody, others, tallies.voiceRestRate);
  // With no accompaniment there is no chord to hear: the chord rate stays unmeasured (NaN).
  if (others.length > 0) chordBeats(roll, [melody, ...others], tallies.chordRate);
}

/**
 * The metrics of many rolls, pooled: every ratio is (sum of its numerator over all rolls and measured
 * tracks) / (sum of its denominator), so longer rolls weigh more, and for equal-length windows this is the
 * mean over (roll, track) pairs. Measured tracks are the accompaniment (all but `melodyTrack`) by default.
 * - emptyBarRate: `emptyBars` of each measured track.
 * - usedPitchClasses: `pitchClassesPerBar` of each measured track.
 * - qualifiedNoteRate: `qualifiedNotes` of `minQualifiedSteps` (2 steps at 4 steps per beat).
 * - polyphonicRate: `polyphonicSteps` of each measured track.
 * - inScaleRate: `notesInKey` of the measured tracks in the roll's key (estimated per roll from all its tracks,
 *   melody included, unless `options.key` is given); rolls without a key add nothing.
 * - tonalDistance: `tonalDistances` of the melody and each measured track.
 * - voiceRestRate: `voiceRests` of the measured tracks under the melody: how often the accompaniment drops out.
 * - chordRate: `chordBeats` of the melody and every measured track.
 * A ratio with an empty denominator is NaN.
 */
export function computeMetrics(rolls: readonly PianoRoll[], options: MetricOptions = {}): MetricSet {
  const tallies: Tallies = {
    emptyBarRate: tally(),
    usedPitchClasses: tally(),
    qualifiedNoteRate: tally(),
    polyphonicRate: tally(),
    inScaleRate: tally(),
    tonalDistance: tally(),
    voiceRestRate: tally(),
    chordRate: tally(),
  };
  for (const roll of rolls) tallyRoll(roll, options, tallies);
  return {
    emptyBarRate: meanOf(tallies.emptyBarRate),
    usedPitchClasses: meanOf(tallies.usedPitchClasses),
    qualifiedNoteRate: meanOf(tallies.qualifiedNoteRate),
    polyphonicRate: meanOf(tallies.polyphonicRate),
    inScaleRate: meanOf(tallies.inScaleRate),
    tonalDistance: meanOf(tallies.tonalDistance),
    voiceRestRate: meanOf(tallies.voiceRestRate),
    chordRate: meanOf(tallies.chordRate),
  };
}
