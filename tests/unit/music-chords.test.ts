/** Which pitch sets src/music/chords.ts hears as a chord (the decoding and the chord rate both ask it). */
import { describe, expect, it } from 'vitest';
import { isChord, isChordMask, pitchClassMask } from '../../src/music/chords';

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
