/**
 * MIDI file in: bytes -> events (the bounded reader in smf.ts) -> tracks of notes (midiTracks.ts) -> a piano roll
 * on the 16th-note grid. This file checks the file's limits, tempo and metre, and puts notes on the grid.
 *
 * Quantisation works in ticks and beats through the file's ticks-per-beat, never in seconds, so tempo
 * changes cannot smear notes off the grid. The first tempo becomes the roll's tempo and later tempo
 * changes are dropped (the roll has one tempo); likewise the first time signature sets the bar length.
 * Every dropped detail is listed in `ParsedMidi.warnings` so the page can tell the user.
 */
import { DEFAULT_TEMPO_BPM } from './constants';
import { MidiInputError } from './errors';
import { readTracks, type MidiNote, type MidiTrackSummary, type ParsedMidiTrack } from './midiTracks';
import { readSmf } from './smf';
import { addNote } from './notes';
import { DEFAULT_STEPS_PER_BEAT, createRoll, type PianoRoll, type TrackInfo } from './pianoRoll';

export type { MidiNote, MidiTrackSummary, ParsedMidiTrack } from './midiTracks';

/** Largest MIDI file accepted, in bytes: real songs are far smaller, and parsing is all in memory. */
export const MAX_MIDI_BYTES = 8 * 1024 * 1024;
/** Longest piece accepted, in 16th-note steps: 1024 bars of 4/4 (about 34 minutes at 120 bpm). */
export const MAX_PIECE_STEPS = 16_384;
/** Most notes accepted in one file: real pieces within MAX_PIECE_STEPS hold far fewer. */
export const MAX_MIDI_NOTES = 25_000;
/** Slowest tempo accepted, in beats per minute. */
export const MIN_TEMPO_BPM = 10;
/** Fastest tempo accepted, in beats per minute. */
export const MAX_TEMPO_BPM = 400;

/** A MIDI file read and checked, before it is put on the grid. */
export interface ParsedMidi {
  /** Standard MIDI file format: 0 (one track) or 1 (several); format-0 files are split per channel. */
  format: number;
  /** Ticks per quarter-note beat (for SMPTE-timed files: derived from the first tempo). */
  ticksPerBeat: number;
  /** The first tempo of the file, in quarter-note beats per minute. */
  tempoBpm: number;
  /** Quarter-note beats per bar from the first time signature (6/8 gives 3, 7/8 gives 3.5). */
  beatsPerBar: number;
  /** End of the last note, in ticks. */
  totalTicks: number;
  /** End of the last note on the 16th-note grid, in steps. */
  totalSteps: number;
  tracks: ParsedMidiTrack[];
  /** What was dropped or assumed, in words for the user (for example tempo changes). */
  warnings: string[];
}

function formatBpm(bpm: number): string {
  return Number.isInteger(bpm) ? String(bpm) : bpm.toFixed(1);
}

/** Refuses a piece longer than MAX_PIECE_STEPS, saying how long it is in bars and minutes. */
function checkLength(totalSteps: number, beatsPerBar: number, tempoBpm: number): void {
  if (totalSteps <= MAX_PIECE_STEPS) return;
  const barSteps = Number.isFinite(beatsPerBar) && beatsPerBar > 0 ? beatsPerBar * DEFAULT_STEPS_PER_BEAT : 16;
  const bars = Math.ceil(totalSteps / barSteps);
  const minutes = Math.round((totalSteps / DEFAULT_STEPS_PER_BEAT / tempoBpm) * 10) / 10;
  const maxBars = Math.floor(MAX_PIECE_STEPS / barSteps);
  throw new MidiInputError(
    'too-long',
    `This piece is ${bars} bars long (about ${minutes} minutes); Cantus takes at most ${maxBars} bars (${MAX_PIECE_STEPS} sixteenth notes). Export the section you want to accompany and try again.`,
  );
}

/**
 * Reads and checks a MIDI file. Throws `MidiInputError` for anything Cantus cannot use: an empty,
 * oversized, foreign, cut-short or damaged file, one without notes or with drums only, one longer than
 * MAX_PIECE_STEPS or with more than MAX_MIDI_NOTES notes, or one whose tempo lies outside MIN_TEMPO_BPM..MAX_TEMPO_BPM.
 */
export function parseMidi(bytes: Uint8Array): ParsedMidi {
  if (bytes.length === 0) throw new MidiInputError('empty', 'The file is empty (0 bytes). Pick a MIDI file that contains music.');
  if (bytes.length > MAX_MIDI_BYTES) {
    const mb = (n: number) => (n / (1024 * 1024)).toFixed(n >= 10 * 1024 * 1024 ? 0 : 1);
    throw new MidiInputError(
      'too-large',
      `This file is ${mb(bytes.length)} MB; Cantus reads MIDI files of up to ${mb(MAX_MIDI_BYTES)} MB. A melody's MIDI file is usually well under 1 MB: export only the part you need.`,
    );
  }
  const smf = readSmf(bytes);

  // Refuse oversized pieces before pairing notes and building tracks.
  let noteCount = 0;
  let lastTick = 0;
  let firstTempo: { tick: number; bpm: number } | null = null;
  const tempoTicks: { tick: number; bpm: number }[] = [];
  const signatures: { tick: number; numerator: number; denominator: number }[] = [];
  for (const track of smf.tracks) {
    for (const event of track) {
      if (event.kind === 'noteOn') noteCount++;
      if (event.kind === 'noteOn' || event.kind === 'noteOff') lastTick = Math.max(lastTick, event.tick);
      if (event.kind === 'tempo') {
        const bpm = 60_000_000 / event.microsecondsPerBeat;
        tempoTicks.push({ tick: event.tick, bpm });
        if (firstTempo === null || event.tick < firstTempo.tick) firstTempo = { tick: event.tick, bpm };
      }
      if (event.kind === 'timeSignature') signatures.push(event);
    }
  }
  if (noteCount === 0) throw new MidiInputError('no-notes', 'This MIDI file contains no notes. Pick a file with a melody in it.');
  if (noteCount > MAX_MIDI_NOTES) {
    throw new MidiInputError(
      'too-large',
      `This file holds ${noteCount} notes; Cantus reads files of up to ${MAX_MIDI_NOTES} notes. Export only the part you want to use.`,
    );
  }

  const warnings: string[] = [];
  const tempoBpm = firstTempo ? firstTempo.bpm : DEFAULT_TEMPO_BPM;
  if (!Number.isFinite(tempoBpm) || tempoBpm < MIN_TEMPO_BPM || tempoBpm > MAX_TEMPO_BPM) {
    throw new MidiInputError(
      'bad-tempo',
      `This MIDI file's tempo is ${Number.isFinite(tempoBpm) ? formatBpm(tempoBpm) : 'infinite'} beats per minute; Cantus plays tempos from ${MIN_TEMPO_BPM} to ${MAX_TEMPO_BPM} bpm. Set a realistic tempo in your music program and export again.`,
    );
  }
  const ticksPerBeat = smf.ticksPerBeat ?? ((smf.ticksPerSecond as number) * 60) / tempoBpm;
  // Stable sorts: at equal ticks the file's own order decides, as players do.
  signatures.sort((a, b) => a.tick - b.tick);
  const firstSignature = signatures[0];
  const roughBeatsPerBar =
    firstSignature && firstSignature.denominator > 0 ? (firstSignature.numerator * 4) / firstSignature.denominator : 4;
  checkLength(Math.round((lastTick * DEFAULT_STEPS_PER_BEAT) / ticksPerBeat), roughBeatsPerBar, tempoBpm);

  tempoTicks.sort((a, b) => a.tick - b.tick);
  const laterTempos = tempoTicks.slice(1).filter((t) => Math.abs(t.bpm - tempoBpm) > 1e-6);
  if (laterTempos.length > 0) {
    warnings.push(
      `The piece changes tempo ${laterTempos.length} time(s); Cantus keeps the first tempo (${formatBpm(tempoBpm)} bpm) throughout.`,
    );
  }

  if (smf.ticksPerBeat === null) warnings.push('This file is timed in SMPTE frames; its notes were placed on beats using its first tempo.');

  let beatsPerBar = 4;
  if (firstSignature) {
    const { numerator, denominator } = firstSignature;
    const quarterBeats = (numerator * 4) / denominator;
    // Keep bars a whole number of 16th notes; anything else (a damaged signature) falls back to 4/4.
    if (
      Number.isFinite(quarterBeats) &&
      quarterBeats > 0 &&
      quarterBeats <= 32 &&
      Number.isInteger(quarterBeats * DEFAULT_STEPS_PER_BEAT)
    ) {
      beatsPerBar = quarterBeats;
    } else {
      warnings.push(`The time signature ${numerator}/${denominator} cannot be used; bars of 4/4 are assumed.`);
    }
    const laterSignatures = signatures.slice(1).filter((s) => s.numerator !== numerator || s.denominator !== denominator);
    if (laterSignatures.length > 0) {
      warnings.push(
        `The time signature changes ${laterSignatures.length} time(s); Cantus counts bars in ${numerator}/${denominator} throughout.`,
      );
    }
  }

  const { tracks, totalTicks } = readTracks(smf);

  const withNotes = tracks.filter((t) => t.noteCount > 0);
  if (withNotes.length === 0) throw new MidiInputError('no-notes', 'This MIDI file contains no notes. Pick a file with a melody in it.');
  if (withNotes.every((t) => t.isDrum)) {
    throw new MidiInputError(
      'only-drums',
      'This MIDI file contains only drums (channel 10). Cantus needs a melody with pitches: pick a file with a melodic track.',
    );
  }

  let totalSteps = 0;
  for (const t of tracks) for (const n of t.notes) totalSteps = Math.max(totalSteps, quantiseNote(n, ticksPerBeat)[1]);
  checkLength(totalSteps, beatsPerBar, tempoBpm);

  return { format: smf.format, ticksPerBeat, tempoBpm, beatsPerBar, totalTicks, totalSteps, tracks, warnings };
}

/** A note's first step and the step after its last: nearest steps, at least one step long. */
function quantiseNote(note: MidiNote, ticksPerBeat: number): [number, number] {
  const toStep = (tick: number) => Math.round((tick * DEFAULT_STEPS_PER_BEAT) / ticksPerBeat);
  const start = toStep(note.startTick);
  return [start, Math.max(toStep(note.startTick + note.durationTicks), start + 1)];
}

/** The track summaries of a parsed file, without the notes (cheap to send to the page). */
export function summarizeTracks(parsed: ParsedMidi): MidiTrackSummary[] {
  return parsed.tracks.map(({ notes: _notes, ...summary }) => summary);
}

/** Options for `midiToRoll`. */
export interface MidiToRollOptions {
  /** Indices into `parsed.tracks`, in the order the roll's tracks should have; default: every non-drum track with notes. */
  tracks?: number[];
}

/** A track's `TrackInfo` for a roll. */
export function trackInfoOf(track: MidiTrackSummary): TrackInfo {
  return { name: track.name, program: track.program, isDrum: track.isDrum };
}

/**
 * Puts the chosen tracks of a parsed file on the 16th-note grid: a roll as long as the whole file,
 * with onsets and velocities. A note starts at its nearest step and lasts at least one step. Two notes
 * of one pitch in one track that overlap become two notes, the first cut where the second starts (a key
 * cannot sound twice at once).
 */
export function midiToRoll(parsed: ParsedMidi, options: MidiToRollOptions = {}): PianoRoll {
  const indices = options.tracks ?? parsed.tracks.filter((t) => !t.isDrum && t.noteCount > 0).map((t) => t.index);
  if (indices.length === 0) throw new MidiInputError('bad-track', 'No track was chosen, and this file has no melodic track with notes.');
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= parsed.tracks.length) {
      throw new MidiInputError('bad-track', `There is no track ${i + 1} in this file (it has ${parsed.tracks.length}).`);
    }
  }
  const roll = createRoll(
    parsed.totalSteps,
    indices.map((i) => trackInfoOf(parsed.tracks[i])),
    {
      stepsPerBeat: DEFAULT_STEPS_PER_BEAT,
      tempoBpm: parsed.tempoBpm,
      beatsPerBar: parsed.beatsPerBar,
      withOnsets: true,
      withVelocities: true,
    },
  );
  indices.forEach((trackIndex, rollTrack) => {
    for (const note of parsed.tracks[trackIndex].notes) {
      const [start, end] = quantiseNote(note, parsed.ticksPerBeat);
      addNote(roll, rollTrack, { pitch: note.pitch, startStep: start, steps: end - start, velocity: note.velocity });
    }
  });
  return roll;
}
