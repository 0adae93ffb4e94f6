import { describe, expect, it } from 'vitest';
import { trackNotes } from '../../src/music/notes';
import { cellIndex, createRoll, type PianoRoll } from '../../src/music/pianoRoll';
import { MELODY_HIGH_PITCH, MELODY_LOW_PITCH, fitToRange, restoreRange, soundingPitchRange, transposeRoll } from '../../src/music/transpose';
import { joinWindows, rollsToTrainingWindows, sliceSteps, splitIntoWindows, stackTracks } from '../../src/music/windows';

/** A one-track roll from [pitch, start, steps] notes, with onsets and velocities. */
function melodyRoll(steps: number, notes: Array<[number, number, number]>): PianoRoll {
  const roll = createRoll(steps, [{ name: 'Melody', program: 0, isDrum: false }], { withVelocities: true, tempoBpm: 100 });
  notes.forEach(([pitch, start, length], k) => {
    for (let s = start; s < start + length; s++) roll.active[cellIndex(roll, s, pitch, 0)] = 1;
    (roll.onsets as Uint8Array)[cellIndex(roll, start, pitch, 0)] = 1;
    (roll.velocities as Uint8Array)[cellIndex(roll, start, pitch, 0)] = 60 + k;
  });
  return roll;
}

describe('fitToRange and restoreRange', () => {
  it('moves a high melody down by octaves into the soprano range and back exactly', () => {
    const roll = melodyRoll(16, [[86, 0, 4], [91, 4, 4], [98, 8, 8]]);
    const fit = fitToRange(roll);
    expect(fit.octaveShift).toBe(-2);
    expect(soundingPitchRange(fit.roll)).toEqual({ lowest: 62, highest: 74 });
    const back = restoreRange(fit.roll, fit.octaveShift);
    expect(back.active).toEqual(roll.active);
    expect(back.onsets).toEqual(roll.onsets);
    expect(back.velocities).toEqual(roll.velocities);
    expect(roll.active[cellIndex(roll, 0, 86, 0)]).toBe(1); // the input is untouched
  });

  it('moves a low melody up, and leaves one in range where it is', () => {
    expect(fitToRange(melodyRoll(8, [[36, 0, 4], [47, 4, 4]])).octaveShift).toBe(2);
    const inRange = melodyRoll(8, [[MELODY_LOW_PITCH, 0, 4], [MELODY_HIGH_PITCH, 4, 4]]);
    expect(fitToRange(inRange).octaveShift).toBe(0);
    expect(fitToRange(createRoll(4, [{ name: 'x', program: 0, isDrum: false }])).octaveShift).toBe(0);
  });

  it('puts as much of a wide melody in range as it can, and never off the keyboard', () => {
    // 55 for 2 steps, 70-79 for 12 steps: no move fits both; staying put keeps 12 of 14 steps in range.
    expect(fitToRange(melodyRoll(14, [[55, 0, 2], [70, 2, 6], [79, 8, 6]])).octaveShift).toBe(0);
    const top = fitToRange(melodyRoll(4, [[127, 0, 2], [100, 2, 2]]), 110, 127);
    expect(top.octaveShift).toBe(0);
    expect(soundingPitchRange(top.roll)).toEqual({ lowest: 100, highest: 127 });
  });

  it('transposeRoll drops notes pushed off the keyboard', () => {
    const moved = transposeRoll(melodyRoll(4, [[120, 0, 2], [60, 2, 2]]), 10);
    expect(trackNotes(moved, 0).map((n) => [n.pitch, n.startStep])).toEqual([[70, 2]]);
  });
});

describe('splitIntoWindows and joinWindows', () => {
  // 9.5 bars of 4/4 = 152 steps, with notes held across window boundaries and repeated notes.
  const notes: Array<[number, number, number]> = [];
  for (let s = 0; s < 150; s += 6) notes.push([60 + ((s / 6) % 12), s, s % 4 === 0 ? 6 : 3]);
  notes.push([72, 150, 2]);
  const roll = melodyRoll(152, notes);

  it('cuts 9.5 bars into five 2-bar windows, the last padded with silence', () => {
    const windows = splitIntoWindows(roll);
    expect(windows).toHaveLength(5);
    expect(windows.every((w) => w.steps === 32 && w.tracks.length === 1)).toBe(true);
    const last = windows[4];
    expect(last.active.subarray(24 * 128).every((v) => v === 0)).toBe(true);
    expect(last.active[cellIndex(last, 150 - 128, 72, 0)]).toBe(1);
    expect(windows[1].tempoBpm).toBe(100);
  });

  it('puts them back into the original roll exactly', () => {
    const joined = joinWindows(splitIntoWindows(roll), roll.steps);
    expect(joined.steps).toBe(152);
    expect(joined.active).toEqual(roll.active);
    expect(joined.onsets).toEqual(roll.onsets);
    expect(joined.velocities).toEqual(roll.velocities);
    expect(trackNotes(joined, 0)).toEqual(trackNotes(roll, 0));
  });

  it('joins model outputs without onsets and refuses windows that do not cover the length', () => {
    const outputs = splitIntoWindows(roll).map((w) => ({ ...w, onsets: null, velocities: null }));
    const joined = joinWindows(outputs, 152);
    expect(joined.onsets).toBeNull();
    expect(joined.active).toEqual(roll.active);
    expect(() => joinWindows(outputs.slice(0, 4), 152)).toThrow(RangeError);
  });

  it('sliceSteps pads past the end', () => {
    const tail = sliceSteps(roll, 140, 180);
    expect(tail.steps).toBe(40);
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
    const roll = melodyRoll(80, [[60, 0, 20], [62, 40, 2]]);
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
