/**
 * Training data from the user's own multi-track MIDI files: one track is the melody (the model's
 * condition), up to three others the accompaniment the model learns to write.
 *
 * Defaults: the melody is the highest-pitched non-drum track with notes (by mean pitch) and the
 * accompaniment the next three non-drum tracks with notes, ordered high to low, like soprano over
 * alto, tenor and bass. A file with fewer tracks gets silent tracks in the missing places; extra tracks
 * are left out (merging them would pile several instruments into one voice). The melody is reduced to
 * its top line, as the melodies Cantus accompanies are; the accompaniment keeps its chords.
 */
import { MidiInputError } from './errors';
import { midiToRoll, type ParsedMidi } from './midiIn';
import { topLine, trimLeadingEmptyBars } from './melody';
import { createRoll, type PianoRoll, type TrainingWindows } from './pianoRoll';
import { buildTrainingWindows, stackTracks, type TrainingWindowOptions } from './windows';

/** Accompaniment tracks of a training roll: the model writes four voices, the melody and three more. */
export const ACCOMPANIMENT_TRACKS = 3;
/** Track names of own-MIDI training windows. */
export const OWN_MIDI_TRACK_NAMES = ['Melody', 'Accompaniment 1', 'Accompaniment 2', 'Accompaniment 3'];

/** Which tracks of a file play which part. */
export interface TrackRoles {
  /** Index into `ParsedMidi.tracks` of the melody. */
  melody: number;
  /** Indices of up to ACCOMPANIMENT_TRACKS accompaniment tracks, highest voice first. */
  accompaniment: number[];
}

/** The default roles (see the module comment); throws `MidiInputError` if the file has no melodic track. */
export function defaultTrackRoles(parsed: ParsedMidi): TrackRoles {
  const melodic = parsed.tracks
    .filter((t) => !t.isDrum && t.noteCount > 0)
    .sort((a, b) => (b.meanPitch ?? 0) - (a.meanPitch ?? 0) || a.index - b.index);
  if (melodic.length === 0) throw new MidiInputError('bad-track', 'This file has no melodic track with notes.');
  return { melody: melodic[0].index, accompaniment: melodic.slice(1, 1 + ACCOMPANIMENT_TRACKS).map((t) => t.index) };
}

function checkRoles(parsed: ParsedMidi, roles: TrackRoles): void {
  const all = [roles.melody, ...roles.accompaniment];
  for (const i of all) {
    if (!Number.isInteger(i) || i < 0 || i >= parsed.tracks.length) {
      throw new MidiInputError('bad-track', `There is no track ${i + 1} in this file (it has ${parsed.tracks.length}).`);
    }
  }
  if (new Set(all).size !== all.length)
    throw new MidiInputError(
      'bad-track',
      'A track can play only one part: pick different tracks for the melody and each accompaniment voice.',
    );
  if (roles.accompaniment.length > ACCOMPANIMENT_TRACKS) {
    throw new MidiInputError(
      'bad-track',
      `Pick at most ${ACCOMPANIMENT_TRACKS} accompaniment tracks (the model writes ${ACCOMPANIMENT_TRACKS} voices under the melody).`,
    );
  }
  const melody = parsed.tracks[roles.melody];
  if (melody.isDrum) throw new MidiInputError('bad-track', `"${melody.name}" is a drum track; pick a track with a melody.`);
  if (melody.noteCount === 0) throw new MidiInputError('bad-track', `"${melody.name}" has no notes; pick a track with a melody.`);
}

/**
 * One file as a 4-track training roll: melody top line, then the accompaniment tracks, silent tracks
 * where fewer than three are given; leading empty bars trimmed.
 */
export function ownMidiToRoll(parsed: ParsedMidi, roles: TrackRoles = defaultTrackRoles(parsed)): PianoRoll {
  checkRoles(parsed, roles);
  const melody = topLine(midiToRoll(parsed, { tracks: [roles.melody] }));
  const parts: PianoRoll[] = [melody];
  if (roles.accompaniment.length > 0) parts.push(midiToRoll(parsed, { tracks: roles.accompaniment }));
  const missing = ACCOMPANIMENT_TRACKS - roles.accompaniment.length;
  if (missing > 0) {
    const silent = Array.from({ length: missing }, (_, k) => ({
      name: `(no track ${roles.accompaniment.length + k + 1})`,
      program: 0,
      isDrum: false,
    }));
    parts.push(
      createRoll(melody.steps, silent, { stepsPerBeat: melody.stepsPerBeat, tempoBpm: melody.tempoBpm, beatsPerBar: melody.beatsPerBar }),
    );
  }
  return trimLeadingEmptyBars(stackTracks(parts)).roll;
}

/** Options for `ownMidiToTrainingWindows`. */
export interface OwnMidiWindowOptions extends Pick<TrainingWindowOptions, 'hopSteps' | 'transpositions'> {
  /** Roles per file (same order as the files); a missing entry takes `defaultTrackRoles`. */
  roles?: Array<TrackRoles | undefined>;
}

/**
 * Training windows from the user's parsed MIDI files (see the module comment for the track choice;
 * windows as in `buildTrainingWindows`, default hop one bar of 4/4).
 */
export function ownMidiToTrainingWindows(files: ParsedMidi[], options: OwnMidiWindowOptions = {}): TrainingWindows {
  const rolls = files.map((parsed, i) => ownMidiToRoll(parsed, options.roles?.[i] ?? defaultTrackRoles(parsed)));
  return buildTrainingWindows(rolls.length, (i) => rolls[i], {
    hopSteps: options.hopSteps,
    transpositions: options.transpositions,
    trackNames: [...OWN_MIDI_TRACK_NAMES],
  });
}
