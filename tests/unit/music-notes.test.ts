import { describe, expect, it } from 'vitest';
import { DEFAULT_VELOCITY } from '../../src/music/constants';
import { addNote, trackNotes, type Note } from '../../src/music/notes';
import { cellIndex, createRoll, type CreateRollOptions, type PianoRoll } from '../../src/music/pianoRoll';

const tracks = [
  { name: 'Melody', program: 0, isDrum: false },
  { name: 'Bass', program: 32, isDrum: false },
];

/** A two-track roll of `steps` steps holding `notes` in track 0 and `bass` in track 1. */
function rollOf(steps: number, notes: Note[], bass: Note[] = [], options: CreateRollOptions = { withVelocities: true }): PianoRoll {
  const roll = createRoll(steps, tracks, options);
  for (const n of notes) addNote(roll, 0, n);
  for (const n of bass) addNote(roll, 1, n);
  return roll;
}

describe('notes -> roll -> notes', () => {
  it('gives back every pitch, start step, length and velocity, sorted by start then pitch', () => {
    const melody: Note[] = [
      { pitch: 67, startStep: 0, steps: 2, velocity: 100 },
      { pitch: 64, startStep: 0, steps: 4, velocity: 1 },
      { pitch: 72, startStep: 5, steps: 3, velocity: 127 },
    ];
    const bass: Note[] = [{ pitch: 36, startStep: 1, steps: 7, velocity: 64 }];
    const roll = rollOf(8, melody, bass);
    expect(trackNotes(roll, 0)).toEqual([melody[1], melody[0], melody[2]]);
    expect(trackNotes(roll, 1)).toEqual(bass);
  });

  it('keeps a repeated note two notes, and a note that lasts to the end of the roll', () => {
    const notes: Note[] = [
      { pitch: 60, startStep: 0, steps: 3, velocity: 80 },
      { pitch: 60, startStep: 3, steps: 1, velocity: 81 },
      { pitch: 60, startStep: 4, steps: 4, velocity: 82 },
    ];
    expect(trackNotes(rollOf(8, notes), 0)).toEqual(notes);
  });

  it('cuts a sounding note where a note of the same pitch starts inside it', () => {
    const roll = rollOf(8, [
      { pitch: 60, startStep: 0, steps: 8, velocity: 70 },
      { pitch: 60, startStep: 2, steps: 2, velocity: 90 },
    ]);
    expect(trackNotes(roll, 0).map((n) => [n.startStep, n.steps, n.velocity])).toEqual([
      [0, 2, 70],
      [2, 6, 90],
    ]);
  });

  it('keeps the louder velocity where two notes start on one cell', () => {
    const roll = rollOf(4, [
      { pitch: 60, startStep: 0, steps: 2, velocity: 90 },
      { pitch: 60, startStep: 0, steps: 1, velocity: 40 },
    ]);
    expect(trackNotes(roll, 0)).toEqual([{ pitch: 60, startStep: 0, steps: 2, velocity: 90 }]);
  });
});

describe('reading a roll that stores less', () => {
  it('gives the default velocity where the roll stores none, or the one asked for', () => {
    const roll = rollOf(4, [{ pitch: 60, startStep: 1, steps: 2, velocity: 33 }], [], {});
    expect(trackNotes(roll, 0)).toEqual([{ pitch: 60, startStep: 1, steps: 2, velocity: DEFAULT_VELOCITY }]);
    expect(trackNotes(roll, 0, 50)[0].velocity).toBe(50);
  });

  it('reads every run of active steps as one note when the roll has no onsets (a model output)', () => {
    const roll = rollOf(
      6,
      [
        { pitch: 50, startStep: 0, steps: 2, velocity: 90 },
        { pitch: 50, startStep: 2, steps: 1, velocity: 90 },
        { pitch: 50, startStep: 4, steps: 2, velocity: 90 },
      ],
      [],
      { withOnsets: false },
    );
    expect(roll.onsets).toBeNull();
    expect(trackNotes(roll, 0).map((n) => [n.startStep, n.steps])).toEqual([
      [0, 3],
      [4, 2],
    ]);
  });

  it('caps a stored velocity above 127 at 127', () => {
    const roll = rollOf(2, [{ pitch: 60, startStep: 0, steps: 1, velocity: 100 }]);
    roll.velocities![cellIndex(roll, 0, 60, 0)] = 200;
    expect(trackNotes(roll, 0)[0].velocity).toBe(127);
  });
});

describe('range checks', () => {
  const roll = createRoll(4, tracks, { withVelocities: true });
  const ok: Note = { pitch: 60, startStep: 0, steps: 4, velocity: 90 };

  it('refuses a track the roll does not have, when reading and when writing', () => {
    expect(() => trackNotes(roll, 2)).toThrow(/track 2 is not in the roll: its tracks are 0\.\.1/);
    expect(() => trackNotes(roll, -1)).toThrow(RangeError);
    expect(() => addNote(roll, 2, ok)).toThrow(RangeError);
  });

  it('refuses a note the roll cannot hold, and writes nothing', () => {
    expect(() => addNote(roll, 0, { ...ok, pitch: 128 })).toThrow(/pitch/);
    expect(() => addNote(roll, 0, { ...ok, pitch: 60.5 })).toThrow(/pitch/);
    expect(() => addNote(roll, 0, { ...ok, startStep: -1 })).toThrow(/startStep/);
    expect(() => addNote(roll, 0, { ...ok, startStep: 4, steps: 1 })).toThrow(/startStep/);
    expect(() => addNote(roll, 0, { ...ok, startStep: 1 })).toThrow(/steps must be a whole number 1\.\.3, got 4/);
    expect(() => addNote(roll, 0, { ...ok, steps: 0 })).toThrow(/steps/);
    expect(() => addNote(roll, 0, { ...ok, velocity: 0 })).toThrow(/velocity/);
    expect(() => addNote(roll, 0, { ...ok, velocity: 128 })).toThrow(/velocity/);
    expect(roll.active.every((v) => v === 0)).toBe(true);
  });
});
