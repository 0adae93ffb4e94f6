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
import { midiToRoll, type MidiTrackSummary, type ParsedMidi } from './midiIn';
import { PITCHES, cellIndex, checkTrackIndex, createRoll, stepsPerBar, type PianoRoll, sameGrid } from './pianoRoll';
import { sliceSteps } from './windows';

/** Track names that say "this is the tune" (in English and a few other languages), and names that say it is not. */
const MELODY_NAMES =
  /melod|lead|vocal|voice|voix|stimme|canto|cantus|soprano|sopran|tune|theme|solo|right hand|\brh\b|r\.h\.|flute|fl[oö]te|violin ?(i\b|1)|vln\.? ?(i\b|1)|violino ?(i\b|1)|v(iolin)?\.? ?1\b|oboe|trumpet|sing/i;
const ACCOMPANIMENT_NAMES =
  /bass|drum|percussion|perc\b|kit|left hand|\blh\b|l\.h\.|accomp|chord|pad|rhythm|comp\b|pizz|timpani|harmony|alto|tenor|viola|cello|string|arp/i;

/** General MIDI programs that usually carry a tune: flute to pan flute, voices, leads, solo brass and reeds, violin. */
function isLeadProgram(program: number): boolean {
  return (
    program === 40 ||
    (program >= 52 && program <= 54) ||
    (program >= 56 && program <= 57) ||
    (program >= 64 && program <= 79) ||
    (program >= 80 && program <= 87)
  );
}
/** Programs that rarely do: basses, pads, string ensembles, percussive effects. */
function isAccompanimentProgram(program: number): boolean {
  return (
    (program >= 32 && program <= 39) ||
    (program >= 88 && program <= 103) ||
    program === 48 ||
    program === 49 ||
    program === 45 ||
    program >= 112
  );
}

/** How a track's score breaks down, for tests and for the page to explain its pick. */
export interface MelodyTrackScore {
  index: number;
  /** The sum of the parts; the highest wins. */
  total: number;
  /** 0..1: notes relative to the busiest usable track, on a log scale. */
  notes: number;
  /** 0..1: share of the piece the track sounds in. */
  coverage: number;
  /** 0..1: share of its sounding time with one note at a time. */
  monophony: number;
  /** 0..1: mean pitch within the usable tracks' range, a little less above a high soprano's register. */
  register: number;
  /** -1, 0 or 1: the name or instrument says accompaniment, nothing, or tune. */
  name: number;
}

// Weights of the parts. Coverage and note count keep a short part (a bar of pizzicato, an intro) from
// winning on register alone; monophony and register pick the tune out of full-length parts; a name
// decides between parts that sound alike.
const WEIGHTS = { notes: 1.5, coverage: 2, monophony: 1.5, register: 1.5, name: 1.5 };

/** Scores every usable track (not drums, with notes) as a melody candidate; see `suggestMelodyTrack`. */
export function scoreMelodyTracks(tracks: readonly MidiTrackSummary[]): MelodyTrackScore[] {
  const usable = tracks.filter((t) => !t.isDrum && t.noteCount > 0);
  if (usable.length === 0) return [];
  const mostNotes = Math.max(...usable.map((t) => t.noteCount));
  const means = usable.map((t) => t.meanPitch ?? 60);
  const low = Math.min(...means);
  const high = Math.max(...means);
  return usable.map((t) => {
    const mean = t.meanPitch ?? 60;
    let register = high > low ? (mean - low) / (high - low) : 1;
    // Above a soprano's range (C6) a part is more often a descant, piccolo or glockenspiel than the tune.
    if (mean > 84) register *= 0.6;
    const notes = Math.log1p(t.noteCount) / Math.log1p(mostNotes);
    const label = t.name.toLowerCase();
    const name = ACCOMPANIMENT_NAMES.test(label)
      ? -1
      : MELODY_NAMES.test(label)
        ? 1
        : isLeadProgram(t.program)
          ? 0.5
          : isAccompanimentProgram(t.program)
            ? -0.5
            : 0;
    const monophony = t.monophony;
    const coverage = t.coverage;
    const total =
      WEIGHTS.notes * notes +
      WEIGHTS.coverage * coverage +
      WEIGHTS.monophony * monophony +
      WEIGHTS.register * register +
      WEIGHTS.name * name;
    return { index: t.index, total, notes, coverage, monophony, register, name };
  });
}

/**
 * The track the page suggests as the melody: the best of `scoreMelodyTracks` (note count, how much of
 * the piece it covers, how often it plays one note at a time, register and its name). Never drums;
 * for a file without usable tracks, the first track.
 */
export function suggestMelodyTrack(tracks: readonly MidiTrackSummary[]): number {
  const scores = scoreMelodyTracks(tracks);
  if (scores.length === 0) return tracks[0]?.index ?? 0;
  return scores.reduce((best, s) => (s.total > best.total ? s : best)).index;
}

/** The track Cantus takes as melody when the user picks none: `suggestMelodyTrack`'s choice, or null without usable tracks. */
export function defaultMelodyTrack(parsed: ParsedMidi): number | null {
  return parsed.tracks.some((t) => !t.isDrum && t.noteCount > 0) ? suggestMelodyTrack(parsed.tracks) : null;
}

/**
 * The top line of one track: at each step the highest sounding pitch. A lower note that sounds again
 * when a higher one stops starts a new note there, with its own velocity. Returns a 1-track roll.
 */
export function topLine(roll: PianoRoll, track = 0): PianoRoll {
  checkTrackIndex(roll, track);
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
