/** The voices and their ranges (src/music/voices.ts) and the intervals between them (src/music/intervals.ts). */
import { describe, expect, it } from 'vitest';
import { CONSONANT_MASK, UPPER_CONSONANT_MASK, intervalClass, isConsonant, isParallelMotion } from '../../src/music/intervals';
import { ACCOMPANIMENT_VOICES, VOICE_LABELS, VOICE_RANGES, VOICES, inVoiceRange, rangePairs, voiceLabel } from '../../src/music/voices';
import { ACCOMPANIMENT_TRACKS, MODEL_TRACKS } from '../../src/music/pianoRoll';

describe('voices', () => {
  it('are the tracks the model writes: the melody on top, one track per accompaniment voice', () => {
    expect(VOICES).toHaveLength(MODEL_TRACKS);
    expect(ACCOMPANIMENT_VOICES).toEqual(VOICES.slice(1));
    expect(ACCOMPANIMENT_VOICES).toHaveLength(ACCOMPANIMENT_TRACKS);
  });

  it('names the four voices top down and gives each its range over the chorales', () => {
    expect(VOICES).toEqual(['soprano', 'alto', 'tenor', 'bass']);
    expect(ACCOMPANIMENT_VOICES).toEqual(VOICES.slice(1));
    expect(VOICE_LABELS).toEqual(['Soprano', 'Alto', 'Tenor', 'Bass']);
    expect(voiceLabel('tenor')).toBe('Tenor');
    expect(rangePairs(VOICES)).toEqual(VOICES.map((v) => [VOICE_RANGES[v].low, VOICE_RANGES[v].high]));
    expect(rangePairs(ACCOMPANIMENT_VOICES)).toEqual(rangePairs(VOICES).slice(1));
    for (const voice of VOICES) {
      const { low, high } = VOICE_RANGES[voice];
      expect(low).toBeLessThan(high);
      expect([inVoiceRange(voice, low - 1), inVoiceRange(voice, low), inVoiceRange(voice, high), inVoiceRange(voice, high + 1)]).toEqual([
        false,
        true,
        true,
        false,
      ]);
    }
  });
});

describe('intervals', () => {
  it('hears thirds, fifths, sixths and octaves as consonant, a 4th only above the bass', () => {
    for (const [interval, consonant] of [
      [0, true],
      [1, false],
      [2, false],
      [3, true],
      [4, true],
      [5, false],
      [6, false],
      [7, true],
      [8, true],
      [9, true],
      [10, false],
      [11, false],
    ] as const) {
      expect(isConsonant(60, 60 + interval, false), `${interval}`).toBe(consonant);
      expect(isConsonant(60 + interval + 12, 60, false), `${interval} + an octave, upper first`).toBe(consonant);
      expect(isConsonant(60, 60 + interval, true), `${interval} above the bass`).toBe(consonant || interval === 5);
    }
    expect(UPPER_CONSONANT_MASK).toBe(CONSONANT_MASK | (1 << 5));
    expect(intervalClass(67, 60)).toBe(intervalClass(60, 67));
  });

  it('tells parallel fifths and octaves from other motion', () => {
    expect(isParallelMotion(67, 69, 60, 62)).toBe(true); // G/C -> A/D
    expect(isParallelMotion(72, 74, 60, 62)).toBe(true); // octaves
    expect(isParallelMotion(67, 72, 60, 53)).toBe(false); // contrary motion
    expect(isParallelMotion(67, 67, 60, 60)).toBe(false); // no motion
    expect(isParallelMotion(67, 74, 60, 62)).toBe(false); // fifth to octave
  });
});
