/** Pure geometry of the piano-roll view: which pitches to show and where a note is drawn. */
import type { NoteEvent } from '../audio/schedule';

/** A colour per track, melody first; chosen to stay apart for common colour blindness. */
export const TRACK_COLORS = ['#1f6feb', '#e5533d', '#2da44e', '#a371f7', '#d29922', '#1b9aaa', '#db61a2', '#8c959f'] as const;

/** The colour of track `index`. */
export function trackColor(index: number): string {
  return TRACK_COLORS[index % TRACK_COLORS.length];
}

/** Lowest and highest pitch to show: the notes' range with a margin, at least two octaves. */
export function pitchRange(events: readonly NoteEvent[], margin = 2, minSpan = 24): { low: number; high: number } {
  if (events.length === 0) return { low: 48, high: 48 + minSpan };
  let low = 127;
  let high = 0;
  for (const e of events) {
    low = Math.min(low, e.pitch);
    high = Math.max(high, e.pitch);
  }
  low = Math.max(0, low - margin);
  high = Math.min(127, high + margin);
  while (high - low < minSpan) {
    if (low > 0) low--;
    if (high - low < minSpan && high < 127) high++;
  }
  return { low, high };
}

/** The rectangle of a note in the full (unscrolled) drawing, in CSS pixels. */
export function noteRect(
  event: Pick<NoteEvent, 'pitch' | 'step' | 'steps'>,
  range: { low: number; high: number },
  pxPerStep: number,
  height: number,
) {
  const rowHeight = height / (range.high - range.low + 1);
  return {
    x: event.step * pxPerStep,
    y: (range.high - event.pitch) * rowHeight,
    width: Math.max(1, event.steps * pxPerStep - 1),
    height: Math.max(1, rowHeight - 1),
  };
}

/**
 * The grid place under a point of the full (unscrolled) drawing, in CSS pixels: the step with its fraction (where in
 * the step), and the pitch of the row (kept within the range shown).
 */
export function cellAt(
  x: number,
  y: number,
  range: { low: number; high: number },
  pxPerStep: number,
  height: number,
): { step: number; pitch: number } {
  const rowHeight = height / (range.high - range.low + 1);
  const pitch = range.high - Math.floor(y / rowHeight);
  return { step: Math.max(0, x / pxPerStep), pitch: Math.min(range.high, Math.max(range.low, pitch)) };
}

/** The step the playhead is at after `seconds` of playback at `tempoBpm`. */
export function stepAt(seconds: number, tempoBpm: number, stepsPerBeat: number): number {
  return (seconds * tempoBpm * stepsPerBeat) / 60;
}

/** Where a chord symbol stands over the roll: its row (0 or 1) and how wide it may be, in CSS pixels. */
export interface ChordPlace {
  row: 0 | 1;
  maxWidth: number;
}

/**
 * Places chord symbols over the roll, at `pxPerStep`, with `widthOf(text)` the width each needs. A symbol takes the
 * first row if the symbol before it there has ended, else the second, so that when the harmony changes faster than
 * the names fit (a chord a beat at a small zoom) they alternate and each gets twice the room; only when neither row
 * is free is a name cut, at the next symbol of its row. The second row is used only where it is needed.
 */
export function placeChordSymbols(
  chords: readonly { startStep: number; text: string }[],
  pxPerStep: number,
  widthOf: (text: string) => number,
  totalWidth: number,
): ChordPlace[] {
  const ends = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  const rows = chords.map((chord) => {
    const x = chord.startStep * pxPerStep;
    const row: 0 | 1 = ends[0] <= x ? 0 : ends[1] <= x ? 1 : ends[0] <= ends[1] ? 0 : 1;
    ends[row] = x + widthOf(chord.text);
    return row;
  });
  return chords.map((chord, i) => {
    const x = chord.startStep * pxPerStep;
    const next = rows.findIndex((row, j) => j > i && row === rows[i]);
    return { row: rows[i], maxWidth: (next === -1 ? totalWidth : chords[next].startStep * pxPerStep) - x };
  });
}
