import { describe, expect, it } from 'vitest';
import { cellIndex, cloneRoll, createRoll, rollTransferables, selectTracks } from '../../src/music/pianoRoll';

const tracks = ['A', 'B', 'C'].map((name, i) => ({ name, program: i, isDrum: false }));

describe('the piano roll', () => {
  it('selects tracks in the asked order, with their onsets and velocities', () => {
    const roll = createRoll(4, tracks, { withVelocities: true });
    roll.active[cellIndex(roll, 1, 60, 0)] = 1;
    roll.onsets![cellIndex(roll, 1, 60, 0)] = 1;
    roll.velocities![cellIndex(roll, 1, 60, 0)] = 90;
    roll.active[cellIndex(roll, 2, 40, 2)] = 1;
    const picked = selectTracks(roll, [2, 0]);
    expect(picked.tracks.map((t) => t.name)).toEqual(['C', 'A']);
    expect(picked.active.reduce((a, b) => a + b, 0)).toBe(2);
    expect(picked.active[cellIndex(picked, 2, 40, 0)]).toBe(1);
    expect(picked.active[cellIndex(picked, 1, 60, 1)]).toBe(1);
    expect(picked.onsets![cellIndex(picked, 1, 60, 1)]).toBe(1);
    expect(picked.velocities![cellIndex(picked, 1, 60, 1)]).toBe(90);
    expect(() => selectTracks(roll, [3])).toThrow(/track 3/);
  });

  it('copies deeply and lists its buffers for transfer', () => {
    const roll = createRoll(2, tracks);
    const copy = cloneRoll(roll);
    copy.active[0] = 1;
    copy.tracks[0].name = 'changed';
    expect(roll.active[0]).toBe(0);
    expect(roll.tracks[0].name).toBe('A');
    expect(rollTransferables(roll)).toEqual([roll.active.buffer, roll.onsets!.buffer]);
    expect(() => createRoll(-1, tracks)).toThrow(RangeError);
    expect(() => createRoll(4, [])).toThrow(RangeError);
  });
});
