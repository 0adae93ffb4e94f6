/**
 * Stretches of a piano roll as the page uses them: its bars, a looped bar range as grid steps, and the
 * 2-bar window the training snapshots accompany. Pure functions of a roll, with no store or player.
 */
import { addNote, trackNotes } from '../music/notes';
import { createRoll, stepsPerBar, WINDOW_STEPS, type PianoRoll } from '../music/pianoRoll';
import type { StepRange } from '../audio/player';
import type { LoopBars } from './state';

/** Whole bars of a roll (a last partial bar counts). */
export function barCount(roll: PianoRoll): number {
  return Math.max(1, Math.ceil(roll.steps / stepsPerBar(roll)));
}

/** The grid steps of a bar range (1-based, inclusive), or null for the whole piece. */
export function loopSteps(roll: PianoRoll, bars: LoopBars | null): StepRange | null {
  if (!bars) return null;
  const barSteps = stepsPerBar(roll);
  const start = (bars.from - 1) * barSteps;
  const end = Math.min(roll.steps, bars.to * barSteps);
  return end > start ? { start, end } : null;
}

/**
 * The 2-bar window of a melody the snapshots accompany: the first window with a note in it, as a one-track roll.
 * Returns null for a melody without notes.
 */
export function snapshotWindow(melody: PianoRoll): PianoRoll | null {
  const notes = trackNotes(melody, 0);
  for (let start = 0; start < Math.max(1, melody.steps); start += WINDOW_STEPS) {
    const end = start + WINDOW_STEPS;
    const inside = notes.filter((note) => note.startStep < end && note.startStep + note.steps > start);
    if (inside.length === 0) continue;
    const window = createRoll(WINDOW_STEPS, [melody.tracks[0]], {
      stepsPerBeat: melody.stepsPerBeat,
      tempoBpm: melody.tempoBpm,
      beatsPerBar: melody.beatsPerBar,
      withVelocities: true,
    });
    for (const note of inside) {
      const from = Math.max(note.startStep, start);
      addNote(window, 0, { ...note, startStep: from - start, steps: Math.min(note.startStep + note.steps, end) - from });
    }
    return window;
  }
  return null;
}
