/**
 * Melody extraction: one track of a MIDI file reduced to a single line, with leading silence trimmed.
 *
 * Pickups: only whole empty bars are trimmed, counted on the file's own bar lines (its first time
 * signature). A piece whose first note is a one-beat pickup in bar 3 therefore starts with a bar of
 * three beats' rest and the pickup, so the first full bar still falls on a bar line of the roll and
 * the model's 2-bar windows line up with the music. (A file that writes its pickup at tick 0, without
 * the rest, already has its bar lines shifted; Cantus trusts the file's bar lines as written.)
 */
import { MidiInputError } from './errors';
import { midiToRoll, type ParsedMidi } from './midiIn';
import { PITCHES, cellIndex, createRoll, stepsPerBar, type PianoRoll, sameGrid } from './pianoRoll';
import { sliceSteps } from './windows';

/** The track Cantus takes as melody when the user picks none: the first non-drum track with notes, or null. */
export function defaultMelodyTrack(parsed: ParsedMidi): number | null {
  const track = parsed.tracks.find((t) => !t.isDrum && t.noteCount > 0);
  return track ? track.index : null;
}

/**
 * The top line of one track: at each step the highest sounding pitch. A lower note that sounds again
 * when a higher one stops starts a new note there, with its own velocity. Returns a 1-track roll.
 */
export function topLine(roll: PianoRoll, track = 0): PianoRoll {
  if (!Number.isInteger(track) || track < 0 || track >= roll.tracks.length) {
    throw new RangeError(`track must be 0..${roll.tracks.length - 1}, got ${track}`);
  }
  const out = createRoll(roll.steps, [roll.tracks[track]], {
    ...sameGrid(roll),
    withOnsets: true,
    withVelocities: roll.velocities !== null,
  });
  const outOnsets = out.onsets as Uint8Array;
  // Velocity of the latest onset of each pitch, so a note uncovered mid-way keeps its own loudness.
  const lastVelocity = new Uint8Array(PITCHES);
  let previous = -1;
  for (let step = 0; step < roll.steps; step++) {
    let top = -1;
    for (let pitch = 0; pitch < PITCHES; pitch++) {
      const i = cellIndex(roll, step, pitch, track);
      if (!roll.active[i]) continue;
      top = pitch;
      if (roll.velocities && roll.onsets?.[i]) lastVelocity[pitch] = roll.velocities[i];
    }
    if (top >= 0) {
      const src = cellIndex(roll, step, top, track);
      const dst = cellIndex(out, step, top, 0);
      out.active[dst] = 1;
      if (top !== previous || roll.onsets?.[src]) {
        outOnsets[dst] = 1;
        if (out.velocities) out.velocities[dst] = lastVelocity[top];
      }
    }
    previous = top;
  }
  return out;
}

/** The first step where any track sounds, or null for a silent roll. */
export function firstSoundingStep(roll: PianoRoll): number | null {
  const stride = PITCHES * roll.tracks.length;
  const i = roll.active.indexOf(1);
  return i < 0 ? null : Math.floor(i / stride);
}

/** Removes the whole empty bars before the first note (see the module comment on pickups). */
export function trimLeadingEmptyBars(roll: PianoRoll): { roll: PianoRoll; trimmedSteps: number } {
  const first = firstSoundingStep(roll);
  const barSteps = Math.max(1, Math.round(stepsPerBar(roll)));
  const trimmedSteps = first === null ? 0 : Math.floor(first / barSteps) * barSteps;
  return { roll: trimmedSteps === 0 ? roll : sliceSteps(roll, trimmedSteps, roll.steps), trimmedSteps };
}

/** A melody taken from a MIDI file. */
export interface ExtractedMelody {
  /** One track: the melody's top line, leading empty bars trimmed. */
  roll: PianoRoll;
  /** The track of the file it came from. */
  trackIndex: number;
  /** Steps removed from the start (whole bars), to put the melody back where it was. */
  trimmedSteps: number;
  /** What was changed, in words for the user (with the file's own warnings). */
  warnings: string[];
}

/**
 * Takes the melody from a parsed MIDI file: the chosen track (default `defaultMelodyTrack`) reduced
 * to its top line, leading empty bars trimmed. Throws `MidiInputError` ('bad-track') for a missing,
 * drum or empty track.
 */
export function extractMelody(parsed: ParsedMidi, options: { track?: number } = {}): ExtractedMelody {
  const trackIndex = options.track ?? defaultMelodyTrack(parsed);
  if (trackIndex === null) throw new MidiInputError('bad-track', 'This file has no melodic track with notes to use as the melody.');
  const track = parsed.tracks[trackIndex];
  if (!Number.isInteger(trackIndex) || !track) {
    throw new MidiInputError('bad-track', `There is no track ${trackIndex + 1} in this file (it has ${parsed.tracks.length}).`);
  }
  if (track.isDrum) throw new MidiInputError('bad-track', `"${track.name}" is a drum track; pick a track with a melody.`);
  if (track.noteCount === 0) throw new MidiInputError('bad-track', `"${track.name}" has no notes; pick a track with a melody.`);

  const warnings = [...parsed.warnings];
  if (track.maxPolyphony > 1) warnings.push(`"${track.name}" plays several notes at once; Cantus keeps its top line as the melody.`);
  const { roll, trimmedSteps } = trimLeadingEmptyBars(topLine(midiToRoll(parsed, { tracks: [trackIndex] })));
  return { roll, trackIndex, trimmedSteps, warnings };
}
