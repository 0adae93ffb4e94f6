/** Inputs of the decoding tests: the generator's raw scores as seeded noise, and melody lines. Pure data, no backend. */
import { PITCHES } from '../../src/music/pianoRoll';
import { createUniform } from '../../src/music/random';

/** Tracks of the scores the decodings read: the melody and three accompaniment tracks. */
export const TRACKS = 4;

/** Scores [steps, 128, 4] of uniform noise in [-1, 1] from `seed` (track 0 unused by the decoders). */
export function noiseScores(steps: number, seed: number): Float32Array {
  const uniform = createUniform(seed);
  return Float32Array.from({ length: steps * PITCHES * TRACKS }, () => uniform() * 2 - 1);
}

/** A melody line: pitch per step (-1 for a rest), each pitch held `stepsEach` steps. */
export function line(pitches: number[], stepsEach: number): Int16Array {
  return Int16Array.from(pitches.flatMap((p) => new Array<number>(stepsEach).fill(p)));
}
