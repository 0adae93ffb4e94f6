/** Editing notes on a roll (src/music/edits.ts): add, move, resize, delete, the snap grid, and undo/redo with a bounded history. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_VELOCITY } from '../../src/music/constants';
import { addNote, trackNotes, type Note } from '../../src/music/notes';
import { createRoll, type PianoRoll } from '../../src/music/pianoRoll';
import {
  applyEdit,
  EditError,
  emptyHistory,
  lengthWords,
  nextGridStep,
  positionWords,
  previousGridStep,
  recordEdit,
  redoEdit,
  snapDown,
  snapNearest,
  snapSteps,
  undoEdit,
  withTrackNotes,
  type EditHistory,
  type NoteEdit,
} from '../../src/music/edits';

const TRACKS = [
  { name: 'Soprano', program: 0, isDrum: false },
  { name: 'Alto', program: 0, isDrum: false },
];

const note = (pitch: number, startStep: number, steps: number, velocity = DEFAULT_VELOCITY): Note => ({
  pitch,
  startStep,
  steps,
  velocity,
});

/** Two bars of 4/4 in 16ths: the melody E4 C4 (a beat each from beat 1), the alto G3 for two beats. */
function twoBars(options: { withOnsets?: boolean; withVelocities?: boolean } = {}): PianoRoll {
  const roll = createRoll(32, TRACKS, options);
  addNote(roll, 0, note(64, 0, 4));
  addNote(roll, 0, note(60, 4, 4));
  addNote(roll, 1, note(55, 0, 8));
  return roll;
}

describe('the snap grid', () => {
  it('is a 16th, an 8th or a quarter note in steps, at least one step', () => {
    expect([snapSteps(4, 'sixteenth'), snapSteps(4, 'eighth'), snapSteps(4, 'quarter')]).toEqual([1, 2, 4]);
    expect([snapSteps(2, 'sixteenth'), snapSteps(12, 'eighth')]).toEqual([1, 6]);
  });

  it('finds the grid lines around a step', () => {
    expect([snapDown(7, 4), snapDown(8, 4), snapNearest(5, 4), snapNearest(6, 4)]).toEqual([4, 8, 4, 8]);
    expect([nextGridStep(7, 4), nextGridStep(8, 4), previousGridStep(7, 4), previousGridStep(8, 4)]).toEqual([8, 12, 4, 4]);
  });

  it('says where a step is and how long a note lasts as a musician counts', () => {
    expect(positionWords({ stepsPerBeat: 4, beatsPerBar: 4 }, 0)).toBe('bar 1 beat 1');
    expect(positionWords({ stepsPerBeat: 4, beatsPerBar: 4 }, 26)).toBe('bar 2 beat 3½');
    expect(positionWords({ stepsPerBeat: 4, beatsPerBar: 3 }, 13)).toBe('bar 2 beat 1¼');
    expect([1, 2, 4, 6, 8].map((s) => lengthWords(s, 4))).toEqual(['¼ beat', '½ beat', '1 beat', '1½ beats', '2 beats']);
  });
});

describe('edits of one track', () => {
  it('adds a note and says where, leaving the input roll and the other track alone', () => {
    const roll = twoBars();
    const before = roll.active.slice();
    const { roll: out, note: placed, description, change } = applyEdit(roll, { kind: 'add', track: 0, note: note(67, 8, 2) });
    expect(roll.active).toEqual(before);
    expect(trackNotes(out, 0)).toEqual([note(64, 0, 4), note(60, 4, 4), note(67, 8, 2)]);
    expect(trackNotes(out, 1)).toEqual(trackNotes(roll, 1));
    expect(placed).toEqual(note(67, 8, 2));
    expect(description).toBe('Added G4 at bar 1 beat 3');
    expect(change).toEqual({ track: 0, removed: [], added: [note(67, 8, 2)] });
  });

  it('names the voice of an accompaniment track and cuts a note added past the end at it', () => {
    const { roll, description } = applyEdit(twoBars(), { kind: 'add', track: 1, note: note(50, 30, 8) });
    expect(trackNotes(roll, 1)).toEqual([note(55, 0, 8), note(50, 30, 2)]);
    expect(description).toBe('Added D3 at bar 2 beat 4½ in Alto');
  });

  it('moves a note in time and pitch, keeping its length', () => {
    const { roll, description } = applyEdit(twoBars(), {
      kind: 'move',
      track: 0,
      from: { pitch: 60, startStep: 4 },
      startStep: 12,
      pitch: 62,
    });
    expect(trackNotes(roll, 0)).toEqual([note(64, 0, 4), note(62, 12, 4)]);
    expect(description).toBe('Moved C4 at bar 1 beat 2 to D4 at bar 1 beat 4');
  });

  it('lengthens and shortens a note', () => {
    const longer = applyEdit(twoBars(), { kind: 'resize', track: 0, from: { pitch: 60, startStep: 4 }, steps: 6 });
    expect(trackNotes(longer.roll, 0)).toEqual([note(64, 0, 4), note(60, 4, 6)]);
    expect(longer.description).toBe('Lengthened C4 at bar 1 beat 2 to 1½ beats');
    const shorter = applyEdit(twoBars(), { kind: 'resize', track: 1, from: { pitch: 55, startStep: 0 }, steps: 1 });
    expect(trackNotes(shorter.roll, 1)).toEqual([note(55, 0, 1)]);
    expect(shorter.description).toBe('Shortened G3 at bar 1 beat 1 in Alto to ¼ beat');
  });

  it('deletes a note', () => {
    const { roll, description, note: placed } = applyEdit(twoBars(), { kind: 'delete', track: 0, from: { pitch: 64, startStep: 0 } });
    expect(trackNotes(roll, 0)).toEqual([note(60, 4, 4)]);
    expect(placed).toBeNull();
    expect(description).toBe('Deleted E4 at bar 1 beat 1');
  });

  it('writes a note over the notes of its pitch: they are cut around it', () => {
    const roll = createRoll(16, TRACKS);
    addNote(roll, 0, note(60, 0, 12));
    addNote(roll, 0, note(60, 12, 4));
    const { roll: out, change } = applyEdit(roll, { kind: 'add', track: 0, note: note(60, 4, 2) });
    expect(trackNotes(out, 0)).toEqual([note(60, 0, 4), note(60, 4, 2), note(60, 6, 6), note(60, 12, 4)]);
    expect(change.removed).toEqual([note(60, 0, 12)]);
    // A note moved over the whole of another takes its place.
    const over = applyEdit(out, { kind: 'move', track: 0, from: { pitch: 60, startStep: 12 }, startStep: 6, pitch: 60 });
    expect(trackNotes(over.roll, 0)).toEqual([note(60, 0, 4), note(60, 4, 2), note(60, 6, 4), note(60, 10, 2)]);
  });

  it('keeps a note added right before another of its pitch apart from it in a roll without onsets (a model output)', () => {
    const roll = twoBars({ withOnsets: false });
    const { roll: out } = applyEdit(roll, { kind: 'add', track: 0, note: note(60, 2, 2) });
    expect(trackNotes(out, 0)).toEqual([note(64, 0, 4), note(60, 2, 2), note(60, 4, 4)]);
    expect(trackNotes(out, 1)).toEqual([note(55, 0, 8)]);
  });

  it('keeps velocities where the roll stores them', () => {
    const roll = createRoll(8, TRACKS, { withVelocities: true });
    addNote(roll, 0, note(60, 0, 2, 40));
    const { roll: out } = applyEdit(roll, { kind: 'move', track: 0, from: { pitch: 60, startStep: 0 }, startStep: 4, pitch: 61 });
    expect(trackNotes(out, 0)).toEqual([note(61, 4, 2, 40)]);
    const added = applyEdit(out, { kind: 'add', track: 0, note: note(62, 0, 1, 100) });
    expect(trackNotes(added.roll, 0)[0]).toEqual(note(62, 0, 1, 100));
  });

  it('changes nothing for an edit that leaves the note as it was', () => {
    const roll = twoBars();
    const same = applyEdit(roll, { kind: 'move', track: 0, from: { pitch: 60, startStep: 4 }, startStep: 4, pitch: 60 });
    expect(same.roll).toBe(roll);
    expect(same.change).toEqual({ track: 0, removed: [], added: [] });
  });

  it('refuses an edit the roll cannot take, saying why', () => {
    const roll = twoBars();
    const refused = (edit: NoteEdit) => () => applyEdit(roll, edit);
    expect(refused({ kind: 'delete', track: 0, from: { pitch: 61, startStep: 0 } })).toThrow(
      new EditError('There is no note C♯4 at bar 1 beat 1.'),
    );
    expect(refused({ kind: 'move', track: 0, from: { pitch: 64, startStep: 0 }, startStep: -1, pitch: 64 })).toThrow(/before the start/);
    expect(refused({ kind: 'move', track: 0, from: { pitch: 64, startStep: 0 }, startStep: 29, pitch: 64 })).toThrow(/past the end/);
    expect(refused({ kind: 'move', track: 0, from: { pitch: 64, startStep: 0 }, startStep: 0, pitch: 128 })).toThrow(/off the keyboard/);
    expect(refused({ kind: 'resize', track: 0, from: { pitch: 64, startStep: 0 }, steps: 0 })).toThrow(/shorter than one step/);
    expect(refused({ kind: 'delete', track: 0, from: { pitch: 64, startStep: 0 } })).not.toThrow();
    expect(refused({ kind: 'add', track: 2, note: note(60, 0, 1) })).toThrow(RangeError);
    expect(refused({ kind: 'add', track: 0, note: note(60, 32, 1) })).toThrow(RangeError);
    expect(refused({ kind: 'add', track: 0, note: note(60, 0, 0) })).toThrow(RangeError);
  });

  it('rewrites a whole track from notes, cut at the end of the roll', () => {
    const out = withTrackNotes(twoBars(), 0, [note(70, 28, 8), note(71, 40, 2)]);
    expect(trackNotes(out, 0)).toEqual([note(70, 28, 4)]);
    expect(trackNotes(out, 1)).toEqual([note(55, 0, 8)]);
  });
});

describe('undo and redo', () => {
  const edits: NoteEdit[] = [
    { kind: 'add', track: 0, note: note(67, 8, 4) },
    { kind: 'move', track: 0, from: { pitch: 64, startStep: 0 }, startStep: 2, pitch: 60 },
    { kind: 'resize', track: 1, from: { pitch: 55, startStep: 0 }, steps: 16 },
    { kind: 'delete', track: 0, from: { pitch: 67, startStep: 8 } },
    { kind: 'add', track: 1, note: note(55, 20, 4) },
  ];

  /** Each edit applied and recorded in turn: the rolls after each (the first the input) and the history. */
  function run(start: PianoRoll, history: EditHistory = emptyHistory()) {
    const rolls = [start];
    for (const edit of edits) {
      const applied = applyEdit(rolls.at(-1)!, edit);
      history = recordEdit(history, { change: applied.change, description: applied.description });
      rolls.push(applied.roll);
    }
    return { rolls, history };
  }
  const notesOf = (roll: PianoRoll) => [trackNotes(roll, 0), trackNotes(roll, 1)];

  for (const withOnsets of [true, false]) {
    it(`undoes every edit back to the roll it began with, then redoes them all (${withOnsets ? 'with' : 'without'} onsets)`, () => {
      const { rolls, history: done } = run(twoBars({ withOnsets, withVelocities: true }));
      let history = done;
      let roll = rolls.at(-1)!;
      for (let i = edits.length - 1; i >= 0; i--) {
        const step = undoEdit(history, roll)!;
        ({ roll, history } = step);
        expect(notesOf(roll)).toEqual(notesOf(rolls[i]));
      }
      expect(roll.active).toEqual(rolls[0].active);
      expect(undoEdit(history, roll)).toBeNull();
      for (let i = 1; i <= edits.length; i++) {
        const step = redoEdit(history, roll)!;
        ({ roll, history } = step);
        expect(notesOf(roll)).toEqual(notesOf(rolls[i]));
      }
      expect(redoEdit(history, roll)).toBeNull();
    });
  }

  it('names the edit undone, and forgets what could be redone once a new edit is made', () => {
    const { rolls, history } = run(twoBars());
    const undone = undoEdit(history, rolls.at(-1)!)!;
    expect(undone.entry.description).toBe('Added G3 at bar 2 beat 2 in Alto');
    expect(undone.history.redo).toHaveLength(1);
    const again = applyEdit(undone.roll, { kind: 'add', track: 0, note: note(72, 0, 1) });
    const after = recordEdit(undone.history, { change: again.change, description: again.description });
    expect(after.redo).toEqual([]);
    expect(after.undo.at(-1)?.description).toBe('Added C5 at bar 1 beat 1');
  });

  it('keeps no more edits than its limit, dropping the oldest, and records no edit that changed nothing', () => {
    const { history } = run(twoBars(), emptyHistory(3));
    expect(history.undo.map((e) => e.description)).toEqual([
      'Lengthened G3 at bar 1 beat 1 in Alto to 4 beats',
      'Deleted G4 at bar 1 beat 3',
      'Added G3 at bar 2 beat 2 in Alto',
    ]);
    expect(recordEdit(history, { change: { track: 0, removed: [], added: [] }, description: 'nothing' })).toBe(history);
    expect(() => emptyHistory(0)).toThrow(RangeError);
  });
});
