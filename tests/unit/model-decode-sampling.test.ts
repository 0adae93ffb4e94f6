import { describe, expect, it } from 'vitest';
import { DEFAULT_DECODE_OPTIONS, LEARNED_DECODE_OPTIONS, decodeChorale } from '../../src/model/decode';
import { ACCOMPANIMENT_VOICES, rangePairs } from '../../src/music/voices';
import { generationOptionsFromFlags } from '../../scripts/lib/generationFlags';
import { decodeWeightsOf } from '../../src/model/generate/decoding';
import { bestPath, samplePath, type Lattice } from '../../src/model/lattice';
import { addOrnaments } from '../../src/model/ornaments';
import { createUniform } from '../../src/music/random';
import { fitVoiceStatistics, MAX_INTERVAL, MAX_ORNAMENT } from '../../src/music/voiceStatistics';
import type { JsbChorale } from '../../src/music/jsb';
import bachStatistics from '../../src/model/bachStatistics.json';
import { jsbDataset } from './music-fixtures';
import { line, noiseScores, TRACKS } from './decode-fixtures';

const RANGES = rangePairs(ACCOMPANIMENT_VOICES);

/** Two slots of two states: emissions and a transition table [i][j]. */
function tinyLattice(): Lattice {
  const trans = [
    [0, -1],
    [-2, 0.5],
  ];
  return { slots: 2, states: 2, emission: Float32Array.from([0, -0.5, 0.3, 0]), transition: (_s, i, j) => trans[i][j] };
}

describe('best and sampled paths', () => {
  it('finds the best path, and samples paths as often as exp(score / temperature) says', () => {
    const lattice = tinyLattice();
    const score = (i: number, j: number) => lattice.emission[i] + lattice.emission[2 + j] + lattice.transition(1, i, j);
    const scores = [0, 1, 2, 3].map((p) => score(p >> 1, p & 1));
    const best = scores.indexOf(Math.max(...scores));
    expect(Array.from(bestPath(lattice))).toEqual([best >> 1, best & 1]);
    for (const temperature of [1, 2]) {
      const weights = scores.map((s) => Math.exp(s / temperature));
      const total = weights.reduce((a, b) => a + b, 0);
      const counts = [0, 0, 0, 0];
      const uniform = createUniform(7);
      const draws = 20000;
      for (let n = 0; n < draws; n++) {
        const path = samplePath(lattice, temperature, uniform);
        counts[path[0] * 2 + path[1]]++;
      }
      counts.forEach((count, p) => expect(Math.abs(count / draws - weights[p] / total)).toBeLessThan(0.015));
    }
    // A temperature near 0 gives the best path.
    expect(Array.from(samplePath(lattice, 1e-3, createUniform(1)))).toEqual([best >> 1, best & 1]);
  });
});

describe('sampled chorale decoding', () => {
  const melody = line([72, 71, 69, -1, 67, 69, 71, 72, 74, 72, 71, 72], 4);
  const weights = { temperature: 1, intervalWeight: 1, sonorityWeight: 1, motionWeight: 1, ornamentRate: 1 };
  const decode = (seed: number) =>
    decodeChorale(noiseScores(melody.length, 3), melody, {
      tracks: TRACKS,
      stepsPerBeat: 4,
      key: { tonic: 0, mode: 'major' },
      logitScale: 5,
      weights,
      seed,
    });

  it('draws a different accompaniment for another seed, the same for the same seed, keeping every voice in range and in order', () => {
    const first = decode(1);
    expect(decode(1)).toEqual(first);
    expect([2, 3, 4].some((seed) => decode(seed).some((voice, v) => voice.some((p, step) => p !== first[v][step])))).toBe(true);
    for (const seed of [1, 2, 3, 4]) {
      const voices = decode(seed);
      voices.forEach((voice, v) => {
        for (let step = 0; step < melody.length; step++) {
          if (melody[step] < 0) expect(voice[step]).toBe(-1);
          else {
            expect(voice[step]).toBeGreaterThanOrEqual(RANGES[v][0]);
            expect(voice[step]).toBeLessThanOrEqual(Math.min(RANGES[v][1], v === 0 ? melody[step] : voices[v - 1][step]));
          }
        }
      });
    }
  });
});

describe('the learned decoding on the command line', () => {
  it('is what `--decode-weights learned` asks for, and not the default', () => {
    expect(decodeWeightsOf(generationOptionsFromFlags({ 'decode-weights': 'learned' }))).toEqual(LEARNED_DECODE_OPTIONS);
    expect(LEARNED_DECODE_OPTIONS.temperature).toBeGreaterThan(0);
    expect(DEFAULT_DECODE_OPTIONS.temperature).toBe(0);
    expect(DEFAULT_DECODE_OPTIONS.ornamentRate).toBe(0);
  });
});

describe('16th-note ornaments', () => {
  const stats = fitVoiceStatistics([]);
  // Every descending third of the alto gets a passing tone two semitones down, in these made-up counts.
  stats.ornaments[0][MAX_INTERVAL - 3] = [1, 1];
  stats.ornamentOffsets[0][MAX_INTERVAL - 3][MAX_ORNAMENT - 2] = 5;
  stats.ornamentOffsets[0][MAX_INTERVAL - 3][MAX_ORNAMENT - 1] = 5;
  const context = { ranges: RANGES, keyMask: 0b101010110101, slotSteps: 2 };

  it('fills a descending third with an in-key passing tone on the second 16th, only where the counts say so', () => {
    const melody = line([76, 76, 76], 2);
    const voices = () => [line([67, 64, 64], 2), line([60, 60, 60], 2), line([48, 48, 48], 2)];
    const ornamented = voices();
    addOrnaments(ornamented, melody, stats, context, 5, createUniform(1));
    // G -> E: the passing tone is F (65), never F# (66, out of C major).
    expect(Array.from(ornamented[0])).toEqual([67, 65, 64, 64, 64, 64]);
    expect(ornamented.slice(1)).toEqual(voices().slice(1));
    const plain = voices();
    addOrnaments(plain, melody, stats, context, 0, createUniform(1));
    expect(plain).toEqual(voices());
  });

  it('keeps an ornament strictly below the voice above it', () => {
    // A melody on F (65) leaves the alto no passing tone: F would meet it, F# is out of the key.
    const ornamented = [line([67, 64, 64], 2), line([60, 60, 60], 2), line([48, 48, 48], 2)];
    addOrnaments(ornamented, line([65, 65, 65], 2), stats, context, 5, createUniform(1));
    expect(Array.from(ornamented[0])).toEqual([67, 67, 64, 64, 64, 64]);
  });
});

describe('the decoding statistics', () => {
  it('counts intervals, motion, sonorities and ornaments slot by slot', () => {
    // C major chord held for a beat, then the alto passes down a third with a 16th passing tone.
    const chorale: JsbChorale = [
      [72, 67, 64, 48],
      [72, 67, 64, 48],
      [72, 67, 64, 48],
      [72, 65, 64, 48],
      [72, 64, 64, 48],
      [72, 64, 64, 48],
    ];
    const stats = fitVoiceStatistics([chorale]);
    expect(stats.slots).toBe(3);
    expect(stats.intervals[0][0][MAX_INTERVAL]).toBe(1); // slot 1 (between beats): alto holds
    expect(stats.intervals[0][1][MAX_INTERVAL - 3]).toBe(1); // slot 2 (on a beat): alto down a third
    expect(stats.motion[1][1]).toBe(1);
    expect(stats.ornaments[0][MAX_INTERVAL - 3]).toEqual([1, 1]);
    expect(stats.ornamentOffsets[0][MAX_INTERVAL - 3][MAX_ORNAMENT - 2]).toBe(1);
    const major = stats.sonorities.find(([mask]) => mask === 0b000010010001);
    expect(major?.[1]).toBe(1);
    expect(major?.[2]).toBe(1);
  });

  it('are the counts of the train split, which the fit reproduces', () => {
    const stats = fitVoiceStatistics(jsbDataset().train);
    expect(stats).toEqual(bachStatistics);
  });
});
