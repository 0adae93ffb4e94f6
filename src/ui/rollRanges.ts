/**
 * Stretches of a piano roll as the page uses them: its bars, a looped bar range as grid steps, and the
 * 2-bar window the training snapshots accompany. Pure functions of a roll, with no store or player.
 */
import { cellIndex, createRoll, PITCHES, stepsPerBar, WINDOW_STEPS, type PianoRoll } from '../music/pianoRoll';
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
  const trackCount = melody.tracks.length;
  for (let start = 0; start < Math.max(1, melody.steps); start += WINDOW_STEPS) {
    const window = createRoll(WINDOW_STEPS, [melody.tracks[0]], { stepsPerBeat: melody.stepsPerBeat, tempoBpm: melody.tempoBpm, beatsPerBar: melody.beatsPerBar, withVelocities: true });
    let notes = 0;
    for (let s = 0; s < WINDOW_STEPS && start + s < melody.steps; s++) {
      for (let p = 0; p < PITCHES; p++) {
        const from = ((start + s) * PITCHES + p) * trackCount;
        if (!melody.active[from]) continue;
        const to = cellIndex(window, s, p, 0);
        window.active[to] = 1;
        const onset = melody.onsets ? melody.onsets[from] === 1 : s === 0 || !melody.active[((start + s - 1) * PITCHES + p) * trackCount];
        if (onset || s === 0) {
          window.onsets![to] = 1;
          window.velocities![to] = melody.velocities?.[from] || 90;
          notes++;
        }
      }
    }
    if (notes > 0) return window;
  }
  return null;
}
