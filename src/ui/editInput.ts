/**
 * What a key or a drag does to the notes in the editor, as plain data: the keyboard mapping (a cursor on the grid,
 * the note under it selected) and the pointer's presses and drags, each turned into a cursor move or a `NoteEdit`.
 * The editor components only read events and hand them here; the edits themselves are src/music/edits.ts.
 */
import { DEFAULT_VELOCITY } from '../music/constants';
import type { Note } from '../music/notes';
import { PITCHES } from '../music/pianoRoll';
import {
  lengthWords,
  nextGridStep,
  noteAt,
  noteWords,
  positionWords,
  previousGridStep,
  snapDown,
  snapNearest,
  type NoteEdit,
} from '../music/edits';
import { pitchName } from '../music/spelling';

/** A place on the grid: a step and a pitch. */
export interface EditCursor {
  step: number;
  pitch: number;
}

/** The parts of a key press the mapping reads (a DOM KeyboardEvent has them all). */
export interface KeyPress {
  key: string;
  shiftKey: boolean;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
}

/** What the keys act on: the piece's length and grid, the edited track and its notes, the cursor and the snap. */
export interface KeyContext {
  steps: number;
  stepsPerBeat: number;
  beatsPerBar: number;
  track: number;
  /** The notes of the edited track, as `trackNotes` reads them. */
  notes: readonly Note[];
  cursor: EditCursor;
  /** Steps in one cell of the snap grid. */
  snap: number;
}

/** What a key does. */
export type KeyCommand =
  | { kind: 'cursor'; cursor: EditCursor }
  | { kind: 'edit'; edit: NoteEdit; cursor: EditCursor }
  | { kind: 'undo' }
  | { kind: 'redo' }
  /** The key means something here but cannot act now; `reason` says why, for the user. */
  | { kind: 'refuse'; reason: string };

/** The keys, in words, for the editor's help and its label. */
export const EDIT_KEYS_HELP =
  'Arrow keys move the cursor (Shift+Up and Down by an octave), Ctrl+Left and Right jump to the previous or next note; Enter adds a note at the cursor, Delete removes the note under it; Shift+Left and Right shorten or lengthen it; Alt+Up and Down move it a semitone (with Shift an octave), Alt+Left and Right move it along the grid; Ctrl+Z undoes, Shift+Ctrl+Z redoes (Cmd on a Mac).';

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/** The note under the cursor (the selection), or null. */
export function selectedNote(notes: readonly Note[], cursor: EditCursor): Note | null {
  return noteAt(notes, cursor.step, cursor.pitch);
}

/** What the cursor is on, in words: "E4, bar 2 beat 3: a note of 1 beat" or "E4, bar 2 beat 3, empty". */
export function cursorWords(context: Pick<KeyContext, 'notes' | 'cursor' | 'stepsPerBeat' | 'beatsPerBar'>): string {
  const { cursor } = context;
  const note = selectedNote(context.notes, cursor);
  const place = `${pitchName(cursor.pitch)}, ${positionWords(context, cursor.step)}`;
  if (!note) return `${place}, empty`;
  const from = note.startStep === cursor.step ? '' : `, from ${positionWords(context, note.startStep)}`;
  return `${place}: a note of ${lengthWords(note.steps, context.stepsPerBeat)}${from}`;
}

/** The command of a key press in the editor, or null for a key that is not the editor's (it keeps its own meaning). */
export function keyCommand(press: KeyPress, context: KeyContext): KeyCommand | null {
  const { cursor, snap, track, notes, steps } = context;
  const command = press.ctrlKey || press.metaKey;
  const key = press.key.length === 1 ? press.key.toLowerCase() : press.key;
  if (command && !press.altKey) {
    if (key === 'z') return { kind: press.shiftKey ? 'redo' : 'undo' };
    if (key === 'y' && !press.shiftKey) return { kind: 'redo' };
    if (key === 'ArrowLeft' || key === 'ArrowRight') {
      const ordered = [...notes].sort((a, b) => a.startStep - b.startStep || a.pitch - b.pitch);
      const after = (n: Note) => n.startStep > cursor.step || (n.startStep === cursor.step && n.pitch > cursor.pitch);
      const before = (n: Note) => n.startStep < cursor.step || (n.startStep === cursor.step && n.pitch < cursor.pitch);
      const next = key === 'ArrowRight' ? ordered.find(after) : ordered.filter(before).at(-1);
      if (!next) return { kind: 'refuse', reason: key === 'ArrowRight' ? 'No note after the cursor.' : 'No note before the cursor.' };
      return { kind: 'cursor', cursor: { step: next.startStep, pitch: next.pitch } };
    }
    return null;
  }
  if (command) return null;
  const note = selectedNote(notes, cursor);
  const lastStep = Math.max(0, steps - 1);
  const noNote = {
    kind: 'refuse',
    reason: `No note at the cursor (${pitchName(cursor.pitch)}, ${positionWords(context, cursor.step)}).`,
  } as const;
  const move = (startStep: number, pitch: number): KeyCommand =>
    note
      ? {
          kind: 'edit',
          edit: { kind: 'move', track, from: { pitch: note.pitch, startStep: note.startStep }, startStep, pitch },
          cursor: { step: cursor.step + startStep - note.startStep, pitch },
        }
      : noNote;
  if (press.altKey) {
    const octave = press.shiftKey ? 12 : 1;
    switch (key) {
      case 'ArrowUp':
        return note ? move(note.startStep, note.pitch + octave) : noNote;
      case 'ArrowDown':
        return note ? move(note.startStep, note.pitch - octave) : noNote;
      case 'ArrowLeft':
        return note ? move(previousGridStep(note.startStep, snap), note.pitch) : noNote;
      case 'ArrowRight':
        return note ? move(nextGridStep(note.startStep, snap), note.pitch) : noNote;
      default:
        return null;
    }
  }
  if (press.shiftKey && (key === 'ArrowLeft' || key === 'ArrowRight')) {
    if (!note) return noNote;
    const end = note.startStep + note.steps;
    const newEnd = key === 'ArrowRight' ? nextGridStep(end, snap) : Math.max(note.startStep + 1, previousGridStep(end, snap));
    if (newEnd === end) return { kind: 'refuse', reason: `${noteWords(context, note)} is as short as a note can be.` };
    if (newEnd > steps && end >= steps)
      return { kind: 'refuse', reason: `${noteWords(context, note)} already lasts to the end of the piece.` };
    const cursorStep = Math.min(cursor.step, newEnd - 1);
    return {
      kind: 'edit',
      edit: {
        kind: 'resize',
        track,
        from: { pitch: note.pitch, startStep: note.startStep },
        steps: Math.min(newEnd, steps) - note.startStep,
      },
      cursor: { step: cursorStep, pitch: cursor.pitch },
    };
  }
  switch (key) {
    case 'ArrowLeft':
      return { kind: 'cursor', cursor: { step: clamp(previousGridStep(cursor.step, snap), 0, lastStep), pitch: cursor.pitch } };
    case 'ArrowRight':
      return { kind: 'cursor', cursor: { step: clamp(nextGridStep(cursor.step, snap), 0, lastStep), pitch: cursor.pitch } };
    case 'ArrowUp':
      return { kind: 'cursor', cursor: { step: cursor.step, pitch: clamp(cursor.pitch + (press.shiftKey ? 12 : 1), 0, PITCHES - 1) } };
    case 'ArrowDown':
      return { kind: 'cursor', cursor: { step: cursor.step, pitch: clamp(cursor.pitch - (press.shiftKey ? 12 : 1), 0, PITCHES - 1) } };
    case 'Home':
      return { kind: 'cursor', cursor: { step: 0, pitch: cursor.pitch } };
    case 'End':
      return { kind: 'cursor', cursor: { step: snapDown(lastStep, snap), pitch: cursor.pitch } };
    case 'Enter':
      if (note) return { kind: 'refuse', reason: `${noteWords(context, note)} is already a note there: Delete removes it.` };
      return {
        kind: 'edit',
        edit: { kind: 'add', track, note: { pitch: cursor.pitch, startStep: cursor.step, steps: snap, velocity: DEFAULT_VELOCITY } },
        cursor,
      };
    case 'Delete':
    case 'Backspace':
      if (!note) return noNote;
      return { kind: 'edit', edit: { kind: 'delete', track, from: { pitch: note.pitch, startStep: note.startStep } }, cursor };
    default:
      return null;
  }
}

/** What a press on the grid starts: moving or resizing the note under it, or drawing a new one. */
export interface DragStart {
  mode: 'move' | 'resize' | 'draw';
  /** The note pressed (move, resize); null when drawing. */
  note: Note | null;
  /** Where it was pressed: a step with its fraction (where in the step), and a pitch. */
  at: EditCursor;
}

/**
 * What a press at `at` (its step with a fraction) starts: on a note of the edited track, a resize near its end (the
 * last `edgeSteps`, at most half the note) or else a move; on an empty cell, drawing a note.
 */
export function pressAt(notes: readonly Note[], at: EditCursor, edgeSteps: number): DragStart {
  const note = noteAt(notes, Math.floor(at.step), at.pitch);
  if (!note) return { mode: 'draw', note: null, at };
  const end = note.startStep + note.steps;
  return { mode: at.step >= end - Math.min(edgeSteps, note.steps / 2) ? 'resize' : 'move', note, at };
}

/** Where the cursor goes on a press: to the start of the note pressed, or to the grid cell drawn in. */
export function pressCursor(start: DragStart, snap: number): EditCursor {
  if (start.note) return { step: start.note.startStep, pitch: start.note.pitch };
  return { step: snapDown(Math.floor(start.at.step), snap), pitch: start.at.pitch };
}

/**
 * The edit of a drag from `start` to `to` (steps with their fractions) on a piece of `steps` steps, snapped to
 * `snap`; null when it changes nothing (a click on a note only selects it). A drawn note starts at the grid line
 * before the press and reaches at least one grid cell, further to the grid line after the pointer; a moved note
 * keeps its length and its place between grid lines, and stays on the piece; a resized note ends at the grid line
 * nearest the pointer, a step long at least.
 */
export function dragEdit(start: DragStart, to: EditCursor, snap: number, track: number, steps: number): NoteEdit | null {
  const { note } = start;
  if (start.mode === 'draw' || !note) {
    const first = snapDown(Math.floor(start.at.step), snap);
    const end = Math.max(first + snap, Math.ceil(to.step / snap) * snap);
    return {
      kind: 'add',
      track,
      note: { pitch: start.at.pitch, startStep: first, steps: Math.min(end, steps) - first, velocity: DEFAULT_VELOCITY },
    };
  }
  const from = { pitch: note.pitch, startStep: note.startStep };
  if (start.mode === 'move') {
    const startStep = clamp(note.startStep + snapNearest(to.step - start.at.step, snap), 0, Math.max(0, steps - note.steps));
    const pitch = clamp(note.pitch + to.pitch - start.at.pitch, 0, PITCHES - 1);
    if (startStep === note.startStep && pitch === note.pitch) return null;
    return { kind: 'move', track, from, startStep, pitch };
  }
  const end = clamp(snapNearest(to.step, snap), note.startStep + 1, steps);
  if (end === note.startStep + note.steps) return null;
  return { kind: 'resize', track, from, steps: end - note.startStep };
}

/** The note an edit would leave where the pointer is, drawn while dragging (null for a delete). */
export function editedNote(edit: NoteEdit, notes: readonly Note[]): Note | null {
  switch (edit.kind) {
    case 'add':
      return edit.note;
    case 'delete':
      return null;
    case 'move':
    case 'resize': {
      const from = notes.find((n) => n.pitch === edit.from.pitch && n.startStep === edit.from.startStep);
      if (!from) return null;
      return edit.kind === 'move' ? { ...from, startStep: edit.startStep, pitch: edit.pitch } : { ...from, steps: edit.steps };
    }
  }
}
