/**
 * Chord recognition on pitch-class sets, for the chord rate of src/music/metrics.ts: is this set of pitch
 * classes a triad or a seventh chord, complete or incomplete with its third?
 */

/** A chord type: its name and its intervals above the root, root first and third second. */
export interface ChordType {
  name: string;
  intervals: readonly number[];
}

/** The chords a four-part harmony is made of: the four triads and the five common seventh chords. */
export const CHORD_TYPES: readonly ChordType[] = [
  { name: 'major', intervals: [0, 4, 7] },
  { name: 'minor', intervals: [0, 3, 7] },
  { name: 'diminished', intervals: [0, 3, 6] },
  { name: 'augmented', intervals: [0, 4, 8] },
  { name: 'dominant seventh', intervals: [0, 4, 7, 10] },
  { name: 'major seventh', intervals: [0, 4, 7, 11] },
  { name: 'minor seventh', intervals: [0, 3, 7, 10] },
  { name: 'half-diminished seventh', intervals: [0, 3, 6, 10] },
  { name: 'diminished seventh', intervals: [0, 3, 6, 9] },
];

/** A set of pitch classes as a 12-bit mask (bit `pc` set when pitch class `pc` is in the set). */
export function pitchClassMask(pitchClasses: Iterable<number>): number {
  let mask = 0;
  for (const pc of pitchClasses) mask |= 1 << (((pc % 12) + 12) % 12);
  return mask;
}

/**
 * CHORD_MASKS[mask] is 1 when the pitch-class set `mask` (2 or more pitch classes) lies inside one of
 * CHORD_TYPES on some root AND holds that chord's root and third. The root is required as well as the
 * third because otherwise a bare fifth would pass as the third and seventh of a seventh chord (C-G inside
 * A-C-E-G); with it, a bare fifth and a unison never count, while a root and its third (C-E), a triad
 * without its fifth plus a seventh (C-E-Bb) and every complete chord do.
 */
const CHORD_MASKS: Uint8Array = (() => {
  const table = new Uint8Array(1 << 12);
  for (const type of CHORD_TYPES) {
    for (let root = 0; root < 12; root++) {
      const full = pitchClassMask(type.intervals.map((i) => root + i));
      const required = pitchClassMask([root, root + type.intervals[1]]);
      // Every subset of the chord that keeps root and third: the required bits plus any of the others.
      const optional = full & ~required;
      for (let extra = optional; ; extra = (extra - 1) & optional) {
        table[required | extra] = 1;
        if (extra === 0) break;
      }
    }
  }
  return table;
})();

/** Whether a pitch-class set (12-bit mask) is a triad or seventh chord, complete or with root and third (see CHORD_TYPES). */
export function isChord(mask: number): boolean {
  if (!Number.isInteger(mask) || mask < 0 || mask >= 1 << 12) throw new RangeError(`a pitch-class mask is a whole number 0..4095, got ${mask}`);
  return CHORD_MASKS[mask] === 1;
}
