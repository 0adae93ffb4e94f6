/**
 * MIDI file in: bytes -> notes (read with the bounded reader in smf.ts) -> a piano roll on the 16th-note grid.
 *
 * Quantisation works in ticks and beats through the file's ticks-per-beat, never in seconds, so tempo
 * changes cannot smear notes off the grid. The first tempo becomes the roll's tempo and later tempo
 * changes are dropped (the roll has one tempo); likewise the first time signature sets the bar length.
 * Every dropped detail is listed in `ParsedMidi.warnings` so the page can tell the user.
 */
import * as tonejsMidi from '@tonejs/midi';
import { DEFAULT_TEMPO_BPM, DRUM_CHANNEL } from './constants';
import { MidiInputError } from './errors';
import { readSmf, type SmfEvent } from './smf';
import { addNote } from './notes';
import { DEFAULT_STEPS_PER_BEAT, PITCHES, createRoll, type PianoRoll, type TrackInfo } from './pianoRoll';

// Node (the command-line scripts) loads @tonejs/midi's CommonJS bundle, whose named exports it cannot see, so
// `Midi` is on the default export there; bundlers and Vitest expose it by name. Take it from either.
const { Midi } = (tonejsMidi as typeof tonejsMidi & { default?: typeof tonejsMidi }).default ?? tonejsMidi;
type Midi = InstanceType<typeof Midi>;

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
  /** Share of the piece (first note to last note end, all tracks) during which this track sounds, 0..1. */
  coverage: number;
  /** Share of this track's sounding time with exactly one note sounding, 0..1 (1 = a single line). */
  monophony: number;
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

/** How a track sounds over time: most notes at once, ticks with any note, ticks with exactly one. */
function lineShape(notes: MidiNote[]): { maxPolyphony: number; soundingTicks: number; singleTicks: number } {
  // A note ending where another starts does not overlap it (ends sort before starts).
  const events: Array<[number, number]> = [];
  for (const n of notes) {
    events.push([n.startTick, 1], [n.startTick + Math.max(n.durationTicks, 1), -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let sounding = 0;
  let most = 0;
  let soundingTicks = 0;
  let singleTicks = 0;
  let last = 0;
  for (const [tick, change] of events) {
    if (sounding > 0) soundingTicks += tick - last;
    if (sounding === 1) singleTicks += tick - last;
    last = tick;
    sounding += change;
    if (sounding > most) most = sounding;
  }
  return { maxPolyphony: most, soundingTicks, singleTicks };
}

/**
 * Splits tracks so that each holds one channel with one program, the way @tonejs/midi does (format-0
 * files put every part in one track): events without a channel stay with the track's first part.
 */
function splitParts(tracks: SmfEvent[][]): SmfEvent[][] {
  const parts: SmfEvent[][] = [];
  for (const track of tracks) {
    const first = parts.length;
    const partOf = new Map<string, number>();
    const program = new Array<number>(16).fill(0);
    for (const event of track) {
      let target = first;
      if ('channel' in event) {
        if (event.kind === 'program') program[event.channel] = event.program;
        const key = `${program[event.channel]} ${event.channel}`;
        const known = partOf.get(key);
        if (known === undefined) {
          target = first + partOf.size;
          partOf.set(key, target);
        } else target = known;
      }
      while (parts.length <= target) parts.push([]);
      parts[target].push(event);
    }
  }
  return parts;
}

/**
 * Pairs each note-on with the first later note-off of its pitch, in linear time; a note-on without
 * one is dropped. Returns the notes by start and the channel of the part's notes (0 without notes).
 */
function pairNotes(events: SmfEvent[]): { notes: MidiNote[]; channel: number } {
  const offs = new Map<number, number[]>();
  for (const e of events) {
    if (e.kind !== 'noteOff') continue;
    const list = offs.get(e.pitch);
    if (list) list.push(e.tick);
    else offs.set(e.pitch, [e.tick]);
  }
  const next = new Map<number, number>();
  const notes: MidiNote[] = [];
  let channel = 0;
  for (const e of events) {
    if (e.kind !== 'noteOn') continue;
    channel = e.channel;
    if (e.pitch >= PITCHES) continue;
    const list = offs.get(e.pitch) ?? [];
    let i = next.get(e.pitch) ?? 0;
    while (i < list.length && list[i] < e.tick) i++;
    if (i < list.length) {
      notes.push({ pitch: e.pitch, startTick: e.tick, durationTicks: list[i] - e.tick, velocity: Math.max(1, e.velocity) });
      i++;
    }
    next.set(e.pitch, i);
  }
  notes.sort((a, b) => a.startTick - b.startTick);
  return { notes, channel };
}

/** A scratch track whose instrument object names General MIDI programs (its name table is not exported). */
const nameTrack = new Midi().addTrack();

/** The General MIDI name of a program, e.g. 40 -> "violin". */
function instrumentName(program: number): string {
  nameTrack.instrument.number = program;
  return nameTrack.instrument.name;
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

  const parts = splitParts(smf.tracks);
  // A format-1 file's first track is usually the conductor track (tempo and names only): leave it out.
  if (smf.format === 1 && parts.length > 1 && !parts[0].some((e) => e.kind === 'noteOn')) parts.shift();

  let totalTicks = 0;
  let firstTick = Infinity;
  const tracks: ParsedMidiTrack[] = parts.map((events, index) => {
    const { notes, channel } = pairNotes(events);
    let lowest = PITCHES;
    let highest = -1;
    let pitchSum = 0;
    for (const n of notes) {
      if (n.pitch < lowest) lowest = n.pitch;
      if (n.pitch > highest) highest = n.pitch;
      pitchSum += n.pitch;
      totalTicks = Math.max(totalTicks, n.startTick + n.durationTicks);
      firstTick = Math.min(firstTick, n.startTick);
    }
    const isDrum = channel === DRUM_CHANNEL;
    const nameEvent = events.find((e) => e.kind === 'trackName');
    const programEvent = events.find((e) => e.kind === 'program');
    const program = programEvent?.kind === 'program' ? programEvent.program : 0;
    const fallbackName = isDrum ? 'drums' : instrumentName(program);
    const name = nameEvent?.kind === 'trackName' ? nameEvent.text.trim() : '';
    const shape = lineShape(notes);
    return {
      index,
      name: name || `Track ${index + 1} (${fallbackName})`,
      program,
      channel,
      isDrum,
      noteCount: notes.length,
      lowestPitch: notes.length ? lowest : null,
      highestPitch: notes.length ? highest : null,
      meanPitch: notes.length ? pitchSum / notes.length : null,
      maxPolyphony: shape.maxPolyphony,
      coverage: shape.soundingTicks,
      monophony: shape.soundingTicks > 0 ? shape.singleTicks / shape.soundingTicks : 0,
      notes,
    };
  });
  const span = Math.max(1, totalTicks - (Number.isFinite(firstTick) ? firstTick : 0));
  for (const t of tracks) t.coverage = Math.min(1, t.coverage / span);

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
