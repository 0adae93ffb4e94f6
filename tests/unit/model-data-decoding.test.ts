import { describe, expect, it } from 'vitest';

import { BAR_POSITIONS, measureDataProfile, type DataProfile, type TrackProfile } from '../../src/music/dataProfile';
import { decodeForData, quantile } from '../../src/model/generate/dataDecoding';
import { decodeModeFor, decodeVoices } from '../../src/model/generate/decoding';
import { placeInUserRegister } from '../../src/model/generate/placement';
import { intoModelRegister } from '../../src/model/generate/scores';
import { DEFAULT_GENERATION_OPTIONS } from '../../src/protocol/generation';
import { noiseScores } from './decode-fixtures';
import { melodyRoll } from './model-fixtures';

const flat = (value: number) => new Array<number>(BAR_POSITIONS).fill(value);

const track = (over: Partial<TrackProfile>): TrackProfile => ({
  name: 'Track',
  program: 0,
  isDrum: false,
  low: 40,
  high: 64,
  restRate: 0,
  polyphony: 1,
  noteSteps: 4,
  onsets: flat(1 / BAR_POSITIONS),
  drumKeys: [],
  ...over,
});

describe('quantile', () => {
  it('cuts between the values so that the asked share lies below', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3], 0)).toBe(-Infinity);
    expect(quantile([1, 2, 3], 1)).toBe(Infinity);
  });
});

describe('the data decoding', () => {
  const steps = 64;
  const melody = melodyRoll(steps, 72);
  const profile: DataProfile = {
    kind: 'own',
    melody: { low: 60, high: 84 },
    tracks: [
      // Block chords of three on beats 2 and 4, a quarter note each.
      track({
        name: 'Piano',
        low: 48,
        high: 67,
        polyphony: 3,
        noteSteps: 4,
        restRate: 0.5,
        onsets: flat(0).map((_, i) => (i === 4 || i === 12 ? 0.5 : 0)),
      }),
      // An 8th-note bass on beats 1 and 3, resting between.
      track({
        name: 'Bass',
        program: 33,
        low: 33,
        high: 48,
        noteSteps: 2,
        restRate: 0.75,
        onsets: flat(0).map((_, i) => (i % 8 === 0 ? 0.5 : 0)),
      }),
      // Kick on 1 and 3.
      track({
        name: 'Drums',
        isDrum: true,
        drumKeys: [{ pitch: 36, hitRate: 2 / 16, pattern: flat(0).map((_, i) => (i % 8 === 0 ? 1 : 0)) }],
      }),
    ],
  };

  it('writes the rests, chords, ranges, rhythm and drums of its data', () => {
    const input = intoModelRegister(melody, profile.melody);
    const candidate = decodeForData(noiseScores(steps, 5), input, 5, profile);
    const roll = placeInUserRegister(candidate, input, profile.tracks);
    expect(roll.tracks.map((t) => [t.name, t.program, t.isDrum])).toEqual([
      ['Melody', 73, false],
      ['Piano', 0, false],
      ['Bass', 33, false],
      ['Drums', 0, true],
    ]);
    const measured = measureDataProfile([roll], 'own');
    const [piano, bass, drums] = measured.tracks;
    // Under scores of pure noise, the rhythm bonus puts most notes where the data has them.
    expect(piano.restRate).toBeCloseTo(0.5, 1);
    expect(piano.polyphony).toBe(3);
    expect(piano.onsets[4] + piano.onsets[12]).toBeGreaterThanOrEqual(0.75);
    expect(piano.low).toBeGreaterThanOrEqual(48);
    expect(piano.high).toBeLessThanOrEqual(67);
    expect(bass.restRate).toBeCloseTo(0.75, 1);
    expect(bass.noteSteps).toBe(2);
    expect(bass.low).toBeGreaterThanOrEqual(33);
    expect(bass.high).toBeLessThanOrEqual(48);
    expect(drums.drumKeys.map((k) => k.pitch)).toEqual([36]);
    expect(drums.drumKeys[0].hitRate).toBeCloseTo(2 / 16, 2);
  });

  it("is what 'auto' picks for a model of own data, and 'chorale' stays a chorale model's", () => {
    expect(decodeModeFor('auto', profile)).toBe('data');
    expect(decodeModeFor('auto', null)).toBe('chorale');
    expect(decodeModeFor('single', profile)).toBe('single');
    const input = intoModelRegister(melody);
    const scores = noiseScores(steps, 9);
    const auto = decodeVoices(scores, input, 9, DEFAULT_GENERATION_OPTIONS, null);
    const chorale = decodeVoices(scores, input, 9, { ...DEFAULT_GENERATION_OPTIONS, decodeMode: 'chorale' }, null);
    expect(auto.voices).toEqual(chorale.voices);
    expect(() => decodeVoices(scores, input, 9, { ...DEFAULT_GENERATION_OPTIONS, decodeMode: 'data' }, null)).toThrow(/own MIDI files/);
  });
});
