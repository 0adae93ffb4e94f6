/**
 * The parts the tracks of the user's own training files play, as the training panel shows and changes them: one
 * role per track, turned into the `TrackRoles` that training takes (src/music/ownMidi.ts), and what keeps the files
 * from being trained on, in words for the user.
 */
import { drumList } from '../music/drums';
import { MidiInputError } from '../music/errors';
import type { MidiTrackSummary, ParsedMidi } from '../music/midiIn';
import { instrumentName } from '../music/midiTracks';
import { defaultTrackRoles, ownMidiRolls, trackRolesProblem, type TrackRoles } from '../music/ownMidi';
import { pitchName } from '../music/spelling';
import type { AppState, OwnTrainingFile, TrackRole } from './state';

/** Each role as the roles table names it. */
export const TRACK_ROLE_NAMES: Readonly<Record<TrackRole, string>> = {
  melody: 'Melody',
  accompaniment: 'Accompaniment',
  drums: 'Drums',
  unused: 'Not used',
};

/** The roles a track can take: a drum track plays the drums or nothing, another track the melody, the accompaniment or nothing. */
export function roleChoices(track: Pick<MidiTrackSummary, 'isDrum'>): TrackRole[] {
  return track.isDrum ? ['drums', 'unused'] : ['melody', 'accompaniment', 'unused'];
}

/** The tracks the roles table shows: those with notes. */
export function shownTracks(parsed: ParsedMidi): ParsedMidi['tracks'] {
  return parsed.tracks.filter((t) => t.noteCount > 0);
}

/** A track's instrument as the table shows it ("Flute", "Drum kit"). */
export function trackInstrument(track: Pick<MidiTrackSummary, 'isDrum' | 'program'>): string {
  const name = track.isDrum ? 'drum kit' : instrumentName(track.program);
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/**
 * A track's range as note names ("C3–G5"), or an empty text for a track without notes; a drum track's drums instead
 * ("Closed Hi-Hat, Bass Drum 1, Acoustic Snare"), as its keys name instruments, not pitches.
 */
export function trackRange(
  track: Pick<MidiTrackSummary, 'lowestPitch' | 'highestPitch' | 'isDrum'> & { notes?: readonly { pitch: number }[] },
): string {
  if (track.isDrum && track.notes) return drumList(track.notes.map((n) => n.pitch));
  if (track.lowestPitch === null || track.highestPitch === null) return '';
  return `${pitchName(track.lowestPitch)}–${pitchName(track.highestPitch)}`;
}

/** The role of every track of `parsed` under `roles`. */
export function trackRoleList(parsed: ParsedMidi, roles: TrackRoles): TrackRole[] {
  return parsed.tracks.map((track, i) => {
    if (i === roles.melody) return 'melody';
    if (roles.accompaniment.includes(i)) return track.isDrum ? 'drums' : 'accompaniment';
    return 'unused';
  });
}

/** The default role of every track (`defaultTrackRoles`); throws `MidiInputError` for a file without a melodic track. */
export function defaultTrackRoleList(parsed: ParsedMidi): TrackRole[] {
  return trackRoleList(parsed, defaultTrackRoles(parsed));
}

/**
 * The `TrackRoles` of per-track roles: the melodic accompaniment tracks ordered by mean pitch, high to low, then the
 * drum tracks; null unless exactly one track is the melody.
 */
export function trackRolesOf(parsed: ParsedMidi, roles: readonly TrackRole[]): TrackRoles | null {
  const withRole = (role: TrackRole) => parsed.tracks.filter((_, i) => roles[i] === role);
  const melody = withRole('melody');
  if (melody.length !== 1) return null;
  const melodic = withRole('accompaniment').sort((a, b) => (b.meanPitch ?? 0) - (a.meanPitch ?? 0) || a.index - b.index);
  const drums = withRole('drums');
  return { melody: melody[0].index, accompaniment: [...melodic, ...drums].map((t) => t.index) };
}

/**
 * The roles with track `track` given `role`, one melody kept: a track made the melody hands the role it had to the
 * track that was the melody (so picking another melody swaps the two). A role the track cannot take changes nothing.
 */
export function withTrackRole(parsed: ParsedMidi, roles: readonly TrackRole[], track: number, role: TrackRole): TrackRole[] {
  const target = parsed.tracks[track];
  if (!target || !roleChoices(target).includes(role)) return [...roles];
  const next = [...roles];
  if (role === 'melody') {
    const former = next.indexOf('melody');
    if (former >= 0 && former !== track) next[former] = next[track] ?? 'unused';
  }
  next[track] = role;
  return next;
}

/** What is wrong with one file's roles, or null. */
function fileProblem(parsed: ParsedMidi, roles: readonly TrackRole[]): string | null {
  const melodies = roles.filter((r) => r === 'melody').length;
  if (melodies === 0) return 'No track is the melody: choose “Melody” for one track.';
  const trackRoles = trackRolesOf(parsed, roles);
  if (!trackRoles) return `${melodies} tracks are the melody: choose “Melody” for one track only.`;
  return trackRolesProblem(parsed, trackRoles);
}

/**
 * The file with its tracks but none of their notes, one bar long: enough for `ownMidiRolls` to check how the files'
 * tracks fit together, without making each file's whole roll (which takes a while for long files) on every change.
 */
function outline(parsed: ParsedMidi): ParsedMidi {
  return { ...parsed, totalTicks: 0, totalSteps: 16, tracks: parsed.tracks.map((t) => ({ ...t, notes: [] })) };
}

/**
 * The files with their `problem`s worked out: each readable file's roles on their own, then, among the files with
 * none, whether they can share one layout of tracks (`ownMidiRolls`), that problem put on the file its message names.
 */
export function withRoleProblems(files: readonly OwnTrainingFile[]): OwnTrainingFile[] {
  const problems = files.map((f) => (f.parsed && !f.error ? fileProblem(f.parsed, f.roles) : null));
  const fine = files.flatMap((f, i) => (f.parsed && !f.error && !problems[i] ? [i] : []));
  if (fine.length > 1) {
    try {
      ownMidiRolls(
        fine.map((i) => outline(files[i].parsed!)),
        fine.map((i) => trackRolesOf(files[i].parsed!, files[i].roles) ?? undefined),
        fine.map((i) => files[i].file.name),
      );
    } catch (error) {
      // Anything but a refusal of the files is left to training itself, which reads the whole files.
      if (error instanceof MidiInputError) {
        const at = fine.find((i) => error.message.startsWith(`"${files[i].file.name}"`)) ?? fine[0];
        problems[at] = error.message;
      }
    }
  }
  return files.map((f, i) => (f.problem === problems[i] ? f : { ...f, problem: problems[i] }));
}

/** Why the Train button waits for the user's own files (reading, a problem with roles, nothing readable), or null. */
export function ownFilesHold(state: Pick<AppState, 'dataset' | 'ownFiles' | 'ownFilesReading'>): string | null {
  if (state.dataset !== 'own' || state.ownFiles.length === 0) return null;
  if (state.ownFilesReading) return 'The picked files are still being read.';
  const withProblem = state.ownFiles.find((f) => f.problem);
  if (withProblem) return `Fix the track roles of “${withProblem.file.name}” first: ${withProblem.problem}`;
  if (state.ownFiles.every((f) => f.error)) return 'None of the picked files can be read: pick others, or choose the Bach chorales.';
  return null;
}
