/**
 * Which sets of pitch classes a listener hears as a chord: the triads (major, minor, diminished, augmented)
 * and seventh chords (dominant, major, minor, half-diminished, diminished) of common-practice harmony,
 * complete or incomplete as long as the chord's third and its root or fifth are there (so a seventh chord
 * missing both root and fifth does not make a bare fifth a "chord"). A bare fifth, a unison or a cluster is
 * not a chord. Sets are 12-bit masks, bit `pc` for pitch class `pc` (0 = C).
 */

/** Chord shapes as semitones above the root; index 1 is always the third, index 2 the fifth. */
const CHORD_SHAPES: readonly (readonly number[])[] = [
  [0, 4, 7], // major
  [0, 3, 7], // minor
  [0, 3, 6], // diminished
  [0, 4, 8], // augmented
  [0, 4, 7, 10], // dominant seventh
  [0, 4, 7, 11], // major seventh
  [0, 3, 7, 10], // minor seventh
  [0, 3, 6, 10], // half-diminished seventh
  [0, 3, 6, 9], // diminished seventh
];

function maskOf(pitchClasses: readonly number[]): number {
  return pitchClasses.reduce((mask, pc) => mask | (1 << (((pc % 12) + 12) % 12)), 0);
}

/** CHORD_TABLE[mask] = 1 when the pitch-class set `mask` is a chord (see the file comment). */
const CHORD_TABLE: Uint8Array = (() => {
  const table = new Uint8Array(4096);
  for (const shape of CHORD_SHAPES) {
    for (let root = 0; root < 12; root++) {
      const full = maskOf(shape.map((interval) => root + interval));
      const third = 1 << ((root + shape[1]) % 12);
      const rootOrFifth = (1 << root) | (1 << ((root + shape[2]) % 12));
      // Every subset of the chord that keeps its third and its root or fifth.
      for (let subset = full; subset > 0; subset = (subset - 1) & full) {
        if (subset & third && subset & rootOrFifth) table[subset] = 1;
      }
    }
  }
  return table;
})();

/** Whether the pitch-class set `mask` (12 bits) is a triad or seventh chord, complete or with its third. */
export function isChordMask(mask: number): boolean {
  if (!Number.isInteger(mask) || mask < 0 || mask > 4095) throw new RangeError(`a pitch-class mask has 12 bits, got ${mask}`);
  return CHORD_TABLE[mask] === 1;
}

/** Whether the MIDI pitches sound as a chord together (octaves and doublings do not matter). */
export function isChord(pitches: readonly number[]): boolean {
  return isChordMask(maskOf(pitches));
}

/** The 12-bit pitch-class mask of MIDI pitches. */
export function pitchClassMask(pitches: readonly number[]): number {
  return maskOf(pitches);
}
