/**
 * Baseline accompaniments for the evaluation report: the bars a trained model has to clear. Each takes a
 * melody (track 0 of the given roll; other tracks are ignored) and returns a new 4-track roll, soprano
 * (the melody, unchanged), alto, tenor, bass. Inputs are never modified.
 */
import { CHORD_QUALITIES } from './chords';
import { DEFAULT_VELOCITY } from './constants';
import { MusicInputError } from './errors';
import { isParallelMotion } from './intervals';
import { estimateRollKey, scalePitchClasses, type Key } from './keys';
import { PITCHES, checkRoll, createRoll, type PianoRoll, type TrackInfo, sameGrid } from './pianoRoll';
import { createUniform } from './random';
import { ACCOMPANIMENT_VOICES, VOICE_RANGES, inVoiceRange, voiceLabel } from './voices';

/** Thrown when a baseline cannot accompany the melody it is given. */
export class BaselineError extends MusicInputError {
  declare readonly code: 'empty-melody';
  constructor(message: string) {
    super('empty-melody', message);
    this.name = 'BaselineError';
  }
}

function satbTracks(melody: PianoRoll): TrackInfo[] {
  const soprano = melody.tracks[0];
  // The added voices play the melody's instrument so the baseline sounds like one ensemble.
  const program = soprano.isDrum ? 0 : soprano.program;
  return [{ ...soprano }, ...ACCOMPANIMENT_VOICES.map((voice) => ({ name: voiceLabel(voice), program, isDrum: false }))];
}

/** A new SATB roll shaped like the melody, and its onsets (always present). */
function emptySatb(melody: PianoRoll): { out: PianoRoll; onsets: Uint8Array } {
  checkRoll(melody);
  const out = createRoll(melody.steps, satbTracks(melody), {
    ...sameGrid(melody),
    withOnsets: false,
    withVelocities: melody.velocities !== null,
  });
  const onsets = new Uint8Array(out.active.length);
  out.onsets = onsets;
  return { out, onsets };
}

/** Copies the melody (track 0) into track 0 of a new SATB roll, onsets and velocities included. */
function copyMelody(melody: PianoRoll, out: PianoRoll, onsets: Uint8Array): void {
  const inTracks = melody.tracks.length;
  for (let step = 0; step < melody.steps; step++) {
    for (let pitch = 0; pitch < PITCHES; pitch++) {
      const from = (step * PITCHES + pitch) * inTracks;
      if (!melody.active[from]) continue;
      const to = (step * PITCHES + pitch) * 4;
      out.active[to] = 1;
      onsets[to] = melody.onsets ? melody.onsets[from] : step === 0 || !melody.active[from - PITCHES * inTracks] ? 1 : 0;
      if (out.velocities && melody.velocities) out.velocities[to] = melody.velocities[from];
    }
  }
}

/** Semitones below the melody of the alto, tenor and bass in `octaveDoubling`: an octave, a twelfth, two octaves. */
export const DOUBLING_OFFSETS: readonly number[] = [12, 19, 24];

/**
 * The melody doubled an octave below (alto), a twelfth below (tenor) and two octaves below (bass), note for
 * note with the melody's onsets and velocities; doublings that would fall below MIDI 0 are dropped.
 */
export function octaveDoubling(melody: PianoRoll): PianoRoll {
  const { out, onsets } = emptySatb(melody);
  const inTracks = melody.tracks.length;
  for (let step = 0; step < melody.steps; step++) {
    for (let pitch = 0; pitch < PITCHES; pitch++) {
      const from = (step * PITCHES + pitch) * inTracks;
      if (!melody.active[from]) continue;
      // A roll without onsets reads a run as one note; marking the run's first step keeps that reading.
      const onset = melody.onsets ? melody.onsets[from] : step === 0 || !melody.active[from - PITCHES * inTracks] ? 1 : 0;
      const velocity = melody.velocities ? melody.velocities[from] : 0;
      const offsets = [0, ...DOUBLING_OFFSETS];
      for (let voice = 0; voice < 4; voice++) {
        const target = pitch - offsets[voice];
        if (target < 0) continue;
        const to = (step * PITCHES + target) * 4 + voice;
        out.active[to] = 1;
        onsets[to] = onset;
        if (out.velocities) out.velocities[to] = velocity;
      }
    }
  }
  return out;
}

/** Options of `randomInKey`. */
export interface RandomInKeyOptions {
  /** The key to draw notes from; default the key estimated from the melody. */
  key?: Key;
  /** Velocity of the drawn notes when the melody has velocities; default DEFAULT_VELOCITY. */
  velocity?: number;
}

/**
 * Random accompaniment: for every beat, the alto, tenor and bass each start a new note drawn uniformly from
 * the pitches of the key's scale within their VOICE_RANGES, held for the beat. The same seed gives the
 * same roll. Throws BaselineError when the melody has no notes (there is no key to draw from).
 */
export function randomInKey(melody: PianoRoll, seed: number, options: RandomInKeyOptions = {}): PianoRoll {
  const { out, onsets } = emptySatb(melody);
  const key = options.key ?? estimateRollKey(melody, [0]);
  if (!key) {
    throw new BaselineError(
      'The melody has no notes, so there is no key to choose accompaniment notes from. Add some notes to the melody first.',
    );
  }
  const velocity = options.velocity ?? DEFAULT_VELOCITY;
  if (!Number.isInteger(velocity) || velocity < 1 || velocity > 127)
    throw new RangeError(`velocity must be a whole number 1..127, got ${velocity}`);

  copyMelody(melody, out, onsets);

  const inKey = new Set(scalePitchClasses(key));
  const choices = ACCOMPANIMENT_VOICES.map((voice) => {
    const { low, high } = VOICE_RANGES[voice];
    const pitches: number[] = [];
    for (let pitch = low; pitch <= high; pitch++) if (inKey.has(pitch % 12)) pitches.push(pitch);
    return pitches;
  });
  const random = createUniform(seed);
  for (let beatStart = 0; beatStart < melody.steps; beatStart += melody.stepsPerBeat) {
    const beatEnd = Math.min(melody.steps, beatStart + melody.stepsPerBeat);
    for (let voice = 1; voice <= 3; voice++) {
      const pitches = choices[voice - 1];
      const pitch = pitches[Math.floor(random() * pitches.length)];
      for (let step = beatStart; step < beatEnd; step++) out.active[(step * PITCHES + pitch) * 4 + voice] = 1;
      const onset = (beatStart * PITCHES + pitch) * 4 + voice;
      onsets[onset] = 1;
      if (out.velocities) out.velocities[onset] = velocity;
    }
  }
  return out;
}

/** A chord of the rule-based harmonizer: its Roman numeral and its pitch classes, root, third, fifth. */
export interface HarmonizerChord {
  numeral: string;
  pitchClasses: readonly [number, number, number];
}

/**
 * The triads the harmonizer picks from, in order of preference: each its numeral, its root as a scale degree
 * (semitones above the tonic) and its quality (a CHORD_QUALITIES Tonal name).
 */
const TRIADS: Record<Key['mode'], readonly { numeral: string; root: number; quality: 'M' | 'm' | 'dim' }[]> = {
  // The primary triads first (I, IV, V), then the secondary ones (vi, ii, iii); vii° is left out, as in
  // the textbook rule of thumb, because a diminished chord in root position is rare in four-part writing.
  major: [
    { numeral: 'I', root: 0, quality: 'M' },
    { numeral: 'IV', root: 5, quality: 'M' },
    { numeral: 'V', root: 7, quality: 'M' },
    { numeral: 'vi', root: 9, quality: 'm' },
    { numeral: 'ii', root: 2, quality: 'm' },
    { numeral: 'iii', root: 4, quality: 'm' },
  ],
  // Harmonic minor's dominant: a major V with the leading tone, which is what makes a minor key sound minor
  // at cadences; the natural-minor III stands in for the augmented III of the harmonic minor.
  minor: [
    { numeral: 'i', root: 0, quality: 'm' },
    { numeral: 'iv', root: 5, quality: 'm' },
    { numeral: 'V', root: 7, quality: 'M' },
    { numeral: 'VI', root: 8, quality: 'M' },
    { numeral: 'ii°', root: 2, quality: 'dim' },
    { numeral: 'III', root: 3, quality: 'M' },
  ],
};

/** The harmonizer's chords of a key, in order of preference. */
export function harmonizerChords(key: Key): HarmonizerChord[] {
  return TRIADS[key.mode].map(({ numeral, root, quality }) => {
    const [, third, fifth] = CHORD_QUALITIES.find((q) => q.tonalType === quality)!.shape;
    const pc = (interval: number): number => (key.tonic + root + interval) % 12;
    return { numeral, pitchClasses: [pc(0), pc(third), pc(fifth)] };
  });
}

/**
 * The chord for a melody pitch class: the first of the key's chords (I, IV, V, vi, ii, iii; minor: i, iv,
 * V, VI, ii°, III) that holds it; when none does (a chromatic note), the previous chord is kept, or the
 * tonic chord at the start.
 */
export function chooseChord(melodyPitchClass: number, key: Key, previous: HarmonizerChord | null): HarmonizerChord {
  const chords = harmonizerChords(key);
  const pc = ((melodyPitchClass % 12) + 12) % 12;
  return chords.find((c) => c.pitchClasses.includes(pc)) ?? previous ?? chords[0];
}

/** Where the bass starts when it has no previous note: C3, the middle of a chorale bass line. */
const BASS_HOME = 48;

/** The four voices of one beat, top down; null for a voice with no place (a melody too low to fit it under). */
interface Voicing {
  soprano: number;
  alto: number | null;
  tenor: number | null;
  bass: number | null;
}

/**
 * The alto, tenor and bass of one beat under `soprano`: the bass on the chord's root, the alto and tenor on
 * chord tones, in order (soprano > alto > tenor >= bass). Among all such voicings it takes the best by, in
 * this order of importance: every voice in its range; no parallel fifths or octaves with the previous beat
 * (`previous`, the voices sounding just before, with the soprano as it sounds at the boundary); the four
 * voices holding every note of the triad; no more than an octave between soprano and alto or alto and
 * tenor; the bass nearest to the previous bass; the alto nearest below the soprano; the tenor nearest below
 * the alto.
 */
function voiceChord(soprano: number, chord: HarmonizerChord, previous: Voicing | null, sopranoAtBoundary: number): Voicing {
  const [root] = chord.pitchClasses;
  const bassTarget = previous?.bass ?? BASS_HOME;
  let best: Voicing = { soprano, alto: null, tenor: null, bass: null };
  let bestScore = Infinity;
  for (let bass = root; bass < soprano; bass += 12) {
    const tones: number[] = [];
    for (let pitch = bass; pitch < soprano; pitch++) if (chord.pitchClasses.includes(pitch % 12)) tones.push(pitch);
    for (const alto of tones) {
      for (const tenor of tones) {
        if (tenor >= alto) break;
        const outOfRange = [inVoiceRange('alto', alto), inVoiceRange('tenor', tenor), inVoiceRange('bass', bass)].filter(
          (ok) => !ok,
        ).length;
        let parallels = 0;
        if (previous) {
          const before = [previous.soprano, previous.alto, previous.tenor, previous.bass];
          const after = [sopranoAtBoundary, alto, tenor, bass];
          for (let i = 0; i < 4; i++) {
            for (let j = i + 1; j < 4; j++) {
              const [a0, a1, b0, b1] = [before[i], after[i], before[j], after[j]];
              if (a0 !== null && a1 !== null && b0 !== null && b1 !== null && a0 >= 0 && a1 >= 0 && isParallelMotion(a0, a1, b0, b1))
                parallels++;
            }
          }
        }
        const held = new Set([soprano % 12, alto % 12, tenor % 12, bass % 12]);
        const missing = chord.pitchClasses.filter((pc) => !held.has(pc)).length;
        const wide = (soprano - alto > 12 ? 1 : 0) + (alto - tenor > 12 ? 1 : 0);
        // Each rule outweighs all the later ones together (every distance here is under 100 semitones).
        const score =
          outOfRange * 1e9 +
          parallels * 1e8 +
          missing * 1e7 +
          wide * 1e6 +
          Math.abs(bass - bassTarget) * 1e4 +
          (soprano - alto) * 100 +
          (alto - tenor);
        if (score < bestScore) {
          bestScore = score;
          best = { soprano, alto, tenor, bass };
        }
      }
    }
    // A melody too low for three voices under it: keep what fits (the bass alone, or nothing).
    if (bestScore === Infinity && bass >= 0) best = { soprano, alto: null, tenor: null, bass };
  }
  return best;
}

/** Options of `ruleHarmonizer`. */
export interface RuleHarmonizerOptions {
  /** The key; default the key estimated from the melody. */
  key?: Key;
  /** Velocity of the added notes when the melody has velocities; default DEFAULT_VELOCITY. */
  velocity?: number;
}

/**
 * A rule-based four-part harmonizer of the kind a first harmony course teaches, as the bar a model must
 * clear on harmony. For every beat where the melody sounds, it takes the melody note at the beat (the
 * first one sounding in the beat) and:
 * - picks the chord with `chooseChord` (the key's primary triads first, then the secondary ones; a
 *   chromatic note keeps the previous chord);
 * - puts the chord's root in the bass, in the bass range, nearest to the previous bass note;
 * - puts the alto and tenor on the nearest chord tones below the melody, in their ranges and in order,
 *   completing the triad where it can;
 * - as a harmony student would, gives up nearness (and the chord's fifth, if need be) to avoid parallel
 *   fifths and octaves with the previous beat (see `voiceChord` for the order of these rules);
 * - holds every voice for the whole beat, and ties a voice into the next beat when its pitch repeats.
 * Beats where the melody is silent are silent. Throws BaselineError when the melody has no notes.
 */
export function ruleHarmonizer(melody: PianoRoll, options: RuleHarmonizerOptions = {}): PianoRoll {
  const { out, onsets } = emptySatb(melody);
  const key = options.key ?? estimateRollKey(melody, [0]);
  if (!key) {
    throw new BaselineError('The melody has no notes, so there is no key to harmonize it in. Add some notes to the melody first.');
  }
  const velocity = options.velocity ?? DEFAULT_VELOCITY;
  if (!Number.isInteger(velocity) || velocity < 1 || velocity > 127)
    throw new RangeError(`velocity must be a whole number 1..127, got ${velocity}`);
  copyMelody(melody, out, onsets);

  const inTracks = melody.tracks.length;
  const melodyTop = (step: number): number => {
    for (let pitch = PITCHES - 1; pitch >= 0; pitch--) if (melody.active[(step * PITCHES + pitch) * inTracks]) return pitch;
    return -1;
  };
  let chord: HarmonizerChord | null = null;
  // The voices of the previous beat, null after a silent beat (then nothing is tied or compared).
  let previous: Voicing | null = null;
  for (let beatStart = 0; beatStart < melody.steps; beatStart += melody.stepsPerBeat) {
    const beatEnd = Math.min(melody.steps, beatStart + melody.stepsPerBeat);
    let top = -1;
    for (let step = beatStart; step < beatEnd && top < 0; step++) top = melodyTop(step);
    if (top < 0) {
      previous = null;
      continue;
    }
    chord = chooseChord(top % 12, key, chord);
    // The soprano just before the beat, as the parallels count hears it (-1 when it rests there).
    const before = previous && beatStart > 0 ? { ...previous, soprano: melodyTop(beatStart - 1) } : null;
    const voicing = voiceChord(top, chord, before, melodyTop(beatStart));
    const pitches = [voicing.alto, voicing.tenor, voicing.bass];
    const held = previous ? [previous.alto, previous.tenor, previous.bass] : [null, null, null];
    for (let voice = 1; voice <= 3; voice++) {
      const pitch = pitches[voice - 1];
      if (pitch === null) continue;
      for (let step = beatStart; step < beatEnd; step++) out.active[(step * PITCHES + pitch) * 4 + voice] = 1;
      if (held[voice - 1] !== pitch) {
        const onset = (beatStart * PITCHES + pitch) * 4 + voice;
        onsets[onset] = 1;
        if (out.velocities) out.velocities[onset] = velocity;
      }
    }
    previous = voicing;
  }
  return out;
}
