/** Which pitch sets src/music/chords.ts hears as a chord, and which chord (the decoding, the chord rate and the chord symbols all ask it). */
import { ChordType } from '@tonaljs/tonal';
import { describe, expect, it } from 'vitest';
import { CHORD_QUALITIES, chordHeard, chordOf, chordOfMask, isChord, isChordMask, pitchClassMask } from '../../src/music/chords';

describe('chords', () => {
  /** By pitch class, as the chord rate asks. */
  const isChordClasses = (pitchClasses: number[]): boolean => isChordMask(pitchClassMask(pitchClasses));
  const SHAPES = [
    [0, 4, 7],
    [0, 3, 7],
    [0, 3, 6],
    [0, 4, 8],
    [0, 4, 7, 10],
    [0, 4, 7, 11],
    [0, 3, 7, 10],
    [0, 3, 6, 10],
    [0, 3, 6, 9],
  ];

  it('accepts complete triads and seventh chords on every root', () => {
    for (const shape of SHAPES) {
      for (let root = 0; root < 12; root++) expect(isChordClasses(shape.map((i) => root + i)), `${shape} on ${root}`).toBe(true);
    }
  });

  it('hears pitches in any octave, doubled or not, by their pitch classes', () => {
    expect(isChord([60, 64, 67, 48])).toBe(true); // C major, doubled root
    expect(isChord([57, 60, 64])).toBe(true); // A minor
    expect(isChord([59, 62, 65, 68])).toBe(true); // diminished seventh
    expect(isChord([60, 64, 72])).toBe(true); // root and third: an incomplete triad
    expect(isChord([55, 65, 71])).toBe(true); // G7 without its fifth
    expect(isChord([60, 67, 72, 48])).toBe(false); // a bare fifth
    expect(isChord([60, 72, 48])).toBe(false); // a unison
    expect(isChord([60, 62, 64])).toBe(false); // a cluster
    expect(isChord([60, 61, 67])).toBe(false);
    expect(pitchClassMask([60, 72])).toBe(1);
    expect(() => isChordMask(4096)).toThrow(RangeError);
  });

  it('accepts an incomplete chord that keeps its third', () => {
    expect(isChordClasses([0, 4])).toBe(true); // C-E: a C major chord without its fifth
    expect(isChordClasses([4, 7])).toBe(true); // E-G: C major without its root
    expect(isChordClasses([0, 4, 10])).toBe(true); // C-E-Bb: C7 without its fifth
    expect(isChordClasses([7, 11, 5])).toBe(true); // G-B-F: G7 without its fifth
  });

  it('refuses a unison, a bare fifth, a second, a tritone and a suspended chord', () => {
    expect(isChordClasses([0])).toBe(false);
    expect(isChordClasses([0, 7])).toBe(false); // not the third and seventh of Am7: the root or fifth must be there too
    expect(isChordClasses([0, 2])).toBe(false);
    expect(isChordClasses([0, 6])).toBe(false);
    expect(isChordClasses([0, 2, 7])).toBe(false);
    expect(isChordClasses([0, 5, 7])).toBe(false);
    expect(isChordMask(0)).toBe(false);
  });
});

describe('chord identification', () => {
  it('names a chord exactly where isChordMask hears one, for every pitch-class set', () => {
    for (let mask = 0; mask < 4096; mask++) {
      const bass = mask ? Math.log2(mask & -mask) : 0;
      expect(chordOfMask(mask, bass) !== null).toBe(isChordMask(mask));
    }
  });

  it('keeps the chord shapes that Tonal knows under the same names', () => {
    for (const quality of CHORD_QUALITIES) {
      const semitones = ChordType.get(quality.tonalType).chroma;
      const mask = quality.shape.reduce((m, s) => m | (1 << s), 0);
      // Tonal's chroma is a 12-character string, C first.
      expect([...semitones].map((c, i) => (c === '1' ? 1 << i : 0)).reduce((a, b) => a | b, 0)).toBe(mask);
    }
  });

  it('finds the root and bass of complete, incomplete and inverted chords', () => {
    expect(chordOf([48, 64, 67, 72])).toEqual({ root: 0, quality: 0, bass: 0 });
    expect(chordOf([47, 55, 62, 65])).toEqual({ root: 7, quality: 4, bass: 11 }); // G7/B
    expect(chordOf([43, 59, 65])).toEqual({ root: 7, quality: 4, bass: 7 }); // G7 without its fifth
    expect(chordOf([57, 60, 64, 67])?.root).toBe(9); // A minor seventh, not C major with an added 6th
    expect(chordOf([60, 67])).toBeNull();
  });

  it('hears a chord under one upper non-chord tone on the beat (a suspension or appoggiatura)', () => {
    expect(chordHeard([48, 52, 55, 62])).toEqual({ root: 0, quality: 0, bass: 0 }); // C major under a D
    expect(chordHeard([48, 55, 64])).toEqual({ root: 0, quality: 0, bass: 0 }); // a chord of its own
    expect(chordHeard([60, 62])).toBeNull();
    expect(chordHeard([])).toBeNull();
  });
});
