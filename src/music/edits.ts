/**
 * Editing notes on a piano roll: add, move, resize and delete one note of one track, snapped to a grid, and an
 * undo/redo history of bounded size. Every operation reads the track through `trackNotes` and writes through
 * `addNote` (notes.ts), and returns a new roll: the roll handed in is never changed.
 *
 * An edit is recorded as the notes it took out of one track and the notes it put in (a `TrackChange`), so undoing
 * it is the same operation the other way round, and a history of many edits of a long piece stays small.
 */
import { DEFAULT_VELOCITY } from './constants';
import { addNote, trackNotes, type Note } from './notes';
import { PITCHES, cellIndex, checkTrackIndex, cloneRoll, stepsPerBar, type PianoRoll } from './pianoRoll';
import { pitchName } from './spelling';

/** The grid a note snaps to. */
export type SnapValue = 'sixteenth' | 'eighth' | 'quarter';

/** The grids on offer, finest first. */
export const SNAP_VALUES: readonly SnapValue[] = ['sixteenth', 'eighth', 'quarter'];

/** The grid of a fresh page: the model's own 16th-note steps. */
export const DEFAULT_SNAP: SnapValue = 'sixteenth';

/** Length of one cell of each grid, in quarter-note beats. */
const SNAP_BEATS: Record<SnapValue, number> = { sixteenth: 0.25, eighth: 0.5, quarter: 1 };

/** How many edits the history keeps for undo; the oldest goes first. */
export const EDIT_HISTORY_LIMIT = 200;

/** Steps in one cell of `snap` on a grid of `stepsPerBeat` (at least one step). */
export function snapSteps(stepsPerBeat: number, snap: SnapValue): number {
  return Math.max(1, Math.round(stepsPerBeat * SNAP_BEATS[snap]));
}

/** The grid line at or before `step`. */
export function snapDown(step: number, size: number): number {
  return Math.floor(step / size) * size;
}

/** The grid line nearest to `step`. */
export function snapNearest(step: number, size: number): number {
  return Math.round(step / size) * size;
}

/** The grid line after `step` (the next one when `step` is on a line). */
export function nextGridStep(step: number, size: number): number {
  return snapDown(step, size) + size;
}

/** The grid line before `step` (the previous one when `step` is on a line). */
export function previousGridStep(step: number, size: number): number {
  return Math.ceil(step / size) * size - size;
}

/** Which note of a track: its pitch and first step (no two notes of a track share both). */
export interface NoteRef {
  pitch: number;
  startStep: number;
}

/** One edit of one track. */
export type NoteEdit =
  | { kind: 'add'; track: number; note: Note }
  | { kind: 'move'; track: number; from: NoteRef; startStep: number; pitch: number }
  | { kind: 'resize'; track: number; from: NoteRef; steps: number }
  | { kind: 'delete'; track: number; from: NoteRef };

/** What an edit did to one track: the notes it took out and the notes it put in. */
export interface TrackChange {
  track: number;
  removed: Note[];
  added: Note[];
}

/** An edit applied: the new roll, the change (empty when nothing changed), the note as placed and what happened, in words. */
export interface AppliedEdit {
  roll: PianoRoll;
  change: TrackChange;
  /** The note added, moved or resized, as it now is; null for a delete. */
  note: Note | null;
  /** "Added E4 at bar 2 beat 3", for the page to say. */
  description: string;
}

/** An edit the roll cannot take (no note where it points, a note moved off the piece); the message says why, for the user. */
export class EditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EditError';
  }
}

const FRACTIONS: Record<string, string> = {
  '1/2': '½',
  '1/4': '¼',
  '3/4': '¾',
  '1/3': '⅓',
  '2/3': '⅔',
  '1/8': '⅛',
  '3/8': '⅜',
  '5/8': '⅝',
  '7/8': '⅞',
};

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** `part` of `whole` as a fraction: "½", "¾", "5/12". */
function fraction(part: number, whole: number): string {
  const d = gcd(part, whole);
  const text = `${part / d}/${whole / d}`;
  return FRACTIONS[text] ?? ` ${text}`;
}

/** Where a step is, as a musician counts (1-based): "bar 2 beat 3", "bar 2 beat 3½" between beats. */
export function positionWords(roll: Pick<PianoRoll, 'stepsPerBeat' | 'beatsPerBar'>, step: number): string {
  const barSteps = stepsPerBar(roll);
  const bar = Math.floor(step / barSteps) + 1;
  const inBar = step - (bar - 1) * barSteps;
  const beat = Math.floor(inBar / roll.stepsPerBeat) + 1;
  const rest = inBar % roll.stepsPerBeat;
  return `bar ${bar} beat ${beat}${rest === 0 ? '' : fraction(rest, roll.stepsPerBeat)}`;
}

/** A length in beats: "1 beat", "2½ beats", "¼ beat". */
export function lengthWords(steps: number, stepsPerBeat: number): string {
  const whole = Math.floor(steps / stepsPerBeat);
  const rest = steps % stepsPerBeat;
  const text = `${whole === 0 && rest > 0 ? '' : whole}${rest === 0 ? '' : fraction(rest, stepsPerBeat)}`.trim();
  return `${text} beat${whole >= 1 && !(whole === 1 && rest === 0) ? 's' : ''}`;
}

/** A note in words: "E4 at bar 2 beat 3". */
export function noteWords(roll: Pick<PianoRoll, 'stepsPerBeat' | 'beatsPerBar'>, note: NoteRef): string {
  return `${pitchName(note.pitch)} at ${positionWords(roll, note.startStep)}`;
}

/** The note of `track` sounding at `step` and `pitch`, or null. */
export function noteAt(notes: readonly Note[], step: number, pitch: number): Note | null {
  return notes.find((n) => n.pitch === pitch && n.startStep <= step && step < n.startStep + n.steps) ?? null;
}

const sameNote = (a: Note, b: Note) =>
  a.pitch === b.pitch && a.startStep === b.startStep && a.steps === b.steps && a.velocity === b.velocity;

/** The change with the notes it both takes out and puts back left out of it (they stay as they are). */
function netChange(change: TrackChange): TrackChange {
  const removed = change.removed.filter((r) => !change.added.some((a) => sameNote(a, r)));
  const added = change.added.filter((a) => !change.removed.some((r) => sameNote(a, r)));
  return { track: change.track, removed, added };
}

/** Whether a change changes nothing. */
export function isEmptyChange(change: TrackChange): boolean {
  return change.removed.length === 0 && change.added.length === 0;
}

/** The change that undoes `change`. */
export function invertChange(change: TrackChange): TrackChange {
  return { track: change.track, removed: change.added, added: change.removed };
}

/**
 * A copy of `roll` with the onset of every note of `track` set: a roll without onsets (a model's output) reads every
 * run of active steps as one note, so a note written right before another of the same pitch would join it. The copy
 * reads as the roll does (an onset where a note already starts changes nothing).
 */
function editableCopy(roll: PianoRoll, track: number): PianoRoll {
  const copy = cloneRoll(roll);
  const onsets = copy.onsets ?? new Uint8Array(copy.active.length);
  for (const note of trackNotes(roll, track)) onsets[cellIndex(copy, note.startStep, note.pitch, track)] = 1;
  copy.onsets = onsets;
  return copy;
}

/** Clears the cells of one note of one track, in place. */
function clearNote(roll: PianoRoll, track: number, note: Note): void {
  for (let step = note.startStep; step < note.startStep + note.steps; step++) {
    const i = cellIndex(roll, step, note.pitch, track);
    roll.active[i] = 0;
    if (roll.onsets) roll.onsets[i] = 0;
    if (roll.velocities) roll.velocities[i] = 0;
  }
}

/**
 * A new roll with `change` made: its removed notes taken out of its track, then its added notes written. The change
 * must fit the roll (as a change that `applyEdit` or `invertChange` of one made to this roll's track does).
 */
export function applyTrackChange(roll: PianoRoll, change: TrackChange): PianoRoll {
  checkTrackIndex(roll, change.track);
  const out = editableCopy(roll, change.track);
  for (const note of change.removed) clearNote(out, change.track, note);
  for (const note of change.added) addNote(out, change.track, note);
  return out;
}

/** A new roll whose track `track` holds exactly `notes` (those past the roll's end cut at it, those after it left out). */
export function withTrackNotes(roll: PianoRoll, track: number, notes: readonly Note[]): PianoRoll {
  const fitting = notes.filter((n) => n.startStep < roll.steps).map((n) => ({ ...n, steps: Math.min(n.steps, roll.steps - n.startStep) }));
  return applyTrackChange(roll, { track, removed: trackNotes(roll, track), added: fitting });
}

function checkWhole(value: number, what: string, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`${what} must be a whole number ${min}..${max}, got ${value}`);
}

/**
 * The notes of the same pitch that `placed` writes over, taken out, and what is left of them put back: a note
 * that began before it ends where it begins, the part of one that lasts past it begins where it ends.
 */
function writeOver(notes: readonly Note[], placed: Note, change: TrackChange): void {
  const end = placed.startStep + placed.steps;
  for (const other of notes) {
    const otherEnd = other.startStep + other.steps;
    if (other.pitch !== placed.pitch || other.startStep >= end || otherEnd <= placed.startStep) continue;
    change.removed.push(other);
    if (other.startStep < placed.startStep) change.added.push({ ...other, steps: placed.startStep - other.startStep });
    if (otherEnd > end) change.added.push({ ...other, startStep: end, steps: otherEnd - end });
  }
}

/**
 * Applies one edit to a new roll. An added, moved or resized note takes its cells over from notes of the same
 * pitch (those are cut around it); a note added or lengthened past the piece's end is cut at the end. Throws an
 * EditError for an edit the roll cannot take (no note where it points, a note moved off the piece or off the
 * keyboard), a RangeError for a track the roll does not have or a value that is not a whole number.
 */
export function applyEdit(roll: PianoRoll, edit: NoteEdit): AppliedEdit {
  checkTrackIndex(roll, edit.track);
  const notes = trackNotes(roll, edit.track);
  const trackWords = edit.track === 0 ? '' : ` in ${roll.tracks[edit.track].name || `track ${edit.track + 1}`}`;
  const change: TrackChange = { track: edit.track, removed: [], added: [] };
  const find = (ref: NoteRef): Note => {
    const found = notes.find((n) => n.pitch === ref.pitch && n.startStep === ref.startStep);
    if (!found) throw new EditError(`There is no note ${noteWords(roll, ref)}${trackWords}.`);
    return found;
  };
  let placed: Note | null;
  let description: string;
  switch (edit.kind) {
    case 'add': {
      const { note } = edit;
      checkWhole(note.pitch, 'pitch', 0, PITCHES - 1);
      checkWhole(note.startStep, 'startStep', 0, Math.max(0, roll.steps - 1));
      if (roll.steps === 0) throw new EditError('The piece has no steps to add a note to.');
      checkWhole(note.steps, 'steps', 1, Number.MAX_SAFE_INTEGER);
      placed = {
        pitch: note.pitch,
        startStep: note.startStep,
        steps: Math.min(note.steps, roll.steps - note.startStep),
        // A roll that keeps no velocities plays every note at the default one: the note is recorded as it will read.
        velocity: roll.velocities && note.velocity ? note.velocity : DEFAULT_VELOCITY,
      };
      writeOver(notes, placed, change);
      description = `Added ${noteWords(roll, placed)}${trackWords}`;
      break;
    }
    case 'move': {
      const from = find(edit.from);
      checkWhole(edit.startStep, 'startStep', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      checkWhole(edit.pitch, 'pitch', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      const name = noteWords(roll, from);
      if (edit.startStep < 0) throw new EditError(`${name} cannot move before the start of the piece.`);
      if (edit.startStep + from.steps > roll.steps) throw new EditError(`${name} cannot move past the end of the piece.`);
      if (edit.pitch < 0 || edit.pitch >= PITCHES) throw new EditError(`${name} cannot move off the keyboard (C-1 to G9).`);
      placed = { ...from, startStep: edit.startStep, pitch: edit.pitch };
      change.removed.push(from);
      writeOver(
        notes.filter((n) => n !== from),
        placed,
        change,
      );
      description = `Moved ${name} to ${noteWords(roll, placed)}${trackWords}`;
      break;
    }
    case 'resize': {
      const from = find(edit.from);
      checkWhole(edit.steps, 'steps', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      if (edit.steps < 1) throw new EditError(`${noteWords(roll, from)} cannot be shorter than one step.`);
      placed = { ...from, steps: Math.min(edit.steps, roll.steps - from.startStep) };
      change.removed.push(from);
      writeOver(
        notes.filter((n) => n !== from),
        placed,
        change,
      );
      const verb = placed.steps > from.steps ? 'Lengthened' : placed.steps < from.steps ? 'Shortened' : 'Kept';
      description = `${verb} ${noteWords(roll, from)}${trackWords} to ${lengthWords(placed.steps, roll.stepsPerBeat)}`;
      break;
    }
    case 'delete': {
      const from = find(edit.from);
      placed = null;
      change.removed.push(from);
      description = `Deleted ${noteWords(roll, from)}${trackWords}`;
      break;
    }
    default: {
      const never: never = edit;
      throw new TypeError(`unknown edit ${JSON.stringify(never)}`);
    }
  }
  if (placed) change.added.push(placed);
  const net = netChange(change);
  return { roll: isEmptyChange(net) ? roll : applyTrackChange(roll, net), change: net, note: placed, description };
}

/** One edit in the history: what it changed and what it was, in words. */
export interface HistoryEntry {
  change: TrackChange;
  description: string;
  /**
   * The locks on the accompaniment (src/music/locks.ts cells) before and after the edit, where it changed them: an undo
   * puts back `before`, a redo `after`.
   */
  locks?: { before: Uint8Array; after: Uint8Array };
}

/** Edits that can be undone (the latest last) and undone ones that can be redone (the latest undone last). */
export interface EditHistory {
  readonly undo: readonly HistoryEntry[];
  readonly redo: readonly HistoryEntry[];
  /** How many edits `undo` keeps. */
  readonly limit: number;
}

/** A history with nothing in it, keeping up to `limit` edits. */
export function emptyHistory(limit: number = EDIT_HISTORY_LIMIT): EditHistory {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`an edit history keeps a whole number >= 1 of edits, got ${limit}`);
  return { undo: [], redo: [], limit };
}

/** The history after a new edit: the edit last in `undo` (the oldest dropped past the limit), nothing left to redo. */
export function recordEdit(history: EditHistory, entry: HistoryEntry): EditHistory {
  if (isEmptyChange(entry.change)) return history;
  const undo = [...history.undo, entry];
  return { undo: undo.slice(Math.max(0, undo.length - history.limit)), redo: [], limit: history.limit };
}

/** A step through the history: the roll it gives, the history after it, and the edit undone or redone. */
export interface HistoryStep {
  roll: PianoRoll;
  history: EditHistory;
  entry: HistoryEntry;
}

/** Undoes the latest edit of `roll` (the roll that edit, or the redo of it, gave); null with nothing to undo. */
export function undoEdit(history: EditHistory, roll: PianoRoll): HistoryStep | null {
  const entry = history.undo.at(-1);
  if (!entry) return null;
  return {
    roll: applyTrackChange(roll, invertChange(entry.change)),
    history: { undo: history.undo.slice(0, -1), redo: [...history.redo, entry], limit: history.limit },
    entry,
  };
}

/** Redoes the latest undone edit of `roll` (the roll its undo gave); null with nothing to redo. */
export function redoEdit(history: EditHistory, roll: PianoRoll): HistoryStep | null {
  const entry = history.redo.at(-1);
  if (!entry) return null;
  return {
    roll: applyTrackChange(roll, entry.change),
    history: { undo: [...history.undo, entry], redo: history.redo.slice(0, -1), limit: history.limit },
    entry,
  };
}
