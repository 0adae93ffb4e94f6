import { describe, expect, it } from 'vitest';
import { EmptyRecordingError, NoteRecorder, pitchForComputerKey, quantiseNotes } from '../../src/music/recording';
import { scheduleRoll } from '../../src/audio/schedule';
import { trackNotes } from '../../src/music/notes';

// 120 bpm, 4 steps per beat: one step is 125 ms.
const options = { tempoBpm: 120 };

describe('quantiseNotes', () => {
  it('rounds starts and ends to the nearest step and pads to whole bars', () => {
    const roll = quantiseNotes(
      [
        { pitch: 60, velocity: 100, start: 1000 + 10, end: 1000 + 240 },
        { pitch: 62, velocity: 80, start: 1000 + 260, end: 1000 + 300 },
      ],
      1000,
      options,
    );
    expect(roll.steps).toBe(16);
    expect(scheduleRoll(roll).map((e) => [e.pitch, e.step, e.steps])).toEqual([
      [60, 0, 2],
      [62, 2, 1],
    ]);
    expect(roll.velocities?.some((v) => v === 100)).toBe(true);
  });

  it('cuts a note short when the same pitch is played again', () => {
    const roll = quantiseNotes(
      [
        { pitch: 60, velocity: 90, start: 0, end: 1000 },
        { pitch: 60, velocity: 90, start: 250, end: 500 },
      ],
      0,
      options,
    );
    expect(scheduleRoll(roll).map((e) => [e.step, e.steps])).toEqual([
      [0, 2],
      [2, 2],
    ]);
  });

  it('keeps the later of two strokes of one key that land on one step', () => {
    const roll = quantiseNotes(
      [
        { pitch: 60, velocity: 100, start: 0, end: 20 },
        { pitch: 60, velocity: 40, start: 30, end: 400 },
      ],
      0,
      options,
    );
    expect(trackNotes(roll, 0)).toEqual([{ pitch: 60, startStep: 0, steps: 3, velocity: 40 }]);
  });

  it('refuses an empty recording', () => {
    expect(() => quantiseNotes([], 0, options)).toThrow(EmptyRecordingError);
  });
});

describe('NoteRecorder', () => {
  it('records presses between start and stop and releases held keys at stop', () => {
    const recorder = new NoteRecorder();
    recorder.noteOn(50, 90, 0); // before start: ignored
    recorder.start(100);
    recorder.noteOn(60, 90, 100);
    recorder.noteOff(60, 350);
    recorder.noteOn(67, 90, 600);
    const roll = recorder.stop(2100, options);
    expect(recorder.recording).toBe(false);
    expect(roll.steps).toBe(16);
    expect(scheduleRoll(roll).map((e) => [e.pitch, e.step, e.steps])).toEqual([
      [60, 0, 2],
      [67, 4, 12],
    ]);
  });
});

describe('pitchForComputerKey', () => {
  it('maps a, w, s to C, C#, D from the lowest C', () => {
    expect(pitchForComputerKey('a', 60)).toBe(60);
    expect(pitchForComputerKey('W', 60)).toBe(61);
    expect(pitchForComputerKey('s', 48)).toBe(50);
    expect(pitchForComputerKey('z', 60)).toBeUndefined();
  });
});
