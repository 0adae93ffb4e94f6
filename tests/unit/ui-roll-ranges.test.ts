/** The page's pure roll helpers: bars, looped bar ranges as steps, and the window the snapshots accompany. */
import { describe, expect, it } from 'vitest';
import { barCount, loopSteps, snapshotWindow } from '../../src/ui/rollRanges';
import { cellIndex, createRoll, WINDOW_STEPS } from '../../src/music/pianoRoll';
import { scheduleRoll } from '../../src/audio/schedule';
import { addNote, trackNotes } from '../../src/music/notes';

const track = { name: 'M', program: 0, isDrum: false };

describe('snapshotWindow', () => {
  it('takes the first two bars that hold a note, as one 32-step track', () => {
    const melody = createRoll(96, [track]);
    for (let s = 40; s < 44; s++) melody.active[cellIndex(melody, s, 72, 0)] = 1;
    melody.onsets![cellIndex(melody, 40, 72, 0)] = 1;
    const window = snapshotWindow(melody)!;
    expect(window.steps).toBe(WINDOW_STEPS);
    expect(scheduleRoll(window).map((e) => [e.pitch, e.step, e.steps])).toEqual([[72, 8, 4]]);
  });
  it('keeps the melody track only, its velocities, and cuts a note at the window end', () => {
    const melody = createRoll(96, [track, { name: 'Bass', program: 32, isDrum: false }], { withVelocities: true });
    addNote(melody, 0, { pitch: 60, startStep: 20, steps: 8, velocity: 70 });
    addNote(melody, 0, { pitch: 64, startStep: 28, steps: 40, velocity: 100 });
    addNote(melody, 1, { pitch: 40, startStep: 0, steps: 96, velocity: 50 });
    const window = snapshotWindow(melody)!;
    expect(window.tracks).toHaveLength(1);
    expect(trackNotes(window, 0)).toEqual([
      { pitch: 60, startStep: 20, steps: 8, velocity: 70 },
      { pitch: 64, startStep: 28, steps: 4, velocity: 100 },
    ]);
  });
  it('is null for a melody without notes', () => {
    expect(snapshotWindow(createRoll(64, [track]))).toBeNull();
  });
});

describe('barCount and loopSteps', () => {
  it('counts a last partial bar and turns a bar range into steps, cut at the end of the piece', () => {
    // 4/4 at 4 steps per beat: 16 steps a bar; 40 steps are two bars and a half.
    const roll = createRoll(40, [track]);
    expect(barCount(roll)).toBe(3);
    expect(loopSteps(roll, { from: 2, to: 3 })).toEqual({ start: 16, end: 40 });
    expect(loopSteps(roll, null)).toBeNull();
  });
});
