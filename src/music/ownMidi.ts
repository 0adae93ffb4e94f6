/**
 * Training data from the user's own multi-track MIDI files: one track is the melody (the model's condition), up
 * to three others the accompaniment the model learns to write, a drum track among them.
 *
 * Defaults: the melody is the highest-pitched non-drum track with notes (by mean pitch); the accompaniment is the
 * file's drum track with the most notes, if it has one, and the next non-drum tracks with notes, ordered high to
 * low, three tracks in all. Extra tracks are left out (merging them would pile several instruments into one
 * track). The melody is reduced to its top line, as the melodies Cantus accompanies are; the accompaniment keeps
 * its chords.
 *
 * Every file's tracks go into the same places (`ownTrackLayout`): the melodic accompaniment first, in the order
 * the roles give, then the drums when any file has drums; a file without a track for a place gets a silent one.
 * Each place is named and voiced after the files' tracks in it (their usual instrument and name).
 */
import { measureDataProfile } from './dataProfile';
import { MidiInputError } from './errors';
import { midiToRoll, type ParsedMidi } from './midiIn';
import { instrumentName } from './midiTracks';
import { topLine, trimLeadingEmptyBars } from './melody';
import { ACCOMPANIMENT_TRACKS, createRoll, type PianoRoll, type TrackInfo, type TrainingWindows } from './pianoRoll';
import { buildTrainingWindows, stackTracks, type TrainingWindowOptions } from './windows';

/** Which tracks of a file play which part. */
export interface TrackRoles {
  /** Index into `ParsedMidi.tracks` of the melody. */
  melody: number;
  /**
   * Indices of up to ACCOMPANIMENT_TRACKS accompaniment tracks, melodic ones in the order they should take (the
   * highest first by default); at most one drum track, trained and written as drums.
   */
  accompaniment: number[];
}

/** The default roles (see the module comment); throws `MidiInputError` if the file has no melodic track. */
export function defaultTrackRoles(parsed: ParsedMidi): TrackRoles {
  const melodic = parsed.tracks
    .filter((t) => !t.isDrum && t.noteCount > 0)
    .sort((a, b) => (b.meanPitch ?? 0) - (a.meanPitch ?? 0) || a.index - b.index);
  if (melodic.length === 0) throw new MidiInputError('bad-track', 'This file has no melodic track with notes.');
  const drums = parsed.tracks.filter((t) => t.isDrum && t.noteCount > 0).sort((a, b) => b.noteCount - a.noteCount || a.index - b.index);
  const melodicPlaces = ACCOMPANIMENT_TRACKS - (drums.length > 0 ? 1 : 0);
  return {
    melody: melodic[0].index,
    accompaniment: [...melodic.slice(1, 1 + melodicPlaces).map((t) => t.index), ...drums.slice(0, 1).map((t) => t.index)],
  };
}

/** What is wrong with `roles` for `parsed` (a message for the user), or null when they can be trained on. */
export function trackRolesProblem(parsed: ParsedMidi, roles: TrackRoles): string | null {
  const all = [roles.melody, ...roles.accompaniment];
  for (const i of all) {
    if (!Number.isInteger(i) || i < 0 || i >= parsed.tracks.length)
      return `There is no track ${i + 1} in this file (it has ${parsed.tracks.length}).`;
  }
  if (new Set(all).size !== all.length)
    return 'A track can play only one part: pick different tracks for the melody and each accompaniment track.';
  if (roles.accompaniment.length > ACCOMPANIMENT_TRACKS)
    return `Pick at most ${ACCOMPANIMENT_TRACKS} accompaniment tracks (the model writes ${ACCOMPANIMENT_TRACKS} tracks under the melody).`;
  if (roles.accompaniment.filter((i) => parsed.tracks[i].isDrum).length > 1) return 'Pick at most one drum track.';
  const melody = parsed.tracks[roles.melody];
  if (melody.isDrum) return `"${melody.name}" is a drum track; pick a track with a melody.`;
  if (melody.noteCount === 0) return `"${melody.name}" has no notes; pick a track with a melody.`;
  return null;
}

function checkRoles(parsed: ParsedMidi, roles: TrackRoles): void {
  const problem = trackRolesProblem(parsed, roles);
  if (problem) throw new MidiInputError('bad-track', problem);
}

/** Where every file's tracks go: the melodic places, then a drum place when any file has a drum track. */
export interface OwnTrackLayout {
  melodicPlaces: number;
  drums: boolean;
}

/** The layout of files with these roles (see the module comment). */
export function ownTrackLayout(files: readonly ParsedMidi[], roles: readonly TrackRoles[]): OwnTrackLayout {
  const drums = roles.some((r, i) => r.accompaniment.some((t) => files[i].tracks[t]?.isDrum));
  return { melodicPlaces: ACCOMPANIMENT_TRACKS - (drums ? 1 : 0), drums };
}

/** The file's accompaniment tracks by place (-1: no track there); throws when it has more melodic ones than places. */
function placesOf(parsed: ParsedMidi, roles: TrackRoles, layout: OwnTrackLayout, label: string): number[] {
  const melodic = roles.accompaniment.filter((t) => !parsed.tracks[t].isDrum);
  const drum = roles.accompaniment.find((t) => parsed.tracks[t].isDrum);
  if (melodic.length > layout.melodicPlaces)
    throw new MidiInputError(
      'bad-track',
      `${label} has ${melodic.length} melodic accompaniment tracks, but the files have a drum track, so the model writes ${layout.melodicPlaces} melodic tracks beside it: leave one out.`,
    );
  const places = [...melodic, ...new Array<number>(layout.melodicPlaces - melodic.length).fill(-1)];
  if (layout.drums) places.push(drum ?? -1);
  return places;
}

/** A track name the file gave (not one made up from its instrument). */
function givenName(name: string): boolean {
  return !/^Track \d+ \(/.test(name);
}

function titleCase(text: string): string {
  return text.replace(/\b\w/g, (c) => c.toUpperCase());
}

/** The most common value (the first of equals). */
function mostCommon<T>(values: readonly T[]): T | undefined {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: T | undefined;
  let bestCount = 0;
  for (const [v, c] of counts) {
    if (c > bestCount) {
      best = v;
      bestCount = c;
    }
  }
  return best;
}

/** One place's name and instrument from the files' tracks in it: the usual program, and the usual given name or that instrument's. */
function placeInfo(tracks: readonly TrackInfo[], drums: boolean, place: number): TrackInfo {
  if (tracks.length === 0) return { name: drums ? 'Drums' : `Accompaniment ${place + 1}`, program: 0, isDrum: drums };
  const program = mostCommon(tracks.map((t) => t.program)) ?? 0;
  const named = mostCommon(tracks.filter((t) => givenName(t.name)).map((t) => t.name));
  return { name: named ?? (drums ? 'Drums' : titleCase(instrumentName(program))), program, isDrum: drums };
}

/** One file as a 4-track training roll (melody top line, then its tracks by place), leading empty bars trimmed. */
function fileRoll(parsed: ParsedMidi, melodyTrack: number, places: readonly number[], layout: OwnTrackLayout): PianoRoll {
  const melody = topLine(midiToRoll(parsed, { tracks: [melodyTrack] }));
  const parts: PianoRoll[] = [melody];
  places.forEach((t, place) => {
    if (t >= 0) parts.push(midiToRoll(parsed, { tracks: [t] }));
    else {
      const drums = layout.drums && place === places.length - 1;
      parts.push(
        createRoll(melody.steps, [{ name: '(no track)', program: 0, isDrum: drums }], {
          stepsPerBeat: melody.stepsPerBeat,
          tempoBpm: melody.tempoBpm,
          beatsPerBar: melody.beatsPerBar,
        }),
      );
    }
  });
  return trimLeadingEmptyBars(stackTracks(parts)).roll;
}

/** The files as training rolls, all with the same tracks (see the module comment), and those tracks' infos. */
export function ownMidiRolls(
  files: readonly ParsedMidi[],
  roles: readonly (TrackRoles | undefined)[] = [],
  names: readonly string[] = [],
): { rolls: PianoRoll[]; tracks: TrackInfo[] } {
  const resolved = files.map((parsed, i) => roles[i] ?? defaultTrackRoles(parsed));
  const label = (i: number) => (names[i] ? `"${names[i]}"` : `File ${i + 1}`);
  resolved.forEach((r, i) => {
    const problem = trackRolesProblem(files[i], r);
    if (problem) throw new MidiInputError('bad-track', `${label(i)}: ${problem}`);
  });
  const layout = ownTrackLayout(files, resolved);
  const places = files.map((parsed, i) => placesOf(parsed, resolved[i], layout, label(i)));
  const rolls = files.map((parsed, i) => fileRoll(parsed, resolved[i].melody, places[i], layout));
  const placeCount = layout.melodicPlaces + (layout.drums ? 1 : 0);
  const tracks = Array.from({ length: placeCount }, (_, place) => {
    const drums = layout.drums && place === placeCount - 1;
    const filled = files.flatMap((parsed, i) => (places[i][place] >= 0 ? [parsed.tracks[places[i][place]]] : []));
    return placeInfo(filled, drums, place);
  });
  return { rolls, tracks };
}

/** One file as a 4-track training roll, with `roles` (default `defaultTrackRoles`), laid out as if it were the only file. */
export function ownMidiToRoll(parsed: ParsedMidi, roles: TrackRoles = defaultTrackRoles(parsed)): PianoRoll {
  checkRoles(parsed, roles);
  return ownMidiRolls([parsed], [roles]).rolls[0];
}

/** Options for `ownMidiToTrainingWindows`. */
export interface OwnMidiWindowOptions extends Pick<TrainingWindowOptions, 'hopSteps' | 'transpositions'> {
  /** Roles per file (same order as the files); a missing entry takes `defaultTrackRoles`. */
  roles?: Array<TrackRoles | undefined>;
  /** The files' names, for messages. */
  names?: string[];
}

/**
 * Training windows from the user's parsed MIDI files (see the module comment for the tracks; windows as in
 * `buildTrainingWindows`, default hop one bar of 4/4), with the data's profile: its tracks as the model should
 * write them.
 */
export function ownMidiToTrainingWindows(files: ParsedMidi[], options: OwnMidiWindowOptions = {}): TrainingWindows {
  const { rolls, tracks } = ownMidiRolls(files, options.roles, options.names);
  return ownRollsToTrainingWindows(rolls, tracks, options);
}

/**
 * Training windows from rolls that `ownMidiRolls` laid out (some of them: the training part of a collection laid out
 * whole), with their accompaniment tracks' infos, and the profile of those rolls.
 */
export function ownRollsToTrainingWindows(
  rolls: PianoRoll[],
  tracks: TrackInfo[],
  options: Pick<OwnMidiWindowOptions, 'hopSteps' | 'transpositions'> = {},
): TrainingWindows {
  const windows = buildTrainingWindows(rolls.length, (i) => rolls[i], {
    hopSteps: options.hopSteps,
    transpositions: options.transpositions,
    trackNames: ['Melody', ...tracks.map((t) => t.name)],
  });
  return { ...windows, profile: measureDataProfile(rolls, 'own', tracks) };
}
