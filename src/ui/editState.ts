/** The note editor's part of the page state (src/ui/controller/editing.ts changes it). */
import { DEFAULT_SNAP, emptyHistory, type EditHistory, type SnapValue } from '../music/edits';
import type { PianoRoll } from '../music/pianoRoll';
import type { EditCursor } from './editInput';

/** What the note editor shows and remembers. */
export interface EditingState {
  /** Whether the roll (and the score) edit notes; when off, a click moves playback. */
  on: boolean;
  /** The track edited, by index into the roll shown (0, the melody, by default). */
  track: number;
  snap: SnapValue;
  /** The editor's cursor; the note under it is the one the keys act on. */
  cursor: EditCursor;
  history: EditHistory;
  /** The roll the history belongs to (the one the last edit, undo or redo gave): with another roll shown, it starts afresh. */
  historyRoll: PianoRoll | null;
  /** What the editor last said (an edit, an undo, where the cursor is), for screen readers and on the page. */
  said: string;
  /** Counts what was said, so the same words twice are said twice. */
  saidCount: number;
  /** The accompaniment whose melody was edited after it was written (so it may no longer fit); null when none was. */
  melodyEditedResult: PianoRoll | null;
}

/** The editor of a fresh page: off, on the melody, on the 16th-note grid. */
export function initialEditing(): EditingState {
  return {
    on: false,
    track: 0,
    snap: DEFAULT_SNAP,
    cursor: { step: 0, pitch: 60 },
    history: emptyHistory(),
    historyRoll: null,
    said: '',
    saidCount: 0,
    melodyEditedResult: null,
  };
}
