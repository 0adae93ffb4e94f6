/**
 * What every metric of Cantus builds on: one reading of a roll per track (its notes, and per step its chroma,
 * sounding count, top pitch and pitch-class mask), and the tally every measure counts into.
 *
 * Conventions shared by every metric:
 * - A note is a run of consecutive active steps of one pitch in one track, split where the roll's `onsets` mark
 *   a new attack (a roll without onsets reads every run as one note).
 * - A voice at a step is its track's highest sounding pitch.
 * - A bar is `beatsPerBar * stepsPerBeat` steps; a roll whose length is not a whole number of bars has a shorter
 *   last bar, which counts as a bar. Beats likewise.
 * - Every measure is a mean: a sum over what it counts, divided by how many it counted. Summed over rolls, the
 *   tallies give pooled figures; divided per roll and averaged (`meanOverRolls`), macro means.
 * - A mean with nothing to count is NaN, meaning "not measurable", never a made-up 0.
 */
import { trackNotes, type Note } from '../notes';
import { checkRoll, stepsPerBar, type PianoRoll } from '../pianoRoll';

/** What one pass over a roll gathers about one track. */
export interface TrackAnalysis {
  /** steps x 12: number of active pitches of each pitch class at each step. */
  chroma: Uint8Array;
  /** Number of active pitches at each step. */
  sounding: Uint8Array;
  /** Highest active pitch at each step, -1 when silent. */
  top: Int16Array;
  /** 12-bit mask of the pitch classes active at each step. */
  pcMask: Uint16Array;
  /** The track's notes, as `trackNotes` reads them. */
  notes: Note[];
}

/** Each track's notes (`trackNotes`) and, from them, its chroma, sounding counts, top pitches and pitch classes. */
export function analyzeRoll(roll: PianoRoll): TrackAnalysis[] {
  checkRoll(roll);
  const steps = roll.steps;
  return roll.tracks.map((_, track) => {
    const a: TrackAnalysis = {
      chroma: new Uint8Array(steps * 12),
      sounding: new Uint8Array(steps),
      top: new Int16Array(steps).fill(-1),
      pcMask: new Uint16Array(steps),
      notes: trackNotes(roll, track),
    };
    // The notes of one pitch never overlap, so they cover every active cell of the track exactly once.
    for (const note of a.notes) {
      const pc = note.pitch % 12;
      for (let step = note.startStep; step < note.startStep + note.steps; step++) {
        a.chroma[step * 12 + pc]++;
        a.sounding[step]++;
        if (note.pitch > a.top[step]) a.top[step] = note.pitch;
        a.pcMask[step] |= 1 << pc;
      }
    }
    return a;
  });
}

/** A measure's running sum and count; its value is `sum / count` (`meanOf`). */
export interface Tally {
  sum: number;
  count: number;
}

/** An empty tally. */
export function tally(): Tally {
  return { sum: 0, count: 0 };
}

/** The value of a tally: NaN when it counted nothing. */
export function meanOf(t: Tally): number {
  return t.sum / t.count;
}

/** The bars of a roll, a short last bar included. */
export function barCount(roll: Pick<PianoRoll, 'steps' | 'beatsPerBar' | 'stepsPerBeat'>): number {
  return Math.ceil(roll.steps / stepsPerBar(roll));
}

/** The mean of the finite values; NaN when there are none. */
export function finiteMean(values: readonly number[]): number {
  let sum = 0;
  let count = 0;
  for (const v of values) {
    if (Number.isFinite(v)) {
      sum += v;
      count++;
    }
  }
  return count === 0 ? NaN : sum / count;
}

/**
 * The per-key mean of per-roll metrics (the macro mean: every roll weighs the same), skipping each roll's
 * NaN values; a key that no roll can measure is NaN. Keys are those of the first roll.
 */
export function meanOverRolls<T extends object>(perRoll: readonly T[]): { [K in keyof T]: number } {
  const out: Record<string, number> = {};
  if (perRoll.length === 0) return out as { [K in keyof T]: number };
  for (const key of Object.keys(perRoll[0])) {
    out[key] = finiteMean(perRoll.map((m) => (m as Record<string, number>)[key]));
  }
  return out as { [K in keyof T]: number };
}
