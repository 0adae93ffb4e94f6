/** Spelling in a key (src/music/spelling.ts) and the chord symbols and Roman numerals of a roll (harmony.ts). */
import { describe, expect, it } from 'vitest';
import { Chord } from '@tonaljs/tonal';
import { analyzeHarmony, chordSymbol, romanNumeral } from '../../src/music/harmony';
import { displayName, keyFifths, keyName, pitchClassName, pitchName, pitchOfName, spellPitch } from '../../src/music/spelling';
import type { Key } from '../../src/music/keys';
import { note, roll } from './music-fixtures';

const C_MAJOR: Key = { tonic: 0, mode: 'major' };
const A_MINOR: Key = { tonic: 9, mode: 'minor' };

/** A four-voice roll of whole-beat chords: each entry is [soprano, alto, tenor, bass] for one beat. */
function chorale(beats: number[][], beatSteps = 4): ReturnType<typeof roll> {
  const r = roll(beats.length * beatSteps, 4);
  beats.forEach((chord, b) => chord.forEach((pitch, voice) => note(r, voice, pitch, b * beatSteps, beatSteps)));
  return r;
}

describe('spelling in a key', () => {
  it('spells sharps in sharp keys and flats in flat keys', () => {
    expect(spellPitch(66, { tonic: 7, mode: 'major' })).toEqual({ step: 'F', alter: 1, octave: 4 });
    expect(spellPitch(66, { tonic: 1, mode: 'major' })).toEqual({ step: 'G', alter: -1, octave: 4 });
    expect(spellPitch(59, { tonic: 6, mode: 'major' })).toEqual({ step: 'B', alter: 0, octave: 3 });
    expect(spellPitch(71, { tonic: 6, mode: 'minor' })).toEqual({ step: 'B', alter: 0, octave: 4 });
    expect(pitchClassName(8, A_MINOR)).toBe('G#'); // the leading tone
    expect(pitchClassName(10, C_MAJOR)).toBe('Bb');
    expect(pitchClassName(6, C_MAJOR)).toBe('F#');
    expect(displayName('F#dim/Bb')).toBe('F♯dim/B♭');
  });

  it('names pitches as a keyboard does, with sharps, and keys by their usual spelling', () => {
    expect([60, 61, 70, 0, 127].map(pitchName)).toEqual(['C4', 'C♯4', 'A♯4', 'C-1', 'G9']);
    // And back, as the piano samples' files name their notes.
    expect(['C4', 'D#4', 'Eb4', 'A0', 'C8'].map(pitchOfName)).toEqual([60, 63, 63, 21, 108]);
    for (const bad of ['C', 'H2', '']) expect(() => pitchOfName(bad)).toThrow(RangeError);
    expect(keyName({ tonic: 6, mode: 'major' })).toBe('F# major');
    expect(keyName({ tonic: 3, mode: 'minor' })).toBe('Eb minor');
    expect(keyName({ tonic: 1, mode: 'minor' })).toBe('C# minor');
  });

  it('gives each key its signature', () => {
    expect(keyFifths({ tonic: 7, mode: 'major' })).toBe(1);
    expect(keyFifths({ tonic: 5, mode: 'major' })).toBe(-1);
    expect(keyFifths({ tonic: 0, mode: 'minor' })).toBe(-3);
    expect(keyFifths({ tonic: 4, mode: 'minor' })).toBe(1);
  });
});

describe('chord symbols and Roman numerals', () => {
  it('names a I-IV-V7-I cadence in C major', () => {
    const r = chorale([
      [72, 67, 64, 48],
      [72, 69, 65, 53],
      [71, 65, 62, 55],
      [72, 64, 55, 48],
    ]);
    const spans = analyzeHarmony(r, C_MAJOR);
    expect(spans.map((s) => s.symbol)).toEqual(['C', 'F', 'G7', 'C']);
    expect(spans.map((s) => s.roman)).toEqual(['I', 'IV', 'V7', 'I']);
    // Tonal reads each symbol back as the same notes.
    expect(Chord.get(spans[2].symbol).notes).toEqual(['G', 'B', 'D', 'F']);
  });

  it('names a minor-key progression with its raised leading tone', () => {
    const r = chorale([
      [69, 64, 60, 45],
      [69, 65, 62, 50],
      [68, 64, 59, 52],
      [69, 64, 60, 45],
    ]);
    const spans = analyzeHarmony(r, A_MINOR);
    expect(spans.map((s) => s.symbol)).toEqual(['Am', 'Dm', 'E', 'Am']);
    expect(spans.map((s) => s.roman)).toEqual(['i', 'iv', 'V', 'i']);
  });

  it('names inversions by their bass: a slash chord and a figure', () => {
    const r = chorale([
      [72, 67, 64, 48],
      [74, 67, 65, 59],
      [72, 67, 64, 52],
    ]);
    const spans = analyzeHarmony(r, C_MAJOR);
    expect(spans.map((s) => s.symbol)).toEqual(['C', 'G7/B', 'C/E']);
    expect(spans.map((s) => s.roman)).toEqual(['I', 'V65', 'I6']);
    expect(Chord.detect(['B', 'D', 'F', 'G'])).toContain('G7/B');
  });

  it('does not name a passing or a neighbour note between the beats as a new chord', () => {
    const r = roll(16, 4);
    // C major held over two beats while the soprano passes E-F-G and the alto moves to a neighbour and back.
    note(r, 0, 64, 0, 2);
    note(r, 0, 65, 2, 2);
    note(r, 0, 67, 4, 4);
    note(r, 1, 60, 0, 2);
    note(r, 1, 62, 2, 2);
    note(r, 1, 60, 4, 4);
    note(r, 2, 55, 0, 8);
    note(r, 3, 48, 0, 8);
    note(r, 0, 67, 8, 8);
    note(r, 1, 62, 8, 8);
    note(r, 2, 59, 8, 8);
    note(r, 3, 43, 8, 8);
    const spans = analyzeHarmony(r, C_MAJOR);
    expect(spans.map((s) => [s.symbol, s.startStep, s.steps])).toEqual([
      ['C', 0, 8],
      ['G', 8, 8],
    ]);
  });

  it('spells chord roots in the key', () => {
    const g = { tonic: 7, mode: 'major' } as const;
    expect(chordSymbol({ root: 6, quality: 2, bass: 6 }, g)).toBe('F#dim');
    expect(romanNumeral({ root: 6, quality: 2, bass: 6 }, g)).toBe('vii°');
    expect(chordSymbol({ root: 10, quality: 0, bass: 10 }, C_MAJOR)).toBe('Bb');
    expect(romanNumeral({ root: 10, quality: 0, bass: 10 }, C_MAJOR)).toBe('♭VII');
    expect(romanNumeral({ root: 7, quality: 4, bass: 5 }, C_MAJOR)).toBe('V42');
  });
});
