import { describe, expect, it } from 'vitest';
import {
  cellIndex,
  checkRoll,
  checkTrackIndex,
  cloneRoll,
  createRoll,
  rollProblem,
  rollTransferables,
  selectTracks,
  windowsProblem,
} from '../../src/music/pianoRoll';

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

  it('finds what makes a value no usable roll, in one check', () => {
    const roll = createRoll(4, tracks, { withVelocities: true });
    expect(rollProblem(roll)).toBeNull();
    expect(rollProblem(createRoll(0, tracks))).toBeNull();
    expect(rollProblem({ ...roll, active: [] as unknown as Uint8Array })?.kind).toBe('not-a-roll');
    expect(rollProblem({ ...roll, tracks: [] })?.kind).toBe('not-a-roll');
    expect(rollProblem({ ...roll, steps: 2.5 })?.kind).toBe('bad-steps');
    expect(rollProblem({ ...roll, stepsPerBeat: 0 })?.kind).toBe('bad-grid');
    expect(rollProblem({ ...roll, beatsPerBar: 0 })?.kind).toBe('bad-grid');
    // 7/8 is 3.5 quarter-note beats: a bar of 14 steps is fine, one of 3.6 beats (14.4 steps) is not.
    expect(rollProblem({ ...roll, beatsPerBar: 3.5 })).toBeNull();
    expect(rollProblem({ ...roll, beatsPerBar: 3.6 })?.kind).toBe('bad-grid');
    expect(rollProblem({ ...roll, active: new Uint8Array(10) })?.message).toMatch(/needs 1536 cells, its active hold 10/);
    expect(rollProblem({ ...roll, onsets: new Uint8Array(10) })?.kind).toBe('bad-length');
    expect(rollProblem({ ...roll, velocities: new Uint8Array(10) })?.kind).toBe('bad-length');
    expect(() => checkRoll({ ...roll, steps: 5 })).toThrow(RangeError);
    expect(() => checkTrackIndex(roll, 3)).toThrow(/track 3 is not in the roll: its tracks are 0\.\.2/);
    expect(() => checkTrackIndex(roll, 2)).not.toThrow();
  });

  it('finds what makes a value no usable set of training windows', () => {
    const windows = { count: 2, steps: 4, tracks: 2, data: new Int8Array(2 * 4 * 128 * 2), trackNames: ['M', 'A'] };
    expect(windowsProblem(windows)).toBeNull();
    expect(windowsProblem({ ...windows, data: new Float32Array(4) as unknown as Int8Array })?.kind).toBe('not-windows');
    expect(windowsProblem({ ...windows, count: 0 })?.kind).toBe('no-windows');
    expect(windowsProblem({ ...windows, tracks: 3 })).toEqual({
      kind: 'bad-length',
      message: '2 windows of 4 steps and 3 tracks should hold 3072 values, not 2048',
    });
  });
});
