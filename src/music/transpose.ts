/**
 * Transposition: by semitones in general, and by whole octaves to bring a melody into the range the
 * model learned (the JSB soprano range) and back, so the result sounds where the user wrote it.
 */
import { PITCHES, cloneRoll, createRoll, type PianoRoll, sameGrid } from './pianoRoll';

/** Lowest pitch of the JSB soprano voice (C4), the model's melody range. */
export const MELODY_LOW_PITCH = 60;
/** Highest pitch of the JSB soprano voice (A5). */
export const MELODY_HIGH_PITCH = 81;

/** Lowest and highest sounding pitch of a roll (all tracks, or one), or null if it is silent. */
export function soundingPitchRange(roll: PianoRoll, track?: number): { lowest: number; highest: number } | null {
  const n = roll.tracks.length;
  let lowest = PITCHES;
  let highest = -1;
  for (let i = 0; i < roll.active.length; i++) {
    if (!roll.active[i] || (track !== undefined && i % n !== track)) continue;
    const pitch = Math.floor(i / n) % PITCHES;
    if (pitch < lowest) lowest = pitch;
    if (pitch > highest) highest = pitch;
  }
  return highest < 0 ? null : { lowest, highest };
}

/** A copy moved by `semitones`; notes pushed off the MIDI keyboard (0..127) are dropped. */
export function transposeRoll(roll: PianoRoll, semitones: number): PianoRoll {
  if (!Number.isInteger(semitones)) throw new RangeError(`semitones must be a whole number, got ${semitones}`);
  if (semitones === 0) return cloneRoll(roll);
  const out = createRoll(roll.steps, roll.tracks, {
    ...sameGrid(roll),
    withOnsets: roll.onsets !== null,
    withVelocities: roll.velocities !== null,
  });
  const n = roll.tracks.length;
  const shift = semitones * n;
  for (let i = 0; i < roll.active.length; i++) {
    if (!roll.active[i]) continue;
    const pitch = Math.floor(i / n) % PITCHES + semitones;
    if (pitch < 0 || pitch >= PITCHES) continue;
    out.active[i + shift] = 1;
    if (roll.onsets && out.onsets) out.onsets[i + shift] = roll.onsets[i];
    if (roll.velocities && out.velocities) out.velocities[i + shift] = roll.velocities[i];
  }
  return out;
}

/** A roll moved into a range, and by how many octaves it was moved (+1 = one octave up). */
export interface FitResult {
  roll: PianoRoll;
  octaveShift: number;
}

/**
 * Moves a roll by whole octaves so that as much of it as possible (counted in sounding steps) lies in
 * `low..high`; ties go to the smaller move. Never pushes a note off the keyboard. Undo with `restoreRange`.
 */
export function fitToRange(roll: PianoRoll, low: number = MELODY_LOW_PITCH, high: number = MELODY_HIGH_PITCH): FitResult {
  if (!Number.isInteger(low) || !Number.isInteger(high) || low < 0 || high >= PITCHES || low > high) {
    throw new RangeError(`the range must be whole MIDI pitches with 0 <= low <= high <= 127, got ${low}..${high}`);
  }
  const range = soundingPitchRange(roll);
  if (!range) return { roll: cloneRoll(roll), octaveShift: 0 };
  const cellsPerPitch = new Float64Array(PITCHES);
  const n = roll.tracks.length;
  for (let i = 0; i < roll.active.length; i++) if (roll.active[i]) cellsPerPitch[Math.floor(i / n) % PITCHES]++;

  let best = 0;
  let bestScore = -1;
  // `+ 0` turns -0 into 0.
  for (let octaves = -Math.floor(range.lowest / 12) + 0; octaves <= Math.floor((PITCHES - 1 - range.highest) / 12); octaves++) {
    let score = 0;
    for (let pitch = Math.max(0, low - 12 * octaves); pitch <= Math.min(PITCHES - 1, high - 12 * octaves); pitch++) score += cellsPerPitch[pitch];
    if (score > bestScore || (score === bestScore && Math.abs(octaves) < Math.abs(best))) {
      best = octaves;
      bestScore = score;
    }
  }
  return { roll: transposeRoll(roll, 12 * best), octaveShift: best };
}

/** Undoes `fitToRange` on a roll (for example the accompaniment written for the moved melody). */
export function restoreRange(roll: PianoRoll, octaveShift: number): PianoRoll {
  return transposeRoll(roll, -12 * octaveShift);
}
