/**
 * Listener metrics of a four-voice (SATB) roll: what someone hearing the accompaniment notices first. Do the
 * voices keep singing under the melody, do the beats form chords, do the voices stay in the key, in their ranges
 * and in order, and do they move like singers (small steps, notes of some length)?
 *
 * The roll has the melody (soprano) in track 0 and the alto, tenor and bass in tracks 1, 2 and 3. Each metric
 * is computed for ONE roll (one chorale, one melody); `meanOverRolls` then averages rolls equally, so a long
 * chorale does not outweigh a short one.
 */
import { scaleMask, type Key } from '../keys';
import type { PianoRoll } from '../pianoRoll';
import { ACCOMPANIMENT_VOICES, VOICES } from '../voices';
import { analyzeRoll, barCount, finiteMean, meanOf } from './analysis';
import { beatConsonance, chordBeats, notesInKey } from './harmony';
import { noteLengths } from './rhythm';
import { crossings, meanLeap, notesInRange, parallelCount, voiceRests, wideSpacing } from './voices';

/** The listener metrics of one four-voice roll (or their mean over rolls). */
export interface VoiceMetrics {
  /** Share of (step, accompaniment voice) pairs, over the steps where the melody sounds, where the voice is silent. */
  voiceRestRate: number;
  /** Share of the beats where all four voices sound whose pitch classes form a triad or seventh chord (with its third). */
  chordRate: number;
  /** Share of (beat, accompaniment voice) pairs, where both sound at the beat's start, consonant with the melody. */
  beatConsonanceRate: number;
  /** Parallel fifths and octaves between every pair of the four voices, per bar. */
  parallelsPerBar: number;
  /** Mean absolute interval in semitones between successive notes, averaged over alto, tenor and bass. */
  meanInterval: number;
  /** The same for the alto alone. */
  meanIntervalAlto: number;
  /** The same for the tenor alone. */
  meanIntervalTenor: number;
  /** The same for the bass alone. */
  meanIntervalBass: number;
  /** Mean length in steps of the accompaniment's notes. */
  meanNoteLength: number;
  /** Share of steps where some adjacent pair of voices both sound and the lower one is above the upper one. */
  crossingRate: number;
  /** Share of steps where soprano and alto, or alto and tenor, both sound more than an octave apart. */
  spacingRate: number;
  /** Share of the accompaniment's notes inside their voice's range (VOICE_RANGES). */
  inRangeRate: number;
  /** Share of the accompaniment's notes whose pitch class is in the given key's scale. */
  inKeyRate: number;
}

/** Options of `voiceMetrics`. */
export interface VoiceMetricOptions {
  /**
   * The key of the in-key rate: for a chorale, the key estimated from Bach's own four voices (so that every
   * system is judged against the same key); for a user's melody, the key estimated from the melody. Null
   * makes the in-key rate NaN.
   */
  key: Key | null;
}

/**
 * The listener metrics of one SATB roll (4 tracks: melody, alto, tenor, bass):
 * - voiceRestRate: `voiceRests` of alto, tenor and bass under the melody.
 * - chordRate: `chordBeats` of the four voices (the same chord test the chorale decoding uses).
 * - beatConsonanceRate: `beatConsonance` of alto, tenor and bass with the melody (a 4th is consonant for the
 *   alto and tenor, which sound above the bass, and not for the bass).
 * - parallelsPerBar: `parallelCount` of the four voices / bars (a short last bar counts).
 * - meanInterval*: per accompaniment voice, `meanLeap`; meanInterval is the mean over the voices where it is
 *   defined.
 * - meanNoteLength: `noteLengths` of alto, tenor and bass together.
 * - crossingRate: `crossings` of the four voices.
 * - spacingRate: `wideSpacing` of the four voices (soprano-alto and alto-tenor).
 * - inRangeRate: `notesInRange` of the accompaniment, each voice in its VOICE_RANGES.
 * - inKeyRate: `notesInKey` of the accompaniment in the scale of `options.key` (NaN without a key).
 */
export function voiceMetrics(roll: PianoRoll, options: VoiceMetricOptions): VoiceMetrics {
  if (roll.tracks.length !== VOICES.length)
    throw new RangeError(`the voice metrics need a four-voice roll (melody, alto, tenor, bass), got ${roll.tracks.length} tracks`);
  const analyses = analyzeRoll(roll);
  const [melody, ...voices] = analyses;
  const leaps = voices.map(meanLeap);
  return {
    voiceRestRate: meanOf(voiceRests(melody, voices)),
    chordRate: meanOf(chordBeats(roll, analyses)),
    beatConsonanceRate: meanOf(beatConsonance(roll, melody, voices)),
    parallelsPerBar: parallelCount(analyses) / barCount(roll),
    meanInterval: finiteMean(leaps),
    meanIntervalAlto: leaps[0],
    meanIntervalTenor: leaps[1],
    meanIntervalBass: leaps[2],
    meanNoteLength: meanOf(noteLengths(voices)),
    crossingRate: meanOf(crossings(analyses)),
    spacingRate: meanOf(wideSpacing(analyses)),
    inRangeRate: meanOf(notesInRange(voices, ACCOMPANIMENT_VOICES)),
    inKeyRate: meanOf(notesInKey(voices, options.key ? scaleMask(options.key) : null)),
  };
}
