/**
 * Notes on the piano roll: the one reader that turns a track's cells back into notes and the one writer
 * that puts a note into a roll. Playback, MIDI export, the metrics, recording, the built-in tunes and MIDI
 * import all go through these two, so they agree on where a note starts, how long it lasts and how loud it is.
 */
import { DEFAULT_VELOCITY } from './constants';
import { PITCHES, cellIndex, checkTrackIndex, type PianoRoll } from './pianoRoll';

/** A note on a roll's grid. */
export interface Note {
  /** MIDI pitch, 0..127. */
  pitch: number;
  /** First step. */
  startStep: number;
  /** Length in steps, at least 1. */
  steps: number;
  /** MIDI velocity, 1..127. */
  velocity: number;
}

function checkWhole(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`${name} must be a whole number ${min}..${max}, got ${value}`);
}

/**
 * The notes of one track, sorted by start step then pitch. A note starts where a pitch begins to sound or
 * where its onset is set (a repeated note), and lasts until the pitch stops or starts again; a roll without
 * onsets (a model's output) reads every run of active steps as one note. A note's velocity is the one stored
 * at its onset (at most 127), or `defaultVelocity` where the roll stores none.
 */
export function trackNotes(roll: PianoRoll, track: number, defaultVelocity: number = DEFAULT_VELOCITY): Note[] {
  checkTrackIndex(roll, track);
  const { active, onsets, velocities } = roll;
  const notes: Note[] = [];
  // Pitch by pitch: the cells of one pitch and track are a step's worth of cells apart.
  const stride = PITCHES * roll.tracks.length;
  for (let pitch = 0; pitch < PITCHES; pitch++) {
    let start = -1;
    let velocity = defaultVelocity;
    for (let step = 0, i = cellIndex(roll, 0, pitch, track); step < roll.steps; step++, i += stride) {
      if (!active[i]) {
        if (start >= 0) notes.push({ pitch, startStep: start, steps: step - start, velocity });
        start = -1;
      } else if (start < 0 || (onsets !== null && onsets[i])) {
        if (start >= 0) notes.push({ pitch, startStep: start, steps: step - start, velocity });
        start = step;
        const v = velocities === null ? 0 : velocities[i];
        velocity = v > 0 ? Math.min(v, 127) : defaultVelocity;
      }
    }
    if (start >= 0) notes.push({ pitch, startStep: start, steps: roll.steps - start, velocity });
  }
  return notes.sort((a, b) => a.startStep - b.startStep || a.pitch - b.pitch);
}

/**
 * Writes a note into one track: its steps sound, and its onset and velocity are stored where the roll keeps
 * onsets and velocities. A note started inside a sounding one of the same pitch cuts it there; where two
 * notes start on one cell the louder velocity stays. Throws RangeError for a track, pitch, span of steps or
 * velocity the roll cannot hold.
 */
export function addNote(roll: PianoRoll, track: number, note: Note): void {
  checkTrackIndex(roll, track);
  checkWhole('pitch', note.pitch, 0, PITCHES - 1);
  checkWhole('startStep', note.startStep, 0, roll.steps - 1);
  checkWhole('steps', note.steps, 1, roll.steps - note.startStep);
  checkWhole('velocity', note.velocity, 1, 127);
  for (let step = note.startStep; step < note.startStep + note.steps; step++) roll.active[cellIndex(roll, step, note.pitch, track)] = 1;
  const onset = cellIndex(roll, note.startStep, note.pitch, track);
  if (roll.onsets) roll.onsets[onset] = 1;
  if (roll.velocities) roll.velocities[onset] = Math.max(roll.velocities[onset], note.velocity);
}
