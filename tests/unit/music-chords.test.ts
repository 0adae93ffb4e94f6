/** Which pitch sets src/music/chords.ts hears as a chord (the decoding and the chord rate both ask it). */
import { describe, expect, it } from 'vitest';
import { isChord, isChordMask, pitchClassMask } from '../../src/music/chords';

describe('chords', () => {
  it('hears triads and seventh chords, complete or with their third, and nothing else', () => {
    expect(isChord([60, 64, 67, 48])).toBe(true); // C major, doubled root
    expect(isChord([57, 60, 64])).toBe(true); // A minor
    expect(isChord([59, 62, 65])).toBe(true); // B diminished
    expect(isChord([60, 64, 68])).toBe(true); // augmented
    expect(isChord([55, 59, 62, 65])).toBe(true); // G7
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
});
