/**
 * The note editor's controls over the roll and the score: editing on or off, the track edited, the snap grid,
 * undo, redo and delete, the keys in words, and what the editor says (an aria-live region); under an accompaniment,
 * the locks (infilling: lock a voice or bars, unlock all, re-harmonize the rest, a new variation of some bars).
 * `useNoteEditor` hands the roll and the score what they need to edit; the work is the controller's
 * (src/ui/controller/editing.ts and accompaniment.ts).
 */
import { useEffect, useMemo, useState } from 'react';
import { lockedNoteCount } from '../music/locks';
import { trackNotes } from '../music/notes';
import type { PianoRoll } from '../music/pianoRoll';
import { SNAP_VALUES, snapSteps, type NoteEdit, type SnapValue } from '../music/edits';
import { useAppState, usePage } from './context';
import { barCount } from './rollRanges';
import { resultLock } from './state';
import { EDIT_KEYS_HELP, selectedNote, type EditCursor, type KeyPress } from './editInput';
import { trackName } from './exportPlan';

/** What the roll and the score need to edit notes; null while editing is off. */
export interface NoteEditor {
  track: number;
  /** The track's name as the editor says it. */
  trackLabel: string;
  cursor: EditCursor;
  /** Steps in one cell of the snap grid. */
  snap: number;
  /** A key pressed in the roll or the score: true when the editor took it (the page then does nothing else with it). */
  onKey: (press: KeyPress) => boolean;
  onEdit: (edit: NoteEdit) => void;
  onCursor: (cursor: EditCursor) => void;
  /** A note chosen in the score: its track, a step it sounds at and its pitch. */
  onSelect: (track: number, step: number, pitch: number) => void;
  /** The id of the keys' description, for aria-describedby. */
  helpId: string;
}

const SNAP_LABELS: Record<SnapValue, string> = { sixteenth: '16th', eighth: '8th', quarter: 'Quarter' };

/** The id of the editor's help text (one editor on the page). */
export const EDIT_HELP_ID = 'note-editor-keys';

/** The name of a track in the editor's picker. */
function trackLabel(roll: PianoRoll, index: number): string {
  const name = trackName(roll, index);
  if (index > 0) return name;
  return /^(melody|track 1)$/i.test(name) ? 'Melody' : `Melody (${name})`;
}

/** The editor as the roll and the score use it, for `roll` (the roll shown); null while editing is off. */
export function useNoteEditor(roll: PianoRoll | null): NoteEditor | null {
  const { controller } = usePage();
  const editing = useAppState((s) => s.editing);
  return useMemo(() => {
    if (!roll || !editing.on) return null;
    const track = Math.min(editing.track, roll.tracks.length - 1);
    return {
      track,
      trackLabel: track === 0 ? 'the melody' : trackName(roll, track),
      cursor: editing.cursor,
      snap: snapSteps(roll.stepsPerBeat, editing.snap),
      onKey: (press) => controller.pressEditKey(press),
      onEdit: (edit) => void controller.editNote(edit),
      onCursor: (cursor) => controller.moveEditCursor(cursor),
      onSelect: (t, step, pitch) => controller.selectNote(t, step, pitch),
      helpId: EDIT_HELP_ID,
    };
  }, [roll, editing.on, editing.track, editing.cursor, editing.snap, controller]);
}

/** True where a key press belongs to a text field (its own undo). */
function typingIn(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || Boolean(target.closest('input, textarea, select')));
}

/** The editor's controls and voice, over the roll or the score. */
export function EditBar({ roll }: { roll: PianoRoll | null }) {
  const { controller } = usePage();
  const editing = useAppState((s) => s.editing);
  const result = useAppState((s) => s.result);
  const live = editing.historyRoll === roll;
  const undoEntry = live ? editing.history.undo.at(-1) : undefined;
  const redoEntry = live ? editing.history.redo.at(-1) : undefined;
  const track = roll ? Math.min(editing.track, roll.tracks.length - 1) : 0;
  const selected = useMemo(
    () => (roll && editing.on ? selectedNote(trackNotes(roll, track), editing.cursor) : null),
    [roll, editing.on, track, editing.cursor],
  );

  // Undo and redo from anywhere on the page while editing, except in a text field (which has its own).
  useEffect(() => {
    if (!editing.on) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || typingIn(event.target) || !(event.ctrlKey || event.metaKey) || event.altKey) return;
      const key = event.key.toLowerCase();
      if (key === 'z') {
        event.preventDefault();
        if (event.shiftKey) controller.redoEdit();
        else controller.undoEdit();
      } else if (key === 'y' && !event.shiftKey) {
        event.preventDefault();
        controller.redoEdit();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [editing.on, controller]);

  if (!roll) return null;
  const melodyChanged = result !== null && result === editing.melodyEditedResult;
  return (
    <div className="edit-bar" data-testid="edit-bar">
      <div className="row edit-controls">
        <button
          type="button"
          aria-pressed={editing.on}
          onClick={() => controller.setEditing(!editing.on)}
          data-testid="edit-toggle"
          title="Edit the notes on the roll: add, move, lengthen and delete them"
        >
          ✎ Edit notes
        </button>
        {editing.on && (
          <>
            <label className="inline">
              Track{' '}
              <select value={track} onChange={(e) => controller.setEditTrack(Number(e.target.value))} data-testid="edit-track-select">
                {roll.tracks.map((_, i) => (
                  <option key={i} value={i}>
                    {trackLabel(roll, i)}
                  </option>
                ))}
              </select>
            </label>
            <label className="inline">
              Snap{' '}
              <select
                value={editing.snap}
                onChange={(e) => controller.setEditSnap(e.target.value as SnapValue)}
                data-testid="edit-snap-select"
              >
                {SNAP_VALUES.map((snap) => (
                  <option key={snap} value={snap}>
                    {SNAP_LABELS[snap]}
                  </option>
                ))}
              </select>
            </label>
            <span className="segmented" role="group" aria-label="Edit history">
              <button
                type="button"
                onClick={() => controller.undoEdit()}
                disabled={!undoEntry}
                aria-keyshortcuts="Control+Z Meta+Z"
                title={undoEntry ? `Undo: ${undoEntry.description}` : 'Nothing to undo'}
                data-testid="edit-undo-button"
              >
                ↶ Undo
              </button>
              <button
                type="button"
                onClick={() => controller.redoEdit()}
                disabled={!redoEntry}
                aria-keyshortcuts="Shift+Control+Z Shift+Meta+Z"
                title={redoEntry ? `Redo: ${redoEntry.description}` : 'Nothing to redo'}
                data-testid="edit-redo-button"
              >
                ↷ Redo
              </button>
            </span>
            <button
              type="button"
              disabled={!selected}
              aria-keyshortcuts="Delete"
              onClick={() =>
                selected && controller.editNote({ kind: 'delete', track, from: { pitch: selected.pitch, startStep: selected.startStep } })
              }
              data-testid="edit-delete-button"
            >
              Delete note
            </button>
          </>
        )}
      </div>
      {editing.on && (
        <details className="edit-help">
          <summary>How to edit</summary>
          <p id={EDIT_HELP_ID}>
            Click an empty cell to add a note (drag to make it longer), drag a note to move it, drag its right end to change its length,
            right-click it to delete it. On the roll or the score: {EDIT_KEYS_HELP}
          </p>
        </details>
      )}
      {result && roll === result && result.tracks.length > 1 && <LockBar roll={result} />}
      {melodyChanged && (
        <p className="hint edit-stale" data-testid="edit-melody-changed">
          The melody changed: press Accompany to write new voices.
        </p>
      )}
      <p className="edit-said" role="status" aria-live="polite" data-testid="edit-announcement">
        <span key={editing.saidCount}>{editing.said}</span>
      </p>
    </div>
  );
}

/** A bar number typed in a field, kept to the piece's bars. */
function barIn(text: string, bars: number): number {
  const value = Math.round(Number(text));
  return Number.isFinite(value) ? Math.min(Math.max(1, value), bars) : 1;
}

/** A bar number of the piece, 1..`bars`, typed or stepped, labelled `label` and shown after `caption`. */
function BarInput(props: { caption: string; label: string; value: number; bars: number; onBar: (bar: number) => void; testId: string }) {
  const { caption, label, value, bars, onBar, testId } = props;
  return (
    <label className="inline">
      {caption}{' '}
      <input
        type="number"
        className="narrow"
        min={1}
        max={bars}
        value={value}
        onChange={(e) => onBar(barIn(e.target.value, bars))}
        aria-label={label}
        data-testid={testId}
      />
    </label>
  );
}

/** The locks on the accompaniment and what is written again around them. */
function LockBar({ roll }: { roll: PianoRoll }) {
  const { controller } = usePage();
  const lockedCells = useAppState((s) => s.lockedCells);
  const generating = useAppState((s) => s.generating);
  const count = useMemo(() => {
    const lock = resultLock({ result: roll, lockedCells });
    return lock ? lockedNoteCount(lock) : 0;
  }, [roll, lockedCells]);
  const bars = barCount(roll);
  const [voice, setVoice] = useState(1);
  const [from, setFrom] = useState(1);
  const [to, setTo] = useState(Math.min(2, bars));
  const track = Math.min(voice, roll.tracks.length - 1);
  const first = Math.min(from, bars);
  const last = Math.max(first, Math.min(to, bars));
  return (
    <div className="row lock-controls" role="group" aria-label="Locks">
      <span className="lock-count" data-testid="lock-count" data-count={count}>
        {count === 1 ? '1 note locked' : `${count} notes locked`}
      </span>
      <label className="inline">
        Voice{' '}
        <select value={track} onChange={(e) => setVoice(Number(e.target.value))} data-testid="lock-voice-select">
          {roll.tracks.slice(1).map((_, i) => (
            <option key={i + 1} value={i + 1}>
              {trackName(roll, i + 1)}
            </option>
          ))}
        </select>
      </label>
      <button type="button" onClick={() => controller.lockVoice(track)} data-testid="lock-voice-button">
        Lock voice
      </button>
      <BarInput caption="Bars" label="First bar" value={first} bars={bars} onBar={setFrom} testId="lock-bars-from" />
      <BarInput caption="to" label="Last bar" value={last} bars={bars} onBar={setTo} testId="lock-bars-to" />
      <button type="button" onClick={() => controller.lockBars(first, last)} data-testid="lock-bars-button">
        Lock bars {first}–{last}
      </button>
      <button type="button" onClick={() => controller.unlockAll()} disabled={count === 0} data-testid="unlock-all-button">
        Unlock all
      </button>
      <button
        type="button"
        aria-disabled={generating}
        onClick={() => !generating && void controller.reharmonize()}
        title="Write new accompaniment for every note that is not locked, around the locked ones"
        data-testid="reharmonize-button"
      >
        Re-harmonize the rest
      </button>
      <button
        type="button"
        aria-disabled={generating}
        onClick={() => !generating && void controller.regenerateBars(first, last)}
        title="Write these bars again; the bars around them stay as they are"
        data-testid="regenerate-bars-button"
      >
        New variation for bars {first}–{last}
      </button>
    </div>
  );
}
