/**
 * Which sets of pitch classes a listener hears as a chord: the triads (major, minor, diminished, augmented)
 * and seventh chords (dominant, major, minor, half-diminished, diminished) of common-practice harmony,
 * complete or incomplete as long as the chord's third and its root or fifth are there (so a seventh chord
 * missing both root and fifth does not make a bare fifth a "chord"). A bare fifth, a unison or a cluster is
 * not a chord. Sets are 12-bit masks, bit `pc` for pitch class `pc` (0 = C).
 */

/** A chord quality: its shape as semitones above the root, its name in Tonal's chord dictionary, and the suffix of its symbol. */
export interface ChordQuality {
  /** Semitones above the root; index 1 is always the third, index 2 the fifth. */
  shape: readonly number[];
  /** The chord type's name in @tonaljs/chord-type ("M", "m7b5", ...). */
  tonalType: string;
  /** What follows the root in a chord symbol ("" for major, "m", "7", "dim"...). */
  suffix: string;
}

/** Every chord quality Cantus knows, triads first: the one list the decoder, the metrics and the chord symbols share. */
export const CHORD_QUALITIES: readonly ChordQuality[] = [
  { shape: [0, 4, 7], tonalType: 'M', suffix: '' },
  { shape: [0, 3, 7], tonalType: 'm', suffix: 'm' },
  { shape: [0, 3, 6], tonalType: 'dim', suffix: 'dim' },
  { shape: [0, 4, 8], tonalType: 'aug', suffix: 'aug' },
  { shape: [0, 4, 7, 10], tonalType: '7', suffix: '7' },
  { shape: [0, 4, 7, 11], tonalType: 'maj7', suffix: 'maj7' },
  { shape: [0, 3, 7, 10], tonalType: 'm7', suffix: 'm7' },
  { shape: [0, 3, 6, 10], tonalType: 'm7b5', suffix: 'm7b5' },
  { shape: [0, 3, 6, 9], tonalType: 'dim7', suffix: 'dim7' },
];

/** The 12-bit pitch-class mask of MIDI pitches or pitch classes. */
export function pitchClassMask(pitches: readonly number[]): number {
  return pitches.reduce((mask, pitch) => mask | (1 << (((pitch % 12) + 12) % 12)), 0);
}

/** A chord of one quality on one root, as masks: all its tones, its third, and its root and fifth. */
function chordMasks(shape: readonly number[], root: number): { full: number; third: number; rootOrFifth: number } {
  return {
    full: pitchClassMask(shape.map((interval) => root + interval)),
    third: 1 << ((root + shape[1]) % 12),
    rootOrFifth: (1 << root) | (1 << ((root + shape[2]) % 12)),
  };
}

/** The one test of a reading: `mask` lies inside the chord and holds its third and its root or fifth. */
function readsAs(mask: number, chord: { full: number; third: number; rootOrFifth: number }): boolean {
  return (mask & chord.full) === mask && (mask & chord.third) !== 0 && (mask & chord.rootOrFifth) !== 0;
}

/** CHORD_TABLE[mask] = 1 when the pitch-class set `mask` reads as some chord (see the file comment). */
const CHORD_TABLE: Uint8Array = (() => {
  const table = new Uint8Array(4096);
  for (const { shape } of CHORD_QUALITIES) {
    for (let root = 0; root < 12; root++) {
      const chord = chordMasks(shape, root);
      for (let subset = chord.full; subset > 0; subset = (subset - 1) & chord.full) if (readsAs(subset, chord)) table[subset] = 1;
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
  return isChordMask(pitchClassMask(pitches));
}

/** The number of pitch classes in a 12-bit mask. */
export function bitCount(mask: number): number {
  let count = 0;
  for (let rest = mask; rest; rest &= rest - 1) count++;
  return count;
}

/** A chord heard in a set of pitch classes: its root, its quality (an index into CHORD_QUALITIES) and its bass. */
export interface ChordId {
  root: number;
  quality: number;
  /** The pitch class in the bass (may be any chord tone: an inversion). */
  bass: number;
}

/**
 * The chord a pitch-class set is heard as, or null where `isChordMask` says it is no chord. Where the set fits
 * several chords (an incomplete or symmetric one), the reading with fewer of its tones missing wins, then one
 * whose root sounds, then one whose root is in the bass, then a triad over a seventh chord.
 */
export function chordOfMask(mask: number, bass: number): ChordId | null {
  if (!isChordMask(mask)) return null;
  let best: ChordId | null = null;
  let bestScore = -Infinity;
  CHORD_QUALITIES.forEach(({ shape }, quality) => {
    for (let root = 0; root < 12; root++) {
      if (!readsAs(mask, chordMasks(shape, root))) continue;
      const missing = shape.length - bitCount(mask);
      const score = -missing * 8 + (mask & (1 << root) ? 4 : 0) + (root === bass ? 2 : 0) + (shape.length === 3 ? 1 : 0);
      if (score > bestScore) {
        bestScore = score;
        best = { root, quality, bass: ((bass % 12) + 12) % 12 };
      }
    }
  });
  return best;
}

/** The chord that MIDI pitches sound together (the lowest is the bass), or null. */
export function chordOf(pitches: readonly number[]): ChordId | null {
  if (pitches.length === 0) return null;
  return chordOfMask(pitchClassMask(pitches), Math.min(...pitches) % 12);
}

/**
 * The chord heard in pitches sounding together (the lowest is the bass, `pitches` ascending): their own chord,
 * or else the chord of them less one upper tone (a suspension or appoggiatura), the highest such tone first.
 */
export function chordHeard(pitches: readonly number[]): ChordId | null {
  if (pitches.length === 0) return null;
  const bass = pitches[0] % 12;
  const whole = chordOfMask(pitchClassMask(pitches), bass);
  if (whole) return whole;
  for (let skip = pitches.length - 1; skip >= 1; skip--) {
    const rest = pitches.filter((p, i) => i !== skip && p % 12 !== pitches[skip] % 12);
    const chord = chordOfMask(pitchClassMask(rest), bass);
    if (chord) return chord;
  }
  return null;
}
