/**
 * MIDI file in: bytes -> notes (read with @tonejs/midi) -> a piano roll on the 16th-note grid.
 *
 * Quantisation works in ticks and beats through the file's ticks-per-beat, never in seconds, so tempo
 * changes cannot smear notes off the grid. The first tempo becomes the roll's tempo and later tempo
 * changes are dropped (the roll has one tempo); likewise the first time signature sets the bar length.
 * Every dropped detail is listed in `ParsedMidi.warnings` so the page can tell the user.
 */
import * as tonejsMidi from '@tonejs/midi';
import { parseMidi as parseMidiEvents, type MidiData } from 'midi-file';
import { MidiInputError } from './errors';
import { DEFAULT_STEPS_PER_BEAT, PITCHES, cellIndex, createRoll, type PianoRoll, type TrackInfo } from './pianoRoll';

// Node (the command-line scripts) loads @tonejs/midi's CommonJS bundle, whose named exports it cannot see, so
// `Midi` is on the default export there; bundlers and Vitest expose it by name. Take it from either.
const { Midi } = (tonejsMidi as typeof tonejsMidi & { default?: typeof tonejsMidi }).default ?? tonejsMidi;
type Midi = InstanceType<typeof Midi>;

/** Largest MIDI file accepted, in bytes: real songs are far smaller, and parsing is all in memory. */
export const MAX_MIDI_BYTES = 8 * 1024 * 1024;
/** Longest piece accepted, in 16th-note steps: 1024 bars of 4/4 (about 34 minutes at 120 bpm). */
export const MAX_PIECE_STEPS = 16_384;
/**
 * Most notes accepted in one file. Real pieces within MAX_PIECE_STEPS hold far fewer; the cap keeps
 * @tonejs/midi's note pairing (quadratic in the notes per channel) near a second at worst.
 */
export const MAX_MIDI_NOTES = 25_000;
/** Slowest tempo accepted, in beats per minute. */
export const MIN_TEMPO_BPM = 10;
/** Fastest tempo accepted, in beats per minute. */
export const MAX_TEMPO_BPM = 400;
/** Tempo of a file that states none: the MIDI standard's default. */
export const MIDI_DEFAULT_TEMPO_BPM = 120;
/** The General MIDI drum channel, counted from 0 (channel 10 to musicians). */
export const DRUM_CHANNEL = 9;

/** One note as the file states it, in ticks. */
export interface MidiNote {
  pitch: number;
  startTick: number;
  durationTicks: number;
  /** MIDI velocity, 1..127. */
  velocity: number;
}

/** What the page shows about a track so the user can pick the melody. */
export interface MidiTrackSummary {
  /** Position in `ParsedMidi.tracks`. */
  index: number;
  /** The track's name, or a made-up one such as "Track 2 (violin)" when the file gives none. */
  name: string;
  /** General MIDI program 0..127 (for a drum track: the drum kit). */
  program: number;
  /** MIDI channel 0..15. */
  channel: number;
  /** True for channel 10 (9 counted from 0): drums are never taken as melody. */
  isDrum: boolean;
  noteCount: number;
  /** Lowest and highest MIDI pitch, null for a track without notes. */
  lowestPitch: number | null;
  highestPitch: number | null;
  /** Mean MIDI pitch of the notes, null for a track without notes. */
  meanPitch: number | null;
  /** Most notes sounding at once (1 = a single line). */
  maxPolyphony: number;
}

/** A track with its notes. */
export interface ParsedMidiTrack extends MidiTrackSummary {
  notes: MidiNote[];
}

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

interface ContainerInfo {
  /** The Standard MIDI File bytes (unwrapped from a RIFF RMID file where needed). */
  smf: Uint8Array;
  format: number;
  /** Ticks per quarter note, or null for SMPTE timing. */
  ticksPerBeat: number | null;
  /** Ticks per second for SMPTE timing, else null. */
  ticksPerSecond: number | null;
}

const ascii = (bytes: Uint8Array, at: number) => String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
const uint32 = (bytes: Uint8Array, at: number) => ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
const uint16 = (bytes: Uint8Array, at: number) => (bytes[at] << 8) | bytes[at + 1];

const NOT_MIDI_MESSAGE =
  'This is not a MIDI file. Export your melody from your notation program or sequencer as a MIDI file (.mid) and try again.';
const TRUNCATED_MESSAGE =
  'This MIDI file is cut short (incomplete download or copy?). Save or download it again and retry.';

/**
 * Checks the chunk structure before the parser sees it: the parser reads past the end of a cut file
 * without complaint, so a truncated file is caught here, by its declared chunk lengths.
 */
function checkContainer(bytes: Uint8Array): ContainerInfo {
  let smf = bytes;
  if (bytes.length >= 12 && ascii(bytes, 0) === 'RIFF' && ascii(bytes, 8) === 'RMID') {
    // RIFF-wrapped MIDI (.rmi): the standard file sits in a "data" chunk.
    let start = -1;
    for (let i = 12; i + 4 <= Math.min(bytes.length, 256); i++) {
      if (ascii(bytes, i) === 'MThd') {
        start = i;
        break;
      }
    }
    if (start < 0) throw new MidiInputError('not-midi', NOT_MIDI_MESSAGE);
    smf = bytes.subarray(start);
  }
  if (smf.length < 4 || ascii(smf, 0) !== 'MThd') {
    throw new MidiInputError('not-midi', NOT_MIDI_MESSAGE);
  }
  if (smf.length < 14) throw new MidiInputError('truncated', TRUNCATED_MESSAGE);
  const headerLength = uint32(smf, 4);
  if (headerLength < 6 || 8 + headerLength > smf.length) throw new MidiInputError('truncated', TRUNCATED_MESSAGE);
  const format = uint16(smf, 8);
  const trackCount = uint16(smf, 10);
  const division = uint16(smf, 12);
  if (format > 2) throw new MidiInputError('damaged', `This MIDI file says it is of format ${format}, which does not exist (0, 1 and 2 do). The file is probably damaged.`);
  if (trackCount === 0) throw new MidiInputError('no-notes', 'This MIDI file has no tracks, so there are no notes to use.');

  let offset = 8 + headerLength;
  let tracksSeen = 0;
  while (tracksSeen < trackCount) {
    if (offset + 8 > smf.length) throw new MidiInputError('truncated', TRUNCATED_MESSAGE);
    const id = ascii(smf, offset);
    const length = uint32(smf, offset + 4);
    if (offset + 8 + length > smf.length) throw new MidiInputError('truncated', TRUNCATED_MESSAGE);
    if (id === 'MTrk') tracksSeen++;
    offset += 8 + length;
  }
  // The parser counts every chunk as a track; cut off anything after the last declared track.
  smf = smf.subarray(0, offset);

  if (division & 0x8000) {
    const framesPerSecond = 256 - (division >> 8);
    const ticksPerFrame = division & 0xff;
    if (framesPerSecond <= 0 || ticksPerFrame === 0) throw new MidiInputError('damaged', 'This MIDI file has an impossible time base; it is probably damaged.');
    return { smf, format, ticksPerBeat: null, ticksPerSecond: framesPerSecond * ticksPerFrame };
  }
  if (division === 0) throw new MidiInputError('damaged', 'This MIDI file has zero ticks per beat, which is impossible; it is probably damaged.');
  return { smf, format, ticksPerBeat: division, ticksPerSecond: null };
}

/** Most notes sounding at once; a note ending where another starts does not overlap it. */
function maxPolyphony(notes: MidiNote[]): number {
  const events: Array<[number, number]> = [];
  for (const n of notes) {
    events.push([n.startTick, 1], [n.startTick + Math.max(n.durationTicks, 1), -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let sounding = 0;
  let most = 0;
  for (const [, change] of events) {
    sounding += change;
    if (sounding > most) most = sounding;
  }
  return most;
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
  const container = checkContainer(bytes);

  // A first, linear pass over the raw events refuses oversized pieces before @tonejs/midi pairs
  // note-ons with note-offs, which takes time quadratic in the notes of a channel.
  let events: MidiData;
  try {
    events = parseMidiEvents(container.smf);
  } catch (cause) {
    throw new MidiInputError('damaged', `This MIDI file is damaged and cannot be read (${String(cause)}). Open it in a music program and save it again as MIDI.`, { cause });
  }
  let noteCount = 0;
  let lastTick = 0;
  let firstTempo: { tick: number; bpm: number } | null = null;
  for (const track of events.tracks) {
    let tick = 0;
    for (const event of track) {
      tick += event.deltaTime;
      if (event.type === 'noteOn') noteCount++;
      if (event.type === 'noteOn' || event.type === 'noteOff') lastTick = Math.max(lastTick, tick);
      if (event.type === 'setTempo' && (firstTempo === null || tick < firstTempo.tick)) firstTempo = { tick, bpm: 60_000_000 / event.microsecondsPerBeat };
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
  const tempoBpm = firstTempo ? firstTempo.bpm : MIDI_DEFAULT_TEMPO_BPM;
  if (!Number.isFinite(tempoBpm) || tempoBpm < MIN_TEMPO_BPM || tempoBpm > MAX_TEMPO_BPM) {
    throw new MidiInputError(
      'bad-tempo',
      `This MIDI file's tempo is ${Number.isFinite(tempoBpm) ? formatBpm(tempoBpm) : 'infinite'} beats per minute; Cantus plays tempos from ${MIN_TEMPO_BPM} to ${MAX_TEMPO_BPM} bpm. Set a realistic tempo in your music program and export again.`,
    );
  }
  const ticksPerBeat = container.ticksPerBeat ?? ((container.ticksPerSecond as number) * 60) / tempoBpm;
  const firstSignature = events.tracks.flat().find((e) => e.type === 'timeSignature');
  const roughBeatsPerBar = firstSignature?.type === 'timeSignature' ? (firstSignature.numerator * 4) / firstSignature.denominator : 4;
  checkLength(Math.round((lastTick * DEFAULT_STEPS_PER_BEAT) / ticksPerBeat), roughBeatsPerBar, tempoBpm);

  let midi: Midi;
  try {
    midi = new Midi(container.smf);
  } catch (cause) {
    throw new MidiInputError('damaged', `This MIDI file is damaged and cannot be read (${String(cause)}). Open it in a music program and save it again as MIDI.`, { cause });
  }

  const tempos = [...midi.header.tempos].sort((a, b) => a.ticks - b.ticks);
  const laterTempos = tempos.slice(1).filter((t) => Math.abs(t.bpm - tempoBpm) > 1e-6);
  if (laterTempos.length > 0) {
    warnings.push(`The piece changes tempo ${laterTempos.length} time(s); Cantus keeps the first tempo (${formatBpm(tempoBpm)} bpm) throughout.`);
  }

  if (container.ticksPerBeat === null) warnings.push('This file is timed in SMPTE frames; its notes were placed on beats using its first tempo.');

  const signatures = [...midi.header.timeSignatures].sort((a, b) => a.ticks - b.ticks);
  let beatsPerBar = 4;
  if (signatures.length > 0) {
    const [numerator, denominator] = signatures[0].timeSignature;
    const quarterBeats = (numerator * 4) / denominator;
    // Keep bars a whole number of 16th notes; anything else (a damaged signature) falls back to 4/4.
    if (Number.isFinite(quarterBeats) && quarterBeats > 0 && quarterBeats <= 32 && Number.isInteger(quarterBeats * DEFAULT_STEPS_PER_BEAT)) {
      beatsPerBar = quarterBeats;
    } else {
      warnings.push(`The time signature ${numerator}/${denominator} cannot be used; bars of 4/4 are assumed.`);
    }
    const laterSignatures = signatures.slice(1).filter((s) => s.timeSignature[0] !== numerator || s.timeSignature[1] !== denominator);
    if (laterSignatures.length > 0) {
      warnings.push(`The time signature changes ${laterSignatures.length} time(s); Cantus counts bars in ${numerator}/${denominator} throughout.`);
    }
  }

  let totalTicks = 0;
  const tracks: ParsedMidiTrack[] = midi.tracks.map((track, index) => {
    const notes: MidiNote[] = track.notes
      .filter((n) => n.midi >= 0 && n.midi < PITCHES)
      .map((n) => ({
        pitch: n.midi,
        startTick: n.ticks,
        durationTicks: Math.max(0, n.durationTicks),
        velocity: Math.min(127, Math.max(1, Math.round(n.velocity * 127))),
      }));
    let lowest = PITCHES;
    let highest = -1;
    let pitchSum = 0;
    for (const n of notes) {
      if (n.pitch < lowest) lowest = n.pitch;
      if (n.pitch > highest) highest = n.pitch;
      pitchSum += n.pitch;
      totalTicks = Math.max(totalTicks, n.startTick + n.durationTicks);
    }
    const isDrum = track.channel === DRUM_CHANNEL;
    const fallbackName = isDrum ? 'drums' : track.instrument.name;
    return {
      index,
      name: track.name.trim() || `Track ${index + 1} (${fallbackName})`,
      program: track.instrument.number,
      channel: track.channel,
      isDrum,
      noteCount: notes.length,
      lowestPitch: notes.length ? lowest : null,
      highestPitch: notes.length ? highest : null,
      meanPitch: notes.length ? pitchSum / notes.length : null,
      maxPolyphony: maxPolyphony(notes),
      notes,
    };
  });

  const withNotes = tracks.filter((t) => t.noteCount > 0);
  if (withNotes.length === 0) throw new MidiInputError('no-notes', 'This MIDI file contains no notes. Pick a file with a melody in it.');
  if (withNotes.every((t) => t.isDrum)) {
    throw new MidiInputError('only-drums', 'This MIDI file contains only drums (channel 10). Cantus needs a melody with pitches: pick a file with a melodic track.');
  }

  let totalSteps = 0;
  for (const t of tracks) for (const n of t.notes) totalSteps = Math.max(totalSteps, quantiseNote(n, ticksPerBeat)[1]);
  checkLength(totalSteps, beatsPerBar, tempoBpm);

  return { format: container.format, ticksPerBeat, tempoBpm, beatsPerBar, totalTicks, totalSteps, tracks, warnings };
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
    { stepsPerBeat: DEFAULT_STEPS_PER_BEAT, tempoBpm: parsed.tempoBpm, beatsPerBar: parsed.beatsPerBar, withOnsets: true, withVelocities: true },
  );
  const onsets = roll.onsets as Uint8Array;
  const velocities = roll.velocities as Uint8Array;
  indices.forEach((trackIndex, rollTrack) => {
    for (const note of parsed.tracks[trackIndex].notes) {
      const [start, end] = quantiseNote(note, parsed.ticksPerBeat);
      for (let step = start; step < end; step++) roll.active[cellIndex(roll, step, note.pitch, rollTrack)] = 1;
      const at = cellIndex(roll, start, note.pitch, rollTrack);
      onsets[at] = 1;
      velocities[at] = Math.max(velocities[at], note.velocity);
    }
  });
  return roll;
}
