/**
 * Listener metrics of a four-voice (SATB) roll: what someone hearing the accompaniment notices first.
 * Do the voices keep singing under the melody, do the beats form chords, do the voices stay in the key,
 * in their ranges and in order, and do they move like singers (small steps, notes of some length)?
 *
 * The roll has the melody (soprano) in track 0 and the alto, tenor and bass in tracks 1, 2 and 3. A voice at
 * a step is its track's highest sounding pitch (the same reading as the parallels count of metrics.ts);
 * the chord rate takes every sounding pitch. Each metric is computed for ONE roll (one chorale, one
 * melody); `meanOverRolls` then averages rolls equally, so a long chorale does not outweigh a short one.
 * A ratio with nothing to count is NaN ("not measurable"), never a made-up 0.
 */
import { VOICE_RANGES } from './baselines';
import { scaleMask, type Key } from './keys';
import { analyzeRoll, CONSONANT_INTERVALS, countChordBeats, countParallels, countVoiceRests, type TrackAnalysis } from './metrics';
import { stepsPerBar, type PianoRoll } from './pianoRoll';

/** The listener metrics of one four-voice roll (or their mean over rolls). */
export interface VoiceMetrics {
  /** Share of (step, accompaniment voice) pairs, over the steps where the melody sounds, where the voice is silent. */
  voiceRestRate: number;
  /** Share of the beats where all four voices sound whose pitch classes form a triad or seventh chord (with its third). */
  chordRate: number;
  /** Share of (beat, accompaniment voice) pairs, where both sound at the beat's start, consonant with the melody. */
  melodyConsonance: number;
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

/** The metric names of `VoiceMetrics`, in report order. */
export const VOICE_METRIC_KEYS: readonly (keyof VoiceMetrics)[] = [
  'voiceRestRate',
  'chordRate',
  'melodyConsonance',
  'parallelsPerBar',
  'meanInterval',
  'meanIntervalAlto',
  'meanIntervalTenor',
  'meanIntervalBass',
  'meanNoteLength',
  'crossingRate',
  'spacingRate',
  'inRangeRate',
  'inKeyRate',
];

/** Options of `voiceMetrics`. */
export interface VoiceMetricOptions {
  /**
   * The key of the in-key rate: for a chorale, the key estimated from Bach's own four voices (so that every
   * system is judged against the same key); for a user's melody, the key estimated from the melody. Null
   * makes the in-key rate NaN.
   */
  key: Key | null;
}

const MELODY = 0;
const ACCOMPANIMENT = [1, 2, 3] as const;
const RANGES = [VOICE_RANGES.alto, VOICE_RANGES.tenor, VOICE_RANGES.bass];
const CONSONANT = CONSONANT_INTERVALS.reduce((mask, interval) => mask | (1 << interval), 0);
/** A fourth (5 semitones) over a voice with the bass below it is a consonance in four-part writing. */
const FOURTH_ABOVE_BASS = CONSONANT | (1 << 5);

/** Mean absolute interval between successive notes (by start step) of one voice; NaN with fewer than two notes. */
function meanLeap(voice: TrackAnalysis): number {
  const notes = [...voice.notes].sort((x, y) => x.startStep - y.startStep || y.pitch - x.pitch);
  if (notes.length < 2) return NaN;
  let sum = 0;
  for (let i = 1; i < notes.length; i++) sum += Math.abs(notes[i].pitch - notes[i - 1].pitch);
  return sum / (notes.length - 1);
}

/** The mean of the finite values; NaN when there are none. */
function finiteMean(values: readonly number[]): number {
  let sum = 0;
  let count = 0;
  for (const v of values) {
    if (Number.isFinite(v)) {
      sum += v;
      count++;
    }
  }
  return count === 0 ? NaN : sum / count;
}

/**
 * The listener metrics of one SATB roll (4 tracks: melody, alto, tenor, bass), each defined as follows.
 * - voiceRestRate: (step, accompaniment voice) pairs where the melody sounds and the voice is silent / all
 *   (step, accompaniment voice) pairs where the melody sounds.
 * - chordRate: beat-start steps where all four voices sound whose pitch-class set (all sounding pitches)
 *   has 2 or more pitch classes, lies inside a major, minor, diminished or augmented triad or a dominant,
 *   major, minor, half-diminished or diminished seventh chord, and holds that chord's third and its root or
 *   fifth (`isChordMask` of chords.ts, the same test the chorale decoding uses) / all beat-start steps where
 *   the four voices sound. A bare fifth or a unison is not a chord.
 * - melodyConsonance: over beat-start steps where the melody sounds, (step, accompaniment voice) pairs where
 *   the voice sounds and its interval to the melody mod 12 is a unison/octave, third, fifth or sixth
 *   (CONSONANT_INTERVALS), or a fourth for the alto and tenor (a fourth above the bass is consonant, against
 *   the bass it is not) / all such pairs.
 * - parallelsPerBar: `countParallels` over the 6 pairs of the four voices / bars (a short last bar counts).
 * - meanInterval*: per accompaniment voice, mean |pitch change| between successive notes; meanInterval is the
 *   mean over the voices where it is defined.
 * - meanNoteLength: mean length in steps of alto, tenor and bass notes together.
 * - crossingRate: steps where some adjacent pair (soprano-alto, alto-tenor, tenor-bass) has the lower voice
 *   strictly above the upper one / steps where at least one adjacent pair both sound.
 * - spacingRate: steps where soprano and alto, or alto and tenor, are more than 12 semitones apart (upper
 *   above lower) / steps where at least one of those two pairs both sound.
 * - inRangeRate: accompaniment notes inside their voice's VOICE_RANGES / all accompaniment notes.
 * - inKeyRate: accompaniment notes whose pitch class is in the scale of `options.key` / all accompaniment
 *   notes (NaN without a key).
 */
export function voiceMetrics(roll: PianoRoll, options: VoiceMetricOptions): VoiceMetrics {
  if (roll.tracks.length !== 4)
    throw new RangeError(`the voice metrics need a four-voice roll (melody, alto, tenor, bass), got ${roll.tracks.length} tracks`);
  const analyses = analyzeRoll(roll);
  const melody = analyses[MELODY];
  const voices = ACCOMPANIMENT.map((t) => analyses[t]);

  const rests = countVoiceRests(melody, voices);
  const chords = countChordBeats(roll, analyses);

  let beatPairs = 0;
  let consonantPairs = 0;
  for (let step = 0; step < roll.steps; step += roll.stepsPerBeat) {
    const top = melody.top[step];
    if (top < 0) continue;
    voices.forEach((voice, v) => {
      const pitch = voice.top[step];
      if (pitch < 0) return;
      beatPairs++;
      const allowed = ACCOMPANIMENT[v] === 3 ? CONSONANT : FOURTH_ABOVE_BASS;
      if (allowed & (1 << (Math.abs(top - pitch) % 12))) consonantPairs++;
    });
  }

  let parallels = 0;
  for (let i = 0; i < analyses.length; i++)
    for (let j = i + 1; j < analyses.length; j++) parallels += countParallels(analyses[i].top, analyses[j].top);
  const bars = Math.ceil(roll.steps / stepsPerBar(roll));

  let orderedSteps = 0;
  let crossedSteps = 0;
  let spacedSteps = 0;
  let tooWideSteps = 0;
  for (let step = 0; step < roll.steps; step++) {
    let measurable = false;
    let crossed = false;
    let spacingMeasurable = false;
    let tooWide = false;
    for (let upper = 0; upper < 3; upper++) {
      const high = analyses[upper].top[step];
      const low = analyses[upper + 1].top[step];
      if (high < 0 || low < 0) continue;
      measurable = true;
      if (low > high) crossed = true;
      if (upper < 2) {
        spacingMeasurable = true;
        if (high - low > 12) tooWide = true;
      }
    }
    if (measurable) orderedSteps++;
    if (crossed) crossedSteps++;
    if (spacingMeasurable) spacedSteps++;
    if (tooWide) tooWideSteps++;
  }

  const keyMask = options.key ? scaleMask(options.key) : null;
  let notes = 0;
  let noteSteps = 0;
  let inRange = 0;
  let inKey = 0;
  voices.forEach((voice, v) => {
    for (const note of voice.notes) {
      notes++;
      noteSteps += note.steps;
      if (note.pitch >= RANGES[v].low && note.pitch <= RANGES[v].high) inRange++;
      if (keyMask !== null && keyMask & (1 << (note.pitch % 12))) inKey++;
    }
  });

  const leaps = voices.map(meanLeap);
  return {
    voiceRestRate: rests.resting / rests.pairs,
    chordRate: chords.chords / chords.beats,
    melodyConsonance: consonantPairs / beatPairs,
    parallelsPerBar: parallels / bars,
    meanInterval: finiteMean(leaps),
    meanIntervalAlto: leaps[0],
    meanIntervalTenor: leaps[1],
    meanIntervalBass: leaps[2],
    meanNoteLength: noteSteps / notes,
    crossingRate: crossedSteps / orderedSteps,
    spacingRate: tooWideSteps / spacedSteps,
    inRangeRate: inRange / notes,
    inKeyRate: keyMask === null ? NaN : inKey / notes,
  };
}

/**
 * The per-key mean of per-roll metrics (the macro mean: every roll weighs the same), skipping each roll's
 * NaN values; a key that no roll can measure is NaN. Keys are those of the first roll.
 */
export function meanOverRolls<T extends object>(perRoll: readonly T[]): { [K in keyof T]: number } {
  const out: Record<string, number> = {};
  if (perRoll.length === 0) return out as { [K in keyof T]: number };
  for (const key of Object.keys(perRoll[0])) {
    out[key] = finiteMean(perRoll.map((m) => (m as Record<string, number>)[key]));
  }
  return out as { [K in keyof T]: number };
}
