/**
 * Naive accompaniments for the evaluation report: the bars a trained model has to clear. Each takes a
 * melody (track 0 of the given roll; other tracks are ignored) and returns a new 4-track roll, soprano
 * (the melody, unchanged), alto, tenor, bass. Inputs are never modified.
 */
import { MusicInputError } from './errors';
import { estimateRollKey, scalePitchClasses, type Key } from './keys';
import { PITCHES, createRoll, type PianoRoll, type TrackInfo, sameGrid } from './pianoRoll';
import { createUniform } from './random';

/** Pitch ranges (MIDI, inclusive) of the lower voices, as in the JSB chorales. */
export const VOICE_RANGES = {
  alto: { low: 52, high: 74 },
  tenor: { low: 46, high: 69 },
  bass: { low: 36, high: 66 },
} as const;

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
  return [
    { ...soprano },
    { name: 'Alto', program, isDrum: false },
    { name: 'Tenor', program, isDrum: false },
    { name: 'Bass', program, isDrum: false },
  ];
}

/** A new SATB roll shaped like the melody, and its onsets (always present). */
function emptySatb(melody: PianoRoll): { out: PianoRoll; onsets: Uint8Array } {
  if (melody.tracks.length === 0) throw new RangeError('a melody roll needs at least one track');
  const expected = melody.steps * PITCHES * melody.tracks.length;
  if (melody.active.length !== expected) throw new RangeError(`a roll of ${melody.steps} steps and ${melody.tracks.length} tracks needs ${expected} cells, got ${melody.active.length}`);
  const out = createRoll(melody.steps, satbTracks(melody), {
    ...sameGrid(melody),
    withOnsets: false,
    withVelocities: melody.velocities !== null,
  });
  const onsets = new Uint8Array(out.active.length);
  out.onsets = onsets;
  return { out, onsets };
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
  /** Velocity of the drawn notes when the melody has velocities; default 80. */
  velocity?: number;
}

/**
 * Random accompaniment: for every beat, the alto, tenor and bass each start a new note drawn uniformly from
 * the pitches of the key's scale within their VOICE_RANGES, held for the beat. The same seed gives the
 * same roll. Throws BaselineError when the melody has no notes (there is no key to draw from).
 */
export function randomInKey(melody: PianoRoll, seed: number, options: RandomInKeyOptions = {}): PianoRoll {
  const { out, onsets } = emptySatb(melody);
  const inTracks = melody.tracks.length;
  const key = options.key ?? estimateRollKey(melody, [0]);
  if (!key) {
    throw new BaselineError('The melody has no notes, so there is no key to choose accompaniment notes from. Add some notes to the melody first.');
  }
  const velocity = options.velocity ?? 80;
  if (!Number.isInteger(velocity) || velocity < 1 || velocity > 127) throw new RangeError(`velocity must be a whole number 1..127, got ${velocity}`);

  // Copy the melody as soprano, onsets included.
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

  const inKey = new Set(scalePitchClasses(key));
  const ranges = [VOICE_RANGES.alto, VOICE_RANGES.tenor, VOICE_RANGES.bass];
  const choices = ranges.map(({ low, high }) => {
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
