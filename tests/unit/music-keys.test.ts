import { describe, expect, it } from 'vitest';
import { estimateKey, estimateRollKey, isInScale, pitchClassHistogram, scalePitchClasses } from '../../src/music/keys';
import { keyName } from '../../src/music/spelling';
import { C4, note, quarterMelody, roll } from './music-fixtures';

describe('key estimation', () => {
  it('finds C major in a C major scale', () => {
    expect(estimateRollKey(quarterMelody([60, 62, 64, 65, 67, 69, 71, 72]))).toEqual({ tonic: 0, mode: 'major' });
  });

  it('finds A minor in an A minor tune with its leading tone', () => {
    // A B C B A G# A E | C B A E A (tonic-heavy, as a minor-key tune is).
    const key = estimateRollKey(quarterMelody([69, 71, 72, 71, 69, 68, 69, 64, 72, 71, 69, 64, 69, 69]));
    expect(key && keyName(key)).toBe('A minor');
  });

  it('follows a transposition', () => {
    const r = quarterMelody([66, 68, 70, 71, 73, 75, 77, 78]);
    expect(keyName(estimateRollKey(r)!)).toBe('F# major');
    const minor = quarterMelody([69, 71, 72, 71, 69, 68, 69, 64, 72, 71, 69, 64, 69, 69].map((p) => p - 9));
    expect(keyName(estimateRollKey(minor)!)).toBe('C minor');
  });

  it('gives no key for silence or a flat chromatic histogram', () => {
    expect(estimateRollKey(roll(16, 1))).toBeNull();
    expect(estimateKey(new Array(12).fill(3))).toBeNull();
    expect(() => estimateKey([1, 2, 3])).toThrow(RangeError);
  });

  it('weights the histogram by duration and by the chosen tracks', () => {
    const r = roll(16, 2);
    note(r, 0, C4, 0, 8);
    note(r, 1, C4 + 7, 0, 3);
    expect(Array.from(pitchClassHistogram(r))).toEqual([8, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0]);
    expect(pitchClassHistogram(r, [1])[7]).toBe(3);
    expect(pitchClassHistogram(r, [1])[0]).toBe(0);
  });

  it('builds major and minor scales', () => {
    expect(scalePitchClasses({ tonic: 0, mode: 'major' })).toEqual([0, 2, 4, 5, 7, 9, 11]);
    expect(scalePitchClasses({ tonic: 9, mode: 'minor' })).toEqual([9, 11, 0, 2, 4, 5, 7, 8]);
    expect(isInScale({ tonic: 7, mode: 'major' }, 66)).toBe(true);
    expect(isInScale({ tonic: 0, mode: 'major' }, 66)).toBe(false);
    expect(keyName({ tonic: 3, mode: 'major' })).toBe('Eb major');
  });
});
