/** The page's pure roll helpers: bars, looped bar ranges as steps, and the window the snapshots accompany. */
import { describe, expect, it } from 'vitest';
import { snapshotWindow } from '../../src/ui/rollRanges';
import { cellIndex, createRoll, WINDOW_STEPS } from '../../src/music/pianoRoll';
import { scheduleRoll } from '../../src/audio/schedule';

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
  it('is null for a melody without notes', () => {
    expect(snapshotWindow(createRoll(64, [track]))).toBeNull();
  });
});
