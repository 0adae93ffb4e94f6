/** The note editor's keyboard mapping and pointer drags (src/ui/editInput.ts), as plain data. */
import { describe, expect, it } from 'vitest';
import { press } from './ui-controller-fixtures';
import type { Note } from '../../src/music/notes';
import { cursorWords, dragEdit, editedNote, keyCommand, pressAt, pressCursor, type KeyContext } from '../../src/ui/editInput';

const note = (pitch: number, startStep: number, steps: number): Note => ({ pitch, startStep, steps, velocity: 90 });
/** The melody E4 (beat 1) and C4 (beat 2, a beat long) in a bar of 16ths. */
const NOTES = [note(64, 0, 4), note(60, 4, 4)];

function context(cursor: { step: number; pitch: number }, more: Partial<KeyContext> = {}): KeyContext {
  return { steps: 16, stepsPerBeat: 4, beatsPerBar: 4, track: 0, notes: NOTES, cursor, snap: 1, ...more };
}

describe('the editor keys', () => {
  it('move the cursor along the grid and up and down the keyboard, kept on the piece', () => {
    const at = context({ step: 5, pitch: 60 }, { snap: 4 });
    expect(keyCommand(press('ArrowRight'), at)).toEqual({ kind: 'cursor', cursor: { step: 8, pitch: 60 } });
    expect(keyCommand(press('ArrowLeft'), at)).toEqual({ kind: 'cursor', cursor: { step: 4, pitch: 60 } });
    expect(keyCommand(press('ArrowUp'), at)).toEqual({ kind: 'cursor', cursor: { step: 5, pitch: 61 } });
    expect(keyCommand(press('ArrowDown', { shiftKey: true }), at)).toEqual({ kind: 'cursor', cursor: { step: 5, pitch: 48 } });
    expect(keyCommand(press('ArrowLeft'), context({ step: 0, pitch: 60 }))).toEqual({ kind: 'cursor', cursor: { step: 0, pitch: 60 } });
    expect(keyCommand(press('ArrowRight'), context({ step: 15, pitch: 60 }))).toEqual({ kind: 'cursor', cursor: { step: 15, pitch: 60 } });
    expect(keyCommand(press('ArrowUp'), context({ step: 0, pitch: 127 }))).toEqual({ kind: 'cursor', cursor: { step: 0, pitch: 127 } });
    expect(keyCommand(press('End'), at)).toEqual({ kind: 'cursor', cursor: { step: 12, pitch: 60 } });
    expect(keyCommand(press('Home'), at)).toEqual({ kind: 'cursor', cursor: { step: 0, pitch: 60 } });
  });

  it('jump to the next and previous note with Ctrl or Cmd', () => {
    expect(keyCommand(press('ArrowRight', { ctrlKey: true }), context({ step: 0, pitch: 64 }))).toEqual({
      kind: 'cursor',
      cursor: { step: 4, pitch: 60 },
    });
    expect(keyCommand(press('ArrowLeft', { metaKey: true }), context({ step: 6, pitch: 50 }))).toEqual({
      kind: 'cursor',
      cursor: { step: 4, pitch: 60 },
    });
    expect(keyCommand(press('ArrowRight', { ctrlKey: true }), context({ step: 4, pitch: 60 }))).toEqual({
      kind: 'refuse',
      reason: 'No note after the cursor.',
    });
  });

  it('add a note of the grid length with Enter, where there is none', () => {
    expect(keyCommand(press('Enter'), context({ step: 8, pitch: 67 }, { snap: 2, track: 1 }))).toEqual({
      kind: 'edit',
      edit: { kind: 'add', track: 1, note: { pitch: 67, startStep: 8, steps: 2, velocity: 90 } },
      cursor: { step: 8, pitch: 67 },
    });
    expect(keyCommand(press('Enter'), context({ step: 5, pitch: 60 }))).toEqual({
      kind: 'refuse',
      reason: 'C4 at bar 1 beat 2 is already a note there: Delete removes it.',
    });
  });

  it('delete the note under the cursor with Delete or Backspace', () => {
    const edit = { kind: 'delete', track: 0, from: { pitch: 60, startStep: 4 } };
    expect(keyCommand(press('Delete'), context({ step: 6, pitch: 60 }))).toEqual({ kind: 'edit', edit, cursor: { step: 6, pitch: 60 } });
    expect(keyCommand(press('Backspace'), context({ step: 6, pitch: 60 }))).toMatchObject({ kind: 'edit', edit });
    expect(keyCommand(press('Delete'), context({ step: 8, pitch: 60 }))).toEqual({
      kind: 'refuse',
      reason: 'No note at the cursor (C4, bar 1 beat 3).',
    });
  });

  it('lengthen and shorten the note with Shift+Right and Left, to the grid, a step long at least', () => {
    const quarter = context({ step: 4, pitch: 60 }, { snap: 4 });
    expect(keyCommand(press('ArrowRight', { shiftKey: true }), quarter)).toEqual({
      kind: 'edit',
      edit: { kind: 'resize', track: 0, from: { pitch: 60, startStep: 4 }, steps: 8 },
      cursor: { step: 4, pitch: 60 },
    });
    expect(keyCommand(press('ArrowLeft', { shiftKey: true }), quarter)).toMatchObject({ edit: { kind: 'resize', steps: 1 } });
    expect(keyCommand(press('ArrowLeft', { shiftKey: true }), context({ step: 4, pitch: 60 }, { snap: 1 }))).toMatchObject({
      edit: { steps: 3 },
    });
    const short = context({ step: 0, pitch: 64 }, { notes: [note(64, 0, 1)] });
    expect(keyCommand(press('ArrowLeft', { shiftKey: true }), short)).toEqual({
      kind: 'refuse',
      reason: 'E4 at bar 1 beat 1 is as short as a note can be.',
    });
    const last = context({ step: 12, pitch: 64 }, { notes: [note(64, 12, 4)] });
    expect(keyCommand(press('ArrowRight', { shiftKey: true }), last)).toMatchObject({ kind: 'refuse', reason: /to the end of the piece/ });
  });

  it('move the note a semitone (an octave with Shift) with Alt+Up and Down, and along the grid with Alt+Left and Right', () => {
    const at = context({ step: 6, pitch: 60 }, { snap: 2 });
    const from = { pitch: 60, startStep: 4 };
    expect(keyCommand(press('ArrowUp', { altKey: true }), at)).toEqual({
      kind: 'edit',
      edit: { kind: 'move', track: 0, from, startStep: 4, pitch: 61 },
      cursor: { step: 6, pitch: 61 },
    });
    expect(keyCommand(press('ArrowDown', { altKey: true, shiftKey: true }), at)).toMatchObject({
      edit: { pitch: 48 },
      cursor: { pitch: 48 },
    });
    expect(keyCommand(press('ArrowRight', { altKey: true }), at)).toEqual({
      kind: 'edit',
      edit: { kind: 'move', track: 0, from, startStep: 6, pitch: 60 },
      cursor: { step: 8, pitch: 60 },
    });
    expect(keyCommand(press('ArrowLeft', { altKey: true }), at)).toMatchObject({ edit: { startStep: 2 }, cursor: { step: 4 } });
    expect(keyCommand(press('ArrowUp', { altKey: true }), context({ step: 9, pitch: 60 }))).toMatchObject({ kind: 'refuse' });
  });

  it('undo with Ctrl or Cmd+Z and redo with Shift+Ctrl or Cmd+Z (or Ctrl+Y), whatever the caps lock', () => {
    const at = context({ step: 0, pitch: 60 });
    expect(keyCommand(press('z', { ctrlKey: true }), at)).toEqual({ kind: 'undo' });
    expect(keyCommand(press('z', { metaKey: true }), at)).toEqual({ kind: 'undo' });
    expect(keyCommand(press('Z', { ctrlKey: true, shiftKey: true }), at)).toEqual({ kind: 'redo' });
    expect(keyCommand(press('Z', { metaKey: true, shiftKey: true }), at)).toEqual({ kind: 'redo' });
    expect(keyCommand(press('y', { ctrlKey: true }), at)).toEqual({ kind: 'redo' });
  });

  it("leave other keys alone, Space and Tab included, and the browser's own Ctrl shortcuts", () => {
    const at = context({ step: 0, pitch: 60 });
    for (const key of [' ', 'Tab', 'a', 'Escape', 'F5']) expect(keyCommand(press(key), at)).toBeNull();
    expect(keyCommand(press('c', { ctrlKey: true }), at)).toBeNull();
    expect(keyCommand(press('ArrowUp', { ctrlKey: true }), at)).toBeNull();
    expect(keyCommand(press('x', { altKey: true }), at)).toBeNull();
  });

  it('say what the cursor is on', () => {
    expect(cursorWords(context({ step: 6, pitch: 60 }))).toBe('C4, bar 1 beat 2½: a note of 1 beat, from bar 1 beat 2');
    expect(cursorWords(context({ step: 0, pitch: 64 }))).toBe('E4, bar 1 beat 1: a note of 1 beat');
    expect(cursorWords(context({ step: 9, pitch: 61 }))).toBe('C♯4, bar 1 beat 3¼, empty');
  });
});

describe('the pointer on the grid', () => {
  it('draws a new note from an empty cell: a grid cell on a click, to the grid line after the pointer on a drag', () => {
    const start = pressAt(NOTES, { step: 9.5, pitch: 67 }, 0.5);
    expect(start).toEqual({ mode: 'draw', note: null, at: { step: 9.5, pitch: 67 } });
    expect(pressCursor(start, 4)).toEqual({ step: 8, pitch: 67 });
    expect(dragEdit(start, { step: 9.6, pitch: 67 }, 4, 0, 16)).toEqual({
      kind: 'add',
      track: 0,
      note: { pitch: 67, startStep: 8, steps: 4, velocity: 90 },
    });
    // Drawn further, and past the end of the piece: cut at it; the pitch stays the one pressed.
    expect(dragEdit(start, { step: 13.2, pitch: 70 }, 1, 0, 16)).toMatchObject({ note: { pitch: 67, startStep: 9, steps: 5 } });
    expect(dragEdit(start, { step: 30, pitch: 67 }, 4, 0, 16)).toMatchObject({ note: { startStep: 8, steps: 8 } });
  });

  it('moves a note pressed in its body, by whole grid cells and semitones, kept on the piece', () => {
    const start = pressAt(NOTES, { step: 5.2, pitch: 60 }, 0.5);
    expect(start.mode).toBe('move');
    expect(pressCursor(start, 4)).toEqual({ step: 4, pitch: 60 });
    expect(dragEdit(start, { step: 5.4, pitch: 60 }, 1, 0, 16)).toBeNull();
    expect(dragEdit(start, { step: 8, pitch: 62 }, 1, 0, 16)).toEqual({
      kind: 'move',
      track: 0,
      from: { pitch: 60, startStep: 4 },
      startStep: 7,
      pitch: 62,
    });
    expect(dragEdit(start, { step: 8, pitch: 62 }, 4, 0, 16)).toMatchObject({ startStep: 8 });
    expect(dragEdit(start, { step: 40, pitch: 60 }, 1, 0, 16)).toMatchObject({ startStep: 12 });
  });

  it('resizes a note pressed near its end, to the grid line nearest the pointer, a step long at least', () => {
    const start = pressAt(NOTES, { step: 7.8, pitch: 60 }, 0.5);
    expect(start.mode).toBe('resize');
    expect(dragEdit(start, { step: 10.3, pitch: 64 }, 1, 0, 16)).toEqual({
      kind: 'resize',
      track: 0,
      from: { pitch: 60, startStep: 4 },
      steps: 6,
    });
    expect(dragEdit(start, { step: 1, pitch: 60 }, 1, 0, 16)).toMatchObject({ steps: 1 });
    expect(dragEdit(start, { step: 8.2, pitch: 60 }, 1, 0, 16)).toBeNull();
    // A short note keeps half of itself for moving.
    expect(pressAt([note(60, 0, 1)], { step: 0.3, pitch: 60 }, 2).mode).toBe('move');
  });

  it('draws what a drag would leave', () => {
    expect(editedNote({ kind: 'move', track: 0, from: { pitch: 60, startStep: 4 }, startStep: 8, pitch: 62 }, NOTES)).toEqual(
      note(62, 8, 4),
    );
    expect(editedNote({ kind: 'resize', track: 0, from: { pitch: 64, startStep: 0 }, steps: 2 }, NOTES)).toEqual(note(64, 0, 2));
    expect(editedNote({ kind: 'delete', track: 0, from: { pitch: 64, startStep: 0 } }, NOTES)).toBeNull();
  });
});
