import '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { joinWindows, melodyActive, octaveShiftIntoRange, windowNoise, windowStarts } from '../../src/model/generate/windows';
import { decodeVoices, HOLD_MARGIN } from '../../src/model/generate/decoding';
import { CHORALE_TRACKS, placeInUserRegister } from '../../src/model/generate/placement';
import { intoModelRegister } from '../../src/model/generate/scores';
import { GanEngine } from '../../src/model/gan';
import { DEFAULT_GENERATION_OPTIONS, type DecodeMode } from '../../src/protocol/generation';
import { MelodyError } from '../../src/model/errors';
import { PITCHES, cellIndex, createRoll, type PianoRoll } from '../../src/music/pianoRoll';
import { createUniform } from '../../src/music/random';
import { melodyRoll, tinyConfig, useCpu } from './model-fixtures';

beforeAll(useCpu);

/** The roll the decode and place stages make of `joined` (scores in the model's register) under `melody`. */
function decodedRoll(melody: PianoRoll, joined: Float32Array, decodeMode: DecodeMode = DEFAULT_GENERATION_OPTIONS.decodeMode): PianoRoll {
  const input = intoModelRegister(melody);
  return placeInUserRegister(decodeVoices(joined, input, 0, { ...DEFAULT_GENERATION_OPTIONS, decodeMode }), input);
}

describe('accompany', () => {
  it('keeps a 9-bar melody exactly, in its own register, and returns the same length', async () => {
    const engine = GanEngine.create(tinyConfig({ seed: 31 }));
    // Around MIDI 45, two octaves under the model's melody range.
    const melody = melodyRoll(9 * 16, 45);
    const result = await engine.accompany(melody, 7);
    expect(result.steps).toBe(melody.steps);
    expect([result.tempoBpm, result.stepsPerBeat, result.beatsPerBar]).toEqual([96, 4, 4]);
    expect(result.tracks.map((t) => t.name)).toEqual(['Melody', 'Alto', 'Tenor', 'Bass']);
    expect(result.tracks[0].program).toBe(73);
    expect(result.tracks.slice(1)).toEqual(CHORALE_TRACKS);
    const melodyCells = (array: Uint8Array | null, trackCount: number) =>
      Array.from({ length: melody.steps * PITCHES }, (_, cell) => (array ? array[cell * trackCount] : -1));
    expect(melodyCells(result.active, 4)).toEqual(melodyCells(melody.active, 1));
    expect(melodyCells(result.onsets, 4)).toEqual(melodyCells(melody.onsets, 1));
    expect(melodyCells(result.velocities, 4)).toEqual(melodyCells(melody.velocities, 1));

    // Same seed, same accompaniment; another seed, another.
    const again = await engine.accompany(melody, 7);
    expect(Array.from(again.active)).toEqual(Array.from(result.active));
    const other = await engine.accompany(melody, 8);
    expect(Array.from(other.active)).not.toEqual(Array.from(result.active));
    engine.dispose();
  });

  it('handles melodies shorter than a window and refuses ones off the 16th-note grid', async () => {
    const engine = GanEngine.create(tinyConfig());
    const short = await engine.accompany(melodyRoll(5, 72), 1);
    expect(short.steps).toBe(5);
    const triplets = { ...melodyRoll(24, 72), stepsPerBeat: 3 };
    await expect(engine.accompany(triplets, 1)).rejects.toThrow(MelodyError);
    await expect(engine.accompany(triplets, 1)).rejects.toThrow(/16th-note grid/);
    await expect(engine.accompany(createRoll(0, [{ name: 'm', program: 0, isDrum: false }]), 1)).rejects.toThrow(/empty/);
    engine.dispose();
  });
});

describe('accompaniment helpers', () => {
  it('move a melody by whole octaves into MIDI 60-81', () => {
    const shiftOf = (centre: number) => {
      const roll = melodyRoll(64, centre);
      return octaveShiftIntoRange(melodyActive(roll), roll.steps);
    };
    expect(shiftOf(45)).toBe(24);
    expect(shiftOf(70)).toBe(0);
    expect(shiftOf(95)).toBe(-24);
    expect(octaveShiftIntoRange(new Uint8Array(32 * PITCHES), 32)).toBe(0);
  });

  it('start a window every bar and give neighbours the same noise for their shared bar', () => {
    expect(windowStarts(9 * 16, 'crossfade')).toEqual([0, 16, 32, 48, 64, 80, 96, 112]);
    expect(windowStarts(9 * 16, 'tile')).toEqual([0, 32, 64, 96, 128]);
    expect(windowStarts(5, 'crossfade')).toEqual([0]);
    const bar = 8 * 32;
    const noise = windowNoise(4, [0, 16, 32], 32, 8);
    const slice = (window: number, half: number) => Array.from(noise.subarray((window * 2 + half) * bar, (window * 2 + half + 1) * bar));
    expect(slice(0, 1)).toEqual(slice(1, 0));
    expect(slice(1, 1)).toEqual(slice(2, 0));
    expect(slice(0, 0)).not.toEqual(slice(0, 1));
    expect(Array.from(windowNoise(5, [0], 32, 8))).not.toEqual(slice(0, 0).concat(slice(0, 1)));
  });

  it('cross-fade overlapping windows so each bar line sits inside one window', () => {
    const cells = 32 * PITCHES * 4;
    const outputs = new Float32Array(3 * cells);
    outputs.fill(1, 0, cells);
    outputs.fill(2, cells, 2 * cells);
    outputs.fill(3, 2 * cells);
    const joined = joinWindows(outputs, [0, 16, 32], 64);
    const at = (step: number) => joined[step * PITCHES * 4];
    expect(at(0)).toBe(1);
    expect(at(15)).toBe(1);
    // Bar 1 fades from window 0 to window 1; bar 2 from window 1 to window 2.
    expect(at(16)).toBeCloseTo(1 + 0.5 / 16, 5);
    expect(at(31)).toBeCloseTo(2 - 0.5 / 16, 5);
    expect(at(32)).toBeCloseTo(2 + 0.5 / 16, 5);
    expect(Math.abs(at(32) - at(31))).toBeLessThan(0.1);
    expect(at(63)).toBe(3);
  });

  it('put generated voices back in the melody register, one note per run', () => {
    const melody = melodyRoll(16, 45);
    const joined = new Float32Array(16 * PITCHES * 4).fill(-1);
    // The model wrote a tenor note at its pitch 64 on steps 2-5 and 8: two notes after moving down 24.
    for (const step of [2, 3, 4, 5, 8]) joined[(step * PITCHES + 64) * 4 + 2] = 0.7;
    // The melody sits two octaves under the model's register (shift 24).
    const roll = decodedRoll(melody, joined, 'chords');
    const tenor = (step: number, pitch: number) => roll.active[cellIndex(roll, step, pitch, 2)];
    expect([2, 3, 4, 5, 8].every((s) => tenor(s, 40) === 1)).toBe(true);
    expect(tenor(6, 40)).toBe(0);
    expect(Array.from({ length: 16 }, (_, s) => roll.onsets![cellIndex(roll, s, 40, 2)])).toEqual([
      0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
    ]);
    const onsetVelocities = Array.from(melody.velocities!).filter((v, i) => melody.onsets![i] && v > 0);
    const expected = Math.round((0.85 * onsetVelocities.reduce((a, b) => a + b, 0)) / onsetVelocities.length);
    expect(roll.velocities![cellIndex(roll, 2, 40, 2)]).toBe(expected);
    let generatedCells = 0;
    for (let track = 1; track < 4; track++) for (let cell = 0; cell < 16 * PITCHES; cell++) generatedCells += roll.active[cell * 4 + track];
    expect(generatedCells).toBe(5);
  });

  it('lets each voice sing one pitch at a time, or keeps every cell above 0 with chords decoding', () => {
    const melody = melodyRoll(8, 64);
    const joined = new Float32Array(8 * PITCHES * 4).fill(-1);
    // The alto scores a cluster on steps 0-3: 67 strongest on 0-1, then 69 strongest on 2-3.
    for (const step of [0, 1, 2, 3]) {
      joined[(step * PITCHES + 67) * 4 + 1] = step < 2 ? 0.9 : 0.4;
      joined[(step * PITCHES + 69) * 4 + 1] = step < 2 ? 0.3 : 0.8;
    }
    const single = decodedRoll(melody, joined, 'single');
    const alto = (roll: typeof single, step: number, pitch: number) => roll.active[cellIndex(roll, step, pitch, 1)];
    expect([0, 1].map((s) => [alto(single, s, 67), alto(single, s, 69)])).toEqual([
      [1, 0],
      [1, 0],
    ]);
    expect([2, 3].map((s) => [alto(single, s, 67), alto(single, s, 69)])).toEqual([
      [0, 1],
      [0, 1],
    ]);
    expect(single.onsets![cellIndex(single, 2, 69, 1)]).toBe(1);
    expect(single.onsets![cellIndex(single, 3, 69, 1)]).toBe(0);
    const chords = decodedRoll(melody, joined, 'chords');
    expect([0, 1, 2, 3].every((s) => alto(chords, s, 67) === 1 && alto(chords, s, 69) === 1)).toBe(true);
  });
});

describe('single decoding', () => {
  it('holds a note while a rival pitch is only slightly stronger, and changes when it is clearly stronger', () => {
    const melody = melodyRoll(4, 64);
    const joined = new Float32Array(4 * PITCHES * 4).fill(-1);
    const set = (step: number, pitch: number, score: number) => (joined[(step * PITCHES + pitch) * 4 + 3] = score);
    set(0, 50, 0.6); // the bass starts on 50
    set(1, 50, 0.5);
    set(1, 52, 0.6); // 52 is stronger, but by less than the margin: 50 is held
    set(2, 50, 0.1);
    set(2, 52, 0.9); // 52 is clearly stronger: the bass moves
    set(3, 52, 0.9);
    const roll = decodedRoll(melody, joined, 'single');
    const bass = (step: number) => [50, 52].filter((p) => roll.active[cellIndex(roll, step, p, 3)] === 1);
    expect([0, 1, 2, 3].map(bass)).toEqual([[50], [50], [52], [52]]);
    expect(roll.onsets![cellIndex(roll, 2, 52, 3)]).toBe(1);
    expect(HOLD_MARGIN).toBeGreaterThan(0.1);
  });
});

describe('chorale decoding', () => {
  it('sounds one pitch per voice under every melody note, below the voice over it, in the melody’s own register', () => {
    // Two octaves under the model's melody range: the voices must come back down with it.
    const melody = melodyRoll(8 * 16, 45);
    const shift = octaveShiftIntoRange(melodyActive(melody), melody.steps);
    expect(shift).toBe(24);
    const uniform = createUniform(5);
    const joined = Float32Array.from({ length: melody.steps * PITCHES * 4 }, () => uniform() * 2 - 1);
    const roll = decodedRoll(melody, joined);
    const sounding = (step: number, track: number) => {
      const pitches: number[] = [];
      for (let p = 0; p < PITCHES; p++) if (roll.active[cellIndex(roll, step, p, track)]) pitches.push(p);
      return pitches;
    };
    let checked = 0;
    for (let step = 0; step < melody.steps; step++) {
      const [top] = sounding(step, 0).slice(-1);
      if (top === undefined) continue;
      const voices = [1, 2, 3].map((track) => sounding(step, track));
      for (const v of voices) expect(v).toHaveLength(1);
      const [alto, tenor, bass] = voices.map((v) => v[0]);
      expect(alto).toBeLessThanOrEqual(top);
      expect(tenor).toBeLessThanOrEqual(alto);
      expect(bass).toBeLessThanOrEqual(tenor);
      expect(bass).toBeGreaterThanOrEqual(36 - shift);
      checked++;
    }
    expect(checked).toBeGreaterThan(melody.steps / 2);
    // The default decoding is the chorale one.
    expect(Array.from(decodedRoll(melody, joined, 'chorale').active)).toEqual(Array.from(roll.active));
  });
});
