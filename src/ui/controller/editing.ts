/**
 * Editing notes: the roll shown (the melody, or the melody with its accompaniment) is the one the edits change, so
 * playback, the export and the saved page all have them. Each edit, undo and redo makes a new roll in the store, puts
 * it in the player where playback was, and says what it did. An edited melody keeps its accompaniment, which may no
 * longer fit (the page says so); Accompany writes new voices under the edited melody. A note of the accompaniment the
 * user edits is locked (where it was and where it is now), so "Re-harmonize the rest" keeps it.
 */
import { setLocked } from '../../music/locks';
import { trackNotes, type Note } from '../../music/notes';
import { selectTracks, type PianoRoll } from '../../music/pianoRoll';
import {
  applyEdit,
  EditError,
  emptyHistory,
  recordEdit,
  redoEdit,
  undoEdit,
  withTrackNotes,
  type HistoryStep,
  type NoteEdit,
  type SnapValue,
  SNAP_VALUES,
  snapSteps,
} from '../../music/edits';
import type { Store } from '../store';
import { resultLock, type AppState } from '../state';
import type { EditingState } from '../editState';
import { cursorWords, keyCommand, type EditCursor, type KeyContext, type KeyPress } from '../editInput';
import { trackName } from '../exportPlan';
import type { PlayerControl } from './deps';
import type { Messages } from './messages';
import type { Playback } from './playback';

/** What the editing area is built from. */
export interface EditingDeps {
  store: Store<AppState>;
  player: PlayerControl;
  messages: Messages;
  /** Where an edited roll is heard. */
  playback: Pick<Playback, 'loadIntoPlayer' | 'play'>;
}

/** The roll shown, the editor's state as it applies to it, and the track edited (within the roll's tracks). */
interface Target {
  s: AppState;
  roll: PianoRoll;
  editing: EditingState;
  track: number;
}

/** The name of track `index` as the editor says it: the melody, or the voice's name. */
function trackWords(roll: PianoRoll, index: number): string {
  return index === 0 ? 'the melody' : trackName(roll, index);
}

/** The melody as it stands in `result` (its track 0), in the shape of the melody kept beside it. */
function melodyOf(result: PianoRoll, melody: PianoRoll | null): PianoRoll {
  return melody ? withTrackNotes(melody, 0, trackNotes(result, 0)) : selectTracks(result, [0]);
}

/** The note editor's actions. */
export class Editing {
  constructor(private readonly deps: EditingDeps) {}

  private get store(): Store<AppState> {
    return this.deps.store;
  }

  /** The roll shown and the editor on it; a history of another roll is dropped, a cursor or track off it brought back on. */
  private target(): Target | null {
    const s = this.store.get();
    const roll = s.listening?.roll;
    if (!roll) return null;
    let editing = s.editing;
    if (editing.historyRoll !== roll && (editing.history.undo.length > 0 || editing.history.redo.length > 0))
      editing = { ...editing, history: emptyHistory(editing.history.limit), historyRoll: null };
    const track = Math.min(Math.max(0, editing.track), roll.tracks.length - 1);
    const cursor = {
      step: Math.min(Math.max(0, editing.cursor.step), Math.max(0, roll.steps - 1)),
      pitch: Math.min(127, Math.max(0, editing.cursor.pitch)),
    };
    return { s, roll, track, editing: { ...editing, track, cursor } };
  }

  private keyContext({ roll, track, editing }: Target, notes = trackNotes(roll, track)): KeyContext {
    return {
      steps: roll.steps,
      stepsPerBeat: roll.stepsPerBeat,
      beatsPerBar: roll.beatsPerBar,
      track,
      notes,
      cursor: editing.cursor,
      snap: snapSteps(roll.stepsPerBeat, editing.snap),
    };
  }

  /** Sets the editor's state and says `said`. */
  private say(editing: EditingState, said: string): void {
    this.store.set({ editing: { ...editing, said, saidCount: editing.saidCount + 1 } });
  }

  /** A place to start editing `track`: where the cursor is when a note of it sounds there, else its first note, else the cursor. */
  private startCursor(roll: PianoRoll, track: number, cursor: EditCursor): EditCursor {
    const notes = trackNotes(roll, track);
    const here = notes.find((n) => n.startStep <= cursor.step && cursor.step < n.startStep + n.steps);
    const first = here ?? notes.find((n) => n.startStep >= cursor.step) ?? notes[0];
    return first ? { step: here ? cursor.step : first.startStep, pitch: first.pitch } : cursor;
  }

  /** Turns note editing on (clicks and keys on the roll edit notes) or off (a click moves playback again). */
  setEditing(on: boolean): void {
    const target = this.target();
    const editing = target?.editing ?? this.store.get().editing;
    if (!target || !on) {
      this.say({ ...editing, on }, on ? '' : 'Editing off: a click on the roll moves playback.');
      return;
    }
    const fresh = editing.historyRoll !== target.roll;
    const cursor = fresh ? this.startCursor(target.roll, target.track, { step: 0, pitch: editing.cursor.pitch }) : editing.cursor;
    const next = { ...editing, on, cursor };
    this.say(next, `Editing ${trackWords(target.roll, target.track)}. ${cursorWords(this.keyContext({ ...target, editing: next }))}.`);
  }

  /** Edits track `track` of the roll shown (0, the melody, or a voice of the accompaniment). */
  setEditTrack(track: number): void {
    const target = this.target();
    if (!target || !Number.isInteger(track) || track < 0 || track >= target.roll.tracks.length) return;
    const cursor = this.startCursor(target.roll, track, target.editing.cursor);
    const next = { ...target.editing, track, cursor };
    this.say(next, `Editing ${trackWords(target.roll, track)}. ${cursorWords(this.keyContext({ ...target, track, editing: next }))}.`);
  }

  /** Snaps notes to a grid of 16ths, 8ths or quarters. */
  setEditSnap(snap: SnapValue): void {
    if (!SNAP_VALUES.includes(snap)) return;
    const s = this.store.get();
    this.store.set({ editing: { ...s.editing, snap } });
  }

  /** Puts the cursor on a place of the grid (kept on the piece and the keyboard) and says what is there. */
  moveEditCursor(cursor: EditCursor): void {
    const target = this.target();
    if (!target) return;
    const { roll } = target;
    const next = {
      ...target.editing,
      cursor: {
        step: Math.min(Math.max(0, Math.round(cursor.step)), Math.max(0, roll.steps - 1)),
        pitch: Math.min(127, Math.max(0, Math.round(cursor.pitch))),
      },
    };
    this.say(next, cursorWords(this.keyContext({ ...target, editing: next })));
  }

  /** Selects a note for the keys (a click on a note of the score): edits its track, with the cursor on it. */
  selectNote(track: number, step: number, pitch: number): void {
    const target = this.target();
    if (!target || !Number.isInteger(track) || track < 0 || track >= target.roll.tracks.length) return;
    const next = { ...target.editing, on: true, track, cursor: { step, pitch } };
    this.say(next, `Selected in ${trackWords(target.roll, track)}: ${cursorWords(this.keyContext({ ...target, track, editing: next }))}.`);
  }

  /**
   * Makes one edit of the roll shown and keeps it for undo; says what it did, or why it could not (an edit the roll
   * cannot take is said, not shown as an error). Returns whether the roll changed.
   */
  editNote(edit: NoteEdit, cursor?: EditCursor): boolean {
    const target = this.target();
    if (!target) return false;
    try {
      const applied = applyEdit(target.roll, edit);
      const placed = applied.note;
      const at = cursor ?? (placed ? { step: placed.startStep, pitch: placed.pitch } : target.editing.cursor);
      // An edited note of the accompaniment is locked: the steps it took and the steps it left keep what the user made.
      const before = target.roll === target.s.result && edit.track > 0 ? resultLock(target.s) : null;
      let lock = before;
      if (lock)
        for (const note of [...applied.change.removed, ...applied.change.added])
          lock = setLocked(lock, [edit.track], note.startStep, note.startStep + note.steps);
      const locks = before && lock ? { before: before.cells, after: lock.cells } : undefined;
      const history = recordEdit(target.editing.history, {
        change: applied.change,
        description: applied.description,
        ...(locks && { locks }),
      });
      this.show(target, applied.roll, edit.track, { ...target.editing, history, cursor: at }, applied.description, lock?.cells);
      return applied.roll !== target.roll;
    } catch (error) {
      if (error instanceof EditError) this.say(target.editing, error.message);
      else this.deps.messages.report('player', error);
      return false;
    }
  }

  /** Undoes the latest edit of the roll shown. */
  undoEdit(): void {
    this.step('undo');
  }

  /** Redoes the latest edit undone. */
  redoEdit(): void {
    this.step('redo');
  }

  /**
   * Acts on a key pressed in the editor (see editInput.ts for the keys); returns whether the key was the editor's, so
   * the page can keep it from doing anything else.
   */
  pressEditKey(press: KeyPress): boolean {
    const target = this.target();
    if (!target) return false;
    const command = keyCommand(press, this.keyContext(target));
    if (!command) return false;
    switch (command.kind) {
      case 'cursor':
        this.moveEditCursor(command.cursor);
        break;
      case 'edit':
        this.editNote(command.edit, command.cursor);
        break;
      case 'undo':
        this.undoEdit();
        break;
      case 'redo':
        this.redoEdit();
        break;
      case 'refuse':
        this.say(target.editing, command.reason);
        break;
    }
    return true;
  }

  private step(direction: 'undo' | 'redo'): void {
    const target = this.target();
    if (!target) return;
    const { editing } = target;
    const step: HistoryStep | null = direction === 'undo' ? undoEdit(editing.history, target.roll) : redoEdit(editing.history, target.roll);
    if (!step) {
      this.say(editing, direction === 'undo' ? 'Nothing to undo.' : 'Nothing to redo.');
      return;
    }
    // The cursor goes to the note the step brought back, so the keys act on it next.
    const change = step.entry.change;
    const back: Note | undefined = direction === 'undo' ? change.removed[0] : change.added[0];
    const cursor = back ? { step: back.startStep, pitch: back.pitch } : editing.cursor;
    const track = change.track;
    this.show(
      target,
      step.roll,
      track,
      { ...editing, track, history: step.history, cursor },
      `${direction === 'undo' ? 'Undone' : 'Redone'}: ${step.entry.description}`,
      // The locks the edit set go with it.
      step.entry.locks && (direction === 'undo' ? step.entry.locks.before : step.entry.locks.after),
    );
  }

  /** Shows `roll` in place of the roll edited (as the accompaniment or the melody it was), in the player too, and says `said`. */
  private show(target: Target, roll: PianoRoll, track: number, editing: EditingState, said: string, lockedCells?: Uint8Array): void {
    const { s } = target;
    const old = target.roll;
    const patch: Partial<AppState> = { listening: { roll, label: s.listening?.label ?? '' } };
    if (lockedCells) patch.lockedCells = lockedCells;
    let melodyEditedResult = editing.melodyEditedResult;
    if (s.result && old === s.result) {
      patch.result = roll;
      if (track === 0) patch.melody = melodyOf(roll, s.melody);
      // The voices were written for the melody as it was: they are kept, and the page says they may not fit.
      melodyEditedResult = track === 0 || melodyEditedResult === old ? roll : null;
    } else if (old === s.melody) {
      patch.melody = roll;
    }
    this.store.set({
      ...patch,
      editing: { ...editing, historyRoll: roll, melodyEditedResult, said, saidCount: editing.saidCount + 1 },
    });
    if (s.audition) return; // a training snapshot holds the player; the edited roll is loaded when the page goes back to it
    const { player } = this.deps;
    const playing = player.snapshot().state === 'playing';
    const seconds = player.position;
    this.deps.playback.loadIntoPlayer(roll);
    if (seconds > 0) player.seek(seconds);
    if (playing) void this.deps.playback.play();
  }
}
