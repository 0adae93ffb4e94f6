/**
 * A small band style, unlike a chorale, for the tests of own-data training: a melody over a bass that plays the
 * chord's root on beats 1 and 3 and rests between (an 8th note each), a piano of block triads on beats 2 and 4
 * (a quarter note each) and a drum kit (kick on 1 and 3, snare on 2 and 4, closed hi-hat every 8th), over
 * I-IV-V-I progressions in a key drawn per file.
 */
import { expect } from 'vitest';

import type { DataProfile } from '../../src/music/dataProfile';
import { buildMidi, type NoteSpec } from './music-midi-helpers';

/** The drum-map keys the band's drummer plays. */
export const BAND_DRUM_KEYS = { kick: 36, snare: 38, hat: 42 } as const;
/** The band's tracks as `buildMidi` writes them, melody first. */
export const BAND_TRACKS = [
  { name: 'Lead', program: 73 },
  { name: 'Bass', program: 33 },
  { name: 'Piano', program: 0 },
  { name: 'Drums', program: 0 },
] as const;

/** A tiny deterministic generator (a linear congruential one) so that every run builds the same files. */
function draws(seed: number): () => number {
  let state = (seed * 2654435761) >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** One band file of `bars` bars of 4/4, its key and melody drawn from `seed`. */
export function bandMidi(seed: number, bars = 8): Uint8Array {
  const random = draws(seed);
  const tonic = 60 + Math.floor(random() * 7) - 3;
  const progression = [0, 5, 7, 0];
  const major = [0, 2, 4, 5, 7, 9, 11];
  const melody: NoteSpec[] = [];
  const bass: NoteSpec[] = [];
  const piano: NoteSpec[] = [];
  const drums: NoteSpec[] = [];
  for (let bar = 0; bar < bars; bar++) {
    const root = tonic + progression[bar % progression.length];
    const start = bar * 16;
    for (const beat of [0, 8]) bass.push({ pitch: root - 24, start: start + beat, steps: 2 });
    for (const beat of [4, 12])
      for (const interval of [0, 4, 7]) piano.push({ pitch: root - 12 + interval, start: start + beat, steps: 4 });
    for (let step = 0; step < 16; step += 2) drums.push({ pitch: BAND_DRUM_KEYS.hat, start: start + step, steps: 1 });
    for (const beat of [0, 8]) drums.push({ pitch: BAND_DRUM_KEYS.kick, start: start + beat, steps: 1 });
    for (const beat of [4, 12]) drums.push({ pitch: BAND_DRUM_KEYS.snare, start: start + beat, steps: 1 });
    let step = 0;
    while (step < 16) {
      const length = random() < 0.5 ? 4 : 2;
      const degree = Math.floor(random() * major.length);
      melody.push({ pitch: tonic + 12 + major[degree], start: start + step, steps: Math.min(length, 16 - step) });
      step += length;
    }
  }
  return buildMidi([
    { ...BAND_TRACKS[0], channel: 0, notes: melody },
    { ...BAND_TRACKS[1], channel: 1, notes: bass },
    { ...BAND_TRACKS[2], channel: 2, notes: piano },
    { ...BAND_TRACKS[3], channel: 9, notes: drums },
  ]);
}

/**
 * How close an accompaniment written for band data must come to the band's own tracks: rest rate within 0.1,
 * polyphony within 0.3, each melodic track inside the band's range give or take a fifth, the band's drum keys, each
 * struck about as often (hit rate within 0.05).
 */
export function expectLikeTheBand(written: DataProfile, band: DataProfile): void {
  written.tracks.forEach((track, i) => {
    const truth = band.tracks[i];
    expect(track.name).toBe(truth.name);
    expect(Math.abs(track.restRate - truth.restRate), `${truth.name} rest rate`).toBeLessThanOrEqual(0.1);
    expect(Math.abs(track.polyphony - truth.polyphony), `${truth.name} polyphony`).toBeLessThanOrEqual(0.3);
    if (truth.isDrum) {
      expect(track.drumKeys.map((k) => k.pitch).sort(), 'drum keys').toEqual(truth.drumKeys.map((k) => k.pitch).sort());
      for (const key of track.drumKeys) {
        const hitRate = truth.drumKeys.find((k) => k.pitch === key.pitch)!.hitRate;
        expect(Math.abs(key.hitRate - hitRate), `drum key ${key.pitch}`).toBeLessThanOrEqual(0.05);
      }
    } else {
      expect(track.low, `${truth.name} lowest`).toBeGreaterThanOrEqual(truth.low - 7);
      expect(track.high, `${truth.name} highest`).toBeLessThanOrEqual(truth.high + 7);
    }
  });
}
