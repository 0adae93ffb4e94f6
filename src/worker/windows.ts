/** Conversions from training windows (-1/+1 values) to piano rolls, for snapshots and metrics. */
import { PITCHES, createRoll, type PianoRoll, type TrainingWindows } from '../music/pianoRoll';

/** Window `index` as a roll; `tracks` picks which tracks to keep (default all), in that order. */
export function windowToRoll(data: TrainingWindows, index: number, tracks?: number[]): PianoRoll {
  if (!Number.isInteger(index) || index < 0 || index >= data.count) throw new RangeError(`window index must be 0..${data.count - 1}, got ${index}`);
  const picked = tracks ?? data.trackNames.map((_, t) => t);
  const roll = createRoll(
    data.steps,
    picked.map((t) => ({ name: data.trackNames[t] ?? `track ${t + 1}`, program: 0, isDrum: false })),
    { withOnsets: false },
  );
  const base = index * data.steps * PITCHES * data.tracks;
  for (let cell = 0; cell < data.steps * PITCHES; cell++) {
    for (let k = 0; k < picked.length; k++) {
      if (data.data[base + cell * data.tracks + picked[k]] > 0) roll.active[cell * picked.length + k] = 1;
    }
  }
  return roll;
}

/** The melody tracks (track 0) of the first `limit` windows, as one-track rolls. */
export function windowMelodies(data: TrainingWindows, limit: number): PianoRoll[] {
  const count = Math.min(limit, data.count);
  return Array.from({ length: count }, (_, i) => windowToRoll(data, i, [0]));
}

/** Every window as a full roll. */
export function windowsToRolls(data: TrainingWindows): PianoRoll[] {
  return Array.from({ length: data.count }, (_, i) => windowToRoll(data, i));
}
