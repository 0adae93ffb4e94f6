/**
 * Editing on the piano roll (PianoRollView.tsx): the pointer's presses, drags and right-clicks become edits of the
 * edited track's notes (src/ui/editInput.ts says which), the rows stay still during a drag, and the editing marks
 * (the keyboard cursor, the note under it, a dragged note where it would land) are drawn over the notes.
 */
import { useEffect, useMemo, useRef, useState, type MouseEvent, type PointerEvent, type RefObject } from 'react';
import { noteAt } from '../music/edits';
import { trackNotes, type Note } from '../music/notes';
import type { PianoRoll } from '../music/pianoRoll';
import type { NoteEditor } from './EditBar';
import { dragEdit, editedNote, pressAt, pressCursor, selectedNote, type DragStart } from './editInput';
import { cellAt, noteRect, trackColor } from './rollGeometry';

/** How near a note's right end (in CSS pixels) a press resizes the note instead of moving it. */
const RESIZE_EDGE_PX = 6;

type Range = { low: number; high: number };

/** What the editing marks are drawn from. */
interface EditingMarks {
  /** The roll's scroll, in CSS pixels. */
  left: number;
  editor: NoteEditor;
  /** The note a drag would leave, or null. */
  ghost: Note | null;
  /** The edited track's notes. */
  notes: readonly Note[];
  range: Range;
  pxPerStep: number;
  height: number;
  steps: number;
}

/** The cursor (its grid cell outlined, its column shaded), the note under it (framed) and a dragged note where it would go. */
export function drawEditing(
  ctx: CanvasRenderingContext2D,
  { left, editor, ghost, notes, range, pxPerStep, height, steps }: EditingMarks,
): void {
  const frame = (note: Note, colour: string, lineWidth: number) => {
    const r = noteRect({ pitch: note.pitch, step: note.startStep, steps: note.steps }, range, pxPerStep, height);
    ctx.lineWidth = lineWidth;
    ctx.strokeStyle = colour;
    ctx.strokeRect(r.x - left + lineWidth / 2, r.y + lineWidth / 2, Math.max(1, r.width - lineWidth), Math.max(1, r.height - lineWidth));
    return r;
  };
  const { cursor } = editor;
  const cell: Note = {
    pitch: cursor.pitch,
    startStep: cursor.step,
    steps: Math.max(1, Math.min(editor.snap, steps - cursor.step)),
    velocity: 0,
  };
  const column = noteRect({ pitch: cell.pitch, step: cell.startStep, steps: cell.steps }, range, pxPerStep, height);
  // A cross of a shaded column and row leads the eye to the cursor's cell.
  ctx.fillStyle = 'rgba(31, 35, 40, 0.10)';
  ctx.fillRect(column.x - left, 0, Math.max(2, column.width), height);
  ctx.fillStyle = 'rgba(207, 34, 46, 0.07)';
  ctx.fillRect(0, column.y, ctx.canvas.width, column.height);
  if (ghost) {
    const r = noteRect({ pitch: ghost.pitch, step: ghost.startStep, steps: ghost.steps }, range, pxPerStep, height);
    ctx.globalAlpha = 0.75;
    ctx.fillStyle = trackColor(editor.track);
    ctx.fillRect(r.x - left, r.y, r.width, r.height);
    ctx.globalAlpha = 1;
    frame(ghost, '#1f2328', 2);
    return;
  }
  const selected = selectedNote(notes, cursor);
  if (selected) {
    // A dark frame with a light one inside: it shows on the note's colour and on the white grid alike.
    frame(selected, '#1f2328', 3);
    frame(selected, '#ffffff', 1);
  }
  ctx.setLineDash([4, 2]);
  frame(cell, '#cf222e', 2);
  ctx.setLineDash([]);
}

/** The canvas's pointer handlers while editing. */
export interface EditingHandlers {
  onPointerDown: (event: PointerEvent<HTMLCanvasElement>) => void;
  onPointerMove: (event: PointerEvent<HTMLCanvasElement>) => void;
  onPointerUp: (event: PointerEvent<HTMLCanvasElement>) => void;
  onPointerCancel: () => void;
  onContextMenu: (event: MouseEvent<HTMLCanvasElement>) => void;
}

/** What the roll needs to edit: its view's scroll, scale and rows. */
interface EditingView {
  scrollRef: RefObject<HTMLDivElement | null>;
  pxPerStep: number;
  height: number;
  /** The rows the roll would show now; during a drag they stay as they were when it began. */
  range: Range;
}

/**
 * Editing of `roll` by `editor` (null while editing is off): the edited track's notes, the rows to show, the note a
 * drag would leave (and the one it came from), and the pointer handlers.
 */
export function useRollEditing(editor: NoteEditor | null, roll: PianoRoll | null, view: EditingView) {
  const { scrollRef, pxPerStep, height } = view;
  const editTrack = editor?.track ?? -1;
  const editNotes = useMemo(() => (roll && editTrack >= 0 ? trackNotes(roll, editTrack) : []), [roll, editTrack]);
  // The rows stay where they are during a drag (the cursor moving to the note pressed may change the range).
  const [dragRange, setDragRange] = useState<Range | null>(null);
  const range = dragRange ?? view.range;
  const drag = useRef<{ start: DragStart; pointerId: number } | null>(null);
  // The note a drag would leave (drawn over the roll until the pointer is let go), and the note it came from.
  const [ghost, setGhost] = useState<{ note: Note; from: Note | null } | null>(null);

  // The cursor stays in view as the keys move it.
  const cursorStep = editor?.cursor.step ?? null;
  const cursorWidth = editor ? editor.snap * pxPerStep : 0;
  useEffect(() => {
    const scroller = scrollRef.current;
    if (cursorStep === null || !scroller) return;
    const x = cursorStep * pxPerStep;
    if (x < scroller.scrollLeft) scroller.scrollLeft = Math.max(0, x - 2 * cursorWidth);
    else if (x + cursorWidth > scroller.scrollLeft + scroller.clientWidth)
      scroller.scrollLeft = x + cursorWidth - scroller.clientWidth + 2 * cursorWidth;
  }, [cursorStep, cursorWidth, pxPerStep, scrollRef]);

  if (!editor || !roll) return { editNotes, range, ghost, handlers: null };

  /** The grid place under the pointer. */
  const placeOf = (event: PointerEvent<HTMLCanvasElement> | MouseEvent<HTMLCanvasElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    return cellAt(event.clientX - box.left + (scrollRef.current?.scrollLeft ?? 0), event.clientY - box.top, range, pxPerStep, height);
  };
  const stop = () => {
    drag.current = null;
    setGhost(null);
    setDragRange(null);
  };
  /** A drag: where the note would go, drawn until the pointer is let go. */
  const follow = (event: PointerEvent<HTMLCanvasElement>) => {
    const current = drag.current;
    if (!current || current.pointerId !== event.pointerId) return;
    const edit = dragEdit(current.start, placeOf(event), editor.snap, editor.track, roll.steps);
    const note = edit && editedNote(edit, editNotes);
    setGhost(note ? { note, from: current.start.note } : null);
  };
  const handlers: EditingHandlers = {
    // A press selects the note pressed (or the cell), and starts moving, resizing or drawing one.
    onPointerDown: (event) => {
      if (event.button !== 0) return;
      event.preventDefault();
      scrollRef.current?.focus({ preventScroll: true });
      event.currentTarget.setPointerCapture(event.pointerId);
      const start = pressAt(editNotes, placeOf(event), RESIZE_EDGE_PX / pxPerStep);
      drag.current = { start, pointerId: event.pointerId };
      setDragRange(range);
      editor.onCursor(pressCursor(start, editor.snap));
      follow(event);
    },
    onPointerMove: follow,
    // The pointer let go: the drag's edit is made (a click on a note only selected it).
    onPointerUp: (event) => {
      const current = drag.current;
      if (!current || current.pointerId !== event.pointerId) return;
      stop();
      const edit = dragEdit(current.start, placeOf(event), editor.snap, editor.track, roll.steps);
      if (edit) editor.onEdit(edit);
    },
    onPointerCancel: stop,
    // A right-click on a note deletes it.
    onContextMenu: (event) => {
      const at = placeOf(event);
      const note = noteAt(editNotes, Math.floor(at.step), at.pitch);
      if (!note) return;
      event.preventDefault();
      editor.onEdit({ kind: 'delete', track: editor.track, from: { pitch: note.pitch, startStep: note.startStep } });
    },
  };
  return { editNotes, range, ghost, handlers };
}
