import { describe, expect, it } from 'vitest';
import { addNote, trackNotes } from '../../src/music/notes';
import { cellIndex, createRoll, type PianoRoll } from '../../src/music/pianoRoll';
import { rollsToTrainingWindows, sliceSteps, stackTracks, windowMelodies, windowToRoll, windowsToRolls } from '../../src/music/windows';

/** A one-track roll from [pitch, start, steps] notes, with onsets and velocities. */
function melodyRoll(steps: number, notes: Array<[number, number, number]>): PianoRoll {
  const roll = createRoll(steps, [{ name: 'Melody', program: 0, isDrum: false }], { withVelocities: true, tempoBpm: 100 });
  notes.forEach(([pitch, startStep, steps], k) => addNote(roll, 0, { pitch, startStep, steps, velocity: 60 + k }));
  return roll;
}

describe('sliceSteps', () => {
  it('pads past the end', () => {
    const roll = melodyRoll(152, [[72, 150, 2]]);
    const tail = sliceSteps(roll, 140, 180);
    expect(tail.steps).toBe(40);
    expect(tail.active[cellIndex(tail, 10, 72, 0)]).toBe(1);
    expect(tail.active.subarray(12 * 128).every((v) => v === 0)).toBe(true);
  });
});

describe('stackTracks and rollsToTrainingWindows', () => {
  it('stacks tracks and marks run starts as onsets for a roll without them', () => {
    const a = melodyRoll(4, [[60, 0, 4]]);
    const b = createRoll(4, [{ name: 'B', program: 1, isDrum: false }], { withOnsets: false });
    for (const s of [1, 2]) b.active[cellIndex(b, s, 40, 0)] = 1;
    const both = stackTracks([a, b]);
    expect(both.tracks.map((t) => t.name)).toEqual(['Melody', 'B']);
    expect(trackNotes(both, 0).map((n) => [n.pitch, n.startStep, n.steps])).toEqual([[60, 0, 4]]);
    expect(trackNotes(both, 1).map((n) => [n.pitch, n.startStep, n.steps])).toEqual([[40, 1, 2]]);
    expect(both.onsets![cellIndex(both, 1, 40, 1)]).toBe(1);
  });

  it('takes a window every hop, skips windows with a silent melody, and pads a short roll', () => {
    // 80 steps, melody silent from step 32 on: windows at 0, 16, 32, 48 -> the one at 32 and 48 are silent.
    const roll = melodyRoll(80, [
      [60, 0, 20],
      [62, 40, 2],
    ]);
    const windows = rollsToTrainingWindows([roll, melodyRoll(10, [[65, 0, 10]])], { hopSteps: 16 });
    // Starts 0, 16, 32 (melody at 40) and 48 (silent): 3 windows, plus the padded short roll.
    expect(windows.count).toBe(4);
    expect(windows.data.length).toBe(4 * 32 * 128);
    expect(new Set(windows.data)).toEqual(new Set([-1, 1]));
    const at = (w: number, step: number, pitch: number) => windows.data[(w * 32 + step) * 128 + pitch];
    expect(at(1, 0, 60)).toBe(1); // window 2 starts at step 16, inside the first note
    expect(at(1, 4, 60)).toBe(-1);
    expect(at(2, 8, 62)).toBe(1);
    expect(at(3, 9, 65)).toBe(1);
    expect(at(3, 10, 65)).toBe(-1); // padding
    expect(rollsToTrainingWindows([roll], { hopSteps: 16, skipSilentMelody: false }).count).toBe(4);
    expect(rollsToTrainingWindows([roll], { firstWindowOnly: true }).count).toBe(1);
  });

  it('adds transposed copies and skips those that would leave the keyboard', () => {
    const windows = rollsToTrainingWindows([melodyRoll(32, [[60, 0, 32]]), melodyRoll(32, [[126, 0, 32]])], { transpositions: [2, -2] });
    // The first roll gives 0, +2, -2; the second cannot go up by 2 (127 is the top).
    expect(windows.count).toBe(5);
    const pitchOf = (w: number) => windows.data.subarray(w * 32 * 128, w * 32 * 128 + 128).indexOf(1);
    expect([0, 1, 2, 3, 4].map(pitchOf)).toEqual([60, 62, 58, 126, 124]);
  });
});

describe('windows back to rolls', () => {
  const melody = melodyRoll(32, [
    [60, 0, 4],
    [64, 8, 8],
  ]);
  const bass = createRoll(32, [{ name: 'Bass', program: 0, isDrum: false }], { withVelocities: true });
  addNote(bass, 0, { pitch: 40, startStep: 0, steps: 32, velocity: 90 });
  const windows = rollsToTrainingWindows([stackTracks([melody, bass]), stackTracks([melodyRoll(32, [[67, 4, 2]]), bass])]);

  it('gives back the notes of every window, as runs without onsets', () => {
    const rolls = windowsToRolls(windows);
    expect(rolls).toHaveLength(2);
    expect(rolls[0].tracks.map((t) => t.name)).toEqual(['Melody', 'Bass']);
    expect(rolls[0].onsets).toBeNull();
    expect(trackNotes(rolls[0], 0).map((n) => [n.pitch, n.startStep, n.steps])).toEqual([
      [60, 0, 4],
      [64, 8, 8],
    ]);
    expect(trackNotes(rolls[1], 0).map((n) => [n.pitch, n.startStep, n.steps])).toEqual([[67, 4, 2]]);
    expect(trackNotes(rolls[1], 1).map((n) => [n.pitch, n.startStep, n.steps])).toEqual([[40, 0, 32]]);
  });

  it('picks tracks, takes the melodies of the first windows, and refuses a window that does not exist', () => {
    expect(windowToRoll(windows, 1, [1]).tracks.map((t) => t.name)).toEqual(['Bass']);
    expect(trackNotes(windowToRoll(windows, 1, [1]), 0)).toHaveLength(1);
    const melodies = windowMelodies(windows, 5);
    expect(melodies).toHaveLength(2);
    expect(melodies.every((m) => m.tracks.length === 1)).toBe(true);
    expect(windowMelodies(windows, 1)).toHaveLength(1);
    expect(() => windowToRoll(windows, 2)).toThrow(RangeError);
  });
});
